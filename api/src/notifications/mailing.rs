//! Mail to a whole roll. Opening a vote or an election writes one [`mailing`] row in its own
//! transaction; the mail workers then write one message per person on the frozen roll. The
//! roll cannot change once frozen, so nothing is lost by writing the messages a moment later,
//! and the opening transaction stays short however many members the foundation has.
//!
//! A mailing is expanded in one transaction of its own, which takes the row (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, so one replica does it) and writes every message with a key of the
//! mailing and the account: a message is never written twice.

use std::collections::BTreeSet;

use chrono::Utc;
use entity::{
    election_roll,
    mailing::{self, RollKind},
    prelude::{ElectionRoll, Mailing, VoterRoll},
    voter_roll,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, LockBehavior, LockType},
};
use uuid::Uuid;

use crate::{
    db::{Tx, begin_bookkeeping},
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    notifications::mail::{self, Mail, To},
};

/// Whose frozen roll receives a mailing.
#[derive(Clone, Copy, Debug)]
pub enum Roll {
    /// An amendment vote's roll: directors, members, or an organization's representatives.
    Amendment(Uuid),
    /// An election's roll: members, or an organization's representatives.
    Election(Uuid),
}

impl Roll {
    fn columns(self) -> (RollKind, Uuid) {
        match self {
            Self::Amendment(id) => (RollKind::Amendment, id),
            Self::Election(id) => (RollKind::Election, id),
        }
    }

    fn from_columns(kind: RollKind, id: Uuid) -> Self {
        match kind {
            RollKind::Amendment => Self::Amendment(id),
            RollKind::Election => Self::Election(id),
        }
    }
}

/// Sends `mail` to everyone on `roll`, once the caller's transaction commits.
pub async fn to_roll(tx: &Tx, roll: Roll, mail: &Mail) -> ApiResult<()> {
    let (roll_kind, roll_id) = roll.columns();
    mailing::ActiveModel {
        id: Set(ids::new_key()),
        mail: Set(serde_json::to_string(mail).map_err(ApiError::internal)?),
        roll_kind: Set(roll_kind),
        roll_id: Set(roll_id),
        created_at: Set(Utc::now()),
        expanded_at: Set(None),
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Writes the messages of the oldest mailing still waiting. Returns how many it wrote, or `None`
/// when no mailing was waiting (or another replica holds the one that is).
pub async fn expand_next(db: &DatabaseConnection) -> ApiResult<Option<usize>> {
    // A plain read first: an idle worker polls without taking a write lock.
    let waiting = Mailing::find()
        .filter(mailing::Column::ExpandedAt.is_null())
        .one(db)
        .await?
        .is_some();
    if !waiting {
        return Ok(None);
    }
    // Bookkeeping: mail is not public, so the public caches stay as they are.
    let tx = begin_bookkeeping(db).await?;
    let Some(row) = Mailing::find()
        .filter(mailing::Column::ExpandedAt.is_null())
        .order_by_asc(mailing::Column::CreatedAt)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .one(&tx)
        .await?
    else {
        tx.rollback().await?;
        return Ok(None);
    };
    let roll = Roll::from_columns(row.roll_kind, row.roll_id);
    let written = match serde_json::from_str::<Mail>(&row.mail) {
        Ok(mail) => {
            let accounts = mail::recipients(&tx, &voters(&tx, roll).await?).await?;
            let key = |account: Uuid| Some(format!("{}:{}:{account}", mail.kind().name(), row.id));
            let written = mail::write(&tx, &accounts, &mail, key).await?;
            tracing::info!(mailing = %row.id, kind = mail.kind().name(), written, "wrote a roll's mail");
            written
        }
        // Written by another version, say: set aside, so that it never holds up the mailings
        // after it, and said loudly.
        Err(err) => {
            tracing::error!(mailing = %row.id, error = %err, "a mailing cannot be read; set aside unsent");
            0
        }
    };
    Mailing::update_many()
        .col_expr(mailing::Column::ExpandedAt, Expr::value(Utc::now()))
        .filter(mailing::Column::Id.eq(row.id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(Some(written))
}

/// Everyone on `roll`: a director's account, or the holder of a membership.
async fn voters(db: &impl ConnectionTrait, roll: Roll) -> ApiResult<Vec<To>> {
    let holders: Vec<(Option<Uuid>, String)> = match roll {
        Roll::Amendment(id) => {
            VoterRoll::find()
                .select_only()
                .column(voter_roll::Column::AccountId)
                .column(voter_roll::Column::HolderKey)
                .filter(voter_roll::Column::AmendmentId.eq(id))
                .into_tuple()
                .all(db)
                .await?
        }
        Roll::Election(id) => ElectionRoll::find()
            .select_only()
            .column(election_roll::Column::HolderKey)
            .filter(election_roll::Column::ElectionId.eq(id))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .map(|key| (None, key))
            .collect(),
    };
    let distinct: BTreeSet<(Option<Uuid>, String)> = holders.into_iter().collect();
    Ok(distinct
        .into_iter()
        .filter_map(|(account, key)| match account {
            Some(account) => Some(To::Account(account)),
            None => Holder::from_key(&key).map(To::Holder),
        })
        .collect())
}

/// An election's voting opened: tells everyone on its roll (members, or an organization's
/// representatives), once the caller's transaction commits. For the election commands.
pub async fn election_opened(
    tx: &Tx,
    election: Uuid,
    title: &str,
    closes_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let mail = Mail::ElectionOpened {
        title: title.to_owned(),
        closes_at,
    };
    to_roll(tx, Roll::Election(election), &mail).await
}
