//! What membership decisions tell: the `membership.approved` webhook event, and the applicant's
//! mail. An undisclosed member is told only to its own endpoints and the foundation's.

use entity::{
    application, membership,
    prelude::{Account, Organization},
};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::{
    db::Tx,
    error::ApiResult,
    holders::Holder,
    ids,
    members::reminders::class_name,
    notifications::{
        audience::Audience,
        mail::{self, Mail, To},
        outbox::{self, Event, WebhookEvent},
    },
};

/// Emits `membership.approved` for a membership granted on an application.
pub async fn approved(tx: &Tx, row: &membership::Model) -> ApiResult<()> {
    let holder = Holder::from_columns(row.holder_account_id, row.holder_organization_id)?;
    let holder_json = match holder {
        Holder::Account(id) => json!({
            "type": "Account",
            "id": ids::id_of::<ids::kind::Account>(id).to_string(),
            "name": Account::find_by_id(id).one(tx).await?.map(|a| a.display_name),
        }),
        Holder::Organization(id) => json!({
            "type": "Organization",
            "id": ids::id_of::<ids::kind::Organization>(id).to_string(),
            "name": Organization::find_by_id(id).one(tx).await?.map(|o| o.name),
        }),
    };
    let data = json!({
        "membership": {
            "id": ids::id_of::<ids::kind::Membership>(row.id).to_string(),
            "class": row.class_key.as_str(),
            "since": row.since,
            "endsOn": row.ends_on,
            "voteWeight": row.vote_weight,
        },
        "holder": holder_json,
    });
    outbox::emit(
        tx,
        Event {
            kind: WebhookEvent::MembershipApproved,
            subject_id: row.id,
            data,
            audience: Audience::WhileMembershipDisclosed(holder),
            on: None,
        },
    )
    .await?;
    Ok(())
}

/// Tells the applicant how their application was decided.
pub async fn decided(tx: &Tx, row: &application::Model, approved: bool) -> ApiResult<()> {
    let mail = Mail::ApplicationDecided {
        class: class_name(row.class_key).to_owned(),
        approved,
        reason: row.decision_reason.clone(),
    };
    mail::queue(tx, &[To::Account(row.applicant_id)], &mail, None).await?;
    Ok(())
}
