//! Counts checked round by round against the output of Droop's `meek-prf` rule, the reference
//! implementation: many keep-factor iterations, and a real election of 13 candidates.

#![allow(clippy::indexing_slicing, clippy::expect_used)]

use super::*;
use crate::elections::{blt::*, test_support::*};

#[test]
fn voting_matters_issue_12_matches_droop_meek_prf() {
    // Droop test/blt/SC-Vm-12.blt; expected values from
    // test/ref/dump/SC-Vm-12-meek-prf-o6-fixed-p9-d9.txt (Droop's tie order = file order).
    // A and B pass surplus to each other, so round 2 needs many iterations.
    let blt = "5 3\n333 1 3 0\n333 1 4 0\n333 1 5 0\n333 2 3 0\n333 2 4 0\n333 2 5 0\n\
               667 3 0\n667 4 0\n667 5 0\n1 1 2 3 0\n1 1 2 4 0\n2 2 1 3 0\n0\n\
               \"A\"\n\"B\"\n\"X\"\n\"Y\"\n\"Z\"\n\"Voting matters example\"\n";
    let e = from_blt(blt).expect("blt");
    let r = count_with_draw_order(&e.candidates, e.seats, &e.ballots, identity(5)).expect("count");
    assert_eq!(r.rounds[0].elected, vec![0, 1]);
    let r2 = &r.rounds[1];
    assert_eq!(r2.iterations, 4);
    assert_eq!(r2.quota, fx("1000.750000001"));
    assert_eq!(r2.surplus, fx("0.000000250"));
    assert_eq!(
        votes(r2),
        [
            "1000.750000126",
            "1000.750000126",
            "667.166666686",
            "667.166666562",
            "667.166666500"
        ]
    );
    assert_eq!(r2.keep_factors[0], fx("0.999749750"));
    assert_eq!(r2.keep_factors[1], fx("0.999749750"));
    // X, Y and Z are within the surplus of the lowest: a tie, broken by the draw (X first).
    assert_eq!(r2.defeated, vec![2]);
    let r3 = &r.rounds[2];
    assert_eq!(r3.quota, fx("800.580647027"));
    assert_eq!(
        votes(r3),
        [
            "800.584418564",
            "800.584418564",
            "0.000000000",
            "800.596982770",
            "800.556768208"
        ]
    );
    assert_eq!(r3.keep_factors[0], fx("0.799464312"));
    assert_eq!(r3.elected, vec![3]);
    assert_eq!(r3.iterations, 7);
    assert_eq!(r.rounds[3].defeated, vec![4]);
    assert_eq!(r.elected, vec![0, 1, 3]);
}

/// Droop test/blt/SC.blt (GPUS Steering Committee Election 2005-07-24), 13 candidates, 4 seats.
const SC_BLT: &str = "13 4\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n1 13 7 5 4 2 1 0\n1 5 13 2 7 4 1 0\n\
1 13 4 1 2 0\n1 4 2 13 1 3 0\n1 4 13 2 7 0\n1 7 8 12 1 13 9 2 4 11 5 0\n1 1 13 3 4 7 5 2 0\n\
1 4 1 13 7 3 5 2 0\n1 4 1 13 7 3 5 2 0\n1 1 4 13 2 7 5 3 9 8 12 11 0\n1 7 1 8 9 13 3 2 4 12 5 11 0\n\
1 7 8 9 11 12 0\n1 7 1 8 9 13 3 2 4 12 5 11 0\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n\
1 5 1 13 3 2 4 7 0\n1 7 8 9 3 12 2 13 5 1 4 0\n1 3 13 1 2 0\n1 3 13 1 2 0\n1 4 7 13 5 0\n\
1 4 5 13 3 2 1 0\n1 7 8 9 11 12 0\n1 7 9 8 12 11 2 13 0\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n\
1 4 3 13 1 0\n1 4 3 13 1 0\n1 13 3 4 1 7 2 5 0\n1 3 13 4 1 7 2 5 0\n1 13 3 4 1 2 5 7 0\n\
1 13 1 4 2 5 3 7 0\n1 13 4 3 1 2 5 0\n1 3 13 1 4 2 7 5 0\n1 4 3 13 8 0\n1 4 3 13 1 0\n\
1 1 4 13 7 0\n1 1 4 13 7 0\n1 7 3 4 13 1 5 0\n1 9 11 8 7 0\n1 7 8 9 11 12 0\n1 13 3 5 2 0\n\
1 4 5 2 3 13 0\n1 13 5 2 4 1 3 7 0\n1 13 5 2 1 7 3 8 0\n1 7 8 9 12 11 0\n1 7 8 4 9 12 0\n\
1 13 4 7 2 8 0\n1 4 13 2 7 1 8 0\n1 7 8 11 9 12 0\n1 8 4 7 11 13 9 0\n1 7 4 2 13 0\n\
1 13 1 7 4 0\n1 4 1 2 13 9 5 0\n1 1 4 13 5 3 2 0\n1 7 5 4 8 11 2 13 1 3 9 12 0\n\
1 4 8 7 5 13 2 1 3 9 0\n1 3 4 7 2 12 13 8 1 5 0\n1 7 8 9 11 12 0\n1 7 8 11 9 0\n1 7 8 11 9 0\n\
1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n1 13 2 4 7 5 1 0\n1 7 8 9 11 12 0\n\
1 7 8 9 11 0\n1 7 8 9 11 12 0\n1 2 7 8 12 13 11 1 5 9 0\n1 4 7 8 2 0\n1 4 13 5 2 1 3 0\n\
1 13 4 7 3 1 5 8 2 9 0\n1 4 3 13 1 7 0\n1 13 4 1 3 0\n1 4 1 13 3 2 7 8 0\n1 2 4 13 5 0\n\
1 2 3 4 1 13 7 0\n1 3 1 4 13 0\n1 4 3 1 2 11 0\n1 3 1 4 13 2 7 0\n1 4 1 2 8 3 0\n\
1 4 1 5 13 2 3 0\n1 4 1 5 13 2 3 0\n1 7 8 9 11 12 0\n1 7 8 9 11 12 0\n1 13 7 3 2 5 4 1 0\n\
1 13 5 7 2 4 1 0\n1 7 8 9 11 12 0\n1 1 13 3 7 2 4 5 0\n1 13 1 2 7 4 5 3 0\n1 13 1 2 7 4 5 3 0\n\
1 3 1 4 2 13 7 9 5 8 0\n0\n\"Budd Dickinson\"\n\"Kirit Mookerjee\"\n\"Tom Sevigny\"\n\
\"Pat LaMarche\"\n\"Michael Piacsek\"\n\"Write-In 2\"\n\"Rebecca Rotzler\"\n\"Kristen Olsen\"\n\
\"Jason Jones\"\n\"Write-In 1\"\n\"Steve Greenfield\"\n\"Jimmy Leas\"\n\"Steve Kramer\"\n\
\"GPUS Steering Committee Election 2005-07-24\"\n";

