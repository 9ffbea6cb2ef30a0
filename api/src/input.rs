//! Checks every domain's input shares: trimmed text within bounds, named by its field.

use crate::error::{ApiError, ApiResult};

/// Text of 1 to `max` characters, trimmed.
pub fn text(raw: &str, field: &str, max: usize) -> ApiResult<String> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must have 1 to {max} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Optional text of at most `max` characters, trimmed; absent or blank is none.
pub fn optional_text(raw: Option<&str>, field: &str, max: usize) -> ApiResult<Option<String>> {
    match raw.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > max => Err(ApiError::bad_input(
            field,
            format!("`{field}` may have at most {max} characters"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}
