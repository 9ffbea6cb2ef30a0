//! Who may read an audit entry: `auditInclusionProof`, `node(id:)` and `auditEvents(subjectId:)`
//! all ask here, so a receipt is readable by the same people everywhere.
//!
//! - `ADMIN`, and the foundation's integrations holding `AUDIT_READ`, read every entry.
//! - A person reads the entries about them: about their account, or about an application or a
//!   sponsorship they hold (as the account, or as a representative of the organization) — the
//!   receipts of a decision on their application and of the recording of their sponsorship.
//! - A person reads the entries they wrote (their vote on an amendment, their review).
//! - Anyone who may see the election reads its close (`election.closed`): it holds the published
//!   ballots and the result, public anyway once the election closed.

use entity::{
    audit_event::{self, ActorKind},
    prelude::{Application, Election, Sponsorship},
};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    audit::{AuditAction, SubjectKind},
    auth::{ApiScope, Role, Viewer},
    elections::visibility::election_visible,
    error::ApiResult,
    holders::Holder,
};

/// Whether `viewer` reads the whole log: `ADMIN`, or the foundation's integration holding
/// `AUDIT_READ`.
pub fn reads_everything(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Admin)
        || (viewer.has_scope(ApiScope::AuditRead) && viewer.integration().is_some())
}

/// Whether the object `kind` `key` is the viewer's own: their account, or an application or a
/// sponsorship whose holder is their account or an organization they represent now.
pub async fn subject_is_viewers(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    kind: SubjectKind,
    key: Uuid,
) -> ApiResult<bool> {
    let Some(me) = viewer.account_id() else {
        return Ok(false);
    };
    let holder = match kind {
        SubjectKind::Account => return Ok(key == me),
        SubjectKind::Application => Application::find_by_id(key)
            .one(db)
            .await?
            .and_then(|row| Holder::from_key(&row.holder_key)),
        SubjectKind::Sponsorship => Sponsorship::find_by_id(key)
            .one(db)
            .await?
            .and_then(|row| Holder::from_key(&row.sponsor_key)),
        _ => None,
    };
    match holder {
        Some(holder) => holder.is_viewer_in(db, viewer).await,
        None => Ok(false),
    }
}

/// Whether `viewer` may read `entry` (and fetch its inclusion proof).
pub async fn may_read(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    entry: &audit_event::Model,
) -> ApiResult<bool> {
    if reads_everything(viewer) {
        return Ok(true);
    }
    if entry.action == AuditAction::ElectionClosed && entry.subject_kind == SubjectKind::Election {
        return Ok(Election::find_by_id(entry.subject_id)
            .one(db)
            .await?
            .is_some_and(|election| election_visible(&election, viewer)));
    }
    let Some(me) = viewer.account_id() else {
        return Ok(false);
    };
    if entry.actor_kind == ActorKind::Account && entry.actor_id == Some(me) {
        return Ok(true);
    }
    subject_is_viewers(db, viewer, entry.subject_kind, entry.subject_id).await
}
