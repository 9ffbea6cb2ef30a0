//! Mail to people: decisions, vote openings, password changes, files in development, opt-outs and one-click unsubscribe.

use std::time::Duration;

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_contributor, a_person, a_person_with},
    notifications::{
        WAIT, audit_actions_about, fast, is_renewal, mailing, reminders_wanted,
        renewals_fall_due_in, set_reminders,
    },
    receivers::SmtpReceiver,
};

#[tokio::test]
async fn a_decided_application_is_mailed_to_the_applicant() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;

    let mail = smtp
        .wait_for(WAIT, |mail| mail.to.contains(&member.email))
        .await;
    let mail = &mail[0];
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Your Contributor membership application was approved")
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Foundation <noreply@foundation.example>")
    );
    assert!(
        mail.header("Content-Type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    // A decision is not a reminder: no one can unsubscribe from it.
    assert_eq!(mail.header("List-Unsubscribe"), None);
    assert!(mail.body().contains("Hello Milo Member"), "{}", mail.body());
}

#[tokio::test]
async fn a_changed_password_is_mailed_even_to_one_who_opted_out() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let person = a_person(&app, "Pat Person").await;
    app.gql_as(
        &person.access_token,
        "mutation { setEmailPreferences(input: { nonEssential: false }) { nonEssential } }",
        json!({}),
    )
    .await
    .data();
    let changed = app
        .gql_as(
            &person.access_token,
            "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { account { id } } }",
            json!({ "input": { "currentPassword": tests::factories::PASSWORD, "newPassword": "a much longer new passphrase" } }),
        )
        .await;
    changed.data();
    let mail = smtp
        .wait_for(WAIT, |mail| mail.to.contains(&person.email))
        .await;
    assert_eq!(
        mail[0].header("Subject").as_deref(),
        Some("Your password was changed")
    );
    assert_eq!(mail[0].header("List-Unsubscribe"), None);
}

#[tokio::test]
async fn without_smtp_development_writes_each_message_to_a_file() {
    let app = TestApp::with_config(fast).await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let folder = app.config().notifications.mail_dir.clone();
    let deadline = tokio::time::Instant::now() + WAIT;
    let text = loop {
        let found = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.path().extension().is_some_and(|e| e == "eml"))
                    .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                    .find(|text| text.contains(&member.email))
            })
            .ok()
            .flatten();
        if let Some(text) = found {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no .eml file in {folder:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(text.contains("Subject: Your Contributor membership application was approved"));
}

#[tokio::test]
async fn a_vote_opening_is_mailed_to_its_roll() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let (ada, _) = tests::factories::an_amendment_in_voting(&app, "Shorter notice").await;
    let mail = smtp
        .wait_for(WAIT, |mail| {
            mail.to.contains(&ada.email)
                && mail
                    .header("Subject")
                    .is_some_and(|s| s.starts_with("Vote open: "))
        })
        .await;
    // A governance notice: no unsubscribing from it.
    assert_eq!(mail[0].header("List-Unsubscribe"), None);
    assert!(mail[0].body().contains("You are on its roll"));
}

#[tokio::test]
async fn a_reminder_to_one_who_opted_out_after_it_was_queued_is_not_sent() {
    let smtp = SmtpReceiver::start().await;
    // Queued while no worker runs; sent by a worker started later.
    let app = TestApp::with_config(|config| {
        config.notifications.smtp_url = Some(smtp.url());
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (quiet, _) = a_contributor(&app, "Quinn Quiet", &committee).await;
    renewals_fall_due_in(&app, 20).await;
    let run = api::scheduler::run_daily(app.db()).await.expect("a run");
    assert_eq!(run.map(|run| run.reminded.renewals_due), Some(2));
    set_reminders(&app, &quiet, false).await;

    let _worker = app.replica_with(mailing(&smtp)).await;
    smtp.wait_for(WAIT, |mail| {
        is_renewal(mail) && mail.to.contains(&member.email)
    })
    .await;
    // The decisions on both applications went out too: the worker has been through the queue.
    smtp.wait_for(WAIT, |mail| mail.to.contains(&quiet.email))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let renewals: Vec<_> = smtp.received().into_iter().filter(is_renewal).collect();
    assert_eq!(renewals.len(), 1, "{renewals:#?}");
    assert!(!renewals[0].to.contains(&quiet.email));
    let withheld = <entity::prelude::EmailMessage as sea_orm::EntityTrait>::find()
        .all(app.db())
        .await
        .expect("messages")
        .into_iter()
        .filter(|row| row.status == entity::email_message::MailStatus::Withheld)
        .count();
    assert_eq!(withheld, 1);
    // The choice itself is in the audit log, readable by the one who made it.
    assert!(
        audit_actions_about(&app, &quiet)
            .await
            .contains(&"email_preferences.changed".to_owned())
    );
}

#[tokio::test]
async fn one_click_unsubscribe_from_a_reminder_opts_the_account_out() {
    let smtp = SmtpReceiver::start().await;
    // The reminder falls due before the workers and the scheduler start.
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (other, _) = a_contributor(&app, "Olga Other", &committee).await;
    renewals_fall_due_in(&app, 20).await;
    let _worker = app.replica_with(mailing(&smtp)).await;
    let mail = smtp
        .wait_for(WAIT, |mail| {
            is_renewal(mail) && mail.to.contains(&member.email)
        })
        .await;
    let header = mail[0]
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert_eq!(
        mail[0].header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let path = link
        .strip_prefix(&app.config().notifications.public_url)
        .expect("a link on the public URL");
    assert!(path.starts_with("/unsubscribe?token="), "{link}");

    // Opening the link only shows a page whose button posts; nothing changes yet.
    let page = app.client.get(path).send().await;
    page.assert_status_is_ok();
    let html = page.0.into_body().into_string().await.expect("html");
    assert!(html.contains("method=\"post\""), "{html}");
    assert!(reminders_wanted(&app, &member).await);

    // A forged or altered token does nothing.
    let forged = format!("{}x", &path[..path.len() - 1]);
    let refused = app
        .client
        .post(&forged)
        .content_type("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(reminders_wanted(&app, &member).await);

    // The mail client's one-click POST opts the account out, and only that account.
    let done = app
        .client
        .post(path)
        .content_type("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await;
    done.assert_status_is_ok();
    assert!(!reminders_wanted(&app, &member).await);
    assert!(reminders_wanted(&app, &other).await);
    assert!(
        audit_actions_about(&app, &member)
            .await
            .contains(&"email_preferences.changed".to_owned())
    );

    // The member changes their mind and asks for reminders again. The old link, replayed (by a
    // mail scanner, a forwarded message, anyone holding it), no longer opts them out: a link
    // holds for the choice it was sent under (issue 23, item 12).
    set_reminders(&app, &member, true).await;
    let page = app.client.get(path).send().await;
    page.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let replayed = app
        .client
        .post(path)
        .content_type("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await;
    replayed.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(reminders_wanted(&app, &member).await);
}
