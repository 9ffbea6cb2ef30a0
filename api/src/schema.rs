//! The GraphQL schema: each domain's roots merged, the limits set, the loaders registered.

use async_graphql::{MergedObject, MergedSubscription, Schema};

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    accounts::{mutation::AccountMutation, query::AccountQuery},
    amendments::{mutation::AmendmentMutation, query::AmendmentQuery},
    audit_log::query::AuditQuery,
    bylaws::{mutation::BylawsMutation, query::BylawsQuery},
    config::Config,
    documents::mutation::DocumentMutation,
    elections::{
        board::query::BoardQuery, mutation::ElectionMutation, query::ElectionQuery,
        subscription::ElectionSubscription,
    },
    limits::Limits,
    members::{mutation::MembershipMutation, query::MembershipQuery},
    metrics::Metrics,
    mirrors::{mutation::MirrorMutation, query::MirrorQuery},
    node::NodeQuery,
    notifications::{mutation::NotificationMutation, query::NotificationQuery},
    observe::Observe,
    organizations::mutation::OrganizationMutation,
    policy::graphql::{PolicyMutation, PolicyQuery},
    portal::ViewerQuery,
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
    ViewerQuery,
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
    BoardQuery,
    ElectionQuery,
    NotificationQuery,
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
    ElectionMutation,
    NotificationMutation,
    DocumentMutation,
);

/// The root of every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(VoteSubscription, ElectionSubscription);

/// Whether `request` only reads (a query), so that its loaders may keep what they read for the
/// whole request. A mutation's fields run one after another and each may change what an
/// earlier one read, so its loaders keep nothing; nor do a WebSocket connection's, which live
/// as long as the connection. Anything unclear counts as not only reading.
pub fn reads_only(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    // The parse is kept in the request, where execution takes it.
    let operation_name = request.operation_name.clone();
    request.parsed_query().is_ok_and(|document| {
        crate::public_cache::chosen_operation(document, operation_name.as_deref())
            .is_some_and(|operation| operation.node.ty == OperationType::Query)
    })
}

/// Attaches one fresh instance of every DataLoader to a request's (or a WebSocket
/// connection's) data. With `keep`, the loaders of holders, classes and the policy keep what
/// they read for the request (see [`reads_only`]).
pub fn register_loaders(data: &mut async_graphql::Data, db: &DatabaseConnection, keep: bool) {
    use async_graphql::dataloader::{DataLoader, HashMapCache};

    use crate::{
        accounts::loader::{
            AccountLoader, OrganizationLoader, RepresentativesLoader,
            RepresentedOrganizationsLoader, RolesLoader,
        },
        amendments::loader::{ChangesLoader, DocumentLoader, VoteCountsLoader},
        elections::loader::{NominationsLoader, StandingLoader, TurnoutLoader, ViewerRollLoader},
        members::loader::{ApplicationMirrorsLoader, MembershipClassLoader, MembershipLoader},
        mirrors::loader::VerificationsLoader,
        policy::loader::PolicyLoader,
        sponsors::loader::{ConsentLoader, ContributionTotalLoader, SponsorshipLoader, TierLoader},
    };
    fn add<L>(data: &mut async_graphql::Data, loader: L)
    where
        L: async_graphql::dataloader::Loader<uuid::Uuid> + Send + Sync + 'static,
    {
        data.insert(DataLoader::new(loader, tokio::spawn));
    }
    let db = || db.clone();
    // Kept for the request: the list resolvers load a page's holders, classes and the policy
    // up front (see `members::query`), and every field then finds them here, however the
    // fields' resolution is spread over time.
    fn cached<L, K>(data: &mut async_graphql::Data, loader: L, keep: bool)
    where
        L: async_graphql::dataloader::Loader<K> + Send + Sync + 'static,
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        L::Value: Send + Sync + Clone + 'static,
    {
        let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default());
        loader.enable_all_cache(keep);
        data.insert(loader);
    }
    cached::<_, uuid::Uuid>(data, AccountLoader(db()), keep);
    cached::<_, uuid::Uuid>(data, OrganizationLoader(db()), keep);
    cached::<_, entity::membership_class::MembershipClassKey>(
        data,
        MembershipClassLoader(db()),
        keep,
    );
    cached::<_, i32>(data, PolicyLoader(db()), keep);
    add(data, RolesLoader(db()));
    add(data, RepresentedOrganizationsLoader(db()));
    add(data, RepresentativesLoader(db()));
    add(data, ApplicationMirrorsLoader(db()));
    add(data, MembershipLoader(db()));
    add(
        data,
        crate::amendments::types::versions::AmendmentLoader(db()),
    );
    data.insert(DataLoader::new(
        crate::amendments::types::ballots::BallotLoader(db()),
        tokio::spawn,
    ));
    add(data, VerificationsLoader(db()));
    add(data, SponsorshipLoader(db()));
    add(data, ContributionTotalLoader(db()));
    add(data, VoteCountsLoader(db()));
    add(data, NominationsLoader(db()));
    add(data, TurnoutLoader(db()));
    add(data, crate::tokens::loader::ScopesLoader(db()));
    add(data, crate::tokens::loader::IntegrationScopesLoader(db()));
    add(data, crate::tokens::loader::IntegrationSecretsLoader(db()));
    add(data, crate::notifications::loader::EventsLoader(db()));
    // Keyed by something other than an id.
    data.insert(DataLoader::new(TierLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(ConsentLoader(db()), tokio::spawn));
    // Cached for the request: `changes` and `diff` both read an amendment's changes.
    data.insert(DataLoader::with_cache(
        ChangesLoader(db()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    data.insert(DataLoader::with_cache(
        DocumentLoader(db()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    data.insert(DataLoader::new(ViewerRollLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(StandingLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(
        crate::notifications::loader::DeliveriesLoader(db()),
        tokio::spawn,
    ));
}

/// The schema as served.
pub type QuorumSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with the configured limits. Per-request data (the viewer, the loaders) is
/// attached to each request by [`crate::http::graphql`].
pub fn build(config: &Config, metrics: Arc<Metrics>) -> QuorumSchema {
    // Errors name the schema's types only where introspection may show them, and never in
    // production.
    let schema_in_errors = config.introspection && !config.is_production();
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_recursive_depth(config.limits.max_recursion)
    // Registered first, so it wraps the others and sees their errors.
    .extension(Observe {
        metrics,
        schema_in_errors,
    })
    .extension(Limits {
        limits: config.limits.clone(),
        schema_in_errors,
    });
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
