//! Reading sponsors: the public list, sponsorships, totals, and activity for integrations.

use async_graphql::{Context, ID, Object};
use chrono::Utc;
use entity::{
    contribution,
    prelude::{
        Contribution as Contributions, SponsorActivity as Activities, Sponsorship as Sponsorships,
    },
    sponsor_activity, sponsorship,
};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    auth::{ApiScope, Role, Viewer},
    error::{ApiError, ApiResult},
    holders::{Holder, holder_name_sql, name_contains, types::viewer_organizations},
    ids::{self, key_of},
    money::{Currency, Money},
    pagination::{PageArgs, cost, fetch_page, fetch_sorted_page},
    services::Services,
    sponsors::{
        consent,
        list::{self, PublicSponsorConnection},
        status::{self, SponsorshipStatus},
        tiers::SponsorTier,
        totals::{joined, split_sums},
        types::{
            SponsorActivity, SponsorActivityConnection, Sponsorship, SponsorshipConnection,
            SponsorshipOrder,
        },
    },
    time::DateTime,
};

#[derive(Default)]
pub struct SponsorQuery;

/// A sponsor named by an organization or account ID.
fn sponsor_of(id: &ID) -> ApiResult<Holder> {
    match ids::decode(id) {
        Some((kind, key)) if kind == "Organization" => Ok(Holder::Organization(key)),
        Some((kind, key)) if kind == "Account" => Ok(Holder::Account(key)),
        _ => Err(ApiError::bad_input(
            "sponsorId",
            "This is not the ID of an organization or an account.",
        )),
    }
}

fn is_treasury(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Treasurer) || viewer.has_role(Role::Admin)
}

