//! The anonymous public-read cache: the sponsor list and the directory, as an anonymous caller
//! sees them, are answered from memory, and every change that alters them (on this replica or
//! another) or midnight makes the next read fresh. Nobody with credentials is ever served from
//! it.

use std::time::Duration;

use api::auth::Role;
use chrono::{Days, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{
    Gql, TestApp,
    factories::{
        a_membership, a_person, a_person_with, a_sponsorship, an_account, an_organization, tier_id,
    },
};

const WALL: &str =
    "{ sponsors(first: 100) { totalCount nodes { id displayName sponsorSince tier { name } } } }";
const DIRECTORY: &str = "{ memberships(first: 100) { totalCount nodes { id class { key }
  holder { ... on Account { displayName } ... on Organization { name } } } } }";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn wall(response: &Gql) -> Vec<(String, String)> {
    response.data()["sponsors"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            (
                node["displayName"].as_str().unwrap_or_default().to_owned(),
                node["tier"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn directory(response: &Gql) -> Vec<String> {
    let mut names: Vec<String> = response.data()["memberships"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            node["holder"]["displayName"]
                .as_str()
                .or(node["holder"]["name"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    names.sort();
    names
}

/// Reads `query` anonymously twice and checks that the second answer came from the cache: the
/// same body, and not one SQL statement.
async fn cached(app: &TestApp, query: &str) -> Gql {
    // On PostgreSQL the cache serves once it listens for the other replicas' changes.
    app.state.public_cache.ready().await;
    let first = app.gql(query, json!({})).await;
    first.data();
    app.reset_statement_count();
    let second = app.gql(query, json!({})).await;
    assert_eq!(
        app.statement_count(),
        0,
        "the second read is served from memory"
    );
    assert_eq!(second.body, first.body);
    second
}

#[tokio::test]
async fn every_change_to_the_wall_reaches_the_next_anonymous_read() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let acme = an_organization(&app, &rep, "Acme").await;
    let acme_sponsorship = a_sponsorship(&acme, "Gold").record(&app, &treasurer).await;
    assert_eq!(
        wall(&cached(&app, WALL).await),
        [("Acme".into(), "Gold".into())]
    );

    // A new sponsorship.
    let zeta = an_organization(&app, &rep, "Zeta").await;
    a_sponsorship(&zeta, "Silver")
        .record(&app, &treasurer)
        .await;
    let after_new = cached(&app, WALL).await;
    assert_eq!(
        wall(&after_new),
        [
            ("Acme".into(), "Gold".into()),
            ("Zeta".into(), "Silver".into())
        ]
    );
    assert_eq!(after_new.data()["sponsors"]["totalCount"], json!(2));

    // A tier renamed.
    let gold = tier_id(&app, "Gold").await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    app.gql_as(
        &admin.access_token,
        "mutation($id: ID!) { updateSponsorTier(input: { id: $id, name: \"Golden\" }) { tier { name } } }",
        json!({ "id": gold }),
    )
    .await
    .data();
    assert_eq!(
        wall(&cached(&app, WALL).await),
        [
            ("Acme".into(), "Golden".into()),
            ("Zeta".into(), "Silver".into())
        ]
    );

    // The sponsor withdraws its consent: it asks not to be listed.
    app.gql_as(
        &rep.access_token,
        "mutation($id: ID!) { setSponsorshipDisclosure(input: { sponsorshipId: $id, disclose: false }) { sponsorship { id } } }",
        json!({ "id": acme_sponsorship }),
    )
    .await
    .data();
    let after_opt_out = cached(&app, WALL).await;
    assert_eq!(wall(&after_opt_out), [("Zeta".into(), "Silver".into())]);
    assert_eq!(after_opt_out.data()["sponsors"]["totalCount"], json!(1));
}

#[tokio::test]
async fn a_lapse_at_midnight_reaches_the_next_anonymous_read() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let ending = an_organization(&app, &rep, "Ending Co").await;
    let staying = an_organization(&app, &rep, "Staying Co").await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    a_sponsorship(&ending, "Silver")
        .from(today().checked_sub_days(Days::new(300)).expect("date"))
        .until(tomorrow)
        .paying("250000")
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&staying, "Silver")
        .record(&app, &treasurer)
        .await;
    assert_eq!(
        cached(&app, WALL).await.data()["sponsors"]["totalCount"],
        json!(2)
    );

    // Midnight comes and Ending Co's last day is over. Nobody writes: the calendar moves the
    // data (here its end date is moved to today instead, behind the cache's back), and the
    // cache's day moves with the clock.
    app.db()
        .execute_unprepared(&format!(
            "UPDATE sponsorships SET ends_on = '{}' WHERE ends_on = '{tomorrow}'",
            today()
        ))
        .await
        .expect("move the end date");
    assert_eq!(
        app.gql(WALL, json!({})).await.data()["sponsors"]["totalCount"],
        json!(2),
        "before midnight the day's answer stands"
    );
    app.state.public_cache.move_clock_for_tests(1);
    let after_midnight = app.gql(WALL, json!({})).await;
    assert_eq!(
        wall(&after_midnight),
        [("Staying Co".into(), "Silver".into())]
    );
    assert_eq!(after_midnight.data()["sponsors"]["totalCount"], json!(1));
}

#[tokio::test]
async fn a_new_membership_and_a_non_disclosure_request_reach_the_next_directory_read() {
    let app = TestApp::new().await;
    let ada = an_account().named("Ada").create(&app).await;
    a_membership(&app, &ada, "CONTRIBUTOR", true).await;
    assert_eq!(directory(&cached(&app, DIRECTORY).await), ["Ada"]);

    // A new membership.
    let bo = an_account().named("Bo").create(&app).await;
    a_membership(&app, &bo, "CONTRIBUTOR", true).await;
    assert_eq!(directory(&cached(&app, DIRECTORY).await), ["Ada", "Bo"]);

    // A sponsor joins, and then asks not to be listed: its Sponsor membership leaves the
    // public directory (and the wall) at once.
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let quiet = an_organization(&app, &rep, "Quiet Co").await;
    let sponsorship = a_sponsorship(&quiet, "Gold").record(&app, &treasurer).await;
    assert_eq!(
        directory(&cached(&app, DIRECTORY).await),
        ["Ada", "Bo", "Quiet Co"]
    );
    app.gql_as(
        &rep.access_token,
        "mutation($id: ID!) { setSponsorshipDisclosure(input: { sponsorshipId: $id, disclose: false }) { sponsorship { id } } }",
        json!({ "id": sponsorship }),
    )
    .await
    .data();
    assert_eq!(directory(&cached(&app, DIRECTORY).await), ["Ada", "Bo"]);
}

#[tokio::test]
async fn nobody_with_credentials_is_served_what_the_public_sees_nor_fills_it() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mo", Role::MembershipCommittee).await;
    let open = an_account().named("Open").create(&app).await;
    a_membership(&app, &open, "CONTRIBUTOR", true).await;
    let hidden = an_account().named("Hidden").create(&app).await;
    a_membership(&app, &hidden, "CONTRIBUTOR", false).await;

    assert_eq!(directory(&cached(&app, DIRECTORY).await), ["Open"]);
    // The committee sees the member who asked not to be listed, although the public answer
    // is cached...
    let seen = app
        .gql_as(&committee.access_token, DIRECTORY, json!({}))
        .await;
    assert!(directory(&seen).contains(&"Hidden".to_owned()));
    // ...and what the committee saw never reaches the public.
    assert_eq!(directory(&app.gql(DIRECTORY, json!({})).await), ["Open"]);
    // A bad token is refused, never treated as anonymous and served from the cache.
    let bad = app.gql_as("not-a-token", DIRECTORY, json!({})).await;
    assert_eq!(bad.error_code(), "UNAUTHENTICATED");
    // A mutation is never cached, and neither is a query that reaches past the public reads.
    let viewer = "{ memberships(first: 1) { totalCount } viewer { id } }";
    app.gql(viewer, json!({})).await;
    app.reset_statement_count();
    app.gql(viewer, json!({})).await;
    assert!(app.statement_count() > 0, "a mixed query runs every time");
}

#[tokio::test]
async fn people_signing_up_and_logging_in_and_out_leave_the_cached_directory_alone() {
    use sea_orm::EntityTrait;
    let app = TestApp::new().await;
    let open = a_person(&app, "Open").await;
    let (_, open_id) = api::ids::decode(&open.id).expect("an account ID");
    let account = entity::prelude::Account::find_by_id(open_id)
        .one(app.db())
        .await
        .expect("read the account")
        .expect("the account exists");
    a_membership(&app, &account, "CONTRIBUTOR", true).await;
    cached(&app, DIRECTORY).await;

    // A morning of sessions: a sign-up, a log-in, a refresh, a log-out, an API token.
    let lou = a_person(&app, "Lou").await;
    let again = app
        .gql(
            "mutation($input: LogInInput!) { logIn(input: $input) { refreshToken } }",
            json!({ "input": { "email": lou.email, "password": tests::factories::PASSWORD } }),
        )
        .await;
    let refresh = again.data()["logIn"]["refreshToken"].clone();
    app.gql(
        "mutation($input: RefreshSessionInput!) { refreshSession(input: $input) { accessToken } }",
        json!({ "input": { "refreshToken": refresh } }),
    )
    .await
    .data();
    app.gql_as(
        &lou.access_token,
        "mutation { createApiToken(input: { name: \"feed\", scopes: [SPONSORS_READ] }) { token } }",
        json!({}),
    )
    .await
    .data();
    app.gql_as(
        &lou.access_token,
        "mutation($input: LogOutInput!) { logOut(input: $input) { ok } }",
        json!({ "input": { "refreshToken": lou.refresh_token } }),
    )
    .await
    .data();

    // None of that is public, so the directory is still answered from memory.
    app.reset_statement_count();
    assert_eq!(directory(&app.gql(DIRECTORY, json!({})).await), ["Open"]);
    assert_eq!(app.statement_count(), 0, "sessions leave the cache alone");

    // A change of a name the directory shows is public, and reaches the next read.
    app.gql_as(
        &open.access_token,
        "mutation { updateProfile(input: { displayName: \"Opal\" }) { account { id } } }",
        json!({}),
    )
    .await
    .data();
    assert_eq!(directory(&cached(&app, DIRECTORY).await), ["Opal"]);
}

#[tokio::test]
async fn a_change_on_one_replica_reaches_the_cache_of_another() {
    let app = TestApp::new().await;
    let replica = app.replica().await;
    replica.public_cache.ready().await;
    let other = TestApp::client_for(replica);
    let read_other = || async {
        let response = other
            .post("/graphql")
            .content_type("application/json")
            .body_json(&json!({ "query": WALL }))
            .send()
            .await;
        Gql::read(response).await
    };
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let acme = an_organization(&app, &rep, "Acme").await;
    a_sponsorship(&acme, "Gold").record(&app, &treasurer).await;
    // The other replica caches the wall as it stands.
    assert_eq!(
        read_other().await.data()["sponsors"]["totalCount"],
        json!(1)
    );
    assert_eq!(
        read_other().await.data()["sponsors"]["totalCount"],
        json!(1)
    );

    // This replica records a sponsorship; the other hears of it (PostgreSQL NOTIFY), and its
    // next reads show it without waiting for midnight.
    let zeta = an_organization(&app, &rep, "Zeta").await;
    a_sponsorship(&zeta, "Silver")
        .record(&app, &treasurer)
        .await;
    let mut seen: Value = json!(null);
    for _ in 0..100 {
        seen = read_other().await.data()["sponsors"]["totalCount"].clone();
        if seen == json!(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, json!(2), "the other replica's cache was invalidated");
}

#[tokio::test]
async fn an_integration_reads_the_wall_from_memory_and_its_revocation_reaches_every_replica_at_once()
 {
    let app = TestApp::new().await;
    let replica = app.replica().await;
    replica.public_cache.ready().await;
    let other = TestApp::client_for(replica);
    let read_other = |secret: String| {
        let other = &other;
        async move {
            let response = other
                .post("/graphql")
                .content_type("application/json")
                .header("authorization", format!("Bearer {secret}"))
                .body_json(&json!({ "query": WALL }))
                .send()
                .await;
            Gql::read(response).await
        }
    };
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let created = app
        .gql_as(
            &admin.access_token,
            "mutation { createIntegration(input: { name: \"wall\", scopes: [SPONSORS_READ] }) { secret integration { id } } }",
            json!({}),
        )
        .await;
    let secret = created.data()["createIntegration"]["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    let id = created.data()["createIntegration"]["integration"]["id"].clone();

    // Once read, the secret and the wall are both answered from memory: no statement at all.
    app.gql_as(&secret, WALL, json!({})).await.data();
    app.reset_statement_count();
    app.gql_as(&secret, WALL, json!({})).await.data();
    assert_eq!(
        app.statement_count(),
        0,
        "the integration's read of the wall costs no statement"
    );
    read_other(secret.clone()).await.data();
    read_other(secret.clone()).await.data();

    // Revoked on this replica: refused here at once, and on the other as soon as it hears.
    app.gql_as(
        &admin.access_token,
        "mutation($i: RevokeIntegrationInput!) { revokeIntegration(input: $i) { integration { id } } }",
        json!({ "i": { "integrationId": id } }),
    )
    .await
    .data();
    let here = app.gql_as(&secret, WALL, json!({})).await;
    assert_eq!(here.error_code(), "UNAUTHENTICATED");
    let mut there = String::new();
    for _ in 0..100 {
        let answer = read_other(secret.clone()).await;
        there = answer.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if there == "UNAUTHENTICATED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        there, "UNAUTHENTICATED",
        "the other replica forgot the secret"
    );
}

/// `/ready`'s body on `app`.
async fn readiness(app: &TestApp) -> String {
    let response = app.client.get("/ready").send().await;
    response.assert_status_is_ok();
    response.0.into_body().into_string().await.expect("text")
}

/// `/metrics` on `app`.
async fn metrics(app: &TestApp) -> String {
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    response.0.into_body().into_string().await.expect("text")
}

/// The value of the counter or gauge `name` in `/metrics` on `app`.
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = metrics(app).await;
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// Polls `/ready` on `app` until its body satisfies `wanted`, for at most five seconds.
async fn await_readiness(app: &TestApp, wanted: impl Fn(&str) -> bool) -> String {
    let mut body = String::new();
    for _ in 0..500 {
        body = readiness(app).await;
        if wanted(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("/ready never changed as expected; it says {body:?}");
}

#[tokio::test]
async fn a_stalled_listener_stops_cached_answers_at_its_deadline_and_says_so_until_it_hears_again()
{
    let app = TestApp::with_config(|config| {
        config.listen_heartbeat = Duration::from_millis(100);
        config.listen_heartbeat_deadline = Duration::from_millis(500);
    })
    .await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let acme = an_organization(&app, &rep, "Acme").await;
    let zeta = an_organization(&app, &rep, "Zeta").await;
    a_sponsorship(&acme, "Gold").record(&app, &treasurer).await;
    cached(&app, WALL).await;
    if app.backend() != sea_orm::DbBackend::Postgres {
        // SQLite: one process, no LISTEN connection and no heartbeat; every replica of the
        // process sees each write at commit, so the cache always serves and /ready says ready.
        assert_eq!(readiness(&app).await, "ready");
        let text = metrics(&app).await;
        assert!(text.contains("quorum_public_cache_listener_up 1"), "{text}");
        assert!(text.contains("quorum_public_cache_listener_stalls_total 0"));
        return;
    }
    // A loaded machine may miss a heartbeat on its own before the pause below: count from here.
    await_readiness(&app, |body| body == "ready").await;
    let stalls_before = metric(&app, "quorum_public_cache_listener_stalls_total").await;
    let replica = app.replica().await;
    let other = TestApp::client_for(replica);
    let silver = tier_id(&app, "Silver").await;

    // This replica's LISTEN connection stops reading, its socket open, as behind a frozen
    // backend; another replica records a sponsorship, whose NOTIFY goes unheard here.
    app.state.public_cache.pause_listener_for_tests(true);
    let recorded = Gql::read(
        other
            .post("/graphql")
            .header(
                "authorization",
                format!("Bearer {}", treasurer.access_token),
            )
            .content_type("application/json")
            .body_json(&json!({
                "query": tests::factories::RECORD_SPONSORSHIP,
                "variables": a_sponsorship(&zeta, "Silver").json(&silver),
            }))
            .send()
            .await,
    )
    .await;
    recorded.data();
    // Within the deadline the heartbeat is overdue: /ready says so, and the public read goes
    // to the database and shows the change.
    let degraded = await_readiness(&app, |body| body != "ready").await;
    assert_eq!(
        degraded,
        "ready, degraded: the public-change LISTEN heartbeat is overdue; public reads go to the database"
    );
    app.reset_statement_count();
    let fresh = app.gql(WALL, json!({})).await;
    assert_eq!(fresh.data()["sponsors"]["totalCount"], json!(2));
    assert!(app.statement_count() > 0, "read from the database");
    app.reset_statement_count();
    app.gql(WALL, json!({})).await.data();
    assert!(app.statement_count() > 0, "nothing is kept while overdue");
    let text = metrics(&app).await;
    assert!(text.contains("quorum_public_cache_listener_up 0"), "{text}");
    assert!(
        metric(&app, "quorum_public_cache_listener_stalls_total").await > stalls_before,
        "{text}"
    );

    // The listener reads again: the heartbeat comes back, /ready is plain again and the cache
    // serves the current wall.
    app.state.public_cache.pause_listener_for_tests(false);
    await_readiness(&app, |body| body == "ready").await;
    assert_eq!(
        cached(&app, WALL).await.data()["sponsors"]["totalCount"],
        json!(2)
    );
    assert!(
        metrics(&app)
            .await
            .contains("quorum_public_cache_listener_up 1")
    );

    // The easy case: the LISTEN backend is terminated. The listener reconnects and the next
    // reads are fresh, with /ready plain again once the heartbeat is back.
    app.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%quorum_heartbeat%'",
    )
    .await;
    let omega = an_organization(&app, &rep, "Omega").await;
    let recorded = Gql::read(
        other
            .post("/graphql")
            .header(
                "authorization",
                format!("Bearer {}", treasurer.access_token),
            )
            .content_type("application/json")
            .body_json(&json!({
                "query": tests::factories::RECORD_SPONSORSHIP,
                "variables": a_sponsorship(&omega, "Silver").json(&silver),
            }))
            .send()
            .await,
    )
    .await;
    recorded.data();
    let mut seen = json!(null);
    for _ in 0..200 {
        seen = app.gql(WALL, json!({})).await.data()["sponsors"]["totalCount"].clone();
        if seen == json!(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, json!(3));
    await_readiness(&app, |body| body == "ready").await;
}
