#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use super::*;
use crate::elections::{blt::*, fixed::*, test_support::*};
use proptest::prelude::*;

// ---------- Fixed ----------

#[test]
fn fixed_parses_and_displays_nine_decimals() {
    assert_eq!(fx("1.5").to_string(), "1.500000000");
    assert_eq!(fx("2").to_string(), "2.000000000");
    assert_eq!(fx("0.000000001"), Fixed::EPSILON);
    assert_eq!(fx("-3.25").to_string(), "-3.250000000");
    assert_eq!(Fixed::from_units(1_500_000_000), fx("1.500000000"));
    for bad in [
        "",
        ".5",
        "1.",
        "1.0000000001",
        "1,5",
        "abc",
        "99999999999999999999",
    ] {
        assert!(bad.parse::<Fixed>().is_err(), "{bad:?} should not parse");
    }
    assert_eq!(String::from(fx("7.25")), "7.250000000");
    assert_eq!(Fixed::try_from("7.25".to_string()), Ok(fx("7.25")));
}

// ---------- (a) classic hand-checkable cases ----------

#[test]
fn single_seat_first_round_majority() {
    // A 6, B 3, C 1: total 10, quota = 10/2 + 0.000000001 = 5.000000001; A has 6: elected in
    // round 1; step C defeats B and C. (With A at exactly 5 of 10, A would not reach the quota.)
    let c = candidates(&["A", "B", "C"]);
    let b = ballots(&[(6, &[0]), (3, &[1, 2]), (1, &[2])]);
    let r = count(&c, 1, &b, b"seed").expect("count");
    assert_eq!(r.rounds[0].quota, fx("5.000000001"));
    assert_eq!(r.rounds[0].elected, vec![0]);
    assert_eq!(r.rounds[0].iterations, 1);
    assert_eq!(r.rounds[1].end, RoundEnd::Finished);
    assert_eq!(r.rounds[1].defeated, vec![1, 2]);
    assert_eq!(r.elected, vec![0]);
}

#[test]
fn single_seat_is_instant_runoff() {
    // A 4, B 3, C 2 (C's voters prefer B next). Total 9, quota = 4.500000000 + 0.000000001.
    // Round 1: nobody reaches 4.500000001; surplus 0 < omega; C (lowest) is defeated.
    // Round 2: B = 3 + 2 = 5 >= quota: B is elected. Round 3 (step C): A is defeated.
    let c = candidates(&["A", "B", "C"]);
    let b = ballots(&[(4, &[0]), (3, &[1]), (2, &[2, 1])]);
    let r = count(&c, 1, &b, b"seed").expect("count");
    assert_eq!(r.rounds.len(), 3);
    assert_eq!(r.rounds[0].quota, fx("4.500000001"));
    assert_eq!(r.rounds[0].end, RoundEnd::SurplusBelowOmega);
    assert_eq!(r.rounds[0].defeated, vec![2]);
    assert_eq!(
        votes(&r.rounds[1]),
        ["4.000000000", "5.000000000", "0.000000000"]
    );
    assert_eq!(r.rounds[1].elected, vec![1]);
    assert_eq!(r.rounds[2].end, RoundEnd::Finished);
    assert_eq!(r.rounds[2].defeated, vec![0]);
    assert_eq!(r.elected, vec![1]);
    assert_eq!(r.quota, fx("4.500000001"));
    assert_eq!(r.method, METHOD);
}

