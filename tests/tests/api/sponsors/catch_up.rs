//! The Sponsor membership follows its sponsorship: started on its day, lapsed with it, granted once under concurrent catch-ups.

use api::auth::Role;
use chrono::Days;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_person, a_person_with, a_sponsorship, an_organization, tier_id,
    },
};

use super::{LIST, days_ago, today};

#[tokio::test]
async fn the_sponsor_membership_follows_the_sponsorship_through_lapse() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "CloudCo").await;
    let membership = "{ memberships(class: SPONSOR) { nodes { status voteWeight expiresOn holder { ... on Organization { name } } } } }";

    // Active Gold: an ACTIVE Sponsor membership with Gold's weight, whose last day is the
    // sponsorship's.
    let current = a_sponsorship(&org, "Gold").from(days_ago(30));
    let ends = current
        .ends_on
        .checked_sub_days(Days::new(1))
        .expect("date");
    let id = current.record(&app, &treasurer).await;
    let seen = app.gql(membership, json!({})).await;
    assert_eq!(
        seen.data()["memberships"]["nodes"],
        json!([{ "status": "ACTIVE", "voteWeight": 15, "expiresOn": ends.to_string(), "holder": { "name": "CloudCo" } }])
    );

    // Cancelled, with no other sponsorship: the membership lapses into grace...
    let cancel = "mutation($id: ID!) { cancelSponsorship(input: { sponsorshipId: $id, reason: \"Budget cut\" }) { sponsorship { status } } }";
    let cancelled = app
        .gql_as(&treasurer.access_token, cancel, json!({ "id": id }))
        .await;
    assert_eq!(
        cancelled.data()["cancelSponsorship"]["sponsorship"]["status"],
        json!("CANCELLED")
    );
    assert_eq!(
        app.gql(membership, json!({})).await.data()["memberships"]["nodes"][0]["status"],
        json!("GRACE")
    );
    // ...and expires once the grace period has passed.
    app.sql(&format!(
        "UPDATE memberships SET ends_on = '{}' WHERE class_key = 'SPONSOR'",
        days_ago(31)
    ))
    .await;
    assert_eq!(
        app.gql(membership, json!({})).await.data()["memberships"]["nodes"][0]["status"],
        json!("EXPIRED")
    );

    // A new sponsorship renews it, at the new tier's weight.
    a_sponsorship(&org, "Platinum")
        .record(&app, &treasurer)
        .await;
    let renewed = app.gql(membership, json!({})).await;
    assert_eq!(
        renewed.data()["memberships"]["nodes"][0]["status"],
        json!("ACTIVE")
    );
    assert_eq!(
        renewed.data()["memberships"]["nodes"][0]["voteWeight"],
        json!(50)
    );

    // One that simply ran out lapses the same way.
    let rep2 = a_person(&app, "Sam").await;
    let person_sponsor = json!({ "input": {
        "accountId": rep2.id, "tierId": tier_id(&app, "Silver").await, "amountMinor": "250000", "currency": "USD",
        "startsOn": days_ago(365).to_string(), "endsOn": days_ago(1).to_string(),
        "idempotencyKey": "silver-for-sam",
    } });
    app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, person_sponsor)
        .await
        .data();
    let by_person = app
        .gql(
            "{ memberships(class: SPONSOR, status: GRACE) { nodes { voteWeight holder { ... on Account { displayName } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_person.data()["memberships"]["nodes"],
        json!([{ "voteWeight": 5, "holder": { "displayName": "Sam" } }])
    );
}

#[tokio::test]
async fn a_sponsorship_that_starts_later_brings_its_membership_on_its_day() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "FutureCo").await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    let id = a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .record(&app, &treasurer)
        .await;
    let status = "query($id: ID!) { node(id: $id) { ... on Sponsorship { status } } }";
    assert_eq!(
        app.gql_as(&treasurer.access_token, status, json!({ "id": id }))
            .await
            .data()["node"]["status"],
        json!("PENDING")
    );
    let members = "{ memberships(class: SPONSOR) { totalCount } }";
    assert_eq!(
        app.gql(members, json!({})).await.data()["memberships"]["totalCount"],
        json!(0)
    );
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(0)
    );

    // The day comes.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}', sponsor_since = '{}'",
        today(),
        today()
    ))
    .await;
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(1)
    );
    // The periodic catch-up (every replica runs it) grants the membership, once however often it
    // runs.
    api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up");
    api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up again");
    assert_eq!(
        app.gql(members, json!({})).await.data()["memberships"]["totalCount"],
        json!(1)
    );
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let chain = app
        .gql_as(&admin.access_token, "{ auditChain { intact } }", json!({}))
        .await;
    assert_eq!(chain.data()["auditChain"]["intact"], json!(true));
}

#[tokio::test]
async fn concurrent_catch_ups_grant_one_membership_with_one_audit_entry() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Racing Co").await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .record(&app, &treasurer)
        .await;
    // The day comes.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}', sponsor_since = '{}'",
        today(),
        today()
    ))
    .await;
    let jobs: Vec<_> = (0..6)
        .map(|_| {
            let db = app.db().clone();
            tokio::spawn(async move { api::sponsors::follow::catch_up(&db).await })
        })
        .collect();
    let reads = futures_util::future::join_all((0..6).map(|_| {
        app.gql(
            "{ sponsors { totalCount } memberships(class: SPONSOR) { totalCount } }",
            json!({}),
        )
    }));
    let (jobs, reads) = tokio::join!(futures_util::future::join_all(jobs), reads);
    for read in &reads {
        assert_eq!(read.data()["sponsors"]["totalCount"], json!(1));
    }
    let followed: usize = jobs
        .into_iter()
        .map(|job| job.expect("the task ran").expect("no CONFLICT, no error"))
        .map(|done| done.map_or(0, |done| done.sponsors_followed))
        .sum();
    assert_eq!(followed, 1);
    let memberships = entity::prelude::Membership::find()
        .all(app.db())
        .await
        .expect("memberships");
    assert_eq!(memberships.len(), 1);
    let entries: Vec<String> = entity::prelude::AuditEvent::find()
        .filter(entity::audit_event::Column::SubjectId.eq(memberships[0].id))
        .all(app.db())
        .await
        .expect("audit")
        .into_iter()
        .map(|event| event.action.name())
        .collect();
    assert_eq!(entries, ["membership.created"]);
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let chain = app
        .gql_as(&admin.access_token, "{ auditChain { intact } }", json!({}))
        .await;
    assert_eq!(chain.data()["auditChain"]["intact"], json!(true));
}
