//! The public sponsor list: active sponsorships with display consent, by tier rank and then
//! sponsor-since. One query joins tier and sponsor, so a page costs a count and a select.

use async_graphql::SimpleObject;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use entity::{account, organization, sponsor_tier, sponsorship};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageInfo, PageOf},
    sponsors::status::active_on,
    time::Date,
};

/// A row of the public list, as joined from sponsorship, tier and sponsor.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PublicSponsorRow {
    pub sponsorship_id: Uuid,
    pub sponsor_since: NaiveDate,
    pub tier_name: String,
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
    /// The tier's name.
    pub name: String,
    /// Its rank: 1 comes first.
    pub rank: i32,
}

/// A sponsor on the public list: what integrations and the sponsor wall show.
#[derive(Clone, Debug, Serialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct PublicSponsor {
    /// The organization's name, or the person's display name.
    pub display_name: String,
    /// The sponsor's website, if it has one.
    pub website_url: Option<String>,
    /// The sponsor's logo, if it has one.
    pub logo_url: Option<String>,
    /// The start of the sponsor's unbroken support.
    #[serde(serialize_with = "serialize_date")]
    pub since: Date,
    /// The tier.
    pub tier: PublicTier,
}

fn serialize_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&date.0.format("%Y-%m-%d"))
}

impl From<PublicSponsorRow> for PublicSponsor {
    fn from(row: PublicSponsorRow) -> Self {
        Self {
            display_name: row
                .organization_name
                .or(row.account_display_name)
                .unwrap_or_default(),
            website_url: row.organization_website_url,
            logo_url: row.organization_logo_url,
            since: row.sponsor_since.into(),
            tier: PublicTier {
                name: row.tier_name,
                rank: row.tier_rank,
            },
        }
    }
}

/// The place of a row in the list's order: tier rank, sponsor-since, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Position {
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

    fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("sponsor:{}:{}:{}", self.rank, self.since, self.id))
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let mut parts = text.strip_prefix("sponsor:")?.splitn(3, ':');
        Some(Self {
            rank: parts.next()?.parse().ok()?,
            since: parts.next()?.parse().ok()?,
            id: parts.next()?.parse().ok()?,
        })
    }

    /// Rows after this one in the list's order.
    fn after(self) -> Condition {
        let rank = sponsor_tier::Column::Rank;
        let since = sponsorship::Column::SponsorSince;
        Condition::any()
            .add(rank.gt(self.rank))
            .add(
                Condition::all()
                    .add(rank.eq(self.rank))
                    .add(since.gt(self.since)),
            )
            .add(
                Condition::all()
                    .add(rank.eq(self.rank))
                    .add(since.eq(self.since))
                    .add(sponsorship::Column::Id.gt(self.id)),
            )
    }
}

/// Active, disclosed sponsorships on `today`, with tier and sponsor joined, in list order.
fn query(today: NaiveDate, tier: Option<Uuid>) -> Select<entity::prelude::Sponsorship> {
    let mut select = entity::prelude::Sponsorship::find()
        .select_only()
        .column_as(sponsorship::Column::Id, "sponsorship_id")
        .column_as(sponsorship::Column::SponsorSince, "sponsor_since")
        .column_as(sponsor_tier::Column::Name, "tier_name")
        .column_as(sponsor_tier::Column::Rank, "tier_rank")
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
        .filter(sponsorship::Column::Disclose.eq(true));
    if let Some(tier) = tier {
        select = select.filter(sponsorship::Column::TierId.eq(tier));
    }
    select
        .order_by_asc(sponsor_tier::Column::Rank)
        .order_by_asc(sponsorship::Column::SponsorSince)
        .order_by_asc(sponsorship::Column::Id)
}

/// One page of the public list, forward from `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    tier: Option<Uuid>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<PageOf<PublicSponsor>> {
    let size = match first {
        None => DEFAULT_PAGE_SIZE,
        Some(n) if n < 0 => {
            return Err(ApiError::bad_input("first", "`first` must not be negative"));
        }
        Some(n) if u64::from(n.unsigned_abs()) > MAX_PAGE_SIZE => {
            return Err(ApiError::bad_input(
                "first",
                format!("`first` may be at most {MAX_PAGE_SIZE}"),
            ));
        }
        Some(n) => u64::from(n.unsigned_abs()),
    };
    let from = after
        .map(|cursor| {
            Position::decode(&cursor).ok_or_else(|| {
                ApiError::bad_input("after", "`after` is not a cursor from this list")
            })
        })
        .transpose()?;
    let total_count = query(today, tier).count(db).await?;
    let mut select = query(today, tier);
    if let Some(from) = from {
        select = select.filter(from.after());
    }
    let mut rows = select
        .limit(size + 1)
        .into_model::<PublicSponsorRow>()
        .all(db)
        .await?;
    let has_next_page = rows.len() as u64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    let edges: Vec<(String, PublicSponsor)> = rows
        .into_iter()
        .map(|row| (Position::of(&row).encode(), row.into()))
        .collect();
    Ok(PageOf {
        page_info: PageInfo {
            has_previous_page: from.is_some(),
            has_next_page,
            start_cursor: edges.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: edges.last().map(|(cursor, _)| cursor.clone()),
        },
        edges,
        total_count,
    })
}

/// The whole public list, for the feeds.
pub async fn all(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<Vec<PublicSponsor>> {
    let rows = query(today, None)
        .into_model::<PublicSponsorRow>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(PublicSponsor::from).collect())
}

crate::connection!(PublicSponsorConnection, PublicSponsorEdge, PublicSponsor);
