//! Nominations: a member in good standing nominates another person, the nominee accepts or
//! declines (an undisclosed member only by agreeing to be named), and the committee may
//! disqualify a nominee with a reason. Eligibility is checked here, with a reason when it fails:
//! months in good standing, the term limit, and no organization already holding a continuing
//! seat.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveDate, Utc};
use entity::{
    directorship,
    election::{self, ElectionState},
    governance_policy, membership,
    nomination::{self, NominationResponse},
    organization_representative,
    prelude::{
        Account, Directorship, Membership as Memberships, Nomination, OrganizationRepresentative,
    },
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::authors::hidden_from,
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    db::Tx,
    elections::{board, commands::lock, record::FrozenRules},
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    ids,
    members::{
        holder::{Holder, holder_keys_of},
        status::{self as member_status, MembershipStatus},
    },
    policy,
};

/// Why a nominee cannot stand.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum IneligibleReason {
    /// Not a member in good standing for long enough.
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
    let standing_since = months_before(today, policy.nominee_standing_months);
    let members: HashSet<Uuid> = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys.keys().cloned()))
        .filter(member_status::condition(
            MembershipStatus::Active,
            today,
            policy.grace_period_days,
        ))
        .filter(membership::Column::Since.lte(standing_since))
        .all(db)
        .await?
        .into_iter()
        .flat_map(|m| keys.get(&m.holder_key).cloned().unwrap_or_default())
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
        let standing = if !members.contains(&account) {
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
pub async fn of_election(
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

/// The nominations of an election that the committee disqualified.
pub async fn disqualified(db: &impl ConnectionTrait, election: Uuid) -> ApiResult<HashSet<Uuid>> {
    Ok(Nomination::find()
        .filter(nomination::Column::ElectionId.eq(election))
        .filter(nomination::Column::DisqualifiedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect())
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

/// The nomination `id`; `NOT_FOUND` when there is none.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<nomination::Model> {
    Nomination::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("nominations", id))?
        .ok_or_else(|| ApiError::not_found("nomination"))
}

async fn audit_step(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    nomination: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::Nomination,
            subject_id: nomination,
            summary,
        },
    )
    .await
}

/// Whether `account`, or an organization it represents, holds a membership in good standing.
async fn in_good_standing(tx: &Tx, account: Uuid) -> ApiResult<bool> {
    let keys = holder_keys_of(tx, account).await?;
    let grace = policy::current(tx).await?.grace_period_days;
    let held = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys))
        .filter(member_status::condition(
            MembershipStatus::Active,
            Utc::now().date_naive(),
            grace,
        ))
        .count(tx)
        .await?;
    Ok(held > 0)
}

fn require_nominating(election: &election::Model) -> ApiResult<()> {
    if election.state != ElectionState::Nominating {
        return Err(ApiError::conflict("the election is not taking nominations"));
    }
    if Utc::now() >= election.nominations_close_at {
        return Err(ApiError::conflict(format!(
            "the nominee list closed at {}",
            election.nominations_close_at.to_rfc3339()
        )));
    }
    Ok(())
}

/// A nomination to make.
pub struct Nominate {
    pub election_id: Uuid,
    pub nominee: Uuid,
    pub statement: Option<String>,
}

/// A member in good standing nominates another person, while nominations are open. The nominee
/// may be ineligible: the nomination then shows why.
#[tracing::instrument(skip_all, fields(election = %input.election_id))]
pub async fn nominate(tx: &Tx, viewer: &Viewer, input: Nominate) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    if input.nominee == me.id {
        return Err(ApiError::bad_input(
            crate::field!(input.nominee_account_id),
            "you cannot nominate yourself; ask another member to nominate you",
        ));
    }
    if !in_good_standing(tx, me.id).await? {
        return Err(ApiError::forbidden(
            "only a member in good standing may nominate",
        ));
    }
    let election = lock(tx, input.election_id).await?;
    require_nominating(&election)?;
    if Account::find_by_id(input.nominee).one(tx).await?.is_none() {
        return Err(ApiError::not_found("account"));
    }
    let now = Utc::now();
    let row = nomination::Model {
        id: ids::new_key(),
        election_id: election.id,
        nominee_account_id: input.nominee,
        nominated_by: me.id,
        statement: input.statement,
        response: NominationResponse::Pending,
        nominee_statement: None,
        organization_id: None,
        responded_at: None,
        disqualified_reason: None,
        disqualified_at: None,
        disqualified_by: None,
        created_at: now,
    };
    Nomination::insert(nomination::ActiveModel {
        id: Set(row.id),
        election_id: Set(row.election_id),
        nominee_account_id: Set(row.nominee_account_id),
        nominated_by: Set(row.nominated_by),
        statement: Set(row.statement.clone()),
        response: Set(row.response),
        nominee_statement: Set(None),
        organization_id: Set(None),
        responded_at: Set(None),
        disqualified_reason: Set(None),
        disqualified_at: Set(None),
        disqualified_by: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("this person is already nominated in this election")
        })
    })?;
    audit_step(
        tx,
        viewer,
        AuditAction::NominationMade,
        row.id,
        json!({ "election": row.election_id, "nominee": row.nominee_account_id }),
    )
    .await?;
    crate::notifications::mail::nomination_to_accept(tx, row.nominee_account_id, &election.title)
        .await?;
    Ok(row)
}

