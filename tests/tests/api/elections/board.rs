//! The board of record: size violations, the BOARD role following the terms in office, and
//! board votes on amendments using the directorships in office when the vote opens.

use api::auth::Role;
use chrono::{Months, Utc};
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_person, a_person_with, a_sponsorship, an_account, an_organization, seat_director,
        seat_director_from,
    },
};

const BOARD: &str = "{ board { size minimumSize maximumSize platinumSponsors requiredForPlatinumSponsors violations violationDetails { kind } } }";

fn kinds(board: &serde_json::Value) -> Vec<String> {
    board["violationDetails"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["kind"].as_str().expect("kind").to_owned())
        .collect()
}

async fn directors(app: &TestApp, count: usize) {
    for i in 0..count {
        let account = an_account()
            .named(&format!("Director {i}"))
            .create(app)
            .await;
        seat_director(app, account.id, None).await;
    }
}

#[tokio::test]
async fn board_size_violations_are_reported() {
    let app = TestApp::new().await;
    // An empty board is too small.
    let empty = app.gql(BOARD, json!({})).await;
    assert_eq!(kinds(&empty.data()["board"]), vec!["TOO_FEW_DIRECTORS"]);
    assert_eq!(
        empty.data()["board"]["violations"],
        json!(["the board has 0 directors; it needs at least 7"])
    );
    // Seven is enough, until five Platinum sponsors need ten directors.
    directors(&app, 7).await;
    assert_eq!(
        kinds(&app.gql(BOARD, json!({})).await.data()["board"]),
        Vec::<String>::new()
    );
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    for name in ["Acme", "Initech", "Globex", "Umbrella", "Hooli"] {
        let rep = a_person(&app, &format!("{name} Rep")).await;
        let org = an_organization(&app, &rep, name).await;
        a_sponsorship(&org, "Platinum")
            .record(&app, &treasurer)
            .await;
    }
    let platinum = app.gql(BOARD, json!({})).await;
    let board = &platinum.data()["board"];
    assert_eq!(board["platinumSponsors"], json!(5));
    assert_eq!(board["requiredForPlatinumSponsors"], json!(10));
    assert_eq!(kinds(board), vec!["TOO_FEW_FOR_PLATINUM_SPONSORS"]);
    // Two directors of one organization, and fourteen directors in all.
    let rep = a_person(&app, "Two Hats").await;
    let org = an_organization(&app, &rep, "Twice Corp").await;
    let org = api::ids::decode(&org).expect("id").1;
    for name in ["First", "Second"] {
        let account = an_account().named(name).create(&app).await;
        seat_director(&app, account.id, Some(org)).await;
    }
    directors(&app, 5).await;
    let crowded = app.gql(BOARD, json!({})).await;
    let board = &crowded.data()["board"];
    assert_eq!(board["size"], json!(14));
    assert_eq!(
        kinds(board),
        vec!["TOO_MANY_DIRECTORS", "SHARED_ORGANIZATION"]
    );
}

#[tokio::test]
async fn the_board_role_follows_the_terms_in_office() {
    let app = TestApp::new().await;
    let current = a_person(&app, "Carla").await;
    let former = a_person(&app, "Fred").await;
    let key = |id: &str| api::ids::decode(id).expect("id").1;
    seat_director(&app, key(&current.id), None).await;
    let four_years_ago = Utc::now()
        .date_naive()
        .checked_sub_months(Months::new(48))
        .expect("date");
    seat_director_from(&app, key(&former.id), None, four_years_ago).await;
    let roles = "{ viewer { roles } }";
    assert_eq!(
        app.gql_as(&current.access_token, roles, json!({}))
            .await
            .data()["viewer"]["roles"],
        json!(["BOARD"])
    );
    assert_eq!(
        app.gql_as(&former.access_token, roles, json!({}))
            .await
            .data()["viewer"]["roles"],
        json!([])
    );
    let board = app
        .gql(
            "{ board { directors { person { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        board.data()["board"]["directors"],
        json!([{ "person": { "displayName": "Carla" } }])
    );
    // BOARD cannot be revoked by hand either.
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let revoke = app
        .gql_as(
            &admin.access_token,
            "mutation($input: RoleChangeInput!) { revokeRole(input: $input) { account { roles } } }",
            json!({ "input": { "accountId": current.id, "role": "BOARD" } }),
        )
        .await;
    assert_eq!(revoke.error_field(), "input.role");
}

#[tokio::test]
async fn a_board_vote_freezes_the_directors_in_office() {
    use tests::factories::{a_proposed_amendment, no_waiting, open_vote, sample_bylaws};
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, _) = tests::factories::a_contributor(&app, "Ada", &committee).await;
    let carla = a_person(&app, "Carla").await;
    let fred = a_person(&app, "Fred").await;
    let key = |id: &str| api::ids::decode(id).expect("id").1;
    seat_director(&app, key(&carla.id), None).await;
    let four_years_ago = Utc::now()
        .date_naive()
        .checked_sub_months(Months::new(48))
        .expect("date");
    seat_director_from(&app, key(&fred.id), None, four_years_ago).await;
    let amendment = a_proposed_amendment(&app, &ada, &sections[0], "The name is Example.").await;
    open_vote(&app, &secretary, &amendment, "BOARD")
        .await
        .data();
    let read = app
        .gql(
            "query($id: ID!) { amendment(id: $id) { votes { eligibleVoters } } }",
            json!({ "id": amendment }),
        )
        .await;
    assert_eq!(
        read.data()["amendment"]["votes"]["eligibleVoters"],
        json!(1),
        "only the director in office is on the roll"
    );
    let vote =
        "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { choice } } }";
    let input = json!({ "input": { "amendmentId": amendment, "choice": "YES" } });
    assert_eq!(
        app.gql_as(&fred.access_token, vote, input.clone())
            .await
            .error_code(),
        "FORBIDDEN",
        "a director whose term ended is not on the roll"
    );
    assert!(
        app.gql_as(&carla.access_token, vote, input)
            .await
            .errors()
            .is_empty()
    );
}
