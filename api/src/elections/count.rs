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
//!   0.000001 ([`OMEGA`]).
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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Reverse;
use std::collections::HashSet;
use std::fmt;

use crate::elections::fixed::{Fixed, MAX_TOTAL_WEIGHT, OMEGA, SCALE};

/// Name of the counting method, recorded in [`CountResult::method`].
pub const METHOD: &str = "Meek STV (PR Foundation reference rule: 9-decimal fixed point, \
                          omega 0.000001), seeded SHA-256 draw, organization exclusion";

/// A candidate (nominee). The id is what the BLT export names, and what the draw hashes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Candidate {
    /// Unique, non-empty identifier of the candidate.
    pub id: String,
    /// The organizations the candidate works for or represents; empty for none.
    pub organizations: Vec<String>,
}

impl Candidate {
    /// A candidate without an organization.
    pub fn new(id: impl Into<String>) -> Self {
        Candidate {
            id: id.into(),
            organizations: Vec::new(),
        }
    }

    /// The same candidate, with one more organization.
    pub fn with_organization(mut self, organization: impl Into<String>) -> Self {
        self.organizations.push(organization.into());
        self
    }

    /// Whether the two candidates share an organization.
    pub fn shares_organization_with(&self, other: &Candidate) -> bool {
        self.organizations
            .iter()
            .any(|o| other.organizations.contains(o))
    }
}

/// A ballot: a positive weight and a ranking of candidate indices, best first (may be partial).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ballot {
    /// Weight of the ballot (1 for one voter; class weights and the influence cap scale it).
    pub weight: Fixed,
    /// Indices into the candidate list, most preferred first, each at most once.
    pub ranking: Vec<usize>,
}

impl Ballot {
    /// A ballot with the given weight and ranking.
    pub fn new(weight: Fixed, ranking: Vec<usize>) -> Self {
        Ballot { weight, ranking }
    }
}

/// State of a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "CountStatus", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Still in the count.
    Hopeful,
    /// Elected.
    Elected,
    /// Defeated as the lowest candidate (step B.3) or as a remaining candidate (step C.2).
    Defeated,
    /// Excluded by the organization rule.
    Excluded,
}

/// Why a round ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "CountRoundEnd", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RoundEnd {
    /// At least one candidate reached the quota (B.2.e).
    Elected,
    /// The surplus fell below omega; the lowest candidate was defeated (B.3).
    SurplusBelowOmega,
    /// The surplus stopped decreasing; the lowest candidate was defeated (B.3).
    StableSurplus,
    /// Step C: the remaining hopeful candidates were elected or defeated.
    Finished,
}

/// One round of the count: the state after its last iteration, and what it decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// Round number, from 1.
    pub number: usize,
    /// Why the round ended.
    pub end: RoundEnd,
    /// Number of vote distributions (iterations of B.2) in the round.
    pub iterations: usize,
    /// Quota of the last iteration.
    pub quota: Fixed,
    /// Total surplus of the last iteration.
    pub surplus: Fixed,
    /// Each candidate's vote in the last iteration, by candidate index.
    pub votes: Vec<Fixed>,
    /// The keep factors used in the last iteration, by candidate index (a candidate defeated or
    /// excluded in this round shows the factor it had before; it is 0 from the next round on).
    pub keep_factors: Vec<Fixed>,
    /// Weight not given to any candidate in the last iteration (total weight minus all votes).
    pub exhausted: Fixed,
    /// Candidates elected in this round, in order of election.
    pub elected: Vec<usize>,
    /// Candidates defeated in this round.
    pub defeated: Vec<usize>,
    /// Candidates excluded in this round by the organization rule.
    pub excluded: Vec<usize>,
    /// Every candidate's state at the end of the round, by candidate index.
    pub statuses: Vec<Status>,
}

