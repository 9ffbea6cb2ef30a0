//! An independent recount: a second implementation of the tally, written apart from
//! `api::bylaws::tally`, that reads only the audit entries (as an ADMIN through `auditEvents`)
//! and computes in exact rational arithmetic, with no floats. It must agree with the stored
//! tally on random votes.

use std::cmp::Ordering;

use api::auth::Role;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use tests::factories::{
    a_contributor, a_person, a_person_with, a_proposed_amendment, a_sponsorship, an_organization,
    close_after_time_runs_out, no_waiting, open_vote, vote,
};

use super::foundation;

/// An exact fraction, always in lowest terms with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Q {
    n: i128,
    d: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Q {
    fn new(n: i128, d: i128) -> Self {
        assert!(d != 0, "a fraction over zero");
        let g = gcd(n, d).max(1) * d.signum();
        Self { n: n / g, d: d / g }
    }
    fn int(n: i128) -> Self {
        Self::new(n, 1)
    }
    /// A decimal as JSON writes it ("0.49", "0.6666666666666666", "1"): exactly that decimal.
    fn decimal(number: &Value) -> Self {
        let text = number.to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits: i128 = format!("{whole}{fraction}")
            .parse()
            .expect("a plain decimal");
        Self::new(
            digits,
            10i128.pow(u32::try_from(fraction.len()).expect("digits")),
        )
    }
    fn add(self, o: Self) -> Self {
        Self::new(self.n * o.d + o.n * self.d, self.d * o.d)
    }
    fn sub(self, o: Self) -> Self {
        Self::new(self.n * o.d - o.n * self.d, self.d * o.d)
    }
    fn mul(self, o: Self) -> Self {
        Self::new(self.n * o.n, self.d * o.d)
    }
    fn div(self, o: Self) -> Self {
        Self::new(self.n * o.d, self.d * o.n)
    }
    fn is_zero(self) -> bool {
        self.n == 0
    }
    fn to_f64(self) -> f64 {
        self.n as f64 / self.d as f64
    }
}

impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Q {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.n * o.d).cmp(&(o.n * self.d))
    }
}

/// One roll entry as `vote.opened` records it, with the last choice the log shows for it.
struct Entry {
    weight: Q,
    sponsor: bool,
    choice: Option<String>,
}

/// The recount's result.
#[derive(Debug)]
struct Recount {
    yes: Q,
    no: Q,
    abstain: Q,
    eligible_weight: Q,
    sponsor_scale: Q,
    cast_sponsor_scale: Q,
    voters: usize,
    eligible_voters: usize,
    quorum_reached: bool,
    passed: bool,
}

/// The factor that leaves sponsors at most `cap` of `sponsors + others`: DOMAIN.md's influence
/// cap, solved exactly: f·S / (f·S + N) = c.
fn cap_factor(sponsors: Q, others: Q, cap: Q) -> Q {
    let one = Q::int(1);
    if sponsors.is_zero() || sponsors <= cap.mul(sponsors.add(others)) {
        return one;
    }
    if others.is_zero() || cap.is_zero() {
        return Q::int(0);
    }
    cap.mul(others).div(sponsors.mul(one.sub(cap)))
}

/// The members' vote, from DOMAIN.md: the cap on the roll, quorum on the roll, the cap again on
/// the YES and NO cast, and a simple majority.
fn recount(roll: &[Entry], rules: &Value) -> Recount {
    let sum = |sponsor: bool, choices: &[&str]| {
        roll.iter()
            .filter(|e| e.sponsor == sponsor)
            .filter(|e| {
                choices.is_empty() || e.choice.as_deref().is_some_and(|c| choices.contains(&c))
            })
            .fold(Q::int(0), |total, e| total.add(e.weight))
    };
    let cap = Q::decimal(&rules["sponsorInfluenceCap"]);
    let scale = cap_factor(sum(true, &[]), sum(false, &[]), cap);
    let cast = ["YES", "NO"];
    let cast_scale = cap_factor(sum(true, &cast).mul(scale), sum(false, &cast), cap);
    let decided = |choice: &str| {
        sum(true, &[choice])
            .mul(scale)
            .mul(cast_scale)
            .add(sum(false, &[choice]))
    };
    let on_roll = |choices: &[&str]| sum(true, choices).mul(scale).add(sum(false, choices));
    let eligible_weight = on_roll(&[]);
    let voters = roll.iter().filter(|e| e.choice.is_some()).count();
    let eligible_voters = roll.len();
    let quorum_reached = eligible_voters > 0
        && Q::int(voters as i128)
            >= Q::decimal(&rules["memberQuorumShare"]).mul(Q::int(eligible_voters as i128))
        && on_roll(&["YES", "NO", "ABSTAIN"])
            >= Q::decimal(&rules["memberQuorumWeightShare"]).mul(eligible_weight);
    let (yes, no) = (decided("YES"), decided("NO"));
    Recount {
        yes,
        no,
        abstain: on_roll(&["ABSTAIN"]),
        eligible_weight,
        sponsor_scale: scale,
        cast_sponsor_scale: cast_scale,
        voters,
        eligible_voters,
        quorum_reached,
        passed: quorum_reached && yes > no,
    }
}

