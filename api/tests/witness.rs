//! Witnesses (issue 24, item 6): two `quorum witness serve` processes, a served instance that
//! sends them each new checkpoint (`QUORUM_LOG_WITNESSES`), and `quorum admin verify-log
//! --witness` as a member runs it. Growth is cosigned by both; a truncated log, a rewritten one
//! (both re-signed with the server's own key) and a split view (a second checkpoint of a size
//! already cosigned) are refused by every witness, so the checkpoint served carries no
//! cosignature and a member requiring them is warned. SQLite by default; PostgreSQL with
//! `TEST_DATABASE_URL`.

mod served_log;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use api::{
    auth::keys::SigningKeys,
    config::{Config, LogWitness},
    log::{
        cosigning,
        note::{Checkpoint, Note, parse_verifier_key},
        sealer::LogSigner,
    },
};
use served_log::{Served, get_text, serve_with, verify_log_witnessed};

/// A running `quorum witness serve`, stopped when dropped.
struct WitnessProcess {
    child: Child,
    url: String,
    key: String,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn quorum() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
    command.env("QUORUM_LOG_FORMAT", "text");
    command
}

/// `quorum witness keygen`, then `quorum witness serve` on a free port for the log `origin`.
fn start_witness(dir: &Path, name: &str, origin: &str, log_key: &str) -> WitnessProcess {
    let key_file = dir.join(format!("{}.key", name.replace('/', "_")));
    let output = quorum()
        .args(["witness", "keygen", "--name", name, "--key"])
        .arg(&key_file)
        .output()
        .expect("run keygen");
    assert!(output.status.success(), "{output:?}");
    let key = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    let mut child = quorum()
        .args(["witness", "serve", "--addr", "127.0.0.1:0", "--key"])
        .arg(&key_file)
        .args(["--log", origin, log_key, "--state"])
        .arg(dir.join(format!("{}.state.json", name.replace('/', "_"))))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a witness");
    let mut lines = BufReader::new(child.stdout.take().expect("its output")).lines();
    let first = lines.next().expect("a line").expect("readable");
    let addr = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let served_key = lines.next().expect("a line").expect("readable");
    assert_eq!(served_key, key, "serve announces the key keygen printed");
    WitnessProcess {
        child,
        url: format!("http://{addr}"),
        key,
    }
}

