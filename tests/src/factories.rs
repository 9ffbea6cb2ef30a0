//! Small builders for fixtures, so each test states only what matters to it.

use api::ids;
use chrono::Utc;
use entity::account;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::TestApp;

/// An account created by the sign-up command, without a session.
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

    /// Creates the account through the same command sign-up runs, audited as made by the
    /// operator; it has no password anyone knows.
    pub async fn create(self, app: &TestApp) -> account::Model {
        let tx = api::db::begin_write(app.db()).await.expect("begin");
        let email = self
            .email
            .unwrap_or_else(|| format!("{}@example.org", ids::new_key()));
        let account = api::accounts::commands::create_account(
            &tx,
            Some(api::audit::Actor::System),
            api::accounts::commands::SignUp {
                email: api::accounts::input::Email::parse(&email, "email").expect("an email"),
                display_name: self.display_name,
                password_hash: "not-a-login".to_owned(),
            },
        )
        .await
        .expect("create an account");
        tx.commit().await.expect("commit");
        account
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

/// Grants `role` straight in the database, as the `admin grant-role` command does. `BOARD` is
/// never granted: it follows the directorships in office, so the person is seated on the board
/// instead, for a general seat from today.
pub async fn grant(app: &TestApp, person: &Person, role: api::auth::Role) {
    let key = ids::decode(&person.id).expect("an account id").1;
    if role == api::auth::Role::Board {
        seat_director(app, key, None).await;
        return;
    }
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    api::accounts::commands::grant_role(&tx, api::audit::Actor::System, key, role)
        .await
        .expect("grant the role");
    tx.commit().await.expect("commit");
}

/// Seats `account` on the board for a three-year general seat from today, for `organization`
/// if given, as the operator would outside an election.
pub async fn seat_director(
    app: &TestApp,
    account: uuid::Uuid,
    organization: Option<uuid::Uuid>,
) -> entity::directorship::Model {
    seat_director_from(app, account, organization, Utc::now().date_naive()).await
}

/// Seats `account` for a three-year general seat starting on `starts_on`.
pub async fn seat_director_from(
    app: &TestApp,
    account: uuid::Uuid,
    organization: Option<uuid::Uuid>,
    starts_on: chrono::NaiveDate,
) -> entity::directorship::Model {
    seat_director_as(
        app,
        account,
        entity::directorship::SeatKind::General,
        organization,
        starts_on,
    )
    .await
}

/// Seats `account` for a three-year seat of `kind` starting on `starts_on`.
pub async fn seat_director_as(
    app: &TestApp,
    account: uuid::Uuid,
    kind: entity::directorship::SeatKind,
    organization: Option<uuid::Uuid>,
    starts_on: chrono::NaiveDate,
) -> entity::directorship::Model {
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    let seat = api::elections::board::seat(
        &tx,
        api::audit::Actor::System,
        api::elections::board::Seat {
            account_id: account,
            kind,
            starts_on,
            term_years: 3,
            organization_id: organization,
            election_id: None,
        },
    )
    .await
    .expect("seat a director");
    tx.commit().await.expect("commit");
    seat
}

/// `representative` of `organization` invites `person` to represent it too, and `person`
/// accepts: from then on they are one of its representatives.
pub async fn add_representative(
    app: &TestApp,
    representative: &Person,
    organization: &str,
    person: &Person,
) {
    let invitation = invite_representative(app, representative, organization, person).await;
    respond_to_invitation(app, person, &invitation, true)
        .await
        .data();
}

/// `inviter` (a representative of `organization`, or an administrator) invites `person` to
/// represent it. Returns the invitation's ID; nothing changes until `person` accepts.
pub async fn invite_representative(
    app: &TestApp,
    inviter: &Person,
    organization: &str,
    person: &Person,
) -> String {
    let response = app
        .gql_as(
            &inviter.access_token,
            "mutation($input: RepresentativeInput!) { addRepresentative(input: $input) { invitation { id status } } }",
            serde_json::json!({ "input": { "organizationId": organization, "accountId": person.id } }),
        )
        .await;
    let invitation = &response.data()["addRepresentative"]["invitation"];
    assert_eq!(invitation["status"], "PENDING");
    invitation["id"]
        .as_str()
        .expect("an invitation id")
        .to_owned()
}

/// `person` answers the invitation `invitation`.
pub async fn respond_to_invitation(
    app: &TestApp,
    person: &Person,
    invitation: &str,
    accept: bool,
) -> crate::Gql {
    app.gql_as(
        &person.access_token,
        "mutation($input: RespondToRepresentativeInvitationInput!) { respondToRepresentativeInvitation(input: $input) { invitation { status } } }",
        serde_json::json!({ "input": { "invitationId": invitation, "accept": accept } }),
    )
    .await
}

/// `representative` of `organization` removes `person` from its representatives.
pub async fn remove_representative(
    app: &TestApp,
    representative: &Person,
    organization: &str,
    person: &Person,
) {
    app.gql_as(
        &representative.access_token,
        "mutation($input: RepresentativeInput!) { removeRepresentative(input: $input) { organization { id } } }",
        serde_json::json!({ "input": { "organizationId": organization, "accountId": person.id } }),
    )
    .await
    .data();
}

/// A person holding `role`.
pub async fn a_person_with(app: &TestApp, name: &str, role: api::auth::Role) -> Person {
    let person = a_person(app, name).await;
    grant(app, &person, role).await;
    person
}

/// An active membership granted by the membership command, for directory fixtures.
pub async fn a_membership(
    app: &TestApp,
    holder: &account::Model,
    class: &str,
    disclose: bool,
) -> entity::membership::Model {
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    let membership = api::members::db::grant_membership(
        &tx,
        api::audit::Actor::System,
        api::members::db::Grant {
            class: sea_orm::ActiveEnum::try_from_value(&class.to_owned())
                .expect("a membership class key"),
            holder: api::holders::Holder::Account(holder.id),
            disclose,
            vote_weight: 1,
            term: api::members::db::Term::Months(12),
        },
    )
    .await
    .expect("grant a membership");
    tx.commit().await.expect("commit");
    membership
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

/// Creates an organization through the API, represented by `person`; returns its ID.
pub async fn an_organization(app: &TestApp, person: &Person, name: &str) -> String {
    let response = app
        .gql_as(
            &person.access_token,
            "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }",
            serde_json::json!({ "input": {
                "name": name,
                "websiteUrl": format!("https://{}.example.com", name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            } }),
        )
        .await;
    response.data()["createOrganization"]["organization"]["id"]
        .as_str()
        .expect("an organization id")
        .to_owned()
}

/// The ID of the published tier called `name`.
pub async fn tier_id(app: &TestApp, name: &str) -> String {
    let response = app
        .gql("{ sponsorTiers { id name } }", serde_json::json!({}))
        .await;
    response.data()["sponsorTiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|tier| tier["name"] == name)
        .and_then(|tier| tier["id"].as_str())
        .unwrap_or_else(|| panic!("no tier {name}"))
        .to_owned()
}

/// `variables` with a fresh `idempotencyKey` in its `input`, as a client records money: each
/// call is a new key, so two calls record twice.
pub fn keyed(mut variables: serde_json::Value) -> serde_json::Value {
    variables["input"]["idempotencyKey"] = serde_json::json!(uuid::Uuid::new_v4().to_string());
    variables
}

pub const RECORD_SPONSORSHIP: &str = "mutation($input: RecordSponsorshipInput!) {
  recordSponsorship(input: $input) { sponsorship { id status amount { amountMinor currency formatted } } }
}";

/// A sponsorship as the treasurer records it, with the defaults of a yearly Gold sponsorship
/// that started today; change what the test is about.
pub struct SponsorshipInput {
    pub sponsor_field: &'static str,
    pub sponsor_id: String,
    pub tier: &'static str,
    pub amount_minor: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub disclose: bool,
}

/// A yearly sponsorship for the organization `organization_id`, from today.
pub fn a_sponsorship(organization_id: &str, tier: &'static str) -> SponsorshipInput {
    let today = Utc::now().date_naive();
    let amount = match tier {
        "Platinum" => 10_000_000,
        "Gold" => 2_000_000,
        "Silver" => 250_000,
        _ => 0,
    };
    SponsorshipInput {
        sponsor_field: "organizationId",
        sponsor_id: organization_id.to_owned(),
        tier,
        amount_minor: amount.to_string(),
        starts_on: today,
        ends_on: today
            .checked_add_days(chrono::Days::new(364))
            .expect("date"),
        disclose: true,
    }
}

impl SponsorshipInput {
    pub fn from(mut self, starts_on: chrono::NaiveDate) -> Self {
        let length = self.ends_on - self.starts_on;
        self.starts_on = starts_on;
        self.ends_on = starts_on + length;
        self
    }

    pub fn until(mut self, ends_on: chrono::NaiveDate) -> Self {
        self.ends_on = ends_on;
        self
    }

    pub fn paying(mut self, amount_minor: &str) -> Self {
        amount_minor.clone_into(&mut self.amount_minor);
        self
    }

    pub fn undisclosed(mut self) -> Self {
        self.disclose = false;
        self
    }

    pub fn json(&self, tier_id: &str) -> serde_json::Value {
        serde_json::json!({ "input": {
            self.sponsor_field: self.sponsor_id,
            "tierId": tier_id,
            "amountMinor": self.amount_minor,
            "currency": "USD",
            "startsOn": self.starts_on.to_string(),
            "endsOn": self.ends_on.to_string(),
            "disclose": self.disclose,
            "idempotencyKey": uuid::Uuid::new_v4().to_string(),
        } })
    }

    /// Records it as `treasurer`; returns the sponsorship ID.
    pub async fn record(self, app: &TestApp, treasurer: &Person) -> String {
        let tier = tier_id(app, self.tier).await;
        let response = app
            .gql_as(
                &treasurer.access_token,
                RECORD_SPONSORSHIP,
                self.json(&tier),
            )
            .await;
        response.data()["recordSponsorship"]["sponsorship"]["id"]
            .as_str()
            .expect("a sponsorship id")
            .to_owned()
    }
}

/// An organization sponsoring at `tier` since `since`, inserted straight into the database, for
/// lists too long to build through the API.
pub async fn a_listed_sponsor(
    app: &TestApp,
    name: &str,
    tier: uuid::Uuid,
    since: chrono::NaiveDate,
) {
    let now = Utc::now();
    let rank = entity::prelude::SponsorTier::find_by_id(tier)
        .one(app.db())
        .await
        .expect("read the tier")
        .expect("the tier exists")
        .rank;
    let organization = entity::organization::ActiveModel {
        id: Set(ids::new_key()),
        name: Set(name.to_owned()),
        website_url: Set(Some(format!(
            "https://{}.example.org",
            name.to_lowercase().replace(' ', "-")
        ))),
        logo_url: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .expect("insert an organization");
    entity::sponsorship::ActiveModel {
        id: Set(ids::new_key()),
        tier_id: Set(tier),
        sponsor_key: Set(format!("organization:{}", organization.id)),
        sponsor_account_id: Set(None),
        sponsor_organization_id: Set(Some(organization.id)),
        amount_minor: Set(10_000_000),
        currency: Set("USD".to_owned()),
        starts_on: Set(since),
        ends_on: Set(since
            .checked_add_days(chrono::Days::new(3650))
            .expect("date")),
        sponsor_since: Set(since),
        tier_rank: Set(rank),
        auto_renew: Set(false),
        status: Set(entity::sponsorship::SponsorshipState::Active),
        in_kind_description: Set(None),
        cancel_reason: Set(None),
        recorded_by: Set(organization.id),
        created_at: Set(now),
        updated_at: Set(now),
        announced_at: Set(Some(now)),
    }
    .insert(app.db())
    .await
    .expect("insert a sponsorship");
    entity::sponsor_consent::ActiveModel {
        sponsor_key: Set(format!("organization:{}", organization.id)),
        disclose: Set(true),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .expect("insert the sponsor's consent");
}

/// Imports a small set of bylaws as `secretary`; returns the ID of each section in order.
pub async fn sample_bylaws(app: &TestApp, secretary: &Person) -> Vec<String> {
    let response = app
        .gql_as(
            &secretary.access_token,
            "mutation($input: ImportBylawsInput!) { importBylaws(input: $input) { version { number } } }",
            serde_json::json!({ "input": { "articles": [
                { "number": 1, "title": "Name and Purpose", "sections": [
                    { "number": 1, "heading": "Name", "text": "The name of the foundation is the Example OS Foundation." },
                    { "number": 2, "heading": "Purpose", "text": "The foundation builds a community-owned operating system." },
                ] },
                { "number": 2, "title": "Membership", "sections": [
                    { "number": 1, "heading": "Classes", "text": "There are Contributor, Mirror and Sponsor members." },
                ] },
            ] } }),
        )
        .await;
    response.data();
    let sections = app
        .gql(
            "{ bylaws { current { articles { sections { id } } } } }",
            serde_json::json!({}),
        )
        .await;
    sections.data()["bylaws"]["current"]["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .flat_map(|article| article["sections"].as_array().cloned().unwrap_or_default())
        .map(|section| section["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Sets the notice and minimum voting periods to zero, as a test deployment does.
pub async fn no_waiting(app: &TestApp, admin: &Person) {
    app.gql_as(
        &admin.access_token,
        "mutation { updateGovernancePolicy(input: { amendmentNoticeDays: 0, minimumVotingDays: 0 }) { policy { amendmentNoticeDays } } }",
        serde_json::json!({}),
    )
    .await
    .data();
}

/// `proposer` drafts and submits an amendment replacing `section`; returns its ID.
pub async fn a_proposed_amendment(
    app: &TestApp,
    proposer: &Person,
    section: &str,
    text: &str,
) -> String {
    let proposed = app
        .gql_as(
            &proposer.access_token,
            "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { amendment { id status } } }",
            serde_json::json!({ "input": {
                "title": "Clarify the purpose",
                "rationale": "The purpose should say who the system is for.",
                "changes": [{ "operation": "REPLACE", "sectionId": section, "text": text }],
            } }),
        )
        .await;
    let id = proposed.data()["proposeAmendment"]["amendment"]["id"]
        .as_str()
        .expect("an amendment id")
        .to_owned();
    app.gql_as(
        &proposer.access_token,
        "mutation($id: ID!) { submitAmendment(input: { amendmentId: $id }) { amendment { status } } }",
        serde_json::json!({ "id": id }),
    )
    .await
    .data();
    id
}

/// Opens voting by `body`, closing a minute from now.
pub async fn open_vote(
    app: &TestApp,
    secretary: &Person,
    amendment: &str,
    body: &str,
) -> crate::Gql {
    let closes_at = (Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    app.gql_as(
        &secretary.access_token,
        "mutation($input: OpenVoteInput!) { openAmendmentVote(input: $input) { amendment { status voteBody } } }",
        serde_json::json!({ "input": { "amendmentId": amendment, "body": body, "closesAt": closes_at } }),
    )
    .await
}

/// `voter` votes `choice` (optionally for a named membership).
pub async fn vote(
    app: &TestApp,
    voter: &Person,
    amendment: &str,
    choice: &str,
    membership: Option<&str>,
) -> crate::Gql {
    app.gql_as(
        &voter.access_token,
        "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { choice membershipId } } }",
        serde_json::json!({ "input": { "amendmentId": amendment, "choice": choice, "membershipId": membership } }),
    )
    .await
}

/// Lets the vote's time run out, as if `closesAt` had passed.
pub async fn time_runs_out(app: &TestApp) {
    app.sql(
        "UPDATE amendments SET closes_at = '2020-01-01 00:00:00+00:00' WHERE status = 'VOTING'",
    )
    .await;
}

pub const CLOSE_VOTE: &str = "mutation($id: ID!) { closeAmendmentVote(input: { amendmentId: $id }) {
  amendment { status adoptedVersion tally { yes no abstain eligibleWeight quorumReached passed sponsorScale voters eligibleVoters } }
} }";

/// `person` creates an API token with `scopes` (such as `["SPONSORS_READ"]`); returns its secret.
pub async fn an_api_token(app: &TestApp, person: &Person, scopes: &[&str]) -> String {
    let response = app
        .gql_as(
            &person.access_token,
            "mutation($scopes: [ApiScope!]!) { createApiToken(input: { name: \"integration\", scopes: $scopes }) { token } }",
            serde_json::json!({ "scopes": scopes }),
        )
        .await;
    response.data()["createApiToken"]["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// An integration made by `person`, of the organization `organization` (the foundation's when
/// `None`), with `scopes`.
pub struct Integration {
    pub id: String,
    pub secret: String,
}

/// `person` creates an integration with `scopes` for `organization` (the foundation's when
/// `None`); returns its ID and first secret.
pub async fn an_integration(
    app: &TestApp,
    person: &Person,
    organization: Option<&str>,
    scopes: &[&str],
) -> Integration {
    let response = app
        .gql_as(
            &person.access_token,
            "mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { integration { id } secret } }",
            serde_json::json!({ "input": { "name": "integration", "organizationId": organization, "scopes": scopes } }),
        )
        .await;
    let created = &response.data()["createIntegration"];
    Integration {
        id: created["integration"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("an integration: {}", response.body))
            .to_owned(),
        secret: created["secret"].as_str().expect("a secret").to_owned(),
    }
}

const REGISTER_MIRROR: &str = "mutation($input: RegisterMirrorInput!) {
  registerMirror(input: $input) { mirror { id status } }
}";
const VERIFY_MIRROR: &str = "mutation($input: VerifyMirrorInput!) {
  verifyMirror(input: $input) { mirror { id status } }
}";
const RENEW_MEMBERSHIP: &str = "mutation($id: ID!) {
  renewMembership(input: { membershipId: $id }) { membership { id status expiresOn } }
}";

/// `person` registers a mirror on `host` in Germany, for themselves or for the organization
/// `organization`; returns the mirror's ID.
pub async fn a_mirror(
    app: &TestApp,
    person: &Person,
    host: &str,
    organization: Option<&str>,
) -> String {
    let response = app
        .gql_as(
            &person.access_token,
            REGISTER_MIRROR,
            serde_json::json!({ "input": {
                "hostName": host,
                "httpUrl": format!("https://{host}/almalinux/"),
                "country": "DE",
                "organizationId": organization,
            } }),
        )
        .await;
    response.data()["registerMirror"]["mirror"]["id"]
        .as_str()
        .expect("a mirror id")
        .to_owned()
}

/// `checker` records a check of `mirror` with `outcome` (`VERIFIED` or `REJECTED`); returns the
/// response for the test to inspect.
pub async fn check_mirror(
    app: &TestApp,
    checker: &Person,
    mirror: &str,
    outcome: &str,
) -> crate::Gql {
    app.gql_as(
        &checker.access_token,
        VERIFY_MIRROR,
        serde_json::json!({ "input": { "mirrorId": mirror, "outcome": outcome, "notes": "repomd.xml checked" } }),
    )
    .await
}

/// `person` renews `membership`; returns the response for the test to inspect.
pub async fn renew(app: &TestApp, person: &Person, membership: &str) -> crate::Gql {
    app.gql_as(
        &person.access_token,
        RENEW_MEMBERSHIP,
        serde_json::json!({ "id": membership }),
    )
    .await
}

/// `count` Contributors in good standing inserted straight into the database: members on the
/// roll who never log in, for foundations too large to build through the API.
pub async fn contributors_on_file(app: &TestApp, count: usize) {
    for i in 0..count {
        let account = an_account()
            .named(&format!("Quiet member {i}"))
            .create(app)
            .await;
        a_membership(app, &account, "CONTRIBUTOR", true).await;
    }
}

/// The representative of a new organization with a yearly Gold sponsorship (vote weight 15),
/// recorded by `treasurer`.
pub async fn a_gold_sponsor(app: &TestApp, treasurer: &Person, name: &str) -> Person {
    let representative = a_person(app, &format!("{name} Rep")).await;
    let organization = an_organization(app, &representative, name).await;
    a_sponsorship(&organization, "Gold")
        .record(app, treasurer)
        .await;
    representative
}

/// `proposer` drafts an amendment with `changes` (a JSON list of ChangeInput); returns its ID.
pub async fn a_draft_amendment(
    app: &TestApp,
    proposer: &Person,
    changes: serde_json::Value,
) -> String {
    let proposed = app
        .gql_as(
            &proposer.access_token,
            "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { amendment { id } } }",
            serde_json::json!({ "input": {
                "title": "Change the bylaws",
                "rationale": "The members asked for it.",
                "changes": changes,
            } }),
        )
        .await;
    proposed.data()["proposeAmendment"]["amendment"]["id"]
        .as_str()
        .expect("an amendment id")
        .to_owned()
}

/// `proposer` submits the draft `amendment`, starting its notice period.
pub async fn submit_amendment(app: &TestApp, proposer: &Person, amendment: &str) {
    app.gql_as(
        &proposer.access_token,
        "mutation($id: ID!) { submitAmendment(input: { amendmentId: $id }) { amendment { status } } }",
        serde_json::json!({ "id": amendment }),
    )
    .await
    .data();
}

/// The secretary closes the vote on `amendment` once its time ran out; returns the amendment's
/// status and tally (every field) as `closeAmendmentVote` answers.
pub async fn close_after_time_runs_out(
    app: &TestApp,
    secretary: &Person,
    amendment: &str,
) -> serde_json::Value {
    time_runs_out(app).await;
    let closed = app
        .gql_as(
            &secretary.access_token,
            "mutation($id: ID!) { closeAmendmentVote(input: { amendmentId: $id }) { amendment { status tally { yes no abstain eligibleWeight eligibleVoters voters sponsorScale castSponsorScale quorumReached passed } } } }",
            serde_json::json!({ "id": amendment }),
        )
        .await;
    closed.data()["closeAmendmentVote"]["amendment"].clone()
}

/// An amendment in a members' vote, proposed by the contributor Ada, the one voter on its roll;
/// returns Ada and the amendment's ID.
pub async fn an_amendment_in_voting(app: &TestApp, title: &str) -> (Person, String) {
    use api::auth::Role;
    let secretary = a_person_with(app, "Sami", Role::Secretary).await;
    let admin = a_person_with(app, "Root", Role::Admin).await;
    let committee = a_person_with(app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(app, &secretary).await;
    no_waiting(app, &admin).await;
    let (ada, _) = a_contributor(app, "Ada", &committee).await;
    let amendment = a_proposed_amendment(app, &ada, &sections[1], title).await;
    open_vote(app, &secretary, &amendment, "MEMBERS")
        .await
        .data();
    (ada, amendment)
}
