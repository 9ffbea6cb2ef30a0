//! Reading membership: the classes, the member directory and applications.

use std::collections::HashSet;

use async_graphql::{Context, Object};
use chrono::Utc;
use entity::{
    application, membership,
    prelude::{Application as Applications, Membership as Memberships, MembershipClass as Classes},
};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    accounts::loader::{AccountLoader, OrganizationLoader},
    auth::{ApiScope, Viewer},
    error::{ApiError, ApiResult},
    holders::{Holder, holder_name_sql, is_committee, name_contains, types::viewer_organizations},
    loaders::cached_loader,
    members::loader::MembershipClassLoader,
    members::{
        classes::{MembershipClass, MembershipClassKey, may_review},
        status::{self, MembershipStatus},
        types::{
            Application, ApplicationConnection, ApplicationOrder, ApplicationStatus, Membership,
            MembershipConnection, MembershipOrder,
        },
    },
    pagination::{
        PageArgs, cost, fetch_page, fetch_page_counting, fetch_sorted_page, selects_node,
        selects_total,
    },
    policy::loader::policy,
};

/// Loads what a directory page's fields will ask for (holders, classes, the policy), one
/// statement each, before the fields resolve; they then find it in the request's loaders. A
/// DataLoader's batch closes 1 ms after its first key, and walking a page of 100 can take
/// longer than that on a busy machine, so without this one page's holders could take many
/// statements.
async fn prime<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a membership::Model> + Clone,
) -> ApiResult<()> {
    let accounts = async {
        if selects_node(ctx, "holder") {
            let ids = rows.clone().filter_map(|row| row.holder_account_id);
            cached_loader::<AccountLoader>(ctx)?.load_many(ids).await?;
        }
        ApiResult::Ok(())
    };
    let organizations = async {
        if selects_node(ctx, "holder") {
            let ids = rows.clone().filter_map(|row| row.holder_organization_id);
            cached_loader::<OrganizationLoader>(ctx)?
                .load_many(ids)
                .await?;
        }
        ApiResult::Ok(())
    };
    let classes = async {
        if selects_node(ctx, "class") {
            let keys: HashSet<MembershipClassKey> = rows.clone().map(|row| row.class_key).collect();
            cached_loader::<MembershipClassLoader>(ctx)?
                .load_many(keys)
                .await?;
        }
        ApiResult::Ok(())
    };
    let policy = async {
        if selects_node(ctx, "status") {
            policy(ctx).await?;
        }
        ApiResult::Ok(())
    };
    tokio::try_join!(accounts, organizations, classes, policy)?;
    Ok(())
}

#[derive(Default)]
pub struct MembershipQuery;

