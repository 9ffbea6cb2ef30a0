//! Registering mirrors and verifying them.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{Months, Utc};
use entity::{
    membership, mirror, mirror_verification,
    prelude::{Membership as Memberships, Mirror as Mirrors},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};
use serde_json::json;

use crate::{
    AppState,
    audit::{self, Actor, Entry},
    auth::{Role, RoleGuard, SessionGuard, Viewer},
    db::begin_write,
    error::{ApiError, ApiResult, on_unique_violation},
    ids::{self, key_of},
    members::{classes::MembershipClassKey, holder::Holder, status::stored},
    mirrors::{
        input::{country, host_name, update_frequency, url_on_host},
        types::{Mirror, MirrorStatus, VerificationOutcome, effective_status},
    },
    policy,
};

#[derive(Default)]
pub struct MirrorMutation;

/// Input of `registerMirror`.
#[derive(InputObject)]
pub struct RegisterMirrorInput {
    /// The mirror's DNS host name.
    pub host_name: String,
    /// The http(s) base URL, on that host.
    pub http_url: String,
    /// An rsync base URL, on that host.
    pub rsync_url: Option<String>,
    /// An ftp base URL, on that host.
    pub ftp_url: Option<String>,
    /// Where it is: an ISO 3166-1 alpha-2 code such as `DE`.
    pub country: String,
    /// How often it syncs, in hours (1 to 168); 6 when left out.
    pub update_frequency_hours: Option<i32>,
    /// Register it for this organization (its representatives only); leave out for yourself.
    pub organization_id: Option<ID>,
}

/// Input of `verifyMirror`.
#[derive(InputObject)]
pub struct VerifyMirrorInput {
    /// The mirror checked.
    pub mirror_id: ID,
    /// What the check found.
    pub outcome: VerificationOutcome,
    /// What the checker noted.
    pub notes: Option<String>,
}

/// The mirror after the change.
#[derive(SimpleObject)]
pub struct MirrorPayload {
    /// The mirror.
    pub mirror: Mirror,
}

#[Object]
impl MirrorMutation {
    /// Registers a mirror, owned by the viewer or an organization they represent. It starts
    /// `PENDING` until the Technology Committee checks it.
    #[graphql(guard = "SessionGuard")]
    async fn register_mirror(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RegisterMirrorInput,
    ) -> ApiResult<MirrorPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let owner =
            Holder::acting(ctx, input.organization_id.as_ref(), "input.organizationId").await?;
        let host = host_name(&input.host_name, "input.hostName")?;
        let http_url = url_on_host(&input.http_url, &["http", "https"], &host, "input.httpUrl")?;
        let rsync_url = input
            .rsync_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| url_on_host(url, &["rsync"], &host, "input.rsyncUrl"))
            .transpose()?;
        let ftp_url = input
            .ftp_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| url_on_host(url, &["ftp"], &host, "input.ftpUrl"))
            .transpose()?;
        let country = country(&input.country, "input.country")?;
        let frequency = update_frequency(
            input.update_frequency_hours.unwrap_or(6),
            "input.updateFrequencyHours",
        )?;
        let (owner_account_id, owner_organization_id) = owner.columns();
        let tx = begin_write(&state.db).await?;
        let row = mirror::ActiveModel {
            id: Set(ids::new_key()),
            host_name: Set(host),
            http_url: Set(http_url),
            rsync_url: Set(rsync_url),
            ftp_url: Set(ftp_url),
            country: Set(country),
            update_frequency_hours: Set(frequency),
            owner_key: Set(owner.key()),
            owner_account_id: Set(owner_account_id),
            owner_organization_id: Set(owner_organization_id),
            status: Set("PENDING".to_owned()),
            last_verified_at: Set(None),
            registered_by: Set(me.id),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || {
                ApiError::conflict("a mirror with this host name is already registered")
            })
        })?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "mirror.registered",
                subject_kind: "Mirror",
                subject_id: row.id,
                summary: json!({ "hostName": row.host_name, "owner": row.owner_key, "country": row.country }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(MirrorPayload {
            mirror: Mirror(row),
        })
    }

    /// Records a check of a mirror. Technology Committee only. A good check verifies the mirror
    /// and renews its owner's Mirror membership; a failed re-check makes a verified mirror
    /// `STALE`, and an owner left with no verified mirror goes into grace.
    #[graphql(guard = "RoleGuard::new(Role::TechnologyCommittee)")]
    async fn verify_mirror(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: VerifyMirrorInput,
    ) -> ApiResult<MirrorPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Mirror>(&input.mirror_id, "input.mirrorId")?;
        let notes = crate::input::optional_text(input.notes.as_deref(), "input.notes", 5000)?
            .unwrap_or_default();
        let now = Utc::now();
        let tx = begin_write(&state.db).await?;
        let policy = policy::current(&tx).await?;
        let row = Mirrors::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or_else(|| ApiError::not_found("mirror"))?;
        let before = effective_status(&row, policy.mirror_recheck_months);
        let after = match input.outcome {
            VerificationOutcome::Verified => "VERIFIED",
            VerificationOutcome::Rejected
                if matches!(before, MirrorStatus::Verified | MirrorStatus::Stale) =>
            {
                "STALE"
            }
            VerificationOutcome::Rejected => "REJECTED",
        };
        mirror_verification::ActiveModel {
            id: Set(ids::new_key()),
            mirror_id: Set(id),
            checked_by: Set(me.id),
            checked_at: Set(now),
            outcome: Set(input.outcome.as_str().to_owned()),
            notes: Set(notes.clone()),
        }
        .insert(&tx)
        .await?;
        let mut update = Mirrors::update_many()
            .col_expr(mirror::Column::Status, Expr::value(after))
            .filter(mirror::Column::Id.eq(id));
        if input.outcome == VerificationOutcome::Verified {
            update = update.col_expr(mirror::Column::LastVerifiedAt, Expr::value(now));
        }
        update.exec(&tx).await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "mirror.checked",
                subject_kind: "Mirror",
                subject_id: id,
                summary: json!({ "outcome": input.outcome.as_str(), "status": after, "notes": notes }),
            },
        )
        .await?;
        follow_membership(
            &tx,
            me.id,
            &row,
            input.outcome,
            policy.mirror_recheck_months,
        )
        .await?;
        let row = Mirrors::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or_else(|| ApiError::not_found("mirror"))?;
        tx.commit().await?;
        Ok(MirrorPayload {
            mirror: Mirror(row),
        })
    }
}

