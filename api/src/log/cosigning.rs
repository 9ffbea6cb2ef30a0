//! The server's side of witnessing (C2SP tlog-witness): every replica sends the latest signed
//! checkpoint, with a consistency proof, to each witness of `QUORUM_LOG_WITNESSES` that has not
//! cosigned it yet, and stores the cosignature lines it gets back; `GET /log/checkpoint` and
//! `auditCheckpoint` serve them after the log's own signature.
//!
//! - The size each witness last cosigned is kept in `log_witness_sizes`, so any replica proves
//!   from there. A witness that knows another size answers 409 with it; the proof is made again
//!   from that size.
//! - A witness that refuses (a truncated or rewritten log, a second history of one size) or
//!   cannot be reached costs the sealer nothing: it is tried again with a backoff that doubles
//!   up to a minute (a new checkpoint at once), and counted in
//!   `quorum_log_witness_requests_total`.
//! - Two replicas may send the same checkpoint at once; the later gets 409 and sends it again
//!   from the size the witness now holds, which cosigns the same tree again. Harmless.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{SubsecRound, Utc};
use entity::{
    log_checkpoint, log_cosignature, log_witness_size,
    prelude::{LogCosignature, LogWitnessSize},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::OnConflict,
};

use super::{
    note::{Note, NoteVerifier, parse_verifier_key},
    store,
};
use crate::{
    config::LogWitness,
    error::{ApiError, ApiResult},
    metrics::Metrics,
};

/// The longest pause between two tries of a witness that refuses or cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How long one request to a witness may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A configured witness.
#[derive(Clone, Debug)]
pub struct Witness {
    /// Its verifier key as configured: the key of its rows.
    pub key: String,
    verifier: NoteVerifier,
    url: String,
}

impl Witness {
    /// The witnesses of `QUORUM_LOG_WITNESSES` (whose keys the configuration checked).
    pub fn configured(witnesses: &[LogWitness]) -> Vec<Self> {
        witnesses
            .iter()
            .filter_map(|witness| {
                Some(Self {
                    key: witness.verifier_key.clone(),
                    verifier: parse_verifier_key(&witness.verifier_key).ok()?,
                    url: witness.url.clone(),
                })
            })
            .collect()
    }

    /// Its name, in its cosignature lines and the metrics.
    pub fn name(&self) -> &str {
        &self.verifier.name
    }
}

/// A checkpoint as served: the log's signed note with the stored cosignature lines after it.
#[derive(Clone, Debug)]
pub struct Served {
    pub row: log_checkpoint::Model,
    /// The note, with every stored cosignature line.
    pub note: String,
    /// The verifier keys of the witnesses whose lines it carries.
    pub witnesses: Vec<String>,
}

impl Served {
    /// How many of `configured` (verifier keys) cosigned it.
    pub fn cosigned_by(&self, configured: &[LogWitness]) -> usize {
        configured
            .iter()
            .filter(|witness| self.witnesses.contains(&witness.verifier_key))
            .count()
    }
}

/// `row` with its cosignatures.
pub async fn served(db: &impl ConnectionTrait, row: log_checkpoint::Model) -> ApiResult<Served> {
    let lines = LogCosignature::find()
        .filter(log_cosignature::Column::Size.eq(row.size))
        .order_by_asc(log_cosignature::Column::Witness)
        .all(db)
        .await?;
    let mut note = row.note.clone();
    let mut witnesses = Vec::with_capacity(lines.len());
    for line in lines {
        note.push_str(&line.line);
        witnesses.push(line.witness);
    }
    Ok(Served {
        row,
        note,
        witnesses,
    })
}

/// The latest signed checkpoint, with its cosignatures.
pub async fn latest(db: &impl ConnectionTrait) -> ApiResult<Option<Served>> {
    match store::latest(db).await? {
        Some(row) => Ok(Some(served(db, row).await?)),
        None => Ok(None),
    }
}

/// Why a witness did not cosign.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the witness refused the checkpoint of size {size} with {status}: {body}")]
    Refused {
        size: u64,
        status: u16,
        body: String,
    },
    #[error("the witness cannot be reached: {0}")]
    Unreachable(String),
    #[error("{0}")]
    Failed(String),
}

impl PushError {
    /// The metric's outcome label.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Refused { .. } => "refused",
            Self::Unreachable(_) => "unreachable",
            Self::Failed(_) => "failed",
        }
    }
}

impl From<ApiError> for PushError {
    fn from(err: ApiError) -> Self {
        Self::Failed(err.to_string())
    }
}

impl From<sea_orm::DbErr> for PushError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Failed(err.to_string())
    }
}

/// The size `witness` last cosigned, as far as the server knows (0 when never).
async fn known_size(db: &impl ConnectionTrait, witness: &Witness) -> ApiResult<u64> {
    let row = LogWitnessSize::find_by_id(witness.key.clone())
        .one(db)
        .await?;
    Ok(row.map_or(0, |row| u64::try_from(row.size).unwrap_or(0)))
}