#[test]
fn two_seats_with_surplus_transfer_by_hand() {
    // 8 x (A B), 3 x (B), 4 x (C). Total 15; quota = 15/3 + 0.000000001 = 5.000000001.
    // Round 1, iteration 1: A = 8 >= quota, A is elected.
    // Round 2, iteration 1: same votes, surplus = 8 - 5.000000001 = 2.999999999; no winner,
    //   so kf(A) = (1 x 5.000000001, up) / 8, up = 0.625000000125 -> 0.625000001.
    // Iteration 2: on each (A B) ballot A keeps 1 x 0.625000001 = 0.625000001 (x8 = 5.000000008)
    //   and passes w = 0.374999999 to B (x8 = 2.999999992): B = 3 + 2.999999992 = 5.999999992.
    //   Total 15, quota 5.000000001: B is elected. Step C defeats C.
    let c = candidates(&["A", "B", "C"]);
    let b = ballots(&[(8, &[0, 1]), (3, &[1]), (4, &[2])]);
    let r = count(&c, 2, &b, b"seed").expect("count");
    assert_eq!(r.rounds[0].elected, vec![0]);
    let r2 = &r.rounds[1];
    assert_eq!(r2.iterations, 2);
    assert_eq!(r2.keep_factors[0], fx("0.625000001"));
    assert_eq!(votes(r2), ["5.000000008", "5.999999992", "4.000000000"]);
    assert_eq!(r2.quota, fx("5.000000001"));
    assert_eq!(r2.elected, vec![1]);
    assert_eq!(r2.exhausted, Fixed::ZERO);
    // Surplus after electing B: 0.000000007 + 0.999999991.
    assert_eq!(r2.surplus, fx("0.999999998"));
    assert_eq!(r.rounds[2].defeated, vec![2]);
    assert_eq!(r.elected, vec![0, 1]);
}

#[test]
fn droop_42_pollux_defeated_by_rounding() {
    // Droop's test/blt/42.blt and test/ref/report/42-meek-prf-o6-fixed-p9-d9.txt
    // (github.com/jklundell/droop): 4 x (Castor Pollux), 2 x (Helen); 2 seats.
    // Quota 2.000000001. Castor's kf becomes 2.000000001/4 rounded up = 0.500000001, so Castor
    // keeps 2.000000004 and Pollux gets 1.999999996 < Helen's 2: Pollux is defeated.
    let b = from_blt("3 2\n4 1 2 0\n2 3 0\n0\n\"Castor\"\n\"Pollux\"\n\"Helen\"\n\"42\"\n")
        .expect("blt");
    let r = count_with_draw_order(&b.candidates, b.seats, &b.ballots, identity(3)).expect("count");
    let r2 = &r.rounds[1];
    assert_eq!(votes(r2), ["2.000000004", "1.999999996", "2.000000000"]);
    assert_eq!(r2.surplus, fx("0.000000003"));
    assert_eq!(r2.defeated, vec![1]);
    assert_eq!(r.elected, vec![0, 2]);
}

// ---------- (c) properties ----------

