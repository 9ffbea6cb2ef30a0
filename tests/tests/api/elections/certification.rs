//! What the board's rules ask of an election beyond the count: certification checks them again
//! against the board as it is then, there is one Community Director seat, a person holds one
//! directorship at a time, and the organization rule counts every organization a nominee works
//! for or represents, frozen when voting opens.

use chrono::{Duration, Months, Utc};
use entity::directorship::SeatKind;
use serde_json::json;
use tests::factories::{
    add_representative, an_account, an_organization, remove_representative, seat_director,
    seat_director_as,
};

use super::{CREATE, foundation, ids};

fn key(id: &str) -> uuid::Uuid {
    api::ids::decode(id).expect("an id").1
}

/// Asserts that `response` is a `CONFLICT` whose message names `rule`.
fn refused_by(response: &tests::Gql, rule: &str) {
    assert_eq!(response.error_code(), "CONFLICT");
    assert!(
        response.error_message().contains(rule),
        "{}",
        response.error_message()
    );
}

const BOARD: &str = "{ board { size directors { person { displayName } kind } } }";

#[tokio::test]
async fn certification_refuses_a_winner_whose_organization_gained_a_director_meanwhile() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let acme = an_organization(app, &bob, "Acme").await;
    let (election, _) = f.won_by("GENERAL", &ada, &bob).await;
    // After the count, the operator seats another of Acme's people.
    let sam = an_account().named("Sam").create(app).await;
    seat_director(app, sam.id, Some(key(&acme))).await;
    let refused = f.step("certifyElection", &election).await;
    refused_by(&refused, "organization rule");
    // Nothing was seated and the election waits, closed.
    let board = app.gql(BOARD, json!({})).await;
    assert_eq!(board.data()["board"]["size"], json!(1));
    let state = app
        .gql(
            "query($id: ID!) { election(id: $id) { state } }",
            json!({ "id": election }),
        )
        .await;
    assert_eq!(state.data()["election"]["state"], json!("CLOSED"));
}

#[tokio::test]
async fn certification_refuses_a_winner_who_joined_a_directors_organization_after_the_close() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let sam = f.member("Sam").await;
    let acme = an_organization(app, &sam, "Acme").await;
    seat_director(app, key(&sam.id), Some(key(&acme))).await;
    let (election, _) = f.won_by("GENERAL", &ada, &bob).await;
    // Bob had no organization when voting opened; after the close he joins Sam's.
    add_representative(app, &sam, &acme, &bob).await;
    let refused = f.step("certifyElection", &election).await;
    refused_by(&refused, "organization rule");
    assert_eq!(
        app.gql(BOARD, json!({})).await.data()["board"]["size"],
        json!(1)
    );
    // Once he leaves Acme again, the organizations frozen at voting and the current ones are
    // both clear, and he is seated.
    remove_representative(app, &sam, &acme, &bob).await;
    assert_eq!(
        f.step("certifyElection", &election).await.data()["certifyElection"]["election"]["state"],
        json!("CERTIFIED")
    );
}

#[tokio::test]
async fn certification_never_grows_the_board_past_its_maximum() {
    let f = foundation().await;
    let app = &f.app;
    f.set_policy("boardMinimumSize: 1, boardMaximumSize: 2")
        .await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let (election, _) = f.won_by("GENERAL", &ada, &bob).await;
    // Dan holds two seats: the board counts him once, so Bob fits.
    let dan = an_account().named("Dan").create(app).await;
    seat_director(app, dan.id, None).await;
    seat_director(app, dan.id, None).await;
    assert_eq!(
        app.gql(BOARD, json!({})).await.data()["board"]["size"],
        json!(1)
    );
    // Then Eve is seated, and the board is full.
    let eve = an_account().named("Eve").create(app).await;
    seat_director(app, eve.id, None).await;
    let refused = f.step("certifyElection", &election).await;
    refused_by(&refused, "maximum size");
    assert_eq!(
        app.gql(BOARD, json!({})).await.data()["board"]["size"],
        json!(2)
    );
}

#[tokio::test]
async fn there_is_one_community_director_seat() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let (election, _) = f.won_by("COMMUNITY", &ada, &bob).await;
    // Meanwhile the operator seats Carla as Community Director: Bob cannot take the seat too.
    let carla = an_account().named("Carla").create(app).await;
    let today = Utc::now().date_naive();
    let seat = seat_director_as(app, carla.id, SeatKind::Community, None, today).await;
    let refused = f.step("certifyElection", &election).await;
    refused_by(&refused, "Community Director seat");
    // A Community Director election whose winner would start while Carla's term runs is refused.
    let now = Utc::now();
    let input = |closes: chrono::DateTime<Utc>| {
        json!({ "input": {
            "title": "Community Director", "kind": "COMMUNITY", "seats": 1,
            "nominationsCloseAt": (now + Duration::hours(1)).to_rfc3339(),
            "votingOpensAt": (now + Duration::hours(1)).to_rfc3339(),
            "votingClosesAt": closes.to_rfc3339(),
        } })
    };
    let early = app
        .gql_as(
            &f.committee.access_token,
            CREATE,
            input(now + Duration::hours(2)),
        )
        .await;
    assert_eq!(early.error_code(), "BAD_USER_INPUT");
    assert_eq!(early.error_field(), "input.votingClosesAt");
    // One closing when her term ends is fine, and while it runs no other may start.
    let at_the_end = seat
        .term_ends_on
        .and_hms_opt(12, 0, 0)
        .expect("a time")
        .and_utc();
    app.gql_as(&f.committee.access_token, CREATE, input(at_the_end))
        .await
        .data();
    let second = app
        .gql_as(&f.committee.access_token, CREATE, input(at_the_end))
        .await;
    assert_eq!(second.error_code(), "CONFLICT");
}

