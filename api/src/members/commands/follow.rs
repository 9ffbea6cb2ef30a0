//! A membership following what it depends on: a Sponsor membership its sponsor's sponsorships
//! (the sponsorship commands, the catch-up job and the roll refresh call it), a Mirror
//! membership the checks of its holder's mirrors (the mirror check calls it). What it becomes
//! is decided in `members::rules`; these commands read, apply it and audit it.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{
    membership::{self, MembershipState},
    mirror::{self, MirrorStatus},
    mirror_verification::VerificationOutcome,
    prelude::{Membership as Memberships, Mirror as Mirrors},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    db::Tx,
    error::ApiResult,
    holders::Holder,
    members::{
        classes::MembershipClassKey,
        commands::membership::{Grant, Term, create_memberships, grant_membership},
        rules::{
            MirrorFollow, SponsorFollow, SponsorStanding, mirror_follow, mirror_status_now,
            sponsor_follow,
        },
    },
};

/// Keys per `IN (…)` list: far under both backends' limits on bound parameters.
const IN_CHUNK: usize = 5_000;

/// Brings the sponsor's Sponsor membership in line with `standing`: it runs through the last day
/// of the latest sponsorship that has started, at the weight of that one's tier, disclosed as
/// the sponsor consents, or ends yesterday when none has. A committee's notice on it is left
/// alone. Call it holding the sponsor's lock. Returns whether it changed anything.
pub async fn follow_sponsor(
    tx: &Tx,
    actor: Actor,
    standing: SponsorStanding,
    today: NaiveDate,
) -> ApiResult<bool> {
    let key = standing.sponsor.key();
    let current = sponsor_memberships(tx, std::slice::from_ref(&key))
        .await?
        .remove(&key);
    let change = sponsor_follow(&standing, current, today);
    apply_sponsor_follow(tx, actor, standing.sponsor, change).await
}

/// [`follow_sponsor`] for many sponsors, whose locks the caller holds: their memberships read
/// in a few statements, the new ones (the common case: sponsorships that have started) created
/// a thousand a statement, and any other change one membership at a time. Returns how many
/// memberships it changed or created.
pub async fn follow_sponsors(
    tx: &Tx,
    actor: Actor,
    standings: &[SponsorStanding],
    today: NaiveDate,
) -> ApiResult<usize> {
    let keys: Vec<String> = standings.iter().map(|s| s.sponsor.key()).collect();
    let mut current = sponsor_memberships(tx, &keys).await?;
    let mut followed = 0;
    let mut new_members = Vec::new();
    for standing in standings {
        let membership = current.remove(&standing.sponsor.key());
        match sponsor_follow(standing, membership, today) {
            SponsorFollow::Create {
                ends_on,
                vote_weight,
                disclose,
            } => new_members.push(Grant {
                class: MembershipClassKey::Sponsor,
                holder: standing.sponsor,
                disclose,
                vote_weight,
                term: Term::Until(ends_on),
            }),
            change => {
                if apply_sponsor_follow(tx, actor, standing.sponsor, change).await? {
                    followed += 1;
                }
            }
        }
    }
    followed += create_memberships(tx, actor, &new_members).await?.len();
    Ok(followed)
}

/// The Sponsor memberships of the holders keyed `keys`, by holder key.
async fn sponsor_memberships(
    tx: &Tx,
    keys: &[String],
) -> ApiResult<HashMap<String, membership::Model>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(IN_CHUNK) {
        for row in Memberships::find()
            .filter(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
            .filter(membership::Column::HolderKey.is_in(chunk.iter().cloned()))
            .all(tx)
            .await?
        {
            found.insert(row.holder_key.clone(), row);
        }
    }
    Ok(found)
}

