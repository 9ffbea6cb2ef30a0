//! Receipts: a decision on an application, a vote on an amendment and a sponsorship's
//! recording return the ID of the audit entry they wrote, and the person it concerns (the
//! applicant, the voter, the sponsor's representative) proves that entry is in the log, even
//! though the audit log is not theirs to read; someone else learns nothing of it.
//!
//! The proofs are checked here with a verifier written from RFC 9162 section 2.1.3.2 alone (the
//! few lines of [`root_from_inclusion`]), not with the server's tree code.

use api::{auth::Role, log::sealer};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::{
    Gql, TestApp,
    factories::{
        Person, a_contributor, a_person, a_person_with, a_sponsorship, an_amendment_in_voting,
        an_organization, apply_as_contributor, tier_id,
    },
};

pub const INCLUSION: &str = "query($id: ID!) { auditInclusionProof(entryId: $id) { leafIndex treeSize hashes checkpoint } }";
pub const ENTRY: &str = "query($id: ID!) { node(id: $id) { __typename ... on AuditEvent { id action leaf leafIndex } } }";

type Hash = [u8; 32];

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// RFC 9162 section 2.1.3.2: the root an inclusion proof of `leaf` (the entry's bytes) at
/// `index` leads to in a tree of `size` leaves, or `None` when the proof does not fit the size.
pub fn root_from_inclusion(leaf: &[u8], index: u64, size: u64, path: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut fnum, mut snum) = (index, size - 1);
    let mut r = sha256(&[&[0x00], leaf]);
    for p in path {
        if snum == 0 {
            return None;
        }
        if fnum & 1 == 1 || fnum == snum {
            r = sha256(&[&[0x01], p, &r]);
            while fnum & 1 == 0 && fnum != 0 {
                fnum >>= 1;
                snum >>= 1;
            }
        } else {
            r = sha256(&[&[0x01], &r, p]);
        }
        fnum >>= 1;
        snum >>= 1;
    }
    (snum == 0).then_some(r)
}

/// The size and root a checkpoint note states (its second and third lines), read as text.
pub fn checkpoint_lines(note: &str) -> (u64, Hash) {
    let lines: Vec<&str> = note.lines().collect();
    let size = lines[1].parse().expect("a tree size");
    let root = STANDARD
        .decode(lines[2])
        .expect("a base64 root")
        .try_into()
        .expect("32 bytes");
    (size, root)
}

/// Checks `proof` (an `auditInclusionProof` answer) for the entry whose bytes are `leaf`
/// (base64): it leads to the root its checkpoint states, the checkpoint is signed by the log's
/// published key, and it is the log's own checkpoint of that size.
pub async fn assert_proves(app: &TestApp, leaf: &str, proof: &Value) {
    let bytes = STANDARD.decode(leaf).expect("base64 leaf bytes");
    let note = proof["checkpoint"].as_str().expect("a checkpoint");
    let (size, root) = checkpoint_lines(note);
    assert_eq!(proof["treeSize"], json!(size));
    let path: Vec<Hash> = proof["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|h| {
            STANDARD
                .decode(h.as_str().expect("base64"))
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect();
    let index = proof["leafIndex"].as_u64().expect("a leaf index");
    assert_eq!(
        root_from_inclusion(&bytes, index, size, &path),
        Some(root),
        "the proof leads to the checkpoint's root"
    );
    // Another entry's bytes do not.
    assert_ne!(
        root_from_inclusion(b"quorum-audit-entry/v1\nforged", index, size, &path),
        Some(root)
    );
    // The checkpoint is the log's: signed with its published key.
    let key = app.client.get("/log/key").send().await;
    let key = key.0.into_body().into_string().await.expect("the key");
    let verifier = api::log::note::parse_verifier_key(&key).expect("a verifier key");
    api::log::note::Checkpoint::open(note, &verifier).expect("a checkpoint the log signed");
}

/// What `person` reads of the entry `id`: the entry (`node`) and its inclusion proof.
async fn receipt_as(app: &TestApp, person: &Person, id: &str) -> (Gql, Gql) {
    (
        app.gql_as(&person.access_token, ENTRY, json!({ "id": id }))
            .await,
        app.gql_as(&person.access_token, INCLUSION, json!({ "id": id }))
            .await,
    )
}

/// `person` fetches the entry `id` and its proof, and both check out.
async fn assert_person_proves(app: &TestApp, person: &Person, id: &str, action: &str) {
    let (entry, proof) = receipt_as(app, person, id).await;
    let entry = &entry.data()["node"];
    assert_eq!(entry["__typename"], json!("AuditEvent"));
    assert_eq!(entry["action"], json!(action));
    let proof = &proof.data()["auditInclusionProof"];
    assert_eq!(proof["leafIndex"], entry["leafIndex"]);
    assert_proves(app, entry["leaf"].as_str().expect("leaf"), proof).await;
}

/// Someone else gets nothing: `node` is null and the proof `NOT_FOUND`.
async fn assert_refused(app: &TestApp, person: &Person, id: &str) {
    let (entry, proof) = receipt_as(app, person, id).await;
    assert_eq!(entry.data()["node"], Value::Null);
    assert_eq!(proof.error_code(), "NOT_FOUND");
}

const REVIEW: &str = "mutation($input: ReviewApplicationInput!) {
  reviewApplication(input: $input) { application { status } auditEntryId }
}";

