//! Checks every domain's input shares: trimmed text within bounds, named by its field.

use crate::error::{ApiError, ApiResult};

/// The path of an argument or input field as a client names it in `extensions.field`, from the
/// Rust expression that reads it: `field!(input.display_name)` is `"input.displayName"`, and
/// `field!(amendment_id)` (a top-level argument) is `"amendmentId"`. Deriving it from the
/// expression keeps the path and the field it names from drifting apart.
#[macro_export]
macro_rules! field {
    ($root:ident $(. $part:ident)*) => {
        $crate::input::field_path(&[stringify!($root) $(, stringify!($part))*])
    };
}

/// Joins Rust field names into a GraphQL path, each in camelCase.
pub fn field_path(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| {
            let mut camel = String::with_capacity(part.len());
            let mut upper = false;
            for c in part.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    camel.extend(c.to_uppercase());
                    upper = false;
                } else {
                    camel.push(c);
                }
            }
            camel
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// How a person calls an input field: the last part of its path in words, without an `Id`
/// suffix. `input.displayName` is "display name", `input.changes[0].sectionId` is "section".
pub fn label(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    let last = match last.strip_suffix("Ids") {
        Some(stem) if !stem.is_empty() => format!("{stem}s"),
        _ => last
            .strip_suffix("Id")
            .filter(|stem| !stem.is_empty())
            .unwrap_or(last)
            .to_owned(),
    };
    words(&last)
}

/// A type or field name in words, lower case: `SponsorTier` is "sponsor tier", `ApiToken` is
/// "API token".
pub fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out.split(' ')
        .map(|word| match word {
            "api" => "API",
            "url" => "URL",
            "http" => "HTTP",
            "rsync" => "rsync",
            "ftp" => "FTP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "a" or "an" before `noun`, with the noun.
pub fn with_article(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    let acronym_vowel = noun.starts_with("API");
    if vowel || acronym_vowel {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// A sentence about the field: "The display name must …".
fn the(field: &str) -> String {
    format!("The {}", label(field))
}

/// Text of 1 to `max` characters, trimmed, with line ends made `\n`. Control characters other
/// than newline and tab (NUL, ESC and the like) are refused: they hide text from readers and
/// break terminals and logs. So are the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which make text read in another order than it is stored.
pub fn text(raw: &str, field: &str, max: usize) -> ApiResult<String> {
    let text = normalize_lines(raw.trim());
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("{} must have 1 to {max} characters.", the(field)),
        ));
    }
    refuse_controls(&text, field)?;
    Ok(text)
}

/// Optional text of at most `max` characters, as [`text`]; absent or blank is none.
pub fn optional_text(raw: Option<&str>, field: &str, max: usize) -> ApiResult<Option<String>> {
    match raw.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > max => Err(ApiError::bad_input(
            field,
            format!("{} may have at most {max} characters.", the(field)),
        )),
        Some(text) => {
            let text = normalize_lines(text);
            refuse_controls(&text, field)?;
            Ok(Some(text))
        }
    }
}

/// A name for people to read (a person, an organization, a tier, a token): 1 to `max`
/// characters on one line, at least one of them visible, with no control characters, no line
/// or paragraph separators, and none of the characters that make a name look like another or
/// look blank: what Unicode calls `Default_Ignorable_Code_Point` (zero-width characters, the
/// word joiner, fillers, tags, variation selectors …) and the bidirectional controls.
pub fn name(raw: &str, field: &str, max: usize) -> ApiResult<String> {
    let name = raw.trim();
    let length = name.chars().count();
    if length == 0 || length > max {
        return Err(ApiError::bad_input(
            field,
            format!("{} must have 1 to {max} characters.", the(field)),
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must not contain control characters or line breaks.",
                the(field)
            ),
        ));
    }
    if name
        .chars()
        .any(|c| is_default_ignorable(c) || is_bidi_control(c))
    {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must not contain invisible or direction-changing characters.",
                the(field)
            ),
        ));
    }
    if !name.chars().any(is_visible) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must contain at least one visible character.",
                the(field)
            ),
        ));
    }
    Ok(name.to_owned())
}

