//! Certifying a closed election: the board's rules checked again, the winners seated, and
//! integrations told.

use chrono::Utc;
use entity::{
    election::{self, ElectionState},
    prelude::Nomination,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{Actor, AuditAction},
    auth::Viewer,
    db::Tx,
    elections::recusal,
    elections::{
        board::{self, Newcomer, Seat},
        eligibility,
        lifecycle::{audit_step, lock, transition},
        node_ids::{self, nomination_id_text},
        record::{FrozenRules, StoredResult},
    },
    error::{ApiError, ApiResult},
    ids,
    notifications::outbox,
    policy,
};

/// Certifies a closed election: CLOSED → CERTIFIED, seating each winner for the term frozen
/// when voting opened, from today, with the organization they declared. The board may have
/// changed since the count, so the board's rules are checked again first, against the board
/// as it is now (`board::check_room`): a certification that would break one is refused with
/// `CONFLICT` naming the rule. The organization rule reads each winner's organizations both as
/// frozen when voting opened (and declared) and as they are now, and each director's as they
/// are now, seat included. Audited with the seats.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn certify(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<election::Model> {
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    recusal::require_impartial(tx, viewer, id).await?;
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
    let organizations = eligibility::frozen_organizations(tx, &rules).await?;
    let newcomers: Vec<Newcomer> = winners
        .iter()
        .map(|w| Newcomer {
            account_id: w.nominee_account_id,
            organizations: organizations
                .get(&w.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .chain(w.organization_id)
                .collect(),
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
                "account": ids::encode(node_ids::ACCOUNT, winner.nominee_account_id).to_string(),
            })
        })
        .collect();
    outbox::election_certified(
        tx,
        id,
        json!({
            "election": {
                "id": node_ids::election_id(id).to_string(),
                "title": row.title,
                "certifiedAt": outbox::instant(now),
            },
            "elected": elected,
        }),
    )
    .await?;
    Ok(row)
}
