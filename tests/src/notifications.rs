//! Builders for the notification stories: the workers turned fast, a foundation with an admin,
//! a treasurer and a sponsoring organization, webhook endpoints and their delivery logs.

use std::time::Duration;

use api::{auth::Role, config::Config};
use serde_json::{Value, json};

use crate::{
    TestApp,
    factories::{Person, a_person, a_person_with, an_organization},
    receivers::SmtpReceiver,
};

/// How long a story waits for something the workers do.
pub const WAIT: Duration = Duration::from_secs(15);

/// The workers on, polling and retrying quickly, so that a test takes seconds.
pub fn fast(config: &mut Config) {
    let n = &mut config.notifications;
    n.workers = true;
    n.poll = Duration::from_millis(50);
    n.retry_base = Duration::from_millis(100);
    n.lease = Duration::from_secs(2);
    n.max_attempts = 5;
}

/// The workers on, sending mail to `smtp`.
pub fn mailing(smtp: &SmtpReceiver) -> impl FnOnce(&mut Config) {
    let url = smtp.url();
    move |config: &mut Config| {
        fast(config);
        config.notifications.smtp_url = Some(url);
        config.notifications.mail_from = "Foundation <noreply@foundation.example>".to_owned();
    }
}

/// The people most stories need: an ADMIN, a TREASURER, and a representative of Acme Corp.
pub struct Foundation {
    pub admin: Person,
    pub treasurer: Person,
    pub rep: Person,
    /// Acme Corp's ID.
    pub org: String,
}

pub async fn a_foundation(app: &TestApp) -> Foundation {
    let admin = a_person_with(app, "Ada Admin", Role::Admin).await;
    let treasurer = a_person_with(app, "Tess Treasurer", Role::Treasurer).await;
    let rep = a_person(app, "Rita Rep").await;
    let org = an_organization(app, &rep, "Acme Corp").await;
    Foundation {
        admin,
        treasurer,
        rep,
        org,
    }
}

pub const CREATE_ENDPOINT: &str = "mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id url events audience } secret }
}";

/// A webhook endpoint to create: its URL and events, for the foundation unless `of` names an
/// organization, with the default audience unless `audience` says otherwise.
pub struct EndpointInput {
    url: String,
    events: Vec<String>,
    organization: Option<String>,
    audience: Option<&'static str>,
}

/// An endpoint at `url` for `events` (GraphQL names, such as `SPONSORSHIP_CREATED`).
pub fn an_endpoint(url: &str, events: &[&str]) -> EndpointInput {
    EndpointInput {
        url: url.to_owned(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        organization: None,
        audience: None,
    }
}

/// A created endpoint: its ID and the secret shown once.
pub struct Endpoint {
    pub id: String,
    pub secret: String,
}

impl EndpointInput {
    /// Owned by the organization with this ID.
    pub fn of(mut self, organization: &str) -> Self {
        self.organization = Some(organization.to_owned());
        self
    }

    /// With this `WebhookAudience`.
    pub fn audience(mut self, audience: &'static str) -> Self {
        self.audience = Some(audience);
        self
    }

    pub fn json(&self) -> Value {
        json!({ "input": {
            "url": self.url,
            "events": self.events,
            "organizationId": self.organization,
            "audience": self.audience,
        } })
    }

    /// Creates it as `who`.
    pub async fn create(self, app: &TestApp, who: &Person) -> Endpoint {
        let response = app
            .gql_as(&who.access_token, CREATE_ENDPOINT, self.json())
            .await;
        let payload = &response.data()["createWebhookEndpoint"];
        Endpoint {
            id: payload["endpoint"]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
            secret: payload["secret"].as_str().expect("a secret").to_owned(),
        }
    }
}

const ENDPOINTS: &str = "{ webhookEndpoints { nodes { id url events
  deliveries(first: 10) { totalCount nodes { id event webhookId status attempts lastStatusCode lastError nextAttemptAt } } } } }";

