//! The daily scheduler: renewal reminders, grace and expiry, each mailed once, across restarts.

use std::time::Duration;

use api::auth::Role;
use chrono::{Days, Utc};
use serde_json::json;
use tests::{
    TestApp,
    factories::{Person, a_contributor, a_person_with},
    notifications::{WAIT, mailing},
    receivers::SmtpReceiver,
};

#[tokio::test]
async fn a_renewal_reminder_that_fell_due_while_the_server_was_down_is_sent_once_after_restart() {
    let smtp = SmtpReceiver::start().await;
    // The first process runs no workers: it is "down" as far as the calendar is concerned.
    let smtp_url = smtp.url();
    let app = TestApp::with_config(move |config| {
        config.notifications.smtp_url = Some(smtp_url);
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (quiet, _) = a_contributor(&app, "Quinn Quiet", &committee).await;
    let opted = app
        .gql_as(
            &quiet.access_token,
            "mutation { setEmailPreferences(input: { nonEssential: false }) { nonEssential } }",
            json!({}),
        )
        .await;
    assert_eq!(opted.data()["setEmailPreferences"]["nonEssential"], false);
    let ends_on = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(20))
        .expect("date");
    app.sql(&format!("UPDATE memberships SET ends_on = '{ends_on}'"))
        .await;

    let restarted = app.replica_with(mailing(&smtp)).await;
    let reminders = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("time to renew"))
        })
        .await;
    assert_eq!(reminders.len(), 1);
    let reminder = &reminders[0];
    assert_eq!(reminder.to, vec![member.email.clone()]);
    assert_eq!(
        reminder.header("Subject"),
        Some(format!(
            "Your Contributor membership ends on {ends_on}: time to renew"
        ))
    );
    assert!(
        reminder
            .header("List-Unsubscribe")
            .is_some_and(|value| value.starts_with("<http") && value.ends_with('>'))
    );
    // The one who opted out still got the decision on their application, a governance notice.
    smtp.wait_for(WAIT, |mail| mail.to.contains(&quiet.email))
        .await;

    // Another restart the same day sends nothing more.
    restarted.jobs.stop();
    let _again = app.replica_with(mailing(&smtp)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let renewals: Vec<_> = smtp
        .received()
        .into_iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("time to renew"))
        })
        .collect();
    assert_eq!(renewals.len(), 1);
    assert!(!renewals.iter().any(|mail| mail.to.contains(&quiet.email)));
}

#[tokio::test]
async fn grace_and_expiry_are_mailed_once_each() {
    let smtp = SmtpReceiver::start().await;
    let smtp_url = smtp.url();
    let app = TestApp::with_config(move |config| {
        config.notifications.smtp_url = Some(smtp_url);
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (graced, _) = a_contributor(&app, "Grace Period", &committee).await;
    let (expired, _) = a_contributor(&app, "Ex Pired", &committee).await;
    let today = Utc::now().date_naive();
    let holder = |person: &Person| {
        format!(
            "account:{}",
            api::ids::decode(&person.id).expect("an account id").1
        )
    };
    // The default grace period is 30 days: one ended 3 days ago, the other 40 days ago.
    for (person, days) in [(&graced, 3), (&expired, 40)] {
        let ended = today.checked_sub_days(Days::new(days)).expect("date");
        app.sql(&format!(
            "UPDATE memberships SET ends_on = '{ended}' WHERE holder_key = '{}'",
            holder(person)
        ))
        .await;
    }

    let _running = app.replica_with(mailing(&smtp)).await;
    let grace = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("grace period started"))
        })
        .await;
    assert_eq!(grace.len(), 1);
    assert_eq!(grace[0].to, vec![graced.email.clone()]);
    assert!(grace[0].header("List-Unsubscribe").is_some());
    let gone = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("has expired"))
        })
        .await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].to, vec![expired.email.clone()]);
    // A second run the same day queues nothing new.
    assert_eq!(
        api::scheduler::run_daily(app.db()).await.expect("run"),
        None
    );
}
