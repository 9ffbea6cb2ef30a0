//! Ballots stay uniform: a nominee disqualified mid-vote can still be ranked and is passed over
//! at the count, voters are recorded with the day only, and a cancelled election's ballots are
//! rewritten as a closed one's are.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{foundation, ids, receipt, voting_time_runs_out};

fn key(id: &str) -> uuid::Uuid {
    api::ids::decode(id).expect("an id").1
}

fn midnight(at: chrono::DateTime<chrono::Utc>) -> bool {
    at.time() == chrono::NaiveTime::MIN
}

#[tokio::test]
async fn a_nominee_disqualified_mid_vote_can_still_be_ranked_and_is_passed_over_at_the_count() {
    let f = foundation().await;
    let voters = [
        f.member("Ada").await,
        f.member("Bea").await,
        f.member("Cal").await,
    ];
    let gus = f.member("Gus").await;
    let rob = f.member("Rob").await;
    let election = f.election("GENERAL", 1).await;
    let gus_n = f.candidate(&voters[0], &election, &gus).await;
    let rob_n = f.candidate(&voters[0], &election, &rob).await;
    f.open_voting(&election).await;
    // Ada votes Gus first before he is disqualified...
    receipt(&f.cast(&voters[0], &election, &[&gus_n, &rob_n]).await);
    f.app
        .gql_as(
            &f.committee.access_token,
            "mutation($input: DisqualifyNomineeInput!) { disqualifyNominee(input: $input) { nomination { disqualified } } }",
            json!({ "input": { "nominationId": gus_n, "reason": "Lapsed." } }),
        )
        .await
        .data();
    // ...and Bea and Cal after: their ballots look the same, so none tells when it was cast.
    receipt(&f.cast(&voters[1], &election, &[&gus_n, &rob_n]).await);
    receipt(&f.cast(&voters[2], &election, &[&gus_n]).await);

    // Every vote is in the audit log with its day only, and so is the roll of who voted.
    let voted = entity::prelude::AuditEvent::find()
        .filter(
            entity::audit_event::Column::Action.eq(entity::audit_event::AuditAction::ElectionVoted),
        )
        .all(f.app.db())
        .await
        .expect("the audit log");
    assert_eq!(voted.len(), 3);
    assert!(voted.iter().all(|e| midnight(e.occurred_at)), "{voted:?}");
    let who = entity::prelude::ElectionVoter::find()
        .filter(entity::election_voter::Column::ElectionId.eq(key(&election)))
        .all(f.app.db())
        .await
        .expect("the voters");
    assert!(who.iter().all(|v| midnight(v.voted_at)));

    // At the count Gus is passed over: Ada's and Bea's ballots go to Rob, Cal's is exhausted.
    let closed = f.close(&election).await;
    assert_eq!(ids(&closed["result"]["elected"]), vec![rob_n.clone()]);
    let result = f.result(&election).await;
    let ranked_gus = result["ballots"]
        .as_array()
        .expect("ballots")
        .iter()
        .filter(|b| b["ranking"][0] == json!(gus_n))
        .count();
    assert_eq!(
        ranked_gus, 3,
        "every published ballot still ranks Gus first"
    );
}

#[tokio::test]
async fn a_cancelled_election_s_ballots_are_rewritten_as_a_closed_one_s() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bea = f.member("Bea").await;
    let rob = f.member("Rob").await;
    let election = f.election("GENERAL", 1).await;
    let rob_n = f.candidate(&ada, &election, &rob).await;
    f.open_voting(&election).await;
    receipt(&f.cast(&ada, &election, &[&rob_n]).await);
    receipt(&f.cast(&bea, &election, &[&rob_n]).await);
    let before: Vec<uuid::Uuid> = entity::prelude::ElectionBallot::find()
        .filter(entity::election_ballot::Column::ElectionId.eq(key(&election)))
        .all(f.app.db())
        .await
        .expect("ballots")
        .into_iter()
        .map(|b| b.id)
        .collect();
    voting_time_runs_out(&f.app).await;
    f.app
        .gql_as(
            &f.committee.access_token,
            "mutation($input: CancelElectionInput!) { cancelElection(input: $input) { election { state } } }",
            json!({ "input": { "electionId": election, "reason": "The roll was wrong." } }),
        )
        .await
        .data();
    let after = entity::prelude::ElectionBallot::find()
        .filter(entity::election_ballot::Column::ElectionId.eq(key(&election)))
        .all(f.app.db())
        .await
        .expect("ballots");
    assert_eq!(after.len(), 2);
    assert!(
        after.iter().all(|b| !before.contains(&b.id)),
        "every ballot was written again under a new id"
    );
}
