//! Sponsorship commands: record, cancel, and change the sponsor's display consent. Each takes the
//! sponsor's lock first, so that two changes to one sponsor (and the catch-up job) take turns.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    prelude::{OrganizationRepresentative, SponsorTier as Tiers, Sponsorship as Sponsorships},
    sponsor_activity::SponsorActivityKind,
    sponsor_tier::TierState,
    sponsorship,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::db::find_account,
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    db::lock_key,
    error::{ApiError, ApiResult, corrupt_row},
    holders::{Holder, own_case_refusal},
    ids,
    money::Money,
    notifications::outbox::WebhookEvent,
    sponsors::{
        consent, events,
        follow::{follow_membership, lapsed_at, record_activity},
        idempotency::{Claim, IdempotencyScope},
        period,
        status::{SponsorshipState, SponsorshipStatus, effective},
    },
};

/// A sponsorship to record, parsed: `ends_on` is after `starts_on`.
pub struct RecordSponsorship {
    pub sponsor: Holder,
    pub tier_id: Uuid,
    pub amount: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub auto_renew: bool,
    pub in_kind_description: Option<String>,
    /// Sets the sponsor's display consent; `None` keeps it (consent for a new sponsor).
    pub disclose: Option<bool>,
    /// A retry with the same key and input returns the first result.
    pub idempotency_key: Option<String>,
}

impl RecordSponsorship {
    /// The input as the idempotency key's hash covers it.
    fn canonical(&self) -> serde_json::Value {
        json!({
            "sponsor": self.sponsor.key(),
            "tier": self.tier_id,
            "amountMinor": self.amount.amount_minor().to_string(),
            "currency": self.amount.currency().code(),
            "startsOn": self.starts_on,
            "endsOn": self.ends_on,
            "autoRenew": self.auto_renew,
            "inKindDescription": self.in_kind_description,
            "disclose": self.disclose,
        })
    }
}

/// Refuses a change for `sponsor` by one who is the sponsor or represents it: no one decides
/// their own case, so another TREASURER or an ADMIN must record it. Nor does anyone who
/// represented the sponsor when the case was opened (`opened_at`: now for a new sponsorship,
/// the sponsorship's recording for a contribution to it) or within the policy's look-back window.
pub async fn refuse_own_case(
    tx: &Tx,
    account: Uuid,
    sponsor: Holder,
    what: &str,
    opened_at: DateTime<Utc>,
) -> ApiResult<()> {
    if is_sponsor(tx, account, sponsor).await? {
        return Err(ApiError::forbidden(format!(
            "You cannot record a {what} for yourself or an organization you represent; another treasurer or an administrator must."
        )));
    }
    let look_back = crate::policy::current(tx).await?.own_case_look_back_days;
    if sponsor
        .was_own_case_of(tx, account, opened_at, look_back)
        .await?
    {
        return Err(own_case_refusal(look_back, "another treasurer"));
    }
    Ok(())
}

