//! Voting on amendments: opening with a frozen roll, casting and changing votes, closing with
//! an atomic adoption, and the live tally.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Subscription};
use chrono::{Duration, Utc};
use entity::{
    account_role, amendment, amendment_vote, membership,
    prelude::{AccountRole, AmendmentVote, Membership as Memberships, VoterRoll},
    voter_roll,
};
use futures_util::{Stream, StreamExt};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState,
    auth::{Role, RoleGuard, SessionGuard, Viewer},
    bylaws::{
        amendments::{
            self, Amendment, AmendmentPayload, AmendmentStatus, VoteBody, audit_step, transition,
        },
        db,
        tally::{self, Body, Choice, Rules, Voter},
    },
    db::begin_write,
    error::{ApiError, ApiResult},
    ids::{self, key_of},
    members::{
        classes::MembershipClassKey,
        holder::{Holder, viewer_holder_keys},
        status::{self, MembershipStatus},
        types::Membership,
    },
    policy,
    time::DateTime,
};

/// A voter's choice.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE", name = "VoteChoice")]
pub enum VoteChoice {
    /// For the amendment.
    Yes,
    /// Against it.
    No,
    /// Counted for quorum, not for the majority.
    Abstain,
}

impl VoteChoice {
    fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "YES",
            Self::No => "NO",
            Self::Abstain => "ABSTAIN",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "YES" => Some(Self::Yes),
            "NO" => Some(Self::No),
            "ABSTAIN" => Some(Self::Abstain),
            _ => None,
        }
    }

    fn tally(self) -> Choice {
        match self {
            Self::Yes => Choice::Yes,
            Self::No => Choice::No,
            Self::Abstain => Choice::Abstain,
        }
    }
}

/// The votes so far, as counts of voters only.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct VoteCounts {
    /// The amendment.
    pub amendment_id: ID,
    /// Voters who chose YES.
    pub yes: u64,
    /// Voters who chose NO.
    pub no: u64,
    /// Voters who abstained.
    pub abstain: u64,
    /// Voters on the roll.
    pub eligible: u64,
}

/// Counts the votes of an amendment: two statements.
pub async fn vote_counts(db: &impl ConnectionTrait, amendment: Uuid) -> ApiResult<VoteCounts> {
    use sea_orm::PaginatorTrait;
    let eligible = VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .count(db)
        .await?;
    let votes = AmendmentVote::find()
        .filter(amendment_vote::Column::AmendmentId.eq(amendment))
        .all(db)
        .await?;
    let count = |choice: &str| votes.iter().filter(|v| v.choice == choice).count() as u64;
    Ok(VoteCounts {
        amendment_id: ids::id_of::<Amendment>(amendment),
        yes: count("YES"),
        no: count("NO"),
        abstain: count("ABSTAIN"),
        eligible,
    })
}

/// Input of `openAmendmentVote`.
#[derive(InputObject)]
pub struct OpenVoteInput {
    /// The amendment, proposed and past its notice period.
    pub amendment_id: ID,
    /// Who votes.
    pub body: VoteBody,
    /// When voting closes: at least the policy's minimum voting period from now.
    pub closes_at: DateTime,
}

/// Input of `castAmendmentVote`.
#[derive(InputObject)]
pub struct CastVoteInput {
    /// The amendment being voted on.
    pub amendment_id: ID,
    /// The vote.
    pub choice: VoteChoice,
    /// The membership voting; may be left out when the viewer holds exactly one on the roll.
    pub membership_id: Option<ID>,
}

/// A vote as recorded.
#[derive(SimpleObject)]
pub struct Vote {
    /// The choice.
    pub choice: VoteChoice,
    /// The membership that voted (members' votes).
    pub membership_id: Option<ID>,
    /// When it was last cast.
    pub cast_at: DateTime,
}

/// The vote recorded.
#[derive(SimpleObject)]
pub struct CastVotePayload {
    /// The vote.
    pub vote: Vote,
}

#[derive(Default)]
pub struct VoteMutation;

