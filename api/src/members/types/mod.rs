//! The `Membership` and `Application` GraphQL types.

pub mod mine;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{application, membership, membership::NoticeKind};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::{ApiScope, Viewer},
    error::{ApiError, ApiResult},
    holders::{Holder, is_committee, name_order, types::MembershipHolder},
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    members::{
        classes::{MembershipClass, MembershipClassKey, may_review},
        loader::{ApplicationMirrorsLoader, MembershipClassLoader},
        status::{self, MembershipStatus},
    },
    mirrors::types::Mirror,
    pagination::{SortDirection, SortOrder, date_text},
    policy::loader::policy,
    time::{Date, DateTime},
};

/// Loads a class for a `class` field.
async fn class_of(ctx: &Context<'_>, key: MembershipClassKey) -> ApiResult<MembershipClass> {
    cached_loader::<MembershipClassLoader>(ctx)?
        .load_one(key)
        .await?
        .map(MembershipClass)
        .ok_or_else(|| ApiError::internal(format!("membership class {} is missing", key.as_str())))
}

/// The membership row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Membership(pub membership::Model);

impl NodeKind for Membership {
    const KIND: &'static str = crate::ids::kind::Membership::KIND;
}

impl Membership {
    pub fn holder_entity(&self) -> ApiResult<Holder> {
        Holder::from_columns(self.0.holder_account_id, self.0.holder_organization_id)
    }

    /// Whether the viewer may see this membership at all: disclosed ones are public; the
    /// others are for the committees and the member.
    pub async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        if matches!(viewer, Viewer::ApiToken(_)) && !viewer.has_scope(ApiScope::MembersRead) {
            return Ok(false);
        }
        if self.0.disclose || is_committee(viewer) {
            return Ok(true);
        }
        self.holder_entity()?.is_viewer(ctx).await
    }

    /// Whether the viewer may see the private details: the committees and the member.
    async fn private_to_viewer(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(is_committee(Viewer::of(ctx)) || self.holder_entity()?.is_viewer(ctx).await?)
    }

    /// The status today under the current policy.
    pub async fn status_now(&self, ctx: &Context<'_>) -> ApiResult<MembershipStatus> {
        let grace = policy(ctx).await?.grace_period_days;
        Ok(status::effective(&self.0, Utc::now().date_naive(), grace))
    }
}

/// A pending suspension or termination: it takes effect on its date unless withdrawn.
#[derive(SimpleObject)]
pub struct MembershipNotice {
    /// Suspension or termination.
    pub kind: NoticeKind,
    /// Why.
    pub reason: String,
    /// The day it takes effect.
    pub effective_on: Date,
    /// The member's answer, their chance to be heard.
    pub response: Option<String>,
}

/// Membership of the foundation, held by a person or an organization. Every member votes while
/// in good standing (`ACTIVE`).
#[Object]
impl Membership {
    /// The membership's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The class.
    async fn class(&self, ctx: &Context<'_>) -> ApiResult<MembershipClass> {
        class_of(ctx, self.0.class_key).await
    }

    /// The status today, derived from the dates and notices.
    async fn status(&self, ctx: &Context<'_>) -> ApiResult<MembershipStatus> {
        self.status_now(ctx).await
    }

    /// Who holds it.
    async fn holder(&self, ctx: &Context<'_>) -> ApiResult<Option<MembershipHolder>> {
        self.holder_entity()?.load(ctx).await
    }

    /// The day it began.
    async fn since(&self) -> Date {
        self.0.since.into()
    }

    /// The last day of the current term; null while it has no end (a Sponsor membership
    /// follows its sponsorship).
    async fn expires_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }

    /// The weight of its vote.
    async fn vote_weight(&self) -> i32 {
        self.0.vote_weight
    }

    /// Whether the member allows it to appear in public lists.
    async fn disclosed(&self) -> bool {
        self.0.disclose
    }

    /// Why it is suspended or terminated; for the committees and the member.
    async fn status_reason(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(if self.private_to_viewer(ctx).await? {
            self.0.status_reason.clone()
        } else {
            None
        })
    }

    /// A pending suspension or termination; for the committees and the member.
    async fn notice(&self, ctx: &Context<'_>) -> ApiResult<Option<MembershipNotice>> {
        if !self.private_to_viewer(ctx).await? {
            return Ok(None);
        }
        let row = &self.0;
        Ok(
            match (row.notice_kind, &row.notice_reason, row.notice_effective_on) {
                (Some(kind), Some(reason), Some(on)) => Some(MembershipNotice {
                    kind,
                    reason: reason.clone(),
                    effective_on: on.into(),
                    response: row.notice_response.clone(),
                }),
                _ => None,
            },
        )
    }
}

