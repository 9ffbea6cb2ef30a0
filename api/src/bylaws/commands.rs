//! Changes of state of the bylaws themselves: importing the first version.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use entity::bylaws_version;
use serde_json::json;

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    bylaws::{db, text::Document},
    error::{ApiError, ApiResult},
};

/// The checked text of version 1.
pub struct ImportBylaws {
    pub document: Document,
}

/// Writes version 1, only while no version exists; audited.
#[tracing::instrument(skip_all, fields(sections = input.document.sections.len()))]
pub async fn import(
    tx: &Tx,
    viewer: &Viewer,
    input: ImportBylaws,
) -> ApiResult<bylaws_version::Model> {
    if db::current(tx).await?.is_some() {
        return Err(ApiError::conflict(
            "the bylaws are already imported; change them by amendment",
        ));
    }
    let version = db::write_version(tx, 1, None, &input.document).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::BylawsImported,
            subject_kind: SubjectKind::BylawsVersion,
            subject_id: uuid::Uuid::nil(),
            summary: json!({ "version": 1, "sections": input.document.sections.len() }),
        },
    )
    .await?;
    Ok(version)
}