fn election() -> impl Strategy<Value = (Vec<Candidate>, usize, Vec<Ballot>)> {
    (2usize..=6, 1usize..=3).prop_flat_map(|(n, seats)| {
        let ballot = (1i64..=8, Just(identity(n)).prop_shuffle(), 1usize..=n).prop_map(
            |(halves, order, len)| {
                Ballot::new(Fixed::from_units(halves * SCALE / 2), order[..len].to_vec())
            },
        );
        let names = (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        (
            Just(candidates(
                &names.iter().map(String::as_str).collect::<Vec<_>>(),
            )),
            Just(seats),
            prop::collection::vec(ballot, 1..40),
        )
    })
}

proptest! {
    #[test]
    fn ballot_order_does_not_matter(
        (c, seats, b, shuffled) in election().prop_flat_map(|(c, s, b)| {
            let shuffled = Just(b.clone()).prop_shuffle();
            (Just(c), Just(s), Just(b), shuffled)
        }),
        seed in any::<[u8; 8]>(),
    ) {
        let r1 = count(&c, seats, &b, &seed).expect("count");
        let r2 = count(&c, seats, &shuffled, &seed).expect("count");
        prop_assert_eq!(&r1.elected, &r2.elected);
        prop_assert_eq!(r1, r2);
    }

    #[test]
    fn first_preferences_above_quota_are_elected((c, seats, b) in election(), seed in any::<[u8; 8]>()) {
        let total: i64 = b.iter().map(|x| x.weight.units()).sum();
        let quota = total / (seats as i64 + 1) + 1;
        let r = count(&c, seats, &b, &seed).expect("count");
        prop_assert_eq!(r.elected.len(), seats.min(c.len()));
        for cand in 0..c.len() {
            let first: i64 = b.iter().filter(|x| x.ranking[0] == cand).map(|x| x.weight.units()).sum();
            if first >= quota {
                prop_assert!(r.elected.contains(&cand), "{} has {} >= quota {}", cand, first, quota);
            }
        }
        for round in &r.rounds {
            let sum: i64 = round.votes.iter().map(|v| v.units()).sum();
            prop_assert_eq!(sum + round.exhausted.units(), total);
        }
    }

    #[test]
    fn never_two_elected_from_one_organization(
        (c, seats, b) in election(),
        orgs in prop::collection::vec(prop::option::of(0u8..2), 6),
    ) {
        let c: Vec<Candidate> = c.into_iter().zip(orgs).map(|(x, o)| match o {
            Some(o) => x.with_organization(format!("org{o}")),
            None => x,
        }).collect();
        let r = count(&c, seats, &b, b"seed").expect("count");
        let mut seen = HashSet::new();
        for &e in &r.elected {
            for o in &c[e].organizations {
                prop_assert!(seen.insert(o.clone()), "two elected from {}", o);
            }
        }
        prop_assert!(r.elected.len() <= seats);
    }
}

// ---------- (d) organization exclusion ----------

#[test]
fn organization_exclusion_transfers_votes() {
    // 5 x (A B), 4 x (B), 3 x (C), 1 x (D); 2 seats; total 13, quota 4.333333334.
    // Without organizations: A is elected (5), A's surplus lifts B to 4.666666665: A and B win.
    // With A and B both from "acme": electing A excludes B in round 1. B's ballots exhaust
    // (the 4 x (B)) or stay with A; C (3) then reaches the lower quota and wins.
    let plain = candidates(&["A", "B", "C", "D"]);
    let b = ballots(&[(5, &[0, 1]), (4, &[1]), (3, &[2]), (1, &[3])]);
    assert_eq!(
        count(&plain, 2, &b, b"s").expect("count").elected,
        vec![0, 1]
    );

    let mut orgs = plain.clone();
    orgs[0] = orgs[0].clone().with_organization("acme");
    orgs[1] = orgs[1].clone().with_organization("acme");
    let r = count(&orgs, 2, &b, b"s").expect("count");
    assert_eq!(r.rounds[0].elected, vec![0]);
    assert_eq!(r.rounds[0].excluded, vec![1]);
    assert_eq!(r.rounds[0].statuses[1], Status::Excluded);
    assert_eq!(r.rounds[1].votes[1], Fixed::ZERO);
    assert_eq!(r.rounds[1].keep_factors[1], Fixed::ZERO);
    assert!(r.rounds[1].exhausted >= whole(4));
    assert_eq!(r.elected, vec![0, 2]);
    assert!(r.rounds.iter().skip(1).all(|x| x.excluded.is_empty()));
}

#[test]
fn same_organization_reaching_quota_together_elects_the_higher() {
    // A (acme) 6, B (acme) 5, C 1; 2 seats; quota 4.000000001: A and B both reach it in
    // iteration 1. A (more votes) is elected, B excluded; C fills the last seat in step C.
    let c = vec![
        Candidate::new("A").with_organization("acme"),
        Candidate::new("B").with_organization("acme"),
        Candidate::new("C"),
    ];
    let b = ballots(&[(6, &[0]), (5, &[1]), (1, &[2])]);
    let r = count(&c, 2, &b, b"s").expect("count");
    assert_eq!(r.rounds[0].elected, vec![0]);
    assert_eq!(r.rounds[0].excluded, vec![1]);
    assert_eq!(r.rounds[1].end, RoundEnd::Finished);
    assert_eq!(r.elected, vec![0, 2]);
}

// ---------- (e) seeded tie-break ----------

#[test]
fn tie_break_is_repeatable_and_seed_dependent() {
    let c = candidates(&["Ann", "Bob"]);
    let b = ballots(&[(1, &[0]), (1, &[1])]);
    let mut winners = HashSet::new();
    for seed in 0u8..32 {
        let r = count(&c, 1, &b, &[seed]).expect("count");
        assert_eq!(r, count(&c, 1, &b, &[seed]).expect("count"), "repeatable");
        // The exact tie is broken by defeating the first candidate of the draw order.
        assert_eq!(r.rounds[0].defeated, vec![r.draw_order[0]]);
        winners.insert(r.elected[0]);
    }
    assert_eq!(winners.len(), 2, "both candidates win for some seed");
}

#[test]
fn draw_order_is_sha256_of_seed_and_id() {
    let c = candidates(&["Ann", "Bob", "Cy"]);
    let seed = [7u8; 32];
    let mut keyed: Vec<(Vec<u8>, usize)> = c
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                Sha256::digest([&seed[..], x.id.as_bytes()].concat()).to_vec(),
                i,
            )
        })
        .collect();
    keyed.sort();
    let expected: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    assert_eq!(draw_order(&c, &seed), expected);
}