#[test]
fn gpus_2005_matches_droop_meek_prf_round_by_round() {
    // Expected quota and votes of every round (rounds 1-11), from Droop
    // test/ref/dump/SC-meek-prf-o6-fixed-p9-d9.txt (action rows "elect"/"defeat").
    let r2: [&str; 13] = [
        "8.006073598",
        "3.232685848",
        "9.408174589",
        "18.800000609",
        "2.759954125",
        "0.000000000",
        "18.800000299",
        "13.000470959",
        "1.435843893",
        "0.000000000",
        "0.000000000",
        "0.000000000",
        "18.556796080",
    ];
    let mut r7 = r2;
    r7[7] = "14.436314852";
    r7[8] = "0.000000000";
    let expected: [(&str, [&str; 13]); 11] = [
        (
            "18.800000001",
            [
                "6.000000000",
                "3.000000000",
                "8.000000000",
                "22.000000000",
                "2.000000000",
                "0.000000000",
                "33.000000000",
                "1.000000000",
                "1.000000000",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "18.000000000",
            ],
        ),
        ("18.800000001", r2),
        ("18.800000001", r2),
        ("18.800000001", r2),
        ("18.800000001", r2),
        ("18.800000001", r2),
        ("18.800000001", r7),
        (
            "18.800000001",
            [
                "9.006073598",
                "3.394740964",
                "9.408174589",
                "19.165213770",
                "0.000000000",
                "0.000000000",
                "18.800000299",
                "14.506945584",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "19.718851196",
            ],
        ),
        (
            "18.799133306",
            [
                "9.427381450",
                "3.730149807",
                "9.774255128",
                "18.799133460",
                "0.000000000",
                "0.000000000",
                "18.799133416",
                "14.666479770",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "18.799133497",
            ],
        ),
        (
            "18.789719295",
            [
                "10.204118384",
                "0.000000000",
                "11.498644230",
                "18.789719457",
                "0.000000000",
                "0.000000000",
                "18.789719396",
                "15.876675538",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "18.789719467",
            ],
        ),
        (
            "18.586296861",
            [
                "0.000000000",
                "0.000000000",
                "16.482212783",
                "19.087429756",
                "0.000000000",
                "0.000000000",
                "19.073682122",
                "19.085721549",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "0.000000000",
                "19.202438090",
            ],
        ),
    ];
    let e = from_blt(SC_BLT).expect("blt");
    assert_eq!(e.ballots.len(), 94);
    let r = count_with_draw_order(&e.candidates, e.seats, &e.ballots, identity(13)).expect("count");
    for (i, (quota, v)) in expected.iter().enumerate() {
        assert_eq!(r.rounds[i].quota, fx(quota), "quota of round {}", i + 1);
        assert_eq!(votes(&r.rounds[i]), v.to_vec(), "votes of round {}", i + 1);
    }
    // Defeats in rounds 2-7 and 9-10 (surplus < omega), elections in rounds 1, 8 and 11.
    let defeated: Vec<usize> = r.rounds.iter().flat_map(|x| x.defeated.clone()).collect();
    assert_eq!(defeated, vec![5, 9, 10, 11, 8, 4, 1, 0, 2]);
    assert_eq!(r.rounds[1].surplus, fx("0.000000906"));
    assert_eq!(r.rounds[8].surplus, fx("0.000000455"));
    assert_eq!(r.rounds[9].surplus, fx("0.000000435"));
    let iterations: Vec<usize> = r.rounds.iter().map(|x| x.iterations).collect();
    assert_eq!(iterations, [1, 6, 1, 1, 1, 1, 1, 1, 11, 14, 3, 1]);
    let names: Vec<&str> = r
        .elected
        .iter()
        .map(|&c| e.candidates[c].id.as_str())
        .collect();
    // Droop lists Pat LaMarche (22) before Rebecca Rotzler (33), both elected in round 1, in file
    // order; this module orders simultaneous elections by votes, highest first.
    assert_eq!(
        names,
        [
            "Rebecca Rotzler",
            "Pat LaMarche",
            "Steve Kramer",
            "Kristen Olsen"
        ]
    );
    assert_eq!(r.quota, fx("18.586296861"));
}
