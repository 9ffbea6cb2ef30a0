//! `audit_events`: the append-only, hash-chained record of every change of state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Position in the chain, from 1 without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// A person, or the operator at the command line.
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    /// What happened, stored as its dotted name, e.g. `role.granted`.
    pub action: AuditAction,
    /// The kind of thing it happened to, stored as its GraphQL type name, e.g. `Account`.
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    /// A JSON object describing the change, stored as the exact text that was hashed.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// The previous entry's `hash` for the entries of the hash chain (those written before the
    /// Merkle tree log); empty for later ones.
    pub prev_hash: String,
    /// The chain hash (see `api::audit`) of a chained entry; for a later one, the hex of its leaf
    /// hash in the Merkle tree log.
    pub hash: String,
    /// The entry's leaf in the Merkle tree log, from 0; `None` until the sealer has put it there.
    pub leaf_index: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Who made a change.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ActorKind {
    /// A logged-in person.
    Account,
    /// The operator, from the command line, or the server's own scheduled work.
    System,
    /// An integration, through one of its secrets.
    Integration,
}

/// What happened. The stored value is the dotted name that the hash chain covers, so it never
/// changes once written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AuditAction {
    /// An account signed up.
    #[sea_orm(string_value = "account.created")]
    AccountCreated,
    /// A person ended every session of their account.
    #[sea_orm(string_value = "account.logged_out_everywhere")]
    AccountLoggedOutEverywhere,
    /// A person changed their password; their other sessions ended.
    #[sea_orm(string_value = "account.password_changed")]
    AccountPasswordChanged,
    /// A person changed their profile.
    #[sea_orm(string_value = "account.profile_updated")]
    AccountProfileUpdated,
    /// An amendment passed and a new bylaws version holds it.
    #[sea_orm(string_value = "amendment.adopted")]
    AmendmentAdopted,
    /// A director was seated outside an election (by the operator, from the command line).
    #[sea_orm(string_value = "directorship.seated")]
    DirectorshipSeated,
    /// The committee cancelled an election.
    #[sea_orm(string_value = "election.cancelled")]
    ElectionCancelled,
    /// The committee certified an election's result and seated the winners.
    #[sea_orm(string_value = "election.certified")]
    ElectionCertified,
    /// An election closed and was counted.
    #[sea_orm(string_value = "election.closed")]
    ElectionClosed,
    /// The committee created an election.
    #[sea_orm(string_value = "election.created")]
    ElectionCreated,
    /// An election's nominations opened.
    #[sea_orm(string_value = "election.nominations_opened")]
    ElectionNominationsOpened,
    /// A member voted in an election (who voted, never what).
    #[sea_orm(string_value = "election.voted")]
    ElectionVoted,
    /// Voting was extended because turnout was low.
    #[sea_orm(string_value = "election.voting_extended")]
    ElectionVotingExtended,
    /// An election's voting opened and its roll was frozen.
    #[sea_orm(string_value = "election.voting_opened")]
    ElectionVotingOpened,
    /// A member commented on an amendment.
    #[sea_orm(string_value = "amendment.commented")]
    AmendmentCommented,
    /// Its proposer edited a draft amendment.
    #[sea_orm(string_value = "amendment.edited")]
    AmendmentEdited,
    /// A member drafted an amendment.
    #[sea_orm(string_value = "amendment.proposed")]
    AmendmentProposed,
    /// An amendment was moved onto the version in force.
    #[sea_orm(string_value = "amendment.rebased")]
    AmendmentRebased,
    /// An amendment did not pass.
    #[sea_orm(string_value = "amendment.rejected")]
    AmendmentRejected,
    /// The secretary sent an amendment to the members.
    #[sea_orm(string_value = "amendment.rights_flag_set")]
    AmendmentRightsFlagSet,
    /// An amendment was submitted: its notice period began.
    #[sea_orm(string_value = "amendment.submitted")]
    AmendmentSubmitted,
    /// Its proposer withdrew an amendment.
    #[sea_orm(string_value = "amendment.withdrawn")]
    AmendmentWithdrawn,
    /// An API token was created.
    #[sea_orm(string_value = "api_token.created")]
    ApiTokenCreated,
    /// An API token was revoked.
    #[sea_orm(string_value = "api_token.revoked")]
    ApiTokenRevoked,
    /// An integration was created, with its first secret.
    #[sea_orm(string_value = "integration.created")]
    IntegrationCreated,
    /// An integration's secret was rotated; the one it replaced works until the overlap ends.
    #[sea_orm(string_value = "integration.secret_rotated")]
    IntegrationSecretRotated,
    /// An integration was revoked: none of its secrets works any more.
    #[sea_orm(string_value = "integration.revoked")]
    IntegrationRevoked,
    /// A committee approved an application.
    #[sea_orm(string_value = "application.approved")]
    ApplicationApproved,
    /// A committee rejected an application.
    #[sea_orm(string_value = "application.rejected")]
    ApplicationRejected,
    /// Someone applied for membership.
    #[sea_orm(string_value = "application.submitted")]
    ApplicationSubmitted,
    /// An applicant withdrew an application.
    #[sea_orm(string_value = "application.withdrawn")]
    ApplicationWithdrawn,
    /// The first bylaws version was imported.
    #[sea_orm(string_value = "bylaws.imported")]
    BylawsImported,
    /// The treasurer recorded money or value received.
    #[sea_orm(string_value = "contribution.recorded")]
    ContributionRecorded,
    /// A membership began.
    #[sea_orm(string_value = "membership.created")]
    MembershipCreated,
    /// A Sponsor membership followed its sponsorship.
    #[sea_orm(string_value = "membership.follows_sponsorship")]
    MembershipFollowsSponsorship,
    /// A mirror check renewed or ended a Mirror membership's term.
    #[sea_orm(string_value = "membership.mirror_check")]
    MembershipMirrorCheck,
    /// A member answered a suspension or termination notice.
    #[sea_orm(string_value = "membership.notice_answered")]
    MembershipNoticeAnswered,
    /// A committee withdrew a notice.
    #[sea_orm(string_value = "membership.notice_withdrawn")]
    MembershipNoticeWithdrawn,
    /// A membership was renewed.
    #[sea_orm(string_value = "membership.renewed")]
    MembershipRenewed,
    /// A committee gave notice of suspension.
    #[sea_orm(string_value = "membership.suspension_noticed")]
    MembershipSuspensionNoticed,
    /// A committee gave notice of termination.
    #[sea_orm(string_value = "membership.termination_noticed")]
    MembershipTerminationNoticed,
    /// The technology committee checked a mirror.
    #[sea_orm(string_value = "mirror.checked")]
    MirrorChecked,
    /// The committee disqualified a nominee.
    #[sea_orm(string_value = "nomination.disqualified")]
    NominationDisqualified,
    /// A member nominated someone.
    #[sea_orm(string_value = "nomination.made")]
    NominationMade,
    /// A nominee accepted or declined.
    #[sea_orm(string_value = "nomination.answered")]
    NominationAnswered,
    /// A mirror was registered.
    #[sea_orm(string_value = "mirror.registered")]
    MirrorRegistered,
    /// An organization was created.
    #[sea_orm(string_value = "organization.created")]
    OrganizationCreated,
    /// An account began to represent an organization: it accepted an invitation (or, before
    /// invitations, was added).
    #[sea_orm(string_value = "organization.representative_added")]
    OrganizationRepresentativeAdded,
    /// A representative or administrator invited an account to represent an organization.
    #[sea_orm(string_value = "organization.representative_invited")]
    OrganizationRepresentativeInvited,
    /// The invited account declined to represent an organization.
    #[sea_orm(string_value = "organization.invitation_declined")]
    OrganizationInvitationDeclined,
    /// An organization withdrew an invitation before it was answered.
    #[sea_orm(string_value = "organization.invitation_cancelled")]
    OrganizationInvitationCancelled,
    /// An account stopped representing an organization.
    #[sea_orm(string_value = "organization.representative_removed")]
    OrganizationRepresentativeRemoved,
    /// An organization's name, website or logo changed.
    #[sea_orm(string_value = "organization.updated")]
    OrganizationUpdated,
    /// An administrator changed the governance policy.
    #[sea_orm(string_value = "policy.updated")]
    PolicyUpdated,
    /// A role was granted.
    #[sea_orm(string_value = "role.granted")]
    RoleGranted,
    /// A role was revoked.
    #[sea_orm(string_value = "role.revoked")]
    RoleRevoked,
    /// A client registered a trusted document.
    #[sea_orm(string_value = "trusted_document.registered")]
    TrustedDocumentRegistered,
    /// A sponsor tier was created.
    #[sea_orm(string_value = "sponsor_tier.created")]
    SponsorTierCreated,
    /// A sponsor tier changed.
    #[sea_orm(string_value = "sponsor_tier.updated")]
    SponsorTierUpdated,
    /// A sponsorship was cancelled.
    #[sea_orm(string_value = "sponsorship.cancelled")]
    SponsorshipCancelled,
    /// A sponsor gave or withdrew display consent.
    #[sea_orm(string_value = "sponsorship.disclosure_changed")]
    SponsorshipDisclosureChanged,
    /// The treasurer recorded a sponsorship.
    #[sea_orm(string_value = "sponsorship.recorded")]
    SponsorshipRecorded,
    /// A member voted.
    #[sea_orm(string_value = "vote.cast")]
    VoteCast,
    /// A member changed their vote.
    #[sea_orm(string_value = "vote.changed")]
    VoteChanged,
    /// A vote closed and its tally was recorded.
    #[sea_orm(string_value = "vote.closed")]
    VoteClosed,
    /// A vote opened and its roll was frozen.
    #[sea_orm(string_value = "vote.opened")]
    VoteOpened,
    /// An account chose whether it receives non-essential mail (`setEmailPreferences`, or a
    /// one-click unsubscribe link).
    #[sea_orm(string_value = "email_preferences.changed")]
    EmailPreferencesChanged,
    /// A webhook endpoint was created.
    #[sea_orm(string_value = "webhook_endpoint.created")]
    WebhookEndpointCreated,
    /// A webhook endpoint was deleted.
    #[sea_orm(string_value = "webhook_endpoint.deleted")]
    WebhookEndpointDeleted,
    /// A webhook endpoint's signing secret was replaced.
    #[sea_orm(string_value = "webhook_endpoint.secret_rotated")]
    WebhookSecretRotated,
    /// A failed webhook delivery was queued again.
    #[sea_orm(string_value = "webhook_delivery.redelivered")]
    WebhookRedelivered,
}

