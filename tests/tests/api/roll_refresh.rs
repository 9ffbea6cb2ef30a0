//! Opening a vote or an election brings the memberships on its roll up to date first, with no
//! catch-up job having run: a sponsorship that started today puts its sponsor on the roll at
//! its tier's weight. Telling the world that it started stays with the job.

use api::auth::Role;
use chrono::{Days, Utc};
use entity::{prelude::Sponsorship, prelude::VoterRoll, voter_roll};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        Person, a_contributor, a_person, a_person_with, a_proposed_amendment, a_sponsorship,
        an_organization, no_waiting, open_vote, sample_bylaws, vote,
    },
};

use crate::elections::foundation;

/// Gold's vote weight in the default tiers.
const GOLD_WEIGHT: i32 = 15;

/// A Gold sponsorship recorded to start tomorrow, whose day has come (the dates moved by hand,
/// as the calendar would): no Sponsor membership yet, and no job has run since. Returns the
/// sponsor's representative.
async fn a_sponsorship_starting_today(app: &TestApp, treasurer: &Person) -> Person {
    let rep = a_person(app, "Rita").await;
    let org = an_organization(app, &rep, "FutureCo").await;
    let today = Utc::now().date_naive();
    let tomorrow = today.checked_add_days(Days::new(1)).expect("date");
    a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .record(app, treasurer)
        .await;
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{today}', sponsor_since = '{today}'"
    ))
    .await;
    let sponsors = app
        .gql("{ memberships(class: SPONSOR) { totalCount } }", json!({}))
        .await;
    assert_eq!(sponsors.data()["memberships"]["totalCount"], json!(0));
    rep
}

/// Whether any sponsorship has been announced (its webhook and feed entry written).
async fn announced(app: &TestApp) -> bool {
    Sponsorship::find()
        .all(app.db())
        .await
        .expect("sponsorships")
        .iter()
        .any(|row| row.announced_at.is_some())
}

#[tokio::test]
async fn a_vote_opened_the_day_a_sponsorship_starts_has_the_sponsor_on_its_roll() {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;
    let id = a_proposed_amendment(&app, &ada, &sections[1], "Longer terms.").await;
    let rep = a_sponsorship_starting_today(&app, &treasurer).await;

    open_vote(&app, &secretary, &id, "MEMBERS").await.data();
    let (_, amendment) = api::ids::decode(&id).expect("the amendment's key");
    let roll = VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .all(app.db())
        .await
        .expect("the roll");
    let weights: Vec<(bool, i32)> = roll.iter().map(|e| (e.sponsor, e.nominal_weight)).collect();
    assert_eq!(roll.len(), 2, "Ada and the sponsor: {weights:?}");
    assert!(weights.contains(&(true, GOLD_WEIGHT)), "{weights:?}");
    vote(&app, &rep, &id, "YES", None).await.data();

    // The opening told no one that the sponsorship started: the job does, once.
    assert!(!announced(&app).await);
    let done = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("a catch-up")
        .expect("not skipped");
    assert_eq!(done.announced, 1);
    assert_eq!(done.sponsors_followed, 0, "the opening granted it already");
}

#[tokio::test]
async fn an_election_opened_the_day_a_sponsorship_starts_has_the_sponsor_on_its_roll() {
    let f = foundation().await;
    let app = &f.app;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let election = f.election("GENERAL", 1).await;
    f.candidate(&ada, &election, &bob).await;
    a_sponsorship_starting_today(app, &treasurer).await;

    assert_eq!(
        f.open_voting(&election).await,
        3,
        "Ada, Bob and the sponsor"
    );
    assert!(!announced(app).await);
}
