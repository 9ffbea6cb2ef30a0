#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use super::*;
use crate::elections::{count::*, fixed::SCALE, test_support::*};
use sha2::{Digest, Sha256};

// ---------- (f) BLT ----------

#[test]
fn blt_export_format() {
    let c = candidates(&["Ann", "Bob \"B\"", "Cy"]);
    let b = vec![
        Ballot::new(whole(2), vec![0, 2]),
        Ballot::new(fx("1.5"), vec![1]),
    ];
    // Weights are whole numbers of the largest unit dividing them all, stated on the title line.
    assert_eq!(
        to_blt("Board 2026", &c, 2, &b),
        "3 2\n4 1 3 0\n3 2 0\n0\n\"Ann\"\n\"Bob 'B'\"\n\"Cy\"\n\"Board 2026 [weights in units of 0.5 votes]\"\n"
    );
    let whole_weights = vec![
        Ballot::new(whole(15), vec![0]),
        Ballot::new(whole(1), vec![1]),
    ];
    assert_eq!(
        to_blt("T", &c, 1, &whole_weights),
        "3 1\n15 1 0\n1 2 0\n0\n\"Ann\"\n\"Bob 'B'\"\n\"Cy\"\n\"T [weights in units of 1 votes]\"\n"
    );
    let capped = vec![
        Ballot::new(fx("0.123456789"), vec![0]),
        Ballot::new(whole(1), vec![1]),
    ];
    assert!(to_blt("T", &c, 1, &capped).contains("\n123456789 1 0\n"));
    assert!(
        to_blt("T", &c, 1, &capped).ends_with("\"T [weights in units of 0.000000001 votes]\"\n")
    );
    // Read back: the unit comes off the title and multiplies the weights.
    let parsed = from_blt(&to_blt("Board 2026", &c, 2, &b)).expect("parse");
    assert_eq!(parsed.title, "Board 2026");
    assert_eq!(parsed.weight_unit, fx("0.5"));
    assert_eq!(parsed.ballots, b);
}

#[test]
fn every_exported_weight_is_a_whole_number() {
    let c = candidates(&["A", "B"]);
    let b: Vec<Ballot> = [1_000_000_000, 490_000_000, 333_333_333, 15_000_000_000]
        .into_iter()
        .map(|units| Ballot::new(Fixed::from_units(units), vec![0, 1]))
        .collect();
    let text = to_blt("T", &c, 1, &b);
    for line in text.lines().skip(1).take(b.len()) {
        let weight = line.split_whitespace().next().expect("a weight");
        assert!(weight.parse::<u64>().is_ok(), "{line}");
    }
    assert_eq!(from_blt(&text).expect("parse").ballots, b);
}

#[test]
fn blt_round_trip_reproduces_the_result() {
    let c = vec![
        Candidate::new("Ann").with_organization("acme"),
        Candidate::new("Bob").with_organization("acme"),
        Candidate::new("Cy"),
        Candidate::new("Dee"),
        Candidate::new("Eve"),
    ];
    let mut b = Vec::new();
    for (i, ranking) in [
        vec![0, 1, 2],
        vec![1, 0],
        vec![2, 3],
        vec![3, 4, 2],
        vec![4],
        vec![1, 3],
    ]
    .iter()
    .enumerate()
    {
        for k in 0..4 {
            let weight = Fixed::from_units(SCALE + (i as i64 * 3 + k) * 123_456_789);
            b.push(Ballot::new(weight, ranking.clone()));
        }
    }
    let seed = Sha256::digest(b"published ballots");
    let original = count(&c, 3, &b, &seed).expect("count");
    let text = to_blt("Board", &c, 3, &b);
    let parsed = from_blt(&text).expect("parse");
    assert_eq!(parsed.title, "Board");
    assert_eq!(parsed.seats, 3);
    assert_eq!(parsed.ballots, b);
    // BLT carries no organizations: the recount re-attaches them by candidate id.
    let recount_candidates: Vec<Candidate> = parsed
        .candidates
        .iter()
        .map(|x| c.iter().find(|o| o.id == x.id).expect("same ids").clone())
        .collect();
    assert_eq!(recount_candidates, c);
    assert_eq!(
        count(&recount_candidates, parsed.seats, &parsed.ballots, &seed).expect("count"),
        original
    );
    // Without organizations, the BLT alone reproduces the count.
    let plain = candidates(&["Ann", "Bob", "Cy", "Dee", "Eve"]);
    let parsed = from_blt(&to_blt("Board", &plain, 3, &b)).expect("parse");
    assert_eq!(
        count(&parsed.candidates, parsed.seats, &parsed.ballots, &seed).expect("count"),
        count(&plain, 3, &b, &seed).expect("count")
    );
}