/// Records a sponsorship at a published tier, paying at least the tier's yearly minimum
/// prorated by whole months of its period (see [`period`]). A period that overlaps another of
/// the sponsor's is `CONFLICT`; recording one's own, or one's organization's, is `FORBIDDEN`.
/// With an idempotency key already used for the same input, it returns that sponsorship.
#[tracing::instrument(skip_all, fields(sponsor = %input.sponsor.key(), tier = %input.tier_id))]
pub async fn record(
    tx: &Tx,
    viewer: &Viewer,
    input: RecordSponsorship,
) -> ApiResult<sponsorship::Model> {
    let me = viewer.require_account()?;
    lock_key(tx, &input.sponsor.key()).await?;
    refuse_own_case(tx, me.id, input.sponsor, "sponsorship", Utc::now()).await?;
    let claim = input
        .idempotency_key
        .clone()
        .map(|key| Claim::new(IdempotencyScope::RecordSponsorship, key, &input.canonical()));
    if let Some(claim) = &claim
        && let Some(earlier) = claim.earlier(tx).await?
    {
        return find(tx, earlier).await;
    }
    match input.sponsor {
        Holder::Account(id) => {
            find_account(tx, id).await?;
        }
        Holder::Organization(id) => {
            entity::prelude::Organization::find_by_id(id)
                .one(tx)
                .await?
                .ok_or_else(|| ApiError::not_found("organization"))?;
        }
    }
    // Shared-locked: an edit of the tier (which locks it for update) waits for this record, or
    // this record reads the tier's new rank and state, so the rank copied onto the sponsorship
    // for the public order never lags the tier's.
    let tier = Tiers::find_by_id(input.tier_id)
        .lock_shared()
        .one(tx)
        .await
        .map_err(corrupt_row("sponsor_tiers", input.tier_id))?
        .ok_or_else(|| ApiError::bad_input(crate::field!(input.tier_id), "no such tier"))?;
    if tier.state != TierState::Published {
        return Err(ApiError::bad_input(
            crate::field!(input.tier_id),
            "the tier is not published",
        ));
    }
    if tier.currency != input.amount.currency().code() {
        return Err(ApiError::bad_input(
            crate::field!(input.currency),
            format!("the tier is priced in {}", tier.currency),
        ));
    }
    let months = period::months(input.starts_on, input.ends_on);
    let yearly = Money::new(tier.minimum_yearly_minor, input.amount.currency());
    let owed = period::prorated(yearly, months);
    if input.amount.amount_minor() < owed.amount_minor() {
        return Err(ApiError::bad_input(
            crate::field!(input.amount_minor),
            format!(
                "the amount is below {}, the {} tier's yearly minimum for a period of {months} month{}",
                owed.formatted(),
                tier.name,
                if months == 1 { "" } else { "s" }
            ),
        ));
    }
    let row = write(
        tx,
        me.id,
        NewSponsorship {
            sponsor: input.sponsor,
            tier: &tier,
            amount: input.amount,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            auto_renew: input.auto_renew,
            in_kind_description: input.in_kind_description,
            disclose: input.disclose,
        },
    )
    .await?;
    if let Some(claim) = claim {
        claim.store(tx, row.id).await?;
    }
    Ok(row)
}

/// A sponsorship to write, already checked against its tier.
pub struct NewSponsorship<'a> {
    pub sponsor: Holder,
    pub tier: &'a entity::sponsor_tier::Model,
    pub amount: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub auto_renew: bool,
    pub in_kind_description: Option<String>,
    /// Sets the sponsor's display consent; `None` keeps it (consent for a new sponsor).
    pub disclose: Option<bool>,
}

