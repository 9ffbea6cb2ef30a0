//! What an election tells: the nominee asked to accept, the roll told that voting opened, and
//! integrations told of the certified result.

use std::time::Duration;

use serde_json::json;
use tests::receivers::{SmtpReceiver, WebhookReceiver};

use super::foundation;

#[tokio::test]
async fn an_election_mails_its_nominee_and_roll_and_tells_integrations_of_the_certified_result() {
    let f = foundation().await;
    let smtp = SmtpReceiver::start().await;
    let receiver = WebhookReceiver::start().await;
    let created = f
        .app
        .gql_as(
            &f.admin.access_token,
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
            json!({ "input": { "url": receiver.url(), "events": ["ELECTION_CERTIFIED"] } }),
        )
        .await;
    let secret = created.data()["createWebhookEndpoint"]["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    let ada = f.member("Ada").await;
    let bo = f.member("Bo").await;
    let election = f.election("GENERAL", 1).await;
    let nomination = f.candidate(&ada, &election, &bo).await;
    f.open_voting(&election).await;
    f.cast(&ada, &election, &[&nomination]).await.data();
    f.close(&election).await;
    f.step("certifyElection", &election).await.data();

    // A replica that sends, as every replica of a deployment does.
    let smtp_url = smtp.url();
    let _sending = f
        .app
        .replica_with(move |config| {
            let n = &mut config.notifications;
            n.workers = true;
            n.poll = Duration::from_millis(50);
            n.smtp_url = Some(smtp_url);
        })
        .await;
    let within = Duration::from_secs(15);
    let asked = smtp
        .wait_for(within, |mail| {
            mail.to.contains(&bo.email)
                && mail
                    .header("Subject")
                    .is_some_and(|s| s.contains("You were nominated in Board election"))
        })
        .await;
    assert_eq!(asked.len(), 1);
    for voter in [&ada, &bo] {
        smtp.wait_for(within, |mail| {
            mail.to.contains(&voter.email)
                && mail.header("Subject").as_deref() == Some("Election open: Board election")
        })
        .await;
    }
    let got = receiver.wait_for(1, within).await;
    assert!(got[0].verifies_with(&secret));
    let body = got[0].json();
    assert_eq!(body["type"], "election.certified");
    assert_eq!(body["data"]["election"]["id"], json!(election));
    assert_eq!(body["data"]["elected"][0]["nomination"], json!(nomination));
}
