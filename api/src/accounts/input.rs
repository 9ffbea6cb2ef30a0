//! Parsing account input at the edge: emails and display names.

use crate::error::{ApiError, ApiResult};

/// A normalized email address: trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str, field: &str) -> ApiResult<Self> {
        let email = raw.trim().to_lowercase();
        let invalid = || ApiError::bad_input(field, "This is not a valid email address.");
        if email.len() > 320 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.len() <= 255;
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A name for people to read: 1 to 100 characters, as [`crate::input::name`].
pub fn display_name(raw: &str, field: &str) -> ApiResult<String> {
    crate::input::name(raw, field, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        let email = Email::parse("  Ada@Example.ORG ", "email").expect("valid");
        assert_eq!(email.as_str(), "ada@example.org");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@.org",
        ] {
            assert!(Email::parse(bad, "email").is_err(), "{bad}");
        }
    }
}
