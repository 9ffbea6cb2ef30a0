//! Meek STV counting for board elections, following the Proportional Representation Foundation's
//! *Reference Meek Rule* (<https://prfound.org/resources/reference/reference-meek-rule/>), with a
//! seeded tie-break draw, the organization exclusion rule, and BLT export and import.
//!
//! # The rule, as implemented
//!
//! All amounts are [`Fixed`]: integers scaled by 10^9 (9 decimal places). Products and quotients
//! are truncated (rounded down) except where the reference rule says "rounded up".
//!
//! * **A. Initialize.** Every candidate is *hopeful* with keep factor `kf = 1`; omega is
//!   0.000001 ([`OMEGA`](crate::elections::fixed::OMEGA)).
//! * **B.1 Test count complete.** Go to C if all seats are filled, or if elected plus hopeful
//!   candidates are no more than the seats.
//! * **B.2.a Distribute votes.** For each ballot, `w = 1`; for each ranked candidate in order,
//!   `keep = w × kf` *rounded up*; the candidate receives `keep × ballot weight` (truncated) and
//!   `w -= keep`, until the ranking ends or `w <= 0`. Whatever is left of a ballot is exhausted.
//!   A ballot of weight 3 therefore counts exactly as three ballots of weight 1, as in the
//!   multipliers of a BLT file (this is how Droop's `meek-prf` rule applies multipliers).
//! * **B.2.b Update quota.** `q = (sum of all votes) / (seats + 1)`, truncated, plus 0.000000001.
//! * **B.2.c Find winners.** Every hopeful candidate with `v >= q` is elected (see the
//!   organization rule below).
//! * **B.2.d Surplus.** `s` = sum over elected candidates of `v - q`, but not less than 0.
//! * **B.2.e Test iteration finished.** If B.2.c elected someone, the round ends (back to B.1).
//!   Otherwise, if `s < omega`, or (except in the first iteration) `s` is not smaller than the
//!   previous iteration's surplus, go to B.3.
//! * **B.2.f Update keep factors.** For each elected candidate,
//!   `kf = (kf × q, rounded up) / v, rounded up`; iterate again from B.2.a.
//! * **B.3 Defeat low candidate.** Defeat the hopeful candidate with the lowest vote `v`; every
//!   hopeful candidate with a vote `<= v + s` is tied with it, and the tie is broken by the draw.
//!   Its keep factor becomes 0. There is no bulk defeat of "sure losers" (the rule has none).
//! * **C. Finish.** If seats remain, elect every remaining hopeful candidate; otherwise defeat
//!   them. This is recorded as a last round ([`RoundEnd::Finished`]) with a fresh distribution
//!   of votes, which also orders the candidates elected in it.
//!
//! # Ties: the seeded draw
//!
//! The caller gives a seed (Quorum passes the SHA-256 of the published ballots). The **draw
//! order** sorts the candidates by `SHA-256(seed ‖ UTF-8 bytes of the candidate id)`, compared
//! as 32-byte big-endian numbers, smallest first (two equal digests, which never happen in
//! practice, fall back to the candidate index). Whenever a tie must be broken, the tied candidate
//! that comes first in the draw order is chosen: it is the one defeated in B.3, and among
//! candidates elected in the same iteration with equal votes it is elected first. The draw order
//! is published in [`CountResult::draw_order`]; anyone can recompute it with `sha256sum`.
//!
//! # Organization rule (Quorum-specific, not in the reference rule)
//!
//! A candidate may carry organizations (every one they work for or represent). When a candidate
//! is elected, every remaining hopeful candidate sharing one of them is excluded at that point: its keep factor becomes 0 (its
//! votes transfer at the next distribution) and it is listed in [`Round::excluded`]. When several
//! candidates reach the quota in one iteration they are elected in order of votes (highest
//! first, ties by the draw), so of two from one organization the one with more votes is elected.
//! The same applies in step C, which may then leave a seat unfilled.
//!
//! # BLT
//!
//! [`to_blt`] writes the standard BLT format and [`from_blt`] reads it. BLT has no field for
//! organizations: a recount of a count where the organization rule applied must re-apply it.
//! Common BLT readers only accept whole multipliers (Droop.py and OpenSTV match `\d+`, stv-rs
//! parses a `usize`), so every weight is written as a whole number of one unit, stated on the
//! title line (see `elections::blt`).

