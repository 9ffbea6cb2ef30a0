//! `outbox_events`: each event worth telling integrations, written with the change it reports.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    /// Also the `webhook-id` every delivery of the event carries, on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: WebhookEvent,
    /// The sponsorship, membership, amendment or election the event is about.
    pub subject_id: Uuid,
    /// Who may read the event, checked when it is written and again before each attempt; every
    /// rule but `PUBLIC` names a holder in the two columns below. See
    /// `api::notifications::outbox::Audience`.
    pub audience: EventAudience,
    /// The account the audience names, when it names one.
    pub audience_account_id: Option<Uuid>,
    /// The organization the audience names, when it names one.
    pub audience_organization_id: Option<Uuid>,
    /// A key that makes a dated event (kind, subject, date) happen once.
    #[sea_orm(unique)]
    pub dedup_key: Option<String>,
    pub occurred_at: DateTimeUtc,
}

/// Who may read an event, apart from the holder it names.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum EventAudience {
    /// Anyone, for good; names no holder.
    Public,
    /// Anyone while the sponsor (the holder) consents to be shown; otherwise the holder's own
    /// endpoints and the foundation's ADMIN ones.
    WhileSponsorShown,
    /// Anyone while the membership the event is about is disclosed; otherwise the holder's own
    /// endpoints and the foundation's ADMIN ones.
    WhileMembershipDisclosed,
    /// Only the holder's own endpoints and the foundation's ADMIN ones.
    Holder,
}

/// An event an integration can subscribe to; stored and sent by its dotted name, such as
/// `sponsorship.created`.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WebhookEvent {
    /// `sponsorship.created`: a sponsor began (a sponsorship with none before it).
    #[sea_orm(string_value = "sponsorship.created")]
    SponsorshipCreated,
    /// `sponsorship.renewed`: a sponsor continued at the same tier.
    #[sea_orm(string_value = "sponsorship.renewed")]
    SponsorshipRenewed,
    /// `sponsorship.tier_changed`: a sponsor continued at another tier.
    #[sea_orm(string_value = "sponsorship.tier_changed")]
    SponsorshipTierChanged,
    /// `sponsorship.lapsed`: a sponsorship reached its end date.
    #[sea_orm(string_value = "sponsorship.lapsed")]
    SponsorshipLapsed,
    /// `sponsorship.cancelled`: a sponsorship was cancelled.
    #[sea_orm(string_value = "sponsorship.cancelled")]
    SponsorshipCancelled,
    /// `membership.approved`: an application was approved and the membership granted.
    #[sea_orm(string_value = "membership.approved")]
    MembershipApproved,
    /// `amendment.adopted`: an amendment passed its vote and the bylaws changed.
    #[sea_orm(string_value = "amendment.adopted")]
    AmendmentAdopted,
    /// `amendment.rejected`: an amendment failed its vote.
    #[sea_orm(string_value = "amendment.rejected")]
    AmendmentRejected,
    /// `election.certified`: an election's result was certified and the winners seated.
    #[sea_orm(string_value = "election.certified")]
    ElectionCertified,
}

impl WebhookEvent {
    /// The dotted name sent as the payload's `type`, such as `sponsorship.created`.
    pub fn name(self) -> String {
        self.to_value()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
