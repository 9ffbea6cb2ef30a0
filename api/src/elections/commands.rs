//! An election's life: created by the committee, nominations opened, voting opened with a frozen
//! roll and nominee list, closed and counted (or extended for low turnout), certified (seating
//! the winners), or cancelled before the close. Each command runs in the caller's transaction,
//! reads the election under its row lock, moves its state with a conditional update, and
//! records its audit entry. The caller checked the ELECTION_COMMITTEE role.

use chrono::{DateTime, Duration, Utc};
use entity::{
    directorship,
    election::{self, ElectionState, SeatKind},
    nomination::{self, NominationResponse},
    prelude::{Directorship, Election as Elections, ElectionBallot, Nomination},
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, UpdateMany, sea_query::Expr,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::accounts::types::Account as AccountNode;
use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    bylaws::tally::sponsor_scale,
    db::Tx,
    elections::{
        blt::to_blt,
        board::{self, Newcomer, Seat},
        count::{self, Ballot, Candidate},
        fixed::Fixed,
        nominations::{self, Standing},
        record::{FrozenRules, StoredResult, ballot_weight},
        roll,
        types::{Election as ElectionNode, nomination_id_text},
    },
    error::{ApiError, ApiResult, corrupt_row},
    ids,
    notifications::{mail, outbox},
    policy,
};

/// A new election, as the committee describes it.
pub struct CreateElection {
    pub title: String,
    pub kind: SeatKind,
    pub seats: i32,
    pub nominations_close_at: DateTime<Utc>,
    pub voting_opens_at: DateTime<Utc>,
    pub voting_closes_at: DateTime<Utc>,
}

/// The election `id`; `NOT_FOUND` when there is none.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<election::Model> {
    Elections::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("elections", id))?
        .ok_or_else(|| ApiError::not_found("election"))
}

/// Reads the election under its row lock (on SQLite the write transaction already holds the
/// database's lock), so that a ballot and the close cannot interleave.
pub async fn lock(tx: &Tx, id: Uuid) -> ApiResult<election::Model> {
    Elections::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("elections", id))?
        .ok_or_else(|| ApiError::not_found("election"))
}

/// Moves the election from one of `from` to `to`, with the row's other changes; `CONFLICT` when
/// it is no longer in one of `from` (another request moved it first).
async fn transition(
    tx: &Tx,
    id: Uuid,
    from: &[ElectionState],
    to: ElectionState,
    extra: impl FnOnce(UpdateMany<Elections>) -> UpdateMany<Elections>,
) -> ApiResult<election::Model> {
    let update = Elections::update_many()
        .col_expr(election::Column::State, Expr::value(to))
        .col_expr(election::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(election::Column::Id.eq(id))
        .filter(election::Column::State.is_in(from.iter().copied()));
    let moved = extra(update).exec(tx).await?;
    if moved.rows_affected == 0 {
        let names: Vec<_> = from.iter().map(ActiveEnum::to_value).collect();
        return Err(ApiError::conflict(format!(
            "the election is not {}; it cannot become {}",
            names.join(" or "),
            to.to_value()
        )));
    }
    find(tx, id).await
}

/// Records a step of an election's life.
async fn audit_step(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    election: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::Election,
            subject_id: election,
            summary,
        },
    )
    .await
}

fn days(n: i32) -> Duration {
    Duration::days(i64::from(n.max(0)))
}

