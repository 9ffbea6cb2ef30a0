//! Casting a secret ballot. *Who voted* (the roll entry, when, by whom) goes to
//! `election_voters`; *what was voted* (the ranking, the weight class, the receipt's hash) goes
//! to `election_ballots` under a random UUID v4, with no timestamp and no reference to the voter.
//! The audit entry and the log say who voted, never what; nothing logged names the ballot.

use std::collections::HashSet;

use chrono::{NaiveTime, Utc};
use entity::{
    election::ElectionState,
    election_ballot, election_voter,
    prelude::{ElectionBallot, ElectionVoter},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::{Viewer, secrets},
    db::Tx,
    elections::{lifecycle::lock, record::FrozenRules, roll},
    error::{ApiError, ApiResult, on_unique_violation},
};

/// A ballot to cast.
pub struct CastBallot {
    pub election_id: Uuid,
    /// Nomination ids, best first.
    pub ranking: Vec<Uuid>,
    /// The membership voting; `None` when the viewer holds exactly one entry on the roll.
    pub membership_id: Option<Uuid>,
}

/// The prefix of a receipt, so a voter can tell it from other secrets.
pub const RECEIPT_PREFIX: &str = "qrb_";

/// Casts a ballot while voting is open: one per roll entry, never changed. Returns the receipt,
/// a random secret the voter keeps; only its SHA-256 is stored with the ballot.
#[tracing::instrument(skip_all, fields(election = %input.election_id))]
pub async fn cast(tx: &Tx, viewer: &Viewer, input: CastBallot) -> ApiResult<String> {
    let me = viewer.require_account()?;
    // Under the lock, a close waits for this ballot, or this ballot finds the election closed.
    let election = lock(tx, input.election_id).await?;
    let now = Utc::now();
    if election.state != ElectionState::Voting || now >= election.voting_closes_at {
        return Err(ApiError::conflict("voting in this election is not open"));
    }
    let rules = FrozenRules::parse(election.rules.as_deref())?;
    // A nominee disqualified while voting runs can still be ranked, and is passed over at the
    // count: were such rankings refused, the published ballots that rank them would be exactly
    // those cast before the disqualification, and the audit log's times would name their voters.
    let mut seen = HashSet::new();
    if input.ranking.is_empty() {
        return Err(ApiError::bad_input(
            crate::field!(input.ranking),
            "rank at least one nominee",
        ));
    }
    for nomination in &input.ranking {
        if !rules.candidates.contains(nomination) {
            return Err(ApiError::bad_input(
                crate::field!(input.ranking),
                "every ranked ID must be a nominee on this election's ballot",
            ));
        }
        if !seen.insert(*nomination) {
            return Err(ApiError::bad_input(
                crate::field!(input.ranking),
                "a nominee may be ranked only once",
            ));
        }
    }
    let mine = roll::entries_of(tx, election.id, me.id).await?;
    let entry = match input.membership_id {
        Some(membership) => mine
            .into_iter()
            .find(|r| r.membership_id == membership)
            .ok_or_else(|| {
                ApiError::forbidden("that membership is not yours on this election's roll")
            })?,
        None if mine.len() == 1 => mine
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::forbidden("you are not on this election's roll"))?,
        None if mine.is_empty() => {
            return Err(ApiError::forbidden("you are not on this election's roll"));
        }
        None => {
            return Err(ApiError::bad_input(
                crate::field!(input.membership_id),
                "you hold several memberships on the roll; name the one voting",
            ));
        }
    };
    if ElectionVoter::find_by_id(entry.id).one(tx).await?.is_some() {
        return Err(ApiError::conflict(
            "this membership has already voted; a ballot cannot be changed",
        ));
    }
    ElectionVoter::insert(election_voter::ActiveModel {
        roll_entry_id: Set(entry.id),
        election_id: Set(election.id),
        cast_by: Set(me.id),
        // Who voted, and on which day: the time of day would order the voters.
        voted_at: Set(start_of_day(now)),
    })
    .exec_without_returning(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("this membership has already voted; a ballot cannot be changed")
        })
    })?;
    let receipt = secrets::generate(RECEIPT_PREFIX);
    let ranking = serde_json::to_string(&input.ranking).map_err(ApiError::internal)?;
    ElectionBallot::insert(election_ballot::ActiveModel {
        // Random, not time-ordered: the id says nothing of when the ballot was cast.
        id: Set(Uuid::new_v4()),
        election_id: Set(election.id),
        ranking: Set(ranking),
        nominal_weight: Set(entry.nominal_weight),
        sponsor: Set(entry.sponsor),
        receipt_hash: Set(secrets::hash(&receipt)),
    })
    .exec_without_returning(tx)
    .await?;
    // Who voted, never what: no ranking, no ballot id, no receipt; and on which day only.
    audit::record_on_day(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::ElectionVoted,
            subject_kind: SubjectKind::Election,
            subject_id: election.id,
            summary: json!({ "entry": entry.id, "membership": entry.membership_id }),
        },
    )
    .await?;
    Ok(receipt)
}

