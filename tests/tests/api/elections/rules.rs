//! The rules an election enforces: the Community Director seat, the influence cap on ballot
//! weights, the organization rule in nominations and in the count, the term limit, and the
//! turnout extension.

use api::auth::Role;
use serde_json::{Value, json};
use tests::factories::{
    a_gold_sponsor, a_person_with, add_representative, an_organization, seat_director,
    seat_director_from,
};

use super::{foundation, ids, receipt, receipt_hash, recount};

fn key(id: &str) -> uuid::Uuid {
    api::ids::decode(id).expect("an id").1
}

#[tokio::test]
async fn a_community_director_election_refuses_a_sponsor_s_ballot() {
    let f = foundation().await;
    let app = &f.app;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let sponsor = a_gold_sponsor(app, &treasurer, "Acme").await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let election = f.election("COMMUNITY", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    // Only Contributor and Mirror members are on the roll: the sponsor is not.
    assert_eq!(f.open_voting(&election).await, 2);
    let refused = f.cast(&sponsor, &election, &[&bob_n]).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let cast = f.cast(&ada, &election, &[&bob_n]).await;
    receipt(&cast);
    let closed = f.close(&election).await;
    assert_eq!(closed["state"], json!("CLOSED"));
    let result = f.result(&election).await;
    assert_eq!(ids(&result["elected"]), vec![bob_n]);
    assert_eq!(result["ballots"][0]["weight"], json!("1.000000000"));
    // The seat is the Community Director's.
    f.step("certifyElection", &election).await.data();
    let board = app
        .gql(
            "{ board { directors { kind person { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        board.data()["board"]["directors"],
        json!([{ "kind": "COMMUNITY", "person": { "displayName": "Bob" } }])
    );
}

#[tokio::test]
async fn the_influence_cap_scales_sponsor_ballots_and_shows_its_factors() {
    let f = foundation().await;
    let app = &f.app;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let sponsor = a_gold_sponsor(app, &treasurer, "Acme").await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    assert_eq!(f.open_voting(&election).await, 4);
    // On the roll: Gold 15 against 3 non-paying; the cap of 0.49 scales every sponsor weight by
    // 0.49 × 3 / (15 × 0.51).
    let roll_scale = 0.49 * 3.0 / (15.0 * 0.51);
    let read = app
        .gql(
            "query($id: ID!) { election(id: $id) { sponsorScale } }",
            json!({ "id": election }),
        )
        .await;
    let shown = read.data()["election"]["sponsorScale"]
        .as_f64()
        .expect("a factor");
    assert!((shown - roll_scale).abs() < 1e-12, "{shown}");
    // The audit entry that opened the voting lists the roll whole, for a recount from the log.
    let log = app
        .gql_as(
            &f.admin.access_token,
            "query($id: ID) { auditEvents(subjectId: $id, first: 50) { nodes { action summary } } }",
            json!({ "id": election }),
        )
        .await;
    let opened = log.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["action"] == "election.voting_opened")
        .expect("the opening entry")["summary"]
        .clone();
    let roll = opened["roll"].as_array().expect("the roll");
    assert_eq!(roll.len(), 4);
    let weights: Vec<(i64, bool)> = roll
        .iter()
        .map(|e| {
            assert!(
                e["entry"]
                    .as_str()
                    .is_some_and(|k| k.parse::<uuid::Uuid>().is_ok())
            );
            assert!(
                e["membership"]
                    .as_str()
                    .is_some_and(|k| k.parse::<uuid::Uuid>().is_ok())
            );
            (
                e["weight"].as_i64().expect("a weight"),
                e["sponsor"].as_bool().expect("a flag"),
            )
        })
        .collect();
    assert_eq!(weights.iter().filter(|(_, sponsor)| *sponsor).count(), 1);
    assert_eq!(weights.iter().map(|(w, _)| w).sum::<i64>(), 18);
    assert_eq!(opened["rules"]["rollSize"], json!(4));
    // The sponsor and one member vote: among the ballots cast, the sponsor holds at most 49%.
    let sponsor_cast = f.cast(&sponsor, &election, &[&cy_n]).await;
    let ada_cast = f.cast(&ada, &election, &[&bob_n]).await;
    f.close(&election).await;
    let result = f.result(&election).await;
    let cast_scale = result["castSponsorScale"].as_f64().expect("a factor");
    let expected_cast = 0.49 * 1.0 / (15.0 * roll_scale * 0.51);
    assert!((cast_scale - expected_cast).abs() < 1e-12, "{cast_scale}");
    let ballots = result["ballots"].as_array().expect("ballots");
    let weight_of = |receipt: &str| {
        ballots
            .iter()
            .find(|b| b["receipt"] == json!(receipt_hash(receipt)))
            .and_then(|b| b["weight"].as_str())
            .expect("the ballot")
            .parse::<f64>()
            .expect("a decimal")
    };
    let sponsor_weight = weight_of(&receipt(&sponsor_cast));
    assert_eq!(weight_of(&receipt(&ada_cast)), 1.0);
    let share = sponsor_weight / (sponsor_weight + 1.0);
    assert!(
        (share - 0.49).abs() < 1e-6,
        "the sponsor holds {share} of the weight cast"
    );
    // So Bob, with the member's ballot, beats the sponsor's Cy.
    assert_eq!(ids(&result["elected"]), vec![bob_n]);
    let blt = result["blt"].as_str().expect("blt");
    assert_eq!(recount(blt), ids(&result["elected"]));
    // The BLT holds whole weights only, in a unit its title line states: what every STV
    // program reads.
    let lines: Vec<&str> = blt
        .lines()
        .filter(|line| !line.starts_with(['#', '[', '-']))
        .collect();
    for ballot in &lines[1..3] {
        let weight = ballot.split_whitespace().next().expect("a weight");
        assert!(weight.parse::<u64>().is_ok(), "{blt}");
    }
    assert!(
        lines
            .last()
            .is_some_and(|title| title.contains(" [weights in units of ")),
        "{blt}"
    );
}

