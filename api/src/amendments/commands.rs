//! Changes of state of an amendment: proposing, submitting, withdrawing, rebasing, flagging
//! membership rights and commenting. Each runs in the caller's transaction, reads the amendment
//! under its row lock, checks the rules that depend on it, changes it and writes the audit entry.

use chrono::Utc;
use entity::{
    amendment, amendment_change, amendment_comment,
    prelude::{Amendment as Amendments, AmendmentChange as Changes},
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set, UpdateMany, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::{
        AmendmentStatus,
        types::{changes, visible_to},
    },
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    bylaws::{db, text::Change},
    error::{ApiError, ApiResult, corrupt_row},
    ids,
};

/// A checked proposal.
pub struct ProposeAmendment {
    pub title: String,
    pub rationale: String,
    /// Applied in order to the bylaws in force.
    pub changes: Vec<Change>,
}

/// Whether an amendment changes a membership class's rights.
pub struct SetRightsFlag {
    pub amendment_id: Uuid,
    pub affects_membership_rights: bool,
}

/// A checked comment.
pub struct CommentOn {
    pub amendment_id: Uuid,
    pub body: String,
}

/// Drafts an amendment against the bylaws in force; its changes must fit them.
#[tracing::instrument(skip_all, fields(proposer = ?viewer.account_id()))]
pub async fn propose(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    input: ProposeAmendment,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = db::current(tx)
        .await?
        .ok_or_else(|| ApiError::conflict("there are no bylaws to amend yet"))?;
    db::document(tx, current.number)
        .await?
        .apply(&input.changes, ids::new_key)?;
    create(
        tx,
        me.id,
        input.title,
        input.rationale,
        current.number,
        &input.changes,
    )
    .await
}

/// DRAFT → PROPOSED, which starts the notice period. The proposer only.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn submit(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    amendment_id: Uuid,
) -> ApiResult<amendment::Model> {
    proposer_moves(
        tx,
        viewer,
        amendment_id,
        (&[AmendmentStatus::Draft], AmendmentStatus::Proposed),
        "amendment.submitted",
        |u| u.col_expr(amendment::Column::SubmittedAt, Expr::value(Utc::now())),
    )
    .await
}

/// Takes an amendment back before voting. The proposer only.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn withdraw(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    amendment_id: Uuid,
) -> ApiResult<amendment::Model> {
    proposer_moves(
        tx,
        viewer,
        amendment_id,
        (
            &[AmendmentStatus::Draft, AmendmentStatus::Proposed],
            AmendmentStatus::Withdrawn,
        ),
        "amendment.withdrawn",
        |u| u,
    )
    .await
}

/// A move only the proposer makes, from one of `from` to `to`, audited as `action`.
async fn proposer_moves(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    amendment_id: Uuid,
    (from, to): (&[AmendmentStatus], AmendmentStatus),
    action: &str,
    extra: impl FnOnce(UpdateMany<Amendments>) -> UpdateMany<Amendments>,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, amendment_id).await?;
    if current.proposer_id != me.id {
        return Err(ApiError::forbidden("only the proposer may do this"));
    }
    let row = transition(tx, current.id, from, to, extra).await?;
    audit_step(tx, me.id, action, row.id, json!({})).await?;
    Ok(row)
}

/// Moves an amendment onto the bylaws in force. The proposer or the secretary; its changes must
/// still fit.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn rebase(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    amendment_id: Uuid,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, amendment_id).await?;
    if current.proposer_id != me.id && !viewer.has_role(Role::Secretary) {
        return Err(ApiError::forbidden(
            "only the proposer or the secretary rebases an amendment",
        ));
    }
    require_open_for_changes(&current)?;
    let version = db::current(tx)
        .await?
        .ok_or_else(|| ApiError::conflict("there are no bylaws"))?;
    let changes = changes(tx, current.id).await?;
    db::document(tx, version.number)
        .await?
        .apply(&changes, ids::new_key)
        .map_err(|err| match err {
            ApiError::BadUserInput { message, .. } => ApiError::conflict(format!(
                "the changes no longer fit version {}: {message}; withdraw and propose again",
                version.number
            )),
            other => other,
        })?;
    let row = transition(tx, current.id, &[current.status], current.status, |u| {
        u.col_expr(amendment::Column::BaseVersion, Expr::value(version.number))
    })
    .await?;
    audit_step(
        tx,
        me.id,
        "amendment.rebased",
        row.id,
        json!({ "baseVersion": version.number }),
    )
    .await?;
    Ok(row)
}

/// Marks whether an amendment changes a membership class's rights, before voting. The caller
/// checked the SECRETARY role.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn set_rights_flag(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    input: SetRightsFlag,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    require_open_for_changes(&current)?;
    let flag = input.affects_membership_rights;
    let row = transition(tx, current.id, &[current.status], current.status, |u| {
        u.col_expr(
            amendment::Column::AffectsMembershipRights,
            Expr::value(flag),
        )
    })
    .await?;
    audit_step(
        tx,
        me.id,
        "amendment.rights_flag_set",
        row.id,
        json!({ "affectsMembershipRights": flag }),
    )
    .await?;
    Ok(row)
}

