//! C2SP signed notes (<https://c2sp.org/signed-note>) carrying C2SP checkpoints
//! (<https://c2sp.org/tlog-checkpoint>), with no state: formatting, parsing, key ids, verifier keys
//! and the Ed25519 check.
//!
//! A checkpoint is the note text `<origin>\n<size>\n<base64 root>\n`; the signed note adds a blank
//! line and one line per signature, `— <key name> <base64(key id ‖ signature)>`. The key id of an
//! Ed25519 key is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key); its verifier key,
//! what a member configures, is `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.

use base64::{Engine, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::tree::Hash;

/// The signature type of Ed25519 in signed notes.
pub const ED25519: u8 = 0x01;

/// The signature type of a witness's Ed25519 cosignature (C2SP tlog-cosignature,
/// `cosignature/v1`): the signature covers a timestamp and the checkpoint.
pub const COSIGNATURE: u8 = 0x04;

/// The key id of an Ed25519 key named `name`.
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    typed_key_id(name, ED25519, public)
}

/// The key id of a key of signature type `alg`: SHA-256(name ‖ 0x0A ‖ alg ‖ key)[..4].
pub fn typed_key_id(name: &str, alg: u8, public: &[u8; 32]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0x0A, alg]);
    hasher.update(public);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key of an Ed25519 key: `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
pub fn verifier_key(name: &str, public: &[u8; 32]) -> String {
    typed_verifier_key(name, ED25519, public)
}

/// The verifier key of a key of signature type `alg` (a witness's: [`COSIGNATURE`]).
pub fn typed_verifier_key(name: &str, alg: u8, public: &[u8; 32]) -> String {
    let mut typed = vec![alg];
    typed.extend_from_slice(public);
    format!(
        "{name}+{}+{}",
        hex::encode(typed_key_id(name, alg, public)),
        STANDARD.encode(typed)
    )
}

/// The message a witness signs for a cosignature of `text` at `time` (seconds since the epoch).
pub fn cosigned_message(text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{text}")
}

/// A verifier key, parsed: whose signatures a note is checked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    /// [`ED25519`] for a log's key, [`COSIGNATURE`] for a witness's.
    pub alg: u8,
    pub key_id: [u8; 4],
    pub public: [u8; 32],
}

/// Why a note or key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the verifier key is malformed")]
    BadKey,
    #[error("the verifier key's id does not match its name and key")]
    KeyIdMismatch,
    #[error("the note is malformed: {0}")]
    Malformed(&'static str),
    #[error("the note carries no valid signature by {0}")]
    Unsigned(String),
    #[error("the checkpoint is malformed: {0}")]
    BadCheckpoint(&'static str),
    #[error("the checkpoint's origin is {found}, not {expected}")]
    WrongOrigin { found: String, expected: String },
}

/// Parses `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
pub fn parse_verifier_key(text: &str) -> Result<NoteVerifier, NoteError> {
    let (name, id, alg, public) = split_key(text.trim())?;
    if typed_key_id(name, alg, &public) != id {
        return Err(NoteError::KeyIdMismatch);
    }
    Ok(NoteVerifier {
        name: name.to_owned(),
        alg,
        key_id: id,
        public,
    })
}

/// A key's name, key id, signature type and 32 key bytes.
type KeyParts<'a> = (&'a str, [u8; 4], u8, [u8; 32]);

/// `<name>+<hex key id>+<base64(type ‖ 32 bytes)>`, split and decoded, the key id unchecked:
/// what verifier keys and signer keys (after `PRIVATE+KEY+`) share.
fn split_key(text: &str) -> Result<KeyParts<'_>, NoteError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadKey);
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return Err(NoteError::BadKey);
    }
    let id: [u8; 4] = hex::decode(id)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(NoteError::BadKey)?;
    let key = STANDARD.decode(key).map_err(|_| NoteError::BadKey)?;
    let [alg @ (ED25519 | COSIGNATURE), bytes @ ..] = key.as_slice() else {
        return Err(NoteError::BadKey);
    };
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| NoteError::BadKey)?;
    Ok((name, id, *alg, bytes))
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    /// The signature bytes after the key id.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, `— <name> <base64(key id ‖ signature)>\n`.
    pub fn line(&self) -> String {
        let mut bytes = self.key_id.to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("\u{2014} {} {}\n", self.name, STANDARD.encode(bytes))
    }
}