/// Reads the roll, the rules and the votes of `amendment` from the audit log alone.
async fn from_the_audit_log(
    app: &tests::TestApp,
    admin: &tests::factories::Person,
    amendment: &str,
) -> Recount {
    let log = app
        .gql_as(
            &admin.access_token,
            "query($id: ID) { auditEvents(subjectId: $id, first: 100) { nodes { action summary } } }",
            json!({ "id": amendment }),
        )
        .await;
    let nodes = log.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert!(nodes.len() < 100, "the whole log fits one page");
    let opened = &nodes
        .iter()
        .find(|n| n["action"] == "vote.opened")
        .expect("vote.opened")["summary"];
    let mut roll: Vec<(String, Entry)> = opened["roll"]
        .as_array()
        .expect("roll")
        .iter()
        .map(|e| {
            (
                e["entry"].as_str().expect("entry").to_owned(),
                Entry {
                    weight: Q::decimal(&e["weight"]),
                    sponsor: e["sponsor"].as_bool().expect("sponsor"),
                    choice: None,
                },
            )
        })
        .collect();
    // The log is in order: the last cast or change of an entry is its vote.
    for node in &nodes {
        if node["action"] == "vote.cast" || node["action"] == "vote.changed" {
            let entry = node["summary"]["entry"].as_str().expect("entry");
            let (_, target) = roll
                .iter_mut()
                .find(|(key, _)| key == entry)
                .expect("a vote of an entry on the roll");
            target.choice = Some(
                node["summary"]["choice"]
                    .as_str()
                    .expect("choice")
                    .to_owned(),
            );
        }
    }
    let entries: Vec<Entry> = roll.into_iter().map(|(_, e)| e).collect();
    recount(&entries, &opened["rules"])
}

fn close_to(exact: Q, stored: &Value) -> bool {
    (exact.to_f64() - stored.as_f64().expect("a number")).abs() < 1e-9
}

#[test]
fn the_recount_itself_follows_the_two_examples() {
    let rules = json!({ "sponsorInfluenceCap": 0.49, "memberQuorumShare": 0.1, "memberQuorumWeightShare": 0.1 });
    let entry = |weight, sponsor, choice: Option<&str>| Entry {
        weight: Q::int(weight),
        sponsor,
        choice: choice.map(str::to_owned),
    };
    let mut roll: Vec<Entry> = (0..100).map(|_| entry(1, false, None)).collect();
    roll.extend((0..12).map(|_| entry(15, true, Some("YES"))));
    let alone = recount(&roll, &rules);
    assert!(alone.quorum_reached && !alone.passed);
    assert_eq!(alone.cast_sponsor_scale, Q::int(0));
    let mut roll: Vec<Entry> = (0..5).map(|_| entry(1, false, Some("NO"))).collect();
    roll.extend((0..5).map(|_| entry(1, false, None)));
    roll.extend((0..2).map(|_| entry(15, true, Some("YES"))));
    let outweighed = recount(&roll, &rules);
    assert!(!outweighed.passed);
    assert_eq!(
        outweighed.yes.div(outweighed.yes.add(outweighed.no)),
        Q::new(49, 100)
    );
}

#[tokio::test]
async fn an_exact_recount_from_the_audit_log_agrees_with_the_stored_tally() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let mut voters = Vec::new();
    for i in 0..9 {
        voters.push(
            a_contributor(app, &format!("Member {i}"), &f.committee)
                .await
                .0,
        );
    }
    for (name, tier) in [
        ("SilverCo", "Silver"),
        ("GoldCo", "Gold"),
        ("PlatinumCo", "Platinum"),
    ] {
        let representative = a_person(app, &format!("{name} Rep")).await;
        let organization = an_organization(app, &representative, name).await;
        a_sponsorship(&organization, tier)
            .record(app, &treasurer)
            .await;
        voters.push(representative);
    }
    let mut rng = StdRng::seed_from_u64(20261126);
    let choices = ["YES", "NO", "ABSTAIN"];
    for round in 0..4 {
        let id =
            a_proposed_amendment(app, &voters[0], &f.sections[1], &format!("Round {round}.")).await;
        open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
        for voter in &voters {
            if rng.gen_bool(0.7) {
                vote(app, voter, &id, choices[rng.gen_range(0..3)], None)
                    .await
                    .data();
                if rng.gen_bool(0.3) {
                    vote(app, voter, &id, choices[rng.gen_range(0..3)], None)
                        .await
                        .data();
                }
            }
        }
        let closed = close_after_time_runs_out(app, &f.secretary, &id).await;
        let stored = app
            .gql("query($id: ID!) { amendment(id: $id) { tally { yes no abstain eligibleWeight eligibleVoters voters sponsorScale castSponsorScale quorumReached passed } } }", json!({ "id": id }))
            .await
            .data()["amendment"]["tally"]
            .clone();
        assert_eq!(stored, closed["tally"]);
        let exact = from_the_audit_log(app, &f.admin, &id).await;
        let agrees = close_to(exact.yes, &stored["yes"])
            && close_to(exact.no, &stored["no"])
            && close_to(exact.abstain, &stored["abstain"])
            && close_to(exact.eligible_weight, &stored["eligibleWeight"])
            && close_to(exact.sponsor_scale, &stored["sponsorScale"])
            && close_to(exact.cast_sponsor_scale, &stored["castSponsorScale"])
            && json!(exact.voters) == stored["voters"]
            && json!(exact.eligible_voters) == stored["eligibleVoters"]
            && json!(exact.quorum_reached) == stored["quorumReached"]
            && json!(exact.passed) == stored["passed"];
        assert!(
            agrees,
            "round {round}: recount {exact:?}, stored {stored:#}"
        );
    }
}