/// Adds a comment while the amendment is proposed or voting. The caller checked that the viewer
/// is a member; the status is read here, under the lock, so a close cannot slip in between.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn comment(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    input: CommentOn,
) -> ApiResult<amendment_comment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    if !matches!(
        current.status,
        AmendmentStatus::Proposed | AmendmentStatus::Voting
    ) {
        return Err(ApiError::conflict(
            "comments are open while an amendment is proposed or voting",
        ));
    }
    let row = amendment_comment::ActiveModel {
        id: Set(ids::new_key()),
        amendment_id: Set(current.id),
        author_id: Set(me.id),
        body: Set(input.body),
        created_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    audit_step(
        tx,
        me.id,
        "amendment.commented",
        current.id,
        json!({ "comment": row.id }),
    )
    .await?;
    Ok(row)
}

/// Writes a new draft amendment with its changes, audited. The caller checked the changes fit.
pub async fn create(
    tx: &DatabaseTransaction,
    proposer: Uuid,
    title: String,
    rationale: String,
    base_version: i32,
    changes: &[Change],
) -> ApiResult<amendment::Model> {
    let now = Utc::now();
    let row = amendment::ActiveModel {
        id: Set(ids::new_key()),
        title: Set(title),
        rationale: Set(rationale),
        proposer_id: Set(proposer),
        base_version: Set(base_version),
        status: Set(AmendmentStatus::Draft),
        affects_membership_rights: Set(false),
        vote_body: Set(None),
        submitted_at: Set(None),
        voting_opened_at: Set(None),
        closes_at: Set(None),
        closed_at: Set(None),
        vote_rules: Set(None),
        tally: Set(None),
        adopted_version: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    write_changes(tx, row.id, changes).await?;
    audit_step(
        tx,
        proposer,
        "amendment.proposed",
        row.id,
        json!({ "title": row.title, "baseVersion": row.base_version, "changes": changes.len() }),
    )
    .await?;
    Ok(row)
}

/// Writes an amendment's changes, replacing any before.
async fn write_changes(
    tx: &DatabaseTransaction,
    amendment: Uuid,
    changes: &[Change],
) -> ApiResult<()> {
    Changes::delete_many()
        .filter(amendment_change::Column::AmendmentId.eq(amendment))
        .exec(tx)
        .await?;
    for (ordinal, change) in changes.iter().enumerate() {
        amendment_change::ActiveModel {
            id: Set(ids::new_key()),
            amendment_id: Set(amendment),
            ordinal: Set(i32::try_from(ordinal).unwrap_or(i32::MAX)),
            operation: Set(change.operation),
            section_key: Set(change.section),
            article_number: Set(change.article_number),
            position: Set(change.position),
            heading: Set(change.heading.clone()),
            text: Set(change.text.clone()),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Moves an amendment from one of `from` to `to`, conditionally, so a race has one winner.
pub async fn transition(
    tx: &DatabaseTransaction,
    id: Uuid,
    from: &[AmendmentStatus],
    to: AmendmentStatus,
    extra: impl FnOnce(UpdateMany<Amendments>) -> UpdateMany<Amendments>,
) -> ApiResult<amendment::Model> {
    let update = Amendments::update_many()
        .col_expr(amendment::Column::Status, Expr::value(to))
        .col_expr(amendment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(amendment::Column::Id.eq(id))
        .filter(amendment::Column::Status.is_in(from.iter().copied()));
    let moved = extra(update).exec(tx).await?;
    if moved.rows_affected == 0 {
        let names: Vec<_> = from.iter().map(|s| s.to_value()).collect();
        return Err(ApiError::conflict(format!(
            "the amendment is not {}; it cannot become {}",
            names.join(" or "),
            to.to_value()
        )));
    }
    find(tx, id).await
}

/// The amendment `id`; `NOT_FOUND` when there is none.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<amendment::Model> {
    Amendments::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("amendments", id))?
        .ok_or_else(|| ApiError::not_found("amendment"))
}

/// Reads the amendment under its row lock (on SQLite, the write transaction already holds the
/// database's lock); `NOT_FOUND` when it does not exist or the viewer may not see it.
pub async fn lock(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<amendment::Model> {
    let row = Amendments::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("amendments", id))?
        .filter(|row| visible_to(row, viewer))
        .ok_or_else(|| ApiError::not_found("amendment"))?;
    Ok(row)
}

/// Records a step of an amendment's life in the audit log.
pub async fn audit_step(
    tx: &DatabaseTransaction,
    actor: Uuid,
    action: &str,
    amendment: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: "Amendment",
            subject_id: amendment,
            summary,
        },
    )
    .await
}

/// An amendment may still change while it is a draft or proposed.
fn require_open_for_changes(amendment: &amendment::Model) -> ApiResult<()> {
    if matches!(
        amendment.status,
        AmendmentStatus::Draft | AmendmentStatus::Proposed
    ) {
        Ok(())
    } else {
        Err(ApiError::conflict("the amendment can no longer change"))
    }
}