/// Keeps the owner's Mirror membership in step with its mirrors: a verification renews it to
/// the next re-check; losing the last verified mirror starts its grace period.
async fn follow_membership(
    tx: &DatabaseTransaction,
    actor: uuid::Uuid,
    mirror: &mirror::Model,
    outcome: VerificationOutcome,
    recheck_months: i32,
) -> ApiResult<()> {
    let Some(membership) = Memberships::find()
        .filter(membership::Column::ClassKey.eq(MembershipClassKey::Mirror.as_str()))
        .filter(membership::Column::HolderKey.eq(&mirror.owner_key))
        .filter(membership::Column::Status.is_in([stored::ACTIVE, stored::GRACE]))
        .one(tx)
        .await?
    else {
        return Ok(());
    };
    let today = Utc::now().date_naive();
    let action = match outcome {
        VerificationOutcome::Verified => {
            let months = Months::new(u32::try_from(recheck_months.max(0)).unwrap_or(0));
            let next = today.checked_add_months(months).unwrap_or(today);
            let ends_on = membership.ends_on.map_or(next, |end| end.max(next));
            Memberships::update_many()
                .col_expr(membership::Column::Status, Expr::value(stored::ACTIVE))
                .col_expr(membership::Column::EndsOn, Expr::value(ends_on))
                .col_expr(
                    membership::Column::GraceFrom,
                    Expr::value(Option::<chrono::NaiveDate>::None),
                )
                .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(membership::Column::Id.eq(membership.id))
                .exec(tx)
                .await?;
            json!({ "action": "renewed by verification", "endsOn": ends_on, "mirror": mirror.id })
        }
        VerificationOutcome::Rejected => {
            let others_verified = Mirrors::find()
                .filter(mirror::Column::OwnerKey.eq(&mirror.owner_key))
                .filter(mirror::Column::Id.ne(mirror.id))
                .all(tx)
                .await?
                .iter()
                .any(|other| effective_status(other, recheck_months) == MirrorStatus::Verified);
            if others_verified || membership.status == stored::GRACE {
                return Ok(());
            }
            Memberships::update_many()
                .col_expr(membership::Column::Status, Expr::value(stored::GRACE))
                .col_expr(membership::Column::GraceFrom, Expr::value(today))
                .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(membership::Column::Id.eq(membership.id))
                .exec(tx)
                .await?;
            json!({ "action": "grace: no verified mirror left", "graceFrom": today, "mirror": mirror.id })
        }
    };
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action: "membership.mirror_check",
            subject_kind: "Membership",
            subject_id: membership.id,
            summary: action,
        },
    )
    .await
}
