//! Reading the audit log: ADMIN reads all of it; a person reads the entries about themselves.

use async_graphql::{Context, ID, Object};
use base64::{Engine, engine::general_purpose::STANDARD};
use entity::{audit_event, prelude::AuditEvent as AuditEvents};
use sea_orm::{ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    audit::{SubjectKind, verify_chain},
    audit_log::access,
    audit_log::types::{
        AuditChainCheck, AuditCheckpoint, AuditConsistencyProof, AuditEvent, AuditEventConnection,
        AuditInclusionProof,
    },
    auth::{Role, RoleGuard, Viewer},
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    log::{cosigning, store},
    pagination::{PageArgs, cost, fetch_page},
    services::Services,
};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, oldest first. `ADMIN`, and the foundation's integrations holding
    /// `AUDIT_READ`, read every entry; anyone logged in may read the entries about their own
    /// account, or about an application or a sponsorship they hold (themselves or as a
    /// representative of the organization), by passing its ID as `subjectId`.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries about this object.")] subject_id: Option<ID>,
        #[graphql(desc = "How many entries to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return entries after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many entries to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return entries before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<AuditEventConnection>> {
        let viewer = Viewer::of(ctx);
        let everything = access::reads_everything(viewer);
        if !everything {
            viewer.require_account()?;
        }
        let subject = subject_id
            .map(|id| {
                ids::decode(&id).ok_or_else(|| {
                    ApiError::bad_input(crate::field!(subject_id), "This is not a valid ID.")
                })
            })
            .transpose()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let own = match &subject {
            Some((kind, key)) if !everything => match SubjectKind::try_from_value(kind) {
                Ok(kind) => access::subject_is_viewers(db, viewer, kind, *key).await?,
                Err(_) => false,
            },
            _ => false,
        };
        if !everything && !own {
            return Err(ApiError::forbidden(
                "the audit log is for ADMIN; others may read the entries about their own account, applications and sponsorships",
            ));
        }
        let page = PageArgs::new(first, after, last, before).parse::<i64>()?;
        let mut query = AuditEvents::find();
        if let Some((_, key)) = subject {
            query = query.filter(audit_event::Column::SubjectId.eq(key));
        }
        let page = fetch_page(db, query, audit_event::Column::Seq, |row| row.seq, &page).await?;
        Ok(Some(page.map(AuditEvent).into()))
    }

    /// Re-checks the audit log and reports the first broken entry: the hash chain of the
    /// entries written before the Merkle tree log, then every sealed entry against its stored
    /// leaf and the latest checkpoint's root. `ADMIN` only. It shows an edit made behind the
    /// server's back; only checkpoints kept outside (`verify-log`, witnesses) show a log
    /// rewritten as a whole.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn audit_chain(&self, ctx: &Context<'_>) -> ApiResult<Option<AuditChainCheck>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let chain = verify_chain(db).await?;
        if let Some((seq, why)) = chain.first_broken {
            return Ok(Some(AuditChainCheck {
                intact: false,
                checked_entries: chain.checked,
                first_broken_sequence: Some(seq.to_string()),
                first_broken_leaf: None,
                reason: Some(why),
            }));
        }
        let tree = store::check(db).await?;
        let (leaf, seq, why) = match tree.first_broken {
            Some((leaf, seq, why)) => (Some(leaf.to_string()), seq, Some(why)),
            None => (None, None, None),
        };
        Ok(Some(AuditChainCheck {
            intact: why.is_none(),
            checked_entries: tree.checked,
            first_broken_sequence: seq.map(|seq| seq.to_string()),
            first_broken_leaf: leaf,
            reason: why,
        }))
    }

    /// The latest signed checkpoint of the Merkle tree log, public so that anyone can keep
    /// copies; null until the sealer has signed the first (within seconds of the start).
    async fn audit_checkpoint(&self, ctx: &Context<'_>) -> ApiResult<Option<AuditCheckpoint>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let config = &ctx.data::<Services>()?.config;
        cosigning::latest(db)
            .await?
            .map(|served| AuditCheckpoint::of(served, config))
            .transpose()
    }

    /// The proof that an audit entry is in the Merkle tree log, for whoever may read the entry:
    /// `ADMIN`; the person it is about (their account, an application or a sponsorship they
    /// hold, as themselves or a representative); the person who wrote it (their vote); anyone,
    /// for an election's close (the published ballots). This is how a member checks a receipt
    /// (`auditEntryId` in a payload, `Election.ballotsAuditEntryId`). `treeSize` must be the size
    /// of a signed checkpoint (default the latest); the proof leads to that checkpoint's root.
    /// An entry committed but not sealed yet is `CONFLICT` with `extensions.reason`
    /// `NOT_YET_SEALED`: the sealer seals it within a second (`QUORUM_LOG_SEAL_INTERVAL_MS`).
    async fn audit_inclusion_proof(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The audit entry's ID (`AuditEvent.id`).")] entry_id: ID,
        #[graphql(desc = "The size of a signed checkpoint; the latest when left out.")]
        tree_size: Option<i64>,
    ) -> ApiResult<Option<AuditInclusionProof>> {
        let viewer = Viewer::of(ctx);
        let key = match ids::decode(&entry_id) {
            Some((kind, key)) if kind == AuditEvent::KIND => key,
            _ => {
                return Err(ApiError::bad_input(
                    crate::field!(entry_id),
                    "This is not an audit entry's ID.",
                ));
            }
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let entry = AuditEvents::find()
            .filter(audit_event::Column::Id.eq(key))
            .one(db)
            .await?;
        let readable = match &entry {
            Some(entry) => access::may_read(db, viewer, entry).await?,
            None => false,
        };
        let Some(entry) = entry.filter(|_| readable) else {
            viewer.require_account()?;
            return Err(ApiError::not_found("audit entry"));
        };
        let Some(index) = entry.leaf_index else {
            return Err(ApiError::NotYetSealed);
        };
        let checkpoint = match tree_size {
            None => store::latest(db).await?,
            Some(size) => match u64::try_from(size) {
                Ok(size) => store::at(db, size).await?,
                Err(_) => None,
            },
        };
        let Some(checkpoint) = checkpoint else {
            return Err(ApiError::bad_input(
                crate::field!(tree_size),
                "No checkpoint was signed at this size.",
            ));
        };
        if checkpoint.size <= index {
            return Err(ApiError::bad_input(
                crate::field!(tree_size),
                "The entry was sealed after a tree of this size.",
            ));
        }
        let hashes = store::inclusion(db, index as u64, checkpoint.size as u64).await?;
        let checkpoint = cosigning::served(db, checkpoint).await?;
        Ok(Some(AuditInclusionProof {
            leaf_index: index,
            tree_size: checkpoint.row.size,
            hashes: hashes.iter().map(|h| STANDARD.encode(h)).collect(),
            checkpoint: checkpoint.note,
        }))
    }

    /// The proof that the Merkle tree log of `toSize` entries extends the one of `fromSize`
    /// (both at most the latest checkpoint's size). Public.
    async fn audit_consistency_proof(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The earlier tree's size.")] from_size: i64,
        #[graphql(desc = "The later tree's size, at most the latest checkpoint's.")] to_size: i64,
    ) -> ApiResult<Option<AuditConsistencyProof>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let latest = store::latest(db).await?.map_or(0, |row| row.size);
        let Ok(to) = u64::try_from(to_size) else {
            return Err(ApiError::bad_input(
                crate::field!(to_size),
                "Must not be negative.",
            ));
        };
        if to_size > latest {
            return Err(ApiError::bad_input(
                crate::field!(to_size),
                "The log is not that large yet.",
            ));
        }
        let from = match u64::try_from(from_size) {
            Ok(from) if from <= to => from,
            _ => {
                return Err(ApiError::bad_input(
                    crate::field!(from_size),
                    "Must be between 0 and toSize.",
                ));
            }
        };
        let hashes = store::consistency(db, from, to).await?;
        Ok(Some(AuditConsistencyProof {
            from_size,
            to_size,
            hashes: hashes.iter().map(|h| STANDARD.encode(h)).collect(),
        }))
    }
}
