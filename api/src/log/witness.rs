//! A witness of Merkle tree logs, per C2SP tlog-witness (<https://c2sp.org/tlog-witness>): what
//! `quorum witness serve` runs, typically at a Mirror member.
//!
//! For each log it is configured with (an origin and the log's verifier key) it keeps the last
//! checkpoint it cosigned, in a state file written atomically before it answers. A log sends
//! `POST /add-checkpoint` with `old <size>`, a consistency proof from that size, a blank line
//! and its new signed checkpoint. The witness cosigns (C2SP tlog-cosignature, `cosignature/v1`,
//! Ed25519) only a checkpoint signed by the log's key that extends the one it cosigned last, so
//! a truncated or rewritten log, or a second history of the same size (a split view), is
//! refused by every witness. The answers are the specification's:
//!
//! | status | when |
//! | --- | --- |
//! | 200 | cosigned: the body is the cosignature line |
//! | 400 | the body is malformed, or `old` is larger than the checkpoint's size |
//! | 403 | no valid signature by the log's key (or one by its key that does not verify) |
//! | 404 | the checkpoint's origin is not a log this witness follows |
//! | 409 | `old` is not the size it cosigned last: the body (`text/x.tlog.size`) is that size |
//! | 422 | the proof does not verify, or the same size with another root |
//!
//! `GET /<hex SHA-256 of origin>/checkpoint` answers the last checkpoint it cosigned for a log,
//! with the log's signature and its own cosignature, for monitors.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::{
    note::{
        COSIGNATURE, Checkpoint, Note, NoteError, NoteVerifier, cosign, parse_signer_key,
        parse_verifier_key, signer_key, typed_verifier_key,
    },
    tree::{Hash, empty_root, verify_consistency},
};

/// At most this many consistency proof lines, as the specification bounds them.
const MAX_PROOF: usize = 63;

/// A new witness key named `name`: the private key file's text (Go's note signer format) and
/// the verifier key the witness's operator gives to the log's operator and to members.
pub fn keygen(name: &str) -> Result<(String, String), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::BadKey);
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    Ok((
        signer_key(name, super::note::ED25519, &key),
        typed_verifier_key(name, COSIGNATURE, &key.verifying_key().to_bytes()),
    ))
}

/// The last checkpoint cosigned for one log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Cosigned {
    size: u64,
    /// The root hash, base64.
    root: String,
    /// The signed note, with the log's signature and the cosignature, for monitors.
    note: String,
}

/// The state file: per log origin, the last checkpoint cosigned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct State {
    logs: BTreeMap<String, Cosigned>,
}

/// Why a witness could not start.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0} is not a note signer key (PRIVATE+KEY+…): {1}")]
    Key(PathBuf, NoteError),
    #[error("the log {0}: {1}")]
    Log(String, String),
    #[error("the state file {0} is damaged: {1}")]
    State(PathBuf, serde_json::Error),
}

/// An answer to a request, as the HTTP layer sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    fn text(status: u16, body: impl Into<String>) -> Self {
        let mut body = body.into();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }
}

/// A witness: its key, the logs it follows and their state.
pub struct Witness {
    name: String,
    key: SigningKey,
    logs: BTreeMap<String, NoteVerifier>,
    state_file: PathBuf,
    /// Held from reading the last size to writing the new one, so that two requests cannot
    /// both extend the same checkpoint and roll one another back (the race the spec describes).
    state: Mutex<State>,
}

