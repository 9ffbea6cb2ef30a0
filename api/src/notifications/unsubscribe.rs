//! One-click unsubscribe (RFC 8058): each non-essential message carries a link with a token
//! that names the account and the kind of mail, signed with the server's link key, so that it
//! cannot be guessed or turned against another account. `POST /unsubscribe?token=…` opts the
//! account out of non-essential mail; `GET` only shows a page whose button posts, so that a
//! mail scanner following links changes nothing.

use entity::email_message::MailKind;
use sea_orm::ActiveEnum;
use uuid::Uuid;

use crate::auth::sealing::ServerSecrets;

/// A checked token: whose, and from which kind of mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub account: Uuid,
    pub kind: MailKind,
}

/// What the tag signs: the kind by its stored name, so links already sent keep working.
fn signed(account: Uuid, kind: &str) -> String {
    format!("unsubscribe:{}:{kind}", account.simple())
}

/// The token for `account`'s mail of `kind`: `<account>.<kind>.<tag>`, all URL-safe.
pub fn token(secrets: &ServerSecrets, account: Uuid, kind: MailKind) -> String {
    let kind = kind.name();
    let tag = secrets.sign_link(signed(account, &kind).as_bytes());
    format!("{}.{kind}.{tag}", account.simple())
}

/// The token's account and kind, if the server signed it for a kind one may unsubscribe from.
pub fn verify(secrets: &ServerSecrets, token: &str) -> Option<Unsubscribe> {
    let mut parts = token.trim().splitn(3, '.');
    let account = Uuid::try_parse(parts.next()?).ok()?;
    let name = parts.next()?;
    let tag = parts.next()?;
    let kind = MailKind::try_from_value(&name.to_owned()).ok()?;
    if !kind.optional() || !secrets.verify_link(signed(account, name).as_bytes(), tag) {
        return None;
    }
    Some(Unsubscribe { account, kind })
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
    fn a_token_names_one_account_and_an_optional_kind() {
        let keys = ServerSecrets::new(&[5u8; 32]);
        let account = Uuid::now_v7();
        let token = token(&keys, account, MailKind::RenewalDue);
        assert!(
            token.contains(".renewal_due."),
            "the kind by its stored name"
        );
        assert_eq!(
            verify(&keys, &token),
            Some(Unsubscribe {
                account,
                kind: MailKind::RenewalDue
            })
        );
        let other = Uuid::now_v7();
        let forged = token.replacen(
            &account.simple().to_string(),
            &other.simple().to_string(),
            1,
        );
        assert_eq!(verify(&keys, &forged), None);
        let essential = self::token(&keys, account, MailKind::PasswordChanged);
        assert_eq!(
            verify(&keys, &essential),
            None,
            "no unsubscribing from security mail"
        );
        assert_eq!(verify(&ServerSecrets::new(&[6u8; 32]), &token), None);
    }
}
