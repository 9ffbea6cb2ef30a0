//! The Ed25519 key that signs access tokens, and its public half published as a JWKS.

use std::path::{Path, PathBuf};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{
    SigningKey,
    pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding},
};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The keys for signing and verifying access tokens.
pub struct SigningKeys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The key id, carried in each token's header.
    pub kid: String,
    /// The public key, base64url, as JWKS `x`.
    public_x: String,
    /// The key itself, for signing what is not a token (audit checkpoints).
    signer: SigningKey,
}

/// Why the signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key file {0} does not exist; production needs a persistent key")]
    Missing(PathBuf),
    #[error("cannot read or write the signing key file {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("the signing key file {0} is not an Ed25519 PKCS#8 PEM key")]
    Invalid(PathBuf),
}

impl SigningKeys {
    /// Loads the configured key. In development a missing key is created and kept, beside the
    /// SQLite database by default, so tokens survive restarts.
    pub fn load_or_create(config: &Config) -> Result<Self, KeyError> {
        let path = config
            .signing_key_file
            .clone()
            .unwrap_or_else(|| default_key_path(&config.database_url));
        if path.exists() {
            let pem =
                std::fs::read_to_string(&path).map_err(|err| KeyError::Io(path.clone(), err))?;
            let key =
                SigningKey::from_pkcs8_pem(&pem).map_err(|_| KeyError::Invalid(path.clone()))?;
            return Self::from_signing_key(&key).ok_or(KeyError::Invalid(path));
        }
        if config.is_production() {
            return Err(KeyError::Missing(path));
        }
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Invalid(path.clone()))?;
        write_private(&path, pem.as_bytes()).map_err(|err| KeyError::Io(path.clone(), err))?;
        tracing::info!(path = %path.display(), "created a development signing key");
        Self::from_signing_key(&key).ok_or(KeyError::Invalid(path))
    }

    fn from_signing_key(key: &SigningKey) -> Option<Self> {
        let der = key.to_pkcs8_der().ok()?;
        let public = key.verifying_key().to_bytes();
        let public_x = URL_SAFE_NO_PAD.encode(public);
        Some(Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding: DecodingKey::from_ed_components(&public_x).ok()?,
            kid: hex::encode(&Sha256::digest(public)[..8]),
            public_x,
            signer: key.clone(),
        })
    }

    /// The private key's 32 bytes: the master key of [`super::sealing::ServerSecrets`] when
    /// `QUORUM_SECRET_KEY` is unset (HKDF separates what is derived from it).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signer.to_bytes()
    }

    /// Signs `message` with Ed25519; the signature in base64url.
    pub fn sign(&self, message: &[u8]) -> String {
        use ed25519_dalek::Signer;
        URL_SAFE_NO_PAD.encode(self.signer.sign(message).to_bytes())
    }

    /// Signs `message` with Ed25519; the signature's 64 bytes (for signed notes).
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.signer.sign(message).to_bytes()
    }

    /// The public key's 32 bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.signer.verifying_key().to_bytes()
    }

    /// Whether `signature` (base64url) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        use ed25519_dalek::Verifier;
        URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok())
            .is_some_and(|signature| {
                self.signer
                    .verifying_key()
                    .verify(message, &signature)
                    .is_ok()
            })
    }

    /// The JSON Web Key Set that verifiers fetch from `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": self.kid,
                "x": self.public_x,
            }]
        })
    }
}

/// Beside a SQLite file (`quorum.db` → `quorum.signing-key.pem`), else in the working directory.
fn default_key_path(database_url: &str) -> PathBuf {
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|file| !file.is_empty() && !file.contains(":memory:"));
    match sqlite_file {
        Some(file) => Path::new(file).with_extension("signing-key.pem"),
        None => PathBuf::from("quorum.signing-key.pem"),
    }
}

/// Writes a secret file readable by its owner only.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_sits_beside_the_sqlite_file() {
        assert_eq!(
            default_key_path("sqlite://data/quorum.db?mode=rwc"),
            PathBuf::from("data/quorum.signing-key.pem")
        );
        assert_eq!(
            default_key_path("postgres://localhost/quorum"),
            PathBuf::from("quorum.signing-key.pem")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("quorum.signing-key.pem");
        write_private(&path, b"secret").expect("written");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn git_ignores_the_development_key() {
        let ignore = include_str!("../../../.gitignore");
        assert!(ignore.lines().any(|line| line == "*.signing-key.pem"));
    }
}
