//! Recording sponsorships and contributions (the TREASURER or an ADMIN), and the sponsor's
//! display consent.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use uuid::Uuid;

use crate::{
    accounts::types::Account,
    audit::SubjectKind,
    auth::{Role, RoleGuard, SessionGuard},
    db::Tx,
    error::{ApiError, ApiResult},
    holders::Holder,
    ids::{self, key_of, kind::AuditEvent as AuditEventKind},
    input::optional_text,
    money::Money,
    organizations::types::Organization,
    resolve::run,
    sponsors::{
        commands::{
            contribution::{self, RecordContribution},
            sponsorship::{self, CancelSponsorship, RecordSponsorship, SetDisclosure},
        },
        idempotency::parse_key,
        tiers::SponsorTier,
        types::{Contribution, ContributionKind, Sponsorship},
    },
    time::Date,
};

/// The writer demo data uses; it lives with the sponsorship commands.
pub use crate::sponsors::commands::sponsorship::{NewSponsorship, write as record};

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
    /// The amount for the period in minor units, as a decimal string, at most 10^15: at least
    /// the tier's yearly minimum × the period's months / 12, where the months are counted from
    /// `startsOn` up to `endsOn`, a partial month counting as a whole one.
    pub amount_minor: String,
    /// The ISO 4217 currency; the tier's.
    pub currency: String,
    /// The first day.
    pub starts_on: Date,
    /// The day it ends: the sponsorship runs up to this day, not on it, so a year from
    /// 2026-11-25 ends on 2027-11-25, and a renewal may start on it. After `startsOn`.
    pub ends_on: Date,
    /// Whether the sponsor means to renew (default false).
    #[graphql(default)]
    pub auto_renew: bool,
    /// What is given in kind: hardware, services, staff time.
    pub in_kind_description: Option<String>,
    /// The sponsor's consent to show its name, logo and URL in public, for all its sponsorships.
    /// Given, it sets the sponsor's consent; left out, the sponsor's consent stays as it is (true
    /// for a new sponsor), so that a renewal never undoes an opt-out.
    pub disclose: Option<bool>,
    /// A key of the client's choosing, 1 to 100 characters, unique to this sponsorship (a UUID
    /// made when the form opens, say). Required, so that a retry never records money twice: the
    /// same key with the same input returns the sponsorship first recorded, and with another
    /// input is `CONFLICT`.
    pub idempotency_key: String,
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
    /// One of the sponsor's sponsorships.
    pub sponsorship_id: ID,
    /// The sponsor's consent to show its name, logo and URL in public, for all its
    /// sponsorships.
    pub disclose: bool,
}

/// Input of `recordContribution`.
#[derive(InputObject)]
pub struct RecordContributionInput {
    /// The sponsorship it was received under.
    pub sponsorship_id: ID,
    /// The amount (or in-kind value) in minor units, as a decimal string, at most 10^15.
    pub amount_minor: String,
    /// The ISO 4217 currency; the sponsorship's.
    pub currency: String,
    /// The day it was received.
    pub received_on: Date,
    /// Money or in kind.
    pub kind: ContributionKind,
    /// A note for the ledger.
    pub note: Option<String>,
    /// A key of the client's choosing, 1 to 100 characters, unique to this contribution (a
    /// UUID made when the form opens, say). Required, so that a retry never records money
    /// twice: the same key with the same input returns the contribution first recorded, and
    /// with another input is `CONFLICT`.
    pub idempotency_key: String,
}

/// The sponsorship after the change.
#[derive(SimpleObject)]
pub struct SponsorshipPayload {
    /// The sponsorship.
    pub sponsorship: Sponsorship,
    /// The ID of the audit entry recording the change: the sponsor's receipt. The sponsor (the
    /// account, or the organization's representatives) may read it and fetch its inclusion
    /// proof (`auditInclusionProof(entryId:)`) once it is sealed, within a second. Null when
    /// the change recorded nothing.
    pub audit_entry_id: Option<ID>,
}

impl SponsorshipPayload {
    /// The payload after a command in `tx` changed `row`, with the entry it recorded about
    /// `subject` (the sponsorship, or for the consent the sponsor).
    fn of(tx: &Tx, row: entity::sponsorship::Model, subject: (SubjectKind, Uuid)) -> Self {
        Self {
            audit_entry_id: tx
                .receipt(subject.0, subject.1)
                .map(ids::id_of::<AuditEventKind>),
            sponsorship: Sponsorship(row),
        }
    }
}

/// The contribution recorded.
#[derive(SimpleObject)]
pub struct ContributionPayload {
    /// The contribution.
    pub contribution: Contribution,
}

