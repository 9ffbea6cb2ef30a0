//! The `Sponsorship`, `Contribution` and `SponsorActivity` GraphQL types.

use async_graphql::{Context, ID, Object};
use chrono::{NaiveDate, Utc};
use entity::{contribution, prelude::Contribution as Contributions, sponsor_activity, sponsorship};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoSimpleExpr, QueryFilter, Value};
use uuid::Uuid;

use entity::outbox_event::WebhookEvent;
pub use entity::{contribution::ContributionKind, sponsor_activity::SponsorActivityKind};

use crate::{
    auth::{Role, Viewer},
    error::{ApiError, ApiResult},
    holders::{Holder, types::MembershipHolder},
    ids::{self, NodeKind},
    loaders::loader,
    money::{Currency, Money},
    pagination::{CompositeKey, CursorKey, PageArgs, cost, fetch_keyset_page},
    sponsors::{
        list::{PublicSponsor, PublicTier, public_sponsor_id},
        loader::{ConsentLoader, ContributionTotalLoader, SponsorshipLoader, TierLoader},
        status::{self, SponsorshipStatus},
        tiers::SponsorTier,
    },
    time::{Date, DateTime},
};

/// The sponsorship row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Sponsorship(pub sponsorship::Model);

impl NodeKind for Sponsorship {
    const KIND: &'static str = "Sponsorship";
}

impl Sponsorship {
    pub fn sponsor_entity(&self) -> ApiResult<Holder> {
        Holder::from_columns(self.0.sponsor_account_id, self.0.sponsor_organization_id)
    }

    /// The treasurer, administrators and the sponsor itself see a sponsorship; the public sees
    /// only the sponsor list.
    pub async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        if viewer.has_role(Role::Treasurer) || viewer.has_role(Role::Admin) {
            return Ok(true);
        }
        self.sponsor_entity()?.is_viewer(ctx).await
    }

    fn currency(&self) -> ApiResult<Currency> {
        Currency::parse(&self.0.currency, "currency")
    }
}

impl Sponsorship {
    /// The sponsor's display consent, read through the loader.
    async fn consent(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(loader::<ConsentLoader>(ctx)?
            .load_one(self.0.sponsor_key.clone())
            .await?
            .unwrap_or(false))
    }
}

/// Support from a sponsor at a tier for a period. Seen by the treasurer, administrators and the
/// sponsor.
#[Object]
impl Sponsorship {
    /// The sponsorship's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// Where it stands today.
    async fn status(&self) -> SponsorshipStatus {
        status::effective(&self.0, Utc::now().date_naive())
    }

    /// The tier.
    async fn tier(&self, ctx: &Context<'_>) -> ApiResult<SponsorTier> {
        loader::<TierLoader>(ctx)?
            .load_one(self.0.tier_id)
            .await?
            .map(SponsorTier)
            .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))
    }

    /// The sponsor: a person or an organization.
    async fn sponsor(&self, ctx: &Context<'_>) -> ApiResult<Option<MembershipHolder>> {
        self.sponsor_entity()?.load(ctx).await
    }

    /// The amount pledged for the period.
    async fn amount(&self) -> ApiResult<Money> {
        Ok(Money::new(self.0.amount_minor, self.currency()?))
    }

    /// The first day.
    async fn starts_on(&self) -> Date {
        self.0.starts_on.into()
    }

    /// The day it ends: it runs up to this day, not on it.
    async fn ends_on(&self) -> Date {
        self.0.ends_on.into()
    }

    /// The start of the sponsor's unbroken support, which orders the public list.
    async fn sponsor_since(&self) -> Date {
        self.0.sponsor_since.into()
    }

    /// Whether the sponsor means to renew.
    async fn auto_renew(&self) -> bool {
        self.0.auto_renew
    }

    /// What is given in kind: hardware, services, staff time.
    async fn in_kind_description(&self) -> Option<&str> {
        self.0.in_kind_description.as_deref()
    }

    /// Whether the sponsor is shown in public (its name, logo and URL): the sponsor's consent,
    /// which covers all its sponsorships. The same name as `Membership.disclosed`.
    async fn disclosed(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        self.consent(ctx).await
    }

    /// The same as `disclosed`, by its former name.
    #[graphql(deprecation = "Use `disclosed`, the name every type uses for it.")]
    async fn disclose(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        self.consent(ctx).await
    }

    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// What was received under it, oldest first.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many contributions to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return contributions after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many contributions to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return contributions before this cursor.")] before: Option<String>,
    ) -> ApiResult<ContributionConnection> {
        let page = PageArgs::new(first, after, last, before).parse::<Received>()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let query = Contributions::find().filter(contribution::Column::SponsorshipId.eq(self.0.id));
        let order = [
            contribution::Column::ReceivedOn.into_simple_expr(),
            contribution::Column::Id.into_simple_expr(),
        ];
        let page = fetch_keyset_page(db, query, &order, Received::of, &page).await?;
        Ok(page.map(Contribution).into())
    }

    /// The sum of what was received, computed in SQL.
    async fn contributed(&self, ctx: &Context<'_>) -> ApiResult<Money> {
        let total = loader::<ContributionTotalLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or(0);
        Ok(Money::total(total, self.currency()?))
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// The place of a contribution in a sponsorship's ledger: the day received, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Received {
    on: NaiveDate,
    id: Uuid,
}

