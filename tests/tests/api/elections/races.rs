//! Races: one ballot per roll entry however many arrive at once, and a ballot racing the close
//! either counts or gets CONFLICT, never half.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use super::{foundation, ids};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_ballots_by_one_voter_store_exactly_one() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;
    let attempts = (0..20).map(|i| {
        let ranking = if i % 2 == 0 {
            [&bob_n, &cy_n]
        } else {
            [&cy_n, &bob_n]
        };
        let ranking: Vec<&str> = ranking.iter().map(|s| s.as_str()).collect();
        let f = &f;
        let ada = &ada;
        let election = &election;
        async move { f.cast(ada, election, &ranking).await }
    });
    let outcomes = join_all(attempts).await;
    let accepted = outcomes.iter().filter(|o| o.errors().is_empty()).count();
    assert_eq!(accepted, 1);
    for refused in outcomes.iter().filter(|o| !o.errors().is_empty()) {
        assert_eq!(refused.error_code(), "CONFLICT", "{:#}", refused.body);
    }
    f.close(&election).await;
    let result = f.result(&election).await;
    assert_eq!(result["ballots"].as_array().map(Vec::len), Some(1));
    let turnout = f
        .app
        .gql(
            "query($id: ID!) { election(id: $id) { turnout { voted rollSize } } }",
            json!({ "id": election }),
        )
        .await;
    assert_eq!(
        turnout.data()["election"]["turnout"],
        json!({ "voted": 1, "rollSize": 3 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ballot_racing_the_close_counts_or_gets_conflict() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let mut voters = vec![ada.clone(), bob.clone()];
    for i in 0..6 {
        voters.push(f.member(&format!("Voter {i}")).await);
    }
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    f.open_voting(&election).await;
    // Voting closes in 600 ms; ballots arrive every 120 ms, and the committee presses close
    // every 40 ms until it goes through.
    let key = api::ids::decode(&election).expect("id").1;
    entity::prelude::Election::update_many()
        .col_expr(
            entity::election::Column::VotingClosesAt,
            Expr::value(chrono::Utc::now() + chrono::Duration::milliseconds(600)),
        )
        .filter(entity::election::Column::Id.eq(key))
        .exec(f.app.db())
        .await
        .expect("move the close");
    let casts = voters.iter().enumerate().map(|(i, voter)| {
        let f = &f;
        let election = &election;
        let bob_n = &bob_n;
        async move {
            tokio::time::sleep(Duration::from_millis(120 * i as u64)).await;
            f.cast(voter, election, &[bob_n]).await
        }
    });
    let close = async {
        loop {
            let attempt = f.step("closeElection", &election).await;
            if attempt.errors().is_empty() {
                return attempt;
            }
            assert_eq!(attempt.error_code(), "CONFLICT");
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    };
    let (outcomes, closed) = tokio::join!(join_all(casts), close);
    assert_eq!(
        closed.data()["closeElection"]["election"]["state"],
        json!("CLOSED")
    );
    let counted = outcomes.iter().filter(|o| o.errors().is_empty()).count();
    for refused in outcomes.iter().filter(|o| !o.errors().is_empty()) {
        assert_eq!(refused.error_code(), "CONFLICT", "{:#}", refused.body);
    }
    // Every ballot accepted was counted, and none other: the published ballots, the turnout
    // and the first round's votes agree.
    let result = f.result(&election).await;
    assert_eq!(result["ballots"].as_array().map(Vec::len), Some(counted));
    assert_eq!(
        result["rounds"][0]["tallies"][0]["votes"],
        json!(format!("{counted}.000000000"))
    );
    if counted > 0 {
        assert_eq!(ids(&result["elected"]), vec![bob_n.clone()]);
    }
}