/// Where an application stands: one type for the column, the domain and GraphQL.
pub use entity::application::ApplicationStatus;

/// The application row.
#[derive(Clone, Debug)]
pub struct Application(pub application::Model);

impl NodeKind for Application {
    const KIND: &'static str = "Application";
}

impl Application {
    pub fn holder_entity(&self) -> ApiResult<Holder> {
        Holder::from_columns(self.0.holder_account_id, self.0.holder_organization_id)
    }

    /// The applicant (or a representative of the organization applying), the committee for the
    /// class and the `ADMIN`s, who may review it too, see an application; nobody else.
    pub async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        Ok(may_review(viewer, self.0.class_key)
            || viewer.account_id() == Some(self.0.applicant_id)
            || self.holder_entity()?.is_viewer(ctx).await?)
    }
}

/// A request to join a membership class, decided by its committee.
#[Object]
impl Application {
    /// The application's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The class applied for.
    async fn class(&self, ctx: &Context<'_>) -> ApiResult<MembershipClass> {
        class_of(ctx, self.0.class_key).await
    }

    /// Where it stands.
    async fn status(&self) -> ApplicationStatus {
        self.0.status
    }

    /// Who would hold the membership.
    async fn holder(&self, ctx: &Context<'_>) -> ApiResult<Option<MembershipHolder>> {
        self.holder_entity()?.load(ctx).await
    }

    /// The account that submitted it. Its email is shown to the committee reviewing the
    /// application (and to the applicant and administrators), so that they can be contacted.
    async fn applicant(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let contact = may_review(Viewer::of(ctx), self.0.class_key);
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.0.applicant_id)
            .await?
            .map(|row| {
                if contact {
                    Account::for_contact(row)
                } else {
                    Account::new(row)
                }
            }))
    }

    /// The global ID of the account that submitted it (`applicant { id }`).
    async fn applicant_id(&self) -> ID {
        ids::encode("Account", self.0.applicant_id)
    }

    /// The applicant's statement.
    async fn statement(&self) -> &str {
        &self.0.statement
    }

    /// Whether the membership, once granted, may appear in public lists (as
    /// `Membership.disclosed`).
    async fn disclosed(&self) -> bool {
        self.0.disclose
    }

    /// The mirrors named, for a Mirror application.
    async fn mirrors(&self, ctx: &Context<'_>) -> ApiResult<Vec<Mirror>> {
        Ok(loader::<ApplicationMirrorsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Mirror)
            .collect())
    }

    /// Why it was rejected (or a note on approval).
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }

    /// When it was submitted.
    async fn submitted_at(&self) -> DateTime {
        self.0.submitted_at.into()
    }

    /// When it was decided or withdrawn.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at.map(DateTime)
    }
}

/// What the member directory can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MembershipOrderField {
    /// The holder's name (a person's display name or an organization's name), ignoring case.
    Name,
    /// The day the membership began.
    Since,
}

/// An order for `memberships`.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct MembershipOrder {
    /// What to sort by.
    pub field: MembershipOrderField,
    /// Which way; ascending by default.
    #[graphql(default)]
    pub direction: SortDirection,
}

impl MembershipOrder {
    /// The SQL order, given the SQL of the holder's name.
    pub fn sort(self, name_sql: &str) -> SortOrder {
        let (name, expr) = match self.field {
            MembershipOrderField::Name => ("NAME", name_order(name_sql)),
            MembershipOrderField::Since => ("SINCE", date_text("memberships", "since")),
        };
        SortOrder {
            name,
            expr,
            direction: self.direction,
        }
    }
}

/// What applications can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationOrderField {
    /// When it was submitted.
    SubmittedAt,
    /// The applicant's name (the person's, or the organization's applying), ignoring case.
    Name,
}

/// An order for `applications`.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct ApplicationOrder {
    /// What to sort by.
    pub field: ApplicationOrderField,
    /// Which way; ascending by default.
    #[graphql(default)]
    pub direction: SortDirection,
}

impl ApplicationOrder {
    /// The SQL order, given the SQL of the applicant's name.
    pub fn sort(self, name_sql: &str) -> SortOrder {
        let (name, expr) = match self.field {
            ApplicationOrderField::Name => ("NAME", name_order(name_sql)),
            ApplicationOrderField::SubmittedAt => (
                "SUBMITTED_AT",
                sea_orm::sea_query::Expr::cust(r#"CAST("applications"."submitted_at" AS TEXT)"#),
            ),
        };
        SortOrder {
            name,
            expr,
            direction: self.direction,
        }
    }
}

crate::connection!(MembershipConnection, MembershipEdge, Membership);
crate::connection!(ApplicationConnection, ApplicationEdge, Application);
