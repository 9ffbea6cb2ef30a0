//! Recording sponsorships and contributions (the TREASURER), and display consent (the sponsor).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{Days, Utc};
use entity::{
    contribution,
    prelude::{SponsorTier as Tiers, Sponsorship as Sponsorships},
    sponsorship,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState,
    accounts::{db::find_account, types::Account},
    audit::{self, Actor, Entry},
    auth::{Role, RoleGuard, SessionGuard, Viewer},
    db::{begin_write, lock_key},
    error::{ApiError, ApiResult},
    ids::{self, key_of},
    input::optional_text,
    members::holder::Holder,
    money::Money,
    organizations::types::Organization,
    sponsors::{
        follow::{follow_membership, kind, record_activity},
        status::{SponsorshipStatus, effective, stored},
        tiers::{SponsorTier, TierState},
        types::{Contribution, ContributionKind, Sponsorship},
    },
    time::Date,
};

#[derive(Default)]
pub struct SponsorshipMutation;

/// Input of `recordSponsorship`. Give exactly one of `organizationId` and `accountId`.
#[derive(InputObject)]
pub struct RecordSponsorshipInput {
    /// The sponsoring organization.
    pub organization_id: Option<ID>,
    /// The sponsoring individual.
    pub account_id: Option<ID>,
    /// A published tier.
    pub tier_id: ID,
    /// The amount for the period in minor units, as a decimal string; at least the tier's yearly
    /// minimum for the length of the period.
    pub amount_minor: String,
    /// The ISO 4217 currency; the tier's.
    pub currency: String,
    /// The first day.
    pub starts_on: Date,
    /// The last day.
    pub ends_on: Date,
    /// Whether the sponsor means to renew (default false).
    #[graphql(default)]
    pub auto_renew: bool,
    /// What is given in kind: hardware, services, staff time.
    pub in_kind_description: Option<String>,
    /// Consent to show the sponsor's name, logo and URL in public. Left out, it is the
    /// sponsor's consent on its latest sponsorship (true for a new sponsor), so that a renewal
    /// never undoes an opt-out.
    pub disclose: Option<bool>,
}

/// Input of `cancelSponsorship`.
#[derive(InputObject)]
pub struct CancelSponsorshipInput {
    /// The sponsorship.
    pub sponsorship_id: ID,
    /// Why.
    pub reason: String,
}

/// Input of `setSponsorshipDisclosure`.
#[derive(InputObject)]
pub struct SetSponsorshipDisclosureInput {
    /// The sponsorship.
    pub sponsorship_id: ID,
    /// Consent to show the sponsor's name, logo and URL in public.
    pub disclose: bool,
}

/// Input of `recordContribution`.
#[derive(InputObject)]
pub struct RecordContributionInput {
    /// The sponsorship it was received under.
    pub sponsorship_id: ID,
    /// The amount (or in-kind value) in minor units, as a decimal string.
    pub amount_minor: String,
    /// The ISO 4217 currency; the sponsorship's.
    pub currency: String,
    /// The day it was received.
    pub received_on: Date,
    /// Money or in kind.
    pub kind: ContributionKind,
    /// A note for the ledger.
    pub note: Option<String>,
}

/// The sponsorship after the change.
#[derive(SimpleObject)]
pub struct SponsorshipPayload {
    /// The sponsorship.
    pub sponsorship: Sponsorship,
}

/// The contribution recorded.
#[derive(SimpleObject)]
pub struct ContributionPayload {
    /// The contribution.
    pub contribution: Contribution,
}

