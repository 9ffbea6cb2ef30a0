//! Quorum's database migrations, one change per file, applied in the order listed here.

pub use sea_orm_migration::prelude::*;

mod comma_list;

mod m20261125_000001_create_accounts;
mod m20261125_000002_create_account_roles;
mod m20261125_000003_create_sessions;
mod m20261125_000004_create_refresh_tokens;
mod m20261125_000005_create_organizations;
mod m20261125_000006_create_organization_representatives;
mod m20261125_000007_create_api_tokens;
mod m20261125_000008_create_audit_events;
mod m20261125_000009_create_governance_policy;
mod m20261125_000010_create_membership_classes;
mod m20261125_000011_create_mirrors;
mod m20261125_000012_create_mirror_verifications;
mod m20261125_000013_create_applications;
mod m20261125_000014_create_application_mirrors;
mod m20261125_000015_create_memberships;
mod m20261125_000016_create_sponsor_tiers;
mod m20261125_000017_create_sponsorships;
mod m20261125_000018_create_contributions;
mod m20261125_000019_create_sponsor_activities;
mod m20261125_000020_create_bylaws;
mod m20261125_000021_create_amendments;
mod m20261125_000022_create_votes;
mod m20261126_000001_create_rate_limits;
mod m20261126_000002_create_audit_checkpoints;
mod m20261126_000201_create_sponsor_consents;
mod m20261126_000202_fill_sponsor_consents;
mod m20261126_000203_drop_sponsorships_disclose;
mod m20261126_000204_shift_sponsorship_ends;
mod m20261126_000205_create_idempotency_keys;
mod m20261126_000301_alter_bylaws_sections;
mod m20261126_000302_alter_amendment_changes;
mod m20261202_000001_alter_governance_policy_elections;
mod m20261202_000002_create_elections;
mod m20261202_000003_create_directorships;
mod m20261202_000004_fill_directorships_from_board_roles;
mod m20261202_000005_create_nominations;
mod m20261202_000006_create_election_roll;
mod m20261202_000007_create_election_voters;
mod m20261202_000008_create_election_ballots;
mod m20261203_000001_create_outbox_events;
mod m20261203_000002_create_webhook_endpoints;
mod m20261203_000003_create_webhook_deliveries;
mod m20261203_000004_create_email_messages;
mod m20261203_000005_create_email_preferences;
mod m20261203_000006_create_scheduled_runs;
mod m20261204_000001_add_sponsorships_tier_rank;
mod m20261204_000002_fill_sponsorships_tier_rank;
mod m20261204_000003_create_sponsorships_public_order_index;
mod m20261205_000001_repair_directorships_from_board_roles;
mod m20261206_000001_add_webhook_endpoints_audience;
mod m20261206_000002_fill_webhook_endpoints_audience;
mod m20261206_000003_add_webhook_endpoints_previous_secret;
mod m20261206_000004_add_sponsorships_announced_at;
mod m20261206_000005_fill_sponsorships_announced_at;
mod m20261206_000006_create_sponsorships_unannounced_index;
mod m20261207_000001_create_mailings;
mod m20261208_000001_create_representative_invitations;
mod m20261208_000002_rename_outbox_events_audience;
mod m20261208_000003_add_outbox_events_audience;
mod m20261208_000004_fill_outbox_events_audience;
mod m20261208_000005_drop_outbox_events_audience_key;
mod m20261208_000006_create_api_token_scopes;
mod m20261208_000007_fill_api_token_scopes;
mod m20261208_000008_drop_api_tokens_scopes;
mod m20261208_000009_create_webhook_endpoint_events;
mod m20261208_000010_fill_webhook_endpoint_events;
mod m20261208_000011_drop_webhook_endpoints_events;
mod m20261208_000201_add_refresh_tokens_sealed_successor;
mod m20261208_000202_create_refresh_tokens_session_index;
mod m20261208_000203_add_sessions_cookie;
mod m20261208_000204_create_sessions_cookie_index;
mod m20261208_000250_create_log_cosignatures;
mod m20261208_000251_create_log_witness_sizes;
mod m20261209_000101_create_sponsor_tiers_folded_name_index;
mod m20261209_000102_subscribe_renewed_where_created;
mod m20261209_000401_create_trusted_documents;
mod m20261209_000402_create_trusted_documents_index;
mod m20261209_002301_create_representation_periods;
mod m20261209_002302_fill_representation_periods;
mod m20261209_002303_add_governance_policy_own_case_look_back_days;
mod m20261210_002201_create_integrations;
mod m20261210_002202_create_integration_scopes;
mod m20261210_002203_create_integration_secrets;
mod m20261210_002301_add_email_preferences_version;
mod m20261210_002302_create_event_sequences;
mod m20261210_002401_add_audit_events_leaf_index;
mod m20261210_002402_create_audit_events_leaf_index_index;
mod m20261210_002403_create_audit_events_unsealed_index;
mod m20261210_002404_create_log_nodes;
mod m20261210_002405_create_log_checkpoints;
mod m20261210_002406_create_audit_events_seq_sequence;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_accounts::Migration),
            Box::new(m20261125_000002_create_account_roles::Migration),
            Box::new(m20261125_000003_create_sessions::Migration),
            Box::new(m20261125_000004_create_refresh_tokens::Migration),
            Box::new(m20261125_000005_create_organizations::Migration),
            Box::new(m20261125_000006_create_organization_representatives::Migration),
            Box::new(m20261125_000007_create_api_tokens::Migration),
            Box::new(m20261125_000008_create_audit_events::Migration),
            Box::new(m20261125_000009_create_governance_policy::Migration),
            Box::new(m20261125_000010_create_membership_classes::Migration),
            Box::new(m20261125_000011_create_mirrors::Migration),
            Box::new(m20261125_000012_create_mirror_verifications::Migration),
            Box::new(m20261125_000013_create_applications::Migration),
            Box::new(m20261125_000014_create_application_mirrors::Migration),
            Box::new(m20261125_000015_create_memberships::Migration),
            Box::new(m20261125_000016_create_sponsor_tiers::Migration),
            Box::new(m20261125_000017_create_sponsorships::Migration),
            Box::new(m20261125_000018_create_contributions::Migration),
            Box::new(m20261125_000019_create_sponsor_activities::Migration),
            Box::new(m20261125_000020_create_bylaws::Migration),
            Box::new(m20261125_000021_create_amendments::Migration),
            Box::new(m20261125_000022_create_votes::Migration),
            Box::new(m20261126_000001_create_rate_limits::Migration),
            Box::new(m20261126_000002_create_audit_checkpoints::Migration),
            Box::new(m20261126_000201_create_sponsor_consents::Migration),
            Box::new(m20261126_000202_fill_sponsor_consents::Migration),
            Box::new(m20261126_000203_drop_sponsorships_disclose::Migration),
            Box::new(m20261126_000204_shift_sponsorship_ends::Migration),
            Box::new(m20261126_000205_create_idempotency_keys::Migration),
            Box::new(m20261126_000301_alter_bylaws_sections::Migration),
            Box::new(m20261126_000302_alter_amendment_changes::Migration),
            Box::new(m20261203_000001_create_outbox_events::Migration),
            Box::new(m20261203_000002_create_webhook_endpoints::Migration),
            Box::new(m20261203_000003_create_webhook_deliveries::Migration),
            Box::new(m20261203_000004_create_email_messages::Migration),
            Box::new(m20261203_000005_create_email_preferences::Migration),
            Box::new(m20261203_000006_create_scheduled_runs::Migration),
            Box::new(m20261204_000001_add_sponsorships_tier_rank::Migration),
            Box::new(m20261204_000002_fill_sponsorships_tier_rank::Migration),
            Box::new(m20261204_000003_create_sponsorships_public_order_index::Migration),
            Box::new(m20261202_000001_alter_governance_policy_elections::Migration),
            Box::new(m20261202_000002_create_elections::Migration),
            Box::new(m20261202_000003_create_directorships::Migration),
            Box::new(m20261202_000004_fill_directorships_from_board_roles::Migration),
            Box::new(m20261202_000005_create_nominations::Migration),
            Box::new(m20261202_000006_create_election_roll::Migration),
            Box::new(m20261202_000007_create_election_voters::Migration),
            Box::new(m20261202_000008_create_election_ballots::Migration),
            Box::new(m20261205_000001_repair_directorships_from_board_roles::Migration),
            Box::new(m20261206_000001_add_webhook_endpoints_audience::Migration),
            Box::new(m20261206_000002_fill_webhook_endpoints_audience::Migration),
            Box::new(m20261206_000003_add_webhook_endpoints_previous_secret::Migration),
            Box::new(m20261206_000004_add_sponsorships_announced_at::Migration),
            Box::new(m20261206_000005_fill_sponsorships_announced_at::Migration),
            Box::new(m20261206_000006_create_sponsorships_unannounced_index::Migration),
            Box::new(m20261207_000001_create_mailings::Migration),
            Box::new(m20261208_000001_create_representative_invitations::Migration),
            Box::new(m20261208_000002_rename_outbox_events_audience::Migration),
            Box::new(m20261208_000003_add_outbox_events_audience::Migration),
            Box::new(m20261208_000004_fill_outbox_events_audience::Migration),
            Box::new(m20261208_000005_drop_outbox_events_audience_key::Migration),
            Box::new(m20261208_000006_create_api_token_scopes::Migration),
            Box::new(m20261208_000007_fill_api_token_scopes::Migration),
            Box::new(m20261208_000008_drop_api_tokens_scopes::Migration),
            Box::new(m20261208_000009_create_webhook_endpoint_events::Migration),
            Box::new(m20261208_000010_fill_webhook_endpoint_events::Migration),
            Box::new(m20261208_000011_drop_webhook_endpoints_events::Migration),
            Box::new(m20261208_000201_add_refresh_tokens_sealed_successor::Migration),
            Box::new(m20261208_000202_create_refresh_tokens_session_index::Migration),
            Box::new(m20261208_000203_add_sessions_cookie::Migration),
            Box::new(m20261208_000204_create_sessions_cookie_index::Migration),
            Box::new(m20261209_000101_create_sponsor_tiers_folded_name_index::Migration),
            Box::new(m20261209_000102_subscribe_renewed_where_created::Migration),
            Box::new(m20261209_002301_create_representation_periods::Migration),
            Box::new(m20261209_002302_fill_representation_periods::Migration),
            Box::new(m20261209_002303_add_governance_policy_own_case_look_back_days::Migration),
            Box::new(m20261209_000401_create_trusted_documents::Migration),
            Box::new(m20261209_000402_create_trusted_documents_index::Migration),
            Box::new(m20261210_002301_add_email_preferences_version::Migration),
            Box::new(m20261210_002302_create_event_sequences::Migration),
            Box::new(m20261210_002201_create_integrations::Migration),
            Box::new(m20261210_002202_create_integration_scopes::Migration),
            Box::new(m20261210_002203_create_integration_secrets::Migration),
            Box::new(m20261210_002401_add_audit_events_leaf_index::Migration),
            Box::new(m20261210_002402_create_audit_events_leaf_index_index::Migration),
            Box::new(m20261210_002403_create_audit_events_unsealed_index::Migration),
            Box::new(m20261210_002404_create_log_nodes::Migration),
            Box::new(m20261210_002405_create_log_checkpoints::Migration),
            Box::new(m20261210_002406_create_audit_events_seq_sequence::Migration),
            Box::new(m20261208_000250_create_log_cosignatures::Migration),
            Box::new(m20261208_000251_create_log_witness_sizes::Migration),
        ]
    }
}
