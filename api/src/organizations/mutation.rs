//! Creating organizations and managing their representatives.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{
    organization, organization_representative,
    prelude::{Organization as Organizations, OrganizationRepresentative},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState,
    accounts::{db::find_account, input::display_name, types::Account},
    audit::{self, Actor, Entry},
    auth::{Role, SessionGuard, Viewer},
    db::begin_write,
    error::{ApiError, ApiResult, on_unique_violation},
    ids::{self, key_of},
    organizations::{input::optional_web_url, types::Organization},
};

#[derive(Default)]
pub struct OrganizationMutation;

/// Input of `createOrganization`.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// The organization's name.
    pub name: String,
    /// Its website: an http or https URL.
    pub website_url: Option<String>,
    /// Its logo: an http or https URL.
    pub logo_url: Option<String>,
}

/// Input of `addRepresentative` and `removeRepresentative`.
#[derive(InputObject)]
pub struct RepresentativeInput {
    /// The organization.
    pub organization_id: ID,
    /// The account that starts or stops acting for it.
    pub account_id: ID,
}

/// The organization after a change.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    /// The organization.
    pub organization: Organization,
}

#[Object]
impl OrganizationMutation {
    /// Creates an organization; the creator becomes its first representative. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateOrganizationInput,
    ) -> ApiResult<OrganizationPayload> {
        let state = ctx.data::<AppState>()?;
        let viewer = Viewer::of(ctx).require_account()?;
        let name = display_name(&input.name, "input.name")?;
        let website_url = optional_web_url(input.website_url.as_deref(), "input.websiteUrl")?;
        let logo_url = optional_web_url(input.logo_url.as_deref(), "input.logoUrl")?;
        let now = Utc::now();
        let tx = begin_write(&state.db).await?;
        let organization = organization::ActiveModel {
            id: Set(ids::new_key()),
            name: Set(name),
            website_url: Set(website_url),
            logo_url: Set(logo_url),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await?;
        add_link(&tx, organization.id, viewer.id).await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(viewer.id),
                action: "organization.created",
                subject_kind: "Organization",
                subject_id: organization.id,
                summary: json!({
                    "name": organization.name,
                    "websiteUrl": organization.website_url,
                    "logoUrl": organization.logo_url,
                    "representative": viewer.id,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Adds a representative. For the organization's representatives and administrators.
    #[graphql(guard = "SessionGuard")]
    async fn add_representative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RepresentativeInput,
    ) -> ApiResult<OrganizationPayload> {
        let state = ctx.data::<AppState>()?;
        let (organization_id, account_id) = keys(&input)?;
        let tx = begin_write(&state.db).await?;
        let organization = lock_for_representative(&tx, Viewer::of(ctx), organization_id).await?;
        find_account(&tx, account_id).await?;
        add_link(&tx, organization_id, account_id).await?;
        audit_representative(
            &tx,
            ctx,
            "organization.representative_added",
            organization_id,
            account_id,
        )
        .await?;
        tx.commit().await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Removes a representative. For the organization's representatives and administrators. An
    /// organization keeps at least one representative.
    #[graphql(guard = "SessionGuard")]
    async fn remove_representative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RepresentativeInput,
    ) -> ApiResult<OrganizationPayload> {
        let state = ctx.data::<AppState>()?;
        let (organization_id, account_id) = keys(&input)?;
        let tx = begin_write(&state.db).await?;
        let organization = lock_for_representative(&tx, Viewer::of(ctx), organization_id).await?;
        let removed = OrganizationRepresentative::delete_many()
            .filter(organization_representative::Column::OrganizationId.eq(organization_id))
            .filter(organization_representative::Column::AccountId.eq(account_id))
            .exec(&tx)
            .await?;
        if removed.rows_affected == 0 {
            return Err(ApiError::not_found("representative"));
        }
        let left = OrganizationRepresentative::find()
            .filter(organization_representative::Column::OrganizationId.eq(organization_id))
            .count(&tx)
            .await?;
        if left == 0 {
            return Err(ApiError::conflict(
                "an organization keeps at least one representative",
            ));
        }
        audit_representative(
            &tx,
            ctx,
            "organization.representative_removed",
            organization_id,
            account_id,
        )
        .await?;
        tx.commit().await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }
}

fn keys(input: &RepresentativeInput) -> ApiResult<(Uuid, Uuid)> {
    Ok((
        key_of::<Organization>(&input.organization_id, "input.organizationId")?,
        key_of::<Account>(&input.account_id, "input.accountId")?,
    ))
}

async fn add_link(
    tx: &DatabaseTransaction,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<()> {
    organization_representative::ActiveModel {
        organization_id: Set(organization_id),
        account_id: Set(account_id),
        added_at: Set(Utc::now()),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("the account already represents this organization")
        })
    })?;
    Ok(())
}

/// Whether `account_id` acts for the organization.
pub async fn is_representative(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<bool> {
    Ok(
        OrganizationRepresentative::find_by_id((organization_id, account_id))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Locks the organization's row for this transaction, after checking that the viewer may change
/// its representatives. The lock makes concurrent removals take turns, so that two of them
/// cannot both see a second representative and leave none.
async fn lock_for_representative(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    organization_id: Uuid,
) -> ApiResult<organization::Model> {
    let me = viewer.require_account()?;
    let touched = Organizations::update_many()
        .col_expr(organization::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(organization::Column::Id.eq(organization_id))
        .exec(tx)
        .await?;
    if touched.rows_affected == 0 {
        return Err(ApiError::not_found("organization"));
    }
    if !viewer.has_role(Role::Admin) && !is_representative(tx, organization_id, me.id).await? {
        return Err(ApiError::forbidden(
            "only the organization's representatives can change its representatives",
        ));
    }
    Organizations::find_by_id(organization_id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))
}

async fn audit_representative(
    tx: &DatabaseTransaction,
    ctx: &Context<'_>,
    action: &str,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(Viewer::of(ctx)),
            action,
            subject_kind: "Organization",
            subject_id: organization_id,
            summary: json!({ "account": account_id }),
        },
    )
    .await
}
