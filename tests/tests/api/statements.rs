//! Statement counts of the public lists: a page costs the same number of SQL statements
//! whatever its size, and `totalCount` costs nothing unless it is asked for. Counted exactly by
//! the harness, so these are regular tests, not timings.

use api::auth::Role;
use chrono::{Days, Utc};
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_listed_sponsor, a_person_with, a_proposed_amendment, an_amendment_in_voting, open_vote,
        tier_id, vote,
    },
};

/// The statements `query` runs as `token` (anonymous when `None`), after checking its answer
/// holds `rows` nodes under `connection`.
async fn statements(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    connection: &str,
    rows: usize,
) -> usize {
    app.reset_statement_count();
    let response = match token {
        Some(token) => app.gql_as(token, query, json!({})).await,
        None => app.gql(query, json!({})).await,
    };
    assert_eq!(
        response.data()[connection]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(rows),
        "{:#}",
        response.body
    );
    app.statement_count()
}

#[tokio::test]
async fn a_sponsor_page_is_one_statement_and_its_count_one_more_once() {
    let app = TestApp::new().await;
    let gold = api::ids::decode(&tier_id(&app, "Gold").await)
        .expect("a tier id")
        .1;
    let today = Utc::now().date_naive();
    for i in 0..60u64 {
        let since = today.checked_sub_days(Days::new(i + 1)).expect("date");
        a_listed_sponsor(&app, &format!("Sponsor {i:03}"), gold, since).await;
    }
    // Each query is sent once, so none is answered from the anonymous cache; the count is kept
    // once the cache serves (on PostgreSQL, when it listens for other replicas' changes).
    app.state.public_cache.ready().await;
    let token = None;
    let page = |size: usize| {
        format!(
            "{{ sponsors(first: {size}) {{ nodes {{ id displayName websiteUrl logoUrl sponsorSince tier {{ id name rank }} }} }} }}"
        )
    };
    let counted = |size: usize| {
        format!("{{ sponsors(first: {size}) {{ totalCount nodes {{ id displayName }} }} }}")
    };
    assert_eq!(statements(&app, token, &page(5), "sponsors", 5).await, 1);
    assert_eq!(statements(&app, token, &page(50), "sponsors", 50).await, 1);
    // The count is read once, then kept until something changes.
    assert_eq!(statements(&app, token, &counted(5), "sponsors", 5).await, 2);
    assert_eq!(
        statements(&app, token, &counted(50), "sponsors", 50).await,
        1
    );
}

#[tokio::test]
async fn an_amendment_page_with_diff_changes_and_votes_takes_four_statements_at_any_size() {
    let app = TestApp::new().await;
    let (ada, voting) = an_amendment_in_voting(&app, "The purpose, in plain words").await;
    vote(&app, &ada, &voting, "YES", None).await.data();
    let secretary = a_person_with(&app, "Sam", Role::Secretary).await;
    let sections: Vec<String> = app
        .gql(
            "{ bylaws { current { articles { sections { id } } } } }",
            json!({}),
        )
        .await
        .data()["bylaws"]["current"]["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .flat_map(|article| article["sections"].as_array().cloned().unwrap_or_default())
        .map(|section| section["id"].as_str().expect("id").to_owned())
        .collect();
    for i in 0..29 {
        let id = a_proposed_amendment(
            &app,
            &ada,
            &sections[i % sections.len()],
            &format!("Text {i}"),
        )
        .await;
        if i % 10 == 0 {
            open_vote(&app, &secretary, &id, "MEMBERS").await.data();
        }
    }
    let page = |size: usize| {
        format!(
            "{{ amendments(first: {size}) {{ nodes {{ id title status
               changes {{ operation sectionId text }}
               diff {{ __typename }}
               votes {{ yes no abstain eligibleVoters }} }} }} }}"
        )
    };
    let small = statements(&app, None, &page(3), "amendments", 3).await;
    let large = statements(&app, None, &page(30), "amendments", 30).await;
    assert_eq!(small, large, "the same statements for 3 or 30 amendments");
    assert!(large <= 4, "a page, changes, versions and votes: {large}");
    // The answers are right, not only cheap: the one vote cast is counted.
    let first = app.gql(&page(1), json!({})).await.data()["amendments"]["nodes"][0].clone();
    assert_eq!(first["votes"]["yes"], json!(1));
    assert_eq!(first["votes"]["eligibleVoters"], json!(1));
    assert_eq!(first["changes"].as_array().map(Vec::len), Some(1));
    assert!(!first["diff"].as_array().expect("a diff").is_empty());
}

