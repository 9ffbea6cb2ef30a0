//! Who may stand for election, and why not: months in good standing, the term limit, one
//! directorship at a time, and no organization already holding a continuing seat. Also the
//! organizations each nominee on the ballot works for or represents, which the organization
//! rule counts with and certification checks. Rules only: the nomination commands are in
//! `nominations`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveDate, Utc};
use entity::{
    directorship, election, governance_policy, membership, nomination,
    prelude::{Directorship, Membership as Memberships, Nomination},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    elections::{board, record::FrozenRules},
    error::ApiResult,
    holders::Holder,
    members::status::{self as member_status, MembershipStatus},
};

/// Why a nominee cannot stand.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum IneligibleReason {
    /// Not a member in good standing: no active membership, of the person or an organization
    /// they represent.
    NotAMember,
    /// A member in good standing, but not for long enough.
    Standing,
    /// Served the most consecutive terms and has not sat out long enough.
    TermLimit,
    /// An organization of the nominee already has a director whose term continues.
    OrganizationHoldsSeat,
    /// The nominee is a director whose term continues past the new term's start: a person
    /// holds one directorship at a time.
    HoldsDirectorship,
}

/// A nominee's standing against the eligibility rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Eligible,
    Ineligible {
        reason: IneligibleReason,
        message: String,
    },
}

fn months_before(day: NaiveDate, months: i32) -> NaiveDate {
    day.checked_sub_months(Months::new(months.max(0).unsigned_abs()))
        .unwrap_or(NaiveDate::MIN)
}

fn years_before(day: NaiveDate, years: i32) -> NaiveDate {
    months_before(day, years.saturating_mul(12))
}

/// One person's candidacy to check: who, the organization they declared on accepting (if
/// any), and the day the new term would start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Candidacy {
    pub account: Uuid,
    pub declared: Option<Uuid>,
    pub term_starts: NaiveDate,
}

impl Candidacy {
    /// `account` standing in `election`, with the organization they declared.
    pub fn in_election(election: &election::Model, account: Uuid, declared: Option<Uuid>) -> Self {
        Self {
            account,
            declared,
            term_starts: term_starts(election),
        }
    }
}

/// The day a term won in `election` would start: when voting closes, or today once that passed.
pub fn term_starts(election: &election::Model) -> NaiveDate {
    election
        .voting_closes_at
        .date_naive()
        .max(Utc::now().date_naive())
}

/// The standing of each candidacy. A fixed number of statements, however many candidacies and
/// elections: the `StandingLoader` batches a page of elections' nominees through here.
pub async fn eligibility(
    db: &impl ConnectionTrait,
    policy: &governance_policy::Model,
    candidacies: &[Candidacy],
) -> ApiResult<HashMap<Candidacy, Standing>> {
    let Some(earliest) = candidacies.iter().map(|c| c.term_starts).min() else {
        return Ok(HashMap::new());
    };
    let today = Utc::now().date_naive();
    let accounts: HashSet<Uuid> = candidacies.iter().map(|c| c.account).collect();
    // The organizations each person represents, and the one they declared.
    let mut organizations = board::represented(db, accounts.iter().copied()).await?;
    for candidacy in candidacies {
        if let Some(org) = candidacy.declared {
            organizations
                .entry(candidacy.account)
                .or_default()
                .insert(org);
        }
    }
    // Memberships in good standing since long enough, of each person or their organizations.
    let mut keys: HashMap<String, Vec<Uuid>> = HashMap::new();
    for account in &accounts {
        keys.entry(Holder::Account(*account).key())
            .or_default()
            .push(*account);
        for org in organizations.get(account).into_iter().flatten() {
            keys.entry(Holder::Organization(*org).key())
                .or_default()
                .push(*account);
        }
    }
    // Memberships in good standing today, and those in good standing since long enough.
    let standing_since = months_before(today, policy.nominee_standing_months);
    let active = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys.keys().cloned()))
        .filter(member_status::condition(
            MembershipStatus::Active,
            today,
            policy.grace_period_days,
        ))
        .all(db)
        .await?;
    let holders_of = |m: &membership::Model| keys.get(&m.holder_key).cloned().unwrap_or_default();
    let members_now: HashSet<Uuid> = active.iter().flat_map(holders_of).collect();
    let members: HashSet<Uuid> = active
        .iter()
        .filter(|m| m.since <= standing_since)
        .flat_map(holders_of)
        .collect();
    // Every term of each person, for the term limit and the one-directorship rule.
    let mut terms: HashMap<Uuid, Vec<directorship::Model>> = HashMap::new();
    for term in Directorship::find()
        .filter(directorship::Column::AccountId.is_in(accounts.iter().copied()))
        .order_by_desc(directorship::Column::TermEndsOn)
        .all(db)
        .await?
    {
        terms.entry(term.account_id).or_default().push(term);
    }
    // Directors whose term continues past the earliest new term's start, with every
    // organization each works for or represents.
    let continuing = Directorship::find()
        .filter(directorship::Column::TermEndsOn.gt(earliest))
        .all(db)
        .await?;
    let of_directors = board::organizations_of_directors(db, &continuing).await?;
    let mut out = HashMap::new();
    for candidacy in candidacies {
        let account = candidacy.account;
        let starts = candidacy.term_starts;
        let own_terms = terms.get(&account).map_or(&[][..], Vec::as_slice);
        let mine = organizations.get(&account);
        let standing = if !members_now.contains(&account) {
            Standing::Ineligible {
                reason: IneligibleReason::NotAMember,
                message: "the nominee is not a member in good standing, in person or through an \
                          organization they represent"
                    .to_owned(),
            }
        } else if !members.contains(&account) {
            Standing::Ineligible {
                reason: IneligibleReason::Standing,
                message: format!(
                    "a nominee must have been a member in good standing for at least {} months",
                    policy.nominee_standing_months
                ),
            }
        } else if let Some(until) = term_limit(own_terms, starts, policy) {
            Standing::Ineligible {
                reason: IneligibleReason::TermLimit,
                message: format!(
                    "served {} consecutive terms; may stand again for a term starting on or after {until}",
                    policy.max_consecutive_terms
                ),
            }
        } else if let Some(seat) = own_terms.iter().find(|d| d.term_ends_on > starts) {
            Standing::Ineligible {
                reason: IneligibleReason::HoldsDirectorship,
                message: format!(
                    "already a director, with a term that continues until {}; a person holds one directorship at a time",
                    seat.term_ends_on
                ),
            }
        } else if let Some(seat) = continuing.iter().find(|d| {
            d.account_id != account
                && d.term_ends_on > starts
                && of_directors
                    .get(&d.account_id)
                    .is_some_and(|theirs| mine.is_some_and(|mine| !mine.is_disjoint(theirs)))
        }) {
            Standing::Ineligible {
                reason: IneligibleReason::OrganizationHoldsSeat,
                message: format!(
                    "an organization of the nominee already has a director whose term continues until {}",
                    seat.term_ends_on
                ),
            }
        } else {
            Standing::Eligible
        };
        out.insert(*candidacy, standing);
    }
    Ok(out)
}