#[tokio::test]
async fn one_organization_never_holds_two_seats() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let dee = f.member("Dee").await;
    // Bob and Cy both represent Acme; Dee represents Initech, which already has a director
    // whose term continues.
    let acme = an_organization(app, &bob, "Acme").await;
    add_representative(app, &bob, &acme, &cy).await;
    let initech = an_organization(app, &dee, "Initech").await;
    let sitting = f.member("Sam").await;
    seat_director(app, key(&sitting.id), Some(key(&initech))).await;

    let election = f.election("GENERAL", 2).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    let ada_n = f.candidate(&bob, &election, &ada).await;
    let dee_n = f.candidate(&ada, &election, &dee).await;
    assert_eq!(
        f.nominee(&election, &bob_n).await["organization"]["name"],
        json!("Acme")
    );
    let dee_seen = f.nominee(&election, &dee_n).await;
    assert_eq!(dee_seen["eligible"], json!(false));
    assert_eq!(
        dee_seen["eligibility"]["reason"],
        json!("ORGANIZATION_HOLDS_SEAT")
    );
    assert_eq!(f.nominee(&election, &cy_n).await["eligible"], json!(true));

    f.open_voting(&election).await;
    // Acme's two nominees lead; when Bob is elected, Cy is excluded and Ada takes the second
    // seat.
    let result = f
        .bob_and_cy_lead(
            &election,
            [&bob_n, &cy_n, &ada_n],
            [&ada, &bob, &dee],
            &cy,
            &sitting,
        )
        .await;
    assert_eq!(ids(&result["elected"]), vec![bob_n, ada_n]);
    assert_eq!(result["rounds"][0]["excludedIds"], json!([cy_n]));
    let excluded = result["rounds"][0]["tallies"]
        .as_array()
        .expect("tallies")
        .iter()
        .find(|t| t["nominationId"] == json!(cy_n))
        .map(|t| t["status"].clone());
    assert_eq!(excluded, Some(json!("EXCLUDED")));
}

