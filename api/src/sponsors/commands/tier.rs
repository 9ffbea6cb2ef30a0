//! Tier commands: create, edit, publish and retire a sponsor tier.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::{
    prelude::{SponsorTier as Tiers, Sponsorship as Sponsorships},
    sponsor_tier::{self, TierState},
    sponsorship,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    ids,
    money::Money,
};

/// A tier to create, already parsed.
pub struct NewTier {
    pub name: String,
    pub rank: i32,
    pub minimum_yearly: Money,
    pub vote_weight: i32,
    pub benefits: Vec<String>,
    pub state: TierState,
}

/// Changes to a tier; `None` keeps a value.
#[derive(Default)]
pub struct TierChanges {
    pub name: Option<String>,
    pub rank: Option<i32>,
    /// In the tier's own currency, which never changes.
    pub minimum_yearly_minor: Option<i64>,
    pub vote_weight: Option<i32>,
    pub benefits: Option<Vec<String>>,
    pub state: Option<TierState>,
}

/// Creates a tier. A taken name is `CONFLICT`.
#[tracing::instrument(skip_all)]
pub async fn create(tx: &Tx, viewer: &Viewer, input: NewTier) -> ApiResult<sponsor_tier::Model> {
    let now = Utc::now();
    let row = sponsor_tier::ActiveModel {
        id: Set(ids::new_key()),
        name: Set(input.name),
        rank: Set(input.rank),
        minimum_yearly_minor: Set(input.minimum_yearly.stored_minor()?),
        currency: Set(input.minimum_yearly.currency().code().to_owned()),
        vote_weight: Set(input.vote_weight),
        benefits: Set(benefits_json(&input.benefits)),
        state: Set(input.state),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await
    .map_err(|err| on_unique_violation(err, name_taken))?;
    audit_tier(tx, viewer, AuditAction::SponsorTierCreated, &row).await?;
    Ok(row)
}

/// Edits a tier, under its row lock so that concurrent edits of different fields both hold.
#[tracing::instrument(skip_all, fields(tier = %id))]
pub async fn update(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
    changes: TierChanges,
) -> ApiResult<sponsor_tier::Model> {
    let current = Tiers::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("sponsor_tiers", id))?
        .ok_or_else(|| ApiError::not_found("sponsor tier"))?;
    let old_rank = current.rank;
    let mut row = current.into_active_model();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(rank) = changes.rank {
        row.rank = Set(rank);
    }
    if let Some(minimum) = changes.minimum_yearly_minor {
        row.minimum_yearly_minor = Set(minimum);
    }
    if let Some(weight) = changes.vote_weight {
        row.vote_weight = Set(weight);
    }
    if let Some(benefits) = changes.benefits {
        row.benefits = Set(benefits_json(&benefits));
    }
    if let Some(state) = changes.state {
        row.state = Set(state);
    }
    row.updated_at = Set(Utc::now());
    let row = row
        .update(tx)
        .await
        .map_err(|err| on_unique_violation(err, name_taken))?;
    if row.rank != old_rank {
        // The public list orders by the rank copied onto each sponsorship.
        Sponsorships::update_many()
            .col_expr(sponsorship::Column::TierRank, Expr::value(row.rank))
            .filter(sponsorship::Column::TierId.eq(row.id))
            .exec(tx)
            .await?;
    }
    audit_tier(tx, viewer, AuditAction::SponsorTierUpdated, &row).await?;
    Ok(row)
}

/// Offers a tier: sponsorships can be recorded at it.
pub async fn publish(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<sponsor_tier::Model> {
    let changes = TierChanges {
        state: Some(TierState::Published),
        ..TierChanges::default()
    };
    update(tx, viewer, id, changes).await
}

/// Stops offering a tier; sponsorships already at it keep it.
pub async fn retire(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<sponsor_tier::Model> {
    let changes = TierChanges {
        state: Some(TierState::Retired),
        ..TierChanges::default()
    };
    update(tx, viewer, id, changes).await
}

fn name_taken() -> ApiError {
    ApiError::conflict("a tier with this name exists")
}

/// Benefits are stored as a JSON array of strings.
fn benefits_json(benefits: &[String]) -> String {
    json!(benefits).to_string()
}

async fn audit_tier(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    row: &sponsor_tier::Model,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::SponsorTier,
            subject_id: row.id,
            summary: json!({
                "name": row.name,
                "rank": row.rank,
                "minimumYearlyMinor": row.minimum_yearly_minor.to_string(),
                "currency": row.currency,
                "voteWeight": row.vote_weight,
                "benefits": row.benefits,
                "state": row.state.to_value(),
            }),
        },
    )
    .await
}
