//! Amendments: proposing, discussing, submitting, withdrawing and rebasing.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{Duration, Utc};
use entity::{
    amendment, amendment_change, amendment_comment,
    prelude::{Amendment as Amendments, AmendmentChange as Changes, AmendmentComment as Comments},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState,
    accounts::{loader::AccountLoader, types::Account},
    audit::{self, Actor, Entry},
    auth::{Role, RoleGuard, SessionGuard, Viewer},
    bylaws::{
        db,
        mutation::{body, heading},
        tally::Tally,
        text::{Change, Operation},
        types::{Section, SectionDiff, diff},
        votes::{VoteCounts, vote_counts},
    },
    db::begin_write,
    error::{ApiError, ApiResult},
    ids::{self, NodeKind, key_of},
    loaders::loader,
    members::{holder::viewer_has_membership, status::MembershipStatus},
    pagination::{PageArgs, cost, fetch_page},
    policy::loader::policy,
    time::DateTime,
};

/// Where an amendment stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AmendmentStatus {
    /// Being written by its proposer.
    Draft,
    /// Submitted: in discussion during the notice period.
    Proposed,
    /// Open for votes until it closes.
    Voting,
    /// Passed: a new bylaws version holds it.
    Adopted,
    /// Did not pass.
    Rejected,
    /// Taken back by its proposer before voting.
    Withdrawn,
}

impl AmendmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Proposed => "PROPOSED",
            Self::Voting => "VOTING",
            Self::Adopted => "ADOPTED",
            Self::Rejected => "REJECTED",
            Self::Withdrawn => "WITHDRAWN",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "PROPOSED" => Self::Proposed,
            "VOTING" => Self::Voting,
            "ADOPTED" => Self::Adopted,
            "REJECTED" => Self::Rejected,
            "WITHDRAWN" => Self::Withdrawn,
            _ => Self::Draft,
        }
    }
}

/// What a change does to a section.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ChangeOperation {
    /// Adds a section at an article and position.
    Insert,
    /// Replaces a section's text (and heading, if given).
    Replace,
    /// Removes a section.
    Delete,
}

impl ChangeOperation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Insert => "INSERT",
            Self::Replace => "REPLACE",
            Self::Delete => "DELETE",
        }
    }

    fn of(operation: Operation) -> Self {
        match operation {
            Operation::Insert => Self::Insert,
            Operation::Replace => Self::Replace,
            Operation::Delete => Self::Delete,
        }
    }
}

/// The voting body.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoteBody {
    /// The directors in office, one vote each, by super-majority.
    Board,
    /// The members in good standing, by weight, after the influence cap.
    Members,
}

impl VoteBody {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Board => "BOARD",
            Self::Members => "MEMBERS",
        }
    }

    pub fn parse(text: &str) -> Self {
        if text == "BOARD" {
            Self::Board
        } else {
            Self::Members
        }
    }
}

/// The amendment row.
#[derive(Clone, Debug)]
pub struct Amendment(pub amendment::Model);

impl NodeKind for Amendment {
    const KIND: &'static str = "Amendment";
}

impl Amendment {
    pub fn state(&self) -> AmendmentStatus {
        AmendmentStatus::parse(&self.0.status)
    }

    /// Drafts are for their proposer and the secretary; the rest is public.
    pub fn visible(&self, viewer: &Viewer) -> bool {
        self.state() != AmendmentStatus::Draft
            || viewer.account_id() == Some(self.0.proposer_id)
            || viewer.has_role(Role::Secretary)
    }
}

/// A change of an amendment.
#[derive(Clone, Debug)]
pub struct AmendmentChange(pub amendment_change::Model);

/// One section change of an amendment.
#[Object]
impl AmendmentChange {
    /// What it does.
    async fn operation(&self) -> ChangeOperation {
        ChangeOperation::of(operation_of(&self.0.operation))
    }

    /// The section replaced or deleted.
    async fn section_id(&self) -> Option<ID> {
        self.0.section_key.map(ids::id_of::<Section>)
    }

    /// The article an inserted section goes into.
    async fn article_number(&self) -> Option<i32> {
        self.0.article_number
    }

