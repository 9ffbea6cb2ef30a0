//! What votes tell: the roll's mail when voting opens, and `amendment.adopted` or
//! `amendment.rejected` when it closes.

use entity::{amendment, amendment::AmendmentStatus, voter_roll};
use serde_json::json;
use uuid::Uuid;

use crate::{
    amendments::types::Amendment as AmendmentNode,
    db::Tx,
    error::ApiResult,
    holders::Holder,
    ids,
    notifications::{
        mail::{self, Mail, To},
        outbox::{self, Audience, Event, WebhookEvent},
    },
};

/// Tells everyone on the frozen roll that voting opened: the director, the member, or an
/// organization's representatives.
pub async fn opened(tx: &Tx, row: &amendment::Model, roll: &[voter_roll::Model]) -> ApiResult<()> {
    let to: Vec<To> = roll
        .iter()
        .filter_map(|entry| match entry.account_id {
            Some(account) => Some(To::Account(account)),
            None => holder_of_key(&entry.holder_key).map(To::Holder),
        })
        .collect();
    let Some(closes_at) = row.closes_at else {
        return Ok(());
    };
    let mail = Mail::VoteOpened {
        title: row.title.clone(),
        closes_at,
    };
    mail::queue(tx, &to, &mail, None).await?;
    Ok(())
}

/// Emits the outcome of a closed vote.
pub async fn closed(tx: &Tx, row: &amendment::Model) -> ApiResult<()> {
    let kind = match row.status {
        AmendmentStatus::Adopted => WebhookEvent::AmendmentAdopted,
        _ => WebhookEvent::AmendmentRejected,
    };
    let tally: Option<serde_json::Value> = row
        .tally
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok());
    let data = json!({
        "amendment": {
            "id": ids::id_of::<AmendmentNode>(row.id).to_string(),
            "title": row.title,
            "adoptedVersion": row.adopted_version,
            "closedAt": row.closed_at.map(outbox::instant),
        },
        "tally": tally,
    });
    outbox::emit(
        tx,
        Event {
            kind,
            subject_id: row.id,
            data,
            audience: Audience::Public,
            on: None,
        },
    )
    .await?;
    Ok(())
}

/// Reads `account:<uuid>` or `organization:<uuid>` back.
fn holder_of_key(key: &str) -> Option<Holder> {
    let (kind, id) = key.split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "account" => Some(Holder::Account(id)),
        "organization" => Some(Holder::Organization(id)),
        _ => None,
    }
}