#[Object]
impl MembershipQuery {
    /// The membership classes, with their default vote weight and cost. Public, and the same
    /// for everyone: cacheable for a minute.
    #[graphql(cache_control(max_age = 60))]
    async fn membership_classes(&self, ctx: &Context<'_>) -> ApiResult<Vec<MembershipClass>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let rows = Classes::find()
            .order_by_asc(entity::membership_class::Column::Paid)
            .order_by_asc(entity::membership_class::Column::Key)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(MembershipClass).collect())
    }

    /// The member directory, oldest first. Everyone sees disclosed memberships and their public
    /// fields; a non-disclosed membership is seen only by the committees and the member itself.
    /// API tokens need the `MEMBERS_READ` scope.
    #[graphql(
        complexity = "cost(first, last, child_complexity)",
        cache_control(private)
    )]
    #[allow(clippy::too_many_arguments)]
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this class.")] class: Option<MembershipClassKey>,
        #[graphql(desc = "Only memberships with this status today.")] status: Option<
            MembershipStatus,
        >,
        #[graphql(
            desc = "Only memberships whose holder's name contains this text, ignoring case."
        )]
        search: Option<String>,
        #[graphql(desc = "The order; oldest first when left out.")] order_by: Option<
            MembershipOrder,
        >,
        #[graphql(desc = "How many memberships to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return memberships after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many memberships to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return memberships before this cursor.")] before: Option<String>,
    ) -> ApiResult<MembershipConnection> {
        let viewer = Viewer::of(ctx);
        if matches!(viewer, Viewer::ApiToken(_)) && !viewer.has_scope(ApiScope::MembersRead) {
            return Err(ApiError::forbidden(
                "this API token lacks the MEMBERS_READ scope",
            ));
        }
        let page = PageArgs::new(first, after, last, before);
        let mut query = Memberships::find();
        if !is_committee(viewer) {
            let mut visible = Condition::any().add(membership::Column::Disclose.eq(true));
            if let Some(me) = viewer.account_id() {
                visible = visible.add(membership::Column::HolderKey.eq(Holder::Account(me).key()));
                let keys = viewer_organizations(ctx)
                    .await?
                    .into_iter()
                    .map(|id| Holder::Organization(id).key());
                visible = visible.add(membership::Column::HolderKey.is_in(keys));
            }
            query = query.filter(visible);
        }
        if let Some(class) = class {
            query = query.filter(membership::Column::ClassKey.eq(class));
        }
        if let Some(status) = status {
            let grace = policy(ctx).await?.grace_period_days;
            query = query.filter(status::condition(status, Utc::now().date_naive(), grace));
        }
        let name = holder_name_sql("memberships", "holder_account_id", "holder_organization_id");
        if let Some(search) = &search {
            query = query.filter(name_contains(&name, search));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = match order_by {
            None => {
                let page = page.parse()?;
                let count = selects_total(ctx);
                fetch_page_counting(
                    db,
                    query,
                    membership::Column::Id,
                    |row| row.id,
                    &page,
                    count,
                )
                .await?
            }
            Some(order) => {
                let order = order.sort(&name);
                let page = page.parse()?;
                fetch_sorted_page(
                    db,
                    query,
                    &order,
                    membership::Column::Id,
                    |row| row.id,
                    &page,
                )
                .await?
            }
        };
        prime(ctx, page.edges.iter().map(|(_, row)| row)).await?;
        Ok(page.map(Membership).into())
    }

    /// Membership applications, oldest first. A committee sees the applications for its class,
    /// and an `ADMIN` (who may review them too) sees all; anyone logged in sees their own and
    /// their organizations'. Nobody else sees any.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only applications in this state.")] status: Option<ApplicationStatus>,
        #[graphql(desc = "Only this class.")] class: Option<MembershipClassKey>,
        #[graphql(
            desc = "Only applications whose applicant's name (the person's or the organization's) contains this text, ignoring case."
        )]
        search: Option<String>,
        #[graphql(desc = "The order; oldest first when left out.")] order_by: Option<
            ApplicationOrder,
        >,
        #[graphql(desc = "How many applications to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return applications after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many applications to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return applications before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<ApplicationConnection>> {
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let page = PageArgs::new(first, after, last, before);
        let committee_classes: Vec<MembershipClassKey> =
            [MembershipClassKey::Contributor, MembershipClassKey::Mirror]
                .into_iter()
                .filter(|class| may_review(viewer, *class))
                .collect();
        let own_keys = std::iter::once(Holder::Account(me.id).key()).chain(
            viewer_organizations(ctx)
                .await?
                .into_iter()
                .map(|id| Holder::Organization(id).key()),
        );
        let visible = Condition::any()
            .add(application::Column::ClassKey.is_in(committee_classes))
            .add(application::Column::ApplicantId.eq(me.id))
            .add(application::Column::HolderKey.is_in(own_keys));
        let mut query = Applications::find().filter(visible);
        if let Some(status) = status {
            query = query.filter(application::Column::Status.eq(status));
        }
        if let Some(class) = class {
            query = query.filter(application::Column::ClassKey.eq(class));
        }
        let name = holder_name_sql(
            "applications",
            "holder_account_id",
            "holder_organization_id",
        );
        if let Some(search) = &search {
            query = query.filter(name_contains(&name, search));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = match order_by {
            None => {
                let page = page.parse()?;
                fetch_page(db, query, application::Column::Id, |row| row.id, &page).await?
            }
            Some(order) => {
                let order = order.sort(&name);
                let page = page.parse()?;
                fetch_sorted_page(
                    db,
                    query,
                    &order,
                    application::Column::Id,
                    |row| row.id,
                    &page,
                )
                .await?
            }
        };
        Ok(Some(page.map(Application).into()))
    }
}
