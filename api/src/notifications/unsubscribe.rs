//! One-click unsubscribe (RFC 8058): each non-essential message carries a link with a token
//! that names the account and the kind of mail, signed with the server's link key, so that it
//! cannot be guessed or turned against another account. `POST /unsubscribe?token=…` opts the
//! account out of non-essential mail; `GET` only shows a page whose button posts, so that a
//! mail scanner following links changes nothing.

use entity::email_message::MailKind;
use sea_orm::ActiveEnum;
use uuid::Uuid;

use crate::auth::sealing::ServerSecrets;

/// A checked token: whose, from which kind of mail, and the version of the account's mail
/// choice it was sent under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub account: Uuid,
    pub kind: MailKind,
    /// The version of the choice (`email_preferences.version`) when the mail was sent: the link
    /// opts the account out only while the choice has not changed since. Links sent before
    /// versions were signed count as version 0, the choice never changed.
    pub version: i32,
}

/// What the tag signs: the kind by its stored name, so links already sent keep working, and the
/// version of the choice (links sent before versions carry none).
fn signed(account: Uuid, kind: &str, version: Option<i32>) -> String {
    match version {
        Some(version) => format!("unsubscribe:{}:{kind}:v{version}", account.simple()),
        None => format!("unsubscribe:{}:{kind}", account.simple()),
    }
}

/// The token for `account`'s mail of `kind`, sent while its mail choice is at `version`:
/// `<account>.<kind>.<version>.<tag>`, all URL-safe.
pub fn token(secrets: &ServerSecrets, account: Uuid, kind: MailKind, version: i32) -> String {
    let kind = kind.name();
    let tag = secrets.sign_link(signed(account, &kind, Some(version)).as_bytes());
    format!("{}.{kind}.{version}.{tag}", account.simple())
}

/// The token's account, kind and version, if the server signed it for a kind one may
/// unsubscribe from. A token of three parts is one sent before versions: version 0.
pub fn verify(secrets: &ServerSecrets, token: &str) -> Option<Unsubscribe> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let (account, name, version, tag) = match parts.as_slice() {
        [account, name, tag] => (*account, *name, None, *tag),
        [account, name, version, tag] => (*account, *name, Some(version.parse().ok()?), *tag),
        _ => return None,
    };
    let account = Uuid::try_parse(account).ok()?;
    let kind = MailKind::try_from_value(&name.to_owned()).ok()?;
    if version.is_some_and(|v: i32| v < 0)
        || !kind.optional()
        || !secrets.verify_link(signed(account, name, version).as_bytes(), tag)
    {
        return None;
    }
    Some(Unsubscribe {
        account,
        kind,
        version: version.unwrap_or(0),
    })
}

/// The link a message carries: `<QUORUM_PUBLIC_URL>/unsubscribe?token=…`.
pub fn link(public_url: &str, token: &str) -> String {
    format!(
        "{}/unsubscribe?token={token}",
        public_url.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_one_account_an_optional_kind_and_a_version() {
        let keys = ServerSecrets::new(&[5u8; 32]);
        let account = Uuid::now_v7();
        let token = token(&keys, account, MailKind::RenewalDue, 3);
        assert!(
            token.contains(".renewal_due.3."),
            "the kind by its stored name, and the version"
        );
        assert_eq!(
            verify(&keys, &token),
            Some(Unsubscribe {
                account,
                kind: MailKind::RenewalDue,
                version: 3,
            })
        );
        let other = Uuid::now_v7();
        let forged = token.replacen(
            &account.simple().to_string(),
            &other.simple().to_string(),
            1,
        );
        assert_eq!(verify(&keys, &forged), None);
        let older = token.replacen(".3.", ".2.", 1);
        assert_eq!(verify(&keys, &older), None, "the version is signed");
        let essential = self::token(&keys, account, MailKind::PasswordChanged, 0);
        assert_eq!(
            verify(&keys, &essential),
            None,
            "no unsubscribing from security mail"
        );
        assert_eq!(verify(&ServerSecrets::new(&[6u8; 32]), &token), None);
        // A link sent before versions were signed still verifies, as version 0.
        let tag = keys.sign_link(signed(account, "renewal_due", None).as_bytes());
        let legacy = format!("{}.renewal_due.{tag}", account.simple());
        assert_eq!(verify(&keys, &legacy).map(|u| u.version), Some(0));
    }
}