impl AuditAction {
    /// The dotted name, e.g. `role.granted`.
    pub fn name(self) -> String {
        ActiveEnum::to_value(&self)
    }
}

/// The kind of thing a change happened to: the name of its GraphQL type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SubjectKind {
    /// A person's account.
    #[sea_orm(string_value = "Account")]
    Account,
    /// An amendment.
    #[sea_orm(string_value = "Amendment")]
    Amendment,
    /// An API token.
    #[sea_orm(string_value = "ApiToken")]
    ApiToken,
    /// A membership application.
    #[sea_orm(string_value = "Application")]
    Application,
    /// A version of the bylaws.
    #[sea_orm(string_value = "BylawsVersion")]
    BylawsVersion,
    /// A contribution received.
    #[sea_orm(string_value = "Contribution")]
    Contribution,
    /// A seat on the board.
    #[sea_orm(string_value = "Directorship")]
    Directorship,
    /// A board election.
    #[sea_orm(string_value = "Election")]
    Election,
    /// An integration: a machine client of the foundation or an organization.
    #[sea_orm(string_value = "Integration")]
    Integration,
    /// The governance policy.
    #[sea_orm(string_value = "GovernancePolicy")]
    GovernancePolicy,
    /// A membership.
    #[sea_orm(string_value = "Membership")]
    Membership,
    /// A nomination in an election.
    #[sea_orm(string_value = "Nomination")]
    Nomination,
    /// A mirror.
    #[sea_orm(string_value = "Mirror")]
    Mirror,
    /// An organization.
    #[sea_orm(string_value = "Organization")]
    Organization,
    /// A sponsor tier.
    #[sea_orm(string_value = "SponsorTier")]
    SponsorTier,
    /// A sponsorship.
    #[sea_orm(string_value = "Sponsorship")]
    Sponsorship,
    /// A trusted document, as one client registered it.
    #[sea_orm(string_value = "TrustedDocument")]
    TrustedDocument,
    /// A webhook endpoint.
    #[sea_orm(string_value = "WebhookEndpoint")]
    WebhookEndpoint,
}

impl SubjectKind {
    /// The GraphQL type's name, e.g. `Account`.
    pub fn name(self) -> String {
        ActiveEnum::to_value(&self)
    }
}
