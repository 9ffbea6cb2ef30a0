//! Reading the audit log: ADMIN reads all of it; a person reads the entries about themselves.

use async_graphql::{Context, ID, Object};
use entity::{audit_event, prelude::AuditEvent as AuditEvents};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    accounts::types::Account,
    audit::{checkpoint, verify_chain},
    audit_log::types::{AuditChainCheck, AuditCheckpoint, AuditEvent, AuditEventConnection},
    auth::{ApiScope, Role, RoleGuard, Viewer},
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    pagination::{PageArgs, cost, fetch_page},
};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, oldest first. `ADMIN`, and the foundation's integrations holding
    /// `AUDIT_READ`, read every entry; anyone logged in may read the entries whose subject is
    /// their own account, by passing its ID as `subjectId`.
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
        // The foundation's integrations holding AUDIT_READ read the whole log, as an ADMIN.
        let integration = viewer.has_scope(ApiScope::AuditRead) && viewer.integration().is_some();
        let account = if integration {
            None
        } else {
            Some(viewer.require_account()?)
        };
        let subject = subject_id
            .map(|id| {
                ids::decode(&id).ok_or_else(|| {
                    ApiError::bad_input(crate::field!(subject_id), "This is not a valid ID.")
                })
            })
            .transpose()?;
        let own = subject.as_ref().is_some_and(|(kind, key)| {
            kind == Account::KIND && account.is_some_and(|account| *key == account.id)
        });
        if !viewer.has_role(Role::Admin) && !own && !integration {
            return Err(ApiError::forbidden(
                "the audit log is for ADMIN; others may read the entries about their own account",
            ));
        }
        let page = PageArgs::new(first, after, last, before).parse::<i64>()?;
        let mut query = AuditEvents::find();
        if let Some((_, key)) = subject {
            query = query.filter(audit_event::Column::SubjectId.eq(key));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, audit_event::Column::Seq, |row| row.seq, &page).await?;
        Ok(Some(page.map(AuditEvent).into()))
    }

    /// Re-checks the whole audit chain and reports the first broken link. `ADMIN` only.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn audit_chain(&self, ctx: &Context<'_>) -> ApiResult<Option<AuditChainCheck>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let check = verify_chain(db).await?;
        Ok(Some(AuditChainCheck {
            intact: check.first_broken.is_none(),
            checked_entries: check.checked,
            first_broken_sequence: check.first_broken.as_ref().map(|(seq, _)| seq.to_string()),
            reason: check.first_broken.map(|(_, why)| why),
        }))
    }

    /// The latest signed checkpoint of the audit chain, public so that anyone can keep copies;
    /// null until the first is written.
    async fn audit_checkpoint(&self, ctx: &Context<'_>) -> ApiResult<Option<AuditCheckpoint>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(checkpoint::latest(db).await?.map(AuditCheckpoint::from))
    }
}