/// The result of a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountResult {
    /// The counting method ([`METHOD`]).
    pub method: String,
    /// Number of seats to fill.
    pub seats: usize,
    /// Total weight of all ballots.
    pub total_weight: Fixed,
    /// Candidate indices in draw order (ties go to the earliest).
    pub draw_order: Vec<usize>,
    /// The rounds, in order.
    pub rounds: Vec<Round>,
    /// Elected candidates, in order of election.
    pub elected: Vec<usize>,
    /// Quota of the last round.
    pub quota: Fixed,
}

/// Invalid input to [`count`], or an amount too large for the arithmetic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CountError {
    /// The number of seats is 0.
    NoSeats,
    /// There are no candidates.
    NoCandidates,
    /// The candidate at this index has an empty id.
    EmptyCandidateId(usize),
    /// The candidate at this index has the same id as an earlier one.
    DuplicateCandidateId(usize),
    /// The ballot at this index has a weight that is not positive.
    InvalidWeight(usize),
    /// A ballot ranks a candidate index that does not exist.
    UnknownCandidate {
        /// Index of the ballot.
        ballot: usize,
        /// The unknown candidate index.
        candidate: usize,
    },
    /// A ballot ranks the same candidate twice.
    DuplicateRanking {
        /// Index of the ballot.
        ballot: usize,
        /// The repeated candidate index.
        candidate: usize,
    },
    /// The total weight exceeds [`MAX_TOTAL_WEIGHT`].
    TooMuchWeight,
    /// An intermediate amount overflowed (not expected within [`MAX_TOTAL_WEIGHT`]).
    Overflow,
}

impl fmt::Display for CountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountError::NoSeats => write!(f, "there must be at least one seat"),
            CountError::NoCandidates => write!(f, "there are no candidates"),
            CountError::EmptyCandidateId(i) => write!(f, "candidate {i} has an empty id"),
            CountError::DuplicateCandidateId(i) => write!(f, "candidate {i} repeats an id"),
            CountError::InvalidWeight(b) => {
                write!(f, "ballot {b} has a weight that is not positive")
            }
            CountError::UnknownCandidate { ballot, candidate } => {
                write!(f, "ballot {ballot} ranks unknown candidate {candidate}")
            }
            CountError::DuplicateRanking { ballot, candidate } => {
                write!(
                    f,
                    "ballot {ballot} ranks candidate {candidate} more than once"
                )
            }
            CountError::TooMuchWeight => {
                write!(f, "total ballot weight exceeds {MAX_TOTAL_WEIGHT}")
            }
            CountError::Overflow => write!(f, "arithmetic overflow"),
        }
    }
}

impl std::error::Error for CountError {}

fn to_i64(value: i128) -> Result<i64, CountError> {
    i64::try_from(value).map_err(|_| CountError::Overflow)
}

/// `n / d` (with `d > 0`), rounded down or up.
fn round_div(n: i128, d: i128, up: bool) -> Result<i64, CountError> {
    if d <= 0 {
        return Err(CountError::Overflow);
    }
    let q = n.div_euclid(d);
    to_i64(if up && n.rem_euclid(d) != 0 { q + 1 } else { q })
}

/// `a × b` to 9 decimal places, rounded down or up.
fn mul(a: i64, b: i64, up: bool) -> Result<i64, CountError> {
    round_div(i128::from(a) * i128::from(b), i128::from(SCALE), up)
}

/// `a / b` to 9 decimal places, rounded down or up.
fn div(a: i64, b: i64, up: bool) -> Result<i64, CountError> {
    round_div(i128::from(a) * i128::from(SCALE), i128::from(b), up)
}

fn add(a: i64, b: i64) -> Result<i64, CountError> {
    a.checked_add(b).ok_or(CountError::Overflow)
}

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

