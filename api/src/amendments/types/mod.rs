//! The GraphQL types of amendments: the amendment, its changes and its comments.

pub mod ballots;
pub mod versions;

use async_graphql::{Context, ID, Object};
use chrono::Duration;
use entity::{
    amendment, amendment_change, amendment_comment, prelude::AmendmentComment as Comments,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use self::ballots::{Vote, ballots_of};
use crate::{
    accounts::{loader::AccountLoader, types::Account},
    amendments::{
        AmendmentStatus, ChangeOperation, VoteBody,
        authors::{UNLISTED, hidden_from},
        changes::as_change,
        loader::{ChangesLoader, DocumentLoader, VoteCountsLoader},
        results::{StoredTally, VoteCounts},
        rights::{MembersVoteReason, members_vote_reason},
        rules::{Shown as AmendmentRules, StoredRules},
        visibility::visible_to,
    },
    auth::Viewer,
    bylaws::{
        db,
        tally::Tally,
        text::Change,
        types::{Section, SectionDiff, diff},
    },
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    members::{loader::MembershipLoader, types::Membership},
    pagination::{PageArgs, fetch_page},
    policy::loader::policy,
    time::DateTime,
};

/// The amendment row.
#[derive(Clone, Debug)]
pub struct Amendment(pub amendment::Model);

impl NodeKind for Amendment {
    const KIND: &'static str = ids::kind::Amendment::KIND;
}

impl Amendment {
    /// Drafts are for their proposer and the secretary; the rest is public.
    pub fn visible(&self, viewer: &Viewer) -> bool {
        visible_to(&self.0, viewer)
    }

    /// The votes recorded for the viewer's roll entries.
    async fn viewer_votes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Vote>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(Vec::new());
        };
        Ok(ballots_of(ctx, self.0.id, me)
            .await?
            .iter()
            .filter_map(|ballot| {
                ballot
                    .vote
                    .as_ref()
                    .map(|vote| Vote::of(&ballot.entry, vote))
            })
            .collect())
    }

    async fn proposer_hidden(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(hidden_from(db, Viewer::of(ctx), &[self.0.proposer_id])
            .await?
            .contains(&self.0.proposer_id))
    }

    /// Its section changes in order, loaded with those of the other amendments of the page.
    async fn loaded_changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<amendment_change::Model>> {
        Ok(cached_loader::<ChangesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// The name of `account` as the viewer may see it.
async fn shown_name(ctx: &Context<'_>, account: Uuid, hidden: bool) -> ApiResult<String> {
    if hidden {
        return Ok(UNLISTED.to_owned());
    }
    Ok(cached_loader::<AccountLoader>(ctx)?
        .load_one(account)
        .await?
        .map_or_else(|| UNLISTED.to_owned(), |row| row.display_name))
}

/// A change of an amendment.
#[derive(Clone, Debug)]
pub struct AmendmentChange(pub amendment_change::Model);

/// One section change of an amendment.
#[Object]
impl AmendmentChange {
    /// What it does.
    async fn operation(&self) -> ChangeOperation {
        self.0.operation
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

    /// Whether the inserted or replaced section defines membership rights afterwards; null
    /// keeps the replaced section's mark (an inserted section starts unmarked).
    async fn defines_membership_rights(&self) -> Option<bool> {
        self.0.defines_membership_rights
    }
}

/// A comment, and whether its author is hidden from the viewer.
#[derive(Clone, Debug)]
pub struct Comment {
    pub row: amendment_comment::Model,
    /// The author asked not to be listed, and the viewer is neither a committee nor the author.
    pub author_hidden: bool,
}

impl NodeKind for Comment {
    const KIND: &'static str = "AmendmentComment";
}

/// A member's comment in an amendment's discussion.
#[Object(name = "AmendmentComment")]
impl Comment {
    /// The comment's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.row.id)
    }

    /// Who wrote it; null when the author is a member who asked not to be listed (the
    /// committees and the author still see it).
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        if self.author_hidden {
            return Ok(None);
        }
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.row.author_id)
            .await?
            .map(Account::new))
    }

    /// The author's name as the viewer may see it: "a member who asked not to be listed" for a
    /// member who asked not to be listed.
    async fn author_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        shown_name(ctx, self.row.author_id, self.author_hidden).await
    }

    /// What they wrote.
    async fn body(&self) -> &str {
        &self.row.body
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
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

    /// Who proposed it; null when the proposer is a member who asked not to be listed (the
    /// committees and the proposer still see it).
    async fn proposer(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        if self.proposer_hidden(ctx).await? {
            return Ok(None);
        }
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.0.proposer_id)
            .await?
            .map(Account::new))
    }

    /// The proposer's name as the viewer may see it: "a member who asked not to be listed" for
    /// a member who asked not to be listed.
    async fn proposer_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let hidden = self.proposer_hidden(ctx).await?;
        shown_name(ctx, self.0.proposer_id, hidden).await
    }

    /// Where it stands.
    async fn status(&self) -> AmendmentStatus {
        self.0.status
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
            self.0.status,
            AmendmentStatus::Draft | AmendmentStatus::Proposed
        ) && current != Some(self.0.base_version))
    }

    /// Set by the secretary when it changes a membership class's rights: it must go to the
    /// members. See `requiresMembersVote` for what the server decides.
    async fn affects_membership_rights(&self) -> bool {
        self.0.affects_membership_rights
    }

    /// Whether it must go to the members' vote: it touches a section that defines membership
    /// rights, or the secretary marked it so.
    async fn requires_members_vote(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(
            members_vote_reason(ctx.data::<DatabaseConnection>()?, &self.0)
                .await?
                .is_some(),
        )
    }

    /// Why it must go to the members' vote; null when the board may decide it.
    async fn members_vote_reason(&self, ctx: &Context<'_>) -> ApiResult<Option<MembersVoteReason>> {
        members_vote_reason(ctx.data::<DatabaseConnection>()?, &self.0).await
    }

    /// Its section changes, in order.
    async fn changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<AmendmentChange>> {
        Ok(self
            .loaded_changes(ctx)
            .await?
            .into_iter()
            .map(AmendmentChange)
            .collect())
    }

    /// What it does to its base version, section by section.
    async fn diff(&self, ctx: &Context<'_>) -> ApiResult<Vec<SectionDiff>> {
        // Both asked for at once, so that they join the batches of the page's other amendments.
        let (base, changes) = futures_util::try_join!(
            async {
                Ok::<_, ApiError>(
                    cached_loader::<DocumentLoader>(ctx)?
                        .load_one(self.0.base_version)
                        .await?
                        .unwrap_or_default(),
                )
            },
            self.loaded_changes(ctx)
        )?;
        let changes: Vec<Change> = changes.iter().map(as_change).collect();
        let after = base.apply(&changes, ids::new_key)?;
        Ok(diff(&base, &after))
    }

    /// When it was submitted, starting the notice period.
    async fn submitted_at(&self) -> Option<DateTime> {
        self.0.submitted_at.map(DateTime)
    }

    /// The earliest moment voting may open: the end of the notice period fixed at submission.
    async fn voting_opens_no_earlier_than(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime>> {
        let Some(at) = self.0.submitted_at else {
            return Ok(None);
        };
        let days = StoredRules::of_amendment(&self.0, &policy(ctx).await?)?
            .notice_days
            .unwrap_or(0);
        Ok(Some(DateTime(at + Duration::days(i64::from(days)))))
    }

    /// The rules of its vote (notice, minimum period, quorum, cap, majorities), fixed when it
    /// was submitted; null for a draft. A later policy change applies to later amendments only.
    async fn rules(&self, ctx: &Context<'_>) -> ApiResult<Option<AmendmentRules>> {
        if self.0.submitted_at.is_none() {
            return Ok(None);
        }
        Ok(Some(
            StoredRules::of_amendment(&self.0, &policy(ctx).await?)?.into(),
        ))
    }

    /// Who votes, once voting opened.
    async fn vote_body(&self) -> Option<VoteBody> {
        self.0.vote_body
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
            loader::<VoteCountsLoader>(ctx)?
                .load_one(self.0.id)
                .await?
                .ok_or_else(|| ApiError::internal("an amendment's vote counts are missing"))?,
        ))
    }

    /// The recorded tally, once voting closed.
    async fn tally(&self) -> ApiResult<Option<Tally>> {
        self.0
            .tally
            .as_deref()
            .map(|json| StoredTally::parse(json).map(Tally::from))
            .transpose()
    }

    /// The bylaws version it produced, once adopted.
    async fn adopted_version(&self) -> Option<i32> {
        self.0.adopted_version
    }

    /// The viewer's vote: with several memberships on the roll, the one cast last (see
    /// `myVotes` for each). Null when anonymous, not on the roll, or not voted yet.
    async fn my_vote(&self, ctx: &Context<'_>) -> ApiResult<Option<Vote>> {
        Ok(self
            .viewer_votes(ctx)
            .await?
            .into_iter()
            .max_by_key(|vote| vote.cast_at))
    }

    /// The viewer's votes, one per membership of theirs (or of an organization they represent)
    /// that voted. Empty when anonymous.
    async fn my_votes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Vote>> {
        self.viewer_votes(ctx).await
    }

    /// Whether the viewer may cast (or change) a vote now: voting is open and the viewer holds,
    /// or represents the holder of, an entry on its frozen roll. False when anonymous.
    async fn viewer_can_vote(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let open = self.0.status == AmendmentStatus::Voting
            && self.0.closes_at.is_some_and(|at| chrono::Utc::now() < at);
        let Some(me) = Viewer::of(ctx).account_id().filter(|_| open) else {
            return Ok(false);
        };
        Ok(!ballots_of(ctx, self.0.id, me).await?.is_empty())
    }

    /// The memberships the viewer may vote with on this amendment's frozen roll (their own and
    /// their organizations'), for `castAmendmentVote`'s `membershipId`. Empty when anonymous
    /// and in a board vote, where a director votes in person.
    async fn viewer_voting_memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(Vec::new());
        };
        let ids: Vec<Uuid> = ballots_of(ctx, self.0.id, me)
            .await?
            .iter()
            .filter_map(|ballot| ballot.entry.membership_id)
            .collect();
        let mut rows = loader::<MembershipLoader>(ctx)?
            .load_many(ids.clone())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| rows.remove(id))
            .map(Membership)
            .collect())
    }

    /// The discussion, oldest first.
    #[graphql(complexity = "crate::pagination::cost(first, last, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many comments to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return comments after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many comments to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return comments before this cursor.")] before: Option<String>,
    ) -> ApiResult<CommentConnection> {
        let page = PageArgs::new(first, after, last, before).parse()?;
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
        let authors: Vec<Uuid> = page.edges.iter().map(|(_, c)| c.author_id).collect();
        let hidden = hidden_from(db, Viewer::of(ctx), &authors).await?;
        Ok(page
            .map(|row| Comment {
                author_hidden: hidden.contains(&row.author_id),
                row,
            })
            .into())
    }
}