    /// The number an inserted section takes.
    async fn position(&self) -> Option<i32> {
        self.0.position
    }

    /// The new heading.
    async fn heading(&self) -> Option<&str> {
        self.0.heading.as_deref()
    }

    /// The new text.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
}

fn operation_of(text: &str) -> Operation {
    match text {
        "INSERT" => Operation::Insert,
        "DELETE" => Operation::Delete,
        _ => Operation::Replace,
    }
}

fn as_change(row: &amendment_change::Model) -> Change {
    Change {
        operation: operation_of(&row.operation),
        section: row.section_key,
        article_number: row.article_number,
        position: row.position,
        heading: row.heading.clone(),
        text: row.text.clone(),
    }
}

/// A comment.
#[derive(Clone, Debug)]
pub struct Comment(pub amendment_comment::Model);

/// A member's comment in an amendment's discussion.
#[Object(name = "AmendmentComment")]
impl Comment {
    /// The comment's opaque global ID.
    async fn id(&self) -> ID {
        ids::encode("AmendmentComment", self.0.id)
    }

    /// Who wrote it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(loader::<AccountLoader>(ctx)?
            .load_one(self.0.author_id)
            .await?
            .map(Account))
    }

    /// What they wrote.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::connection!(CommentConnection, CommentEdge, Comment);
crate::connection!(AmendmentConnection, AmendmentEdge, Amendment);

/// A proposal to change the bylaws in force.
#[Object]
impl Amendment {
    /// The amendment's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Why it is proposed.
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }

    /// Who proposed it.
    async fn proposer(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(loader::<AccountLoader>(ctx)?
            .load_one(self.0.proposer_id)
            .await?
            .map(Account))
    }

    /// Where it stands.
    async fn status(&self) -> AmendmentStatus {
        self.state()
    }

    /// The version of the bylaws it changes.
    async fn base_version(&self) -> i32 {
        self.0.base_version
    }

    /// True when the bylaws changed since it was written: it must be rebased before a vote.
    async fn needs_rebase(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let db = ctx.data::<DatabaseConnection>()?;
        let current = db::current(db).await?.map(|v| v.number);
        Ok(matches!(
            self.state(),
            AmendmentStatus::Draft | AmendmentStatus::Proposed
        ) && current != Some(self.0.base_version))
    }

    /// Set by the secretary when it changes a membership class's rights: it must go to the
    /// members.
    async fn affects_membership_rights(&self) -> bool {
        self.0.affects_membership_rights
    }

    /// Its section changes, in order.
    async fn changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<AmendmentChange>> {
        Ok(changes_of(ctx.data::<DatabaseConnection>()?, self.0.id)
            .await?
            .into_iter()
            .map(AmendmentChange)
            .collect())
    }

    /// What it does to its base version, section by section.
    async fn diff(&self, ctx: &Context<'_>) -> ApiResult<Vec<SectionDiff>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let base = db::document(db, self.0.base_version).await?;
        let changes: Vec<Change> = changes_of(db, self.0.id)
            .await?
            .iter()
            .map(as_change)
            .collect();
        let after = base.apply(&changes, ids::new_key)?;
        Ok(diff(&base, &after))
    }

    /// When it was submitted, starting the notice period.
    async fn submitted_at(&self) -> Option<DateTime> {
        self.0.submitted_at.map(DateTime)
    }

    /// The earliest moment voting may open: the end of the notice period.
    async fn voting_opens_no_earlier_than(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime>> {
        let days = policy(ctx).await?.amendment_notice_days;
        Ok(self
            .0
            .submitted_at
            .map(|at| DateTime(at + Duration::days(i64::from(days)))))
    }

    /// Who votes, once voting opened.
    async fn vote_body(&self) -> Option<VoteBody> {
        self.0.vote_body.as_deref().map(VoteBody::parse)
    }

    /// When voting opened.
    async fn voting_opened_at(&self) -> Option<DateTime> {
        self.0.voting_opened_at.map(DateTime)
    }

    /// When voting closes.
    async fn closes_at(&self) -> Option<DateTime> {
        self.0.closes_at.map(DateTime)
    }

    /// The votes so far, as counts only; null before voting.
    async fn votes(&self, ctx: &Context<'_>) -> ApiResult<Option<VoteCounts>> {
        if self.0.voting_opened_at.is_none() {
            return Ok(None);
        }
        Ok(Some(
            vote_counts(ctx.data::<DatabaseConnection>()?, self.0.id).await?,
        ))
    }

    /// The recorded tally, once voting closed.
    async fn tally(&self) -> ApiResult<Option<Tally>> {
        self.0
            .tally
            .as_deref()
            .map(|json| serde_json::from_str(json).map_err(ApiError::internal))
            .transpose()
    }

    /// The bylaws version it produced, once adopted.
    async fn adopted_version(&self) -> Option<i32> {
        self.0.adopted_version
    }

    /// The discussion, oldest first.
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many comments to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return comments after this cursor.")] after: Option<String>,
    ) -> ApiResult<CommentConnection> {
        let page = PageArgs::new(first, after, None, None).parse()?;
        let query = Comments::find().filter(amendment_comment::Column::AmendmentId.eq(self.0.id));
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(
            db,
            query,
            amendment_comment::Column::Id,
            |row| row.id,
            &page,
        )
        .await?;
        Ok(page.map(Comment).into())
    }
}