#[tokio::test]
async fn a_director_sits_out_a_year_after_two_consecutive_terms() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let twice = f.member("Tara").await;
    let rested = f.member("Rita").await;
    let once = f.member("Olga").await;
    let today = chrono::Utc::now().date_naive();
    let years_ago = |n: u32| {
        today
            .checked_sub_months(chrono::Months::new(12 * n))
            .expect("date")
    };
    // Tara served two terms back to back, the second ending today.
    seat_director_from(app, key(&twice.id), None, years_ago(6)).await;
    seat_director_from(app, key(&twice.id), None, years_ago(3)).await;
    // Rita served two, then sat out two years.
    seat_director_from(app, key(&rested.id), None, years_ago(8)).await;
    seat_director_from(app, key(&rested.id), None, years_ago(5)).await;
    // Olga served one term, ending today.
    seat_director_from(app, key(&once.id), None, years_ago(3)).await;
    let election = f.election("GENERAL", 3).await;
    let tara_n = f.candidate(&ada, &election, &twice).await;
    let rita_n = f.candidate(&ada, &election, &rested).await;
    let olga_n = f.candidate(&ada, &election, &once).await;
    let tara_seen = f.nominee(&election, &tara_n).await;
    assert_eq!(tara_seen["eligibility"]["reason"], json!("TERM_LIMIT"));
    assert!(
        tara_seen["eligibility"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("2 consecutive terms")),
        "{tara_seen}"
    );
    assert_eq!(f.nominee(&election, &rita_n).await["eligible"], json!(true));
    assert_eq!(f.nominee(&election, &olga_n).await["eligible"], json!(true));
    // Tara sees her own standing before anyone nominates her again.
    let mine = app
        .gql_as(
            &twice.access_token,
            "query($id: ID!) { election(id: $id) { viewerStanding { eligible reason } viewerNominations { id } } }",
            json!({ "id": election }),
        )
        .await;
    assert_eq!(
        mine.data()["election"],
        json!({ "viewerStanding": { "eligible": false, "reason": "TERM_LIMIT" }, "viewerNominations": [{ "id": tara_n }] })
    );
    // She is left off the ballot when voting opens.
    f.open_voting(&election).await;
    assert_eq!(
        f.cast(&ada, &election, &[&tara_n]).await.error_field(),
        "input.ranking"
    );
}

#[tokio::test]
async fn low_turnout_extends_voting_as_the_policy_says() {
    let f = foundation().await;
    f.set_policy("electionTurnoutExtension: { threshold: 0.5, days: 3, maxTimes: 1 }")
        .await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    f.open_voting(&election).await;
    f.cast(&ada, &election, &[&bob_n]).await.data();
    // One of three voted: the planned close extends voting once, by three days.
    let extended = f.close(&election).await;
    assert_eq!(extended["state"], json!("VOTING"));
    assert_eq!(extended["extensions"], json!(1));
    assert!(f.cast(&bob, &election, &[&bob_n]).await.errors().is_empty());
    // At most once: the next close counts.
    let closed = f.close(&election).await;
    assert_eq!(closed["state"], json!("CLOSED"));
    assert_eq!(ids(&closed["result"]["elected"]), vec![bob_n]);
}

#[tokio::test]
async fn a_member_who_asked_not_to_be_listed_runs_only_by_agreeing_to_be_named() {
    use tests::factories::{a_person, apply, review};
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let quiet = a_person(app, "Quentin").await;
    let application = apply(
        app,
        &quiet,
        json!({ "class": "CONTRIBUTOR", "statement": "I translate the docs.", "disclose": false }),
    )
    .await;
    review(app, &f.membership, &application, "APPROVE", None)
        .await
        .data();
    let election = f.election("GENERAL", 1).await;
    let id = f.nominated(&ada, &election, &quiet).await;
    // Until Quentin accepts, the public does not see the nomination.
    let read = "query($id: ID!) { election(id: $id) { nominees { id nominee { displayName } } } }";
    assert_eq!(
        app.gql(read, json!({ "id": election })).await.data()["election"]["nominees"],
        json!([])
    );
    let refused = f.respond(&quiet, &id, json!({ "accept": true })).await;
    assert_eq!(refused.error_field(), "input.agreeToBeNamed");
    f.respond(
        &quiet,
        &id,
        json!({ "accept": true, "agreeToBeNamed": true }),
    )
    .await
    .data();
    assert_eq!(
        app.gql(read, json!({ "id": election })).await.data()["election"]["nominees"],
        json!([{ "id": id, "nominee": { "displayName": "Quentin" } }])
    );
}