/// Writes a sponsorship with everything that follows from it: its place in the sponsor's run
/// (sponsor-since), the sponsor's consent, its activity, its audit entry and the Sponsor
/// membership. Call it holding the sponsor's lock.
pub async fn write(
    tx: &Tx,
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
        .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
        .order_by_desc(sponsorship::Column::EndsOn)
        .all(tx)
        .await?;
    // Periods run up to their end date, so one may start on the day another ends.
    if earlier
        .iter()
        .any(|s| s.starts_on < ends_on && starts_on < s.ends_on)
    {
        return Err(ApiError::conflict(
            "the sponsor already has a sponsorship in this period",
        ));
    }
    let key = sponsor.key();
    let before = consent::of(tx, &key).await?;
    let disclose = disclose.or(before).unwrap_or(true);
    consent::set(tx, &key, disclose).await?;
    if before.is_some_and(|was| was != disclose) {
        audit_consent(tx, recorded_by, sponsor, disclose).await?;
    }
    // Continuing support: the previous sponsorship ended on the day this one starts.
    let previous = earlier.iter().find(|s| s.ends_on == starts_on);
    let (account_id, organization_id) = sponsor.columns();
    let now = Utc::now();
    // A sponsorship is told to integrations once it has started, as the public list shows it
    // then; one that starts later is told on its start date, by the scheduler's catch-up.
    let started = starts_on <= now.date_naive();
    let row = sponsorship::ActiveModel {
        id: Set(ids::new_key()),
        tier_id: Set(tier.id),
        sponsor_key: Set(sponsor.key()),
        sponsor_account_id: Set(account_id),
        sponsor_organization_id: Set(organization_id),
        amount_minor: Set(amount.stored_minor()?),
        currency: Set(amount.currency().code().to_owned()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        sponsor_since: Set(previous.map_or(starts_on, |p| p.sponsor_since)),
        tier_rank: Set(tier.rank),
        auto_renew: Set(auto_renew),
        status: Set(SponsorshipState::Active),
        in_kind_description: Set(in_kind_description),
        cancel_reason: Set(None),
        recorded_by: Set(recorded_by),
        created_at: Set(now),
        updated_at: Set(now),
        announced_at: Set(started.then_some(now)),
    }
    .insert(tx)
    .await?;
    let (activity, previous_tier) = match previous {
        None => (SponsorActivityKind::NewSponsorship, None),
        Some(p) if p.tier_id != tier.id => (SponsorActivityKind::TierChange, Some(p.tier_id)),
        Some(_) => (SponsorActivityKind::Renewal, None),
    };
    record_activity(tx, row.id, activity, previous_tier, now).await?;
    if started {
        events::announce(tx, &row, activity, previous_tier).await?;
    }
    // A period already over when recorded has lapsed as well; the feed says so at once rather
    // than waiting for the catch-up job.
    if row.ends_on <= now.date_naive() {
        let at = lapsed_at(row.ends_on);
        if record_activity(tx, row.id, SponsorActivityKind::Lapsed, None, at).await? {
            let on = Some(row.ends_on);
            events::emit(tx, WebhookEvent::SponsorshipLapsed, &row, None, on).await?;
        }
    }
    audit_sponsorship(
        tx,
        recorded_by,
        AuditAction::SponsorshipRecorded,
        &row,
        Some(disclose),
    )
    .await?;
    follow_membership(tx, Actor::Account(recorded_by), sponsor, now.date_naive()).await?;
    Ok(row)
}

/// Why a sponsorship is cancelled.
pub struct CancelSponsorship {
    pub id: Uuid,
    pub reason: String,
}

/// Cancels a sponsorship that has not lapsed. Without another sponsorship, the Sponsor
/// membership goes into grace.
#[tracing::instrument(skip_all, fields(sponsorship = %input.id))]
pub async fn cancel(
    tx: &Tx,
    viewer: &Viewer,
    input: CancelSponsorship,
) -> ApiResult<sponsorship::Model> {
    let me = viewer.require_account()?;
    let CancelSponsorship { id, reason } = input;
    let today = Utc::now().date_naive();
    let current = locked(tx, id).await?;
    if effective(&current, today) == SponsorshipStatus::Lapsed {
        return Err(ApiError::conflict(
            "a lapsed sponsorship cannot be cancelled",
        ));
    }
    let cancelled = Sponsorships::update_many()
        .col_expr(
            sponsorship::Column::Status,
            Expr::value(SponsorshipState::Cancelled.to_value()),
        )
        .col_expr(sponsorship::Column::CancelReason, Expr::value(reason))
        .col_expr(sponsorship::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(sponsorship::Column::Id.eq(id))
        .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
        .exec(tx)
        .await?;
    if cancelled.rows_affected == 0 {
        return Err(ApiError::conflict("the sponsorship is already cancelled"));
    }
    let row = find(tx, id).await?;
    record_activity(tx, id, SponsorActivityKind::Cancelled, None, Utc::now()).await?;
    // One that was never told (it had not started) is not told of its end either.
    if row.announced_at.is_some() {
        events::emit(tx, WebhookEvent::SponsorshipCancelled, &row, None, None).await?;
    }
    audit_sponsorship(tx, me.id, AuditAction::SponsorshipCancelled, &row, None).await?;
    let sponsor = Holder::from_columns(row.sponsor_account_id, row.sponsor_organization_id)?;
    follow_membership(tx, Actor::Account(me.id), sponsor, today).await?;
    Ok(row)
}

/// A change of the sponsor's display consent, named through one of its sponsorships.
pub struct SetDisclosure {
    pub id: Uuid,
    pub disclose: bool,
}

/// Gives or withdraws the sponsor's consent to be shown in public, for all its sponsorships at
/// once: for the sponsor (an organization's representatives) and the TREASURER. Anyone who may
/// not see the sponsorship gets `NOT_FOUND`. The Sponsor membership's disclosure follows.
#[tracing::instrument(skip_all, fields(sponsorship = %input.id))]
pub async fn set_disclosure(
    tx: &Tx,
    viewer: &Viewer,
    input: SetDisclosure,
) -> ApiResult<sponsorship::Model> {
    let me = viewer.require_account()?;
    let current = locked(tx, input.id).await?;
    let sponsor =
        Holder::from_columns(current.sponsor_account_id, current.sponsor_organization_id)?;
    let treasurer = viewer.has_role(Role::Treasurer);
    let is_sponsor = is_sponsor(tx, me.id, sponsor).await?;
    if !is_sponsor && !treasurer && !viewer.has_role(Role::Admin) {
        return Err(ApiError::not_found("sponsorship"));
    }
    if !is_sponsor && !treasurer {
        return Err(ApiError::forbidden(
            "only the sponsor or the TREASURER can change consent",
        ));
    }
    if consent::set(tx, &current.sponsor_key, input.disclose).await? {
        audit_consent(tx, me.id, sponsor, input.disclose).await?;
        follow_membership(tx, Actor::Account(me.id), sponsor, Utc::now().date_naive()).await?;
    }
    Ok(current)
}

/// Records a change of the sponsor's consent, about the sponsor.
async fn audit_consent(tx: &Tx, actor: Uuid, sponsor: Holder, disclose: bool) -> ApiResult<()> {
    let (subject_kind, subject_id) = match sponsor {
        Holder::Account(id) => (SubjectKind::Account, id),
        Holder::Organization(id) => (SubjectKind::Organization, id),
    };
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action: AuditAction::SponsorshipDisclosureChanged,
            subject_kind,
            subject_id,
            summary: json!({ "sponsor": sponsor.key(), "disclose": disclose }),
        },
    )
    .await
}

