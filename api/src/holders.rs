//! Who holds a membership or a sponsorship, or owns a mirror: an account or an organization.
//! Shared by the domains, and depending on none of them; what GraphQL needs of it is in
//! [`types`].

use chrono::{DateTime, Duration, Utc};
use entity::{
    organization_representative,
    prelude::{OrganizationRepresentative, RepresentationPeriod},
    representation_period,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    error::{ApiError, ApiResult},
};

pub mod types;

/// An account or an organization, as stored in `*_key` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    Account(Uuid),
    Organization(Uuid),
}

impl Holder {
    /// The stored key: `account:<uuid>` or `organization:<uuid>`, unique per entity.
    pub fn key(self) -> String {
        match self {
            Holder::Account(id) => format!("account:{id}"),
            Holder::Organization(id) => format!("organization:{id}"),
        }
    }

    /// Reads a stored key (`account:<uuid>` or `organization:<uuid>`) back.
    pub fn from_key(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "account" => Some(Holder::Account(id)),
            "organization" => Some(Holder::Organization(id)),
            _ => None,
        }
    }

    /// The account and organization columns.
    pub fn columns(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Holder::Account(id) => (Some(id), None),
            Holder::Organization(id) => (None, Some(id)),
        }
    }

    /// Reads a holder back from its columns.
    pub fn from_columns(account: Option<Uuid>, organization: Option<Uuid>) -> ApiResult<Self> {
        match (account, organization) {
            (Some(id), None) => Ok(Holder::Account(id)),
            (None, Some(id)) => Ok(Holder::Organization(id)),
            _ => Err(ApiError::internal(
                "a row has neither or both holder columns",
            )),
        }
    }

    /// The account `account_id`, or the organization `organization` it represents, read on
    /// `db` (a command's transaction). Acting for an organization needs its representative;
    /// anyone else is `FORBIDDEN`.
    pub async fn acting_in(
        db: &impl ConnectionTrait,
        account_id: Uuid,
        organization: Option<Uuid>,
    ) -> ApiResult<Self> {
        let Some(organization) = organization else {
            return Ok(Holder::Account(account_id));
        };
        if !represented_by(db, account_id)
            .await?
            .contains(&organization)
        {
            return Err(ApiError::forbidden(
                "only the organization's representatives can act for it",
            ));
        }
        Ok(Holder::Organization(organization))
    }

    /// Whether `viewer` is this holder or represents it, read on `db` (a command's transaction).
    pub async fn is_viewer_in(self, db: &impl ConnectionTrait, viewer: &Viewer) -> ApiResult<bool> {
        let Some(me) = viewer.account_id() else {
            return Ok(false);
        };
        Ok(match self {
            Holder::Account(id) => me == id,
            Holder::Organization(id) => represented_by(db, me).await?.contains(&id),
        })
    }

    /// Whether this holder's case, opened at `opened_at`, is `account_id`'s own under the
    /// own-case rule's look-back: `account_id` is this account, or represented this organization
    /// at any moment since the case was opened or within the last `look_back_days`, whichever
    /// reaches further back. Stepping down for a moment does not make a case someone else's.
    pub async fn was_own_case_of(
        self,
        db: &impl ConnectionTrait,
        account_id: Uuid,
        opened_at: DateTime<Utc>,
        look_back_days: i32,
    ) -> ApiResult<bool> {
        Ok(match self {
            Holder::Account(id) => id == account_id,
            Holder::Organization(id) => {
                represented_since(
                    db,
                    account_id,
                    id,
                    look_back_from(opened_at, look_back_days),
                )
                .await?
            }
        })
    }
}

/// The organizations `account_id` represents, read on `db`.
async fn represented_by(db: &impl ConnectionTrait, account_id: Uuid) -> ApiResult<Vec<Uuid>> {
    Ok(OrganizationRepresentative::find()
        .filter(organization_representative::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.organization_id)
        .collect())
}

/// The refusal of the own-case rule's look-back (see [`Holder::was_own_case_of`]), naming the
/// window and who decides instead (`instead`, such as "another treasurer").
pub fn own_case_refusal(look_back_days: i32, instead: &str) -> ApiError {
    ApiError::forbidden(format!(
        "You cannot decide this case: under the own-case rule, no one decides a case of an \
         organization they represent, represented when the case was opened, or represented in \
         the last {look_back_days} days; {instead} or an administrator must."
    ))
}

/// The roles that sit on a committee and so may see non-disclosed members.
pub const COMMITTEES: [Role; 5] = [
    Role::MembershipCommittee,
    Role::TechnologyCommittee,
    Role::Treasurer,
    Role::Secretary,
    Role::ElectionCommittee,
];

/// Whether the viewer sits on a committee.
pub fn is_committee(viewer: &Viewer) -> bool {
    COMMITTEES.iter().any(|role| viewer.has_role(*role))
}

/// The holder keys an account acts for, read on `db` (a command's transaction): its own and
/// those of the organizations it represents.
pub async fn holder_keys_of(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Vec<String>> {
    let organizations = OrganizationRepresentative::find()
        .filter(organization_representative::Column::AccountId.eq(account))
        .all(db)
        .await?;
    Ok(std::iter::once(Holder::Account(account))
        .chain(
            organizations
                .iter()
                .map(|r| Holder::Organization(r.organization_id)),
        )
        .map(Holder::key)
        .collect())
}

/// SQL for the name of a row's holder (an account's display name or an organization's name),
/// from the row's `account_column` and `organization_column` in `table`. Correlated subqueries
/// rather than joins, so that any list's query can filter and sort on it as it is.
pub fn holder_name_sql(table: &str, account_column: &str, organization_column: &str) -> String {
    format!(
        r#"COALESCE((SELECT "accounts"."display_name" FROM "accounts" WHERE "accounts"."id" = "{table}"."{account_column}"), (SELECT "organizations"."name" FROM "organizations" WHERE "organizations"."id" = "{table}"."{organization_column}"), '')"#
    )
}

/// The condition that the name `name_sql` contains `search`, ignoring case (on SQLite, the case
/// of ASCII letters only); `%` and `_` in the search are plain characters. Blank matches all.
pub fn name_contains(name_sql: &str, search: &str) -> sea_orm::Condition {
    let search = search.trim().to_lowercase();
    if search.is_empty() {
        return sea_orm::Condition::all();
    }
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    sea_orm::Condition::all().add(
        Expr::cust(format!("LOWER({name_sql})"))
            .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
    )
}

/// The sort expression for a holder's name, ignoring case.
pub fn name_order(name_sql: &str) -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust(format!("LOWER({name_sql})"))
}

/// The earliest moment the own-case rule looks back to for a case opened at `opened_at`: the
/// opening itself, or `look_back_days` ago, whichever is earlier.
fn look_back_from(opened_at: DateTime<Utc>, look_back_days: i32) -> DateTime<Utc> {
    opened_at.min(Utc::now() - Duration::days(i64::from(look_back_days)))
}

/// Whether `account_id` represented `organization_id` at any moment from `since` until now
/// (including now).
async fn represented_since(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    organization_id: Uuid,
    since: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(RepresentationPeriod::find()
        .filter(representation_period::Column::OrganizationId.eq(organization_id))
        .filter(representation_period::Column::AccountId.eq(account_id))
        .filter(
            Condition::any()
                .add(representation_period::Column::EndedAt.is_null())
                .add(representation_period::Column::EndedAt.gte(since)),
        )
        .count(db)
        .await?
        > 0)
}