#[tokio::test]
async fn two_community_director_elections_created_at_once_make_one() {
    let f = foundation().await;
    let now = Utc::now();
    let input = json!({ "input": {
        "title": "Community Director", "kind": "COMMUNITY", "seats": 1,
        "nominationsCloseAt": (now + Duration::hours(1)).to_rfc3339(),
        "votingOpensAt": (now + Duration::hours(1)).to_rfc3339(),
        "votingClosesAt": (now + Duration::hours(2)).to_rfc3339(),
    } });
    let token = &f.committee.access_token;
    let (one, two) = tokio::join!(
        f.app.gql_as(token, CREATE, input.clone()),
        f.app.gql_as(token, CREATE, input.clone())
    );
    let mut codes: Vec<String> = [one, two]
        .iter()
        .map(|r| {
            if r.errors().is_empty() {
                "OK".to_owned()
            } else {
                r.error_code().to_owned()
            }
        })
        .collect();
    codes.sort();
    assert_eq!(codes, ["CONFLICT", "OK"]);
}

#[tokio::test]
async fn a_person_holds_one_directorship_at_a_time() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let dan = f.member("Dan").await;
    let olga = f.member("Olga").await;
    // Dan's term runs two more years; Olga's ends today.
    let today = Utc::now().date_naive();
    let years_ago = |n: u32| today.checked_sub_months(Months::new(12 * n)).expect("date");
    seat_director(app, key(&dan.id), None).await;
    tests::factories::seat_director_from(app, key(&olga.id), None, years_ago(3)).await;
    let election = f.election("GENERAL", 2).await;
    let dan_n = f.candidate(&ada, &election, &dan).await;
    let olga_n = f.candidate(&ada, &election, &olga).await;
    let dan_seen = f.nominee(&election, &dan_n).await;
    assert_eq!(dan_seen["eligible"], json!(false));
    assert_eq!(
        dan_seen["eligibility"]["reason"],
        json!("HOLDS_DIRECTORSHIP")
    );
    assert_eq!(f.nominee(&election, &olga_n).await["eligible"], json!(true));
    // A winner seated by other means before the certification is not seated twice.
    let bob = f.member("Bob").await;
    let (won, _) = f.won_by("GENERAL", &ada, &bob).await;
    seat_director(app, key(&bob.id), None).await;
    let refused = f.step("certifyElection", &won).await;
    refused_by(&refused, "directorship at a time");
}

#[tokio::test]
async fn the_organization_rule_counts_every_organization_a_nominee_represents_as_voting_opened() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let dee = f.member("Dee").await;
    let sam = f.member("Sam").await;
    // Bob runs for Acme. Cy runs for Globex, but represents Acme as well.
    let acme = an_organization(app, &bob, "Acme").await;
    let globex = an_organization(app, &cy, "Globex").await;
    add_representative(app, &bob, &acme, &cy).await;
    let election = f.election("GENERAL", 2).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.nominated(&ada, &election, &cy).await;
    f.respond(
        &cy,
        &cy_n,
        json!({ "accept": true, "organizationId": globex }),
    )
    .await
    .data();
    let ada_n = f.candidate(&bob, &election, &ada).await;
    assert_eq!(
        f.nominee(&election, &cy_n).await["organization"]["name"],
        json!("Globex")
    );
    f.open_voting(&election).await;
    // Once voting opened, Cy stops representing Acme: the count keeps what held then.
    remove_representative(app, &bob, &acme, &cy).await;
    let result = f
        .bob_and_cy_lead(
            &election,
            [&bob_n, &cy_n, &ada_n],
            [&ada, &bob, &dee],
            &cy,
            &sam,
        )
        .await;
    // Acme's Bob is elected, so Cy (Acme's too) is excluded and Ada takes the second seat.
    assert_eq!(ids(&result["elected"]), vec![bob_n, ada_n]);
    assert_eq!(result["rounds"][0]["excludedIds"], json!([cy_n]));
    f.step("certifyElection", &election).await.data();
}

#[tokio::test]
async fn two_certifications_at_once_never_both_fill_the_last_seat() {
    let f = foundation().await;
    let app = &f.app;
    f.set_policy("boardMinimumSize: 1, boardMaximumSize: 1")
        .await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let (first, _) = f.won_by("GENERAL", &ada, &bob).await;
    let (second, _) = f.won_by("GENERAL", &ada, &cy).await;
    let (one, two) = tokio::join!(
        f.step("certifyElection", &first),
        f.step("certifyElection", &second)
    );
    let refused: Vec<_> = [one, two]
        .into_iter()
        .filter(|r| !r.errors().is_empty())
        .collect();
    assert_eq!(refused.len(), 1);
    refused_by(&refused[0], "maximum size");
    assert_eq!(
        app.gql(BOARD, json!({})).await.data()["board"]["size"],
        json!(1)
    );
}