/// Whether `account` is the sponsor or one of its representatives.
async fn is_sponsor(tx: &Tx, account: Uuid, sponsor: Holder) -> ApiResult<bool> {
    Ok(match sponsor {
        Holder::Account(id) => id == account,
        Holder::Organization(id) => OrganizationRepresentative::find_by_id((id, account))
            .one(tx)
            .await?
            .is_some(),
    })
}

/// The sponsorship `id`, read again after taking its sponsor's lock.
async fn locked(tx: &Tx, id: Uuid) -> ApiResult<sponsorship::Model> {
    let unlocked = find(tx, id).await?;
    lock_key(tx, &unlocked.sponsor_key).await?;
    find(tx, id).await
}

/// The sponsorship `id`, or `NOT_FOUND`.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<sponsorship::Model> {
    Sponsorships::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("sponsorships", id))?
        .ok_or_else(|| ApiError::not_found("sponsorship"))
}

/// `disclose` is the sponsor's consent when the change set or kept it.
async fn audit_sponsorship(
    tx: &Tx,
    actor: Uuid,
    action: AuditAction,
    row: &sponsorship::Model,
    disclose: Option<bool>,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: SubjectKind::Sponsorship,
            subject_id: row.id,
            summary: json!({
                "sponsor": row.sponsor_key,
                "tier": row.tier_id,
                "amountMinor": row.amount_minor.to_string(),
                "currency": row.currency,
                "startsOn": row.starts_on,
                "endsOn": row.ends_on,
                "status": row.status.to_value(),
                "disclose": disclose,
                "cancelReason": row.cancel_reason,
            }),
        },
    )
    .await
}
