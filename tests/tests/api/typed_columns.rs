//! Kinds, audiences and sets are typed columns: rows an older release wrote as text are read
//! into them by the migrations (and back out by their `down`), a value no release wrote stops
//! the migration or fails the request that reads it, and the stored names never change.

use api::{
    holders::Holder,
    notifications::{audience::Audience, outbox::WebhookEvent},
};
use entity::prelude::OutboxEvent;
use migration::{Alias, MigrationTrait, Query, SchemaManager};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Iterable, QueryOrder};
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person, a_sponsorship, an_api_token},
    notifications::{a_foundation, an_endpoint},
};
use uuid::Uuid;

/// Runs `step` down or up, panicking with its name.
async fn run(step: &dyn MigrationTrait, manager: &SchemaManager<'_>, up: bool) {
    let done = if up {
        step.up(manager).await
    } else {
        step.down(manager).await
    };
    done.unwrap_or_else(|err| {
        panic!(
            "{} {}: {err:?}",
            step.name(),
            if up { "up" } else { "down" }
        )
    });
}

/// The text column `column` of `table`, in the order of its `order` column.
async fn texts(db: &DatabaseConnection, table: &str, column: &str, order: &str) -> Vec<String> {
    db.query_all(
        &Query::select()
            .column(Alias::new(column))
            .from(Alias::new(table))
            .order_by(Alias::new(order), migration::Order::Asc)
            .to_owned(),
    )
    .await
    .expect("read the old column")
    .into_iter()
    .map(|row| row.try_get("", column).expect("a text"))
    .collect()
}

const OUTBOX_STEPS: [&str; 4] = [
    "m20261208_000002_rename_outbox_events_audience",
    "m20261208_000003_add_outbox_events_audience",
    "m20261208_000004_fill_outbox_events_audience",
    "m20261208_000005_drop_outbox_events_audience_key",
];

#[tokio::test]
async fn outbox_audiences_written_as_text_read_back_as_a_rule_and_a_holder() {
    let app = TestApp::new().await;
    // An event this release writes: a sponsorship, public while Acme consents to be shown.
    let f = a_foundation(&app).await;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let acme = Holder::Organization(api::ids::decode(&f.org).expect("Acme's key").1);
    let written = OutboxEvent::find().all(app.db()).await.expect("events");
    assert_eq!(written.len(), 1, "one event");
    assert_eq!(
        Audience::of(&written[0]).expect("typed"),
        Audience::WhileSponsorShown(acme)
    );

    // Back to the text column, which holds what the older release wrote.
    let (connection, steps) = app.migration_steps(&OUTBOX_STEPS).await;
    let manager = SchemaManager::new(&connection);
    for step in steps.iter().rev() {
        run(step.as_ref(), &manager, false).await;
    }
    assert_eq!(
        texts(&connection, "outbox_events", "audience", "id").await,
        [format!("shown:{}", acme.key())]
    );

    // Every form the older release wrote, and one no release wrote.
    let ada = Holder::Account(Uuid::now_v7());
    let older = [
        (None, Audience::Public),
        (
            Some(format!("disclosed:{}", ada.key())),
            Audience::WhileMembershipDisclosed(ada),
        ),
        (Some(acme.key()), Audience::Holder(acme)),
        (Some(ada.key()), Audience::Holder(ada)),
    ];
    let insert = |id: Uuid, audience: Option<String>| {
        Query::insert()
            .into_table(Alias::new("outbox_events"))
            .columns(["id", "kind", "subject_id", "audience", "occurred_at"].map(Alias::new))
            .values_panic([
                id.into(),
                "membership.approved".into(),
                Uuid::now_v7().into(),
                audience.into(),
                chrono::Utc::now().into(),
            ])
            .to_owned()
    };
    let mut expected = vec![(written[0].id, Audience::WhileSponsorShown(acme))];
    for (text, audience) in older {
        let id = Uuid::now_v7();
        connection
            .execute(&insert(id, text))
            .await
            .expect("an older event");
        expected.push((id, audience));
    }
    let stray = Uuid::now_v7();
    connection
        .execute(&insert(stray, Some(format!("everyone:{}", ada.key()))))
        .await
        .expect("a stray event");

    // The fill refuses to guess who may read the stray one, and names it.
    let (fill, rest) = steps.split_at(3);
    for step in &fill[..2] {
        run(step.as_ref(), &manager, true).await;
    }
    let refused = fill[2]
        .up(&manager)
        .await
        .expect_err("the stray is refused");
    assert!(
        refused.to_string().contains(&stray.to_string()),
        "{refused}"
    );
    app.sql("DELETE FROM outbox_events WHERE audience_key LIKE 'everyone:%'")
        .await;
    // Run again as it stands, it completes.
    run(fill[2].as_ref(), &manager, true).await;
    run(rest[0].as_ref(), &manager, true).await;

    let mut read: Vec<(Uuid, Audience)> = OutboxEvent::find()
        .order_by_asc(entity::outbox_event::Column::Id)
        .all(app.db())
        .await
        .expect("typed events")
        .iter()
        .map(|row| (row.id, Audience::of(row).expect("a known audience")))
        .collect();
    read.sort_by_key(|(id, _)| *id);
    expected.sort_by_key(|(id, _)| *id);
    assert_eq!(read, expected);
}