#[tokio::test]
async fn the_catch_up_reads_in_batches_and_writes_each_membership_once() {
    let app = TestApp::new().await;
    let gold = api::ids::decode(&tier_id(&app, "Gold").await)
        .expect("a tier id")
        .1;
    let today = Utc::now().date_naive();
    // Sponsorships written behind the commands' back, as if each had started today: every
    // sponsor lacks its Sponsor membership until the catch-up grants it.
    let mut statements_for = Vec::new();
    for (round, sponsors) in [(0, 10u64), (1, 40)] {
        for i in 0..sponsors {
            let since = today.checked_sub_days(Days::new(i + 1)).expect("date");
            a_listed_sponsor(&app, &format!("Round {round} sponsor {i:03}"), gold, since).await;
        }
        app.reset_statement_count();
        let done = api::sponsors::follow::catch_up(app.db())
            .await
            .expect("catch up")
            .expect("the job's lock");
        statements_for.push(app.statement_count());
        assert_eq!(
            done.sponsors_followed,
            usize::try_from(sponsors).expect("count")
        );
    }
    // Reads do not grow with the number of sponsors: each costs only its membership's own
    // lock and insert.
    let per_sponsor = (statements_for[1] - statements_for[0]) / 30;
    assert!(per_sponsor <= 2, "{statements_for:?}");
    let members = app
        .gql(
            "{ memberships(class: SPONSOR, first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(members.data()["memberships"]["totalCount"], json!(50));
    // A second run finds nothing left to do.
    let again = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up")
        .expect("the job's lock");
    assert_eq!(again.sponsors_followed, 0);
}

/// The directory as the public site and the membership committee page it, over people and
/// sponsoring organizations: the page, then the people, the organizations, the classes and the
/// policy, one statement each, however the page's fields happen to resolve. (DataLoader
/// batches close 1 ms after their first key; walking a page of 100 on a busy machine took
/// longer, and one page cost tens of statements.)
#[tokio::test]
async fn a_directory_page_of_people_and_organizations_takes_five_statements_at_most() {
    let app = TestApp::with_config(|config| config.public_cache = false).await;
    api::bench_data::load(
        app.db(),
        api::bench_data::Sizes {
            sponsors: 60,
            members: 300,
            amendments: 1,
        },
    )
    .await
    .expect("seed a directory");
    let committee = a_person_with(&app, "Mo", Role::MembershipCommittee).await;
    let page = |size: usize| {
        format!(
            "{{ memberships(first: {size}) {{ nodes {{ id status class {{ key name }}
               holder {{ ... on Account {{ displayName }} ... on Organization {{ name }} }} }} }} }}"
        )
    };
    // A logged-in request also checks its session and reads its roles and directorships: three
    // statements more.
    for (token, most) in [(None, 5), (Some(committee.access_token.as_str()), 8)] {
        // The first ten are people only (one statement fewer: no organizations to read).
        let ten = statements(&app, token, &page(10), "memberships", 10).await;
        let hundred = statements(&app, token, &page(100), "memberships", 100).await;
        assert!(ten <= most, "{ten} statements for a directory page of 10");
        assert!(
            hundred <= most,
            "{hundred} statements for a directory page of 100"
        );
    }
}

#[tokio::test]
async fn a_page_of_elections_with_their_nominees_standing_costs_the_same_at_any_size() {
    let f = crate::elections::foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    // A director in office, nominated in every election: each standing reads the board.
    let sitting = f.member("Sam").await;
    let key = api::ids::decode(&sitting.id).expect("an account id").1;
    tests::factories::seat_director(app, key, None).await;
    let query = "{ elections(first: 10) { nodes { id viewerStanding { eligible reason } nominees { id eligible eligibility { reason } nominee { displayName } organization { name } } } } }";
    let mut counts = Vec::new();
    for (round, elections, listed) in [(0, 1, 1), (1, 3, 4)] {
        for e in 0..elections {
            let election = f.election("GENERAL", 2).await;
            for n in 0..3 {
                let nominee = f.member(&format!("Nominee {round}-{e}-{n}")).await;
                f.candidate(&ada, &election, &nominee).await;
            }
            f.candidate(&ada, &election, &sitting).await;
        }
        counts.push(statements(app, Some(&ada.access_token), query, "elections", listed).await);
    }
    // Four elections of four nominees each cost what one does.
    assert_eq!(counts[0], counts[1], "{counts:?}");
}
