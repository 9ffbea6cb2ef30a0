//! Display consent, which belongs to the sponsor and not to one sponsorship: withdrawn, it hides
//! the sponsor from every public read at once (the list, the feeds, the activity feed, the
//! Sponsor membership), for its past, running and future sponsorships alike.

use chrono::Utc;
use entity::{
    prelude::SponsorConsent as Consents,
    sponsor_consent::{self, Column},
    sponsorship,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Condition, Expr, ExprTrait, OnConflict, Query},
};

use crate::error::ApiResult;

/// The SQL condition for sponsorships whose sponsor consents to be shown. A sponsor with no
/// consent row is not shown: every command that records a sponsorship writes one.
///
/// A correlated `EXISTS`, so each listed sponsorship looks up its sponsor's consent by key:
/// SQLite would otherwise build the list of every consenting sponsor for each page.
pub fn shown() -> Condition {
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(Consents)
            .and_where(
                Expr::col((Consents, Column::SponsorKey))
                    .equals((sponsorship::Entity, sponsorship::Column::SponsorKey)),
            )
            .and_where(Column::Disclose.eq(true))
            .to_owned(),
    ))
}

/// The sponsor's consent, if it has ever been given or withdrawn.
pub async fn of(db: &impl ConnectionTrait, sponsor_key: &str) -> ApiResult<Option<bool>> {
    Ok(Consents::find_by_id(sponsor_key.to_owned())
        .one(db)
        .await?
        .map(|row| row.disclose))
}

/// The consent of each of `sponsor_keys` that has given or withdrawn it: one statement.
pub async fn of_many(
    db: &impl ConnectionTrait,
    sponsor_keys: &[String],
) -> ApiResult<Vec<(String, bool)>> {
    Ok(Consents::find()
        .filter(Column::SponsorKey.is_in(sponsor_keys.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.sponsor_key, row.disclose))
        .collect())
}

/// Sets the sponsor's consent. Call it holding the sponsor's lock. Returns whether it changed.
pub async fn set(db: &impl ConnectionTrait, sponsor_key: &str, disclose: bool) -> ApiResult<bool> {
    if of(db, sponsor_key).await? == Some(disclose) {
        return Ok(false);
    }
    let row = sponsor_consent::ActiveModel {
        sponsor_key: Set(sponsor_key.to_owned()),
        disclose: Set(disclose),
        updated_at: Set(Utc::now()),
    };
    Consents::insert(row)
        .on_conflict(
            OnConflict::column(Column::SponsorKey)
                .update_columns([Column::Disclose, Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(true)
}