const TOKEN_STEPS: [&str; 3] = [
    "m20261208_000006_create_api_token_scopes",
    "m20261208_000007_fill_api_token_scopes",
    "m20261208_000008_drop_api_tokens_scopes",
];

const SCOPES: &str = "{ apiTokens { nodes { scopes } } }";

#[tokio::test]
async fn api_token_scopes_written_as_a_list_become_one_typed_row_each() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let both = an_api_token(&app, &ada, &["SPONSORS_READ", "MEMBERS_READ"]).await;
    let members = an_api_token(&app, &ada, &["MEMBERS_READ"]).await;
    let sponsors = an_api_token(&app, &ada, &["SPONSORS_READ"]).await;
    let before = app.gql_as(&ada.access_token, SCOPES, json!({})).await;
    assert_eq!(
        before.data()["apiTokens"]["nodes"],
        json!([
            { "scopes": ["MEMBERS_READ", "SPONSORS_READ"] },
            { "scopes": ["MEMBERS_READ"] },
            { "scopes": ["SPONSORS_READ"] },
        ])
    );

    // Back to the comma lists, as the older release kept them.
    let (connection, steps) = app.migration_steps(&TOKEN_STEPS).await;
    let manager = SchemaManager::new(&connection);
    for step in steps.iter().rev() {
        run(step.as_ref(), &manager, false).await;
    }
    assert_eq!(
        texts(&connection, "api_tokens", "scopes", "id").await,
        [
            "MEMBERS_READ,SPONSORS_READ",
            "MEMBERS_READ",
            "SPONSORS_READ"
        ]
    );

    // A list an older release might have kept less tidily, and a scope no release granted.
    app.sql("UPDATE api_tokens SET scopes = 'SPONSORS_READ, SPONSORS_READ' WHERE scopes = 'SPONSORS_READ'")
        .await;
    app.sql(
        "UPDATE api_tokens SET scopes = 'MEMBERS_READ,BILLING_WRITE' WHERE scopes = 'MEMBERS_READ'",
    )
    .await;
    run(steps[0].as_ref(), &manager, true).await;
    let refused = steps[1].up(&manager).await.expect_err("an unknown scope");
    assert!(refused.to_string().contains("BILLING_WRITE"), "{refused}");
    app.sql("UPDATE api_tokens SET scopes = 'MEMBERS_READ' WHERE scopes LIKE '%BILLING_WRITE%'")
        .await;
    run(steps[1].as_ref(), &manager, true).await;
    run(steps[2].as_ref(), &manager, true).await;

    assert_eq!(
        app.gql_as(&ada.access_token, SCOPES, json!({}))
            .await
            .data()["apiTokens"],
        before.data()["apiTokens"]
    );
    // Each token still reads exactly what it was granted.
    let sponsors_list = "{ sponsors { totalCount } }";
    for (token, allowed) in [(&both, true), (&members, false), (&sponsors, true)] {
        let read = app.gql_as(token, sponsors_list, json!({})).await;
        if allowed {
            read.data();
        } else {
            assert_eq!(read.error_code(), "FORBIDDEN");
        }
    }

    // A scope no release granted, written behind the server's back, is an error, never a
    // power dropped or kept in silence.
    app.sql("UPDATE api_token_scopes SET scope = 'BILLING_WRITE' WHERE scope = 'MEMBERS_READ'")
        .await;
    let corrupt = app.gql_as(&members, sponsors_list, json!({})).await;
    assert_eq!(corrupt.error_code(), "INTERNAL_SERVER_ERROR");
}

const EVENT_STEPS: [&str; 3] = [
    "m20261208_000009_create_webhook_endpoint_events",
    "m20261208_000010_fill_webhook_endpoint_events",
    "m20261208_000011_drop_webhook_endpoints_events",
];

const ENDPOINTS: &str = "{ webhookEndpoints { nodes { url events deliveries { totalCount } } } }";

