//! Secret ballots: after the close, nothing a test can read (the API, the stored columns, the
//! audit log, the log lines at debug level) links a voter to their ballot, and each voter finds
//! their own ballot by the hash of their receipt.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use sea_orm::{EntityTrait, Iterable};
use serde_json::json;

use super::{foundation, receipt, receipt_hash};

/// Log lines written while a capture runs, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

/// The capture running now, if any. The subscriber is global (a thread's own default misses
/// lines when other tests register the same callsites meanwhile) and records nothing while no
/// capture runs; lines of tests running in parallel are captured too, which only adds lines
/// that name none of this test's voters or ballots.
static CAPTURE: Mutex<Option<Captured>> = Mutex::new(None);

struct ToCapture;

impl Write for ToCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(captured) = CAPTURE.lock().expect("the capture").as_ref() {
            captured
                .0
                .lock()
                .expect("the log buffer")
                .extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Starts capturing every log line, at every level, until the guard drops.
    fn start() -> (Self, CaptureGuard) {
        use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(|| ToCapture)
                .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                    CAPTURE.lock().is_ok_and(|c| c.is_some())
                }));
            let _ = tracing_subscriber::registry().with(layer).try_init();
        });
        let captured = Captured::default();
        *CAPTURE.lock().expect("the capture") = Some(captured.clone());
        (captured, CaptureGuard)
    }

    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().expect("the log buffer"))
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        if let Ok(mut capture) = CAPTURE.lock() {
            *capture = None;
        }
    }
}

fn key(id: &str) -> uuid::Uuid {
    api::ids::decode(id).expect("an id").1
}

#[tokio::test]
async fn nothing_links_a_voter_to_their_ballot() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;

    // Everything from here on is logged at TRACE level into a buffer.
    let (logs, guard) = Captured::start();

    let voters = [
        (&ada, vec![&bob_n, &cy_n]),
        (&bob, vec![&bob_n]),
        (&cy, vec![&cy_n, &bob_n]),
    ];
    let mut receipts = Vec::new();
    for (voter, ranking) in &voters {
        let ranking: Vec<&str> = ranking.iter().map(|s| s.as_str()).collect();
        let cast = f.cast(voter, &election, &ranking).await;
        receipts.push((
            voter.id.clone(),
            receipt(&cast),
            ranking.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ));
    }
    f.close(&election).await;
    let result = f.result(&election).await;
    drop(guard);

    // Each voter finds their ballot, as cast, by their receipt's hash.
    let published = result["ballots"].as_array().expect("ballots").clone();
    for (_, receipt, ranking) in &receipts {
        let mine = published
            .iter()
            .find(|b| b["receipt"] == json!(receipt_hash(receipt)))
            .expect("my ballot is published");
        assert_eq!(mine["ranking"], json!(ranking));
    }
    // The published ballots carry a receipt hash, a ranking and a weight: nothing else.
    for ballot in &published {
        let mut fields: Vec<_> = ballot
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        fields.sort();
        assert_eq!(fields, ["ranking", "receipt", "weight"]);
    }

    // Stored: the ballot table holds no voter, no time, no sequence; its ids are random (v4).
    let columns: Vec<String> = entity::election_ballot::Column::iter()
        .map(|c| sea_orm::IdenStatic::as_str(&c).to_owned())
        .collect();
    assert_eq!(
        columns,
        [
            "id",
            "election_id",
            "ranking",
            "nominal_weight",
            "sponsor",
            "receipt_hash"
        ]
    );
    let ballots = entity::prelude::ElectionBallot::find()
        .all(app.db())
        .await
        .expect("ballots");
    assert_eq!(ballots.len(), 3);
    for ballot in &ballots {
        assert_eq!(ballot.id.get_version_num(), 4, "a ballot id is random");
    }
    // The record of who voted holds no ballot id, ranking or receipt.
    let voter_columns: Vec<String> = entity::election_voter::Column::iter()
        .map(|c| sea_orm::IdenStatic::as_str(&c).to_owned())
        .collect();
    assert_eq!(
        voter_columns,
        ["roll_entry_id", "election_id", "cast_by", "voted_at"]
    );

    // What identifies a ballot, and what identifies a voter.
    let mut ballot_marks: Vec<String> = Vec::new();
    for ballot in &ballots {
        ballot_marks.push(ballot.id.to_string());
        ballot_marks.push(ballot.id.simple().to_string());
        ballot_marks.push(ballot.receipt_hash.clone());
        ballot_marks.push(ballot.ranking.clone());
    }
    for (_, receipt, _) in &receipts {
        ballot_marks.push(receipt.clone());
    }
    let nominations = [key(&bob_n), key(&cy_n)];
    let roll = entity::prelude::ElectionRoll::find()
        .all(app.db())
        .await
        .expect("the roll");
    let mut voter_marks: Vec<String> = Vec::new();
    for (voter, _) in &voters {
        let account = key(&voter.id);
        voter_marks.push(account.to_string());
        voter_marks.push(voter.id.clone());
        voter_marks.push(voter.access_token.clone());
    }
    for entry in &roll {
        voter_marks.push(entry.id.to_string());
        voter_marks.push(entry.membership_id.to_string());
        voter_marks.push(entry.holder_key.clone());
    }

    // The audit log says who voted, never what.
    let audit = entity::prelude::AuditEvent::find()
        .all(app.db())
        .await
        .expect("the audit log");
    let voted: Vec<_> = audit
        .iter()
        .filter(|e| e.action == entity::audit_event::AuditAction::ElectionVoted)
        .collect();
    assert_eq!(voted.len(), 3);
    // Only the close names ballots (it publishes them, receipt hashes and rankings, for voters
    // to prove theirs is in the log), and it names no voter; the receipts themselves, and the
    // ballots' ids, no entry names.
    for entry in &audit {
        let text = format!("{entry:?}");
        let names_a_ballot = ballot_marks.iter().any(|m| text.contains(m.as_str()));
        if entry.action == entity::audit_event::AuditAction::ElectionClosed {
            assert!(names_a_ballot, "the close publishes the ballots: {text}");
            for mark in &voter_marks {
                assert!(
                    !text.contains(mark.as_str()),
                    "the close's entry names a voter: {text}"
                );
            }
            for (_, receipt, _) in &receipts {
                assert!(
                    !text.contains(receipt.as_str()),
                    "a receipt is logged: {text}"
                );
            }
            for ballot in &ballots {
                assert!(
                    !text.contains(&ballot.id.to_string()),
                    "a ballot id: {text}"
                );
            }
            continue;
        }
        assert!(!names_a_ballot, "an audit entry names a ballot: {text}");
    }
    for entry in &voted {
        for nomination in &nominations {
            assert!(
                !entry.summary.contains(&nomination.to_string()),
                "a vote's audit entry names a nominee: {}",
                entry.summary
            );
        }
    }

    // No log line names both a voter and a ballot (or a nominee, which would tell the vote).
    let lines = logs.lines();
    assert!(!lines.is_empty(), "the requests were logged");
    let what: Vec<String> = ballot_marks
        .iter()
        .cloned()
        .chain(nominations.iter().map(ToString::to_string))
        .chain([bob_n.clone(), cy_n.clone()])
        .collect();
    for line in &lines {
        let who = voter_marks.iter().any(|m| line.contains(m.as_str()));
        let ballot = what.iter().any(|m| line.contains(m.as_str()));
        assert!(
            !(who && ballot),
            "a log line links a voter to a ballot: {line}"
        );
        for (_, receipt, _) in &receipts {
            assert!(
                !line.contains(receipt.as_str()),
                "a receipt was logged: {line}"
            );
        }
    }
}

