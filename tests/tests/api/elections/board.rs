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
async fn two_directors_sharing_an_organization_through_any_representation_are_reported() {
    let app = TestApp::new().await;
    directors(&app, 7).await;
    // Dan's seat records no organization, but he represents Acme; Eve's seat records Acme.
    let dan = a_person(&app, "Dan").await;
    let acme = an_organization(&app, &dan, "Acme").await;
    let acme_key = api::ids::decode(&acme).expect("id").1;
    seat_director(&app, api::ids::decode(&dan.id).expect("id").1, None).await;
    let eve = an_account().named("Eve").create(&app).await;
    seat_director(&app, eve.id, Some(acme_key)).await;
    let board = app.gql(BOARD, json!({})).await;
    assert_eq!(kinds(&board.data()["board"]), vec!["SHARED_ORGANIZATION"]);
    assert_eq!(
        board.data()["board"]["violations"],
        json!([format!(
            "2 directors work for or represent one organization ({acme})"
        )])
    );
    // Two directors who merely both represent Initech, with nothing on either seat, too.
    let fay = a_person(&app, "Fay").await;
    let gus = a_person(&app, "Gus").await;
    let initech = an_organization(&app, &fay, "Initech").await;
    tests::factories::add_representative(&app, &fay, &initech, &gus).await;
    for person in [&fay, &gus] {
        seat_director(&app, api::ids::decode(&person.id).expect("id").1, None).await;
    }
    let board = app.gql(BOARD, json!({})).await;
    assert_eq!(
        kinds(&board.data()["board"]),
        vec!["SHARED_ORGANIZATION", "SHARED_ORGANIZATION"]
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

#[tokio::test]
async fn board_grants_become_terms_running_from_the_upgrade_with_their_organization() {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let app = TestApp::new().await;
    let olive = a_person(&app, "Olive").await;
    let nick = a_person(&app, "Nick").await;
    let mo = a_person(&app, "Mo").await;
    let fred = a_person(&app, "Fred").await;
    an_organization(&app, &olive, "Acme").await;
    an_organization(&app, &mo, "Initech").await;
    an_organization(&app, &mo, "Globex").await;
    let key = |id: &str| api::ids::decode(id).expect("id").1;
    let today = Utc::now().date_naive();
    // Fred's seat, from the operator, ended a year ago: the repair leaves it alone.
    let four_years_ago = today.checked_sub_months(Months::new(48)).expect("date");
    seat_director_from(&app, key(&fred.id), None, four_years_ago).await;
    // Before the upgrade the board was whoever held BOARD: Olive for five years, Nick for one,
    // Mo since last week.
    for (person, days) in [(&olive, 5 * 365), (&nick, 365), (&mo, 7)] {
        entity::prelude::AccountRole::insert(entity::account_role::ActiveModel {
            account_id: Set(key(&person.id)),
            role: Set(entity::account_role::Role::Board),
            granted_at: Set(Utc::now() - chrono::Duration::days(days)),
            granted_by: Set(None),
        })
        .exec_without_returning(app.db())
        .await
        .expect("a BOARD grant");
    }
    // The upgrade: the grants become directorships, then the repair runs, twice for good
    // measure.
    let (connection, steps) = app
        .migration_steps(&[
            "m20261202_000004_fill_directorships_from_board_roles",
            "m20261205_000001_repair_directorships_from_board_roles",
        ])
        .await;
    let manager = migration::SchemaManager::new(&connection);
    for step in steps.iter().chain(steps.last()) {
        step.up(&manager)
            .await
            .unwrap_or_else(|e| panic!("{} {e:?}", step.name()));
    }
    let board = app
        .gql(
            "{ board { size directors { person { displayName } organization { name } termStartsOn termEndsOn } } }",
            json!({}),
        )
        .await;
    let date = |d: chrono::NaiveDate| json!(d.to_string());
    let in_years = |from: chrono::NaiveDate, n: u32| {
        date(from.checked_add_months(Months::new(12 * n)).expect("date"))
    };
    let year_ago = today - chrono::Duration::days(365);
    let week_ago = today - chrono::Duration::days(7);
    // Olive's grant is older than a term: her term runs three years from the upgrade, for the
    // one organization she represents. Nick's keeps its start; Mo represents two, so none.
    assert_eq!(
        board.data()["board"],
        json!({ "size": 3, "directors": [
            { "person": { "displayName": "Nick" }, "organization": null, "termStartsOn": date(year_ago), "termEndsOn": in_years(year_ago, 3) },
            { "person": { "displayName": "Mo" }, "organization": null, "termStartsOn": date(week_ago), "termEndsOn": in_years(week_ago, 3) },
            { "person": { "displayName": "Olive" }, "organization": { "name": "Acme" }, "termStartsOn": date(today), "termEndsOn": in_years(today, 3) },
        ] })
    );
    assert_eq!(
        app.gql_as(&olive.access_token, "{ viewer { roles } }", json!({}))
            .await
            .data()["viewer"]["roles"],
        json!(["BOARD"])
    );
}
