//! The demo's board: a certified election whose winners hold their seats, and the next
//! election taking nominations. Every step runs through the command the election committee, the
//! members and the nominees would run; only dates move between steps, so that the demo can tell
//! a history of months in one run.

use chrono::{DateTime, Duration, Utc};
use entity::{election, election::SeatKind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Tx,
    elections::{
        ballots::{self, CastBallot},
        lifecycle::{
            certify::certify,
            close::close,
            create::{CreateElection, create},
            open::{open_nominations, open_voting},
        },
        nominations::{self, Nominate, Respond},
    },
    error::{ApiError, ApiResult},
    holders::Holder,
    members::commands::membership,
    rolls::CaughtUpTx,
};

/// Loads the board's history: `members` are Contributors, `committee` runs elections.
pub async fn load(tx: &CaughtUpTx, committee: &Viewer, members: &[Viewer]) -> ApiResult<()> {
    let people: Vec<Uuid> = members
        .iter()
        .map(|m| {
            m.account_id()
                .ok_or_else(|| ApiError::internal("a demo member without an account"))
        })
        .collect::<ApiResult<_>>()?;
    // The members joined long ago: nominees must have been in good standing for months.
    let holders: Vec<Holder> = people.iter().map(|p| Holder::Account(*p)).collect();
    let since = (Utc::now() - Duration::days(500)).date_naive();
    membership::backdate_since(tx, &holders, since).await?;
    past_election(tx, committee, members, &people).await?;
    next_election(tx, committee, members, &people).await
}

/// The general election that seated today's board: nine nominees for seven seats, most members
/// voting, counted, certified.
async fn past_election(
    tx: &CaughtUpTx,
    committee: &Viewer,
    members: &[Viewer],
    people: &[Uuid],
) -> ApiResult<()> {
    let now = Utc::now();
    let election = create(
        tx,
        committee,
        CreateElection {
            title: "Board of Directors election".to_owned(),
            kind: SeatKind::General,
            seats: 7,
            nominations_close_at: now + Duration::days(1),
            voting_opens_at: now + Duration::days(11),
            voting_closes_at: now + Duration::days(25),
        },
    )
    .await?;
    open_nominations(tx, committee, election.id).await?;
    let nominator = members
        .get(12)
        .ok_or_else(|| ApiError::internal("the demo needs more members"))?;
    let mut candidates = Vec::new();
    for (i, nominee) in people.iter().take(9).enumerate() {
        let nomination = nominations::nominate(
            tx,
            nominator,
            Nominate {
                election_id: election.id,
                nominee: *nominee,
                statement: Some("Years of steady work in the community.".to_owned()),
            },
        )
        .await?;
        let viewer = members
            .get(i)
            .ok_or_else(|| ApiError::internal("a demo nominee without a viewer"))?;
        nominations::respond(
            tx,
            viewer,
            Respond {
                nomination_id: nomination.id,
                accept: true,
                statement: Some("I will keep the foundation open and accountable.".to_owned()),
                organization_id: None,
                agree_to_be_named: false,
            },
        )
        .await?;
        candidates.push(nomination.id);
    }
    // The nominee list closed and voting opened.
    move_dates(
        tx,
        election.id,
        now - Duration::days(30),
        now - Duration::days(20),
        now + Duration::days(11),
    )
    .await?;
    open_voting(tx, committee, election.id).await?;
    // Most members vote, each ranking a few nominees in their own order.
    for (v, voter) in members.iter().enumerate().take(30) {
        let ranking: Vec<Uuid> = (0..1 + v % 5)
            .filter_map(|k| candidates.get((v * 7 + k * 3) % candidates.len()).copied())
            .fold(Vec::new(), |mut seen, c| {
                if !seen.contains(&c) {
                    seen.push(c);
                }
                seen
            });
        ballots::cast(
            tx,
            voter,
            CastBallot {
                election_id: election.id,
                ranking,
                membership_id: None,
            },
        )
        .await?;
    }
    // Voting ran its course; the committee closes, counts and certifies.
    move_dates(
        tx,
        election.id,
        now - Duration::days(30),
        now - Duration::days(20),
        now - Duration::seconds(1),
    )
    .await?;
    close(tx, committee, election.id).await?;
    certify(tx, committee, election.id).await?;
    Ok(())
}

/// The Community Director election, taking nominations: one nominee accepted, one to answer.
async fn next_election(
    tx: &Tx,
    committee: &Viewer,
    members: &[Viewer],
    people: &[Uuid],
) -> ApiResult<()> {
    let now = Utc::now();
    let election = create(
        tx,
        committee,
        CreateElection {
            title: "Community Director election".to_owned(),
            kind: SeatKind::Community,
            seats: 1,
            nominations_close_at: now + Duration::days(14),
            voting_opens_at: now + Duration::days(24),
            voting_closes_at: now + Duration::days(38),
        },
    )
    .await?;
    open_nominations(tx, committee, election.id).await?;
    let (Some(nominator), Some(accepting), Some(first), Some(second)) = (
        members.first(),
        members.get(20),
        people.get(20),
        people.get(21),
    ) else {
        return Err(ApiError::internal("the demo needs more members"));
    };
    let accepted = nominations::nominate(
        tx,
        nominator,
        Nominate {
            election_id: election.id,
            nominee: *first,
            statement: Some("Runs the documentation sprints.".to_owned()),
        },
    )
    .await?;
    nominations::respond(
        tx,
        accepting,
        Respond {
            nomination_id: accepted.id,
            accept: true,
            statement: Some("The community's voice on the board.".to_owned()),
            organization_id: None,
            agree_to_be_named: false,
        },
    )
    .await?;
    nominations::nominate(
        tx,
        nominator,
        Nominate {
            election_id: election.id,
            nominee: *second,
            statement: None,
        },
    )
    .await?;
    Ok(())
}

/// The demo tells a history: only the election's dates move; every step went through its
/// command.
async fn move_dates(
    tx: &Tx,
    id: Uuid,
    nominations_close_at: DateTime<Utc>,
    voting_opens_at: DateTime<Utc>,
    voting_closes_at: DateTime<Utc>,
) -> ApiResult<()> {
    entity::prelude::Election::update_many()
        .col_expr(
            election::Column::NominationsCloseAt,
            Expr::value(nominations_close_at),
        )
        .col_expr(
            election::Column::VotingOpensAt,
            Expr::value(voting_opens_at),
        )
        .col_expr(
            election::Column::VotingClosesAt,
            Expr::value(voting_closes_at),
        )
        .filter(election::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}