/// Unicode's `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt, unchanged since Unicode
/// 6.1 but for U+180F, added in 14.0): characters a renderer shows as nothing.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Unicode's `Bidi_Control` (PropList.txt): the marks, embeddings, overrides and isolates that
/// change the order text is shown in.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The bidirectional controls that reorder a whole run of text rather than mark one spot:
/// embeddings, overrides and isolates. Refused in every text.
fn is_bidi_reordering(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that shows something by itself: not white space, not a control, not ignorable,
/// and not a combining mark (which only decorates the character before it).
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !is_default_ignorable(c)
        && !matches!(
            c,
            '\u{0300}'..='\u{036F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE20}'..='\u{FE2F}'
        )
}

fn normalize_lines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn refuse_controls(text: &str, field: &str) -> ApiResult<()> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must not contain control characters other than line breaks and tabs.",
                the(field)
            ),
        ));
    }
    if text.chars().any(is_bidi_reordering) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must not contain characters that change the direction of the text.",
                the(field)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_path_is_the_client_s_camel_case_path() {
        assert_eq!(crate::field!(input.display_name), "input.displayName");
        assert_eq!(crate::field!(amendment_id), "amendmentId");
        assert_eq!(crate::field!(input.idempotency_key), "input.idempotencyKey");
    }

    #[test]
    fn a_field_is_named_in_words() {
        assert_eq!(label("input.displayName"), "display name");
        assert_eq!(label("input.changes[3].sectionId"), "section");
        assert_eq!(label("input.mirrorIds"), "mirrors");
        assert_eq!(label("id"), "id");
        assert_eq!(label("input.websiteUrl"), "website URL");
        assert_eq!(with_article(&words("Application")), "an application");
        assert_eq!(with_article(&words("ApiToken")), "an API token");
        assert_eq!(with_article(&words("SponsorTier")), "a sponsor tier");
    }

    #[test]
    fn names_refuse_hidden_and_direction_changing_characters() {
        for bad in [
            "Ad\u{202E}a",
            "Ada\u{200B}",
            "\u{FEFF}Ada",
            "A\u{2066}da",
            "Ada\u{0}",
        ] {
            assert!(name(bad, "input.name", 100).is_err(), "{bad:?}");
        }
        assert_eq!(
            name("  Zeynep Aydın ", "input.name", 100).ok().as_deref(),
            Some("Zeynep Aydın")
        );
    }

    #[test]
    fn names_refuse_every_default_ignorable_and_bidi_control_and_need_something_visible() {
        for bad in [
            "\u{2060}",
            "Ada\u{2060}",
            "Ada\u{200E}",
            "Ada\u{200F}",
            "Ada\u{061C}",
            "Ada\u{E0041}\u{E0042}",
            "Ada\u{2028}Lovelace",
            "Ada\u{2029}Lovelace",
            "\u{3164}",
            "Ada\u{3164}",
            "Ada\u{00AD}",
            "Ada\u{180E}",
            "Ada\u{FE0F}",
            "\u{0301}\u{0301}",
            "\u{115F}",
        ] {
            assert!(name(bad, "input.name", 100).is_err(), "{bad:?}");
        }
        for good in [
            "Zeynep Aydın",
            "אדה לאבלייס",
            "محمد",
            "李小龍",
            "José",
            "Ada ❤",
        ] {
            assert_eq!(name(good, "input.name", 100).ok().as_deref(), Some(good));
        }
    }

    #[test]
    fn text_refuses_direction_overrides() {
        for bad in ["Vote \u{202E}ON", "a\u{2066}b\u{2069}", "a\u{202A}b"] {
            assert!(text(bad, "input.body", 100).is_err(), "{bad:?}");
        }
        // A right-to-left mark is legitimate punctuation in mixed-direction text.
        assert!(text("שלום\u{200F}!", "input.body", 100).is_ok());
    }

    #[test]
    fn text_keeps_newlines_and_tabs_but_refuses_other_controls() {
        assert_eq!(
            text("a\r\nb\tc", "input.body", 100).ok().as_deref(),
            Some("a\nb\tc")
        );
        for bad in ["a\u{0}b", "a\u{1b}[31mb", "a\u{7f}"] {
            assert!(text(bad, "input.body", 100).is_err(), "{bad:?}");
        }
    }
}
