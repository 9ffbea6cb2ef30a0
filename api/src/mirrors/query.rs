//! Listing mirrors: verified ones are public; owners and the Technology Committee see the rest.

use async_graphql::{Context, Object};
use entity::{mirror, prelude::Mirror as Mirrors};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::Viewer,
    error::ApiResult,
    holders::{Holder, types::viewer_organizations},
    members::rules::mirror_verified_now,
    mirrors::{
        commands::may_verify,
        types::{Mirror, MirrorConnection},
    },
    pagination::{PageArgs, cost, fetch_page},
    policy::loader::policy,
};

#[derive(Default)]
pub struct MirrorQuery;

#[Object]
impl MirrorQuery {
    /// Mirrors, oldest first. Everyone sees the mirrors verified now (a mirror overdue for its
    /// re-check is `STALE`, and no longer listed); owners also see their own, and the Technology
    /// Committee and the `ADMIN`s see all.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn mirrors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only mirrors in this country (ISO 3166-1 alpha-2).")] country: Option<
            String,
        >,
        #[graphql(desc = "How many mirrors to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return mirrors after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many mirrors to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return mirrors before this cursor.")] before: Option<String>,
    ) -> ApiResult<MirrorConnection> {
        let page = PageArgs::new(first, after, last, before).parse()?;
        let viewer = Viewer::of(ctx);
        let mut query = Mirrors::find();
        if !may_verify(viewer) {
            let recheck_months = policy(ctx).await?.mirror_recheck_months;
            let mut visible = Condition::any().add(mirror_verified_now(recheck_months));
            if let Some(me) = viewer.account_id() {
                visible = visible.add(mirror::Column::OwnerKey.eq(Holder::Account(me).key()));
                let organizations = viewer_organizations(ctx).await?;
                visible = visible.add(
                    mirror::Column::OwnerKey.is_in(
                        organizations
                            .into_iter()
                            .map(|id| Holder::Organization(id).key()),
                    ),
                );
            }
            query = query.filter(visible);
        }
        if let Some(country) = country {
            query = query.filter(mirror::Column::Country.eq(country.trim().to_ascii_uppercase()));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, mirror::Column::Id, |row| row.id, &page).await?;
        Ok(page.map(Mirror).into())
    }
}
