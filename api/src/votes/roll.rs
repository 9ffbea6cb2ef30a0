//! The voter roll: frozen when voting opens, and read back to find who may cast which vote.

use std::collections::BTreeSet;

use crate::db::Tx;
use chrono::Utc;
use entity::{
    amendment_vote::{self, VoteChoice},
    membership,
    prelude::VoterRoll,
    voter_roll,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter, QuerySelect,
    Statement,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use crate::{
    amendments::VoteBody,
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        holder::Holder,
        status::{self, MembershipStatus},
    },
};

/// Writes the voter roll: members in good standing today with their weights, or the directors
/// in office (the board of record).
///
/// A members' roll is copied inside the database with one `INSERT … SELECT`, each entry keyed
/// by a random (version 4) id the database draws: 100,000 members are one statement, not a
/// round trip of rows through the process and back. Returns how many entries it wrote;
/// [`listing`] reads them back for the audit log.
pub async fn freeze(tx: &Tx, amendment: Uuid, body: VoteBody, grace_days: i32) -> ApiResult<u64> {
    match body {
        VoteBody::Members => freeze_members(tx, amendment, grace_days).await,
        VoteBody::Board => freeze_board(tx, amendment).await,
    }
}

async fn freeze_members(tx: &Tx, amendment: Uuid, grace_days: i32) -> ApiResult<u64> {
    use membership::Column as M;
    use voter_roll::Column as R;
    let backend = tx.get_database_backend();
    let members = Query::select()
        .expr(ids::random_key(backend))
        .expr(Expr::val(amendment))
        .column(M::Id)
        .column(M::HolderKey)
        .column(M::VoteWeight)
        .expr(M::ClassKey.eq(MembershipClassKey::Sponsor))
        .from(membership::Entity)
        .cond_where(status::condition(
            MembershipStatus::Active,
            Utc::now().date_naive(),
            grace_days,
        ))
        .to_owned();
    let insert = Query::insert()
        .into_table(voter_roll::Entity)
        .columns([
            R::Id,
            R::AmendmentId,
            R::MembershipId,
            R::HolderKey,
            R::NominalWeight,
            R::Sponsor,
        ])
        .select_from(members)
        .map_err(ApiError::internal)?
        .to_owned();
    Ok(tx.execute(&insert).await?.rows_affected())
}

/// The board of record when the vote opens: the directorships in office today (one entry per
/// director, even one holding two seats).
async fn freeze_board(tx: &Tx, amendment: Uuid) -> ApiResult<u64> {
    let directors: BTreeSet<Uuid> = crate::elections::board::in_office(tx, Utc::now().date_naive())
        .await?
        .into_iter()
        .map(|d| d.account_id)
        .collect();
    let rows: Vec<voter_roll::Model> = directors
        .into_iter()
        .map(|account_id| voter_roll::Model {
            id: ids::new_key(),
            amendment_id: amendment,
            membership_id: None,
            account_id: Some(account_id),
            holder_key: Holder::Account(account_id).key(),
            nominal_weight: 1,
            sponsor: false,
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let written = rows.len() as u64;
    VoterRoll::insert_many(rows.into_iter().map(voter_roll::ActiveModel::from))
        .exec(tx)
        .await?;
    Ok(written)
}

/// `amendment`'s roll as the `vote.opened` audit entry lists it, one object per entry (`entry`,
/// `membership`, `account`, `weight`, `sponsor`), so that anyone can recount from the log.
/// The database builds the list as one JSON text: 100,000 entries come back as one value, not
/// as 100,000 rows.
pub async fn listing(db: &impl ConnectionTrait, amendment: Uuid) -> ApiResult<serde_json::Value> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT COALESCE(json_agg(json_build_object(\
             'entry', id, 'membership', membership_id, 'account', account_id, \
             'weight', nominal_weight, 'sponsor', sponsor)), '[]')::text AS roll \
             FROM voter_roll WHERE amendment_id = $1"
            .to_owned(),
        // SQLite keeps keys as 16-byte blobs and booleans as 0 and 1.
        _ => format!(
            "SELECT json_group_array(json_object('entry', {}, 'membership', {}, \
             'account', {}, 'weight', nominal_weight, \
             'sponsor', json(CASE WHEN sponsor THEN 'true' ELSE 'false' END))) AS roll \
             FROM voter_roll WHERE amendment_id = ?",
            sqlite_key_text("id"),
            sqlite_key_text("membership_id"),
            sqlite_key_text("account_id"),
        ),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [amendment.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal("the roll listing returned no row"))?;
    let text: String = row.try_get("", "roll")?;
    serde_json::from_str(&text).map_err(ApiError::internal)
}

/// SQLite SQL for the hyphenated text of the key in `column`, or NULL.
fn sqlite_key_text(column: &str) -> String {
    let part = |from: usize, len: usize| format!("substr(hex({column}), {from}, {len})");
    format!(
        "CASE WHEN {column} IS NULL THEN NULL ELSE lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {}) END",
        part(1, 8),
        part(9, 4),
        part(13, 4),
        part(17, 4),
        part(21, 12),
    )
}

/// What the tally needs of each entry of `amendment`'s roll, with the entry's vote if it cast
/// one: one statement, only the columns the arithmetic reads, however large the roll.
pub async fn ballots(
    db: &impl ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<(i32, bool, Option<VoteChoice>)>> {
    Ok(VoterRoll::find()
        .select_only()
        .column(voter_roll::Column::NominalWeight)
        .column(voter_roll::Column::Sponsor)
        .column(amendment_vote::Column::Choice)
        .join(
            JoinType::LeftJoin,
            voter_roll::Entity::belongs_to(amendment_vote::Entity)
                .from(voter_roll::Column::Id)
                .to(amendment_vote::Column::RollEntryId)
                .into(),
        )
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .into_tuple()
        .all(db)
        .await?)
}

/// The entries of `amendment`'s roll that `account` may cast: its own, and those of the
/// organizations it represents. Read in the voting transaction, so a representative removed a
/// moment ago no longer votes.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    amendment: Uuid,
    account: Uuid,
) -> ApiResult<Vec<voter_roll::Model>> {
    let keys = crate::members::holder::holder_keys_of(db, account).await?;
    Ok(VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .filter(voter_roll::Column::HolderKey.is_in(keys))
        .all(db)
        .await?)
}

/// Every entry of `amendment`'s roll.
pub async fn entries(
    db: &impl ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<voter_roll::Model>> {
    Ok(VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .all(db)
        .await?)
}