#[tokio::test]
async fn webhook_subscriptions_written_as_a_list_become_one_typed_row_each() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    an_endpoint(
        "http://127.0.0.1:9/sponsors",
        &["SPONSORSHIP_LAPSED", "SPONSORSHIP_CREATED"],
    )
    .create(&app, &f.admin)
    .await;
    an_endpoint("http://127.0.0.1:9/bylaws", &["AMENDMENT_ADOPTED"])
        .create(&app, &f.admin)
        .await;
    let before = app
        .gql_as(&f.admin.access_token, ENDPOINTS, json!({}))
        .await;
    assert_eq!(
        before.data()["webhookEndpoints"]["nodes"],
        json!([
            { "url": "http://127.0.0.1:9/sponsors", "events": ["SPONSORSHIP_CREATED", "SPONSORSHIP_LAPSED"], "deliveries": { "totalCount": 0 } },
            { "url": "http://127.0.0.1:9/bylaws", "events": ["AMENDMENT_ADOPTED"], "deliveries": { "totalCount": 0 } },
        ])
    );

    let (connection, steps) = app.migration_steps(&EVENT_STEPS).await;
    let manager = SchemaManager::new(&connection);
    for step in steps.iter().rev() {
        run(step.as_ref(), &manager, false).await;
    }
    assert_eq!(
        texts(&connection, "webhook_endpoints", "events", "id").await,
        [
            "sponsorship.created,sponsorship.lapsed",
            "amendment.adopted"
        ]
    );

    app.sql("UPDATE webhook_endpoints SET events = 'amendment.adopted,amendment.paused' WHERE events = 'amendment.adopted'")
        .await;
    run(steps[0].as_ref(), &manager, true).await;
    let refused = steps[1].up(&manager).await.expect_err("an unknown event");
    assert!(
        refused.to_string().contains("amendment.paused"),
        "{refused}"
    );
    app.sql(
        "UPDATE webhook_endpoints SET events = 'amendment.adopted' WHERE events LIKE '%paused%'",
    )
    .await;
    run(steps[1].as_ref(), &manager, true).await;
    run(steps[2].as_ref(), &manager, true).await;

    assert_eq!(
        app.gql_as(&f.admin.access_token, ENDPOINTS, json!({}))
            .await
            .data(),
        before.data()
    );
    // A new sponsor goes to the endpoint that subscribed to it, and only there.
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let after = app
        .gql_as(&f.admin.access_token, ENDPOINTS, json!({}))
        .await;
    let totals: Vec<_> = after.data()["webhookEndpoints"]["nodes"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|endpoint| endpoint["deliveries"]["totalCount"].clone())
        .collect();
    assert_eq!(totals, [json!(1), json!(0)]);
}

#[test]
fn stored_names_never_change() {
    use sea_orm::ActiveEnum;

    use entity::{
        api_token_scope::ApiScope, email_message::MailKind, idempotency_key::IdempotencyScope,
        mailing::RollKind, scheduled_run::ScheduledJob,
    };
    // Stored with each message, named in its once-only key, and signed into the unsubscribe
    // links already sent: (name, whether one may opt out).
    let mail: Vec<(String, bool)> = MailKind::iter()
        .map(|kind| (kind.name(), kind.optional()))
        .collect();
    let expected = [
        ("application_decided", false),
        ("renewal_due", true),
        ("grace_started", true),
        ("membership_expired", true),
        ("vote_opened", false),
        ("election_opened", false),
        ("nomination_to_accept", false),
        ("representative_invited", true),
        ("password_changed", false),
    ];
    assert_eq!(
        mail,
        expected.map(|(name, optional)| (name.to_owned(), optional))
    );
    let stored = |values: Vec<String>| values;
    assert_eq!(
        stored(RollKind::iter().map(|kind| kind.to_value()).collect()),
        ["amendment", "election"]
    );
    assert_eq!(
        stored(ScheduledJob::iter().map(ScheduledJob::name).collect()),
        ["daily"]
    );
    assert_eq!(
        stored(
            IdempotencyScope::iter()
                .map(|scope| scope.to_value())
                .collect()
        ),
        ["recordContribution", "recordSponsorship"]
    );
    assert_eq!(
        stored(ApiScope::iter().map(ApiScope::name).collect()),
        [
            "SPONSORS_READ",
            "MEMBERS_READ",
            "ELECTIONS_READ",
            "WEBHOOKS_MANAGE",
            "AUDIT_READ"
        ]
    );
    assert_eq!(
        stored(WebhookEvent::iter().map(WebhookEvent::name).collect()),
        [
            "sponsorship.created",
            "sponsorship.renewed",
            "sponsorship.tier_changed",
            "sponsorship.lapsed",
            "sponsorship.cancelled",
            "membership.approved",
            "amendment.adopted",
            "amendment.rejected",
            "election.certified",
        ]
    );
}
