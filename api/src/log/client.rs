//! Checking a Merkle tree log from outside, as `quorum admin verify-log` does: fetch its latest
//! checkpoint, check the log's signature and the witnesses' cosignatures, prove it consistent
//! with the checkpoint kept in a file, and keep the new one.

use std::path::PathBuf;

use base64::{Engine, engine::general_purpose::STANDARD};

use super::{
    note::{Checkpoint, NoteVerifier, parse_verifier_key},
    tree::{Hash, verify_consistency},
};

/// What to check.
pub struct VerifyLog {
    /// The server, such as `https://quorum.example.org`.
    pub url: String,
    /// The checkpoint kept from the last run (a signed note); created on the first.
    pub file: PathBuf,
    /// The log's verifier key; when left out, the one the server publishes at `/log/key`,
    /// which must then also have signed the checkpoint kept in the file.
    pub key: Option<String>,
    /// Verifier keys of witnesses that must have cosigned the checkpoint.
    pub witnesses: Vec<String>,
}

/// The outcome, as a sentence for the operator or member.
pub async fn verify_log(args: &VerifyLog) -> Result<String, String> {
    let base = args.url.trim_end_matches('/');
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| format!("cannot make an HTTP client: {err}"))?;
    let get = |path: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(&path)
                .send()
                .await
                .map_err(|err| format!("cannot fetch {path}: {err}"))?;
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|err| format!("cannot read {path}: {err}"))?;
            if !status.is_success() {
                return Err(format!("{path} answered {status}: {}", body.trim()));
            }
            Ok(body)
        }
    };
    let key_text = match &args.key {
        Some(key) => key.clone(),
        None => get(format!("{base}/log/key")).await?,
    };
    let key = parse_verifier_key(&key_text).map_err(|err| format!("the log's key: {err}"))?;
    let witnesses = args
        .witnesses
        .iter()
        .map(|w| parse_verifier_key(w).map_err(|err| format!("witness key {w}: {err}")))
        .collect::<Result<Vec<NoteVerifier>, _>>()?;
    let text = get(format!("{base}/log/checkpoint")).await?;
    let (new, note) = Checkpoint::open(&text, &key)
        .map_err(|err| format!("the served checkpoint is refused: {err}"))?;
    for witness in &witnesses {
        note.verify(witness).map_err(|_| {
            format!(
                "the checkpoint of size {} is not cosigned by witness {}",
                new.size, witness.name
            )
        })?;
    }
    let kept = match std::fs::read_to_string(&args.file) {
        Ok(kept) => Some(kept),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(format!("cannot read {}: {err}", args.file.display())),
    };
    let outcome = match kept {
        None => format!(
            "no checkpoint was kept in {}: keeping this one (size {}), trusted on first use",
            args.file.display(),
            new.size
        ),
        Some(kept) => {
            let (old, _) = Checkpoint::open(&kept, &key).map_err(|err| {
                format!(
                    "the checkpoint kept in {} does not verify with the log's key: {err}",
                    args.file.display()
                )
            })?;
            if new.size < old.size {
                return Err(format!(
                    "the log shrank from {} to {} entries: it was truncated",
                    old.size, new.size
                ));
            }
            if old.size > 0 {
                let proof = get(format!(
                    "{base}/log/proof/consistency?from={}&to={}",
                    old.size, new.size
                ))
                .await?;
                let hashes = proof_hashes(&proof)?;
                verify_consistency(old.size, new.size, &old.root, &new.root, &hashes).map_err(
                    |err| {
                        format!(
                            "the log of {} entries does not extend the kept one of {}: it was rewritten ({err})",
                            new.size, old.size
                        )
                    },
                )?;
            }
            format!(
                "the log grew from {} to {} entries, consistently",
                old.size, new.size
            )
        }
    };
    let temporary = args.file.with_extension("tmp");
    std::fs::write(&temporary, &text)
        .and_then(|()| std::fs::rename(&temporary, &args.file))
        .map_err(|err| format!("cannot write {}: {err}", args.file.display()))?;
    let witnessed = if witnesses.is_empty() {
        String::new()
    } else {
        format!(", cosigned by {} witnesses", witnesses.len())
    };
    Ok(format!("{outcome}; signed by {}{witnessed}", key.name))
}

/// The base64 hashes of a proof answered by `/log/proof/…`.
pub fn proof_hashes(body: &str) -> Result<Vec<Hash>, String> {
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|err| format!("a proof is not JSON: {err}"))?;
    json["hashes"]
        .as_array()
        .ok_or("a proof has no hashes")?
        .iter()
        .map(|h| {
            h.as_str()
                .and_then(|h| STANDARD.decode(h).ok())
                .and_then(|h| Hash::try_from(h).ok())
                .ok_or_else(|| "a proof's hash is not base64 SHA-256".to_owned())
        })
        .collect()
}
