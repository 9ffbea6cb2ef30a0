//! Trusted documents and cacheable reads: a client's manifest registered by an ADMIN, requests
//! naming a document by `documentId` or Apollo's `persistedQuery` (POST and GET), the
//! `QUORUM_TRUSTED_DOCUMENTS` modes, the caching headers of GET answers from the fields' cache
//! hints, and the public cache serving every credential what is public to everyone.

use api::{auth::Role, config::TrustedDocuments};
use poem::http::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::{
    Gql, TestApp,
    factories::{a_person, a_person_with, a_sponsorship, an_api_token, an_organization},
};

const WALL: &str = "query Wall { sponsors(first: 10) { totalCount nodes { displayName tier { name } } } membershipClasses { key } }";
const ME: &str = "query Me { viewer { id } }";

fn id_of(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

const REGISTER: &str = "mutation($input: PushTrustedDocumentsInput!) {
  pushTrustedDocuments(input: $input) { client added unchanged }
}";

/// The name the mutation had before the API contract fixed it, kept as a deprecated alias.
const REGISTER_BY_OLD_NAME: &str = "mutation($input: RegisterTrustedDocumentsInput!) {
  registerTrustedDocuments(input: $input) { clientName added unchanged }
}";

/// An ADMIN registers `documents` for `client`.
async fn register(app: &TestApp, admin: &str, client: &str, documents: &[&str]) -> Gql {
    let entries: Vec<Value> = documents
        .iter()
        .map(|document| json!({ "id": id_of(document), "document": document }))
        .collect();
    app.gql_as(
        admin,
        REGISTER,
        json!({ "input": { "client": client, "documents": entries } }),
    )
    .await
}

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Gql {
    let mut request = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body_json(&body);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    Gql::read(request.send().await).await
}

