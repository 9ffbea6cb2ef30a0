//! Reading and writing bylaws versions.

use chrono::Utc;
use entity::{
    bylaws_section, bylaws_version,
    prelude::{BylawsSection, BylawsVersion},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    bylaws::text::{Document, Section},
    error::{ApiError, ApiResult, on_unique_violation},
    ids,
};

/// The version in force: the highest number.
pub async fn current(db: &impl ConnectionTrait) -> ApiResult<Option<bylaws_version::Model>> {
    Ok(BylawsVersion::find()
        .order_by_desc(bylaws_version::Column::Number)
        .one(db)
        .await?)
}

/// The text of version `number`.
pub async fn document(db: &impl ConnectionTrait, number: i32) -> ApiResult<Document> {
    let rows = BylawsSection::find()
        .filter(bylaws_section::Column::VersionNumber.eq(number))
        .all(db)
        .await?;
    Ok(Document::new(rows.into_iter().map(section_of).collect()))
}

/// A stored section as the text model takes it.
pub fn section_of(row: bylaws_section::Model) -> Section {
    Section {
        key: row.section_key,
        article_number: row.article_number,
        article_title: row.article_title,
        section_number: row.section_number,
        heading: row.heading,
        text: row.text,
        membership_rights: row.defines_membership_rights,
    }
}

/// Writes a new version with `document` as its text. Versions are never updated afterwards; a
/// version number written twice is `CONFLICT`.
pub async fn write_version(
    db: &impl ConnectionTrait,
    number: i32,
    amendment_id: Option<Uuid>,
    document: &Document,
) -> ApiResult<bylaws_version::Model> {
    let now = Utc::now();
    let version = bylaws_version::ActiveModel {
        number: Set(number),
        adopted_at: Set(now),
        effective_at: Set(now),
        amendment_id: Set(amendment_id),
    }
    .insert(db)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict(format!("bylaws version {number} already exists"))
        })
    })?;
    if !document.sections.is_empty() {
        let rows = document
            .sections
            .iter()
            .map(|section| bylaws_section::ActiveModel {
                id: Set(ids::new_key()),
                version_number: Set(number),
                section_key: Set(section.key),
                article_number: Set(section.article_number),
                article_title: Set(section.article_title.clone()),
                section_number: Set(section.section_number),
                heading: Set(section.heading.clone()),
                text: Set(section.text.clone()),
                defines_membership_rights: Set(section.membership_rights),
            });
        BylawsSection::insert_many(rows).exec(db).await?;
    }
    Ok(version)
}
