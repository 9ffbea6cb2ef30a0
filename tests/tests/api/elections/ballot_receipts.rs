//! A voter proves their ballot is in the log: nothing logged while voting runs links a receipt
//! to a voter (the cast's entry says who voted, on which day, never the receipt or the ranking);
//! the close logs one entry with the published ballots, in receipt order, which anyone who may
//! see the election reads and proves included, checked here with RFC 9162's verifier written in
//! the test (`receipts::root_from_inclusion`), not with the server's tree code.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use super::{foundation, receipt, receipt_hash};
use crate::receipts::{ENTRY, INCLUSION, assert_proves};

const BALLOTS_ENTRY: &str = "query($id: ID!) { election(id: $id) { state ballotsAuditEntryId } }";

/// The entry's bytes, as text: nine lines, the summary's JSON last.
fn leaf_text(entry: &Value) -> String {
    String::from_utf8(
        STANDARD
            .decode(entry["leaf"].as_str().expect("leaf"))
            .expect("base64"),
    )
    .expect("UTF-8")
}

#[tokio::test]
async fn a_voter_finds_their_receipt_in_the_closed_election_s_entry_and_proves_it_in_the_log() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let nomination = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;
    let receipts = [
        receipt(&f.cast(&ada, &election, &[&nomination]).await),
        receipt(&f.cast(&bob, &election, &[&nomination]).await),
    ];
    f.app.sealed().await;

    // While voting runs: no close entry yet, and the casts' entries hold neither a receipt nor
    // its hash nor a ranking, and only the day.
    let before = f.app.gql(BALLOTS_ENTRY, json!({ "id": election })).await;
    assert_eq!(
        before.data()["election"]["ballotsAuditEntryId"],
        Value::Null
    );
    let logged = f
        .app
        .gql_as(
            &f.admin.access_token,
            "query($id: ID) { auditEvents(subjectId: $id, first: 100) { nodes { action leaf occurredAt } } }",
            json!({ "id": election }),
        )
        .await;
    let casts: Vec<Value> = logged.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["action"] == json!("election.voted"))
        .cloned()
        .collect();
    assert_eq!(casts.len(), 2);
    for cast in &casts {
        let text = leaf_text(cast);
        for receipt in &receipts {
            assert!(!text.contains(receipt.as_str()), "{text}");
            assert!(!text.contains(&receipt_hash(receipt)), "{text}");
        }
        assert!(!text.contains(&nomination), "no ranking: {text}");
        let at = text.lines().nth(2).expect("the time line");
        assert!(at.ends_with("T00:00:00.000000Z"), "the day only: {at}");
    }

    f.close(&election).await;
    f.app.sealed().await;

    // Anyone who may see the election reads the close's entry and its proof.
    let closed = f.app.gql(BALLOTS_ENTRY, json!({ "id": election })).await;
    let entry_id = closed.data()["election"]["ballotsAuditEntryId"]
        .as_str()
        .expect("the close's entry")
        .to_owned();
    let entry = f.app.gql(ENTRY, json!({ "id": entry_id })).await;
    let entry = entry.data()["node"].clone();
    assert_eq!(entry["action"], json!("election.closed"));
    let proof = f.app.gql(INCLUSION, json!({ "id": entry_id })).await;
    assert_proves(
        &f.app,
        entry["leaf"].as_str().expect("leaf"),
        &proof.data()["auditInclusionProof"],
    )
    .await;

    // The voter finds their receipt's hash among the published ballots in the entry's bytes,
    // with their ranking; the ballots are in receipt-hash order.
    let text = leaf_text(&entry);
    let summary: Value =
        serde_json::from_str(text.lines().last().expect("the summary line")).expect("JSON");
    let ballots = summary["ballots"]
        .as_array()
        .expect("the published ballots");
    assert_eq!(ballots.len(), 2);
    let hashes: Vec<&str> = ballots
        .iter()
        .map(|b| b["receipt"].as_str().expect("a receipt hash"))
        .collect();
    let mut sorted = hashes.clone();
    sorted.sort_unstable();
    assert_eq!(hashes, sorted);
    for receipt in &receipts {
        let mine = ballots
            .iter()
            .find(|b| b["receipt"] == json!(receipt_hash(receipt)))
            .expect("my ballot is in the close's entry");
        assert_eq!(mine["ranking"], json!([nomination]));
        assert!(
            !text.contains(receipt.as_str()),
            "the receipt itself stays secret"
        );
    }
    // The same ballots the result publishes.
    let result = f.result(&election).await;
    let published: Vec<&str> = result["ballots"]
        .as_array()
        .expect("ballots")
        .iter()
        .map(|b| b["receipt"].as_str().expect("receipt"))
        .collect();
    assert_eq!(published, hashes);
}
