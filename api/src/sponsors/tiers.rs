//! Sponsor tiers: read by everyone, shaped by ADMIN and the TREASURER.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{prelude::SponsorTier as Tiers, sponsor_tier};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

use crate::{
    AppState,
    audit::{self, Actor, Entry},
    auth::{Role, RoleGuard, Viewer},
    db::begin_write,
    error::{ApiError, ApiResult, on_unique_violation},
    ids::{self, NodeKind, key_of},
    money::{Currency, Money},
};

/// Whether a tier can be chosen.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TierState {
    /// Being prepared; not offered yet.
    Draft,
    /// Offered: sponsorships can be recorded at it.
    Published,
    /// No longer offered; existing sponsorships keep it.
    Retired,
}

impl TierState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Published => "PUBLISHED",
            Self::Retired => "RETIRED",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "PUBLISHED" => Self::Published,
            "RETIRED" => Self::Retired,
            _ => Self::Draft,
        }
    }
}

/// The tier row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct SponsorTier(pub sponsor_tier::Model);

impl NodeKind for SponsorTier {
    const KIND: &'static str = "SponsorTier";
}

impl SponsorTier {
    pub fn minimum(&self) -> ApiResult<Money> {
        Ok(Money::new(
            self.0.minimum_yearly_minor,
            Currency::parse(&self.0.currency, "currency")?,
        ))
    }
}

/// A level of sponsorship, with its yearly minimum, vote weight and benefits.
#[Object]
impl SponsorTier {
    /// The tier's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The tier's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Placement in lists: 1 comes first.
    async fn rank(&self) -> i32 {
        self.0.rank
    }

    /// The least a sponsorship at this tier pays per year.
    async fn minimum_yearly(&self) -> ApiResult<Money> {
        self.minimum()
    }

    /// The vote weight of a Sponsor membership at this tier, before the influence cap.
    async fn vote_weight(&self) -> i32 {
        self.0.vote_weight
    }

    /// What sponsors at this tier receive.
    async fn benefits(&self) -> Vec<String> {
        serde_json::from_str(&self.0.benefits).unwrap_or_default()
    }

    /// Whether it is offered.
    async fn state(&self) -> TierState {
        TierState::parse(&self.0.state)
    }
}

/// Who may see and shape tiers that are not published.
fn manages_tiers(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Admin) || viewer.has_role(Role::Treasurer)
}

#[derive(Default)]
pub struct SponsorTierQuery;

#[Object]
impl SponsorTierQuery {
    /// The sponsor tiers, by rank. Everyone sees published tiers; ADMIN and the TREASURER may
    /// ask for drafts and retired ones with `state`.
    async fn sponsor_tiers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tiers in this state (default PUBLISHED).")] state: Option<TierState>,
    ) -> ApiResult<Vec<SponsorTier>> {
        let state = state.unwrap_or(TierState::Published);
        if state != TierState::Published && !manages_tiers(Viewer::of(ctx)) {
            return Err(ApiError::forbidden(
                "only ADMIN and the TREASURER see unpublished tiers",
            ));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let rows = Tiers::find()
            .filter(sponsor_tier::Column::State.eq(state.as_str()))
            .order_by_asc(sponsor_tier::Column::Rank)
            .order_by_asc(sponsor_tier::Column::Name)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(SponsorTier).collect())
    }
}

/// Input of `createSponsorTier`.
#[derive(InputObject)]
pub struct CreateSponsorTierInput {
    /// A unique name.
    pub name: String,
    /// Placement in lists: 1 comes first.
    pub rank: i32,
    /// The yearly minimum in minor units, as a decimal string.
    pub minimum_yearly_minor: String,
    /// Its ISO 4217 currency.
    pub currency: String,
    /// The vote weight of a Sponsor membership at this tier.
    pub vote_weight: i32,
    /// What sponsors receive.
    #[graphql(default)]
    pub benefits: Vec<String>,
    /// Its state (default DRAFT).
    pub state: Option<TierState>,
}

/// Input of `updateSponsorTier`: the fields left out keep their values.
#[derive(InputObject)]
pub struct UpdateSponsorTierInput {
    /// The tier.
    pub id: ID,
    /// A new unique name.
    pub name: Option<String>,
    /// A new rank.
    pub rank: Option<i32>,
    /// A new yearly minimum in minor units (in the tier's currency).
    pub minimum_yearly_minor: Option<String>,
    /// A new vote weight; sponsorships recorded later use it.
    pub vote_weight: Option<i32>,
    /// New benefits.
    pub benefits: Option<Vec<String>>,
    /// A new state: publish or retire it.
    pub state: Option<TierState>,
}

/// The tier after the change.
#[derive(SimpleObject)]
pub struct SponsorTierPayload {
    /// The tier.
    pub tier: SponsorTier,
}

