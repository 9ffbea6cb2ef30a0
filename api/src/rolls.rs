//! What an amendment vote's roll and an election's roll share: the transaction an opening runs
//! in, whose memberships are brought up to date before anything else ([`CaughtUpTx`]); a
//! members' roll is copied from the memberships in good standing inside the database, and each
//! roll is listed whole in the audit entry that opens the voting, so that anyone can recount from
//! the log alone. The listing is built by the database as one JSON text: 100,000 entries come
//! back as one value, not as 100,000 rows (sqlx hands SQLite rows to the process one message
//! each).

use chrono::Utc;
use entity::membership;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, Statement,
    sea_query::{Expr, IntoIden, Query},
};
use uuid::Uuid;

use crate::{
    db::{BeginWrite, Tx, begin_write},
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        status::{self, MembershipStatus},
    },
    sponsors::follow::refresh_memberships,
};

/// A write transaction whose memberships were brought up to date before anything else ran in
/// it: the one a vote or an election opens in, so that its roll holds whom the calendar puts
/// on it today, with today's weights. [`begin_write_caught_up`] is the only way to get one.
/// Everything else it does, it does as a [`Tx`].
pub struct CaughtUpTx(Tx);

/// Begins a write transaction and, before handing it over, brings up to date the memberships a
/// roll copies: Sponsor memberships whose sponsorship started since it was recorded
/// ([`refresh_memberships`]). That takes the sponsors' locks, which must come before the
/// transaction's first write; here nothing else can have written yet.
pub async fn begin_write_caught_up(db: &DatabaseConnection) -> ApiResult<CaughtUpTx> {
    let tx = begin_write(db).await?;
    refresh_memberships(&tx).await?;
    Ok(CaughtUpTx(tx))
}

impl CaughtUpTx {
    /// Commits it, as [`Tx::commit`] does.
    pub async fn commit(self) -> ApiResult<()> {
        self.0.commit().await
    }
}

impl std::ops::Deref for CaughtUpTx {
    type Target = Tx;

    fn deref(&self) -> &Tx {
        &self.0
    }
}

impl AsRef<Tx> for CaughtUpTx {
    fn as_ref(&self) -> &Tx {
        &self.0
    }
}

impl BeginWrite for CaughtUpTx {
    async fn begin(db: &DatabaseConnection) -> ApiResult<Self> {
        begin_write_caught_up(db).await
    }

    async fn commit(self) -> ApiResult<()> {
        CaughtUpTx::commit(self).await
    }
}

/// Which memberships a roll copies, and with which weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// Every membership in good standing, with its class's or tier's weight; Sponsor
    /// memberships are marked, for the influence cap.
    ByClass,
    /// Only Contributor and Mirror memberships, each with weight 1 (the Community Director).
    OnePerMember,
}

/// Copies the memberships in good standing today into `table` as `owner`'s roll, by one
/// `INSERT … SELECT`: each entry keyed by a random id the database draws, so 100,000 members
/// are one statement, not a round trip of rows through the process and back. `columns` name
/// the entry's key, owner, membership, holder key, nominal weight and sponsor mark, in that
/// order. Returns how many entries it wrote.
pub async fn copy_members<C: IntoIden + Copy>(
    tx: &Tx,
    table: impl IntoIden,
    columns: [C; 6],
    owner: Uuid,
    grace_days: i32,
    weighting: Weighting,
) -> ApiResult<u64> {
    use membership::Column as M;
    let mut members = Query::select();
    members
        .expr(ids::random_key(tx.get_database_backend()))
        .expr(Expr::val(owner))
        .column(M::Id)
        .column(M::HolderKey)
        .from(membership::Entity)
        .cond_where(status::condition(
            MembershipStatus::Active,
            Utc::now().date_naive(),
            grace_days,
        ));
    match weighting {
        Weighting::ByClass => {
            members
                .column(M::VoteWeight)
                .expr(M::ClassKey.eq(MembershipClassKey::Sponsor));
        }
        Weighting::OnePerMember => {
            members.expr(Expr::val(1)).expr(Expr::val(false)).and_where(
                M::ClassKey.is_in([MembershipClassKey::Contributor, MembershipClassKey::Mirror]),
            );
        }
    }
    let insert = Query::insert()
        .into_table(table)
        .columns(columns)
        .select_from(members)
        .map_err(ApiError::internal)?
        .to_owned();
    Ok(tx.execute(&insert).await?.rows_affected())
}

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