impl Received {
    fn of(row: &contribution::Model) -> Self {
        Self {
            on: row.received_on,
            id: row.id,
        }
    }
}

impl CursorKey for Received {
    fn to_text(self) -> String {
        format!("{}:{}", self.on, self.id)
    }

    fn from_text(text: &str) -> Option<Self> {
        let (on, id) = text.split_once(':')?;
        Some(Self {
            on: on.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

impl CompositeKey for Received {
    fn values(self) -> Vec<Value> {
        vec![self.on.into(), self.id.into()]
    }
}

/// The contribution row.
#[derive(Clone, Debug)]
pub struct Contribution(pub contribution::Model);

impl NodeKind for Contribution {
    const KIND: &'static str = "Contribution";
}

/// An entry of the ledger: what was received, when.
#[Object]
impl Contribution {
    /// The contribution's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The amount, exact.
    async fn amount(&self) -> ApiResult<Money> {
        Ok(Money::new(
            self.0.amount_minor,
            Currency::parse(&self.0.currency, "currency")?,
        ))
    }

    /// Money or in kind.
    async fn kind(&self) -> ContributionKind {
        self.0.kind
    }

    /// The day it was received.
    async fn received_on(&self) -> Date {
        self.0.received_on.into()
    }

    /// The treasurer's note.
    async fn note(&self) -> &str {
        &self.0.note
    }
}

crate::connection!(ContributionConnection, ContributionEdge, Contribution);
crate::connection!(SponsorshipConnection, SponsorshipEdge, Sponsorship);

/// The activity row.
#[derive(Clone, Debug)]
pub struct SponsorActivity(pub sponsor_activity::Model);

/// A change in the sponsor list, for integrations that sync.
#[Object]
impl SponsorActivity {
    /// What happened, by the name webhooks use for it (`SPONSORSHIP_RENEWED` is the event
    /// `sponsorship.renewed`): one name across the feed, webhooks and their payloads.
    async fn event(&self) -> WebhookEvent {
        self.0.kind.event()
    }

    /// What happened, by the feed's old names.
    #[graphql(deprecation = "Use `event`: the same change, named as webhooks name it.")]
    async fn kind(&self) -> SponsorActivityKind {
        self.0.kind
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        self.0.occurred_at.into()
    }

    /// The sponsor, as the public list shows it.
    async fn sponsor(&self, ctx: &Context<'_>) -> ApiResult<PublicSponsor> {
        let sponsorship = loader::<SponsorshipLoader>(ctx)?
            .load_one(self.0.sponsorship_id)
            .await?
            .ok_or_else(|| ApiError::internal("an activity's sponsorship is missing"))?;
        let holder = Holder::from_columns(
            sponsorship.sponsor_account_id,
            sponsorship.sponsor_organization_id,
        )?;
        let tier = loader::<TierLoader>(ctx)?
            .load_one(sponsorship.tier_id)
            .await?
            .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))?;
        let (display_name, website_url, logo_url) = match holder.load(ctx).await? {
            Some(MembershipHolder::Organization(org)) => {
                (org.0.name, org.0.website_url, org.0.logo_url)
            }
            Some(MembershipHolder::Account(account)) => (account.row.display_name, None, None),
            None => (String::new(), None, None),
        };
        Ok(PublicSponsor {
            id: public_sponsor_id(
                sponsorship.sponsor_account_id,
                sponsorship.sponsor_organization_id,
            ),
            display_name,
            website_url,
            logo_url,
            sponsor_since: sponsorship.sponsor_since.into(),
            since: sponsorship.sponsor_since.into(),
            tier: PublicTier::of(&tier),
        })
    }

    /// The tier before a tier change.
    async fn previous_tier(&self, ctx: &Context<'_>) -> ApiResult<Option<PublicTier>> {
        let Some(id) = self.0.previous_tier_id else {
            return Ok(None);
        };
        Ok(loader::<TierLoader>(ctx)?
            .load_one(id)
            .await?
            .map(|tier| PublicTier::of(&tier)))
    }
}

crate::connection!(
    SponsorActivityConnection,
    SponsorActivityEdge,
    SponsorActivity
);

/// What sponsorships can be sorted by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SponsorshipOrderField {
    /// The sponsor's name (a person's display name or an organization's name), ignoring case.
    Name,
    /// The first day.
    StartsOn,
    /// The day it ends.
    EndsOn,
}

/// An order for `sponsorships`.
#[derive(async_graphql::InputObject, Clone, Copy, Debug)]
pub struct SponsorshipOrder {
    /// What to sort by.
    pub field: SponsorshipOrderField,
    /// Which way; ascending by default.
    #[graphql(default)]
    pub direction: crate::pagination::SortDirection,
}

impl SponsorshipOrder {
    /// The SQL order, given the SQL of the sponsor's name.
    pub fn sort(self, name_sql: &str) -> crate::pagination::SortOrder {
        use crate::pagination::date_text;
        let (name, expr) = match self.field {
            SponsorshipOrderField::Name => ("NAME", crate::holders::name_order(name_sql)),
            SponsorshipOrderField::StartsOn => {
                ("STARTS_ON", date_text("sponsorships", "starts_on"))
            }
            SponsorshipOrderField::EndsOn => ("ENDS_ON", date_text("sponsorships", "ends_on")),
        };
        crate::pagination::SortOrder {
            name,
            expr,
            direction: self.direction,
        }
    }
}