async fn changes_of(
    db: &impl sea_orm::ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<amendment_change::Model>> {
    Ok(Changes::find()
        .filter(amendment_change::Column::AmendmentId.eq(amendment))
        .order_by_asc(amendment_change::Column::Ordinal)
        .all(db)
        .await?)
}

/// The changes of an amendment, as the text model takes them.
pub async fn changes(
    db: &impl sea_orm::ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<Change>> {
    Ok(changes_of(db, amendment)
        .await?
        .iter()
        .map(as_change)
        .collect())
}

#[derive(Default)]
pub struct AmendmentQuery;

#[Object]
impl AmendmentQuery {
    /// One amendment. Drafts are seen only by their proposer and the secretary.
    async fn amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The amendment's ID.")] id: ID,
    ) -> ApiResult<Option<Amendment>> {
        let key = key_of::<Amendment>(&id, "id")?;
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Amendments::find_by_id(key)
            .one(db)
            .await?
            .map(Amendment)
            .filter(|a| a.visible(Viewer::of(ctx))))
    }

    /// Amendments, oldest first, optionally in one state. Drafts are listed only for their
    /// proposer and the secretary.
    #[graphql(complexity = "cost(first, None, child_complexity)")]
    async fn amendments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only amendments in this state.")] status: Option<AmendmentStatus>,
        #[graphql(desc = "How many amendments to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return amendments after this cursor.")] after: Option<String>,
    ) -> ApiResult<AmendmentConnection> {
        let viewer = Viewer::of(ctx);
        let page = PageArgs::new(first, after, None, None).parse()?;
        let mut query = Amendments::find();
        if let Some(status) = status {
            query = query.filter(amendment::Column::Status.eq(status.as_str()));
        }
        if !viewer.has_role(Role::Secretary) {
            let mut visible = sea_orm::Condition::any()
                .add(amendment::Column::Status.ne(AmendmentStatus::Draft.as_str()));
            if let Some(me) = viewer.account_id() {
                visible = visible.add(amendment::Column::ProposerId.eq(me));
            }
            query = query.filter(visible);
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, amendment::Column::Id, |row| row.id, &page).await?;
        Ok(page.map(Amendment).into())
    }
}

/// A section change as a client sends it.
#[derive(InputObject)]
pub struct ChangeInput {
    /// What to do.
    pub operation: ChangeOperation,
    /// The section to replace or delete.
    pub section_id: Option<ID>,
    /// The article to insert into.
    pub article_number: Option<i32>,
    /// The number the inserted section takes (default: the end of the article).
    pub position: Option<i32>,
    /// The new heading.
    pub heading: Option<String>,
    /// The new text.
    pub text: Option<String>,
}

/// Input of `proposeAmendment`.
#[derive(InputObject)]
pub struct ProposeAmendmentInput {
    /// A title.
    pub title: String,
    /// Why the change is needed.
    pub rationale: String,
    /// The section changes, applied in order to the bylaws in force.
    pub changes: Vec<ChangeInput>,
}