#[Object]
impl SponsorshipMutation {
    /// Records a sponsorship. TREASURER only; audited. The sponsor's Sponsor membership follows
    /// it at the tier's vote weight; periods of one sponsor may not overlap.
    #[graphql(guard = "RoleGuard::new(Role::Treasurer)")]
    async fn record_sponsorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RecordSponsorshipInput,
    ) -> ApiResult<SponsorshipPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let sponsor = match (&input.organization_id, &input.account_id) {
            (Some(org), None) => {
                Holder::Organization(key_of::<Organization>(org, "input.organizationId")?)
            }
            (None, Some(account)) => {
                Holder::Account(key_of::<Account>(account, "input.accountId")?)
            }
            _ => {
                return Err(ApiError::bad_input(
                    "input.organizationId",
                    "give exactly one of `organizationId` and `accountId`",
                ));
            }
        };
        let tier_id = key_of::<SponsorTier>(&input.tier_id, "input.tierId")?;
        let amount = Money::parse(
            &input.amount_minor,
            &input.currency,
            "input.amountMinor",
            "input.currency",
        )?;
        let (starts_on, ends_on) = (input.starts_on.0, input.ends_on.0);
        if ends_on < starts_on {
            return Err(ApiError::bad_input(
                "input.endsOn",
                "`input.endsOn` must not be before `input.startsOn`",
            ));
        }
        let in_kind = optional_text(
            input.in_kind_description.as_deref(),
            "input.inKindDescription",
            2000,
        )?;

        let tx = begin_write(&state.db).await?;
        lock_key(&tx, &sponsor.key()).await?;
        match sponsor {
            Holder::Account(id) => {
                find_account(&tx, id).await?;
            }
            Holder::Organization(id) => {
                entity::prelude::Organization::find_by_id(id)
                    .one(&tx)
                    .await?
                    .ok_or_else(|| ApiError::not_found("organization"))?;
            }
        }
        let tier = Tiers::find_by_id(tier_id)
            .one(&tx)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.tierId", "no such tier"))?;
        if tier.state != TierState::Published.as_str() {
            return Err(ApiError::bad_input(
                "input.tierId",
                "the tier is not published",
            ));
        }
        if tier.currency != amount.currency().code() {
            return Err(ApiError::bad_input(
                "input.currency",
                format!("the tier is priced in {}", tier.currency),
            ));
        }
        // The minimum is yearly: a period of `days` must pay at least minimum × days / 365.
        let days = i128::from((ends_on - starts_on).num_days() + 1);
        if i128::from(amount.amount_minor()) * 365 < i128::from(tier.minimum_yearly_minor) * days {
            return Err(ApiError::bad_input(
                "input.amountMinor",
                format!(
                    "the amount is below the {} tier's yearly minimum for a period of {days} days",
                    tier.name
                ),
            ));
        }
        let row = record(
            &tx,
            me.id,
            NewSponsorship {
                sponsor,
                tier: &tier,
                amount,
                starts_on,
                ends_on,
                auto_renew: input.auto_renew,
                in_kind_description: in_kind,
                disclose: input.disclose,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(SponsorshipPayload {
            sponsorship: Sponsorship(row),
        })
    }

    /// Cancels a sponsorship that has not lapsed. TREASURER only; audited. Without another
    /// sponsorship, the Sponsor membership goes into grace.
    #[graphql(guard = "RoleGuard::new(Role::Treasurer)")]
    async fn cancel_sponsorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CancelSponsorshipInput,
    ) -> ApiResult<SponsorshipPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Sponsorship>(&input.sponsorship_id, "input.sponsorshipId")?;
        let reason = optional_text(Some(&input.reason), "input.reason", 2000)?
            .ok_or_else(|| ApiError::bad_input("input.reason", "a cancellation needs a reason"))?;
        let today = Utc::now().date_naive();
        let tx = begin_write(&state.db).await?;
        let current = find(&tx, id).await?;
        lock_key(&tx, &current.sponsor_key).await?;
        if effective(&current, today) == SponsorshipStatus::Lapsed {
            return Err(ApiError::conflict(
                "a lapsed sponsorship cannot be cancelled",
            ));
        }
        let cancelled = Sponsorships::update_many()
            .col_expr(sponsorship::Column::Status, Expr::value(stored::CANCELLED))
            .col_expr(sponsorship::Column::CancelReason, Expr::value(reason))
            .col_expr(sponsorship::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(sponsorship::Column::Id.eq(id))
            .filter(sponsorship::Column::Status.ne(stored::CANCELLED))
            .exec(&tx)
            .await?;
        if cancelled.rows_affected == 0 {
            return Err(ApiError::conflict("the sponsorship is already cancelled"));
        }
        let row = find(&tx, id).await?;
        record_activity(&tx, id, kind::CANCELLED, None, Utc::now()).await?;
        audit_sponsorship(&tx, me.id, "sponsorship.cancelled", &row).await?;
        let sponsor = Holder::from_columns(row.sponsor_account_id, row.sponsor_organization_id)?;
        follow_membership(&tx, Actor::Account(me.id), sponsor, today).await?;
        tx.commit().await?;
        Ok(SponsorshipPayload {
            sponsorship: Sponsorship(row),
        })
    }

    /// Gives or withdraws consent to show the sponsor in public. For the sponsor (an
    /// organization's representatives) and the TREASURER; audited. The Sponsor membership's
    /// disclosure follows.
    #[graphql(guard = "SessionGuard")]
    async fn set_sponsorship_disclosure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: SetSponsorshipDisclosureInput,
    ) -> ApiResult<SponsorshipPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Sponsorship>(&input.sponsorship_id, "input.sponsorshipId")?;
        let current = Sponsorship(find(&state.db, id).await?);
        if !current.visible(ctx).await? {
            return Err(ApiError::not_found("sponsorship"));
        }
        let sponsor = current.sponsor_entity()?;
        if !sponsor.is_viewer(ctx).await? && !Viewer::of(ctx).has_role(Role::Treasurer) {
            return Err(ApiError::forbidden(
                "only the sponsor or the TREASURER can change consent",
            ));
        }
        let tx = begin_write(&state.db).await?;
        lock_key(&tx, &sponsor.key()).await?;
        Sponsorships::update_many()
            .col_expr(sponsorship::Column::Disclose, Expr::value(input.disclose))
            .col_expr(sponsorship::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(sponsorship::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        let row = find(&tx, id).await?;
        audit_sponsorship(&tx, me.id, "sponsorship.disclosure_changed", &row).await?;
        follow_membership(&tx, Actor::Account(me.id), sponsor, Utc::now().date_naive()).await?;
        tx.commit().await?;
        Ok(SponsorshipPayload {
            sponsorship: Sponsorship(row),
        })
    }

    /// Records money or in-kind value received under a sponsorship. TREASURER only; audited.
    #[graphql(guard = "RoleGuard::new(Role::Treasurer)")]
    async fn record_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RecordContributionInput,
    ) -> ApiResult<ContributionPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Sponsorship>(&input.sponsorship_id, "input.sponsorshipId")?;
        let amount = Money::parse(
            &input.amount_minor,
            &input.currency,
            "input.amountMinor",
            "input.currency",
        )?;
        if amount.amount_minor() == 0 {
            return Err(ApiError::bad_input(
                "input.amountMinor",
                "a contribution must be more than zero",
            ));
        }
        let note = optional_text(input.note.as_deref(), "input.note", 2000)?.unwrap_or_default();
        let tx = begin_write(&state.db).await?;
        let sponsorship = find(&tx, id).await?;
        if sponsorship.currency != amount.currency().code() {
            return Err(ApiError::bad_input(
                "input.currency",
                format!("the sponsorship is in {}", sponsorship.currency),
            ));
        }
        let row = contribution::ActiveModel {
            id: Set(ids::new_key()),
            sponsorship_id: Set(id),
            amount_minor: Set(amount.amount_minor()),
            currency: Set(amount.currency().code().to_owned()),
            received_on: Set(input.received_on.0),
            kind: Set(input.kind.as_str().to_owned()),
            note: Set(note),
            recorded_by: Set(me.id),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "contribution.recorded",
                subject_kind: "Sponsorship",
                subject_id: id,
                summary: json!({
                    "contribution": row.id,
                    "amountMinor": row.amount_minor.to_string(),
                    "currency": row.currency,
                    "kind": row.kind,
                    "receivedOn": row.received_on,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ContributionPayload {
            contribution: Contribution(row),
        })
    }
}