/// The delivery log of the endpoints `who` manages.
pub async fn deliveries(app: &TestApp, who: &Person) -> Vec<Value> {
    let response = app.gql_as(&who.access_token, ENDPOINTS, json!({})).await;
    response.data()["webhookEndpoints"]["nodes"]
        .as_array()
        .expect("endpoints")
        .iter()
        .flat_map(|endpoint| {
            endpoint["deliveries"]["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// Polls the delivery log until `done` holds for it.
pub async fn wait_until(
    app: &TestApp,
    who: &Person,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let log = deliveries(app, who).await;
        if done(&log) {
            return log;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the delivery log never got there: {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether some delivery in the log has `status`.
pub fn any_with(status: &'static str) -> impl Fn(&[Value]) -> bool {
    move |log| log.iter().any(|d| d["status"] == status)
}

/// Rotates the endpoint's secret as `who`; returns the new one.
pub async fn rotate_secret(app: &TestApp, who: &Person, endpoint: &str) -> String {
    let rotated = app
        .gql_as(
            &who.access_token,
            "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret endpoint { id } } }",
            json!({ "input": { "endpointId": endpoint } }),
        )
        .await;
    rotated.data()["rotateWebhookSecret"]["secret"]
        .as_str()
        .expect("a new secret")
        .to_owned()
}

/// Sets whether `who` receives non-essential mail.
pub async fn set_reminders(app: &TestApp, who: &Person, wanted: bool) {
    let response = app
        .gql_as(
            &who.access_token,
            "mutation($input: SetEmailPreferencesInput!) { setEmailPreferences(input: $input) { nonEssential } }",
            json!({ "input": { "nonEssential": wanted } }),
        )
        .await;
    assert_eq!(
        response.data()["setEmailPreferences"]["nonEssential"],
        wanted
    );
}

/// Whether `who` receives non-essential mail, as they read it.
pub async fn reminders_wanted(app: &TestApp, who: &Person) -> bool {
    app.gql_as(
        &who.access_token,
        "{ emailPreferences { nonEssential } }",
        json!({}),
    )
    .await
    .data()["emailPreferences"]["nonEssential"]
        .as_bool()
        .expect("a preference")
}

/// The actions of the audit entries about `who`, oldest first, as they read them.
pub async fn audit_actions_about(app: &TestApp, who: &Person) -> Vec<String> {
    let response = app
        .gql_as(
            &who.access_token,
            "query($subject: ID) { auditEvents(subjectId: $subject) { nodes { action } } }",
            json!({ "subject": who.id }),
        )
        .await;
    response.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["action"].as_str().map(str::to_owned))
        .collect()
}

/// Moves every membership's end to `days` from today, so that the daily run finds a renewal due.
pub async fn renewals_fall_due_in(app: &TestApp, days: u64) -> chrono::NaiveDate {
    let ends_on = chrono::Utc::now()
        .date_naive()
        .checked_add_days(chrono::Days::new(days))
        .expect("date");
    app.sql(&format!("UPDATE memberships SET ends_on = '{ends_on}'"))
        .await;
    ends_on
}

/// Whether `mail` is a renewal reminder.
pub fn is_renewal(mail: &crate::receivers::Mail) -> bool {
    mail.header("Subject")
        .is_some_and(|subject| subject.contains("time to renew"))
}

/// A webhook receiver and, pointing at it, an endpoint for `events` created by `who` (the
/// foundation's, with the default audience).
pub async fn a_receiver_of(
    app: &TestApp,
    who: &Person,
    events: &[&str],
) -> (crate::receivers::WebhookReceiver, Endpoint) {
    let receiver = crate::receivers::WebhookReceiver::start().await;
    let endpoint = an_endpoint(&receiver.url(), events).create(app, who).await;
    (receiver, endpoint)
}

/// Asks, as `who`, for the delivery to be sent again.
pub async fn redeliver(app: &TestApp, who: &Person, delivery: &Value) -> crate::Gql {
    app.gql_as(
        &who.access_token,
        "mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) { delivery { status attempts } } }",
        json!({ "input": { "deliveryId": delivery } }),
    )
    .await
}

/// Gives or withdraws, as `who`, the consent of the sponsor of `sponsorship` to be shown.
pub async fn set_sponsor_consent(app: &TestApp, who: &Person, sponsorship: &str, shown: bool) {
    app.gql_as(
        &who.access_token,
        "mutation($input: SetSponsorshipDisclosureInput!) { setSponsorshipDisclosure(input: $input) { sponsorship { id } } }",
        json!({ "input": { "sponsorshipId": sponsorship, "disclose": shown } }),
    )
    .await
    .data();
}