#[Object]
impl SponsorQuery {
    /// The public sponsor list: sponsors with an active sponsorship who consented to be shown,
    /// by tier rank and then sponsor-since. Public; cursors stay valid as sponsors arrive.
    /// The same for everyone who may read it: cacheable for a minute.
    #[graphql(
        complexity = "cost(first, last, child_complexity)",
        cache_control(max_age = 60)
    )]
    #[allow(clippy::too_many_arguments)]
    async fn sponsors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only sponsors at this tier: a `SponsorTier.id` or `PublicTier.id`.")]
        tier: Option<ID>,
        #[graphql(
            desc = "Only sponsors at the tier of this name, such as `Gold`, ignoring case. A name no tier has is `BAD_USER_INPUT`."
        )]
        tier_name: Option<String>,
        #[graphql(desc = "How many sponsors to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return sponsors after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many sponsors to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return sponsors before this cursor.")] before: Option<String>,
    ) -> ApiResult<PublicSponsorConnection> {
        let viewer = Viewer::of(ctx);
        if matches!(viewer, Viewer::ApiToken(_)) && !viewer.has_scope(ApiScope::SponsorsRead) {
            return Err(ApiError::forbidden(
                "this API token lacks the SPONSORS_READ scope",
            ));
        }
        let tier = tier
            .map(|id| key_of::<SponsorTier>(&id, &crate::field!(tier)))
            .transpose()?;
        let page = PageArgs::new(first, after, last, before).parse()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let named = match tier_name {
            Some(name) => Some(list::tier_named(db, &name).await?),
            None => None,
        };
        let filter = list::Filter { tier, named };
        let today = Utc::now().date_naive();
        let mut sponsors = list::page(db, today, &filter, &page).await?;
        // Counting reads every listed sponsorship: only when asked for, and once per change.
        if crate::pagination::selects_total(ctx) {
            let cache = &ctx.data::<Services>()?.public_cache;
            sponsors.total_count = cache
                .list_count(filter.count_key(today), list::count(db, today, &filter))
                .await?;
        }
        Ok(sponsors.into())
    }

    /// Sponsorships, oldest first. The TREASURER and administrators see all; a sponsor sees its
    /// own (an organization's representatives see the organization's).
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn sponsorships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this sponsor's: an organization or account ID.")] sponsor_id: Option<
            ID,
        >,
        #[graphql(desc = "Only sponsorships with this status today.")] status: Option<
            SponsorshipStatus,
        >,
        #[graphql(
            desc = "Only sponsorships whose sponsor's name contains this text, ignoring case."
        )]
        search: Option<String>,
        #[graphql(desc = "The order; oldest first when left out.")] order_by: Option<
            SponsorshipOrder,
        >,
        #[graphql(desc = "How many sponsorships to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return sponsorships after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many sponsorships to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return sponsorships before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<SponsorshipConnection>> {
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let page = PageArgs::new(first, after, last, before);
        let mut query = Sponsorships::find();
        if !is_treasury(viewer) {
            let own = std::iter::once(Holder::Account(me.id).key()).chain(
                viewer_organizations(ctx)
                    .await?
                    .into_iter()
                    .map(|id| Holder::Organization(id).key()),
            );
            query = query.filter(sponsorship::Column::SponsorKey.is_in(own));
        }
        if let Some(id) = sponsor_id {
            query = query.filter(sponsorship::Column::SponsorKey.eq(sponsor_of(&id)?.key()));
        }
        if let Some(status) = status {
            query = query.filter(status::condition(status, Utc::now().date_naive()));
        }
        let name = holder_name_sql(
            "sponsorships",
            "sponsor_account_id",
            "sponsor_organization_id",
        );
        if let Some(search) = &search {
            query = query.filter(name_contains(&name, search));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = match order_by {
            None => {
                let page = page.parse()?;
                fetch_page(db, query, sponsorship::Column::Id, |row| row.id, &page).await?
            }
            Some(order) => {
                let order = order.sort(&name);
                let page = page.parse()?;
                fetch_sorted_page(
                    db,
                    query,
                    &order,
                    sponsorship::Column::Id,
                    |row| row.id,
                    &page,
                )
                .await?
            }
        };
        Ok(Some(page.map(Sponsorship).into()))
    }

    /// What a sponsor has contributed in all, one amount per currency, summed exactly in SQL
    /// however many contributions there are. For the TREASURER, administrators and the sponsor.
    async fn sponsor_totals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sponsor: an organization or account ID.")] sponsor_id: ID,
    ) -> ApiResult<Option<Vec<Money>>> {
        let viewer = Viewer::of(ctx);
        viewer.require_account()?;
        let sponsor = sponsor_of(&sponsor_id)?;
        if !is_treasury(viewer) && !sponsor.is_viewer(ctx).await? {
            return Err(ApiError::forbidden(
                "only the sponsor and the TREASURER see its totals",
            ));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let (high, low) = split_sums("contributions", "amount_minor");
        let sums: Vec<(String, i64, i64)> = Contributions::find()
            .select_only()
            .column(contribution::Column::Currency)
            .expr_as(high, "high")
            .expr_as(low, "low")
            .inner_join(Sponsorships)
            .filter(sponsorship::Column::SponsorKey.eq(sponsor.key()))
            .group_by(contribution::Column::Currency)
            .into_tuple()
            .all(db)
            .await?;
        sums.into_iter()
            .map(|(currency, high, low)| {
                Ok(Money::total(
                    joined(high, low),
                    Currency::parse(&currency, "currency")?,
                ))
            })
            .collect::<ApiResult<Vec<Money>>>()
            .map(Some)
    }

    /// Changes to the public sponsor list, in the order they were recorded, for integrations
    /// that sync: new sponsorships, renewals, tier changes, lapses and cancellations. Sponsors
    /// who withheld consent do not appear. For API tokens with `SPONSORS_READ`, the TREASURER
    /// and administrators.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn sponsor_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only activity at or after this instant.")] since: Option<DateTime>,
        #[graphql(desc = "How many activities to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return activities after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many activities to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return activities before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<SponsorActivityConnection>> {
        let viewer = Viewer::of(ctx);
        if !viewer.has_scope(ApiScope::SponsorsRead) && !is_treasury(viewer) {
            return Err(match viewer {
                Viewer::Anonymous => {
                    ApiError::unauthenticated("use an API token with SPONSORS_READ")
                }
                _ => ApiError::forbidden(
                    "sponsor activity needs SPONSORS_READ or the TREASURER role",
                ),
            });
        }
        let page = PageArgs::new(first, after, last, before).parse()?;
        // Lapses that happen with the calendar are recorded by the catch-up job, never here: a
        // read does not write.
        let db = ctx.data::<DatabaseConnection>()?;
        let mut query = Activities::find().inner_join(Sponsorships);
        if !is_treasury(viewer) {
            // Consent is the sponsor's: one who withdrew it disappears from its whole history.
            query = query.filter(consent::shown());
        }
        if let Some(since) = since {
            query = query.filter(sponsor_activity::Column::OccurredAt.gte(since.0));
        }
        let page = fetch_page(
            db,
            query.filter(Condition::all()),
            sponsor_activity::Column::Id,
            |row| row.id,
            &page,
        )
        .await?;
        Ok(Some(page.map(SponsorActivity).into()))
    }
}