/// Counts with an explicit draw order (a permutation of the candidate indices).
fn count_with_draw_order(
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
    let mut counter = Counter {
        candidates,
        ballots,
        seats,
        total,
        rank,
        kf: vec![SCALE; n],
        status: vec![Status::Hopeful; n],
        elected: Vec::new(),
    };
    let mut rounds = Vec::new();
    loop {
        // B.1: test count complete.
        let hopeful = counter.hopeful().len();
        let filled = counter.elected.len();
        if filled >= seats || filled + hopeful <= seats {
            break;
        }
        rounds.push(counter.round(rounds.len() + 1)?);
    }
    // C: elect or defeat the remaining hopeful candidates.
    if !counter.hopeful().is_empty() {
        rounds.push(counter.finish(rounds.len() + 1)?);
    }
    Ok(CountResult {
        method: METHOD.to_string(),
        seats,
        total_weight: Fixed(total),
        draw_order: order,
        quota: rounds.last().map_or(Fixed::ZERO, |r| r.quota),
        elected: counter.elected,
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

/// The outcome of one distribution of votes (B.2.a and B.2.b).
struct Tally {
    votes: Vec<i64>,
    quota: i64,
    exhausted: i64,
}

struct Counter<'a> {
    candidates: &'a [Candidate],
    ballots: &'a [Ballot],
    seats: usize,
    total: i64,
    /// Position of each candidate in the draw order.
    rank: Vec<usize>,
    kf: Vec<i64>,
    status: Vec<Status>,
    elected: Vec<usize>,
}

impl Counter<'_> {
    fn hopeful(&self) -> Vec<usize> {
        (0..self.status.len())
            .filter(|&c| self.status.get(c) == Some(&Status::Hopeful))
            .collect()
    }

    fn vote(t: &Tally, c: usize) -> i64 {
        t.votes.get(c).copied().unwrap_or(0)
    }

    fn rank(&self, c: usize) -> usize {
        self.rank.get(c).copied().unwrap_or(usize::MAX)
    }

    /// B.2.a and B.2.b: distributes every ballot with the current keep factors.
    fn tally(&self) -> Result<Tally, CountError> {
        let mut votes = vec![0i64; self.kf.len()];
        for ballot in self.ballots {
            let mut w = SCALE;
            for &c in &ballot.ranking {
                let (Some(&kf), Some(vote)) = (self.kf.get(c), votes.get_mut(c)) else {
                    return Err(CountError::UnknownCandidate {
                        ballot: 0,
                        candidate: c,
                    });
                };
                if kf == 0 {
                    continue;
                }
                let keep = mul(w, kf, true)?;
                *vote = add(*vote, mul(keep, ballot.weight.0, false)?)?;
                w -= keep;
                if w <= 0 {
                    break;
                }
            }
        }
        let sum = votes.iter().try_fold(0i64, |acc, &v| add(acc, v))?;
        let divisor = i64::try_from(self.seats + 1).map_err(|_| CountError::Overflow)?;
        let quota = add(sum.div_euclid(divisor), 1)?;
        Ok(Tally {
            votes,
            quota,
            exhausted: self.total - sum,
        })
    }

    /// B.2.d: the total surplus of the elected candidates, not less than 0.
    fn surplus(&self, t: &Tally) -> Result<i64, CountError> {
        let s = self
            .elected
            .iter()
            .try_fold(0i64, |acc, &c| add(acc, Self::vote(t, c) - t.quota))?;
        Ok(s.max(0))
    }

    /// Orders candidates by vote, highest first, ties by the draw.
    fn by_vote(&self, t: &Tally, mut list: Vec<usize>) -> Vec<usize> {
        list.sort_by_key(|&c| (Reverse(Self::vote(t, c)), self.rank(c)));
        list
    }

    fn set(&mut self, c: usize, status: Status) {
        if let Some(s) = self.status.get_mut(c) {
            *s = status;
        }
        if status != Status::Elected
            && let Some(k) = self.kf.get_mut(c)
        {
            *k = 0;
        }
    }

    /// Elects `c` and excludes the remaining hopeful candidates sharing an organization with it.
    fn elect(&mut self, c: usize, elected: &mut Vec<usize>, excluded: &mut Vec<usize>) {
        self.set(c, Status::Elected);
        self.elected.push(c);
        elected.push(c);
        let Some(winner) = self.candidates.get(c).cloned() else {
            return;
        };
        for d in self.hopeful() {
            if self
                .candidates
                .get(d)
                .is_some_and(|x| x.shares_organization_with(&winner))
            {
                self.set(d, Status::Excluded);
                excluded.push(d);
            }
        }
    }

    fn snapshot(
        &self,
        number: usize,
        end: RoundEnd,
        iterations: usize,
        t: &Tally,
        kf: &[i64],
    ) -> Round {
        Round {
            number,
            end,
            iterations,
            quota: Fixed(t.quota),
            surplus: Fixed::ZERO,
            votes: t.votes.iter().map(|&v| Fixed(v)).collect(),
            keep_factors: kf.iter().map(|&k| Fixed(k)).collect(),
            exhausted: Fixed(t.exhausted),
            elected: Vec::new(),
            defeated: Vec::new(),
            excluded: Vec::new(),
            statuses: Vec::new(),
        }
    }

    /// B.2 and B.3: one round, which elects at least one candidate or defeats one.
    fn round(&mut self, number: usize) -> Result<Round, CountError> {
        let mut last_surplus: Option<i64> = None;
        let mut iterations = 0;
        let (mut round, surplus, tally) = loop {
            iterations += 1;
            let t = self.tally()?;
            let kf = self.kf.clone();
            // B.2.c: find winners, highest vote first.
            let winners: Vec<usize> = self
                .hopeful()
                .into_iter()
                .filter(|&c| Self::vote(&t, c) >= t.quota)
                .collect();
            let (mut elected, mut excluded) = (Vec::new(), Vec::new());
            for c in self.by_vote(&t, winners) {
                if self.status.get(c) == Some(&Status::Hopeful) && self.elected.len() < self.seats {
                    self.elect(c, &mut elected, &mut excluded);
                }
            }
            let s = self.surplus(&t)?;
            // B.2.e: test for iteration finished.
            let end = if !elected.is_empty() {
                Some(RoundEnd::Elected)
            } else if s < OMEGA.0 {
                Some(RoundEnd::SurplusBelowOmega)
            } else if last_surplus.is_some_and(|last| s >= last) {
                Some(RoundEnd::StableSurplus)
            } else {
                None
            };
            if let Some(end) = end {
                let mut round = self.snapshot(number, end, iterations, &t, &kf);
                round.elected = elected;
                round.excluded = excluded;
                break (round, s, t);
            }
            last_surplus = Some(s);
            // B.2.f: update keep factors.
            for &c in &self.elected {
                let v = Self::vote(&t, c);
                if let Some(k) = self.kf.get_mut(c)
                    && v > 0
                {
                    *k = div(mul(*k, t.quota, true)?, v, true)?;
                }
            }
        };
        round.surplus = Fixed(surplus);
        if round.end != RoundEnd::Elected {
            // B.3: defeat the lowest hopeful candidate; those within the surplus are tied.
            let hopeful = self.hopeful();
            let low = hopeful
                .iter()
                .map(|&c| Self::vote(&tally, c))
                .min()
                .unwrap_or(0);
            let limit = add(low, surplus)?;
            let loser = hopeful
                .into_iter()
                .filter(|&c| Self::vote(&tally, c) <= limit)
                .min_by_key(|&c| self.rank(c));
            if let Some(c) = loser {
                self.set(c, Status::Defeated);
                round.defeated.push(c);
            }
        }
        round.statuses = self.status.clone();
        Ok(round)
    }

    /// C: elects (C.1) or defeats (C.2) the remaining hopeful candidates.
    fn finish(&mut self, number: usize) -> Result<Round, CountError> {
        let t = self.tally()?;
        let kf = self.kf.clone();
        let mut round = self.snapshot(number, RoundEnd::Finished, 1, &t, &kf);
        round.surplus = Fixed(self.surplus(&t)?);
        for c in self.by_vote(&t, self.hopeful()) {
            if self.status.get(c) != Some(&Status::Hopeful) {
                continue;
            }
            if self.elected.len() < self.seats {
                self.elect(c, &mut round.elected, &mut round.excluded);
            } else {
                self.set(c, Status::Defeated);
                round.defeated.push(c);
            }
        }
        round.statuses = self.status.clone();
        Ok(round)
    }
}

#[cfg(test)]
mod tests;
