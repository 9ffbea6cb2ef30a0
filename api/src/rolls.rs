//! What an amendment vote's roll and an election's roll share: each is listed whole in the
//! audit entry that opens the voting, so that anyone can recount from the log alone. (A members'
//! roll is copied from the memberships in good standing inside the database, by its own
//! module's `freeze`.) The listing is built by the
//! database as one JSON text: 100,000 entries come back as one value, not as 100,000 rows (sqlx
//! hands SQLite rows to the process one message each).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    ids,
};

/// How a column of a roll is written in its listing.
#[derive(Clone, Copy, Debug)]
pub enum Field {
    /// A key, as hyphenated text (or null).
    Key,
    /// A whole number.
    Int,
    /// A flag, as `true` or `false`.
    Flag,
}

/// The entries of the roll in `table` whose `owner_column` is `owner`, as a JSON array of
/// objects with one member per `(name, column, field)`.
pub async fn listing(
    db: &impl ConnectionTrait,
    table: &str,
    owner_column: &str,
    owner: Uuid,
    fields: &[(&str, &str, Field)],
) -> ApiResult<serde_json::Value> {
    let backend = db.get_database_backend();
    let members: Vec<String> = fields
        .iter()
        .map(|&(name, column, field)| {
            let value = match (backend, field) {
                (DbBackend::Postgres, _) | (_, Field::Int) => column.to_owned(),
                // SQLite keeps keys as 16-byte blobs and flags as 0 and 1.
                (_, Field::Key) => ids::sqlite_key_text(column),
                (_, Field::Flag) => {
                    format!("json(CASE WHEN {column} THEN 'true' ELSE 'false' END)")
                }
            };
            format!("'{name}', {value}")
        })
        .collect();
    let members = members.join(", ");
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_object({members})), '[]')::text AS roll \
             FROM {table} WHERE {owner_column} = $1"
        ),
        _ => format!(
            "SELECT json_group_array(json_object({members})) AS roll \
             FROM {table} WHERE {owner_column} = ?"
        ),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [owner.into()]))
        .await?
        .ok_or_else(|| ApiError::internal("the roll listing returned no row"))?;
    let text: String = row.try_get("", "roll")?;
    serde_json::from_str(&text).map_err(ApiError::internal)
}