#[tokio::test]
async fn the_last_nominee_on_the_ballot_cannot_be_disqualified() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;
    f.cast(&ada, &election, &[&bob_n, &cy_n]).await.data();
    let disqualify = "mutation($input: DisqualifyNomineeInput!) { disqualifyNominee(input: $input) { nomination { disqualified } } }";
    let out = |id: &str| json!({ "input": { "nominationId": id, "reason": "Withdrew." } });
    f.app
        .gql_as(&f.committee.access_token, disqualify, out(&bob_n))
        .await
        .data();
    // Cy is the last one standing: disqualifying her would leave nothing to count.
    let last = f
        .app
        .gql_as(&f.committee.access_token, disqualify, out(&cy_n))
        .await;
    assert_eq!(last.error_code(), "CONFLICT");
    // So the close counts, and Cy wins with Ada's transferred vote.
    let closed = f.close(&election).await;
    assert_eq!(closed["state"], json!("CLOSED"));
    assert_eq!(ids(&closed["result"]["elected"]), vec![cy_n]);
}

#[tokio::test]
async fn a_pending_nomination_and_why_a_nominee_is_ineligible_are_not_everyone_s_business() {
    use tests::factories::a_contributor;
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let (eve, _) = a_contributor(app, "Eve", &f.membership).await;
    f.set_policy("nomineeStandingMonths: 3").await;
    let election = f.election("GENERAL", 1).await;
    let pending = f.nominate(&ada, &election, &bob).await;
    let bob_n = pending.data()["nominate"]["nomination"]["id"].clone();
    let eve_n = f.candidate(&ada, &election, &eve).await;
    let read = "query($id: ID!) { election(id: $id) { nominees { id eligible eligibility { eligible reason message } } } }";
    let election = &election;
    let as_who = |token: Option<&str>| {
        let token = token.map(str::to_owned);
        async move {
            let got = match token {
                Some(t) => app.gql_as(&t, read, json!({ "id": election })).await,
                None => app.gql(read, json!({ "id": election })).await,
            };
            got.data()["election"]["nominees"].clone()
        }
    };
    let listed = |list: &Value, id: &Value| {
        list.as_array()
            .and_then(|l| l.iter().find(|n| &n["id"] == id).cloned())
    };
    // Bob has not answered: the election committee, Bob and Ada see it; another committee, a
    // member and the public do not.
    for token in [
        &f.committee.access_token,
        &bob.access_token,
        &ada.access_token,
    ] {
        assert!(listed(&as_who(Some(token)).await, &bob_n).is_some());
    }
    for token in [
        Some(f.membership.access_token.as_str()),
        Some(eve.access_token.as_str()),
        None,
    ] {
        assert!(listed(&as_who(token).await, &bob_n).is_none());
    }
    // Eve is too new to stand: she and the election committee read why; others only that she
    // may not.
    let eve_id = json!(eve_n);
    for token in [&f.committee.access_token, &eve.access_token] {
        let seen = listed(&as_who(Some(token)).await, &eve_id).expect("Eve is listed");
        assert_eq!(seen["eligibility"]["reason"], json!("STANDING"));
    }
    for token in [
        Some(f.membership.access_token.as_str()),
        Some(ada.access_token.as_str()),
        None,
    ] {
        let seen = listed(&as_who(token).await, &eve_id).expect("Eve is listed");
        assert_eq!(
            seen["eligibility"],
            json!({ "eligible": false, "reason": null, "message": null })
        );
    }
}