fn frozen_rules(policy: &entity::governance_policy::Model) -> Rules {
    Rules {
        member_quorum_share: policy.member_quorum_share,
        member_quorum_weight_share: policy.member_quorum_weight_share,
        board_super_majority: policy.board_super_majority,
        sponsor_influence_cap: policy.sponsor_influence_cap,
    }
}

fn rules_json(rules: &Rules) -> serde_json::Value {
    json!({
        "memberQuorumShare": rules.member_quorum_share,
        "memberQuorumWeightShare": rules.member_quorum_weight_share,
        "boardSuperMajority": rules.board_super_majority,
        "sponsorInfluenceCap": rules.sponsor_influence_cap,
    })
}

fn rules_from(text: Option<&str>) -> ApiResult<Rules> {
    let value: serde_json::Value =
        serde_json::from_str(text.unwrap_or("null")).map_err(ApiError::internal)?;
    let number = |key: &str| {
        value[key]
            .as_f64()
            .ok_or_else(|| ApiError::internal(format!("the frozen vote rules lack {key}")))
    };
    Ok(Rules {
        member_quorum_share: number("memberQuorumShare")?,
        member_quorum_weight_share: number("memberQuorumWeightShare")?,
        board_super_majority: number("boardSuperMajority")?,
        sponsor_influence_cap: number("sponsorInfluenceCap")?,
    })
}