/// Creates an election in DRAFT. The nominee list must close the policy's days before voting
/// opens, and voting must last at least the policy's minimum; a Community Director election
/// fills one seat.
#[tracing::instrument(skip_all)]
pub async fn create(tx: &Tx, viewer: &Viewer, input: CreateElection) -> ApiResult<election::Model> {
    let me = viewer.require_account()?;
    let policy = policy::current(tx).await?;
    let now = Utc::now();
    if input.kind == SeatKind::Community && input.seats != 1 {
        return Err(ApiError::bad_input(
            crate::field!(input.seats),
            "a Community Director election fills exactly one seat",
        ));
    }
    if !(1..=policy.board_maximum_size.max(1)).contains(&input.seats) {
        return Err(ApiError::bad_input(
            crate::field!(input.seats),
            format!(
                "`input.seats` must be between 1 and {}",
                policy.board_maximum_size
            ),
        ));
    }
    if input.nominations_close_at <= now {
        return Err(ApiError::bad_input(
            crate::field!(input.nominations_close_at),
            "nominations must close in the future",
        ));
    }
    let latest_close = input.voting_opens_at - days(policy.nominee_list_closes_days_before);
    if input.nominations_close_at > latest_close {
        return Err(ApiError::bad_input(
            crate::field!(input.nominations_close_at),
            format!(
                "the nominee list must close at least {} days before voting opens, by {}",
                policy.nominee_list_closes_days_before,
                latest_close.to_rfc3339()
            ),
        ));
    }
    let earliest_end = input.voting_opens_at + days(policy.minimum_election_days);
    if input.voting_closes_at <= input.voting_opens_at || input.voting_closes_at < earliest_end {
        return Err(ApiError::bad_input(
            crate::field!(input.voting_closes_at),
            format!(
                "voting must last at least {} days, until {}",
                policy.minimum_election_days,
                earliest_end.to_rfc3339()
            ),
        ));
    }
    if input.kind == SeatKind::Community {
        one_community_seat(tx, &input).await?;
    }
    let row = election::Model {
        id: ids::new_key(),
        title: input.title,
        kind: input.kind,
        seats: input.seats,
        state: ElectionState::Draft,
        nominations_close_at: input.nominations_close_at,
        voting_opens_at: input.voting_opens_at,
        voting_closes_at: input.voting_closes_at,
        extensions: 0,
        created_by: me.id,
        created_at: now,
        nominations_opened_at: None,
        voting_opened_at: None,
        closed_at: None,
        certified_at: None,
        cancelled_at: None,
        cancel_reason: None,
        rules: None,
        result: None,
        updated_at: now,
    };
    Elections::insert(election::ActiveModel {
        id: Set(row.id),
        title: Set(row.title.clone()),
        kind: Set(row.kind),
        seats: Set(row.seats),
        state: Set(row.state),
        nominations_close_at: Set(row.nominations_close_at),
        voting_opens_at: Set(row.voting_opens_at),
        voting_closes_at: Set(row.voting_closes_at),
        extensions: Set(0),
        created_by: Set(row.created_by),
        created_at: Set(now),
        nominations_opened_at: Set(None),
        voting_opened_at: Set(None),
        closed_at: Set(None),
        certified_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        rules: Set(None),
        result: Set(None),
        updated_at: Set(now),
    })
    .exec_without_returning(tx)
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionCreated,
        row.id,
        json!({
            "title": row.title,
            "kind": row.kind.to_value(),
            "seats": row.seats,
            "nominationsCloseAt": row.nominations_close_at,
            "votingOpensAt": row.voting_opens_at,
            "votingClosesAt": row.voting_closes_at,
        }),
    )
    .await?;
    Ok(row)
}

/// There is one Community Director seat: a new Community Director election is refused while
/// another is under way, before its close (`CONFLICT`; a closed one that cannot be certified
/// must not block the seat for good, and certification checks the seat again), or when the seat is held past the day its winner's term
/// would start (`BAD_USER_INPUT` on `votingClosesAt`). Under the policy's row lock, so that two
/// such elections created at once cannot both pass.
async fn one_community_seat(tx: &Tx, input: &CreateElection) -> ApiResult<()> {
    policy::locked(tx).await?;
    let under_way = Elections::find()
        .filter(election::Column::Kind.eq(SeatKind::Community))
        .filter(election::Column::State.is_in([
            ElectionState::Draft,
            ElectionState::Nominating,
            ElectionState::Voting,
        ]))
        .one(tx)
        .await?;
    if under_way.is_some() {
        return Err(ApiError::conflict(
            "one Community Director seat: another Community Director election is under way",
        ));
    }
    let term_starts = input.voting_closes_at.date_naive();
    let held = Directorship::find()
        .filter(directorship::Column::Kind.eq(SeatKind::Community))
        .filter(directorship::Column::TermEndsOn.gt(term_starts))
        .order_by_desc(directorship::Column::TermEndsOn)
        .one(tx)
        .await?;
    if let Some(seat) = held {
        return Err(ApiError::bad_input(
            crate::field!(input.voting_closes_at),
            format!(
                "one Community Director seat: it is held until {}; the election that fills it closes on or after that day",
                seat.term_ends_on
            ),
        ));
    }
    Ok(())
}

