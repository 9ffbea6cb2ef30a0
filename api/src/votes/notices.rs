//! What votes tell: the roll's mail when voting opens, and `amendment.adopted` or
//! `amendment.rejected` when it closes.

use entity::{amendment, amendment::AmendmentStatus};
use serde_json::json;

use crate::{
    db::Tx,
    error::ApiResult,
    ids,
    notifications::{
        audience::Audience,
        mail::Mail,
        mailing::{self, Roll},
        outbox::{self, Event, WebhookEvent},
    },
};

/// Tells everyone on the frozen roll that voting opened: the director, the member, or an
/// organization's representatives. The messages are written after the commit (a
/// [`mailing`](crate::notifications::mailing)), so a large roll keeps the opening short.
pub async fn opened(tx: &Tx, row: &amendment::Model) -> ApiResult<()> {
    let Some(closes_at) = row.closes_at else {
        return Ok(());
    };
    let mail = Mail::VoteOpened {
        title: row.title.clone(),
        closes_at,
    };
    mailing::to_roll(tx, Roll::Amendment(row.id), &mail).await
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
            "id": ids::id_of::<ids::kind::Amendment>(row.id).to_string(),
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