/// Cuts the last physical links between the ballots and the voters, at the close (or a
/// cancellation during voting) and in its transaction. While voting was open, each ballot row was written in the same transaction as
/// its voter's row and audit entry, so its storage order (SQLite's implicit `rowid`,
/// PostgreSQL's `ctid`) and PostgreSQL's `xmin` follow the order of casting. Here every ballot
/// is written again, in the order of its receipt hash, under a new random id, and the originals
/// are deleted: the new rows carry the close's transaction id and an order that owes nothing to
/// when a ballot was cast. The voters' times are cut to the day of the close. SQLite overwrites
/// the deleted rows' content (`secure_delete`); [`scrub`] cleans up after the commit.
pub async fn reshuffle(tx: &Tx, election: Uuid) -> ApiResult<()> {
    if tx.get_database_backend() == DbBackend::Sqlite {
        tx.execute_unprepared("PRAGMA secure_delete = ON").await?;
    }
    let rows = ElectionBallot::find()
        .filter(election_ballot::Column::ElectionId.eq(election))
        .order_by_asc(election_ballot::Column::ReceiptHash)
        .all(tx)
        .await?;
    ElectionBallot::delete_many()
        .filter(election_ballot::Column::ElectionId.eq(election))
        .exec(tx)
        .await?;
    for chunk in rows.chunks(500) {
        let fresh = chunk.iter().map(|row| election_ballot::ActiveModel {
            id: Set(Uuid::new_v4()),
            election_id: Set(row.election_id),
            ranking: Set(row.ranking.clone()),
            nominal_weight: Set(row.nominal_weight),
            sponsor: Set(row.sponsor),
            receipt_hash: Set(row.receipt_hash.clone()),
        });
        ElectionBallot::insert_many(fresh)
            .exec_without_returning(tx)
            .await?;
    }
    let day = start_of_day(Utc::now());
    ElectionVoter::update_many()
        .col_expr(election_voter::Column::VotedAt, Expr::value(day))
        .filter(election_voter::Column::ElectionId.eq(election))
        .exec(tx)
        .await?;
    Ok(())
}

/// Midnight UTC of `at`'s day.
fn start_of_day(at: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    at.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// After the close's commit, where the database allows: PostgreSQL vacuums the ballots' table
/// so the deleted originals leave no dead tuples; SQLite checkpoints and truncates its
/// write-ahead log, which held the pages as they were while voting was open. Best effort: a
/// failure is logged, and the close stands.
pub async fn scrub(db: &DatabaseConnection) {
    let statement = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM election_ballots",
        DbBackend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        _ => return,
    };
    if let Err(err) = db.execute_unprepared(statement).await {
        tracing::warn!(error = %err, statement, "could not scrub the ballots after the close");
    }
}