/// Opens nominations: DRAFT → NOMINATING, while the nominee list has not closed yet.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn open_nominations(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<election::Model> {
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    let now = Utc::now();
    if current.state == ElectionState::Draft && now >= current.nominations_close_at {
        return Err(ApiError::conflict(
            "the nominee list has already closed; cancel this election and create another",
        ));
    }
    let row = transition(
        tx,
        id,
        &[ElectionState::Draft],
        ElectionState::Nominating,
        |u| u.col_expr(election::Column::NominationsOpenedAt, Expr::value(now)),
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionNominationsOpened,
        id,
        json!({}),
    )
    .await?;
    Ok(row)
}

/// Opens voting: NOMINATING → VOTING once the nominee list has closed and the opening time has
/// come. Freezes the roll (with the influence cap's factor) and the nominee list (accepted, not
/// disqualified, eligible now), and the rules of the count.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn open_voting(
    tx: &crate::rolls::CaughtUpTx,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<election::Model> {
    // The memberships the roll copies were brought up to date as the transaction began.
    let tx: &Tx = tx;
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    let now = Utc::now();
    if current.state != ElectionState::Nominating {
        return Err(ApiError::conflict(
            "only an election in nominations can open voting",
        ));
    }
    if now < current.nominations_close_at || now < current.voting_opens_at {
        return Err(ApiError::conflict(format!(
            "voting opens at {}",
            current
                .voting_opens_at
                .max(current.nominations_close_at)
                .to_rfc3339()
        )));
    }
    let policy = policy::current(tx).await?;
    let earliest_end = now + days(policy.minimum_election_days);
    if current.voting_closes_at < earliest_end {
        return Err(ApiError::conflict(format!(
            "voting must last at least {} days, but it closes at {}",
            policy.minimum_election_days,
            current.voting_closes_at.to_rfc3339()
        )));
    }
    let standings = nominations::standings(tx, &current, &policy).await?;
    let on_ballot: Vec<&nomination::Model> = standings
        .iter()
        .filter(|(n, s)| {
            n.response == NominationResponse::Accepted
                && n.disqualified_at.is_none()
                && matches!(s, Standing::Eligible)
        })
        .map(|(n, _)| n)
        .collect();
    let candidates: Vec<Uuid> = on_ballot.iter().map(|n| n.id).collect();
    let organizations = nominations::organizations_of(tx, &on_ballot).await?;
    if candidates.is_empty() {
        return Err(ApiError::conflict(
            "no nominee has accepted and is eligible; voting cannot open",
        ));
    }
    let frozen = roll::freeze(tx, &current, policy.grace_period_days).await?;
    if frozen.size == 0 {
        return Err(ApiError::conflict("nobody is eligible to vote"));
    }
    let (sponsor_weight, other_weight) = (frozen.sponsor_weight, frozen.other_weight);
    let rules = FrozenRules {
        term_years: policy.director_term_years,
        sponsor_influence_cap: policy.sponsor_influence_cap,
        sponsor_scale: sponsor_scale(sponsor_weight, other_weight, policy.sponsor_influence_cap),
        turnout_threshold: policy.election_turnout_threshold,
        extension_days: policy.election_turnout_extension_days,
        max_extensions: policy.election_turnout_max_extensions,
        candidates: candidates.clone(),
        roll_size: frozen.size,
        organizations,
    };
    let stored = serde_json::to_string(&rules).map_err(ApiError::internal)?;
    let row = transition(
        tx,
        id,
        &[ElectionState::Nominating],
        ElectionState::Voting,
        |u| {
            u.col_expr(election::Column::VotingOpenedAt, Expr::value(now))
                .col_expr(election::Column::Rules, Expr::value(stored.clone()))
        },
    )
    .await?;
    let entries = roll::listing(tx, id).await?;
    let rules_json = serde_json::to_value(&rules).map_err(ApiError::internal)?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionVotingOpened,
        id,
        json!({ "rules": rules_json, "roll": entries }),
    )
    .await?;
    mail::election_opened(tx, row.id, &row.title, row.voting_closes_at).await?;
    Ok(row)
}