/// A sponsorship to write, already checked against its tier.
pub struct NewSponsorship<'a> {
    pub sponsor: Holder,
    pub tier: &'a entity::sponsor_tier::Model,
    pub amount: Money,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub auto_renew: bool,
    pub in_kind_description: Option<String>,
    /// `None` keeps the sponsor's consent from its latest sponsorship.
    pub disclose: Option<bool>,
}

/// Writes a sponsorship with everything that follows from it: its place in the sponsor's run
/// (sponsor-since), its activity, its audit entry and the Sponsor membership. Call it holding
/// the sponsor's lock.
pub async fn record(
    tx: &DatabaseTransaction,
    recorded_by: Uuid,
    new: NewSponsorship<'_>,
) -> ApiResult<sponsorship::Model> {
    let NewSponsorship {
        sponsor,
        tier,
        amount,
        starts_on,
        ends_on,
        auto_renew,
        in_kind_description,
        disclose,
    } = new;
    let earlier = Sponsorships::find()
        .filter(sponsorship::Column::SponsorKey.eq(sponsor.key()))
        .filter(sponsorship::Column::Status.ne(stored::CANCELLED))
        .order_by_desc(sponsorship::Column::EndsOn)
        .all(tx)
        .await?;
    if earlier
        .iter()
        .any(|s| s.starts_on <= ends_on && starts_on <= s.ends_on)
    {
        return Err(ApiError::conflict(
            "the sponsor already has a sponsorship in this period",
        ));
    }
    let disclose = disclose.unwrap_or_else(|| earlier.first().is_none_or(|latest| latest.disclose));
    // Continuing support: the previous sponsorship ended the day before this one starts.
    let previous = earlier.iter().find(|s| {
        s.ends_on < starts_on && s.ends_on.checked_add_days(Days::new(1)) == Some(starts_on)
    });
    let (account_id, organization_id) = sponsor.columns();
    let now = Utc::now();
    let row = sponsorship::ActiveModel {
        id: Set(ids::new_key()),
        tier_id: Set(tier.id),
        sponsor_key: Set(sponsor.key()),
        sponsor_account_id: Set(account_id),
        sponsor_organization_id: Set(organization_id),
        amount_minor: Set(amount.amount_minor()),
        currency: Set(amount.currency().code().to_owned()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        sponsor_since: Set(previous.map_or(starts_on, |p| p.sponsor_since)),
        auto_renew: Set(auto_renew),
        status: Set(stored::ACTIVE.to_owned()),
        in_kind_description: Set(in_kind_description),
        disclose: Set(disclose),
        cancel_reason: Set(None),
        recorded_by: Set(recorded_by),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    let (activity, previous_tier) = match previous {
        None => (kind::NEW_SPONSORSHIP, None),
        Some(p) if p.tier_id != tier.id => (kind::TIER_CHANGE, Some(p.tier_id)),
        Some(_) => (kind::RENEWAL, None),
    };
    record_activity(tx, row.id, activity, previous_tier, now).await?;
    audit_sponsorship(tx, recorded_by, "sponsorship.recorded", &row).await?;
    follow_membership(tx, Actor::Account(recorded_by), sponsor, now.date_naive()).await?;
    Ok(row)
}

async fn find(db: &impl sea_orm::ConnectionTrait, id: Uuid) -> ApiResult<sponsorship::Model> {
    Sponsorships::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("sponsorship"))
}

async fn audit_sponsorship(
    tx: &DatabaseTransaction,
    actor: Uuid,
    action: &str,
    row: &sponsorship::Model,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: "Sponsorship",
            subject_id: row.id,
            summary: json!({
                "sponsor": row.sponsor_key,
                "tier": row.tier_id,
                "amountMinor": row.amount_minor.to_string(),
                "currency": row.currency,
                "startsOn": row.starts_on,
                "endsOn": row.ends_on,
                "status": row.status,
                "disclose": row.disclose,
                "cancelReason": row.cancel_reason,
            }),
        },
    )
    .await
}
