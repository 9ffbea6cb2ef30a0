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

/// Text of 1 to `max` characters, trimmed, with line ends made `\n`. Control characters other
/// than newline and tab (NUL, ESC and the like) are refused: they hide text from readers and
/// break terminals and logs.
pub fn text(raw: &str, field: &str, max: usize) -> ApiResult<String> {
    let text = normalize_lines(raw.trim());
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must have 1 to {max} characters"),
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
            format!("`{field}` may have at most {max} characters"),
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
            format!("`{field}` must have 1 to {max} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must not contain control characters"),
        ));
    }
    if name.chars().any(is_invisible) {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must not contain invisible or direction-changing characters"),
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
            format!("`{field}` must not contain control characters other than newlines and tabs"),
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
