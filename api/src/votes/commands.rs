//! Changes of state of an amendment's vote: opening it with a frozen roll, casting or changing a
//! vote, and closing it with the tally and, when it passes, the new bylaws version. Each runs in
//! the caller's transaction and reads the amendment under its row lock first, so that a close
//! and a vote being cast cannot interleave.

use crate::audit::AuditAction;
use crate::db::Tx;

use chrono::{DateTime, Duration, Utc};
use entity::{
    amendment,
    amendment_vote::{self, VoteChoice},
    governance_policy,
    prelude::AmendmentVote,
    voter_roll,
};
use sea_orm::{
    ActiveEnum, EntityTrait, Set,
    sea_query::{Expr, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::{
        AmendmentStatus, VoteBody,
        changes::changes,
        commands::{audit_step, find, lock, transition},
        results::StoredTally,
        rights::{MembersVoteReason, members_vote_reason},
        rules::StoredRules,
    },
    auth::Viewer,
    bylaws::{
        db,
        tally::{self, Voter},
    },
    error::{ApiError, ApiResult},
    ids, policy,
    rolls::CaughtUpTx,
    votes::{notices, roll},
};

/// A request to open voting.
pub struct OpenVote {
    pub amendment_id: Uuid,
    pub body: VoteBody,
    pub closes_at: DateTime<Utc>,
}

/// A vote to cast or change.
pub struct CastVote {
    pub amendment_id: Uuid,
    pub choice: VoteChoice,
    /// The membership voting; `None` when the viewer holds exactly one entry on the roll.
    pub membership_id: Option<Uuid>,
}

/// A vote as recorded.
pub struct Cast {
    /// The roll entry that voted.
    pub entry: voter_roll::Model,
    pub choice: VoteChoice,
    pub cast_at: DateTime<Utc>,
}

/// Opens voting on a proposed amendment past its notice period, based on the bylaws in force,
/// for long enough, and before the members when it changes their rights. The caller checked the
/// SECRETARY role.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn open(
    tx: &CaughtUpTx,
    viewer: &Viewer,
    input: OpenVote,
) -> ApiResult<amendment::Model> {
    // The memberships the roll copies were brought up to date as the transaction began.
    let tx: &Tx = tx;
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    let now = Utc::now();
    let policy = policy::current(tx).await?;
    if current.status != AmendmentStatus::Proposed {
        return Err(ApiError::conflict(
            "only a proposed amendment can go to a vote",
        ));
    }
    let in_force = db::current(tx).await?.map(|v| v.number);
    if in_force != Some(current.base_version) {
        return Err(ApiError::conflict(format!(
            "the bylaws changed since this amendment was written (it is based on version {}); rebase it first",
            current.base_version
        )));
    }
    // The rules fixed at submission: a later policy change cannot shorten this notice.
    let rules = StoredRules::of_amendment(&current, &policy)?;
    let notice_ends = current
        .submitted_at
        .map(|at| at + Duration::days(i64::from(rules.notice_days.unwrap_or(0))))
        .unwrap_or(now);
    if now < notice_ends {
        return Err(ApiError::conflict(format!(
            "the notice period runs until {}",
            notice_ends.to_rfc3339()
        )));
    }
    let minimum = now + Duration::days(i64::from(rules.minimum_voting_days.unwrap_or(0)));
    if input.closes_at <= now || input.closes_at < minimum {
        return Err(ApiError::bad_input(
            crate::field!(input.closes_at),
            format!("voting must last until at least {}", minimum.to_rfc3339()),
        ));
    }
    if input.body == VoteBody::Board {
        match members_vote_reason(tx, &current).await? {
            Some(MembersVoteReason::TouchesMembershipRights) => {
                return Err(ApiError::conflict(
                    "this amendment touches a section that defines membership rights and must go to the members",
                ));
            }
            Some(MembersVoteReason::MarkedBySecretary) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.body),
                    "this amendment changes membership rights and must go to the members",
                ));
            }
            None => {}
        }
    }
    start(tx, me.id, current.id, input.body, input.closes_at, &policy).await
}

/// Opens voting now: freezes the roll, and keeps the rules fixed at submission (or, for an
/// amendment submitted before rules were fixed then, `policy`'s numbers now), audited with both
/// so that anyone can recount. The caller has checked the notice period and the window; [`open`]
/// is the command that does.
pub async fn start(
    tx: &Tx,
    actor: Uuid,
    amendment_id: Uuid,
    body: VoteBody,
    closes_at: DateTime<Utc>,
    policy: &governance_policy::Model,
) -> ApiResult<amendment::Model> {
    let frozen_entries = roll::freeze(tx, amendment_id, body, policy.grace_period_days).await?;
    if frozen_entries == 0 {
        return Err(ApiError::conflict("nobody is eligible to vote"));
    }
    let frozen = StoredRules::of_amendment(&find(tx, amendment_id).await?, policy)?;
    let rules = serde_json::to_value(frozen).map_err(ApiError::internal)?;
    let row = transition(
        tx,
        amendment_id,
        &[AmendmentStatus::Proposed],
        AmendmentStatus::Voting,
        |u| {
            u.col_expr(amendment::Column::VoteBody, Expr::value(body))
                .col_expr(amendment::Column::VotingOpenedAt, Expr::value(Utc::now()))
                .col_expr(amendment::Column::ClosesAt, Expr::value(closes_at))
                .col_expr(amendment::Column::VoteRules, Expr::value(rules.to_string()))
        },
    )
    .await?;
    let entries = roll::listing(tx, amendment_id).await?;
    audit_step(
        tx,
        actor,
        AuditAction::VoteOpened,
        row.id,
        json!({ "body": body.to_value(), "closesAt": closes_at, "rules": rules, "roll": entries }),
    )
    .await?;
    notices::opened(tx, &row).await?;
    Ok(row)
}

