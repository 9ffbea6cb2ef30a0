//! What an election tells: the nominee is asked to accept, everyone on the roll hears that
//! voting opened (an organization through its representatives), and integrations receive
//! `election.certified` with the winners.

use std::time::Duration;

use api::config::Config;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person_with, a_sponsorship, an_organization},
    receivers::{SmtpReceiver, WebhookReceiver},
};

use super::{foundation_with, ids};

const WAIT: Duration = Duration::from_secs(15);

/// Workers on, polling quickly, sending mail to `smtp`.
fn mailing(smtp: &SmtpReceiver) -> impl FnOnce(&mut Config) {
    let url = smtp.url();
    move |config: &mut Config| {
        let n = &mut config.notifications;
        n.workers = true;
        n.poll = Duration::from_millis(50);
        n.retry_base = Duration::from_millis(100);
        n.lease = Duration::from_secs(2);
        n.max_attempts = 5;
        n.smtp_url = Some(url);
        n.mail_from = "Foundation <noreply@foundation.example>".to_owned();
    }
}

#[tokio::test]
async fn the_nominee_the_roll_and_the_integrations_are_told() {
    let smtp = SmtpReceiver::start().await;
    let f = foundation_with(TestApp::with_config(mailing(&smtp)).await).await;
    let app = &f.app;
    let receiver = WebhookReceiver::start().await;
    app.gql_as(
        &f.admin.access_token,
        "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
        json!({ "input": { "url": receiver.url(), "events": ["ELECTION_CERTIFIED"] } }),
    )
    .await
    .data();
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    // A Gold sponsor votes through its representative, who hears of the election.
    let treasurer = a_person_with(app, "Tess", api::auth::Role::Treasurer).await;
    let rep = tests::factories::a_person(app, "Rita Rep").await;
    let acme = an_organization(app, &rep, "Acme").await;
    a_sponsorship(&acme, "Gold").record(app, &treasurer).await;

    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let asked = smtp
        .wait_for(WAIT, |m| {
            m.header("Subject").as_deref()
                == Some("You were nominated in Board election: please accept or decline")
        })
        .await;
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].to, vec![bob.email.clone()]);

    f.open_voting(&election).await;
    for person in [&ada, &bob, &rep] {
        let told = smtp
            .wait_for(WAIT, |m| {
                m.to.contains(&person.email)
                    && m.header("Subject").as_deref() == Some("Election open: Board election")
            })
            .await;
        assert_eq!(told.len(), 1, "{}", person.email);
    }

    f.cast(&ada, &election, &[&bob_n]).await.data();
    f.close(&election).await;
    assert!(
        receiver.received().is_empty(),
        "nothing before certification"
    );
    f.step("certifyElection", &election).await.data();
    let got = receiver.wait_for(1, WAIT).await;
    let body = got[0].json();
    assert_eq!(body["type"], "election.certified");
    assert_eq!(body["data"]["election"]["id"], json!(election));
    assert_eq!(body["data"]["election"]["title"], json!("Board election"));
    assert_eq!(
        ids(&json!(
            body["data"]["elected"]
                .as_array()
                .expect("elected")
                .iter()
                .map(|e| e["nomination"].clone())
                .collect::<Vec<_>>()
        )),
        vec![bob_n]
    );
    assert_eq!(body["data"]["elected"][0]["person"], json!(bob.id));
}
