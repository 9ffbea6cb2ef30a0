//! Nominations: a member in good standing nominates another person, the nominee accepts or
//! declines (an undisclosed member only by agreeing to be named), and the committee may
//! disqualify a nominee with a reason. Whether a nominee is eligible, and why not, is decided
//! in `eligibility`: a nomination is made whatever the nominee's standing, which it then shows.

use std::collections::HashSet;

use chrono::Utc;
use entity::{
    election::{self, ElectionState},
    membership,
    nomination::{self, NominationResponse},
    organization_representative,
    prelude::{Account, Membership as Memberships, Nomination, OrganizationRepresentative},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::authors::hidden_from,
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    db::Tx,
    elections::{lifecycle::lock, record::FrozenRules},
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    holders::holder_keys_of,
    ids,
    members::status::{self as member_status, MembershipStatus},
    policy,
};

/// The nominations of an election that the committee disqualified.
pub async fn disqualified(db: &impl ConnectionTrait, election: Uuid) -> ApiResult<HashSet<Uuid>> {
    Ok(Nomination::find()
        .filter(nomination::Column::ElectionId.eq(election))
        .filter(nomination::Column::DisqualifiedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect())
}

/// The nomination `id`; `NOT_FOUND` when there is none.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<nomination::Model> {
    Nomination::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("nominations", id))?
        .ok_or_else(|| ApiError::not_found("nomination"))
}

async fn audit_step(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    nomination: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::Nomination,
            subject_id: nomination,
            summary,
        },
    )
    .await
}

/// Whether `account`, or an organization it represents, holds a membership in good standing.
async fn in_good_standing(tx: &Tx, account: Uuid) -> ApiResult<bool> {
    let keys = holder_keys_of(tx, account).await?;
    let grace = policy::current(tx).await?.grace_period_days;
    let held = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys))
        .filter(member_status::condition(
            MembershipStatus::Active,
            Utc::now().date_naive(),
            grace,
        ))
        .count(tx)
        .await?;
    Ok(held > 0)
}

fn require_nominating(election: &election::Model) -> ApiResult<()> {
    if election.state != ElectionState::Nominating {
        return Err(ApiError::conflict("the election is not taking nominations"));
    }
    if Utc::now() >= election.nominations_close_at {
        return Err(ApiError::conflict(format!(
            "the nominee list closed at {}",
            election.nominations_close_at.to_rfc3339()
        )));
    }
    Ok(())
}

/// A nomination to make.
pub struct Nominate {
    pub election_id: Uuid,
    pub nominee: Uuid,
    pub statement: Option<String>,
}

/// A member in good standing nominates another person, while nominations are open. The nominee
/// may be ineligible: the nomination then shows why.
#[tracing::instrument(skip_all, fields(election = %input.election_id))]
pub async fn nominate(tx: &Tx, viewer: &Viewer, input: Nominate) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    if input.nominee == me.id {
        return Err(ApiError::bad_input(
            crate::field!(input.nominee_account_id),
            "you cannot nominate yourself; ask another member to nominate you",
        ));
    }
    if !in_good_standing(tx, me.id).await? {
        return Err(ApiError::forbidden(
            "only a member in good standing may nominate",
        ));
    }
    let election = lock(tx, input.election_id).await?;
    require_nominating(&election)?;
    if Account::find_by_id(input.nominee).one(tx).await?.is_none() {
        return Err(ApiError::not_found("account"));
    }
    let now = Utc::now();
    let row = nomination::Model {
        id: ids::new_key(),
        election_id: election.id,
        nominee_account_id: input.nominee,
        nominated_by: me.id,
        statement: input.statement,
        response: NominationResponse::Pending,
        nominee_statement: None,
        organization_id: None,
        responded_at: None,
        disqualified_reason: None,
        disqualified_at: None,
        disqualified_by: None,
        created_at: now,
    };
    Nomination::insert(row.clone().into_active_model().reset_all())
        .exec_without_returning(tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || {
                ApiError::conflict("this person is already nominated in this election")
            })
        })?;
    audit_step(
        tx,
        viewer,
        AuditAction::NominationMade,
        row.id,
        json!({ "election": row.election_id, "nominee": row.nominee_account_id }),
    )
    .await?;
    crate::notifications::mail::nomination_to_accept(tx, row.nominee_account_id, &election.title)
        .await?;
    Ok(row)
}

/// A nominee's answer.
pub struct Respond {
    pub nomination_id: Uuid,
    pub accept: bool,
    pub statement: Option<String>,
    /// The organization the nominee works for or represents, among those they represent.
    pub organization_id: Option<Uuid>,
    /// An undisclosed member agrees to be named as a candidate.
    pub agree_to_be_named: bool,
}