/// Input naming an amendment.
#[derive(InputObject)]
pub struct AmendmentInput {
    /// The amendment.
    pub amendment_id: ID,
}

/// Input of `commentOnAmendment`.
#[derive(InputObject)]
pub struct CommentInput {
    /// The amendment.
    pub amendment_id: ID,
    /// The comment.
    pub body: String,
}

/// Input of `setAmendmentAffectsMembershipRights`.
#[derive(InputObject)]
pub struct AffectsRightsInput {
    /// The amendment.
    pub amendment_id: ID,
    /// Whether it changes a membership class's rights.
    pub affects_membership_rights: bool,
}

/// The amendment after the change.
#[derive(SimpleObject)]
pub struct AmendmentPayload {
    /// The amendment.
    pub amendment: Amendment,
}

/// The comment written.
#[derive(SimpleObject)]
pub struct CommentPayload {
    /// The comment.
    pub comment: Comment,
}

fn parse_changes(inputs: &[ChangeInput]) -> ApiResult<Vec<Change>> {
    if inputs.is_empty() || inputs.len() > 100 {
        return Err(ApiError::bad_input(
            "input.changes",
            "give 1 to 100 changes",
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let field = |name: &str| format!("input.changes[{i}].{name}");
            Ok(Change {
                operation: match input.operation {
                    ChangeOperation::Insert => Operation::Insert,
                    ChangeOperation::Replace => Operation::Replace,
                    ChangeOperation::Delete => Operation::Delete,
                },
                section: input
                    .section_id
                    .as_ref()
                    .map(|id| key_of::<Section>(id, &field("sectionId")))
                    .transpose()?,
                article_number: input.article_number,
                position: input.position,
                heading: input
                    .heading
                    .as_deref()
                    .map(|h| heading(h, &field("heading")))
                    .transpose()?,
                text: input
                    .text
                    .as_deref()
                    .map(|t| body(t, &field("text")))
                    .transpose()?,
            })
        })
        .collect()
}

/// Writes an amendment's changes, replacing any before.
async fn write_changes(
    tx: &DatabaseTransaction,
    amendment: Uuid,
    changes: &[Change],
) -> ApiResult<()> {
    Changes::delete_many()
        .filter(amendment_change::Column::AmendmentId.eq(amendment))
        .exec(tx)
        .await?;
    for (ordinal, change) in changes.iter().enumerate() {
        amendment_change::ActiveModel {
            id: Set(ids::new_key()),
            amendment_id: Set(amendment),
            ordinal: Set(i32::try_from(ordinal).unwrap_or(i32::MAX)),
            operation: Set(ChangeOperation::of(change.operation).as_str().to_owned()),
            section_key: Set(change.section),
            article_number: Set(change.article_number),
            position: Set(change.position),
            heading: Set(change.heading.clone()),
            text: Set(change.text.clone()),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Writes a new draft amendment with its changes, audited.
pub async fn create(
    tx: &DatabaseTransaction,
    proposer: Uuid,
    title: String,
    rationale: String,
    base_version: i32,
    changes: &[Change],
) -> ApiResult<amendment::Model> {
    let now = Utc::now();
    let row = amendment::ActiveModel {
        id: Set(ids::new_key()),
        title: Set(title),
        rationale: Set(rationale),
        proposer_id: Set(proposer),
        base_version: Set(base_version),
        status: Set(AmendmentStatus::Draft.as_str().to_owned()),
        affects_membership_rights: Set(false),
        vote_body: Set(None),
        submitted_at: Set(None),
        voting_opened_at: Set(None),
        closes_at: Set(None),
        closed_at: Set(None),
        vote_rules: Set(None),
        tally: Set(None),
        adopted_version: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    write_changes(tx, row.id, changes).await?;
    audit_step(
        tx,
        proposer,
        "amendment.proposed",
        row.id,
        json!({ "title": row.title, "baseVersion": row.base_version, "changes": changes.len() }),
    )
    .await?;
    Ok(row)
}

/// Moves an amendment from one of `from` to `to`, conditionally, so a race has one winner.
pub async fn transition(
    tx: &DatabaseTransaction,
    id: Uuid,
    from: &[AmendmentStatus],
    to: AmendmentStatus,
    extra: impl FnOnce(sea_orm::UpdateMany<Amendments>) -> sea_orm::UpdateMany<Amendments>,
) -> ApiResult<amendment::Model> {
    let update = Amendments::update_many()
        .col_expr(amendment::Column::Status, Expr::value(to.as_str()))
        .col_expr(amendment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(amendment::Column::Id.eq(id))
        .filter(amendment::Column::Status.is_in(from.iter().map(|s| s.as_str())));
    let moved = extra(update).exec(tx).await?;
    if moved.rows_affected == 0 {
        let names: Vec<_> = from.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::conflict(format!(
            "the amendment is not {}; it cannot become {}",
            names.join(" or "),
            to.as_str()
        )));
    }
    find(tx, id).await
}

pub async fn find(db: &impl sea_orm::ConnectionTrait, id: Uuid) -> ApiResult<amendment::Model> {
    Amendments::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("amendment"))
}

/// The amendment, if the viewer may see it.
pub async fn visible(ctx: &Context<'_>, id: &ID) -> ApiResult<Amendment> {
    let key = key_of::<Amendment>(id, "input.amendmentId")?;
    let row = Amendment(find(ctx.data::<DatabaseConnection>()?, key).await?);
    if row.visible(Viewer::of(ctx)) {
        Ok(row)
    } else {
        Err(ApiError::not_found("amendment"))
    }
}

pub async fn audit_step(
    tx: &DatabaseTransaction,
    actor: Uuid,
    action: &str,
    amendment: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: "Amendment",
            subject_id: amendment,
            summary,
        },
    )
    .await
}

#[derive(Default)]
pub struct AmendmentMutation;

#[Object]
impl AmendmentMutation {
    /// Drafts an amendment against the bylaws in force. For members in good standing.
    #[graphql(guard = "SessionGuard")]
    async fn propose_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ProposeAmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        if !viewer_has_membership(ctx, &[MembershipStatus::Active]).await? {
            return Err(ApiError::forbidden(
                "only members in good standing propose amendments",
            ));
        }
        let title = heading(&input.title, "input.title")?;
        let rationale = body(&input.rationale, "input.rationale")?;
        let changes = parse_changes(&input.changes)?;
        let tx = begin_write(&state.db).await?;
        let current = db::current(&tx)
            .await?
            .ok_or_else(|| ApiError::conflict("there are no bylaws to amend yet"))?;
        db::document(&tx, current.number)
            .await?
            .apply(&changes, ids::new_key)?;
        let row = create(&tx, me.id, title, rationale, current.number, &changes).await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Submits a draft: DRAFT → PROPOSED, which starts the notice period. The proposer only.
    #[graphql(guard = "SessionGuard")]
    async fn submit_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let (state, me, current) = proposer_only(ctx, &input.amendment_id).await?;
        let tx = begin_write(&state.db).await?;
        let row = transition(
            &tx,
            current.0.id,
            &[AmendmentStatus::Draft],
            AmendmentStatus::Proposed,
            |u| u.col_expr(amendment::Column::SubmittedAt, Expr::value(Utc::now())),
        )
        .await?;
        audit_step(&tx, me, "amendment.submitted", row.id, json!({})).await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Withdraws an amendment before voting. The proposer only.
    #[graphql(guard = "SessionGuard")]
    async fn withdraw_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let (state, me, current) = proposer_only(ctx, &input.amendment_id).await?;
        let tx = begin_write(&state.db).await?;
        let row = transition(
            &tx,
            current.0.id,
            &[AmendmentStatus::Draft, AmendmentStatus::Proposed],
            AmendmentStatus::Withdrawn,
            |u| u,
        )
        .await?;
        audit_step(&tx, me, "amendment.withdrawn", row.id, json!({})).await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Moves an amendment onto the bylaws in force, after another was adopted under it. The
    /// proposer or the secretary; its changes must still fit.
    #[graphql(guard = "SessionGuard")]
    async fn rebase_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<AppState>()?;
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let current = visible(ctx, &input.amendment_id).await?;
        if current.0.proposer_id != me.id && !viewer.has_role(Role::Secretary) {
            return Err(ApiError::forbidden(
                "only the proposer or the secretary rebases an amendment",
            ));
        }
        require_open_for_changes(&current)?;
        let tx = begin_write(&state.db).await?;
        let version = db::current(&tx)
            .await?
            .ok_or_else(|| ApiError::conflict("there are no bylaws"))?;
        let changes = changes(&tx, current.0.id).await?;
        db::document(&tx, version.number)
            .await?
            .apply(&changes, ids::new_key)
            .map_err(|err| match err {
                ApiError::BadUserInput { message, .. } => ApiError::conflict(format!(
                    "the changes no longer fit version {}: {message}; withdraw and propose again",
                    version.number
                )),
                other => other,
            })?;
        let row = transition(
            &tx,
            current.0.id,
            &[current.state()],
            current.state(),
            |u| u.col_expr(amendment::Column::BaseVersion, Expr::value(version.number)),
        )
        .await?;
        audit_step(
            &tx,
            me.id,
            "amendment.rebased",
            row.id,
            json!({ "baseVersion": version.number }),
        )
        .await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Marks whether an amendment changes a membership class's rights; such an amendment must go
    /// to the members. SECRETARY only, before voting.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn set_amendment_affects_membership_rights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AffectsRightsInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = visible(ctx, &input.amendment_id).await?;
        require_open_for_changes(&current)?;
        let tx = begin_write(&state.db).await?;
        let flag = input.affects_membership_rights;
        let row = transition(
            &tx,
            current.0.id,
            &[current.state()],
            current.state(),
            |u| {
                u.col_expr(
                    amendment::Column::AffectsMembershipRights,
                    Expr::value(flag),
                )
            },
        )
        .await?;
        audit_step(
            &tx,
            me.id,
            "amendment.rights_flag_set",
            row.id,
            json!({ "affectsMembershipRights": flag }),
        )
        .await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Adds a comment to an amendment's discussion. For members (in good standing or in
    /// grace), while the amendment is proposed or voting.
    #[graphql(guard = "SessionGuard")]
    async fn comment_on_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CommentInput,
    ) -> ApiResult<CommentPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = visible(ctx, &input.amendment_id).await?;
        if !viewer_has_membership(ctx, &[MembershipStatus::Active, MembershipStatus::Grace]).await?
        {
            return Err(ApiError::forbidden("only members comment on amendments"));
        }
        if !matches!(
            current.state(),
            AmendmentStatus::Proposed | AmendmentStatus::Voting
        ) {
            return Err(ApiError::conflict(
                "comments are open while an amendment is proposed or voting",
            ));
        }
        let text = crate::input::text(&input.body, "input.body", 10_000)?;
        let tx = begin_write(&state.db).await?;
        let row = amendment_comment::ActiveModel {
            id: Set(ids::new_key()),
            amendment_id: Set(current.0.id),
            author_id: Set(me.id),
            body: Set(text),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await?;
        audit_step(
            &tx,
            me.id,
            "amendment.commented",
            current.0.id,
            json!({ "comment": row.id }),
        )
        .await?;
        tx.commit().await?;
        Ok(CommentPayload {
            comment: Comment(row),
        })
    }
}

/// An amendment may still change while it is a draft or proposed.
fn require_open_for_changes(amendment: &Amendment) -> ApiResult<()> {
    if matches!(
        amendment.state(),
        AmendmentStatus::Draft | AmendmentStatus::Proposed
    ) {
        Ok(())
    } else {
        Err(ApiError::conflict("the amendment can no longer change"))
    }
}

/// The state, the viewer and the amendment, after checking that the viewer proposed it.
async fn proposer_only<'a>(
    ctx: &Context<'a>,
    id: &ID,
) -> ApiResult<(&'a AppState, Uuid, Amendment)> {
    let state = ctx.data::<AppState>()?;
    let me = Viewer::of(ctx).require_account()?;
    let current = visible(ctx, id).await?;
    if current.0.proposer_id != me.id {
        return Err(ApiError::forbidden("only the proposer may do this"));
    }
    Ok((state, me.id, current))
}