/// A GET with these query parameters; the raw response, for its headers.
async fn get(
    app: &TestApp,
    token: Option<&str>,
    params: &[(&str, &str)],
    if_none_match: Option<&str>,
) -> poem::test::TestResponse {
    let mut request = app
        .client
        .get("/graphql")
        .header("accept", "application/json");
    for (name, value) in params {
        request = request.query(*name, value);
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    request.send().await
}

fn header(response: &poem::test::TestResponse, name: &str) -> String {
    response
        .0
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn a_sponsor(app: &TestApp) {
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let rep = a_person(app, "Rita").await;
    let acme = an_organization(app, &rep, "Acme").await;
    a_sponsorship(&acme, "Gold").record(app, &treasurer).await;
}

#[tokio::test]
async fn an_admin_registers_a_manifest_and_requests_name_its_documents() {
    let app = TestApp::new().await;
    a_sponsor(&app).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let member = a_person(&app, "Mel").await;

    // Only an ADMIN registers, and every hash must be its document's.
    let refused = register(&app, &member.access_token, "portal", &[WALL]).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let forged = app
        .gql_as(
            &admin.access_token,
            REGISTER,
            json!({ "input": { "client": "portal",
              "documents": [{ "id": id_of(ME), "document": WALL }] } }),
        )
        .await;
    assert_eq!(forged.error_code(), "BAD_USER_INPUT");
    assert_eq!(forged.error_field(), "input.documents");

    let registered = register(&app, &admin.access_token, "portal", &[WALL, ME]).await;
    assert_eq!(
        registered.data()["pushTrustedDocuments"],
        json!({ "client": "portal", "added": 2, "unchanged": 0 })
    );
    let again = register(&app, &admin.access_token, "portal", &[WALL]).await;
    assert_eq!(
        again.data()["pushTrustedDocuments"],
        json!({ "client": "portal", "added": 0, "unchanged": 1 })
    );
    // The old name still registers, for clients written before the contract named it.
    let by_old_name = app
        .gql_as(
            &admin.access_token,
            REGISTER_BY_OLD_NAME,
            json!({ "input": { "clientName": "portal",
              "documents": [{ "id": id_of(WALL), "document": WALL }] } }),
        )
        .await;
    assert_eq!(
        by_old_name.data()["registerTrustedDocuments"],
        json!({ "clientName": "portal", "added": 0, "unchanged": 1 })
    );
    let audited: Vec<_> = entity::prelude::AuditEvent::find()
        .filter(
            entity::audit_event::Column::Action
                .eq(entity::audit_event::AuditAction::TrustedDocumentRegistered),
        )
        .all(app.db())
        .await
        .expect("read the audit log");
    assert_eq!(audited.len(), 2, "each new registration is audited once");

    let raw = app.gql(WALL, json!({})).await;
    let wall = raw.data().clone();
    let document_id = format!("sha256:{}", id_of(WALL));
    // POST with documentId, GraphQL over HTTP's form.
    let by_id = post(&app, None, json!({ "documentId": document_id })).await;
    assert_eq!(by_id.data(), &wall);
    // GET with documentId.
    let response = get(&app, None, &[("documentId", &document_id)], None).await;
    assert_eq!(Gql::read(response).await.data(), &wall);
    // Apollo's automatic persisted queries, POST and GET.
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": id_of(WALL) } });
    let apollo = post(&app, None, json!({ "extensions": extensions })).await;
    assert_eq!(apollo.data(), &wall);
    let response = get(&app, None, &[("extensions", &extensions.to_string())], None).await;
    assert_eq!(Gql::read(response).await.data(), &wall);
    // The hash as @graphql-codegen/client-preset embeds it (`sha256:<hex>`), which urql's
    // persisted exchange passes on as it is.
    let prefixed = json!({ "persistedQuery": { "version": 1, "sha256Hash": document_id } });
    let codegen = post(&app, None, json!({ "extensions": prefixed })).await;
    assert_eq!(codegen.data(), &wall);
    // A registered document holding a personal read answers for the caller.
    let me = post(
        &app,
        Some(&member.access_token),
        json!({ "documentId": format!("sha256:{}", id_of(ME)) }),
    )
    .await;
    assert_eq!(me.data()["viewer"]["id"], json!(member.id));

    // An unknown id is a request error, 400, in either form; Apollo's names the miss the way
    // Apollo and urql clients recognize it.
    let unknown = post(
        &app,
        None,
        json!({ "documentId": format!("sha256:{}", id_of("{ __typename }")) }),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    let missed = post(
        &app,
        None,
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": id_of("{ __typename }") } } }),
    )
    .await;
    assert_eq!(missed.status, StatusCode::BAD_REQUEST);
    assert_eq!(missed.error_message(), "PersistedQueryNotFound");
    assert_eq!(missed.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    // Under `allow`, Apollo's retry with the text runs it as a raw query.
    let retried = post(
        &app,
        None,
        json!({ "query": "{ __typename }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": id_of("{ __typename }") } } }),
    )
    .await;
    assert_eq!(retried.data()["__typename"], json!("Query"));

    // Metrics count the requests per client and document.
    let metrics = app.client.get("/metrics").send().await;
    let text = metrics.0.into_body().into_string().await.expect("metrics");
    let line = format!(
        "quorum_trusted_document_requests_total{{client=\"portal\",document=\"{}\"}} 5",
        id_of(WALL)
    );
    assert!(text.contains(&line), "{line} in\n{text}");
}

#[tokio::test]
async fn a_document_registered_through_one_replica_is_found_by_another() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let other = TestApp::client_for(app.replica().await);
    let document_id = format!("sha256:{}", id_of(ME));
    // The other replica is asked before the registration: it remembers no miss.
    let before = Gql::read(
        other
            .post("/graphql")
            .content_type("application/json")
            .body_json(&json!({ "documentId": document_id }))
            .send()
            .await,
    )
    .await;
    assert_eq!(before.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    register(&app, &admin.access_token, "console", &[ME])
        .await
        .data();
    let after = Gql::read(
        other
            .post("/graphql")
            .content_type("application/json")
            .header("authorization", format!("Bearer {}", admin.access_token))
            .body_json(&json!({ "documentId": document_id }))
            .send()
            .await,
    )
    .await;
    assert_eq!(after.data()["viewer"]["id"], json!(admin.id));
}

#[tokio::test]
async fn require_mode_runs_only_registered_documents() {
    let app = TestApp::with_config(|config| {
        config.trusted_documents = TrustedDocuments::Require;
    })
    .await;
    // The operator registers from the command line's command.
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    let manifest = json!({ id_of(WALL): WALL }).to_string();
    let documents =
        api::documents::commands::parse_manifest(&manifest, "manifest").expect("a manifest");
    api::documents::commands::register(&tx, api::audit::Actor::System, "public-site", documents)
        .await
        .expect("registered");
    tx.commit().await.expect("commit");

    let raw = app.gql(WALL, json!({})).await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);
    assert_eq!(raw.error_code(), "PERSISTED_QUERY_REQUIRED");
    let response = get(&app, None, &[("query", "{ __typename }")], None).await;
    assert_eq!(response.0.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        Gql::read(response).await.error_code(),
        "PERSISTED_QUERY_REQUIRED"
    );

    let by_id = post(
        &app,
        None,
        json!({ "documentId": format!("sha256:{}", id_of(WALL)) }),
    )
    .await;
    assert_eq!(by_id.data()["sponsors"]["totalCount"], json!(0));
    let unknown = post(
        &app,
        None,
        json!({ "documentId": format!("sha256:{}", id_of(ME)) }),
    )
    .await;
    assert_eq!(unknown.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    // A forged manifest is refused whole.
    let forged = json!({ id_of(ME): WALL }).to_string();
    assert!(api::documents::commands::parse_manifest(&forged, "manifest").is_err());
}

#[tokio::test]
async fn public_get_answers_carry_caching_headers_and_personal_ones_none() {
    let app = TestApp::new().await;
    app.state.public_cache.ready().await;
    a_sponsor(&app).await;
    let member = a_person(&app, "Mel").await;

    let first = get(&app, None, &[("query", WALL)], None).await;
    assert_eq!(first.0.status(), StatusCode::OK);
    assert_eq!(header(&first, "cache-control"), "public, max-age=60");
    assert_eq!(header(&first, "vary"), "Accept");
    let etag = header(&first, "etag");
    assert!(
        etag.starts_with('"') && etag.len() > 10,
        "a strong tag: {etag}"
    );
    // The same answer from the cache carries the same tag; a credential changes nothing.
    let token_read = get(&app, Some(&member.access_token), &[("query", WALL)], None).await;
    assert_eq!(header(&token_read, "etag"), etag);
    assert_eq!(header(&token_read, "cache-control"), "public, max-age=60");
    let not_modified = get(&app, None, &[("query", WALL)], Some(&etag)).await;
    assert_eq!(not_modified.0.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&not_modified, "etag"), etag);
    let stale = get(&app, None, &[("query", WALL)], Some("\"other\"")).await;
    assert_eq!(stale.0.status(), StatusCode::OK);

    // Personal answers: the viewer, the directory, a mix of public and personal.
    for query in [
        ME,
        "{ memberships(first: 5) { totalCount } }",
        "{ sponsors(first: 1) { totalCount } viewer { id } }",
    ] {
        let response = get(&app, Some(&member.access_token), &[("query", query)], None).await;
        assert_eq!(
            header(&response, "cache-control"),
            "private, no-store",
            "{query}"
        );
        assert!(
            header(&response, "vary").contains("Authorization"),
            "{query}"
        );
        assert!(header(&response, "etag").is_empty(), "{query}");
    }
    // POST answers are never cacheable by HTTP caches.
    let posted = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body_json(&json!({ "query": WALL }))
        .send()
        .await;
    assert_eq!(header(&posted, "cache-control"), "private, no-store");
}

/// Reads `query` as `token` twice, the first time with the cache emptied: the answers must be
/// equal, and the second must run fewer statements (only the credential's check).
async fn read_twice(app: &TestApp, token: Option<&str>, query: &str) -> (Value, usize, usize) {
    app.state.public_cache.invalidate();
    app.reset_statement_count();
    let uncached = post(app, token, json!({ "query": query })).await;
    let uncached_statements = app.statement_count();
    app.reset_statement_count();
    let cached = post(app, token, json!({ "query": query })).await;
    let cached_statements = app.statement_count();
    assert_eq!(cached.body, uncached.body);
    (cached.body, uncached_statements, cached_statements)
}

#[tokio::test]
async fn the_public_cache_serves_every_role_the_public_answer_and_nothing_personal() {
    let app = TestApp::new().await;
    app.state.public_cache.ready().await;
    a_sponsor(&app).await;
    let member = a_person(&app, "Mel").await;
    let treasurer = a_person_with(&app, "Trev", Role::Treasurer).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let reader = an_api_token(&app, &member, &["SPONSORS_READ"]).await;
    let unscoped = an_api_token(&app, &member, &["MEMBERS_READ"]).await;

    let (anonymous, _, _) = read_twice(&app, None, WALL).await;
    for token in [
        &member.access_token,
        &treasurer.access_token,
        &admin.access_token,
        &reader,
    ] {
        let (body, uncached, cached) = read_twice(&app, Some(token), WALL).await;
        assert_eq!(body, anonymous, "every role reads the public answer");
        // What checking the credential alone costs: a cached read of nothing but `__typename`.
        let (_, _, credential_only) = read_twice(&app, Some(token), "{ __typename }").await;
        assert_eq!(
            cached, credential_only,
            "the second read is served from the cache ({uncached} statements uncached)"
        );
    }
    // A token without SPONSORS_READ is refused, cached answer or not.
    let refused = post(&app, Some(&unscoped), json!({ "query": WALL })).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");

    // What a role sees beyond the public never reaches anyone else: drafts of tiers.
    let drafts = "{ sponsorTiers(state: DRAFT) { name } }";
    app.gql_as(&admin.access_token, drafts, json!({}))
        .await
        .data();
    let anonymous_drafts = app.gql(drafts, json!({})).await;
    assert_eq!(anonymous_drafts.error_code(), "FORBIDDEN");
    let member_drafts = app.gql_as(&member.access_token, drafts, json!({})).await;
    assert_eq!(member_drafts.error_code(), "FORBIDDEN");
    // A personal field is never answered from the cache: each read runs.
    for _ in 0..2 {
        app.reset_statement_count();
        let me = app.gql_as(&member.access_token, ME, json!({})).await;
        assert_eq!(me.data()["viewer"]["id"], json!(member.id));
        assert!(app.statement_count() > 0);
    }
    let (treasurer_tiers, _, _) = read_twice(
        &app,
        Some(&treasurer.access_token),
        "{ sponsorTiers { name } }",
    )
    .await;
    let (public_tiers, _, _) = read_twice(&app, None, "{ sponsorTiers { name } }").await;
    assert_eq!(treasurer_tiers, public_tiers);
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