#[Object]
impl SponsorshipMutation {
    /// Records a sponsorship. For the TREASURER and ADMIN, but never for oneself or an
    /// organization one represents (another TREASURER or an ADMIN must); audited. The sponsor's
    /// Sponsor membership follows it at the tier's vote weight; periods of one sponsor may not
    /// overlap.
    #[graphql(guard = "RoleGuard::any(&[Role::Treasurer, Role::Admin])")]
    async fn record_sponsorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RecordSponsorshipInput,
    ) -> ApiResult<SponsorshipPayload> {
        let input = input.parse()?;
        run(ctx, input, async |tx, viewer, input| {
            let row = sponsorship::record(tx, viewer, input).await?;
            let subject = (SubjectKind::Sponsorship, row.id);
            Ok(SponsorshipPayload::of(tx, row, subject))
        })
        .await
    }

    /// Cancels a sponsorship that has not lapsed. TREASURER only; audited. Without another
    /// sponsorship, the Sponsor membership goes into grace.
    #[graphql(guard = "RoleGuard::new(Role::Treasurer)")]
    async fn cancel_sponsorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CancelSponsorshipInput,
    ) -> ApiResult<SponsorshipPayload> {
        let input = CancelSponsorship {
            id: key_of::<Sponsorship>(&input.sponsorship_id, &crate::field!(input.sponsorship_id))?,
            reason: optional_text(Some(&input.reason), &crate::field!(input.reason), 2000)?
                .ok_or_else(|| {
                    ApiError::bad_input(
                        crate::field!(input.reason),
                        "a cancellation needs a reason",
                    )
                })?,
        };
        run(ctx, input, async |tx, viewer, input| {
            let row = sponsorship::cancel(tx, viewer, input).await?;
            let subject = (SubjectKind::Sponsorship, row.id);
            Ok(SponsorshipPayload::of(tx, row, subject))
        })
        .await
    }

    /// Gives or withdraws the sponsor's consent to be shown in public, named through one of its
    /// sponsorships. Consent is the sponsor's: withdrawn, it hides the sponsor from the list, the
    /// feeds, the activity feed and the member directory at once, for every sponsorship, until
    /// it is given again. For the sponsor (an organization's representatives) and the
    /// TREASURER; audited.
    #[graphql(guard = "SessionGuard")]
    async fn set_sponsorship_disclosure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: SetSponsorshipDisclosureInput,
    ) -> ApiResult<SponsorshipPayload> {
        let input = SetDisclosure {
            id: key_of::<Sponsorship>(&input.sponsorship_id, &crate::field!(input.sponsorship_id))?,
            disclose: input.disclose,
        };
        run(ctx, input, async |tx, viewer, input| {
            let row = sponsorship::set_disclosure(tx, viewer, input).await?;
            // The consent is the sponsor's: its entry is about the account or the organization.
            let subject = match Holder::from_key(&row.sponsor_key) {
                Some(Holder::Account(id)) => (SubjectKind::Account, id),
                Some(Holder::Organization(id)) => (SubjectKind::Organization, id),
                None => return Err(ApiError::internal("a sponsorship's sponsor key")),
            };
            Ok(SponsorshipPayload::of(tx, row, subject))
        })
        .await
    }

    /// Records money or in-kind value received under a sponsorship. For the TREASURER and ADMIN,
    /// but never for oneself or an organization one represents (another TREASURER or an ADMIN
    /// must); audited.
    #[graphql(guard = "RoleGuard::any(&[Role::Treasurer, Role::Admin])")]
    async fn record_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RecordContributionInput,
    ) -> ApiResult<ContributionPayload> {
        let input = input.parse()?;
        let row = run(ctx, input, contribution::record).await?;
        Ok(ContributionPayload {
            contribution: Contribution(row),
        })
    }
}

impl RecordSponsorshipInput {
    fn parse(self) -> ApiResult<RecordSponsorship> {
        let sponsor = match (&self.organization_id, &self.account_id) {
            (Some(org), None) => Holder::Organization(key_of::<Organization>(
                org,
                &crate::field!(input.organization_id),
            )?),
            (None, Some(account)) => Holder::Account(key_of::<Account>(
                account,
                &crate::field!(input.account_id),
            )?),
            _ => {
                return Err(ApiError::bad_input(
                    crate::field!(input.organization_id),
                    "Give exactly one sponsor: an organization or an account.",
                ));
            }
        };
        let tier_id = key_of::<SponsorTier>(&self.tier_id, &crate::field!(input.tier_id))?;
        let amount = Money::parse(
            &self.amount_minor,
            &self.currency,
            &crate::field!(input.amount_minor),
            &crate::field!(input.currency),
        )?;
        let (starts_on, ends_on) = (self.starts_on.0, self.ends_on.0);
        if ends_on <= starts_on {
            return Err(ApiError::bad_input(
                crate::field!(input.ends_on),
                "The end date must be after the start date.",
            ));
        }
        let in_kind_description = optional_text(
            self.in_kind_description.as_deref(),
            &crate::field!(input.in_kind_description),
            2000,
        )?;
        Ok(RecordSponsorship {
            sponsor,
            tier_id,
            amount,
            starts_on,
            ends_on,
            auto_renew: self.auto_renew,
            in_kind_description,
            disclose: self.disclose,
            idempotency_key: parse_key(
                Some(self.idempotency_key),
                &crate::field!(input.idempotency_key),
            )?,
        })
    }
}

impl RecordContributionInput {
    fn parse(self) -> ApiResult<RecordContribution> {
        let sponsorship_id =
            key_of::<Sponsorship>(&self.sponsorship_id, &crate::field!(input.sponsorship_id))?;
        let amount = Money::parse(
            &self.amount_minor,
            &self.currency,
            &crate::field!(input.amount_minor),
            &crate::field!(input.currency),
        )?;
        if amount.amount_minor() == 0 {
            return Err(ApiError::bad_input(
                crate::field!(input.amount_minor),
                "a contribution must be more than zero",
            ));
        }
        let note = optional_text(self.note.as_deref(), &crate::field!(input.note), 2000)?
            .unwrap_or_default();
        Ok(RecordContribution {
            sponsorship_id,
            amount,
            received_on: self.received_on.0,
            kind: self.kind,
            note,
            idempotency_key: parse_key(
                Some(self.idempotency_key),
                &crate::field!(input.idempotency_key),
            )?,
        })
    }
}
