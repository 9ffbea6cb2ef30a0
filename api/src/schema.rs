//! The GraphQL schema: each domain's roots merged, the limits set, the loaders registered.

use async_graphql::{MergedObject, MergedSubscription, Schema};

use std::sync::Arc;

use crate::{
    accounts::{mutation::AccountMutation, query::AccountQuery},
    amendments::{mutation::AmendmentMutation, query::AmendmentQuery},
    audit::query::AuditQuery,
    bylaws::{mutation::BylawsMutation, query::BylawsQuery},
    config::Config,
    limits::Limits,
    members::{mutation::MembershipMutation, query::MembershipQuery},
    metrics::Metrics,
    mirrors::{mutation::MirrorMutation, query::MirrorQuery},
    node::NodeQuery,
    observe::Observe,
    organizations::mutation::OrganizationMutation,
    policy::graphql::{PolicyMutation, PolicyQuery},
    sponsors::{
        mutation::SponsorshipMutation,
        query::SponsorQuery,
        tiers::{SponsorTierMutation, SponsorTierQuery},
    },
    tokens::{mutation::ApiTokenMutation, query::ApiTokenQuery},
    votes::{mutation::VoteMutation, subscription::VoteSubscription},
};

/// The root of every query.
#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AccountQuery,
    ApiTokenQuery,
    AuditQuery,
    MembershipQuery,
    MirrorQuery,
    SponsorTierQuery,
    SponsorQuery,
    BylawsQuery,
    AmendmentQuery,
    PolicyQuery,
);

/// The root of every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutation,
    OrganizationMutation,
    ApiTokenMutation,
    MembershipMutation,
    MirrorMutation,
    SponsorTierMutation,
    SponsorshipMutation,
    BylawsMutation,
    AmendmentMutation,
    VoteMutation,
    PolicyMutation,
);

/// The root of every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(VoteSubscription);

/// The schema as served.
pub type QuorumSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with the configured limits. Per-request data (the viewer, the loaders) is
/// attached to each request by [`crate::http::graphql`].
pub fn build(config: &Config, metrics: Arc<Metrics>) -> QuorumSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_recursive_depth(config.limits.max_recursion)
    // Registered first, so it wraps the others and sees their errors.
    .extension(Observe(metrics))
    .extension(Limits(config.limits.clone()));
    if !config.introspection {
        // Suggestions ("did you mean …") would reveal the schema that introspection hides.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}