/// POSTs an add-checkpoint body to a witness: its status and body.
async fn add_checkpoint(witness: &WitnessProcess, body: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/add-checkpoint", witness.url))
        .body(body)
        .send()
        .await
        .expect("the witness answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// Waits until the latest checkpoint is of `size` and carries a cosignature of every witness.
async fn cosigned_at(served: &Served, size: i64, witnesses: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let latest = cosigning::latest(&served.db).await.expect("read");
        if let Some(latest) = latest
            && latest.row.size == size
            && latest.witnesses.len() == witnesses
        {
            return latest.note;
        }
        assert!(
            Instant::now() < deadline,
            "size {size} not cosigned by {witnesses} witnesses in 20 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every witness has refused (`quorum_log_witness_requests_total`) at least `times`.
async fn refused_by_all(served: &Served, names: &[&str], times: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = get_text(&format!("{}/metrics", served.url)).await;
        let refused = |name: &str| {
            metrics
                .lines()
                .filter(|line| {
                    line.starts_with("quorum_log_witness_requests_total")
                        && line.contains("outcome=\"refused\"")
                        && line.contains(&format!("witness=\"{name}\""))
                })
                .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
                .sum::<u64>()
        };
        if names.iter().all(|name| refused(name) >= times) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not refused by every witness in 20 s:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn graphql_checkpoint(served: &Served) -> serde_json::Value {
    let body = serde_json::json!({
        "query": "{ auditCheckpoint { size cosignatures witnessed note } }"
    });
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", served.url))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("a body");
    let response: serde_json::Value = serde_json::from_str(&response).expect("json");
    response["data"]["auditCheckpoint"].clone()
}

#[tokio::test]
async fn two_witnesses_cosign_growth_and_refuse_truncation_rewriting_and_a_split_view() {
    let dir = tempfile::tempdir().expect("a directory");
    // The server's key first, so that the witnesses can be told the log's verifier key.
    let key_file = dir.path().join("log-signing-key.pem");
    let mut keyed = Config::for_database("sqlite::memory:");
    keyed.signing_key_file = Some(key_file.clone());
    let keys = std::sync::Arc::new(SigningKeys::load_or_create(&keyed).expect("a key"));
    let origin = keyed.log_origin();
    let signer = LogSigner::new(origin.clone(), keys);
    let log_key = signer.verifier_key();
    let names = ["w1.example/witness", "w2.example/witness"];
    let witnesses: Vec<WitnessProcess> = names
        .iter()
        .map(|name| start_witness(dir.path(), name, &origin, &log_key))
        .collect();
    let keys: Vec<String> = witnesses.iter().map(|w| w.key.clone()).collect();
    let served = serve_with(|config| {
        config.signing_key_file = Some(key_file.clone());
        config.log_witnesses = witnesses
            .iter()
            .map(|w| LogWitness {
                verifier_key: w.key.clone(),
                url: w.url.clone(),
            })
            .collect();
    })
    .await;
    let kept = served.dir.path().join("kept");

    // Growth: both witnesses cosign, and a member requiring both is satisfied.
    served.record(5, "SECRETARY").await;
    let note = cosigned_at(&served, 5, 2).await;
    let parsed = Note::parse(&note).expect("a note");
    for key in &keys {
        let verifier = parse_verifier_key(key).expect("a key");
        assert!(parsed.verify_every(&verifier).is_ok(), "{note}");
    }
    let (ok, out) = verify_log_witnessed(&served.url, &kept, Some(&log_key), &keys).await;
    assert!(ok, "{out}");
    assert!(out.contains("cosigned by 2 witnesses"), "{out}");
    served.record(3, "TREASURER").await;
    cosigned_at(&served, 8, 2).await;
    let (ok, out) = verify_log_witnessed(&served.url, &kept, Some(&log_key), &keys).await;
    assert!(ok, "{out}");
    assert!(out.contains("grew from 5 to 8"), "{out}");
    let checkpoint = graphql_checkpoint(&served).await;
    assert_eq!(checkpoint["size"], 8);
    assert_eq!(checkpoint["cosignatures"], 2);
    assert_eq!(checkpoint["witnessed"], true);
    assert_eq!(
        checkpoint["note"].as_str(),
        Some(
            get_text(&format!("{}/log/checkpoint", served.url))
                .await
                .as_str()
        )
    );

    // Split view: another tree of size 8, signed with the log's own key, shown to the witnesses.
    let other = signer.sign(&Checkpoint {
        origin: origin.clone(),
        size: 8,
        root: [7; 32],
    });
    for witness in &witnesses {
        assert_eq!(
            add_checkpoint(witness, format!("old 8\n\n{other}")).await.0,
            422,
            "a second tree of a size cosigned is refused"
        );
        assert_eq!(
            add_checkpoint(witness, format!("old 0\n\n{other}")).await,
            (409, "8\n".to_owned()),
            "a client that claims to know nothing is told the size cosigned"
        );
    }

    // Truncated: the last two entries deleted, the tree signed again at 6; the server also
    // forgets what the witnesses hold, so it learns it again from their 409.
    served
        .sql("DELETE FROM audit_events WHERE leaf_index >= 6")
        .await;
    served.sql("DELETE FROM log_witness_sizes").await;
    served.reseal_from_scratch().await;
    refused_by_all(&served, &names, 1).await;
    let latest = cosigning::latest(&served.db)
        .await
        .expect("read")
        .expect("a checkpoint");
    assert_eq!((latest.row.size, latest.witnesses.len()), (6, 0));
    let checkpoint = graphql_checkpoint(&served).await;
    assert_eq!(
        (
            checkpoint["cosignatures"].clone(),
            checkpoint["witnessed"].clone()
        ),
        (0.into(), false.into())
    );
    let (ok, out) = verify_log_witnessed(&served.url, &kept, Some(&log_key), &keys).await;
    assert!(!ok, "a truncated log was accepted: {out}");
    // A member who keeps no checkpoint is still warned: no witness cosigned it.
    let (ok, out) = verify_log_witnessed(
        &served.url,
        &served.dir.path().join("fresh"),
        Some(&log_key),
        &keys,
    )
    .await;
    assert!(!ok, "{out}");
    assert!(out.contains("not cosigned by witness"), "{out}");
    for witness in &witnesses {
        let (status, body) = add_checkpoint(witness, format!("old 8\n\n{}", latest.row.note)).await;
        assert_eq!(status, 400, "a smaller tree than the one cosigned: {body}");
    }

    // Rewritten: other entries in the place of the deleted ones, the tree past its old size.
    served.record(4, "ADMIN").await;
    served.sealed().await;
    let proof: serde_json::Value = serde_json::from_str(
        &get_text(&format!(
            "{}/log/proof/consistency?from=8&to=10",
            served.url
        ))
        .await,
    )
    .expect("a proof");
    let lines: String = proof["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|hash| format!("{}\n", hash.as_str().expect("base64")))
        .collect();
    let rewritten = cosigning::latest(&served.db)
        .await
        .expect("read")
        .expect("a checkpoint");
    for witness in &witnesses {
        let (status, body) =
            add_checkpoint(witness, format!("old 8\n{lines}\n{}", rewritten.row.note)).await;
        assert_eq!(
            status, 422,
            "the proof from 8 to 10 does not verify: {body}"
        );
    }
    // The server's own tries (as soon as the new checkpoint is signed) fare no better.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let latest = cosigning::latest(&served.db)
        .await
        .expect("read")
        .expect("a checkpoint");
    assert_eq!((latest.row.size, latest.witnesses.len()), (10, 0));
    let (ok, out) = verify_log_witnessed(&served.url, &kept, Some(&log_key), &keys).await;
    assert!(!ok, "a rewritten log was accepted: {out}");

    // What the witnesses hold for monitors is still the last tree they cosigned.
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(origin.as_bytes()));
    for witness in &witnesses {
        let note = get_text(&format!("{}/{hash}/checkpoint", witness.url)).await;
        let note = Note::parse(&note).expect("a note");
        assert_eq!(Checkpoint::parse(&note.text).expect("a checkpoint").size, 8);
    }
    drop(witnesses);
    served.drop_database().await;
}