impl Witness {
    /// A witness with the key in `key_file`, following `logs` (origin, the log's verifier key),
    /// keeping its state in `state_file` (created on the first cosignature).
    pub fn open(
        key_file: &Path,
        logs: &[(String, String)],
        state_file: PathBuf,
    ) -> Result<Self, WitnessError> {
        let text = std::fs::read_to_string(key_file)
            .map_err(|err| WitnessError::Read(key_file.to_owned(), err))?;
        let (name, key) =
            parse_signer_key(&text).map_err(|err| WitnessError::Key(key_file.to_owned(), err))?;
        let mut verifiers = BTreeMap::new();
        for (origin, vkey) in logs {
            let verifier = parse_verifier_key(vkey)
                .map_err(|err| WitnessError::Log(origin.clone(), err.to_string()))?;
            if verifier.name != *origin {
                return Err(WitnessError::Log(
                    origin.clone(),
                    format!("its key is named {}, not its origin", verifier.name),
                ));
            }
            if verifier.alg == COSIGNATURE {
                return Err(WitnessError::Log(
                    origin.clone(),
                    "its key is a witness's (type 0x04), not a log's".to_owned(),
                ));
            }
            verifiers.insert(origin.clone(), verifier);
        }
        let state = match std::fs::read_to_string(&state_file) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|err| WitnessError::State(state_file.clone(), err))?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(err) => return Err(WitnessError::Read(state_file, err)),
        };
        Ok(Self {
            name,
            key,
            logs: verifiers,
            state_file,
            state: Mutex::new(state),
        })
    }

    /// The witness's name, the name of its cosignatures.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key of its cosignatures (type 0x04), what logs and members configure.
    pub fn verifier_key(&self) -> String {
        typed_verifier_key(
            &self.name,
            COSIGNATURE,
            &self.key.verifying_key().to_bytes(),
        )
    }

    /// `POST /add-checkpoint` with `body`, cosigning at `now` (seconds since the epoch).
    pub async fn add_checkpoint(&self, body: &str, now: u64) -> Answer {
        let request = match Request::parse(body) {
            Ok(request) => request,
            Err(why) => return Answer::text(400, why),
        };
        let note = match Note::parse(request.note) {
            Ok(note) => note,
            Err(err) => return Answer::text(400, err.to_string()),
        };
        let checkpoint = match Checkpoint::parse(&note.text) {
            Ok(checkpoint) => checkpoint,
            Err(err) => return Answer::text(400, err.to_string()),
        };
        let Some(verifier) = self.logs.get(&checkpoint.origin) else {
            return Answer::text(404, "this witness does not follow that log");
        };
        if let Err(err) = note.verify_every(verifier) {
            return Answer::text(403, err.to_string());
        }
        if request.old > checkpoint.size {
            return Answer::text(400, "the old size is larger than the checkpoint's");
        }
        if checkpoint.size == 0 && checkpoint.root != empty_root() {
            return Answer::text(422, "an empty tree with another root than the empty one");
        }
        let mut state = self.state.lock().await;
        let last = state.logs.get(&checkpoint.origin);
        let known = last.map_or(0, |last| last.size);
        if request.old != known {
            tracing::info!(origin = %checkpoint.origin, old = request.old, known, "a log sent another old size");
            return Answer {
                status: 409,
                content_type: "text/x.tlog.size",
                body: format!("{known}\n"),
            };
        }
        if let Err(why) = consistent(last, &request.proof, &checkpoint) {
            // The log signed it: keep the evidence in the witness's log.
            tracing::warn!(
                origin = %checkpoint.origin,
                old = request.old,
                size = checkpoint.size,
                checkpoint = %request.note,
                "refused a checkpoint not consistent with the last one cosigned: {why}"
            );
            return Answer::text(422, why);
        }
        let line = cosign(&note.text, &self.name, &self.key, now.max(1));
        let mut kept = note.clone();
        kept.signatures
            .retain(|sig| sig.name == verifier.name && sig.key_id == verifier.key_id);
        kept.signatures.push(line.clone());
        let mut next = state.clone();
        next.logs.insert(
            checkpoint.origin.clone(),
            Cosigned {
                size: checkpoint.size,
                root: STANDARD.encode(checkpoint.root),
                note: kept.render(),
            },
        );
        if let Err(err) = write_atomically(&self.state_file, &next) {
            tracing::error!(error = %err, file = %self.state_file.display(), "cannot write the witness's state");
            return Answer::text(500, "the witness cannot keep its state");
        }
        *state = next;
        tracing::info!(origin = %checkpoint.origin, old = request.old, size = checkpoint.size, "cosigned");
        Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: line.line(),
        }
    }

    /// `GET /<hex SHA-256 of origin>/checkpoint`: the last checkpoint cosigned for that log.
    pub async fn checkpoint(&self, origin_hash: &str) -> Answer {
        let state = self.state.lock().await;
        state
            .logs
            .iter()
            .find(|(origin, _)| hex::encode(Sha256::digest(origin.as_bytes())) == origin_hash)
            .map_or_else(
                || Answer::text(404, "this witness has cosigned no checkpoint of that log"),
                |(_, cosigned)| Answer::text(200, cosigned.note.clone()),
            )
    }
}

/// Whether `checkpoint` extends `last` by `proof` (any tree extends the empty one).
fn consistent(
    last: Option<&Cosigned>,
    proof: &[Hash],
    checkpoint: &Checkpoint,
) -> Result<(), &'static str> {
    let Some(last) = last.filter(|last| last.size > 0) else {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err("a proof from the empty tree must be empty")
        };
    };
    let root: Hash = STANDARD
        .decode(&last.root)
        .ok()
        .and_then(|root| root.try_into().ok())
        .ok_or("the witness's state is damaged")?;
    if last.size == checkpoint.size {
        return if root == checkpoint.root {
            Ok(())
        } else {
            Err("another root for a size already cosigned: a split view")
        };
    }
    verify_consistency(last.size, checkpoint.size, &root, &checkpoint.root, proof)
        .map_err(|_| "the consistency proof does not verify: the log was rewritten")
}

/// Writes the state to a temporary file, flushes it to disk and renames it over the state
/// file, so that a crash leaves the old state or the new one, never half of one.
fn write_atomically(path: &Path, state: &State) -> std::io::Result<()> {
    use std::io::Write;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(serde_json::to_string_pretty(state)?.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// An `add-checkpoint` request body, parsed.
#[derive(Debug)]
struct Request<'a> {
    old: u64,
    proof: Vec<Hash>,
    note: &'a str,
}

impl<'a> Request<'a> {
    fn parse(body: &'a str) -> Result<Self, &'static str> {
        let (head, note) = body
            .split_once("\n\n")
            .ok_or("no blank line before the checkpoint")?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|line| line.strip_prefix("old "))
            .filter(|n| !n.starts_with('0') || *n == "0")
            .and_then(|n| n.parse().ok())
            .ok_or("the first line must be `old <size>`")?;
        let proof = lines
            .map(|line| {
                STANDARD
                    .decode(line)
                    .ok()
                    .and_then(|hash| Hash::try_from(hash).ok())
                    .ok_or("a proof line is not a base64 SHA-256 hash")
            })
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > MAX_PROOF {
            return Err("more than 63 proof lines");
        }
        Ok(Self { old, proof, note })
    }
}

#[cfg(test)]
mod tests;