#[test]
fn the_published_export_adds_the_draw_and_the_withdrawn_and_reads_back() {
    let c = candidates(&["Ann", "Bob", "Cy"]);
    let b = vec![
        Ballot::new(whole(2), vec![0, 2]),
        Ballot::new(whole(1), vec![1, 0]),
    ];
    let plain = to_blt("Board", &c, 2, &b);
    let published = annotated(&plain, &[2, 0, 1], &[1]);
    let lines: Vec<&str> = published.lines().collect();
    assert_eq!(lines[0], "3 2");
    assert!(lines.contains(&"[tie 3 1 2]"), "{published}");
    assert!(lines.contains(&"-2"), "{published}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with('#') && l.contains("organization rule")),
        "{published}"
    );
    // The seed's text is the export as it was before: earlier seeds still check.
    assert_eq!(seed_text(&published), plain);
    // Read back: Bob withdrawn, the tie order renumbered without him.
    let e = from_blt(&published).expect("parse");
    let ids: Vec<&str> = e.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["Ann", "Cy"]);
    assert_eq!(e.draw_order, Some(vec![1, 0]));
    assert_eq!(from_blt(&plain).expect("parse").draw_order, None);
    for bad in [
        "2 1\n[tie 1]\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // not every candidate
        "2 1\n[tie 1 1]\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // twice
        "2 1\n[tie 1 2\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // not closed on its line
        "2 1\n[nick a b]\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // an option not read
    ] {
        assert!(from_blt(bad).is_err(), "{bad:?} should be rejected");
    }
}

#[test]
fn blt_import_withdrawn_ballot_ids_and_errors() {
    let text = "4 2\n-2\n(b1) 3 1 2 3 0\n(b2) 2 2 4 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"D\"\n\"T\"\n";
    let e = from_blt(text).expect("parse");
    let ids: Vec<&str> = e.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["A", "C", "D"]);
    assert_eq!(
        e.ballots,
        vec![
            Ballot::new(whole(3), vec![0, 1]),
            Ballot::new(whole(2), vec![2])
        ]
    );
    for bad in [
        "",
        "2 1\n1 1 0\n\"A\"\n\"B\"\n\"T\"\n",      // no 0 line
        "2 1\n1 1 3 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // unknown candidate
        "2 1\n1 1=2 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // equal ranking
        "2 1\n1.0000000001 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", // 10 decimals
        "2 1\n1 1 0\n0\n\"A\"\n\"T\"\n",          // missing name
        "2 1\n1 1\n0\n\"A\"\n\"B\"\n\"T\"\n",     // no closing 0
        "2 1\n1.5 1 0\n0\n\"A\"\n\"B\"\n\"T [weights in units of 0.5 votes]\"\n", // not whole
        "2 1\n1 1 0\n0\n\"A\"\n\"B\"\n\"T [weights in units of x votes]\"\n", // bad unit
    ] {
        assert!(from_blt(bad).is_err(), "{bad:?} should be rejected");
    }
}

proptest::proptest! {
    /// Any election written as BLT reads back to the same ballots, and counts to the same
    /// result, fractional weights included.
    #[test]
    fn blt_round_trip_counts_the_same(
        n in 2usize..=7,
        seats in 1usize..=3,
        raw in proptest::collection::vec(
            (1i64..=4_000_000_000, proptest::collection::vec(0usize..7, 0..7)),
            0..30,
        ),
        seed in proptest::prelude::any::<[u8; 8]>(),
    ) {
        let c = candidates(&["A", "B", "C", "D", "E", "F", "G"][..n]);
        let b: Vec<Ballot> = raw
            .into_iter()
            .map(|(units, ranking)| {
                let mut seen = Vec::new();
                for x in ranking.into_iter().map(|x| x % n) {
                    if !seen.contains(&x) {
                        seen.push(x);
                    }
                }
                Ballot::new(Fixed::from_units(units), seen)
            })
            .collect();
        let text = to_blt("Round trip", &c, seats, &b);
        let parsed = from_blt(&text).expect("parse");
        proptest::prop_assert_eq!(&parsed.ballots, &b);
        proptest::prop_assert_eq!(&parsed.candidates, &c);
        proptest::prop_assert_eq!(
            count(&parsed.candidates, parsed.seats, &parsed.ballots, &seed).expect("count"),
            count(&c, seats, &b, &seed).expect("count")
        );
    }
}