/// A nominee's answer.
pub struct Respond {
    pub nomination_id: Uuid,
    pub accept: bool,
    pub statement: Option<String>,
    /// The organization the nominee works for or represents, among those they represent.
    pub organization_id: Option<Uuid>,
    /// An undisclosed member agrees to be named as a candidate.
    pub agree_to_be_named: bool,
}

/// The nominee accepts or declines, while nominations are open; they may change their answer
/// until the list closes. Candidates are public, so a member who asked not to be listed accepts
/// only by agreeing to be named.
#[tracing::instrument(skip_all, fields(nomination = %input.nomination_id))]
pub async fn respond(tx: &Tx, viewer: &Viewer, input: Respond) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    let before = find(tx, input.nomination_id).await?;
    if before.nominee_account_id != me.id {
        return Err(ApiError::forbidden("only the nominee answers a nomination"));
    }
    let election = lock(tx, before.election_id).await?;
    require_nominating(&election)?;
    // Read again under the election's lock: a disqualification may have landed meanwhile.
    let current = find(tx, before.id).await?;
    if current.disqualified_at.is_some() {
        return Err(ApiError::conflict("the nominee was disqualified"));
    }
    let mut organization = None;
    if input.accept {
        let mine: Vec<Uuid> = OrganizationRepresentative::find()
            .filter(organization_representative::Column::AccountId.eq(me.id))
            .all(tx)
            .await?
            .into_iter()
            .map(|r| r.organization_id)
            .collect();
        organization = match (input.organization_id, mine.as_slice()) {
            (Some(org), _) if mine.contains(&org) => Some(org),
            (Some(_), _) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.organization_id),
                    "you do not represent that organization",
                ));
            }
            (None, []) => None,
            (None, [only]) => Some(*only),
            (None, _) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.organization_id),
                    "you represent several organizations; name the one you work for or represent",
                ));
            }
        };
        let unlisted = hidden_from(tx, &Viewer::Anonymous, &[me.id]).await?;
        if unlisted.contains(&me.id) && !input.agree_to_be_named {
            return Err(ApiError::bad_input(
                crate::field!(input.agree_to_be_named),
                "you asked not to be listed; candidates are public, so accept only by agreeing to be named",
            ));
        }
    }
    let response = if input.accept {
        NominationResponse::Accepted
    } else {
        NominationResponse::Declined
    };
    let now = Utc::now();
    let moved = Nomination::update_many()
        .col_expr(nomination::Column::Response, Expr::value(response))
        .col_expr(
            nomination::Column::NomineeStatement,
            Expr::value(input.statement.clone()),
        )
        .col_expr(
            nomination::Column::OrganizationId,
            Expr::value(organization),
        )
        .col_expr(nomination::Column::RespondedAt, Expr::value(now))
        .filter(nomination::Column::Id.eq(current.id))
        .filter(nomination::Column::DisqualifiedAt.is_null())
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict("the nominee was disqualified"));
    }
    audit_step(
        tx,
        viewer,
        AuditAction::NominationAnswered,
        current.id,
        json!({ "accept": input.accept, "organization": organization }),
    )
    .await?;
    find(tx, current.id).await
}

/// The committee disqualifies a nominee, with a reason, before the election closes. No one
/// decides their own case.
#[tracing::instrument(skip_all, fields(nomination = %nomination_id))]
pub async fn disqualify(
    tx: &Tx,
    viewer: &Viewer,
    nomination_id: Uuid,
    reason: String,
) -> ApiResult<nomination::Model> {
    let me = viewer.require_account()?;
    let current = find(tx, nomination_id).await?;
    if current.nominee_account_id == me.id {
        return Err(ApiError::forbidden(
            "you cannot decide your own nomination; another committee member must",
        ));
    }
    let election = lock(tx, current.election_id).await?;
    if !matches!(
        election.state,
        ElectionState::Nominating | ElectionState::Voting
    ) {
        return Err(ApiError::conflict(
            "a nominee can be disqualified only during nominations or voting",
        ));
    }
    // Once voting opened, the ballot keeps at least one nominee: with none the close could not
    // count. Under the election's lock, so two disqualifications cannot both pass this check.
    if election.state == ElectionState::Voting {
        let rules = FrozenRules::parse(election.rules.as_deref())?;
        let out = disqualified(tx, election.id).await?;
        let left = rules
            .candidates
            .iter()
            .filter(|c| **c != current.id && !out.contains(c))
            .count();
        if left == 0 && rules.candidates.contains(&current.id) {
            return Err(ApiError::conflict(
                "this is the last nominee on the ballot; cancel the election instead",
            ));
        }
    }
    let now = Utc::now();
    let moved = Nomination::update_many()
        .col_expr(
            nomination::Column::DisqualifiedReason,
            Expr::value(reason.clone()),
        )
        .col_expr(nomination::Column::DisqualifiedAt, Expr::value(now))
        .col_expr(nomination::Column::DisqualifiedBy, Expr::value(me.id))
        .filter(
            Condition::all()
                .add(nomination::Column::Id.eq(current.id))
                .add(nomination::Column::DisqualifiedAt.is_null()),
        )
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict("the nominee is already disqualified"));
    }
    audit_step(
        tx,
        viewer,
        AuditAction::NominationDisqualified,
        current.id,
        json!({ "reason": reason }),
    )
    .await?;
    find(tx, current.id).await
}