// ---------- input validation ----------

#[test]
fn invalid_input_is_an_error() {
    let c = candidates(&["A", "B"]);
    let ok = ballots(&[(1, &[0, 1])]);
    assert_eq!(count(&c, 0, &ok, b""), Err(CountError::NoSeats));
    assert_eq!(count(&[], 1, &ok, b""), Err(CountError::NoCandidates));
    assert_eq!(
        count(&candidates(&["A", "A"]), 1, &ok, b""),
        Err(CountError::DuplicateCandidateId(1))
    );
    assert_eq!(
        count(&candidates(&["A", ""]), 1, &ok, b""),
        Err(CountError::EmptyCandidateId(1))
    );
    let dup = vec![Ballot::new(Fixed::ONE, vec![1, 0, 1])];
    assert_eq!(
        count(&c, 1, &dup, b""),
        Err(CountError::DuplicateRanking {
            ballot: 0,
            candidate: 1
        })
    );
    let unknown = vec![Ballot::new(Fixed::ONE, vec![2])];
    assert_eq!(
        count(&c, 1, &unknown, b""),
        Err(CountError::UnknownCandidate {
            ballot: 0,
            candidate: 2
        })
    );
    let zero = vec![Ballot::new(Fixed::ZERO, vec![0])];
    assert_eq!(count(&c, 1, &zero, b""), Err(CountError::InvalidWeight(0)));
    let heavy = vec![
        Ballot::new(MAX_TOTAL_WEIGHT, vec![0]),
        Ballot::new(Fixed::ONE, vec![1]),
    ];
    assert_eq!(count(&c, 1, &heavy, b""), Err(CountError::TooMuchWeight));
}

#[test]
fn mutual_surpluses_need_many_iterations() {
    // A and B each pass their surplus to the other, and A and B keep almost all of what they
    // receive, so the surplus only slowly leaks out (to exhaustion) and the keep factors
    // converge geometrically: round 2 needs many iterations before the surplus is below omega.
    // 27 x (A B), 26 x (B A), 24 x (C), 23 x (D); 3 seats. Total 100, quota 25.000000001.
    let c = candidates(&["A", "B", "C", "D"]);
    let b = ballots(&[(27, &[0, 1]), (26, &[1, 0]), (24, &[2]), (23, &[3])]);
    let r = count(&c, 3, &b, b"s").expect("count");
    assert_eq!(r.rounds[0].quota, fx("25.000000001"));
    assert_eq!(r.rounds[0].elected, vec![0, 1]);
    // Round 2: the surplus flows between A and B, part of it exhausts, the quota falls, and
    // after 9 iterations C's 24 votes reach it.
    let round = &r.rounds[1];
    assert_eq!(round.iterations, 9);
    assert_eq!(round.end, RoundEnd::Elected);
    assert_eq!(round.elected, vec![2]);
    assert_eq!(
        votes(round),
        [
            "24.353360288",
            "24.302953904",
            "24.000000000",
            "23.000000000"
        ]
    );
    assert!(
        round.quota <= whole(24) && round.votes[0] >= round.quota && round.votes[1] >= round.quota
    );
    assert!(round.keep_factors[0] < round.keep_factors[1] && round.keep_factors[1] < Fixed::ONE);
    assert_eq!(r.elected, vec![0, 1, 2]);
}

#[test]
fn more_seats_than_candidates_elects_everyone() {
    let c = candidates(&["A", "B"]);
    let r = count(&c, 3, &ballots(&[(2, &[1]), (1, &[0])]), b"s").expect("count");
    assert_eq!(r.elected, vec![1, 0]);
    assert_eq!(r.rounds.len(), 1);
    assert_eq!(r.rounds[0].end, RoundEnd::Finished);
}

#[test]
fn no_ballots_still_counts() {
    let c = candidates(&["A", "B", "C"]);
    let r = count(&c, 1, &[], b"s").expect("count");
    assert_eq!(r.elected.len(), 1);
    assert_eq!(r.total_weight, Fixed::ZERO);
}