/// A note split into its text (with its final newline) and its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// Splits a signed note.
    pub fn parse(note: &str) -> Result<Self, NoteError> {
        let Some(split) = note.rfind("\n\n") else {
            return Err(NoteError::Malformed("no blank line before the signatures"));
        };
        let text = &note[..=split];
        let signatures = &note[split + 2..];
        if !signatures.ends_with('\n') {
            return Err(NoteError::Malformed(
                "the signatures do not end with a newline",
            ));
        }
        let signatures = signatures
            .lines()
            .map(|line| {
                let rest = line.strip_prefix("\u{2014} ").ok_or(NoteError::Malformed(
                    "a signature line does not start with —",
                ))?;
                let (name, sig) = rest
                    .split_once(' ')
                    .ok_or(NoteError::Malformed("a signature line has no signature"))?;
                let bytes = STANDARD
                    .decode(sig)
                    .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
                if bytes.len() < 5 {
                    return Err(NoteError::Malformed("a signature is too short"));
                }
                Ok(NoteSignature {
                    name: name.to_owned(),
                    key_id: [bytes[0], bytes[1], bytes[2], bytes[3]],
                    signature: bytes[4..].to_vec(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if signatures.is_empty() {
            return Err(NoteError::Malformed("no signature lines"));
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note as text: its text, a blank line, its signature lines.
    pub fn render(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.line());
        }
        out
    }

    /// Whether the note carries a valid signature by `verifier`: an Ed25519 signature of the
    /// text, or a witness's cosignature (a timestamp and an Ed25519 signature of
    /// [`cosigned_message`]). A cosignature's time is returned.
    pub fn verify(&self, verifier: &NoteVerifier) -> Result<Option<u64>, NoteError> {
        let key = VerifyingKey::from_bytes(&verifier.public).map_err(|_| NoteError::BadKey)?;
        self.signatures
            .iter()
            .filter(|sig| sig.name == verifier.name && sig.key_id == verifier.key_id)
            .find_map(|sig| self.check(sig, verifier, &key))
            .ok_or_else(|| NoteError::Unsigned(verifier.name.clone()))
    }

    /// As [`Note::verify`], and strictly as a witness must (C2SP signed-note and tlog-witness):
    /// every signature line whose name and key id are `verifier`'s must verify, not only one.
    pub fn verify_every(&self, verifier: &NoteVerifier) -> Result<Option<u64>, NoteError> {
        let key = VerifyingKey::from_bytes(&verifier.public).map_err(|_| NoteError::BadKey)?;
        let mut verified = None;
        for sig in &self.signatures {
            if sig.name != verifier.name || sig.key_id != verifier.key_id {
                continue;
            }
            verified = Some(
                self.check(sig, verifier, &key)
                    .ok_or_else(|| NoteError::Unsigned(verifier.name.clone()))?,
            );
        }
        verified.ok_or_else(|| NoteError::Unsigned(verifier.name.clone()))
    }

    /// `Some` (with a cosignature's time) when `sig` is a valid signature of the text by `key`.
    fn check(
        &self,
        sig: &NoteSignature,
        verifier: &NoteVerifier,
        key: &VerifyingKey,
    ) -> Option<Option<u64>> {
        if verifier.alg == COSIGNATURE {
            let (time, signature) = sig.signature.split_first_chunk::<8>()?;
            let time = u64::from_be_bytes(*time);
            let message = cosigned_message(&self.text, time);
            Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(message.as_bytes(), &s).is_ok())
                .then_some(Some(time))
        } else {
            Signature::from_slice(&sig.signature)
                .is_ok_and(|s| key.verify(self.text.as_bytes(), &s).is_ok())
                .then_some(None)
        }
    }
}

/// A witness's cosignature of the note text `text` at `time` (seconds since the epoch) by the
/// Ed25519 key `key` named `name`: C2SP tlog-cosignature's `cosignature/v1`, whose signature
/// bytes are the big-endian time then the Ed25519 signature of [`cosigned_message`].
pub fn cosign(text: &str, name: &str, key: &SigningKey, time: u64) -> NoteSignature {
    let public = key.verifying_key().to_bytes();
    let mut signature = time.to_be_bytes().to_vec();
    signature.extend_from_slice(&key.sign(cosigned_message(text, time).as_bytes()).to_bytes());
    NoteSignature {
        name: name.to_owned(),
        key_id: typed_key_id(name, COSIGNATURE, &public),
        signature,
    }
}

/// The private key file of a note signer, as Go's `golang.org/x/mod/sumdb/note` writes it:
/// `PRIVATE+KEY+<name>+<hex key id>+<base64(signature type ‖ 32-byte Ed25519 seed)>`. The type
/// is [`ED25519`] (as `note.GenerateKey` makes, and transparency-dev's witness reads) or
/// [`COSIGNATURE`]; the key id is computed with that type.
pub fn signer_key(name: &str, alg: u8, key: &SigningKey) -> String {
    let public = key.verifying_key().to_bytes();
    let mut typed = vec![alg];
    typed.extend_from_slice(&key.to_bytes());
    format!(
        "PRIVATE+KEY+{name}+{}+{}",
        hex::encode(typed_key_id(name, alg, &public)),
        STANDARD.encode(typed)
    )
}

/// Reads a [`signer_key`]: the key's name and its Ed25519 key.
pub fn parse_signer_key(text: &str) -> Result<(String, SigningKey), NoteError> {
    let rest = text
        .trim()
        .strip_prefix("PRIVATE+KEY+")
        .ok_or(NoteError::BadKey)?;
    let (name, id, alg, seed) = split_key(rest)?;
    let key = SigningKey::from_bytes(&seed);
    if typed_key_id(name, alg, &key.verifying_key().to_bytes()) != id {
        return Err(NoteError::KeyIdMismatch);
    }
    Ok((name.to_owned(), key))
}

/// A C2SP checkpoint: the log's origin, its size and its root hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: `<origin>\n<size>\n<base64 root>\n`.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint from a note's text (extension lines after the root are allowed).
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut lines = text.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::BadCheckpoint("no origin line"))?;
        let size = lines
            .next()
            .filter(|s| !s.starts_with('0') || *s == "0")
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(NoteError::BadCheckpoint("the size is not a decimal number"))?;
        let root: Hash = lines
            .next()
            .and_then(|r| STANDARD.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or(NoteError::BadCheckpoint(
                "the root is not a base64 SHA-256 hash",
            ))?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Verifies a signed checkpoint note by `verifier`, whose name must be the origin.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<(Self, Note), NoteError> {
        let note = Note::parse(note)?;
        note.verify(verifier)?;
        let checkpoint = Self::parse(&note.text)?;
        if checkpoint.origin != verifier.name {
            return Err(NoteError::WrongOrigin {
                found: checkpoint.origin,
                expected: verifier.name.clone(),
            });
        }
        Ok((checkpoint, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ed25519 example of the C2SP signed-note specification (and Go's `note` package):
    /// key `PeterNeumann`, its verifier key and a signed note.
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const NOTE: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn the_published_example_verifies() {
        let verifier = parse_verifier_key(VKEY).expect("a verifier key");
        assert_eq!(verifier_key(&verifier.name, &verifier.public), VKEY);
        let note = Note::parse(NOTE).expect("a note");
        note.verify(&verifier).expect("the signature verifies");
        assert_eq!(note.render(), NOTE);
        let mut forged = note.clone();
        forged.text = forged.text.replace("cryptography", "a blockchain");
        assert!(forged.verify(&verifier).is_err());
    }

    /// The witness keys of transparency-dev/formats' tests (`note_cosigv1_test.go`): a native
    /// cosignature verifier key (type 0x04) and a plain Ed25519 one.
    #[test]
    fn published_cosignature_verifier_keys_parse() {
        let native = parse_verifier_key(
            "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        )
        .expect("a cosignature key");
        assert_eq!(native.alg, COSIGNATURE);
        let plain =
            parse_verifier_key("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
                .expect("an Ed25519 key");
        assert_eq!(plain.alg, ED25519);
        assert!(parse_verifier_key("rekor.sigstore.dev+12345678+AwEB").is_err());
    }

    #[test]
    fn cosignatures_verify_with_the_typed_key_only() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let public = key.verifying_key().to_bytes();
        let text = "example.org/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let note = Note {
            text: text.to_owned(),
            signatures: vec![cosign(text, "w.example/1", &key, 1_700_000_000)],
        };
        let witness = parse_verifier_key(&typed_verifier_key("w.example/1", COSIGNATURE, &public))
            .expect("a key");
        assert_eq!(note.verify(&witness), Ok(Some(1_700_000_000)));
        assert_eq!(note.verify_every(&witness), Ok(Some(1_700_000_000)));
        // The same key as a plain note signer names another key id: no signature of it.
        let plain = parse_verifier_key(&verifier_key("w.example/1", &public)).expect("a key");
        assert!(note.verify(&plain).is_err());
        // A second line with the witness's name and id that does not verify spoils the note
        // for a strict reader, though one valid line remains.
        let mut spoiled = note.clone();
        let mut bad = spoiled.signatures[0].clone();
        bad.signature[10] ^= 1;
        spoiled.signatures.push(bad);
        assert!(spoiled.verify(&witness).is_ok());
        assert!(spoiled.verify_every(&witness).is_err());
    }

    #[test]
    fn signer_keys_round_trip() {
        let key = SigningKey::from_bytes(&[3; 32]);
        for alg in [ED25519, COSIGNATURE] {
            let text = signer_key("w.example/1", alg, &key);
            let (name, read) = parse_signer_key(&text).expect("a signer key");
            assert_eq!(name, "w.example/1");
            assert_eq!(read.to_bytes(), key.to_bytes());
        }
        let renamed = signer_key("w.example/1", ED25519, &key).replace("/1", "/2");
        assert!(matches!(
            parse_signer_key(&renamed),
            Err(NoteError::KeyIdMismatch)
        ));
    }

    #[test]
    fn checkpoints_round_trip() {
        let checkpoint = Checkpoint {
            origin: "example.org/audit".into(),
            size: 12,
            root: [7; 32],
        };
        assert_eq!(Checkpoint::parse(&checkpoint.text()), Ok(checkpoint));
        assert!(Checkpoint::parse("o\n012\nAAAA\n").is_err());
    }
}
