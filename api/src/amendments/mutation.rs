//! The amendment mutations: each parses its input, checks the role, and runs one command.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::amendment;

use crate::{
    amendments::{
        ChangeOperation,
        commands::{self, CommentOn, EditAmendment, ProposeAmendment, SetRightsFlag},
        types::{Amendment, Comment},
    },
    auth::{Role, RoleGuard, SessionGuard},
    bylaws::{
        text::{Change, body, heading},
        types::Section,
    },
    error::{ApiError, ApiResult},
    ids::key_of,
    resolve::run,
};

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
    /// For INSERT and REPLACE: whether the section defines membership rights afterwards. Left
    /// out, an inserted section is unmarked and a replaced one keeps its mark. Setting it, or
    /// changing a marked section, sends the amendment to the members' vote.
    pub defines_membership_rights: Option<bool>,
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

/// Input of `updateAmendment`: each field left out keeps its value.
#[derive(InputObject)]
pub struct UpdateAmendmentInput {
    /// The draft amendment.
    pub amendment_id: ID,
    /// A new title.
    pub title: Option<String>,
    /// A new rationale.
    pub rationale: Option<String>,
    /// New section changes, replacing all of them; checked against the bylaws in force.
    pub changes: Option<Vec<ChangeInput>>,
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

/// The key of the amendment named by `input.amendmentId`.
pub fn amendment_key(id: &ID) -> ApiResult<uuid::Uuid> {
    key_of::<Amendment>(id, &crate::field!(input.amendment_id))
}

impl From<amendment::Model> for AmendmentPayload {
    /// The amendment a command left.
    fn from(row: amendment::Model) -> Self {
        Self {
            amendment: Amendment(row),
        }
    }
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
        let input = ProposeAmendment {
            title: heading(&input.title, &crate::field!(input.title))?,
            rationale: body(&input.rationale, &crate::field!(input.rationale))?,
            changes: parse_changes(&input.changes)?,
        };
        run(ctx, input, commands::propose)
            .await
            .map(AmendmentPayload::from)
    }

    /// Edits a draft amendment: its title, rationale or changes (checked as in
    /// `proposeAmendment`, against the bylaws in force). The proposer only, while it is a
    /// DRAFT. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn update_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: UpdateAmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let input = EditAmendment {
            amendment_id: amendment_key(&input.amendment_id)?,
            title: input
                .title
                .as_deref()
                .map(|title| heading(title, &crate::field!(input.title)))
                .transpose()?,
            rationale: input
                .rationale
                .as_deref()
                .map(|rationale| body(rationale, &crate::field!(input.rationale)))
                .transpose()?,
            changes: input.changes.as_deref().map(parse_changes).transpose()?,
        };
        run(ctx, input, commands::edit)
            .await
            .map(AmendmentPayload::from)
    }

    /// Submits a draft: DRAFT → PROPOSED, which starts the notice period. The proposer only.
    #[graphql(guard = "SessionGuard")]
    async fn submit_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let id = amendment_key(&input.amendment_id)?;
        run(ctx, id, commands::submit)
            .await
            .map(AmendmentPayload::from)
    }

    /// Withdraws an amendment before voting. The proposer only.
    #[graphql(guard = "SessionGuard")]
    async fn withdraw_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let id = amendment_key(&input.amendment_id)?;
        run(ctx, id, commands::withdraw)
            .await
            .map(AmendmentPayload::from)
    }

    /// Moves an amendment onto the bylaws in force, after another was adopted under it. The
    /// proposer or the secretary; its changes must still fit.
    #[graphql(guard = "SessionGuard")]
    async fn rebase_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let id = amendment_key(&input.amendment_id)?;
        run(ctx, id, commands::rebase)
            .await
            .map(AmendmentPayload::from)
    }

    /// Marks whether an amendment changes a membership class's rights; such an amendment must go
    /// to the members. SECRETARY only, before voting.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn set_amendment_affects_membership_rights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AffectsRightsInput,
    ) -> ApiResult<AmendmentPayload> {
        let input = SetRightsFlag {
            amendment_id: amendment_key(&input.amendment_id)?,
            affects_membership_rights: input.affects_membership_rights,
        };
        run(ctx, input, commands::set_rights_flag)
            .await
            .map(AmendmentPayload::from)
    }

    /// Adds a comment to an amendment's discussion. For members (in good standing or in
    /// grace), while the amendment is proposed or voting.
    #[graphql(guard = "SessionGuard")]
    async fn comment_on_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CommentInput,
    ) -> ApiResult<CommentPayload> {
        let amendment_id = amendment_key(&input.amendment_id)?;
        let input = CommentOn {
            amendment_id,
            body: crate::input::text(&input.body, &crate::field!(input.body), 10_000)?,
        };
        let row = run(ctx, input, commands::comment).await?;
        // The author sees their own name.
        Ok(CommentPayload {
            comment: Comment {
                row,
                author_hidden: false,
            },
        })
    }
}

fn parse_changes(inputs: &[ChangeInput]) -> ApiResult<Vec<Change>> {
    if inputs.is_empty() || inputs.len() > 100 {
        return Err(ApiError::bad_input(
            crate::field!(input.changes),
            "give 1 to 100 changes",
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let field = |name: &str| format!("input.changes[{i}].{name}");
            Ok(Change {
                operation: input.operation,
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
                membership_rights: match (input.operation, input.defines_membership_rights) {
                    (ChangeOperation::Delete, Some(_)) => {
                        return Err(ApiError::bad_input(
                            field("definesMembershipRights"),
                            "a deletion does not mark a section",
                        ));
                    }
                    (_, mark) => mark,
                },
            })
        })
        .collect()
}
