//! `cargo bench`: the hot paths, measured rather than asserted in timed tests.
//!
//! - the tally of a large members' vote (pure arithmetic);
//! - a public directory page of 100 members with holders and classes, through the real HTTP
//!   app over SQLite (DataLoaders keep it at a fixed number of statements);
//! - a public sponsor page of 100 sponsors (one joined select and a count).
//!
//! Prints the median time per iteration of each. Plain `std::time`, so no extra dependency.

use std::time::{Duration, Instant};

use api::{
    AppState,
    bylaws::tally::{Body, Choice, Rules, Voter, tally},
    config::Config,
};
use chrono::Utc;
use poem::{Endpoint, Request, http::Method};
use sea_orm::{ActiveModelTrait, Set};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(name: &str, samples: Vec<Duration>) {
    let count = samples.len();
    println!(
        "{name:<48} median {:>10.1?} over {count} runs",
        median(samples)
    );
}

fn bench_tally() {
    let roll: Vec<Voter> = (0..20_000)
        .map(|i| Voter {
            nominal_weight: if i % 50 == 0 { 50.0 } else { 1.0 },
            sponsor: i % 50 == 0,
            choice: match i % 4 {
                0 => Some(Choice::Yes),
                1 => Some(Choice::No),
                2 => Some(Choice::Abstain),
                _ => None,
            },
        })
        .collect();
    let rules = Rules {
        member_quorum_share: 0.1,
        member_quorum_weight_share: 0.1,
        board_super_majority: 2.0 / 3.0,
        sponsor_influence_cap: 0.49,
    };
    let samples = (0..200)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(tally(Body::Members, std::hint::black_box(&roll), &rules));
            started.elapsed()
        })
        .collect();
    report("tally: members' vote, 20,000 voters", samples);
}

async fn seeded_app(dir: &std::path::Path) -> impl Endpoint {
    let url = format!("sqlite://{}/bench.db", dir.display());
    let db = api::db::connect(&url, 4).await.expect("connect");
    api::db::migrate(&db).await.expect("migrate");
    let now = Utc::now();
    for i in 0..300 {
        let account = entity::account::ActiveModel {
            id: Set(api::ids::new_key()),
            email: Set(format!("member{i}@example.org")),
            display_name: Set(format!("Member {i}")),
            password_hash: Set("not-a-login".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&db)
        .await
        .expect("account");
        entity::membership::ActiveModel {
            id: Set(api::ids::new_key()),
            class_key: Set(if i % 3 == 0 {
                entity::membership::MembershipClassKey::Mirror
            } else {
                entity::membership::MembershipClassKey::Contributor
            }),
            holder_key: Set(format!("account:{}", account.id)),
            holder_account_id: Set(Some(account.id)),
            holder_organization_id: Set(None),
            status: Set(entity::membership::MembershipState::Active),
            since: Set(now.date_naive()),
            ends_on: Set(now.date_naive().checked_add_days(chrono::Days::new(300))),
            grace_from: Set(None),
            vote_weight: Set(1),
            disclose: Set(true),
            notice_kind: Set(None),
            notice_reason: Set(None),
            notice_effective_on: Set(None),
            notice_response: Set(None),
            status_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&db)
        .await
        .expect("membership");
    }
    let platinum = uuid::Uuid::parse_str("0193a000-0000-7000-8000-000000000001").expect("uuid");
    for i in 0..150u64 {
        let organization = entity::organization::ActiveModel {
            id: Set(api::ids::new_key()),
            name: Set(format!("Sponsor {i}")),
            website_url: Set(Some(format!("https://sponsor{i}.example.org"))),
            logo_url: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&db)
        .await
        .expect("organization");
        let since = now.date_naive() - chrono::Duration::days(i64::try_from(i).unwrap_or(0));
        entity::sponsorship::ActiveModel {
            id: Set(api::ids::new_key()),
            tier_id: Set(platinum),
            sponsor_key: Set(format!("organization:{}", organization.id)),
            sponsor_account_id: Set(None),
            sponsor_organization_id: Set(Some(organization.id)),
            amount_minor: Set(10_000_000),
            currency: Set("USD".to_owned()),
            starts_on: Set(since),
            ends_on: Set(since + chrono::Duration::days(400)),
            sponsor_since: Set(since),
            tier_rank: Set(1),
            auto_renew: Set(false),
            status: Set(entity::sponsorship::SponsorshipState::Active),
            in_kind_description: Set(None),
            cancel_reason: Set(None),
            recorded_by: Set(organization.id),
            created_at: Set(now),
            updated_at: Set(now),
            announced_at: Set(Some(now)),
        }
        .insert(&db)
        .await
        .expect("sponsorship");
        // Consent is the sponsor's.
        entity::sponsor_consent::ActiveModel {
            sponsor_key: Set(format!("organization:{}", organization.id)),
            disclose: Set(true),
            updated_at: Set(now),
        }
        .insert(&db)
        .await
        .expect("consent");
    }
    let mut config = Config::for_database(url);
    config.signing_key_file = Some(dir.join("key.pem"));
    api::app(AppState::new(config, db).expect("state"))
}

async fn bench_page(app: &impl Endpoint, name: &str, query: &str) {
    let body = serde_json::json!({ "query": query }).to_string();
    let mut samples = Vec::new();
    for _ in 0..60 {
        let request = Request::builder()
            .method(Method::POST)
            .uri_str("/graphql")
            .content_type("application/json")
            .body(body.clone());
        let started = Instant::now();
        let response = app.get_response(request).await;
        let bytes = response.into_body().into_bytes().await.expect("body");
        samples.push(started.elapsed());
        assert!(
            !bytes.windows(8).any(|w| w == b"\"errors\""),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    report(name, samples);
}

fn main() {
    bench_tally();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let app = seeded_app(dir.path()).await;
        bench_page(
            &app,
            "directory page of 100 with holders and classes",
            "{ memberships(first: 100) { totalCount nodes { id status since expiresOn class { key name } holder { ... on Account { displayName } } } } }",
        )
        .await;
        bench_page(
            &app,
            "sponsor page of 100 (one joined select, one count)",
            "{ sponsors(first: 100) { totalCount nodes { displayName since tier { name rank } } } }",
        )
        .await;
    });
}
