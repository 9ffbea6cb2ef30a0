//! The board of record: the directorships in office, the size rules, and seating a director.
//! Board votes on amendments and the `BOARD` role both follow the directorships in office.

pub mod query;
pub mod types;

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use entity::{
    directorship::{self, SeatKind},
    governance_policy, organization_representative,
    prelude::{Directorship, OrganizationRepresentative},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    db::Tx,
    error::{ApiError, ApiResult},
    ids,
};

/// The directorships in office on `day`, oldest term first.
pub async fn in_office(
    db: &impl ConnectionTrait,
    day: NaiveDate,
) -> ApiResult<Vec<directorship::Model>> {
    Ok(Directorship::find()
        .filter(directorship::in_office_on(day))
        .order_by_asc(directorship::Column::TermStartsOn)
        .order_by_asc(directorship::Column::Id)
        .all(db)
        .await?)
}

/// Every directorship `account` ever held, latest term first.
pub async fn terms_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> ApiResult<Vec<directorship::Model>> {
    Ok(Directorship::find()
        .filter(directorship::Column::AccountId.eq(account))
        .order_by_desc(directorship::Column::TermStartsOn)
        .all(db)
        .await?)
}

/// The organizations each of `accounts` represents now.
pub async fn represented(
    db: &impl ConnectionTrait,
    accounts: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, HashSet<Uuid>>> {
    let mut out: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for link in OrganizationRepresentative::find()
        .filter(organization_representative::Column::AccountId.is_in(accounts))
        .all(db)
        .await?
    {
        out.entry(link.account_id)
            .or_default()
            .insert(link.organization_id);
    }
    Ok(out)
}

/// The organizations of each director (by account): the one recorded on the seat, and every
/// one the director represents now. The organization rule reads both.
pub async fn organizations_of_directors(
    db: &impl ConnectionTrait,
    directors: &[directorship::Model],
) -> ApiResult<HashMap<Uuid, HashSet<Uuid>>> {
    let mut out = represented(db, directors.iter().map(|d| d.account_id)).await?;
    for d in directors {
        if let Some(org) = d.organization_id {
            out.entry(d.account_id).or_default().insert(org);
        }
    }
    Ok(out)
}

/// A person about to take a seat, with every organization recorded for them: a winner's, frozen
/// when voting opened, and the one they declared. `check_room` adds those they represent now.
pub struct Newcomer {
    pub account_id: Uuid,
    pub organizations: Vec<Uuid>,
}

/// Checks that the board in office on `starts_on` has room for `newcomers` on seats of `kind`,
/// by the board's rules as they stand now: a person holds one directorship at a time, there is
/// one Community Director seat, no organization has two directors at once (counting the
/// newcomers), and the board has at most the policy's maximum of people.
///
/// The organization rule is one rule for everyone: a director's organizations are the one on
/// their seat and every one they represent now; a newcomer's are those recorded for them
/// (frozen at voting, declared) and every one they represent now. `CONFLICT` naming the
/// rule when it has not. The caller holds the policy's row lock (`policy::locked`), so two
/// certifications cannot both find the same room.
pub async fn check_room(
    db: &impl ConnectionTrait,
    policy: &governance_policy::Model,
    kind: SeatKind,
    newcomers: &[Newcomer],
    starts_on: NaiveDate,
) -> ApiResult<()> {
    let sitting = in_office(db, starts_on).await?;
    for newcomer in newcomers {
        if let Some(seat) = sitting.iter().find(|d| d.account_id == newcomer.account_id) {
            return Err(ApiError::conflict(format!(
                "one directorship at a time: a winner already holds a seat until {}",
                seat.term_ends_on
            )));
        }
    }
    if kind == SeatKind::Community
        && let Some(seat) = sitting.iter().find(|d| d.kind == SeatKind::Community)
    {
        return Err(ApiError::conflict(format!(
            "one Community Director seat: it is held until {}",
            seat.term_ends_on
        )));
    }
    let of_directors = organizations_of_directors(db, &sitting).await?;
    let mut now = represented(db, newcomers.iter().map(|n| n.account_id)).await?;
    let newcomers: Vec<Newcomer> = newcomers
        .iter()
        .map(|n| {
            let mut organizations: HashSet<Uuid> = n.organizations.iter().copied().collect();
            organizations.extend(now.remove(&n.account_id).unwrap_or_default());
            Newcomer {
                account_id: n.account_id,
                organizations: organizations.into_iter().collect(),
            }
        })
        .collect();
    for (i, newcomer) in newcomers.iter().enumerate() {
        let shares = |orgs: &HashSet<Uuid>| newcomer.organizations.iter().any(|o| orgs.contains(o));
        if let Some(seat) = sitting
            .iter()
            .find(|d| of_directors.get(&d.account_id).is_some_and(shares))
        {
            return Err(ApiError::conflict(format!(
                "the organization rule: a winner shares an organization with a director in office until {}; no organization may have two directors at once",
                seat.term_ends_on
            )));
        }
        let shared_with_winner = newcomers.iter().skip(i + 1).any(|other| {
            other
                .organizations
                .iter()
                .any(|o| newcomer.organizations.contains(o))
        });
        if shared_with_winner {
            return Err(ApiError::conflict(
                "the organization rule: two winners share an organization; no organization may have two directors at once",
            ));
        }
    }
    let people: HashSet<Uuid> = sitting
        .iter()
        .map(|d| d.account_id)
        .chain(newcomers.iter().map(|n| n.account_id))
        .collect();
    if people.len() > usize::try_from(policy.board_maximum_size).unwrap_or(0) {
        return Err(ApiError::conflict(format!(
            "the board's maximum size: seating the winners would make {} directors; it may have at most {}",
            people.len(),
            policy.board_maximum_size
        )));
    }
    Ok(())
}

/// A seat to fill.
pub struct Seat {
    pub account_id: Uuid,
    pub kind: SeatKind,
    pub starts_on: NaiveDate,
    pub term_years: i32,
    pub organization_id: Option<Uuid>,
    pub election_id: Option<Uuid>,
}

/// The last day before the term of `years` from `starts_on` ends, as the first day out of office.
pub fn term_end(starts_on: NaiveDate, years: i32) -> ApiResult<NaiveDate> {
    let months = u32::try_from(years.max(1))
        .ok()
        .and_then(|y| y.checked_mul(12))
        .ok_or_else(|| ApiError::internal("a director's term is too long"))?;
    starts_on
        .checked_add_months(Months::new(months))
        .ok_or_else(|| ApiError::internal("a director's term ends past the calendar"))
}

/// Seats a director: writes the directorship. Certification seats winners through this (and
/// audits the election); seating outside an election (the operator's command line, the tests'
/// fixtures) is audited here as `directorship.seated`.
pub async fn seat(tx: &Tx, actor: Actor, seat: Seat) -> ApiResult<directorship::Model> {
    let row = directorship::Model {
        id: ids::new_key(),
        account_id: seat.account_id,
        kind: seat.kind,
        term_starts_on: seat.starts_on,
        term_ends_on: term_end(seat.starts_on, seat.term_years)?,
        organization_id: seat.organization_id,
        election_id: seat.election_id,
        created_at: chrono::Utc::now(),
    };
    Directorship::insert(row.clone().into_active_model().reset_all())
        .exec_without_returning(tx)
        .await?;
    if seat.election_id.is_none() {
        audit::record(
            tx,
            Entry {
                actor,
                action: AuditAction::DirectorshipSeated,
                subject_kind: SubjectKind::Directorship,
                subject_id: row.id,
                summary: json!({
                    "account": row.account_id,
                    "kind": sea_orm::ActiveEnum::to_value(&row.kind),
                    "termStartsOn": row.term_starts_on,
                    "termEndsOn": row.term_ends_on,
                    "organization": row.organization_id,
                }),
            },
        )
        .await?;
    }
    Ok(row)
}