mod meek;
mod model;

use sha2::{Digest, Sha256};
use std::collections::HashSet;

pub use model::{Ballot, Candidate, CountError, CountResult, Round, RoundEnd, Status};

use crate::elections::fixed::{Fixed, MAX_TOTAL_WEIGHT};
use meek::Counter;

/// Name of the counting method, recorded in [`CountResult::method`].
pub const METHOD: &str = "Meek STV (PR Foundation reference rule: 9-decimal fixed point, \
                          omega 0.000001), seeded SHA-256 draw, organization exclusion";

/// The draw order of the candidates for this seed: indices sorted by
/// `SHA-256(seed ‖ id)` (as big-endian numbers), then by index.
pub fn draw_order(candidates: &[Candidate], seed: &[u8]) -> Vec<usize> {
    let mut keyed: Vec<([u8; 32], usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut hasher = Sha256::new();
            hasher.update(seed);
            hasher.update(c.id.as_bytes());
            (hasher.finalize().into(), i)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Counts an election by Meek STV (see the module documentation for the exact rule).
///
/// `seed` seeds the tie-break draw; Quorum passes the SHA-256 of the published ballots. Every
/// tie goes to the tied candidate that comes first in [`draw_order`]`(candidates, seed)`, that
/// is, with the smallest `SHA-256(seed ‖ id)`; the order is returned in
/// [`CountResult::draw_order`].
/// Returns an error for invalid input: no seat, no candidate, empty or repeated candidate ids,
/// a weight that is not positive, a ranking with an unknown or repeated candidate index.
pub fn count(
    candidates: &[Candidate],
    seats: usize,
    ballots: &[Ballot],
    seed: &[u8],
) -> Result<CountResult, CountError> {
    count_with_draw_order(candidates, seats, ballots, draw_order(candidates, seed))
}

/// Counts with an explicit draw order (a permutation of the candidate indices): the order a BLT
/// file's `[tie …]` option gives, for a recount that reads the file alone.
pub fn count_with_draw_order(
    candidates: &[Candidate],
    seats: usize,
    ballots: &[Ballot],
    order: Vec<usize>,
) -> Result<CountResult, CountError> {
    let total = validate(candidates, seats, ballots)?;
    let n = candidates.len();
    let mut rank = vec![0; n];
    for (position, &c) in order.iter().enumerate() {
        if let Some(r) = rank.get_mut(c) {
            *r = position;
        }
    }
    let (rounds, elected) = Counter::new(candidates, ballots, seats, total, rank).run()?;
    Ok(CountResult {
        method: METHOD.to_string(),
        seats,
        total_weight: Fixed(total),
        draw_order: order,
        quota: rounds.last().map_or(Fixed::ZERO, |r| r.quota),
        elected,
        rounds,
    })
}

/// Checks the input and returns the total weight.
fn validate(candidates: &[Candidate], seats: usize, ballots: &[Ballot]) -> Result<i64, CountError> {
    if seats == 0 {
        return Err(CountError::NoSeats);
    }
    if candidates.is_empty() {
        return Err(CountError::NoCandidates);
    }
    let mut ids = HashSet::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.id.is_empty() {
            return Err(CountError::EmptyCandidateId(i));
        }
        if !ids.insert(c.id.as_str()) {
            return Err(CountError::DuplicateCandidateId(i));
        }
    }
    let mut total = 0i64;
    for (b, ballot) in ballots.iter().enumerate() {
        if ballot.weight.0 <= 0 {
            return Err(CountError::InvalidWeight(b));
        }
        let mut seen = vec![false; candidates.len()];
        for &candidate in &ballot.ranking {
            match seen.get_mut(candidate) {
                None => {
                    return Err(CountError::UnknownCandidate {
                        ballot: b,
                        candidate,
                    });
                }
                Some(true) => {
                    return Err(CountError::DuplicateRanking {
                        ballot: b,
                        candidate,
                    });
                }
                Some(s) => *s = true,
            }
        }
        total = total
            .checked_add(ballot.weight.0)
            .ok_or(CountError::TooMuchWeight)?;
    }
    if total > MAX_TOTAL_WEIGHT.0 {
        return Err(CountError::TooMuchWeight);
    }
    Ok(total)
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