/// What closing did.
pub enum Closed {
    /// Counted and CLOSED.
    Counted(election::Model),
    /// Turnout was below the threshold: voting runs on until the new close.
    Extended(election::Model),
}

/// Closes voting once its time has come: counts the ballots by Meek STV and stores the result,
/// VOTING → CLOSED. While turnout is below the frozen threshold and extensions remain, voting is
/// extended instead.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn close(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<Closed> {
    viewer.require_account()?;
    // Ballots being cast now finish first; later ones find the election closed.
    let current = lock(tx, id).await?;
    let now = Utc::now();
    if current.state != ElectionState::Voting {
        return Err(ApiError::conflict("the election is not voting"));
    }
    if now < current.voting_closes_at {
        return Err(ApiError::conflict(format!(
            "voting is open until {}",
            current.voting_closes_at.to_rfc3339()
        )));
    }
    let rules = FrozenRules::parse(current.rules.as_deref())?;
    let voted = roll::voted(tx, id).await?;
    let turnout = if rules.roll_size == 0 {
        1.0
    } else {
        voted as f64 / rules.roll_size as f64
    };
    if rules.turnout_threshold > 0.0
        && turnout < rules.turnout_threshold
        && current.extensions < rules.max_extensions
        && rules.extension_days > 0
    {
        let until = current.voting_closes_at.max(now) + days(rules.extension_days);
        let extensions = current.extensions + 1;
        let row = transition(
            tx,
            id,
            &[ElectionState::Voting],
            ElectionState::Voting,
            |u| {
                u.col_expr(election::Column::VotingClosesAt, Expr::value(until))
                    .col_expr(election::Column::Extensions, Expr::value(extensions))
            },
        )
        .await?;
        audit_step(
            tx,
            viewer,
            AuditAction::ElectionVotingExtended,
            id,
            json!({ "voted": voted, "rollSize": rules.roll_size, "votingClosesAt": until, "extension": extensions }),
        )
        .await?;
        return Ok(Closed::Extended(row));
    }
    let disqualified = nominations::disqualified(tx, id).await?;
    let candidates: Vec<Uuid> = rules
        .candidates
        .iter()
        .copied()
        .filter(|c| !disqualified.contains(c))
        .collect();
    let counted = count_ballots(tx, &current, &rules, &candidates).await?;
    crate::elections::ballots::reshuffle(tx, id).await?;
    let stored = serde_json::to_string(&counted.result).map_err(ApiError::internal)?;
    let row = transition(
        tx,
        id,
        &[ElectionState::Voting],
        ElectionState::Closed,
        |u| {
            u.col_expr(election::Column::ClosedAt, Expr::value(now))
                .col_expr(election::Column::Result, Expr::value(stored))
        },
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionClosed,
        id,
        json!({
            "voted": voted,
            "rollSize": rules.roll_size,
            "elected": counted.result.elected,
            "quota": counted.result.quota,
            "seed": counted.result.seed,
            "castSponsorScale": counted.result.cast_sponsor_scale,
        }),
    )
    .await?;
    Ok(Closed::Counted(row))
}

/// The ballots of an election as published: every ballot with its receipt hash, its ranking
/// (nomination ids) and the weight it counts with, in the published (random) order.
pub struct Published {
    pub receipt_hash: String,
    pub ranking: Vec<Uuid>,
    pub weight: Fixed,
}

