//! The public sponsor list: active sponsorships of sponsors that consent to be shown, by tier
//! rank and then sponsor-since. One query joins tier and sponsor, and reads the page off the
//! `sponsorships_public_order` index (status, tier rank, sponsor-since, id): a page costs one
//! select that reads about as many index entries as it shows; the count only when asked for.

use async_graphql::{ID, SimpleObject};
use chrono::NaiveDate;
use entity::{account, organization, sponsor_tier, sponsorship};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoSimpleExpr, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select, Value,
    sea_query::{Expr, ExprTrait, Func, SimpleExpr},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    pagination::{CompositeKey, CursorKey, Page, PageOf, assemble, fetch_keyset_rows},
    public_cache::ListCountKey,
    sponsors::{consent, status::active_on},
    time::Date,
};

/// A row of the public list, as joined from sponsorship, tier and sponsor.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PublicSponsorRow {
    pub sponsorship_id: Uuid,
    pub sponsor_account_id: Option<Uuid>,
    pub sponsor_organization_id: Option<Uuid>,
    pub tier_id: Uuid,
    pub sponsor_since: NaiveDate,
    pub tier_name: String,
    /// The rank copied onto the sponsorship, which orders the list.
    pub tier_rank: i32,
    pub organization_name: Option<String>,
    pub organization_website_url: Option<String>,
    pub organization_logo_url: Option<String>,
    pub account_display_name: Option<String>,
}

/// The tier of a public sponsor, as the list shows it.
#[derive(Clone, Debug, Serialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct PublicTier {
    /// The tier's opaque global ID, the same as `SponsorTier.id`: `sponsors(tier:)` takes it.
    pub id: ID,
    /// The tier's name.
    pub name: String,
    /// Its rank: 1 comes first.
    pub rank: i32,
}

/// A sponsor on the public list: what integrations and the sponsor wall show.
#[derive(Clone, Debug, Serialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct PublicSponsor {
    /// The sponsor's stable opaque ID: the same on every page, in every feed and in
    /// `sponsorActivities`, whichever sponsorship lists it. A key for lists and joins, and for
    /// `node(id:)`.
    #[graphql(owned)]
    pub id: ID,
    /// The organization's name, or the person's display name.
    pub display_name: String,
    /// The sponsor's website, if it has one.
    pub website_url: Option<String>,
    /// The sponsor's logo, if it has one.
    pub logo_url: Option<String>,
    /// The start of the sponsor's unbroken support, which orders the list within a tier: the
    /// same date as `since`, under its old name.
    #[serde(serialize_with = "serialize_date")]
    #[graphql(deprecation = "Use `since`, the same date.")]
    pub sponsor_since: Date,
    /// The same date as `sponsorSince`, under the name the published API contract gives the
    /// public list (`sponsors { nodes { since } }`).
    #[serde(skip)]
    pub since: Date,
    /// The tier.
    pub tier: PublicTier,
}

fn serialize_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&date.0.format("%Y-%m-%d"))
}

/// The kind inside a public sponsor's ID. The key is the sponsor's (an organization's or a
/// person's), so the ID follows the sponsor, not one sponsorship.
pub struct PublicSponsorKind;

impl NodeKind for PublicSponsorKind {
    const KIND: &'static str = "PublicSponsor";
}

/// The public ID of the sponsor held in these columns.
pub fn public_sponsor_id(account: Option<Uuid>, organization: Option<Uuid>) -> ID {
    ids::id_of::<PublicSponsorKind>(organization.or(account).unwrap_or_default())
}

impl PublicTier {
    /// The public view of a tier row.
    pub fn of(tier: &sponsor_tier::Model) -> Self {
        Self {
            id: ids::id_of::<ids::kind::SponsorTier>(tier.id),
            name: tier.name.clone(),
            rank: tier.rank,
        }
    }
}

impl From<PublicSponsorRow> for PublicSponsor {
    fn from(row: PublicSponsorRow) -> Self {
        Self {
            id: public_sponsor_id(row.sponsor_account_id, row.sponsor_organization_id),
            display_name: row
                .organization_name
                .or(row.account_display_name)
                .unwrap_or_default(),
            website_url: row.organization_website_url,
            logo_url: row.organization_logo_url,
            sponsor_since: row.sponsor_since.into(),
            since: row.sponsor_since.into(),
            tier: PublicTier {
                id: ids::id_of::<ids::kind::SponsorTier>(row.tier_id),
                name: row.tier_name,
                rank: row.tier_rank,
            },
        }
    }
}

/// The place of a row in the list's order: tier rank, sponsor-since, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    rank: i32,
    since: NaiveDate,
    id: Uuid,
}

impl Position {
    fn of(row: &PublicSponsorRow) -> Self {
        Self {
            rank: row.tier_rank,
            since: row.sponsor_since,
            id: row.sponsorship_id,
        }
    }
}

impl CursorKey for Position {
    fn to_text(self) -> String {
        format!("{}:{}:{}", self.rank, self.since, self.id)
    }

    fn from_text(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, ':');
        Some(Self {
            rank: parts.next()?.parse().ok()?,
            since: parts.next()?.parse().ok()?,
            id: parts.next()?.parse().ok()?,
        })
    }
}

