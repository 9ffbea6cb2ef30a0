//! Sponsor tiers: read by everyone, shaped by ADMIN and the TREASURER.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{prelude::SponsorTier as Tiers, sponsor_tier};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::{Role, RoleGuard, Viewer},
    error::{ApiError, ApiResult},
    ids::{self, NodeKind, key_of},
    money::{Currency, Money},
    resolve::run,
    sponsors::commands::tier::{self, NewTier, TierChanges},
};

pub use entity::sponsor_tier::TierState;

/// The tier row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct SponsorTier(pub sponsor_tier::Model);

impl NodeKind for SponsorTier {
    const KIND: &'static str = ids::kind::SponsorTier::KIND;
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
        self.0.state
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
    #[graphql(cache_control(private))]
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
            .filter(sponsor_tier::Column::State.eq(state))
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
    crate::input::name(raw, &crate::field!(input.name), 100)
}

fn rank(value: i32) -> ApiResult<i32> {
    if (1..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(
            crate::field!(input.rank),
            "The rank must be between 1 and 1000.",
        ))
    }
}

fn weight(value: i32) -> ApiResult<i32> {
    if (0..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(
            crate::field!(input.vote_weight),
            "The vote weight must be between 0 and 1000.",
        ))
    }
}

fn benefits(values: &[String]) -> ApiResult<Vec<String>> {
    let field = crate::field!(input.benefits);
    if values.len() > 50 {
        return Err(ApiError::bad_input(
            field,
            "give at most 50 benefits of 1 to 500 characters",
        ));
    }
    // Public text: checked like any other, control characters refused.
    values
        .iter()
        .map(|benefit| crate::input::text(benefit, &field, 500))
        .collect()
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
        let input = input.parse()?;
        let row = run(ctx, input, tier::create).await?;
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
        let id = key_of::<SponsorTier>(&input.id, &crate::field!(input.id))?;
        let changes = input.parse()?;
        let row = run(ctx, changes, async |tx, viewer, changes| {
            tier::update(tx, viewer, id, changes).await
        })
        .await?;
        Ok(SponsorTierPayload {
            tier: SponsorTier(row),
        })
    }
}

impl CreateSponsorTierInput {
    fn parse(self) -> ApiResult<NewTier> {
        Ok(NewTier {
            minimum_yearly: Money::parse(
                &self.minimum_yearly_minor,
                &self.currency,
                &crate::field!(input.minimum_yearly_minor),
                &crate::field!(input.currency),
            )?,
            name: tier_name(&self.name)?,
            rank: rank(self.rank)?,
            vote_weight: weight(self.vote_weight)?,
            benefits: benefits(&self.benefits)?,
            state: self.state.unwrap_or(TierState::Draft),
        })
    }
}

impl UpdateSponsorTierInput {
    fn parse(self) -> ApiResult<TierChanges> {
        // A tier keeps its currency, so only the amount is read here; any known currency
        // checks its digits the same way.
        let minimum_yearly_minor = self
            .minimum_yearly_minor
            .map(|minimum| {
                Money::parse(
                    &minimum,
                    "USD",
                    &crate::field!(input.minimum_yearly_minor),
                    &crate::field!(input.currency),
                )
                .and_then(|money| money.stored_minor())
            })
            .transpose()?;
        Ok(TierChanges {
            name: self.name.as_deref().map(tier_name).transpose()?,
            rank: self.rank.map(rank).transpose()?,
            minimum_yearly_minor,
            vote_weight: self.vote_weight.map(weight).transpose()?,
            benefits: self.benefits.as_deref().map(benefits).transpose()?,
            state: self.state,
        })
    }
}
