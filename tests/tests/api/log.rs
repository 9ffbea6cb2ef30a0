//! The audit log as a Merkle tree log: every committed entry sealed into a signed C2SP
//! checkpoint, its bytes readable by whoever may read the entry, inclusion proofs for them,
//! consistency proofs for anyone. The checks below recompute the tree from the entries' bytes
//! with RFC 9162's recursive definition, written here apart from the server's stored nodes.

use api::{
    auth::Role,
    log::{
        note::{Checkpoint, parse_verifier_key},
        tree::{Hash, verify_consistency, verify_inclusion},
    },
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::{
    TestApp,
    factories::{a_person, a_person_with},
};

const EVENTS: &str = "query($subject: ID) { auditEvents(subjectId: $subject, first: 100) { nodes { id action leaf leafIndex subjectId } } }";
const INCLUSION: &str = "query($id: ID!, $size: Int) { auditInclusionProof(entryId: $id, treeSize: $size) { leafIndex treeSize hashes checkpoint } }";
const CONSISTENCY: &str = "query($from: Int!, $to: Int!) { auditConsistencyProof(fromSize: $from, toSize: $to) { fromSize toSize hashes } }";
const CHECKPOINT: &str = "{ auditCheckpoint { size rootHash note } }";

/// RFC 9162 section 2.1.1, as written there.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = 1 << (usize::BITS - 1 - (n - 1).leading_zeros());
            let mut hasher = Sha256::new();
            hasher.update([1]);
            hasher.update(mth(&leaves[..k]));
            hasher.update(mth(&leaves[k..]));
            hasher.finalize().into()
        }
    }
}

fn leaf_of(base64: &str) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0]);
    hasher.update(STANDARD.decode(base64).expect("base64 leaf"));
    hasher.finalize().into()
}