/// Casts or changes a vote while voting is open. A member votes each membership it holds on the
/// roll (an organization's through one of its representatives); a director votes once.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn cast(tx: &Tx, viewer: &Viewer, input: CastVote) -> ApiResult<Cast> {
    let me = viewer.require_account()?;
    // Under the lock, a close waits for this vote, or this vote finds the amendment closed.
    let current = lock(tx, viewer, input.amendment_id).await?;
    let now = Utc::now();
    let open =
        current.status == AmendmentStatus::Voting && current.closes_at.is_some_and(|at| now < at);
    if !open {
        return Err(ApiError::conflict("voting on this amendment is not open"));
    }
    let mine = roll::entries_of(tx, current.id, me.id).await?;
    let entry = match input.membership_id {
        Some(membership) => mine
            .into_iter()
            .find(|r| r.membership_id == Some(membership))
            .ok_or_else(|| {
                ApiError::forbidden("that membership is not yours on this vote's roll")
            })?,
        None if mine.len() == 1 => mine
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::forbidden("you are not on this vote's roll"))?,
        None if mine.is_empty() => {
            return Err(ApiError::forbidden("you are not on this vote's roll"));
        }
        None => {
            return Err(ApiError::bad_input(
                crate::field!(input.membership_id),
                "you hold several memberships on the roll; name the one voting",
            ));
        }
    };
    let previous = AmendmentVote::find_by_id(entry.id).one(tx).await?;
    AmendmentVote::insert(amendment_vote::ActiveModel {
        roll_entry_id: Set(entry.id),
        amendment_id: Set(current.id),
        cast_by: Set(me.id),
        choice: Set(input.choice),
        cast_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(amendment_vote::Column::RollEntryId)
            .update_columns([
                amendment_vote::Column::Choice,
                amendment_vote::Column::CastBy,
                amendment_vote::Column::CastAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    audit_step(
        tx,
        me.id,
        if previous.is_some() { AuditAction::VoteChanged } else { AuditAction::VoteCast },
        current.id,
        json!({ "entry": entry.id, "choice": input.choice.to_value(), "previous": previous.map(|v| v.choice.to_value()) }),
    )
    .await?;
    Ok(Cast {
        entry,
        choice: input.choice,
        cast_at: now,
    })
}

/// Closes voting after `closesAt` and records the tally. In the same transaction, a passed
/// amendment writes the new bylaws version and becomes ADOPTED; otherwise it becomes REJECTED.
/// The caller checked the SECRETARY role.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn close(tx: &Tx, viewer: &Viewer, amendment_id: Uuid) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    // Votes being cast now finish first; later ones find the amendment closed.
    let current = lock(tx, viewer, amendment_id).await?;
    let now = Utc::now();
    if current.status != AmendmentStatus::Voting {
        return Err(ApiError::conflict("the amendment is not being voted on"));
    }
    if current.closes_at.is_some_and(|at| now < at) {
        return Err(ApiError::conflict(
            "voting is still open; close it after closesAt",
        ));
    }
    let body = current
        .vote_body
        .ok_or_else(|| ApiError::internal("a voting amendment has no voting body"))?;
    let voters: Vec<Voter> = roll::ballots(tx, current.id)
        .await?
        .into_iter()
        .map(|(weight, sponsor, choice)| Voter {
            nominal_weight: f64::from(weight),
            sponsor,
            choice,
        })
        .collect();
    let rules = StoredRules::parse(current.vote_rules.as_deref())?.into();
    let result = tally::tally(body, &voters, &rules);
    let mut outcome = if result.passed {
        AmendmentStatus::Adopted
    } else {
        AmendmentStatus::Rejected
    };
    let mut note = None;
    let mut adopted_version = None;
    if result.passed {
        let in_force = db::current(tx)
            .await?
            .ok_or_else(|| ApiError::internal("the bylaws vanished"))?;
        let changes = changes(tx, current.id).await?;
        match db::document(tx, in_force.number)
            .await?
            .apply(&changes, ids::new_key)
        {
            Ok(document) => {
                let number = in_force.number + 1;
                db::write_version(tx, number, Some(current.id), &document).await?;
                adopted_version = Some(number);
            }
            Err(_) => {
                // Another amendment was adopted while this one was voting, and the two
                // cannot both apply.
                outcome = AmendmentStatus::Rejected;
                note = Some(format!(
                    "passed, but conflicts with version {} adopted meanwhile",
                    in_force.number
                ));
            }
        }
    }
    let recorded =
        serde_json::to_value(StoredTally::new(result, note.clone())).map_err(ApiError::internal)?;
    let row = transition(tx, current.id, &[AmendmentStatus::Voting], outcome, |u| {
        u.col_expr(amendment::Column::ClosedAt, Expr::value(now))
            .col_expr(amendment::Column::Tally, Expr::value(recorded.to_string()))
            .col_expr(
                amendment::Column::AdoptedVersion,
                Expr::value(adopted_version),
            )
    })
    .await?;
    audit_step(
        tx,
        me.id,
        AuditAction::VoteClosed,
        row.id,
        json!({ "tally": recorded, "body": body.to_value() }),
    )
    .await?;
    if let Some(number) = adopted_version {
        audit_step(
            tx,
            me.id,
            AuditAction::AmendmentAdopted,
            row.id,
            json!({ "version": number }),
        )
        .await?;
    } else {
        audit_step(
            tx,
            me.id,
            AuditAction::AmendmentRejected,
            row.id,
            json!({ "note": note }),
        )
        .await?;
    }
    notices::closed(tx, &row).await?;
    Ok(row)
}
