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
/// break terminals and logs.
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

/// A name for people to read (a person, an organization, a tier): 1 to `max` characters on one
/// line, with no control characters and none of the invisible characters that make a name look
/// like another: bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
/// zero-width characters (U+200B–U+200D, U+FEFF).
pub fn name(raw: &str, field: &str, max: usize) -> ApiResult<String> {
    let name = raw.trim();
    let length = name.chars().count();
    if length == 0 || length > max {
        return Err(ApiError::bad_input(
            field,
            format!("{} must have 1 to {max} characters.", the(field)),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_input(
            field,
            format!("{} must not contain control characters.", the(field)),
        ));
    }
    if name.chars().any(is_invisible) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} must not contain invisible or direction-changing characters.",
                the(field)
            ),
        ));
    }
    Ok(name.to_owned())
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{FEFF}')
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
