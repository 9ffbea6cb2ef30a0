//! Changes of state of an amendment: proposing, submitting, withdrawing, rebasing, flagging
//! membership rights and commenting. Each runs in the caller's transaction, reads the amendment
//! under its row lock, checks the rules that depend on it, changes it and writes the audit entry.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::{
    amendment, amendment_change, amendment_comment, membership,
    prelude::{Amendment as Amendments, AmendmentChange as Changes, Membership as Memberships},
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, UpdateMany, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::{
        AmendmentStatus,
        changes::changes,
        rights::{MembersVoteReason, members_vote_reason},
        rules::StoredRules,
        visibility::visible_to,
    },
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    bylaws::{db, text::Change},
    error::{ApiError, ApiResult, corrupt_row},
    ids,
    members::status::{self as member_status, MembershipStatus},
    policy,
};

/// A checked proposal.
pub struct ProposeAmendment {
    pub title: String,
    pub rationale: String,
    /// Applied in order to the bylaws in force.
    pub changes: Vec<Change>,
}

/// A checked edit of a draft: a field left out keeps its value.
pub struct EditAmendment {
    pub amendment_id: Uuid,
    pub title: Option<String>,
    pub rationale: Option<String>,
    /// Replace every change; they must fit the bylaws in force, which the draft is then based on.
    pub changes: Option<Vec<Change>>,
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
    tx: &Tx,
    viewer: &Viewer,
    input: ProposeAmendment,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    if !holds_membership(tx, me.id, &[MembershipStatus::Active]).await? {
        return Err(ApiError::forbidden(
            "only members in good standing propose amendments",
        ));
    }
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

/// Edits a draft: its title, rationale or changes. The proposer only (for anyone else who may see
/// the draft, `FORBIDDEN`), and only while it is a DRAFT (`CONFLICT` after). New changes are
/// checked as at proposal, against the bylaws in force, and the draft is based on those.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn edit(tx: &Tx, viewer: &Viewer, input: EditAmendment) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    if current.proposer_id != me.id {
        return Err(ApiError::forbidden(
            "Only the proposer may edit an amendment.",
        ));
    }
    if current.status != AmendmentStatus::Draft {
        return Err(ApiError::conflict(
            "Only a draft amendment can be edited; this one was already submitted.",
        ));
    }
    let base_version = match &input.changes {
        Some(changes) => {
            let in_force = db::current(tx)
                .await?
                .ok_or_else(|| ApiError::conflict("There are no bylaws to amend yet."))?;
            db::document(tx, in_force.number)
                .await?
                .apply(changes, ids::new_key)?;
            Some(in_force.number)
        }
        None => None,
    };
    let mut summary = serde_json::Map::new();
    if let Some(title) = &input.title {
        summary.insert("title".to_owned(), json!(title));
    }
    if input.rationale.is_some() {
        summary.insert("rationale".to_owned(), json!(true));
    }
    if let (Some(changes), Some(version)) = (&input.changes, base_version) {
        summary.insert("changes".to_owned(), json!(changes.len()));
        summary.insert("baseVersion".to_owned(), json!(version));
    }
    let (title, rationale) = (input.title, input.rationale);
    let row = transition(
        tx,
        current.id,
        &[AmendmentStatus::Draft],
        AmendmentStatus::Draft,
        |mut u| {
            if let Some(title) = title {
                u = u.col_expr(amendment::Column::Title, Expr::value(title));
            }
            if let Some(rationale) = rationale {
                u = u.col_expr(amendment::Column::Rationale, Expr::value(rationale));
            }
            if let Some(version) = base_version {
                u = u.col_expr(amendment::Column::BaseVersion, Expr::value(version));
            }
            u
        },
    )
    .await?;
    if let Some(changes) = &input.changes {
        write_changes(tx, row.id, changes).await?;
    }
    audit_step(
        tx,
        me.id,
        AuditAction::AmendmentEdited,
        row.id,
        serde_json::Value::Object(summary),
    )
    .await?;
    Ok(row)
}

/// DRAFT → PROPOSED, which starts the notice period and fixes the rules of its vote (notice,
/// minimum period, quorum, cap, majorities): a later policy change applies to later amendments
/// only. The proposer only.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn submit(tx: &Tx, viewer: &Viewer, amendment_id: Uuid) -> ApiResult<amendment::Model> {
    let rules = serde_json::to_value(StoredRules::of(&policy::current(tx).await?))
        .map_err(ApiError::internal)?;
    let stored = rules.to_string();
    proposer_moves(
        tx,
        viewer,
        amendment_id,
        (&[AmendmentStatus::Draft], AmendmentStatus::Proposed),
        (AuditAction::AmendmentSubmitted, json!({ "rules": rules })),
        |u| {
            u.col_expr(amendment::Column::SubmittedAt, Expr::value(Utc::now()))
                .col_expr(amendment::Column::VoteRules, Expr::value(stored))
        },
    )
    .await
}