/// Writes what [`sponsor_follow`] decided for one sponsor, with its audit entry. Returns
/// whether it changed anything.
async fn apply_sponsor_follow(
    tx: &Tx,
    actor: Actor,
    sponsor: Holder,
    change: SponsorFollow,
) -> ApiResult<bool> {
    let (row, summary) = match change {
        SponsorFollow::Unchanged => return Ok(false),
        SponsorFollow::Create {
            ends_on,
            vote_weight,
            disclose,
        } => {
            let grant = Grant {
                class: MembershipClassKey::Sponsor,
                holder: sponsor,
                disclose,
                vote_weight,
                term: Term::Until(ends_on),
            };
            grant_membership(tx, actor, grant).await?;
            return Ok(true);
        }
        SponsorFollow::Follow {
            membership,
            ends_on,
            vote_weight,
            disclose,
            sponsorship_id,
        } => {
            let mut row: membership::ActiveModel = membership.into();
            row.ends_on = Set(Some(ends_on));
            row.vote_weight = Set(vote_weight);
            row.disclose = Set(disclose);
            row.updated_at = Set(Utc::now());
            let row = row.update(tx).await?;
            let summary = json!({ "endsOn": row.ends_on, "voteWeight": row.vote_weight, "disclose": row.disclose, "sponsorship": sponsorship_id });
            (row, summary)
        }
        SponsorFollow::Cut {
            membership,
            ends_on,
            disclose,
        } => {
            let mut row: membership::ActiveModel = membership.into();
            if let Some(ends_on) = ends_on {
                row.ends_on = Set(Some(ends_on));
            }
            row.disclose = Set(disclose);
            row.updated_at = Set(Utc::now());
            let row = row.update(tx).await?;
            let summary = json!({ "endsOn": row.ends_on, "disclose": row.disclose, "reason": "no sponsorship left" });
            (row, summary)
        }
    };
    audit::record(
        tx,
        Entry {
            actor,
            action: AuditAction::MembershipFollowsSponsorship,
            subject_kind: SubjectKind::Membership,
            subject_id: row.id,
            summary,
        },
    )
    .await?;
    Ok(true)
}

/// Keeps the owner's running Mirror membership in step after a check of `mirror` (the mirror
/// row as it was before the check): a verification renews it to the next re-check; losing the
/// last verified mirror starts its grace period. The caller holds the mirror's lock; the
/// membership is locked here, after it.
pub async fn follow_mirror_check(
    tx: &Tx,
    actor: Uuid,
    mirror: &mirror::Model,
    outcome: VerificationOutcome,
    recheck_months: i32,
) -> ApiResult<()> {
    let Some(current) = Memberships::find()
        .filter(membership::Column::ClassKey.eq(MembershipClassKey::Mirror))
        .filter(membership::Column::HolderKey.eq(&mirror.owner_key))
        .filter(membership::Column::Status.is_in([MembershipState::Active, MembershipState::Grace]))
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(());
    };
    let today = Utc::now().date_naive();
    let others_verified = match outcome {
        VerificationOutcome::Verified => false,
        VerificationOutcome::Rejected => Mirrors::find()
            .filter(mirror::Column::OwnerKey.eq(&mirror.owner_key))
            .filter(mirror::Column::Id.ne(mirror.id))
            .all(tx)
            .await?
            .iter()
            .any(|other| mirror_status_now(other, recheck_months) == MirrorStatus::Verified),
    };
    let update = Memberships::update_many()
        .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(membership::Column::Id.eq(current.id));
    let follow = mirror_follow(&current, outcome, others_verified, recheck_months, today);
    let (update, summary) = match follow {
        MirrorFollow::Unchanged => return Ok(()),
        MirrorFollow::Renew { ends_on } => (
            update
                .col_expr(
                    membership::Column::Status,
                    Expr::value(MembershipState::Active),
                )
                .col_expr(membership::Column::EndsOn, Expr::value(ends_on))
                .col_expr(
                    membership::Column::GraceFrom,
                    Expr::value(None::<NaiveDate>),
                ),
            json!({ "action": "renewed by verification", "endsOn": ends_on, "mirror": mirror.id }),
        ),
        MirrorFollow::Grace { from } => (
            update
                .col_expr(
                    membership::Column::Status,
                    Expr::value(MembershipState::Grace),
                )
                .col_expr(membership::Column::GraceFrom, Expr::value(from)),
            json!({ "action": "grace: no verified mirror left", "graceFrom": from, "mirror": mirror.id }),
        ),
    };
    update.exec(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action: AuditAction::MembershipMirrorCheck,
            subject_kind: SubjectKind::Membership,
            subject_id: current.id,
            summary,
        },
    )
    .await
}
