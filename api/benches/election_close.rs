//! `cargo bench -p api --bench election_close`: closing an election with 10,000 ballots, 20
//! nominees and 7 seats, through the real close command over SQLite (read the ballots, apply the
//! influence cap, export the BLT, count by Meek STV, store the result), and the count alone.
//! The target is at most 2 s for the close.

use std::time::{Duration, Instant};

use api::{
    auth::viewer::{AccountViewer, Viewer},
    elections::{
        count::{Ballot, Candidate, count},
        fixed::Fixed,
        lifecycle::close,
        record::FrozenRules,
    },
};
use chrono::Utc;
use entity::{
    election::{ElectionState, SeatKind},
    nomination::NominationResponse,
};
use rand::{Rng, SeedableRng, seq::SliceRandom};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

const BALLOTS: usize = 10_000;
const NOMINEES: usize = 20;
const SEATS: i32 = 7;

/// A ranking of 1 to 8 nominees, biased so that the count needs several rounds.
fn rankings(rng: &mut rand::rngs::StdRng) -> Vec<Vec<usize>> {
    (0..BALLOTS)
        .map(|_| {
            let mut order: Vec<usize> = (0..NOMINEES).collect();
            order.shuffle(rng);
            order.sort_by_key(|&c| rng.gen_range(0..NOMINEES * 2) + c);
            order.truncate(rng.gen_range(1..=8));
            order
        })
        .collect()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let worst = samples[samples.len() - 1];
    println!(
        "{name:<56} median {median:>10.1?}, worst {worst:>10.1?} over {} runs",
        samples.len()
    );
}

fn bench_count(rankings: &[Vec<usize>]) {
    let candidates: Vec<Candidate> = (0..NOMINEES)
        .map(|i| Candidate::new(format!("nominee-{i}")))
        .collect();
    let ballots: Vec<Ballot> = rankings
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let weight = if i % 50 == 0 { 15 } else { 1 };
            Ballot::new(Fixed::from_int(weight).expect("weight"), r.clone())
        })
        .collect();
    let samples = (0..10)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(count(&candidates, 7, &ballots, b"seed").expect("count"));
            started.elapsed()
        })
        .collect();
    report(
        "count: Meek STV, 10,000 ballots, 20 nominees, 7 seats",
        samples,
    );
}

/// An election in VOTING whose time ran out, with its nominations and ballots written straight
/// into a fresh database (the commands are measured elsewhere; this measures the close).
async fn voting_election(db: &sea_orm::DatabaseConnection, rankings: &[Vec<usize>]) -> Uuid {
    let now = Utc::now();
    let mut accounts = Vec::new();
    for i in 0..=NOMINEES {
        let account = entity::account::ActiveModel {
            id: Set(api::ids::new_key()),
            email: Set(format!(
                "nominee{i}.{}@example.org",
                Uuid::new_v4().simple()
            )),
            display_name: Set(format!("Nominee {i}")),
            password_hash: Set("not-a-login".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .expect("account");
        accounts.push(account.id);
    }
    let election = api::ids::new_key();
    let nominations: Vec<Uuid> = (0..NOMINEES).map(|_| api::ids::new_key()).collect();
    let rules = FrozenRules {
        term_years: 3,
        sponsor_influence_cap: 0.49,
        sponsor_scale: 1.0,
        turnout_threshold: 0.0,
        extension_days: 0,
        max_extensions: 0,
        candidates: nominations.clone(),
        roll_size: BALLOTS as u64,
        organizations: nominations.iter().map(|n| (*n, Vec::new())).collect(),
    };
    entity::election::ActiveModel {
        id: Set(election),
        title: Set("Bench election".to_owned()),
        kind: Set(SeatKind::General),
        seats: Set(SEATS),
        state: Set(ElectionState::Voting),
        nominations_close_at: Set(now),
        voting_opens_at: Set(now),
        voting_closes_at: Set(now - chrono::Duration::seconds(1)),
        extensions: Set(0),
        created_by: Set(accounts[0]),
        created_at: Set(now),
        nominations_opened_at: Set(Some(now)),
        voting_opened_at: Set(Some(now)),
        closed_at: Set(None),
        certified_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        rules: Set(Some(serde_json::to_string(&rules).expect("rules"))),
        result: Set(None),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("election");
    for (i, id) in nominations.iter().enumerate() {
        entity::nomination::ActiveModel {
            id: Set(*id),
            election_id: Set(election),
            nominee_account_id: Set(accounts[i + 1]),
            nominated_by: Set(accounts[0]),
            statement: Set(None),
            response: Set(NominationResponse::Accepted),
            nominee_statement: Set(None),
            organization_id: Set(None),
            responded_at: Set(Some(now)),
            disqualified_reason: Set(None),
            disqualified_at: Set(None),
            disqualified_by: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .expect("nomination");
    }
    for chunk in rankings.chunks(500) {
        let rows = chunk.iter().map(|r| {
            let ranking: Vec<Uuid> = r.iter().map(|&c| nominations[c]).collect();
            entity::election_ballot::ActiveModel {
                id: Set(Uuid::new_v4()),
                election_id: Set(election),
                ranking: Set(serde_json::to_string(&ranking).expect("ranking")),
                nominal_weight: Set(1),
                sponsor: Set(false),
                receipt_hash: Set(format!("{:064x}", rand::random::<u128>())),
            }
        });
        entity::prelude::ElectionBallot::insert_many(rows)
            .exec(db)
            .await
            .expect("ballots");
    }
    let _ = accounts;
    election
}

fn main() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let rankings = rankings(&mut rng);
    bench_count(&rankings);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let db = api::db::connect(&url, 4).await.expect("connect");
        api::db::migrate(&db).await.expect("migrate");
        let mut samples = Vec::new();
        for _ in 0..5 {
            let election = voting_election(&db, &rankings).await;
            let viewer = Viewer::Account(AccountViewer {
                id: Uuid::nil(),
                session_id: Uuid::nil(),
                roles: Default::default(),
            });
            let started = Instant::now();
            let tx = api::db::begin_write(&db).await.expect("begin");
            let closed = close::close(&tx, &viewer, election).await.expect("close");
            tx.commit().await.expect("commit");
            samples.push(started.elapsed());
            assert!(matches!(closed, close::Closed::Counted(_)));
        }
        report(
            "closeElection: 10,000 ballots, 20 nominees, 7 seats",
            samples,
        );
    });
}
