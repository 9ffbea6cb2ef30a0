//! Parsing organization input: names and web addresses.

use crate::error::{ApiError, ApiResult};

/// The longest URL accepted.
pub const MAX_URL_LENGTH: usize = 2048;

/// An absolute URL with a host, at most 2048 characters, of any scheme.
pub fn any_url(raw: &str, field: &str) -> ApiResult<url::Url> {
    let text = raw.trim();
    if text.len() > MAX_URL_LENGTH {
        return Err(ApiError::bad_input(
            field,
            format!("A web address may have at most {MAX_URL_LENGTH} characters."),
        ));
    }
    let url = url::Url::parse(text)
        .map_err(|_| ApiError::bad_input(field, "This is not a valid web address."))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::bad_input(
            field,
            "This web address names no host.",
        ));
    }
    Ok(url)
}

/// An absolute http or https URL with a host, at most 2048 characters.
pub fn web_url(raw: &str, field: &str) -> ApiResult<String> {
    let url = any_url(raw, field)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::bad_input(
            field,
            "The web address must start with http:// or https://.",
        ));
    }
    // Keep the address as the user wrote it; parsing only checks it.
    Ok(raw.trim().to_owned())
}

/// An optional URL: absent or blank is none.
pub fn optional_web_url(raw: Option<&str>, field: &str) -> ApiResult<Option<String>> {
    raw.filter(|text| !text.trim().is_empty())
        .map(|text| web_url(text, field))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_pass() {
        assert!(web_url("https://almalinux.org/", "url").is_ok());
        assert!(web_url("http://mirror.example.org/almalinux", "url").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "not a url",
            "https://",
        ] {
            assert!(web_url(bad, "url").is_err(), "{bad}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LENGTH));
        assert!(web_url(&long, "url").is_err());
    }
}
