//! The counter: Meek's method step by step (A to C, as `count` describes them), on amounts in
//! fixed point, truncated or rounded up where the reference rule says.

use std::cmp::Reverse;

use crate::elections::{
    count::model::{Ballot, Candidate, CountError, Round, RoundEnd, Status},
    fixed::{Fixed, OMEGA, SCALE},
};

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

/// The outcome of one distribution of votes (B.2.a and B.2.b).
struct Tally {
    votes: Vec<i64>,
    quota: i64,
    exhausted: i64,
}

pub(super) struct Counter<'a> {
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

impl<'a> Counter<'a> {
    /// Step A: every candidate hopeful with a keep factor of 1; `rank` is each candidate's
    /// position in the draw order, and `total` the ballots' total weight.
    pub(super) fn new(
        candidates: &'a [Candidate],
        ballots: &'a [Ballot],
        seats: usize,
        total: i64,
        rank: Vec<usize>,
    ) -> Self {
        let n = candidates.len();
        Counter {
            candidates,
            ballots,
            seats,
            total,
            rank,
            kf: vec![SCALE; n],
            status: vec![Status::Hopeful; n],
            elected: Vec::new(),
        }
    }

    /// Steps B and C: every round, and the candidates elected, in order of election.
    pub(super) fn run(mut self) -> Result<(Vec<Round>, Vec<usize>), CountError> {
        let mut rounds = Vec::new();
        loop {
            // B.1: test count complete.
            let hopeful = self.hopeful().len();
            let filled = self.elected.len();
            if filled >= self.seats || filled + hopeful <= self.seats {
                break;
            }
            rounds.push(self.round(rounds.len() + 1)?);
        }
        // C: elect or defeat the remaining hopeful candidates.
        if !self.hopeful().is_empty() {
            rounds.push(self.finish(rounds.len() + 1)?);
        }
        Ok((rounds, self.elected))
    }
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