/// When the term limit bars a term starting on `starts`: the first day a new term may start,
/// or `None` when it does not bar it. Terms (latest first) are consecutive when less than the
/// policy's break separates one's end from the next one's start.
fn term_limit(
    terms: &[directorship::Model],
    starts: NaiveDate,
    policy: &governance_policy::Model,
) -> Option<NaiveDate> {
    let mut chain = 0;
    let mut cursor = starts;
    let mut last_end = None;
    for term in terms {
        if term.term_starts_on > cursor {
            continue;
        }
        if term.term_ends_on > years_before(cursor, policy.term_limit_break_years) {
            chain += 1;
            last_end = Some(last_end.unwrap_or(term.term_ends_on).max(term.term_ends_on));
            cursor = term.term_starts_on;
        } else {
            break;
        }
    }
    if chain < policy.max_consecutive_terms {
        return None;
    }
    last_end.and_then(|end| {
        end.checked_add_months(Months::new(
            policy.term_limit_break_years.max(0).unsigned_abs() * 12,
        ))
    })
}

/// Every nomination of `election` with its nominee's standing.
pub async fn standings(
    db: &impl ConnectionTrait,
    election: &election::Model,
    policy: &governance_policy::Model,
) -> ApiResult<Vec<(nomination::Model, Standing)>> {
    let rows = of_election(db, election.id).await?;
    let candidacies: Vec<_> = rows
        .iter()
        .map(|n| Candidacy::in_election(election, n.nominee_account_id, n.organization_id))
        .collect();
    let standing = eligibility(db, policy, &candidacies).await?;
    Ok(rows
        .into_iter()
        .zip(candidacies)
        .map(|(n, candidacy)| {
            let s = standing
                .get(&candidacy)
                .cloned()
                .unwrap_or(Standing::Eligible);
            (n, s)
        })
        .collect())
}

/// The nominations of an election, in the order they were made.
async fn of_election(
    db: &impl ConnectionTrait,
    election: Uuid,
) -> ApiResult<Vec<nomination::Model>> {
    Ok(Nomination::find()
        .filter(nomination::Column::ElectionId.eq(election))
        .order_by_asc(nomination::Column::CreatedAt)
        .order_by_asc(nomination::Column::Id)
        .all(db)
        .await?)
}

/// Every organization each of `nominations` works for or represents: the one declared on
/// accepting and every one the nominee represents now. Frozen when voting opens, for the
/// organization rule in the count and at certification.
pub async fn organizations_of(
    db: &impl ConnectionTrait,
    nominations: &[&nomination::Model],
) -> ApiResult<BTreeMap<Uuid, Vec<Uuid>>> {
    let represented =
        board::represented(db, nominations.iter().map(|n| n.nominee_account_id)).await?;
    Ok(nominations
        .iter()
        .map(|n| {
            let mut orgs: Vec<Uuid> = represented
                .get(&n.nominee_account_id)
                .into_iter()
                .flatten()
                .copied()
                .chain(n.organization_id)
                .collect();
            orgs.sort();
            orgs.dedup();
            (n.id, orgs)
        })
        .collect())
}

/// The organizations of each nominee on the ballot, as frozen when voting opened. Elections
/// that opened before the freeze existed fall back to the organization each nominee declared.
pub async fn frozen_organizations(
    db: &impl ConnectionTrait,
    rules: &FrozenRules,
) -> ApiResult<BTreeMap<Uuid, Vec<Uuid>>> {
    if !rules.organizations.is_empty() {
        return Ok(rules.organizations.clone());
    }
    Ok(Nomination::find()
        .filter(nomination::Column::Id.is_in(rules.candidates.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organization_id.into_iter().collect()))
        .collect())
}
