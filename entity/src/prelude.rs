//! The entities, re-exported for `use entity::prelude::*`.

pub use crate::{
    account::Entity as Account, account_role::Entity as AccountRole,
    amendment::Entity as Amendment, amendment_change::Entity as AmendmentChange,
    amendment_comment::Entity as AmendmentComment, amendment_vote::Entity as AmendmentVote,
    api_token::Entity as ApiToken, api_token_scope::Entity as ApiTokenScope,
    application::Entity as Application, application_mirror::Entity as ApplicationMirror,
    audit_checkpoint::Entity as AuditCheckpoint, audit_event::Entity as AuditEvent,
    audit_head::Entity as AuditHead, bylaws_section::Entity as BylawsSection,
    bylaws_version::Entity as BylawsVersion, contribution::Entity as Contribution,
    governance_policy::Entity as GovernancePolicy, idempotency_key::Entity as IdempotencyKey,
    integration::Entity as Integration, integration_scope::Entity as IntegrationScope,
    integration_secret::Entity as IntegrationSecret, log_checkpoint::Entity as LogCheckpoint,
    log_cosignature::Entity as LogCosignature, log_node::Entity as LogNode,
    log_witness_size::Entity as LogWitnessSize, membership::Entity as Membership,
    membership_class::Entity as MembershipClass, mirror::Entity as Mirror,
    mirror_verification::Entity as MirrorVerification, organization::Entity as Organization,
    organization_representative::Entity as OrganizationRepresentative,
    refresh_token::Entity as RefreshToken, representation_period::Entity as RepresentationPeriod,
    representative_invitation::Entity as RepresentativeInvitation, session::Entity as Session,
    sponsor_activity::Entity as SponsorActivity, sponsor_consent::Entity as SponsorConsent,
    sponsor_tier::Entity as SponsorTier, sponsorship::Entity as Sponsorship,
    voter_roll::Entity as VoterRoll,
};

pub use crate::{
    directorship::Entity as Directorship, election::Entity as Election,
    election_ballot::Entity as ElectionBallot, election_roll::Entity as ElectionRoll,
    election_voter::Entity as ElectionVoter, nomination::Entity as Nomination,
};

pub use crate::{
    email_message::Entity as EmailMessage, email_preference::Entity as EmailPreference,
    event_sequence::Entity as EventSequence, mailing::Entity as Mailing,
    outbox_event::Entity as OutboxEvent, scheduled_run::Entity as ScheduledRun,
    webhook_delivery::Entity as WebhookDelivery, webhook_endpoint::Entity as WebhookEndpoint,
    webhook_endpoint_event::Entity as WebhookEndpointEvent,
};

pub use crate::trusted_document::Entity as TrustedDocument;