#[tokio::test]
async fn an_applicant_proves_the_decision_on_their_application_once_it_is_sealed() {
    // The sealer's first round runs at start; later ones are this test's to run.
    let app = TestApp::with_config(|config| {
        config.log_seal_interval = std::time::Duration::from_secs(3600);
    })
    .await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let application = apply_as_contributor(&app, &ada).await;

    let decided = app
        .gql_as(
            &committee.access_token,
            REVIEW,
            json!({ "input": { "applicationId": application, "decision": "REJECT", "reason": "Not yet." } }),
        )
        .await;
    let receipt = decided.data()["reviewApplication"]["auditEntryId"]
        .as_str()
        .expect("the decision's audit entry")
        .to_owned();

    // Before the sealer's round: the entry is readable, its proof is not there yet.
    let (entry, proof) = receipt_as(&app, &ada, &receipt).await;
    assert_eq!(entry.data()["node"]["leafIndex"], Value::Null);
    assert_eq!(proof.error_code(), "CONFLICT");
    assert_eq!(
        proof.errors()[0]["extensions"]["reason"],
        json!("NOT_YET_SEALED")
    );

    let signer =
        api::log::sealer::LogSigner::new(app.config().log_origin(), app.state.keys.clone());
    sealer::seal_all(app.db(), &signer).await.expect("a round");
    assert_person_proves(&app, &ada, &receipt, "application.rejected").await;
    // The reviewer wrote it, and reads it too.
    assert_person_proves(&app, &committee, &receipt, "application.rejected").await;
    assert_refused(&app, &grace, &receipt).await;
    // Anonymous callers are asked to log in.
    assert_eq!(
        app.gql(INCLUSION, json!({ "id": receipt }))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
    // The applicant lists the entries about their application: the receipt is among them.
    let listed = app
        .gql_as(
            &ada.access_token,
            "query($id: ID) { auditEvents(subjectId: $id) { nodes { id action } } }",
            json!({ "id": application }),
        )
        .await;
    let ids: Vec<&Value> = listed.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| &n["id"])
        .collect();
    assert!(ids.contains(&&json!(receipt)));
    let other = app
        .gql_as(
            &grace.access_token,
            "query($id: ID) { auditEvents(subjectId: $id) { nodes { id } } }",
            json!({ "id": application }),
        )
        .await;
    assert_eq!(other.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_voter_proves_their_vote_on_an_amendment() {
    let app = TestApp::new().await;
    let (ada, amendment) = an_amendment_in_voting(&app, "A clearer purpose").await;
    let committee = a_person_with(&app, "Noor", Role::MembershipCommittee).await;
    let (grace, _) = a_contributor(&app, "Grace", &committee).await;
    let cast = app
        .gql_as(
            &ada.access_token,
            "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { choice } auditEntryId } }",
            json!({ "input": { "amendmentId": amendment, "choice": "YES" } }),
        )
        .await;
    let receipt = cast.data()["castAmendmentVote"]["auditEntryId"]
        .as_str()
        .expect("the vote's audit entry")
        .to_owned();
    app.sealed().await;
    assert_person_proves(&app, &ada, &receipt, "vote.cast").await;
    assert_refused(&app, &grace, &receipt).await;
}

#[tokio::test]
async fn a_sponsor_s_representative_proves_the_recording_of_the_sponsorship() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rui").await;
    let grace = a_person(&app, "Grace").await;
    let organization = an_organization(&app, &rep, "Acme").await;
    let tier = tier_id(&app, "Gold").await;
    let recorded = app
        .gql_as(
            &treasurer.access_token,
            "mutation($input: RecordSponsorshipInput!) { recordSponsorship(input: $input) { sponsorship { id } auditEntryId } }",
            a_sponsorship(&organization, "Gold").json(&tier),
        )
        .await;
    let receipt = recorded.data()["recordSponsorship"]["auditEntryId"]
        .as_str()
        .expect("the recording's audit entry")
        .to_owned();
    app.sealed().await;
    assert_person_proves(&app, &rep, &receipt, "sponsorship.recorded").await;
    assert_refused(&app, &grace, &receipt).await;
}
