//! How each kind of setting is read from its variable's text, and the kinds of value of our own
//! it reads into; the messages become the `problem` of the [`ConfigError`](super::ConfigError)
//! that names the variable.

use std::{fmt::Display, str::FromStr, time::Duration};

/// Where the server runs: development is forgiving, production refuses unsafe settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Whether requests may, or must, name a registered document instead of sending a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustedDocuments {
    /// Document ids are not looked up; every request sends its query.
    Off,
    /// A request sends a query or names a registered document.
    Allow,
    /// A request must name a registered document.
    Require,
}

/// A secret setting: kept out of `Debug` output, so that it never reaches a log.
#[derive(Clone)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A witness of the audit log, from `QUORUM_LOG_WITNESSES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogWitness {
    /// Its cosignature verifier key, `<name>+<hex key id>+<base64(0x04 ‖ public key)>`.
    pub verifier_key: String,
    /// Its submission prefix, without the trailing slash: requests go to
    /// `<url>/add-checkpoint`.
    pub url: String,
}

/// A number, an address: anything `FromStr` reads.
pub fn value<T: FromStr>(raw: &str) -> Result<T, String>
where
    T::Err: Display,
{
    raw.parse()
        .map_err(|err| format!("cannot parse `{raw}`: {err}"))
}

/// A whole number of seconds.
pub fn seconds(raw: &str) -> Result<Duration, String> {
    value(raw).map(Duration::from_secs)
}

/// A whole number of milliseconds, at least one: a zero wait would spin.
pub fn millis(raw: &str) -> Result<Duration, String> {
    match value(raw)? {
        0 => Err("must be at least 1 ms".to_owned()),
        ms => Ok(Duration::from_millis(ms)),
    }
}

/// On or off, in the spellings operators use.
pub fn flag(raw: &str) -> Result<bool, String> {
    match raw {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        other => Err(format!("expected true or false, got `{other}`")),
    }
}

/// `development` or `production`.
pub fn environment(raw: &str) -> Result<Environment, String> {
    match raw {
        "development" => Ok(Environment::Development),
        "production" => Ok(Environment::Production),
        other => Err(format!(
            "expected `development` or `production`, got `{other}`"
        )),
    }
}

/// `json` (true) or `text` (false).
pub fn log_format(raw: &str) -> Result<bool, String> {
    match raw {
        "json" => Ok(true),
        "text" => Ok(false),
        other => Err(format!("expected `json` or `text`, got `{other}`")),
    }
}

/// A comma-separated list of origins; empty entries are skipped.
pub fn origins(raw: &str) -> Result<Vec<String>, String> {
    Ok(raw
        .split(',')
        .map(|origin| origin.trim().to_owned())
        .filter(|origin| !origin.is_empty())
        .collect())
}

/// Comma-separated `<URL>=<verifier key>` (the API contract's form; `<verifier key>=<URL>` is
/// read too): the URL each witness's `/add-checkpoint` is under and its cosignature verifier
/// key (checked). A verifier key holds no `=`, so a URL's query may.
pub fn log_witnesses(raw: &str) -> Result<Vec<LogWitness>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let not_a_pair = || format!("`{entry}` is not `<URL>=<verifier key>`");
            let (key, url) = if entry.starts_with("http://") || entry.starts_with("https://") {
                let (url, key) = entry.rsplit_once('=').ok_or_else(not_a_pair)?;
                (key, url)
            } else {
                entry.split_once('=').ok_or_else(not_a_pair)?
            };
            let verifier = crate::log::note::parse_verifier_key(key)
                .map_err(|err| format!("`{key}`: {err}"))?;
            if verifier.alg != crate::log::note::COSIGNATURE {
                return Err(format!(
                    "`{key}` is not a witness's cosignature key (type 0x04)"
                ));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!("`{url}` is not an http(s) URL"));
            }
            Ok(LogWitness {
                verifier_key: key.trim().to_owned(),
                url: url.trim().trim_end_matches('/').to_owned(),
            })
        })
        .collect()
}

/// A site's address without the trailing slash, so that paths can be appended.
pub fn site(raw: &str) -> Result<String, String> {
    Ok(raw.trim_end_matches('/').to_owned())
}

/// A secret, kept out of `Debug` output from the moment it is read.
pub fn secret(raw: &str) -> Result<SecretText, String> {
    Ok(SecretText(raw.to_owned()))
}

/// `off`, `allow` or `require`.
pub fn trusted_documents(raw: &str) -> Result<TrustedDocuments, String> {
    match raw {
        "off" => Ok(TrustedDocuments::Off),
        "allow" => Ok(TrustedDocuments::Allow),
        "require" => Ok(TrustedDocuments::Require),
        other => Err(format!(
            "expected `off`, `allow` or `require`, got `{other}`"
        )),
    }
}