#[Object]
impl VoteMutation {
    /// Opens voting on a proposed amendment. SECRETARY only. The notice period must have passed,
    /// `closesAt` must leave at least the minimum voting period, the amendment must be based on
    /// the bylaws in force, and one that changes membership rights must go to the members. The
    /// voter roll is frozen now: members in good standing with their weights, or the directors
    /// in office.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn open_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: OpenVoteInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = amendments::visible(ctx, &input.amendment_id).await?;
        // Sponsor memberships that started since they were recorded belong on the roll.
        crate::sponsors::follow::catch_up(&state.db).await?;
        let now = Utc::now();
        let tx = begin_write(&state.db).await?;
        let policy = policy::current(&tx).await?;
        if current.state() != AmendmentStatus::Proposed {
            return Err(ApiError::conflict(
                "only a proposed amendment can go to a vote",
            ));
        }
        let in_force = db::current(&tx).await?.map(|v| v.number);
        if in_force != Some(current.0.base_version) {
            return Err(ApiError::conflict(format!(
                "the bylaws changed since this amendment was written (it is based on version {}); rebase it first",
                current.0.base_version
            )));
        }
        let notice_ends = current
            .0
            .submitted_at
            .map(|at| at + Duration::days(i64::from(policy.amendment_notice_days)))
            .unwrap_or(now);
        if now < notice_ends {
            return Err(ApiError::conflict(format!(
                "the notice period runs until {}",
                notice_ends.to_rfc3339()
            )));
        }
        let minimum = now + Duration::days(i64::from(policy.minimum_voting_days));
        if input.closes_at.0 <= now || input.closes_at.0 < minimum {
            return Err(ApiError::bad_input(
                "input.closesAt",
                format!("voting must last until at least {}", minimum.to_rfc3339()),
            ));
        }
        if current.0.affects_membership_rights && input.body == VoteBody::Board {
            return Err(ApiError::bad_input(
                "input.body",
                "this amendment changes membership rights and must go to the members",
            ));
        }
        let row = open(
            &tx,
            me.id,
            current.0.id,
            input.body,
            input.closes_at.0,
            &policy,
        )
        .await?;
        tx.commit().await?;
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }

    /// Casts or changes a vote, until voting closes. A member votes each membership it holds on
    /// the roll (an organization's through one of its representatives); a director votes once.
    #[graphql(guard = "SessionGuard")]
    async fn cast_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CastVoteInput,
    ) -> ApiResult<CastVotePayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = amendments::visible(ctx, &input.amendment_id).await?;
        let now = Utc::now();
        let open = current.state() == AmendmentStatus::Voting
            && current.0.closes_at.is_some_and(|at| now < at);
        if !open {
            return Err(ApiError::conflict("voting on this amendment is not open"));
        }
        let keys = viewer_holder_keys(ctx).await?;
        let mine: Vec<voter_roll::Model> = VoterRoll::find()
            .filter(voter_roll::Column::AmendmentId.eq(current.0.id))
            .filter(voter_roll::Column::HolderKey.is_in(keys))
            .all(&state.db)
            .await?;
        let entry = match &input.membership_id {
            Some(id) => {
                let membership = key_of::<Membership>(id, "input.membershipId")?;
                mine.into_iter()
                    .find(|r| r.membership_id == Some(membership))
                    .ok_or_else(|| {
                        ApiError::forbidden("that membership is not yours on this vote's roll")
                    })?
            }
            None if mine.len() == 1 => mine
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::forbidden("you are not on this vote's roll"))?,
            None if mine.is_empty() => {
                return Err(ApiError::forbidden("you are not on this vote's roll"));
            }
            None => {
                return Err(ApiError::bad_input(
                    "input.membershipId",
                    "you hold several memberships on the roll; name the one voting",
                ));
            }
        };
        let tx = begin_write(&state.db).await?;
        // Lock the amendment while it is still open: a close waits for this vote, or this vote
        // finds the amendment closed.
        lock_open_vote(&tx, current.0.id, Some(now)).await?;
        let previous = AmendmentVote::find_by_id(entry.id).one(&tx).await?;
        AmendmentVote::insert(amendment_vote::ActiveModel {
            roll_entry_id: Set(entry.id),
            amendment_id: Set(current.0.id),
            cast_by: Set(me.id),
            choice: Set(input.choice.as_str().to_owned()),
            cast_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(amendment_vote::Column::RollEntryId)
                .update_columns([
                    amendment_vote::Column::Choice,
                    amendment_vote::Column::CastBy,
                    amendment_vote::Column::CastAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?;
        audit_step(
            &tx,
            me.id,
            if previous.is_some() { "vote.changed" } else { "vote.cast" },
            current.0.id,
            json!({ "entry": entry.id, "choice": input.choice.as_str(), "previous": previous.map(|v| v.choice) }),
        )
        .await?;
        let announced = state.tally_events.announce(&tx, current.0.id).await?;
        tx.commit().await?;
        announced.after_commit();
        Ok(CastVotePayload {
            vote: Vote {
                choice: input.choice,
                membership_id: entry.membership_id.map(ids::id_of::<Membership>),
                cast_at: now.into(),
            },
        })
    }

    /// Closes voting after `closesAt` and records the tally. SECRETARY only. In one
    /// transaction, a passed amendment writes the new bylaws version and becomes ADOPTED;
    /// otherwise it becomes REJECTED.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn close_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: amendments::AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = amendments::visible(ctx, &input.amendment_id).await?;
        let now = Utc::now();
        if current.state() != AmendmentStatus::Voting {
            return Err(ApiError::conflict("the amendment is not being voted on"));
        }
        if current.0.closes_at.is_some_and(|at| now < at) {
            return Err(ApiError::conflict(
                "voting is still open; close it after closesAt",
            ));
        }
        let tx = begin_write(&state.db).await?;
        // Votes being cast now finish first; later ones find the amendment closed.
        lock_open_vote(&tx, current.0.id, None).await?;
        let roll = VoterRoll::find()
            .filter(voter_roll::Column::AmendmentId.eq(current.0.id))
            .all(&tx)
            .await?;
        let votes: HashMap<Uuid, Option<VoteChoice>> = AmendmentVote::find()
            .filter(amendment_vote::Column::AmendmentId.eq(current.0.id))
            .all(&tx)
            .await?
            .into_iter()
            .map(|v| (v.roll_entry_id, VoteChoice::parse(&v.choice)))
            .collect();
        let voters: Vec<Voter> = roll
            .iter()
            .map(|r| Voter {
                nominal_weight: f64::from(r.nominal_weight),
                sponsor: r.sponsor,
                choice: votes.get(&r.id).copied().flatten().map(VoteChoice::tally),
            })
            .collect();
        let body = match current.0.vote_body.as_deref().map(VoteBody::parse) {
            Some(VoteBody::Board) => Body::Board,
            _ => Body::Members,
        };
        let rules = rules_from(current.0.vote_rules.as_deref())?;
        let result = tally::tally(body, &voters, &rules);
        let mut outcome = if result.passed {
            AmendmentStatus::Adopted
        } else {
            AmendmentStatus::Rejected
        };
        let mut note = None;
        let mut adopted_version = None;
        if result.passed {
            let in_force = db::current(&tx)
                .await?
                .ok_or_else(|| ApiError::internal("the bylaws vanished"))?;
            let changes = amendments::changes(&tx, current.0.id).await?;
            match db::document(&tx, in_force.number)
                .await?
                .apply(&changes, ids::new_key)
            {
                Ok(document) => {
                    let number = in_force.number + 1;
                    db::write_version(&tx, number, Some(current.0.id), &document).await?;
                    adopted_version = Some(number);
                }
                Err(_) => {
                    // Another amendment was adopted while this one was voting, and the two
                    // cannot both apply.
                    outcome = AmendmentStatus::Rejected;
                    note = Some(format!(
                        "passed, but conflicts with version {} adopted meanwhile",
                        in_force.number
                    ));
                }
            }
        }
        let mut recorded = serde_json::to_value(result).map_err(ApiError::internal)?;
        if let Some(note) = &note {
            recorded["note"] = json!(note);
        }
        let row = transition(
            &tx,
            current.0.id,
            &[AmendmentStatus::Voting],
            outcome,
            |u| {
                u.col_expr(amendment::Column::ClosedAt, Expr::value(now))
                    .col_expr(amendment::Column::Tally, Expr::value(recorded.to_string()))
                    .col_expr(
                        amendment::Column::AdoptedVersion,
                        Expr::value(adopted_version),
                    )
            },
        )
        .await?;
        audit_step(
            &tx,
            me.id,
            "vote.closed",
            row.id,
            json!({ "tally": recorded, "body": current.0.vote_body }),
        )
        .await?;
        if let Some(number) = adopted_version {
            audit_step(
                &tx,
                me.id,
                "amendment.adopted",
                row.id,
                json!({ "version": number }),
            )
            .await?;
        } else {
            audit_step(
                &tx,
                me.id,
                "amendment.rejected",
                row.id,
                json!({ "note": note }),
            )
            .await?;
        }
        let announced = state.tally_events.announce(&tx, current.0.id).await?;
        tx.commit().await?;
        announced.after_commit();
        Ok(AmendmentPayload {
            amendment: Amendment(row),
        })
    }
}

/// Opens voting now: freezes the roll and the policy's numbers, audited with both so that anyone
/// can recount. The caller has checked the notice period and the window.
pub async fn open(
    tx: &sea_orm::DatabaseTransaction,
    actor: Uuid,
    amendment_id: Uuid,
    body: VoteBody,
    closes_at: chrono::DateTime<Utc>,
    policy: &entity::governance_policy::Model,
) -> ApiResult<amendment::Model> {
    let roll = freeze_roll(tx, amendment_id, body, policy.grace_period_days).await?;
    if roll.is_empty() {
        return Err(ApiError::conflict("nobody is eligible to vote"));
    }
    let rules = frozen_rules(policy);
    let row = transition(
        tx,
        amendment_id,
        &[AmendmentStatus::Proposed],
        AmendmentStatus::Voting,
        |u| {
            u.col_expr(amendment::Column::VoteBody, Expr::value(body.as_str()))
                .col_expr(amendment::Column::VotingOpenedAt, Expr::value(Utc::now()))
                .col_expr(amendment::Column::ClosesAt, Expr::value(closes_at))
                .col_expr(
                    amendment::Column::VoteRules,
                    Expr::value(rules_json(&rules).to_string()),
                )
        },
    )
    .await?;
    let entries: Vec<_> = roll
        .iter()
        .map(|r| json!({ "entry": r.id, "membership": r.membership_id, "account": r.account_id, "weight": r.nominal_weight, "sponsor": r.sponsor }))
        .collect();
    audit_step(
        tx,
        actor,
        "vote.opened",
        row.id,
        json!({ "body": body.as_str(), "closesAt": closes_at, "rules": rules_json(&rules), "roll": entries }),
    )
    .await?;
    Ok(row)
}

/// Takes the amendment's row lock while it is voting (and, with `open_at`, still open then).
/// Casting and closing both take it first, so no vote commits after the close counted.
async fn lock_open_vote(
    tx: &sea_orm::DatabaseTransaction,
    amendment: Uuid,
    open_at: Option<chrono::DateTime<Utc>>,
) -> ApiResult<()> {
    let mut touch = entity::prelude::Amendment::update_many()
        .col_expr(amendment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(amendment::Column::Id.eq(amendment))
        .filter(amendment::Column::Status.eq(AmendmentStatus::Voting.as_str()));
    if let Some(at) = open_at {
        touch = touch.filter(amendment::Column::ClosesAt.gt(at));
    }
    if touch.exec(tx).await?.rows_affected == 0 {
        return Err(ApiError::conflict("voting on this amendment is not open"));
    }
    Ok(())
}

/// Writes the voter roll: members in good standing today with their weights, or the directors
/// in office.
async fn freeze_roll(
    tx: &sea_orm::DatabaseTransaction,
    amendment: Uuid,
    body: VoteBody,
    grace_days: i32,
) -> ApiResult<Vec<voter_roll::Model>> {
    let rows: Vec<voter_roll::Model> = match body {
        VoteBody::Members => Memberships::find()
            .filter(status::condition(
                MembershipStatus::Active,
                Utc::now().date_naive(),
                grace_days,
            ))
            .all(tx)
            .await?
            .into_iter()
            .map(|m: membership::Model| voter_roll::Model {
                id: ids::new_key(),
                amendment_id: amendment,
                membership_id: Some(m.id),
                account_id: None,
                sponsor: m.class_key == MembershipClassKey::Sponsor,
                holder_key: m.holder_key,
                nominal_weight: m.vote_weight,
            })
            .collect(),
        VoteBody::Board => AccountRole::find()
            .filter(account_role::Column::Role.eq(Role::Board.as_str()))
            .all(tx)
            .await?
            .into_iter()
            .map(|director| voter_roll::Model {
                id: ids::new_key(),
                amendment_id: amendment,
                membership_id: None,
                account_id: Some(director.account_id),
                holder_key: Holder::Account(director.account_id).key(),
                nominal_weight: 1,
                sponsor: false,
            })
            .collect(),
    };
    if !rows.is_empty() {
        let active = rows.iter().cloned().map(|row| voter_roll::ActiveModel {
            id: Set(row.id),
            amendment_id: Set(row.amendment_id),
            membership_id: Set(row.membership_id),
            account_id: Set(row.account_id),
            holder_key: Set(row.holder_key),
            nominal_weight: Set(row.nominal_weight),
            sponsor: Set(row.sponsor),
        });
        VoterRoll::insert_many(active).exec(tx).await?;
    }
    Ok(rows)
}

#[derive(Default)]
pub struct VoteSubscription;

#[Subscription]
impl VoteSubscription {
    /// The vote counts of an amendment: now, and again after every vote and at the close. Works
    /// across replicas.
    async fn amendment_tally(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The amendment to follow.")] amendment_id: ID,
    ) -> Result<impl Stream<Item = ApiResult<VoteCounts>> + use<>, ApiError> {
        let state = ctx.data::<AppState>()?.clone();
        let amendment = amendments::visible(ctx, &amendment_id).await?;
        let id = amendment.0.id;
        let updates = tokio_stream::wrappers::BroadcastStream::new(state.tally_events.subscribe());
        let db: DatabaseConnection = state.db.clone();
        let first = vote_counts(&db, id).await?;
        let later = updates
            .filter_map(move |event| {
                let wanted = matches!(event, Ok(changed) if changed == id)
                    // A lagging subscriber missed some events: send the counts anyway.
                    || event.is_err();
                async move { wanted.then_some(()) }
            })
            .then(move |()| {
                let db = db.clone();
                async move { vote_counts(&db, id).await }
            });
        Ok(futures_util::stream::once(async move { Ok(first) }).chain(later))
    }
}