/// Rows of `sql` as text, one `Vec` per row.
async fn rows(app: &tests::TestApp, sql: &str, columns: &[&str]) -> Vec<Vec<String>> {
    use sea_orm::{ConnectionTrait, Statement};
    app.db()
        .query_all_raw(Statement::from_string(app.backend(), sql))
        .await
        .expect("the query")
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.try_get::<String>("", c).expect("a text column"))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn after_the_close_the_storage_of_the_ballots_follows_no_voter() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let dee = f.member("Dee").await;
    let eve = f.member("Eve").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;
    for voter in [&ada, &bob, &cy, &dee, &eve] {
        f.cast(voter, &election, &[&bob_n, &cy_n]).await.data();
    }
    // While voting is open, each ballot row was written with its voter's row.
    let cast_ids: Vec<uuid::Uuid> = entity::prelude::ElectionBallot::find()
        .all(app.db())
        .await
        .expect("ballots")
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(cast_ids.len(), 5);
    f.close(&election).await;

    // Every ballot was written again under a new random id.
    let ballots = entity::prelude::ElectionBallot::find()
        .all(app.db())
        .await
        .expect("ballots");
    assert_eq!(ballots.len(), 5);
    for ballot in &ballots {
        assert!(!cast_ids.contains(&ballot.id), "a ballot kept its id");
        assert_eq!(ballot.id.get_version_num(), 4);
    }
    let mut by_receipt: Vec<String> = ballots.iter().map(|b| b.receipt_hash.clone()).collect();
    by_receipt.sort();
    // The storage order is the receipts' order, and on PostgreSQL every row carries the close's
    // transaction id: nothing follows the order of casting.
    let stored = match app.backend() {
        sea_orm::DbBackend::Postgres => {
            let found = rows(
                app,
                "SELECT xmin::text AS x, receipt_hash FROM election_ballots ORDER BY ctid",
                &["x", "receipt_hash"],
            )
            .await;
            let xmins: std::collections::HashSet<_> = found.iter().map(|r| r[0].clone()).collect();
            assert_eq!(
                xmins.len(),
                1,
                "the ballots carry different xmin: {found:?}"
            );
            let voter_xmins =
                rows(app, "SELECT xmin::text AS x FROM election_voters", &["x"]).await;
            // The voters' rows were rewritten by the close too: one transaction id for all.
            for x in voter_xmins {
                assert!(xmins.contains(&x[0]), "a voter's row kept its own xmin");
            }
            found.into_iter().map(|r| r[1].clone()).collect::<Vec<_>>()
        }
        _ => rows(
            app,
            "SELECT receipt_hash FROM election_ballots ORDER BY rowid",
            &["receipt_hash"],
        )
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect(),
    };
    assert_eq!(stored, by_receipt);
    // Who voted keeps only the day, not the moment.
    let voters = entity::prelude::ElectionVoter::find()
        .all(app.db())
        .await
        .expect("voters");
    assert_eq!(voters.len(), 5);
    let times: std::collections::HashSet<_> = voters.iter().map(|v| v.voted_at).collect();
    assert_eq!(times.len(), 1, "{times:?}");
    let time = times.into_iter().next().expect("a time");
    assert_eq!(time.time(), chrono::NaiveTime::MIN);
}