/// Takes an amendment back before voting. The proposer only.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn withdraw(tx: &Tx, viewer: &Viewer, amendment_id: Uuid) -> ApiResult<amendment::Model> {
    proposer_moves(
        tx,
        viewer,
        amendment_id,
        (
            &[AmendmentStatus::Draft, AmendmentStatus::Proposed],
            AmendmentStatus::Withdrawn,
        ),
        (AuditAction::AmendmentWithdrawn, json!({})),
        |u| u,
    )
    .await
}

/// A move only the proposer makes, from one of `from` to `to`, audited as `action` with
/// `summary`.
async fn proposer_moves(
    tx: &Tx,
    viewer: &Viewer,
    amendment_id: Uuid,
    (from, to): (&[AmendmentStatus], AmendmentStatus),
    (action, summary): (AuditAction, serde_json::Value),
    extra: impl FnOnce(UpdateMany<Amendments>) -> UpdateMany<Amendments>,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, amendment_id).await?;
    if current.proposer_id != me.id {
        return Err(ApiError::forbidden("only the proposer may do this"));
    }
    let row = transition(tx, current.id, from, to, extra).await?;
    audit_step(tx, me.id, action, row.id, summary).await?;
    Ok(row)
}

/// Moves an amendment onto the bylaws in force. The proposer or the secretary; its changes must
/// still fit.
#[tracing::instrument(skip_all, fields(amendment = %amendment_id))]
pub async fn rebase(tx: &Tx, viewer: &Viewer, amendment_id: Uuid) -> ApiResult<amendment::Model> {
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
        AuditAction::AmendmentRebased,
        row.id,
        json!({ "baseVersion": version.number }),
    )
    .await?;
    Ok(row)
}

/// Marks whether an amendment changes a membership class's rights, before voting. The flag can
/// add the members' vote, never lift one the sections require. The caller checked the
/// SECRETARY role.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn set_rights_flag(
    tx: &Tx,
    viewer: &Viewer,
    input: SetRightsFlag,
) -> ApiResult<amendment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    require_open_for_changes(&current)?;
    let flag = input.affects_membership_rights;
    if !flag
        && members_vote_reason(tx, &current).await?
            == Some(MembersVoteReason::TouchesMembershipRights)
    {
        return Err(ApiError::conflict(
            "this amendment changes a section that defines membership rights, so it goes to the members whatever the flag says",
        ));
    }
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
        AuditAction::AmendmentRightsFlagSet,
        row.id,
        json!({ "affectsMembershipRights": flag }),
    )
    .await?;
    Ok(row)
}

/// Adds a comment while the amendment is proposed or voting, by a member in good standing or in
/// grace. The status is read here, under the lock, so a close cannot slip in between; an
/// amendment the viewer may not see is `NOT_FOUND` before anything else.
#[tracing::instrument(skip_all, fields(amendment = %input.amendment_id))]
pub async fn comment(
    tx: &Tx,
    viewer: &Viewer,
    input: CommentOn,
) -> ApiResult<amendment_comment::Model> {
    let me = viewer.require_account()?;
    let current = lock(tx, viewer, input.amendment_id).await?;
    if !holds_membership(
        tx,
        me.id,
        &[MembershipStatus::Active, MembershipStatus::Grace],
    )
    .await?
    {
        return Err(ApiError::forbidden("only members comment on amendments"));
    }
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
        AuditAction::AmendmentCommented,
        current.id,
        json!({ "comment": row.id }),
    )
    .await?;
    Ok(row)
}

/// Writes a new draft amendment with its changes, audited. The caller checked the changes fit.
pub async fn create(
    tx: &Tx,
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
        AuditAction::AmendmentProposed,
        row.id,
        json!({ "title": row.title, "baseVersion": row.base_version, "changes": changes.len() }),
    )
    .await?;
    Ok(row)
}

/// Writes an amendment's changes, replacing any before.
async fn write_changes(tx: &Tx, amendment: Uuid, changes: &[Change]) -> ApiResult<()> {
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
            defines_membership_rights: Set(change.membership_rights),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Moves an amendment from one of `from` to `to`, conditionally, so a race has one winner.
pub async fn transition(
    tx: &Tx,
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
pub async fn lock(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<amendment::Model> {
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
    tx: &Tx,
    actor: Uuid,
    action: AuditAction,
    amendment: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: SubjectKind::Amendment,
            subject_id: amendment,
            summary,
        },
    )
    .await
}

/// Whether `account`, or an organization it represents, holds a membership with one of
/// `statuses` today, read on the command's transaction.
async fn holds_membership(
    tx: &Tx,
    account: Uuid,
    statuses: &[MembershipStatus],
) -> ApiResult<bool> {
    let keys = crate::holders::holder_keys_of(tx, account).await?;
    let grace = policy::current(tx).await?.grace_period_days;
    let today = Utc::now().date_naive();
    let any_status = statuses.iter().fold(Condition::any(), |cond, status| {
        cond.add(member_status::condition(*status, today, grace))
    });
    let held = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys))
        .filter(any_status)
        .count(tx)
        .await?;
    Ok(held > 0)
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