/// The published ballots of an election, ordered by receipt hash: an order that owes nothing to
/// when or by whom a ballot was cast.
pub async fn published_ballots(
    db: &impl ConnectionTrait,
    election: Uuid,
    scale: f64,
) -> ApiResult<Vec<Published>> {
    let rows = ElectionBallot::find()
        .filter(entity::election_ballot::Column::ElectionId.eq(election))
        .order_by_asc(entity::election_ballot::Column::ReceiptHash)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let ranking: Vec<Uuid> =
                serde_json::from_str(&row.ranking).map_err(ApiError::internal)?;
            Ok(Published {
                weight: ballot_weight(row.nominal_weight, row.sponsor, scale),
                receipt_hash: row.receipt_hash,
                ranking,
            })
        })
        .collect()
}

/// The count's input and output.
pub struct Counted {
    pub result: StoredResult,
    pub blt: String,
}

/// The BLT export of the published ballots over `candidates` (nomination ids in ballot order),
/// named by their nomination IDs; ballots that count for nothing (a sponsor's ballot scaled to
/// zero) are left out, and rankings keep only the candidates.
pub fn blt_of(
    title: &str,
    seats: usize,
    candidates: &[Uuid],
    ballots: &[Published],
) -> (Vec<Candidate>, Vec<Ballot>, String) {
    let names: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate::new(nomination_id_text(*c)))
        .collect();
    let counted: Vec<Ballot> = ballots
        .iter()
        .filter(|b| b.weight > Fixed::ZERO)
        .map(|b| {
            let ranking = b
                .ranking
                .iter()
                .filter_map(|n| candidates.iter().position(|c| c == n))
                .collect();
            Ballot::new(b.weight, ranking)
        })
        .collect();
    let text = to_blt(title, &names, seats, &counted);
    (names, counted, text)
}

/// Counts an election's ballots: both factors of the influence cap on the weights, the BLT
/// export, its SHA-256 as the draw's seed, and Meek STV with the organization rule.
pub async fn count_ballots(
    db: &impl ConnectionTrait,
    election: &election::Model,
    rules: &FrozenRules,
    candidates: &[Uuid],
) -> ApiResult<Counted> {
    let rows = ElectionBallot::find()
        .select_only()
        .column(entity::election_ballot::Column::NominalWeight)
        .column(entity::election_ballot::Column::Sponsor)
        .filter(entity::election_ballot::Column::ElectionId.eq(election.id))
        .into_tuple::<(i32, bool)>()
        .all(db)
        .await?;
    let cast_sponsor: f64 = rows
        .iter()
        .filter(|(_, s)| *s)
        .map(|(w, _)| f64::from(*w) * rules.sponsor_scale)
        .sum();
    let cast_other: f64 = rows
        .iter()
        .filter(|(_, s)| !*s)
        .map(|(w, _)| f64::from(*w))
        .sum();
    let cast_scale = sponsor_scale(cast_sponsor, cast_other, rules.sponsor_influence_cap);
    let scale = rules.sponsor_scale * cast_scale;
    let ballots = published_ballots(db, election.id, scale).await?;
    let seats = usize::try_from(election.seats.max(1)).unwrap_or(1);
    let (mut names, counted, blt) = blt_of(&election.title, seats, candidates, &ballots);
    // The organization rule, with the organizations frozen when voting opened: BLT has no
    // field for it, so it is attached here.
    let organizations = nominations::frozen_organizations(db, rules).await?;
    for (name, candidate) in names.iter_mut().zip(candidates) {
        name.organizations = organizations
            .get(candidate)
            .into_iter()
            .flatten()
            .map(Uuid::to_string)
            .collect();
    }
    let seed = Sha256::digest(blt.as_bytes());
    let result = count::count(&names, seats, &counted, &seed).map_err(ApiError::internal)?;
    Ok(Counted {
        result: StoredResult::new(
            &result,
            candidates,
            hex::encode(seed),
            cast_scale,
            ballots.len() as u64,
        ),
        blt,
    })
}