impl CompositeKey for Position {
    fn values(self) -> Vec<Value> {
        vec![self.rank.into(), self.since.into(), self.id.into()]
    }
}

/// The list's order, matching [`Position`].
fn order() -> [SimpleExpr; 3] {
    [
        sponsorship::Column::TierRank.into_simple_expr(),
        sponsorship::Column::SponsorSince.into_simple_expr(),
        sponsorship::Column::Id.into_simple_expr(),
    ]
}

/// Which part of the list to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only sponsors at the tier with this key.
    pub tier: Option<Uuid>,
    /// Only sponsors at the tier with this key, found by its name ([`tier_named`]). Beside
    /// `tier`, both must hold.
    pub named: Option<Uuid>,
}

/// The tier whose name is `name`, ignoring case (names are unique so, by an index on
/// `lower(name)`). A name no tier has is `BAD_USER_INPUT` on `tierName`, not an empty list.
pub async fn tier_named(db: &impl ConnectionTrait, name: &str) -> ApiResult<Uuid> {
    let name_folded = Expr::expr(Func::lower(sponsor_tier::Column::Name.into_simple_expr()));
    sponsor_tier::Entity::find()
        .select_only()
        .column(sponsor_tier::Column::Id)
        .filter(name_folded.eq(Func::lower(Expr::val(name.trim()))))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(
                crate::field!(tier_name),
                format!("There is no sponsor tier named \"{}\".", name.trim()),
            )
        })
}

impl Filter {
    /// What the public cache keeps the count of this part of the list on `day` under.
    pub fn count_key(&self, day: NaiveDate) -> ListCountKey {
        ListCountKey {
            day,
            tier: self.tier,
            named: self.named,
        }
    }
}

/// Sponsorships active on `today` of sponsors that consent to be shown, with tier and sponsor
/// joined.
fn query(today: NaiveDate, filter: &Filter) -> Select<entity::prelude::Sponsorship> {
    let mut select = entity::prelude::Sponsorship::find()
        .select_only()
        .column_as(sponsorship::Column::Id, "sponsorship_id")
        .column_as(sponsorship::Column::SponsorAccountId, "sponsor_account_id")
        .column_as(
            sponsorship::Column::SponsorOrganizationId,
            "sponsor_organization_id",
        )
        .column_as(sponsorship::Column::TierId, "tier_id")
        .column_as(sponsorship::Column::SponsorSince, "sponsor_since")
        .column_as(sponsor_tier::Column::Name, "tier_name")
        .column_as(sponsorship::Column::TierRank, "tier_rank")
        .column_as(organization::Column::Name, "organization_name")
        .column_as(organization::Column::WebsiteUrl, "organization_website_url")
        .column_as(organization::Column::LogoUrl, "organization_logo_url")
        .column_as(account::Column::DisplayName, "account_display_name")
        .join(JoinType::InnerJoin, sponsorship::Relation::Tier.def())
        .join(
            JoinType::LeftJoin,
            sponsorship::Relation::Organization.def(),
        )
        .join(JoinType::LeftJoin, sponsorship::Relation::Account.def())
        .filter(active_on(today))
        .filter(consent::shown());
    if let Some(tier) = filter.tier {
        select = select.filter(sponsorship::Column::TierId.eq(tier));
    }
    if let Some(tier) = filter.named {
        select = select.filter(sponsorship::Column::TierId.eq(tier));
    }
    select
}

/// One page of the public list on `today`, optionally of one tier: one statement, which reads
/// the page's entries of the `sponsorships_public_order` index. Its `total_count` is left at 0;
/// [`count`] gives it when asked for.
pub async fn page(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    filter: &Filter,
    page: &Page<Position>,
) -> ApiResult<PageOf<PublicSponsor>> {
    let rows =
        fetch_keyset_rows::<_, PublicSponsorRow, _>(db, query(today, filter), &order(), page)
            .await?;
    Ok(assemble(rows, page, Position::of, 0).map(PublicSponsor::from))
}

/// How many sponsors the list holds on `today`, with `filter`.
pub async fn count(db: &impl ConnectionTrait, today: NaiveDate, filter: &Filter) -> ApiResult<u64> {
    Ok(query(today, filter).count(db).await?)
}

/// The whole public list, for the feeds.
pub async fn all(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<Vec<PublicSponsor>> {
    let mut select = query(today, &Filter::default());
    for column in order() {
        select = select.order_by_asc(column);
    }
    let rows = select.into_model::<PublicSponsorRow>().all(db).await?;
    Ok(rows.into_iter().map(PublicSponsor::from).collect())
}

/// The sponsor with this key (an organization's or a person's) as the public list shows it on
/// `today`, if it is listed: for `node(id:)`. One statement.
pub async fn one(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    sponsor: Uuid,
) -> ApiResult<Option<PublicSponsor>> {
    let mut select = query(today, &Filter::default()).filter(
        sea_orm::Condition::any()
            .add(sponsorship::Column::SponsorOrganizationId.eq(sponsor))
            .add(sponsorship::Column::SponsorAccountId.eq(sponsor)),
    );
    for column in order() {
        select = select.order_by_asc(column);
    }
    let row = select.into_model::<PublicSponsorRow>().one(db).await?;
    Ok(row.map(PublicSponsor::from))
}

crate::connection!(PublicSponsorConnection, PublicSponsorEdge, PublicSponsor);
