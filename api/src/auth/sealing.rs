//! The server's secrets at rest and in links: webhook signing secrets sealed with AES-256-GCM
//! before they are stored, the token pair a used refresh token answers again within its grace
//! window (sealed the same way, with a key of its own), and the MAC that signs one-click
//! unsubscribe links. Every key comes from one 32-byte master key, `QUORUM_SECRET_KEY`, or when
//! that is unset from the key that signs access tokens; HKDF gives each use a key of its own, so
//! that no key serves two purposes.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use ring::{
    aead::{self, AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    hkdf, hmac,
    rand::{SecureRandom, SystemRandom},
};

/// What a sealed value starts with: the format's version.
const SEALED: &str = "v1.";

/// The keys derived from the master key.
pub struct ServerSecrets {
    sealing: LessSafeKey,
    successors: LessSafeKey,
    links: hmac::Key,
    random: SystemRandom,
}

/// Why a sealed value cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the stored secret is not in a sealed format")]
    Format,
    #[error(
        "the stored secret does not open with this server's key (was QUORUM_SECRET_KEY or the signing key changed?)"
    )]
    Key,
    #[error("no randomness for a nonce")]
    Random,
}

/// Why `QUORUM_SECRET_KEY` is unusable.
#[derive(Debug, thiserror::Error)]
#[error("QUORUM_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)")]
pub struct BadMasterKey;

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl ServerSecrets {
    /// The keys for `master`: at least 32 bytes of secret key material.
    pub fn new(master: &[u8]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"quorum server secrets v1").extract(master);
        let derive = |label: &'static [u8]| {
            let info = [label];
            let okm = prk
                .expand(&info, Len(32))
                .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 length"));
            let mut key = [0u8; 32];
            okm.fill(&mut key)
                .unwrap_or_else(|_| unreachable!("the buffer has the length asked for"));
            key
        };
        let aes = |label: &'static [u8]| {
            let key = UnboundKey::new(&AES_256_GCM, &derive(label))
                .unwrap_or_else(|_| unreachable!("AES-256 takes a 32-byte key"));
            LessSafeKey::new(key)
        };
        Self {
            sealing: aes(b"webhook secrets"),
            successors: aes(b"refresh successors"),
            links: hmac::Key::new(hmac::HMAC_SHA256, &derive(b"unsubscribe links")),
            random: SystemRandom::new(),
        }
    }

    /// The master key from `QUORUM_SECRET_KEY` (base64 of 32 bytes).
    pub fn parse_master(text: &str) -> Result<Vec<u8>, BadMasterKey> {
        let text = text.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| BadMasterKey)?;
        if bytes.len() < 32 {
            return Err(BadMasterKey);
        }
        Ok(bytes)
    }

    /// Seals `plain`: a fresh random nonce, then AES-256-GCM, written `v1.` + base64url.
    pub fn seal(&self, plain: &[u8]) -> Result<String, SealError> {
        self.seal_with(&self.sealing, plain, &[])
    }

    /// Opens what [`ServerSecrets::seal`] wrote.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, SealError> {
        self.open_with(&self.sealing, sealed, &[])
    }

    /// Seals the pair a refresh token's use issued, bound to that token (`token`, its row's
    /// id): a sealed pair copied onto another token's row does not open there.
    pub fn seal_successor(&self, plain: &[u8], token: &[u8]) -> Result<String, SealError> {
        self.seal_with(&self.successors, plain, token)
    }

    /// Opens what [`ServerSecrets::seal_successor`] wrote for `token`.
    pub fn open_successor(&self, sealed: &str, token: &[u8]) -> Result<Vec<u8>, SealError> {
        self.open_with(&self.successors, sealed, token)
    }

    fn seal_with(&self, key: &LessSafeKey, plain: &[u8], aad: &[u8]) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| SealError::Random)?;
        let mut sealed = plain.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut sealed,
        )
        .map_err(|_| SealError::Key)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    fn open_with(&self, key: &LessSafeKey, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let encoded = sealed.strip_prefix(SEALED).ok_or(SealError::Format)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SealError::Format)?;
        if bytes.len() < NONCE_LEN + aead::AES_256_GCM.tag_len() {
            return Err(SealError::Format);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Format)?;
        let mut rest = rest.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(aad), &mut rest)
            .map_err(|_| SealError::Key)?;
        Ok(plain.to_vec())
    }

    /// The MAC of `message` for a link, base64url.
    pub fn sign_link(&self, message: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.links, message).as_ref())
    }

    /// Whether `tag` is the link MAC of `message`, compared in constant time.
    pub fn verify_link(&self, message: &[u8], tag: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(tag)
            .is_ok_and(|tag| hmac::verify(&self.links, message, &tag).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_only() {
        let one = ServerSecrets::new(&[7u8; 32]);
        let other = ServerSecrets::new(&[8u8; 32]);
        let sealed = one.seal(b"the secret").expect("seal");
        assert!(!sealed.contains("the secret"));
        assert_ne!(
            sealed,
            one.seal(b"the secret").expect("seal"),
            "fresh nonce"
        );
        assert_eq!(one.open(&sealed).expect("open"), b"the secret");
        assert!(matches!(other.open(&sealed), Err(SealError::Key)));
        assert!(matches!(one.open("whsec_abc"), Err(SealError::Format)));
    }

    #[test]
    fn a_sealed_successor_opens_for_its_own_token_only() {
        let keys = ServerSecrets::new(&[7u8; 32]);
        let sealed = keys.seal_successor(b"the pair", b"token 1").expect("seal");
        assert_eq!(
            keys.open_successor(&sealed, b"token 1").expect("open"),
            b"the pair"
        );
        assert!(matches!(
            keys.open_successor(&sealed, b"token 2"),
            Err(SealError::Key)
        ));
        // Each use has its own key: a webhook secret's seal is not a successor's.
        assert!(matches!(keys.open(&sealed), Err(SealError::Key)));
    }

    #[test]
    fn link_tags_verify_for_their_message_only() {
        let keys = ServerSecrets::new(&[1u8; 32]);
        let tag = keys.sign_link(b"account:renewal_due");
        assert!(keys.verify_link(b"account:renewal_due", &tag));
        assert!(!keys.verify_link(b"account:grace_started", &tag));
        assert!(!ServerSecrets::new(&[2u8; 32]).verify_link(b"account:renewal_due", &tag));
    }

    #[test]
    fn the_master_key_is_base64_of_at_least_32_bytes() {
        assert!(ServerSecrets::parse_master(&STANDARD.encode([3u8; 32])).is_ok());
        assert!(ServerSecrets::parse_master(&STANDARD.encode([3u8; 16])).is_err());
        assert!(ServerSecrets::parse_master("not base64!").is_err());
    }
}
