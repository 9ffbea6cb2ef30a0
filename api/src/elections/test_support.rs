//! Builders shared by the counting and BLT tests.

#![allow(dead_code)]

use crate::elections::{count::*, fixed::Fixed};

pub fn fx(s: &str) -> Fixed {
    s.parse().expect("valid amount")
}

pub fn whole(n: i64) -> Fixed {
    Fixed::from_int(n).expect("small whole number")
}

pub fn candidates(ids: &[&str]) -> Vec<Candidate> {
    ids.iter().map(|id| Candidate::new(*id)).collect()
}

/// `(count, ranking)`: `count` ballots of weight 1 with this ranking.
pub fn ballots(spec: &[(usize, &[usize])]) -> Vec<Ballot> {
    spec.iter()
        .flat_map(|&(n, ranking)| std::iter::repeat_n(Ballot::new(Fixed::ONE, ranking.to_vec()), n))
        .collect()
}

pub fn identity(n: usize) -> Vec<usize> {
    (0..n).collect()
}

pub fn votes(round: &Round) -> Vec<String> {
    round.votes.iter().map(ToString::to_string).collect()
}
