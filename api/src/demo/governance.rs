//! The demo's bylaws: version 1 imported by the secretary, one amendment in discussion and one
//! in voting, written by the commands members and the secretary would run.

use chrono::Utc;
use entity::amendment;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    amendments::{
        VoteBody,
        commands::{self as amendments, CommentOn, ProposeAmendment},
    },
    auth::Viewer,
    bylaws::{
        commands::{self as bylaws, ImportBylaws},
        text::{Change, ChangeOperation, Document, Section},
    },
    db::Tx,
    demo::data::BYLAWS,
    error::{ApiError, ApiResult},
    ids,
    rolls::CaughtUpTx,
    votes::{
        VoteChoice,
        commands::{self as votes, CastVote, OpenVote},
    },
};

/// Imports the sample bylaws, puts one amendment in discussion and one to a members' vote.
pub async fn load(tx: &CaughtUpTx, secretary: &Viewer, members: &[Viewer]) -> ApiResult<()> {
    let mut sections = Vec::new();
    for (article, title, items) in BYLAWS {
        for (number, (heading, text)) in items.iter().enumerate() {
            sections.push(Section {
                key: ids::new_key(),
                article_number: article,
                article_title: title.to_owned(),
                section_number: i32::try_from(number + 1).unwrap_or(i32::MAX),
                heading: (*heading).to_owned(),
                text: (*text).to_owned(),
                // The Membership article defines the classes' rights.
                membership_rights: article == 2,
            });
        }
    }
    let document = Document::new(sections);
    let section = |heading: &str| {
        document
            .sections
            .iter()
            .find(|s| s.heading == heading)
            .map(|s| s.key)
            .ok_or_else(|| ApiError::internal(format!("demo section {heading} is missing")))
    };
    let meetings = section("Board meetings")?;
    bylaws::import(
        tx,
        secretary,
        ImportBylaws {
            document: document.clone(),
        },
    )
    .await?;
    let (Some(first), Some(second)) = (members.first(), members.get(1)) else {
        return Ok(());
    };

    // In discussion: submitted three days ago, with comments.
    let minutes = amendments::propose(
        tx,
        first,
        ProposeAmendment {
            title: "Publish board minutes within 14 days".to_owned(),
            rationale: "Members should be able to follow the board's decisions while they are fresh."
                .to_owned(),
            changes: vec![Change {
                operation: ChangeOperation::Replace,
                section: Some(meetings),
                article_number: None,
                position: None,
                heading: None,
                text: Some(
                    "The board meets at least once a quarter and publishes its minutes within 14 days."
                        .to_owned(),
                ),
                membership_rights: None,
            }],
        },
    )
    .await?;
    amendments::submit(tx, first, minutes.id).await?;
    submitted_days_ago(tx, minutes.id, 3).await?;
    for (author, body) in [
        (second, "Fourteen days seems right to me."),
        (first, "Agreed, and the minutes should link to the votes."),
    ] {
        amendments::comment(
            tx,
            author,
            CommentOn {
                amendment_id: minutes.id,
                body: body.to_owned(),
            },
        )
        .await?;
    }

    // In voting: past its notice period, open for two more weeks, a few votes cast.
    let conduct = amendments::propose(
        tx,
        second,
        ProposeAmendment {
            title: "Adopt a code of conduct".to_owned(),
            rationale:
                "Good faith is a condition of membership; the bylaws should say what it means."
                    .to_owned(),
            changes: vec![Change {
                operation: ChangeOperation::Insert,
                section: None,
                article_number: Some(2),
                position: Some(4),
                heading: Some("Code of conduct".to_owned()),
                text: Some(
                    "Members follow the foundation's code of conduct in every project space."
                        .to_owned(),
                ),
                membership_rights: None,
            }],
        },
    )
    .await?;
    amendments::submit(tx, second, conduct.id).await?;
    submitted_days_ago(tx, conduct.id, 12).await?;
    votes::open(
        tx,
        secretary,
        OpenVote {
            amendment_id: conduct.id,
            body: VoteBody::Members,
            closes_at: Utc::now() + chrono::Duration::days(14),
        },
    )
    .await?;
    for (voter, choice) in members.iter().zip([
        VoteChoice::Yes,
        VoteChoice::Yes,
        VoteChoice::No,
        VoteChoice::Yes,
        VoteChoice::Abstain,
        VoteChoice::Yes,
    ]) {
        votes::cast(
            tx,
            voter,
            CastVote {
                amendment_id: conduct.id,
                choice,
                membership_id: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// The demo tells a history: this amendment was submitted `days` ago, so its notice period has
/// (partly) run. Only the date moves; the submission itself went through the command.
async fn submitted_days_ago(tx: &Tx, id: Uuid, days: i64) -> ApiResult<()> {
    entity::prelude::Amendment::update_many()
        .col_expr(
            amendment::Column::SubmittedAt,
            Expr::value(Utc::now() - chrono::Duration::days(days)),
        )
        .filter(amendment::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}
