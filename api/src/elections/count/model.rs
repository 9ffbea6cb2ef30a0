//! What a count reads and writes: the candidates and ballots, each round and the result, and
//! the errors of invalid input.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::elections::fixed::{Fixed, MAX_TOTAL_WEIGHT};

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
    /// The counting method (`count::METHOD`).
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

/// Invalid input to `count::count`, or an amount too large for the arithmetic.
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
