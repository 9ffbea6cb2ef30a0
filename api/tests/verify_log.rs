//! `quorum admin verify-log`, run as a process against a served instance, as a member's cron job
//! runs it: a log that grew is accepted and the kept checkpoint moves forward; a log truncated,
//! or rewritten and re-signed with the server's own key, is refused, and the kept checkpoint
//! stays. SQLite by default; PostgreSQL with `TEST_DATABASE_URL`, on a fresh database.

mod served_log;

use std::path::Path;

use served_log::{get_text, serve, verify_log};

async fn size_in(file: &Path) -> u64 {
    let note = std::fs::read_to_string(file).expect("the kept checkpoint");
    note.lines()
        .nth(1)
        .expect("a size")
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn verify_log_accepts_growth_and_refuses_a_truncated_or_rewritten_log() {
    let served = serve().await;
    let file = served.dir.path().join("kept-checkpoint");
    served.record(5, "SECRETARY").await;
    served.sealed().await;

    // The first run keeps what it finds; the next, with the published key, sees growth.
    let (ok, out) = verify_log(&served.url, &file, None).await;
    assert!(ok, "{out}");
    assert_eq!(size_in(&file).await, 5);
    let key = get_text(&format!("{}/log/key", served.url)).await;
    served.record(3, "TREASURER").await;
    served.sealed().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(ok, "{out}");
    assert!(out.contains("grew from 5 to 8"), "{out}");
    assert_eq!(size_in(&file).await, 8);

    // Truncated: the last three entries deleted and the tree signed again at 5.
    served
        .sql("DELETE FROM audit_events WHERE leaf_index >= 5")
        .await;
    served.reseal_from_scratch().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(!ok, "a truncated log was accepted: {out}");
    assert!(out.contains("truncated"), "{out}");
    assert_eq!(size_in(&file).await, 8, "the kept checkpoint stays");

    // Rewritten: other entries in their place, the tree as large as before and larger.
    served.record(4, "ADMIN").await;
    served.sealed().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(!ok, "a rewritten log was accepted: {out}");
    assert!(out.contains("rewritten"), "{out}");

    // Edited in place: one early entry changed, the tree rebuilt to the same size.
    let (ok, out) = verify_log(&served.url, &file.with_extension("fresh"), None).await;
    assert!(ok, "{out}");
    served
        .sql(r#"UPDATE audit_events SET summary = '{"role":"BOARD"}' WHERE leaf_index = 0"#)
        .await;
    served.reseal_from_scratch().await;
    let (ok, out) = verify_log(&served.url, &file.with_extension("fresh"), None).await;
    assert!(!ok, "an edited log was accepted: {out}");
    assert!(out.contains("rewritten"), "{out}");

    // A checkpoint signed by another key is refused outright.
    let (ok, out) = verify_log(
        &served.url,
        &file,
        Some("other/audit+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;
    assert!(!ok, "{out}");
    served.drop_database().await;
}
