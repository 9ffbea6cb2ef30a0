//! An amendment's section changes, read in order, as the bylaws' text model takes them.

use entity::{amendment_change, prelude::AmendmentChange as Changes};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{bylaws::text::Change, error::ApiResult};

/// The stored rows of an amendment's changes, in order.
pub async fn changes_of(
    db: &impl ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<amendment_change::Model>> {
    Ok(Changes::find()
        .filter(amendment_change::Column::AmendmentId.eq(amendment))
        .order_by_asc(amendment_change::Column::Ordinal)
        .all(db)
        .await?)
}

/// The changes of an amendment, as the text model takes them.
pub async fn changes(db: &impl ConnectionTrait, amendment: Uuid) -> ApiResult<Vec<Change>> {
    Ok(changes_of(db, amendment)
        .await?
        .iter()
        .map(as_change)
        .collect())
}

/// One stored change, as the text model takes it.
pub fn as_change(row: &amendment_change::Model) -> Change {
    Change {
        operation: row.operation,
        section: row.section_key,
        article_number: row.article_number,
        position: row.position,
        heading: row.heading.clone(),
        text: row.text.clone(),
        membership_rights: row.defines_membership_rights,
    }
}
