//! Random secrets and their hashes: what refresh and API tokens are made of.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: 256 random bits, URL-safe, after `prefix`.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a secret, in hex: what the database keeps instead of the secret. Secrets are
/// long and random, so a fast hash is enough; passwords use Argon2id instead.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether two secrets are equal, without a timing leak about the secret: their hashes are
/// compared instead, and the time a comparison of hashes takes tells a guesser where two hashes
/// differ, which says nothing about the secret behind one of them.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    Sha256::digest(a) == Sha256::digest(b)
}
