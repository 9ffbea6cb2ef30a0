//! Small builders for fixtures, so each test states only what matters to it.

use api::ids;
use chrono::Utc;
use entity::account;
use sea_orm::{ActiveModelTrait, Set};

use crate::TestApp;

/// An account inserted straight into the database.
pub struct AccountBuilder {
    display_name: String,
    email: Option<String>,
}

/// Starts an account fixture.
pub fn an_account() -> AccountBuilder {
    AccountBuilder {
        display_name: "Ada Lovelace".to_owned(),
        email: None,
    }
}

impl AccountBuilder {
    pub fn named(mut self, display_name: &str) -> Self {
        self.display_name = display_name.to_owned();
        self
    }

    pub async fn create(self, app: &TestApp) -> account::Model {
        let id = ids::new_key();
        let now = Utc::now();
        account::ActiveModel {
            id: Set(id),
            email: Set(self.email.unwrap_or_else(|| format!("{id}@example.org"))),
            display_name: Set(self.display_name),
            password_hash: Set("not-a-login".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .expect("insert an account")
    }
}

/// A person who signed up through the API, with their tokens.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

pub const PASSWORD: &str = "correct horse battery staple";

const SIGN_UP: &str = "mutation($input: SignUpInput!) {
  signUp(input: $input) { accessToken refreshToken account { id } }
}";

/// Signs up a new person named `name` through the API.
pub async fn a_person(app: &TestApp, name: &str) -> Person {
    let email = format!(
        "{}.{}@example.org",
        name.to_lowercase().replace(' ', "."),
        uuid::Uuid::new_v4().simple()
    );
    let response = app
        .gql(
            SIGN_UP,
            serde_json::json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
        )
        .await;
    let data = &response.data()["signUp"];
    Person {
        id: data["account"]["id"].as_str().expect("id").to_owned(),
        email,
        access_token: data["accessToken"]
            .as_str()
            .expect("access token")
            .to_owned(),
        refresh_token: data["refreshToken"]
            .as_str()
            .expect("refresh token")
            .to_owned(),
    }
}

/// Grants `role` straight in the database, as the `admin grant-role` command does.
pub async fn grant(app: &TestApp, person: &Person, role: api::auth::Role) {
    let key = ids::decode(&person.id).expect("an account id").1;
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    api::accounts::db::grant_role(&tx, api::audit::Actor::System, key, role)
        .await
        .expect("grant the role");
    tx.commit().await.expect("commit");
}

/// A person holding `role`.
pub async fn a_person_with(app: &TestApp, name: &str, role: api::auth::Role) -> Person {
    let person = a_person(app, name).await;
    grant(app, &person, role).await;
    person
}

/// A membership inserted straight into the database, for directory fixtures.
pub async fn a_membership(
    app: &TestApp,
    holder: &account::Model,
    class: &str,
    disclose: bool,
) -> entity::membership::Model {
    let now = Utc::now();
    entity::membership::ActiveModel {
        id: Set(ids::new_key()),
        class_key: Set(class.to_owned()),
        holder_key: Set(format!("account:{}", holder.id)),
        holder_account_id: Set(Some(holder.id)),
        holder_organization_id: Set(None),
        status: Set("ACTIVE".to_owned()),
        since: Set(now.date_naive()),
        ends_on: Set(now.date_naive().checked_add_days(chrono::Days::new(365))),
        grace_from: Set(None),
        vote_weight: Set(1),
        disclose: Set(disclose),
        notice_kind: Set(None),
        notice_reason: Set(None),
        notice_effective_on: Set(None),
        notice_response: Set(None),
        status_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .expect("insert a membership")
}

const APPLY: &str = "mutation($input: ApplyForMembershipInput!) {
  applyForMembership(input: $input) { application { id status } }
}";
const REVIEW: &str = "mutation($input: ReviewApplicationInput!) {
  reviewApplication(input: $input) { application { status } membership { id status expiresOn } }
}";

/// `person` applies for a membership of `class`; returns the application's ID.
pub async fn apply(app: &TestApp, person: &Person, input: serde_json::Value) -> String {
    let response = app
        .gql_as(
            &person.access_token,
            APPLY,
            serde_json::json!({ "input": input }),
        )
        .await;
    response.data()["applyForMembership"]["application"]["id"]
        .as_str()
        .expect("an application id")
        .to_owned()
}

/// `person` applies as a Contributor.
pub async fn apply_as_contributor(app: &TestApp, person: &Person) -> String {
    apply(
        app,
        person,
        serde_json::json!({ "class": "CONTRIBUTOR", "statement": "I help with docs and triage." }),
    )
    .await
}

/// `reviewer` decides; returns the response for the test to inspect.
pub async fn review(
    app: &TestApp,
    reviewer: &Person,
    application: &str,
    decision: &str,
    reason: Option<&str>,
) -> crate::Gql {
    app.gql_as(
        &reviewer.access_token,
        REVIEW,
        serde_json::json!({ "input": { "applicationId": application, "decision": decision, "reason": reason } }),
    )
    .await
}

/// A Contributor in good standing: applied and approved by the Membership Committee.
pub async fn a_contributor(app: &TestApp, name: &str, committee: &Person) -> (Person, String) {
    let person = a_person(app, name).await;
    let application = apply_as_contributor(app, &person).await;
    let response = review(app, committee, &application, "APPROVE", None).await;
    let membership = response.data()["reviewApplication"]["membership"]["id"]
        .as_str()
        .expect("a membership id")
        .to_owned();
    (person, membership)
}