async fn remember_size(db: &impl ConnectionTrait, witness: &Witness, size: u64) -> ApiResult<()> {
    LogWitnessSize::insert(log_witness_size::ActiveModel {
        witness: Set(witness.key.clone()),
        size: Set(to_i64(size)?),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
    })
    .on_conflict(
        OnConflict::column(log_witness_size::Column::Witness)
            .update_columns([
                log_witness_size::Column::Size,
                log_witness_size::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

fn to_i64(n: u64) -> ApiResult<i64> {
    i64::try_from(n).map_err(|_| ApiError::internal("a tree size past i64"))
}

/// Sends `row` to `witness` with a proof from the size it last cosigned, and stores the
/// cosignature. A 409 moves the known size to the witness's and tries again (twice at most).
pub async fn push(
    db: &impl ConnectionTrait,
    client: &reqwest::Client,
    witness: &Witness,
    row: &log_checkpoint::Model,
) -> Result<(), PushError> {
    let size = u64::try_from(row.size).map_err(|_| PushError::Failed("a negative size".into()))?;
    let mut old = known_size(db, witness).await?;
    for _ in 0..3 {
        // A proof exists only from a smaller tree. From a larger one (the log shrank), the
        // checkpoint goes without one, and the witness refuses it (400).
        let proof = if old == 0 || old >= size {
            Vec::new()
        } else {
            store::consistency(db, old, size).await?
        };
        let mut body = format!("old {old}\n");
        for hash in &proof {
            body.push_str(&STANDARD.encode(hash));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&row.note);
        let response = client
            .post(format!("{}/add-checkpoint", witness.url))
            .body(body)
            .send()
            .await
            .map_err(|err| PushError::Unreachable(err.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|err| PushError::Unreachable(err.to_string()))?;
        match status {
            200 => {
                let line = cosignature(&row.note, &text, witness).ok_or_else(|| {
                    PushError::Failed(format!(
                        "the witness answered no valid cosignature: {}",
                        text.trim()
                    ))
                })?;
                LogCosignature::insert(log_cosignature::ActiveModel {
                    size: Set(row.size),
                    witness: Set(witness.key.clone()),
                    line: Set(line),
                    cosigned_at: Set(Utc::now().trunc_subsecs(6)),
                })
                .on_conflict_do_nothing_on([
                    log_cosignature::Column::Size,
                    log_cosignature::Column::Witness,
                ])
                .exec(db)
                .await?;
                remember_size(db, witness, size).await?;
                return Ok(());
            }
            409 => {
                let theirs: u64 = text.trim().parse().map_err(|_| {
                    PushError::Failed(format!("a 409 without a size: {}", text.trim()))
                })?;
                remember_size(db, witness, theirs).await?;
                if theirs == old {
                    break;
                }
                old = theirs;
            }
            _ => {
                return Err(PushError::Refused {
                    size,
                    status,
                    body: text.trim().to_owned(),
                });
            }
        }
    }
    Err(PushError::Failed(
        "the witness kept answering 409 Conflict".to_owned(),
    ))
}

/// The line of `answer` that is a valid cosignature of `note` by `witness`, with its newline.
fn cosignature(note: &str, answer: &str, witness: &Witness) -> Option<String> {
    let both = Note::parse(&format!("{note}{answer}")).ok()?;
    both.signatures
        .iter()
        .filter(|sig| sig.name == witness.verifier.name && sig.key_id == witness.verifier.key_id)
        .find(|sig| {
            Note {
                text: both.text.clone(),
                signatures: vec![(*sig).clone()],
            }
            .verify(&witness.verifier)
            .is_ok()
        })
        .map(|sig| sig.line())
}

/// Sends each new checkpoint to `witnesses` every `interval`, until the task is aborted.
pub async fn run(
    db: DatabaseConnection,
    witnesses: Vec<Witness>,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "cannot make an HTTP client for the witnesses");
            return;
        }
    };
    // Per witness: the checkpoint it failed on, when to try it next, and how many failures in
    // a row. A new checkpoint is tried at once.
    let mut backoff: HashMap<String, (i64, Instant, u32)> = HashMap::new();
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let latest = match latest(&db).await {
            Ok(Some(latest)) => latest,
            Ok(None) => continue,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the latest checkpoint for the witnesses");
                continue;
            }
        };
        let have: HashSet<&String> = latest.witnesses.iter().collect();
        let now = Instant::now();
        let due: Vec<&Witness> = witnesses
            .iter()
            .filter(|witness| !have.contains(&witness.key))
            .filter(|witness| {
                backoff
                    .get(&witness.key)
                    .is_none_or(|(size, next, _)| *size != latest.row.size || *next <= now)
            })
            .collect();
        let results = futures_util::future::join_all(
            due.iter()
                .map(|witness| push(&db, &client, witness, &latest.row)),
        )
        .await;
        for (witness, result) in due.into_iter().zip(results) {
            match result {
                Ok(()) => {
                    backoff.remove(&witness.key);
                    metrics.record_witness_request(witness.name(), "cosigned");
                }
                Err(err) => {
                    metrics.record_witness_request(witness.name(), err.outcome());
                    let failures = backoff
                        .get(&witness.key)
                        .filter(|(size, _, _)| *size == latest.row.size)
                        .map_or(0, |(_, _, n)| *n)
                        + 1;
                    let pause = interval
                        .saturating_mul(1 << failures.min(16))
                        .min(MAX_BACKOFF);
                    backoff.insert(
                        witness.key.clone(),
                        (latest.row.size, Instant::now() + pause, failures),
                    );
                    tracing::warn!(
                        witness = witness.name(),
                        size = latest.row.size,
                        retry_in_ms = pause.as_millis() as u64,
                        error = %err,
                        "a witness did not cosign the audit log's checkpoint"
                    );
                }
            }
        }
    }
}