/// Certifies a closed election: CLOSED → CERTIFIED, seating each winner for the term frozen
/// when voting opened, from today, with the organization they declared. The board may have
/// changed since the count, so the board's rules are checked again first, against the board
/// as it is now (`board::check_room`): a certification that would break one is refused with
/// `CONFLICT` naming the rule. Audited with the seats.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn certify(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<election::Model> {
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    if current.state != ElectionState::Closed {
        return Err(ApiError::conflict(
            "only a closed election can be certified",
        ));
    }
    let rules = FrozenRules::parse(current.rules.as_deref())?;
    let result = StoredResult::parse(current.result.as_deref())?
        .ok_or_else(|| ApiError::internal("a closed election has no result"))?;
    let now = Utc::now();
    // Certifications run one at a time, so that two cannot both find the same room.
    let policy = policy::locked(tx).await?;
    let winners = Nomination::find()
        .filter(entity::nomination::Column::Id.is_in(result.elected.clone()))
        .all(tx)
        .await?;
    let organizations = nominations::frozen_organizations(tx, &rules).await?;
    let newcomers: Vec<Newcomer> = winners
        .iter()
        .map(|w| Newcomer {
            account_id: w.nominee_account_id,
            organizations: organizations.get(&w.id).cloned().unwrap_or_default(),
        })
        .collect();
    board::check_room(tx, &policy, current.kind, &newcomers, now.date_naive()).await?;
    let row = transition(
        tx,
        id,
        &[ElectionState::Closed],
        ElectionState::Certified,
        |u| u.col_expr(election::Column::CertifiedAt, Expr::value(now)),
    )
    .await?;
    let mut seats = Vec::new();
    let mut published = Vec::new();
    for nomination in &result.elected {
        let Some(winner) = winners.iter().find(|w| w.id == *nomination) else {
            return Err(ApiError::internal("an elected nomination vanished"));
        };
        let seated = board::seat(
            tx,
            Actor::of(viewer),
            Seat {
                account_id: winner.nominee_account_id,
                kind: current.kind,
                starts_on: now.date_naive(),
                term_years: rules.term_years,
                organization_id: winner.organization_id,
                election_id: Some(id),
            },
        )
        .await?;
        published.push(json!({
            "nomination": nomination_id_text(winner.id),
            "person": ids::id_of::<crate::accounts::types::Account>(seated.account_id).0,
            "organization": seated
                .organization_id
                .map(|o| ids::id_of::<crate::organizations::types::Organization>(o).0),
            "termStartsOn": seated.term_starts_on,
            "termEndsOn": seated.term_ends_on,
        }));
        seats.push(json!({
            "directorship": seated.id,
            "nomination": winner.id,
            "account": seated.account_id,
            "termStartsOn": seated.term_starts_on,
            "termEndsOn": seated.term_ends_on,
            "organization": seated.organization_id,
        }));
    }
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionCertified,
        id,
        json!({ "seats": seats }),
    )
    .await?;
    let elected: Vec<_> = winners
        .iter()
        .map(|winner| {
            json!({
                "nomination": nomination_id_text(winner.id),
                "account": ids::id_of::<AccountNode>(winner.nominee_account_id).to_string(),
            })
        })
        .collect();
    outbox::election_certified(
        tx,
        id,
        json!({
            "election": {
                "id": ids::id_of::<ElectionNode>(id).to_string(),
                "title": row.title,
                "certifiedAt": outbox::instant(now),
            },
            "elected": elected,
        }),
    )
    .await?;
    Ok(row)
}

/// Cancels an election before its close, with a reason: DRAFT, NOMINATING or VOTING →
/// CANCELLED. Ballots already cast are never counted.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn cancel(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
    reason: String,
) -> ApiResult<election::Model> {
    viewer.require_account()?;
    lock(tx, id).await?;
    let now = Utc::now();
    let row = transition(
        tx,
        id,
        &[
            ElectionState::Draft,
            ElectionState::Nominating,
            ElectionState::Voting,
        ],
        ElectionState::Cancelled,
        |u| {
            u.col_expr(election::Column::CancelledAt, Expr::value(now))
                .col_expr(election::Column::CancelReason, Expr::value(reason.clone()))
        },
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionCancelled,
        id,
        json!({ "reason": reason }),
    )
    .await?;
    Ok(row)
}