fn hashes(list: &Value) -> Vec<Hash> {
    list.as_array()
        .expect("hashes")
        .iter()
        .map(|h| {
            STANDARD
                .decode(h.as_str().expect("a string"))
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect()
}

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(path).send().await;
    let status = response.0.status().as_u16();
    (
        status,
        response.0.into_body().into_string().await.expect("text"),
    )
}

/// The served checkpoint, checked against the served verifier key.
async fn checkpoint(app: &TestApp) -> (Checkpoint, String) {
    let (status, key) = text(app, "/log/key").await;
    assert_eq!(status, 200);
    let verifier = parse_verifier_key(&key).expect("a verifier key");
    let (status, note) = text(app, "/log/checkpoint").await;
    assert_eq!(status, 200, "{note}");
    let (checkpoint, _) = Checkpoint::open(&note, &verifier).expect("a signed checkpoint");
    (checkpoint, note)
}

/// Every entry's leaf, in leaf order, as ADMIN reads them.
async fn leaves(app: &TestApp, admin: &str) -> Vec<(String, Hash)> {
    let events = app.gql_as(admin, EVENTS, json!({})).await;
    let mut nodes: Vec<Value> = events.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    nodes.sort_by_key(|n| n["leafIndex"].as_i64().expect("sealed"));
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            assert_eq!(n["leafIndex"], json!(i));
            (
                n["id"].as_str().expect("id").to_owned(),
                leaf_of(n["leaf"].as_str().expect("leaf")),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_committed_entry_is_sealed_into_a_signed_checkpoint_of_its_bytes() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    a_person(&app, "Ada").await;
    a_person(&app, "Grace").await;
    app.sealed().await;

    let (checkpoint, note) = checkpoint(&app).await;
    let leaves = leaves(&app, &admin.access_token).await;
    assert_eq!(checkpoint.size, leaves.len() as u64);
    assert_eq!(checkpoint.size, 4);
    let hashes: Vec<Hash> = leaves.iter().map(|(_, h)| *h).collect();
    assert_eq!(checkpoint.root, mth(&hashes));
    assert_eq!(
        checkpoint.origin, "127.0.0.1:8000/audit",
        "the default origin is the public host and /audit"
    );

    // GraphQL serves the same checkpoint, to anyone.
    let graphql = app.gql(CHECKPOINT, json!({})).await;
    let served = &graphql.data()["auditCheckpoint"];
    assert_eq!(served["size"], json!(4));
    assert_eq!(served["rootHash"], json!(STANDARD.encode(checkpoint.root)));
    assert_eq!(served["note"], json!(note));
}

#[tokio::test]
async fn an_entry_s_inclusion_proof_is_for_whoever_may_read_the_entry() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    a_person(&app, "Alan").await;
    app.sealed().await;

    let own = app
        .gql_as(&ada.access_token, EVENTS, json!({ "subject": ada.id }))
        .await;
    let entry = own.data()["auditEvents"]["nodes"][0].clone();
    let leaf = leaf_of(entry["leaf"].as_str().expect("leaf"));
    let id = entry["id"].as_str().expect("id");

    let proof = app
        .gql_as(&ada.access_token, INCLUSION, json!({ "id": id }))
        .await;
    let proof = &proof.data()["auditInclusionProof"];
    let verifier = parse_verifier_key(&text(&app, "/log/key").await.1).expect("key");
    let (checkpoint, _) =
        Checkpoint::open(proof["checkpoint"].as_str().expect("note"), &verifier).expect("signed");
    assert_eq!(proof["treeSize"], json!(checkpoint.size));
    let index = proof["leafIndex"].as_u64().expect("index");
    verify_inclusion(
        &leaf,
        index,
        checkpoint.size,
        &hashes(&proof["hashes"]),
        &checkpoint.root,
    )
    .expect("the proof leads to the signed root");
    // A forged entry does not.
    assert!(
        verify_inclusion(
            &leaf_of(&STANDARD.encode(b"a forged entry")),
            index,
            checkpoint.size,
            &hashes(&proof["hashes"]),
            &checkpoint.root,
        )
        .is_err()
    );

    // The same, as ADMIN, against an earlier checkpoint that already held it.
    let first_size = checkpoint.size;
    a_person(&app, "Barbara").await;
    app.sealed().await;
    let earlier = app
        .gql_as(
            &admin.access_token,
            INCLUSION,
            json!({ "id": id, "size": first_size }),
        )
        .await;
    assert_eq!(
        earlier.data()["auditInclusionProof"]["treeSize"],
        json!(first_size)
    );

    // Nobody else learns of the entry; a size no checkpoint had is refused, naming the field.
    let other = app
        .gql_as(&grace.access_token, INCLUSION, json!({ "id": id }))
        .await;
    assert_eq!(other.error_code(), "NOT_FOUND");
    assert_eq!(
        app.gql(INCLUSION, json!({ "id": id })).await.error_code(),
        "UNAUTHENTICATED"
    );
    let odd = app
        .gql_as(
            &admin.access_token,
            INCLUSION,
            json!({ "id": id, "size": 999 }),
        )
        .await;
    assert_eq!(odd.error_code(), "BAD_USER_INPUT");
    assert_eq!(odd.error_field(), "treeSize");
    let bad = app
        .gql_as(&admin.access_token, INCLUSION, json!({ "id": ada.id }))
        .await;
    assert_eq!(bad.error_field(), "entryId");
}

#[tokio::test]
async fn consistency_proofs_are_public_and_show_the_log_only_grew() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    a_person(&app, "Ada").await;
    app.sealed().await;
    let (old, _) = checkpoint(&app).await;
    for name in ["Grace", "Alan", "Barbara", "Edsger", "Frances"] {
        a_person(&app, name).await;
    }
    app.sealed().await;
    let (new, _) = checkpoint(&app).await;
    assert!(new.size > old.size);

    let proof = app
        .gql(CONSISTENCY, json!({ "from": old.size, "to": new.size }))
        .await;
    let proof = &proof.data()["auditConsistencyProof"];
    verify_consistency(
        old.size,
        new.size,
        &old.root,
        &new.root,
        &hashes(&proof["hashes"]),
    )
    .expect("the new tree extends the old");

    // The HTTP twins answer the same.
    let (status, body) = text(
        &app,
        &format!("/log/proof/consistency?from={}&to={}", old.size, new.size),
    )
    .await;
    assert_eq!(status, 200);
    let http: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(http["hashes"], proof["hashes"]);
    let leaves = leaves(&app, &admin.access_token).await;
    for (index, (_, leaf)) in leaves.iter().enumerate() {
        let (status, body) = text(
            &app,
            &format!("/log/proof/inclusion?index={index}&size={}", new.size),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let http: Value = serde_json::from_str(&body).expect("json");
        verify_inclusion(
            leaf,
            index as u64,
            new.size,
            &hashes(&http["hashes"]),
            &new.root,
        )
        .expect("every leaf is in the tree");
    }

    // Past the log's end, or backwards, is refused, naming the field.
    let ahead = app
        .gql(CONSISTENCY, json!({ "from": 1, "to": new.size + 1 }))
        .await;
    assert_eq!(ahead.error_field(), "toSize");
    let backwards = app.gql(CONSISTENCY, json!({ "from": 3, "to": 2 })).await;
    assert_eq!(backwards.error_field(), "fromSize");
    assert_eq!(
        text(
            &app,
            &format!("/log/proof/consistency?from=1&to={}", new.size + 1)
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn the_chained_entries_from_before_the_tree_become_its_first_leaves_and_still_verify() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    app.sealed().await;
    // A database from before the tree log: its entries chained, none sealed. (Rebuilt here
    // from this one's: chain them as the old commit did, and forget the tree.)
    app.sql("DELETE FROM log_checkpoints").await;
    app.sql("DELETE FROM log_nodes").await;
    app.sql("UPDATE audit_events SET leaf_index = NULL").await;
    use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
    let events = entity::prelude::AuditEvent::find()
        .order_by_asc(entity::audit_event::Column::Seq)
        .all(app.db())
        .await
        .expect("read");
    let mut prev = api::audit::GENESIS.to_owned();
    for (seq, event) in (1..).zip(events.clone()) {
        let mut chained = event.clone();
        chained.seq = seq;
        chained.prev_hash = prev.clone();
        chained.hash = api::audit::hash_of(&chained);
        prev = chained.hash.clone();
        let mut row: entity::audit_event::ActiveModel = event.into();
        row.prev_hash = Set(chained.prev_hash);
        row.hash = Set(chained.hash);
        row.update(app.db()).await.expect("chain");
    }
    app.sql(&format!(
        "UPDATE audit_head SET seq = {}, hash = '{prev}' WHERE id = 1",
        events.len()
    ))
    .await;
    // The seqs of a fresh log start at 1 on both backends, so the chain is whole.
    assert_eq!(
        api::audit::verify_chain(app.db())
            .await
            .expect("verify")
            .first_broken,
        None
    );

    // The sealer takes them first, in chain order, and the chain still verifies.
    app.sealed().await;
    a_person(&app, "Ada").await;
    app.sealed().await;
    let sealed = entity::prelude::AuditEvent::find()
        .order_by_asc(entity::audit_event::Column::Seq)
        .all(app.db())
        .await
        .expect("read");
    for (index, event) in sealed.iter().enumerate() {
        assert_eq!(event.leaf_index, Some(index as i64));
    }
    let check = app
        .gql_as(
            &admin.access_token,
            "{ auditChain { intact checkedEntries } }",
            json!({}),
        )
        .await;
    assert_eq!(check.data()["auditChain"]["intact"], json!(true));
    assert_eq!(
        check.data()["auditChain"]["checkedEntries"],
        json!(sealed.len())
    );
    assert_eq!(
        api::audit::verify_chain(app.db())
            .await
            .expect("verify")
            .checked,
        events.len() as u64
    );
}