#[derive(Default)]
pub struct SponsorTierMutation;

fn tier_name(raw: &str) -> ApiResult<String> {
    crate::input::text(raw, "input.name", 100)
}

fn rank(value: i32) -> ApiResult<i32> {
    if (1..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(
            "input.rank",
            "`input.rank` must be between 1 and 1000",
        ))
    }
}

fn weight(value: i32) -> ApiResult<i32> {
    if (0..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(
            "input.voteWeight",
            "`input.voteWeight` must be between 0 and 1000",
        ))
    }
}

fn benefits(values: &[String]) -> ApiResult<String> {
    if values.len() > 50
        || values
            .iter()
            .any(|b| b.trim().is_empty() || b.chars().count() > 500)
    {
        return Err(ApiError::bad_input(
            "input.benefits",
            "give at most 50 benefits of 1 to 500 characters",
        ));
    }
    Ok(json!(values.iter().map(|b| b.trim()).collect::<Vec<_>>()).to_string())
}

#[Object]
impl SponsorTierMutation {
    /// Creates a sponsor tier. ADMIN or TREASURER; audited.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin, Role::Treasurer])")]
    async fn create_sponsor_tier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CreateSponsorTierInput,
    ) -> ApiResult<SponsorTierPayload> {
        let state = ctx.data::<AppState>()?;
        let minimum = Money::parse(
            &input.minimum_yearly_minor,
            &input.currency,
            "input.minimumYearlyMinor",
            "input.currency",
        )?;
        let now = Utc::now();
        let tx = begin_write(&state.db).await?;
        let row = sponsor_tier::ActiveModel {
            id: Set(ids::new_key()),
            name: Set(tier_name(&input.name)?),
            rank: Set(rank(input.rank)?),
            minimum_yearly_minor: Set(minimum.amount_minor()),
            currency: Set(minimum.currency().code().to_owned()),
            vote_weight: Set(weight(input.vote_weight)?),
            benefits: Set(benefits(&input.benefits)?),
            state: Set(input.state.unwrap_or(TierState::Draft).as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || ApiError::conflict("a tier with this name exists"))
        })?;
        audit_tier(&tx, ctx, "sponsor_tier.created", &row).await?;
        tx.commit().await?;
        Ok(SponsorTierPayload {
            tier: SponsorTier(row),
        })
    }

    /// Changes a sponsor tier: publish it, retire it, or edit it. ADMIN or TREASURER; audited.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin, Role::Treasurer])")]
    async fn update_sponsor_tier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: UpdateSponsorTierInput,
    ) -> ApiResult<SponsorTierPayload> {
        let state = ctx.data::<AppState>()?;
        let id = key_of::<SponsorTier>(&input.id, "input.id")?;
        let tx = begin_write(&state.db).await?;
        let current = Tiers::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or_else(|| ApiError::not_found("sponsor tier"))?;
        let currency = current.currency.clone();
        let mut row = current.into_active_model();
        if let Some(name) = &input.name {
            row.name = Set(tier_name(name)?);
        }
        if let Some(value) = input.rank {
            row.rank = Set(rank(value)?);
        }
        if let Some(minimum) = &input.minimum_yearly_minor {
            let money = Money::parse(
                minimum,
                &currency,
                "input.minimumYearlyMinor",
                "input.currency",
            )?;
            row.minimum_yearly_minor = Set(money.amount_minor());
        }
        if let Some(value) = input.vote_weight {
            row.vote_weight = Set(weight(value)?);
        }
        if let Some(values) = &input.benefits {
            row.benefits = Set(benefits(values)?);
        }
        if let Some(value) = input.state {
            row.state = Set(value.as_str().to_owned());
        }
        row.updated_at = Set(Utc::now());
        let row = row.update(&tx).await.map_err(|err| {
            on_unique_violation(err, || ApiError::conflict("a tier with this name exists"))
        })?;
        audit_tier(&tx, ctx, "sponsor_tier.updated", &row).await?;
        tx.commit().await?;
        Ok(SponsorTierPayload {
            tier: SponsorTier(row),
        })
    }
}

async fn audit_tier(
    tx: &sea_orm::DatabaseTransaction,
    ctx: &Context<'_>,
    action: &str,
    row: &sponsor_tier::Model,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(Viewer::of(ctx)),
            action,
            subject_kind: "SponsorTier",
            subject_id: row.id,
            summary: json!({
                "name": row.name,
                "rank": row.rank,
                "minimumYearlyMinor": row.minimum_yearly_minor.to_string(),
                "currency": row.currency,
                "voteWeight": row.vote_weight,
                "benefits": row.benefits,
                "state": row.state,
            }),
        },
    )
    .await
}