/// The nominee accepts or declines, while nominations are open; they may change their answer
/// until the list closes. Candidates are public, so a member who asked not to be listed accepts
/// only by agreeing to be named.
#[tracing::instrument(skip_all, fields(nomination = %input.nomination_id))]
pub async fn respond(tx: &Tx, viewer: &Viewer, input: Respond) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    let before = find(tx, input.nomination_id).await?;
    if before.nominee_account_id != me.id {
        return Err(ApiError::forbidden("only the nominee answers a nomination"));
    }
    let election = lock(tx, before.election_id).await?;
    require_nominating(&election)?;
    // Read again under the election's lock: a disqualification may have landed meanwhile.
    let current = find(tx, before.id).await?;
    if current.disqualified_at.is_some() {
        return Err(ApiError::conflict("the nominee was disqualified"));
    }
    let mut organization = None;
    if input.accept {
        let mine: Vec<Uuid> = OrganizationRepresentative::find()
            .filter(organization_representative::Column::AccountId.eq(me.id))
            .all(tx)
            .await?
            .into_iter()
            .map(|r| r.organization_id)
            .collect();
        organization = match (input.organization_id, mine.as_slice()) {
            (Some(org), _) if mine.contains(&org) => Some(org),
            (Some(_), _) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.organization_id),
                    "you do not represent that organization",
                ));
            }
            (None, []) => None,
            (None, [only]) => Some(*only),
            (None, _) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.organization_id),
                    "you represent several organizations; name the one you work for or represent",
                ));
            }
        };
        let unlisted = hidden_from(tx, &Viewer::Anonymous, &[me.id]).await?;
        if unlisted.contains(&me.id) && !input.agree_to_be_named {
            return Err(ApiError::bad_input(
                crate::field!(input.agree_to_be_named),
                "you asked not to be listed as a member; candidates are public and accepting shows you as an eligible member on this election's list, so accept only by agreeing to be named",
            ));
        }
    }
    let response = if input.accept {
        NominationResponse::Accepted
    } else {
        NominationResponse::Declined
    };
    let now = Utc::now();
    let moved = Nomination::update_many()
        .col_expr(nomination::Column::Response, Expr::value(response))
        .col_expr(
            nomination::Column::NomineeStatement,
            Expr::value(input.statement.clone()),
        )
        .col_expr(
            nomination::Column::OrganizationId,
            Expr::value(organization),
        )
        .col_expr(nomination::Column::RespondedAt, Expr::value(now))
        .filter(nomination::Column::Id.eq(current.id))
        .filter(nomination::Column::DisqualifiedAt.is_null())
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict("the nominee was disqualified"));
    }
    audit_step(
        tx,
        viewer,
        AuditAction::NominationAnswered,
        current.id,
        json!({ "accept": input.accept, "organization": organization }),
    )
    .await?;
    find(tx, current.id).await
}

/// The committee disqualifies a nominee, with a reason, before the election closes. No one
/// decides their own case.
#[tracing::instrument(skip_all, fields(nomination = %nomination_id))]
pub async fn disqualify(
    tx: &Tx,
    viewer: &Viewer,
    nomination_id: Uuid,
    reason: String,
) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    let current = find(tx, nomination_id).await?;
    if current.nominee_account_id == me.id {
        return Err(ApiError::forbidden(
            "you cannot decide your own nomination; another committee member must",
        ));
    }
    let election = lock(tx, current.election_id).await?;
    crate::elections::recusal::require_impartial(tx, viewer, election.id).await?;
    if !matches!(
        election.state,
        ElectionState::Nominating | ElectionState::Voting
    ) {
        return Err(ApiError::conflict(
            "a nominee can be disqualified only during nominations or voting",
        ));
    }
    // Once voting opened, the ballot keeps at least one nominee: with none the close could not
    // count. Under the election's lock, so two disqualifications cannot both pass this check.
    if election.state == ElectionState::Voting {
        let rules = FrozenRules::parse(election.rules.as_deref())?;
        let out = disqualified(tx, election.id).await?;
        let left = rules
            .candidates
            .iter()
            .filter(|c| **c != current.id && !out.contains(c))
            .count();
        if left == 0 && rules.candidates.contains(&current.id) {
            return Err(ApiError::conflict(
                "this is the last nominee on the ballot; cancel the election instead",
            ));
        }
    }
    let now = Utc::now();
    let moved = Nomination::update_many()
        .col_expr(
            nomination::Column::DisqualifiedReason,
            Expr::value(reason.clone()),
        )
        .col_expr(nomination::Column::DisqualifiedAt, Expr::value(now))
        .col_expr(nomination::Column::DisqualifiedBy, Expr::value(me.id))
        .filter(
            Condition::all()
                .add(nomination::Column::Id.eq(current.id))
                .add(nomination::Column::DisqualifiedAt.is_null()),
        )
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict("the nominee is already disqualified"));
    }
    audit_step(
        tx,
        viewer,
        AuditAction::NominationDisqualified,
        current.id,
        json!({ "reason": reason }),
    )
    .await?;
    find(tx, current.id).await
}
