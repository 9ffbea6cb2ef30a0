//! `quorum bench-data`: fills an empty database at the bench's sizes in seconds, with bulk
//! inserts, on SQLite or PostgreSQL, and times the bulk commands the bench judges.
//!
//! It loads the demo foundation first (accounts with roles, tiers, bylaws), then adds in bulk:
//! sponsors (organizations with a running sponsorship, 90% consenting to be shown), members
//! (accounts with an active Contributor membership, 95% disclosed) and proposed amendments.
//! Bulk rows skip the commands on purpose, as an import would; then the real code runs on them
//! and is timed: the sponsorship catch-up (which grants every Sponsor membership, with its audit
//! entries), and a members' vote on the whole roll, opened (the roll frozen) and closed (the
//! tally), each in one transaction.

use std::{collections::HashSet, time::Instant};

use chrono::{Days, Duration, Utc};
use entity::{
    account, amendment_vote, bylaws_section, organization,
    prelude::{Account, BylawsSection, SponsorTier},
    sponsor_consent, sponsor_tier, sponsorship, voter_roll,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    amendments::{ChangeOperation, VoteBody, commands as amendment_commands},
    auth::{Role, Viewer, viewer::AccountViewer},
    bylaws::{db as bylaws_db, text::Change},
    db::begin_write,
    demo,
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    members::{
        classes::MembershipClassKey,
        commands::membership::{Grant, Term, import_memberships},
    },
    policy, sponsors, votes,
};

/// How much to load.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Organizations sponsoring now.
    pub sponsors: usize,
    /// Contributors in good standing: the directory, and the roll of the timed vote.
    pub members: usize,
    /// Proposed amendments, for the public amendment list.
    pub amendments: usize,
}

/// What was loaded, and how long the timed commands took.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub sponsors: usize,
    pub members: usize,
    pub amendments: usize,
    /// Seconds to load everything in bulk.
    pub load_seconds: f64,
    /// The catch-up that granted every new sponsor its Sponsor membership.
    pub catch_up_ms: u128,
    pub sponsors_followed: usize,
    /// Opening the members' vote: freezing the roll.
    pub open_vote_ms: u128,
    pub roll_size: usize,
    /// Closing it: reading the roll with its votes and recording the tally.
    pub close_vote_ms: u128,
    pub votes_cast: usize,
}

/// Rows per insert statement: far under both backends' limits on bound parameters.
const CHUNK: usize = 1_000;

/// Loads the bench's data into an empty database.
pub async fn load(db: &DatabaseConnection, sizes: Sizes) -> ApiResult<Report> {
    if Account::find().count(db).await? > 0 {
        return Err(ApiError::conflict(
            "bench-data fills an empty database; this one already holds accounts",
        ));
    }
    let started = Instant::now();
    demo::load(db).await?;
    insert_sponsors(db, sizes.sponsors).await?;
    let members = insert_members(db, sizes.members).await?;
    let secretary = secretary(db).await?;
    let amendments = insert_amendments(db, &secretary, sizes.amendments).await?;
    let load_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let caught_up = sponsors::follow::catch_up(db).await?.unwrap_or_default();
    let catch_up_ms = started.elapsed().as_millis();

    let vote = insert_amendments(db, &secretary, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("no amendment to vote on"))?;
    let policy = policy::current(db).await?;
    let tx = begin_write(db).await?;
    let started = Instant::now();
    let opened = votes::commands::start(
        &tx,
        account_of(&secretary)?,
        vote,
        VoteBody::Members,
        Utc::now(),
        &policy,
    )
    .await?;
    tx.commit().await?;
    let open_vote_ms = started.elapsed().as_millis();
    let roll: Vec<voter_roll::Model> = votes::roll::entries(db, opened.id).await?;
    let votes_cast = cast_in_bulk(db, opened.id, &roll, &members).await?;
    let tx = begin_write(db).await?;
    let started = Instant::now();
    votes::commands::close(&tx, &secretary, opened.id).await?;
    tx.commit().await?;
    let close_vote_ms = started.elapsed().as_millis();

    Ok(Report {
        sponsors: sizes.sponsors,
        members: sizes.members,
        amendments: amendments.len(),
        load_seconds,
        catch_up_ms,
        sponsors_followed: caught_up.sponsors_followed,
        open_vote_ms,
        roll_size: roll.len(),
        close_vote_ms,
        votes_cast,
    })
}

fn account_of(viewer: &Viewer) -> ApiResult<Uuid> {
    Ok(viewer.require_account()?.id)
}

/// The demo secretary, acting as the bench's proposer and returning officer.
async fn secretary(db: &DatabaseConnection) -> ApiResult<Viewer> {
    let account = crate::accounts::db::find_by_email(db, "secretary@demo.quorum.test")
        .await?
        .ok_or_else(|| ApiError::internal("the demo secretary is missing"))?;
    Ok(Viewer::Account(AccountViewer {
        id: account.id,
        session_id: Uuid::nil(),
        roles: HashSet::from([Role::Secretary]),
    }))
}

/// Organizations sponsoring now at the published tiers (5% at the first rank, 25% at the
/// second, the rest at the third), running since up to two years ago; 90% consent to be shown.
/// No Sponsor membership yet: the catch-up grants them.
async fn insert_sponsors(db: &DatabaseConnection, count: usize) -> ApiResult<()> {
    let tiers = SponsorTier::find()
        .filter(sponsor_tier::Column::State.eq(sponsor_tier::TierState::Published))
        .order_by_asc(sponsor_tier::Column::Rank)
        .all(db)
        .await?;
    if tiers.is_empty() {
        return Err(ApiError::internal("no published tier"));
    }
    let now = Utc::now();
    let today = now.date_naive();
    let recorder = crate::accounts::db::find_by_email(db, "treasurer@demo.quorum.test")
        .await?
        .ok_or_else(|| ApiError::internal("the demo treasurer is missing"))?
        .id;
    for start in (0..count).step_by(CHUNK) {
        let end = (start + CHUNK).min(count);
        let mut organizations = Vec::new();
        let mut sponsorships = Vec::new();
        let mut consents = Vec::new();
        for i in start..end {
            let id = ids::new_key();
            let tier = match i % 20 {
                0 => &tiers[0],
                1..=5 => &tiers[1.min(tiers.len() - 1)],
                _ => &tiers[2.min(tiers.len() - 1)],
            };
            let since = today
                .checked_sub_days(Days::new(u64::try_from(i % 700).unwrap_or(0)))
                .unwrap_or(today);
            let key = format!("organization:{id}");
            organizations.push(organization::ActiveModel {
                id: Set(id),
                name: Set(format!("Bench Sponsor {i:05}")),
                website_url: Set(Some(format!("https://sponsor{i}.example.org"))),
                logo_url: Set(Some(format!("https://sponsor{i}.example.org/logo.svg"))),
                created_at: Set(now),
                updated_at: Set(now),
            });
            sponsorships.push(sponsorship::ActiveModel {
                id: Set(ids::new_key()),
                tier_id: Set(tier.id),
                sponsor_key: Set(key.clone()),
                sponsor_account_id: Set(None),
                sponsor_organization_id: Set(Some(id)),
                amount_minor: Set(tier.minimum_yearly_minor.saturating_mul(2)),
                currency: Set(tier.currency.clone()),
                starts_on: Set(since),
                ends_on: Set(since.checked_add_days(Days::new(730)).unwrap_or(since)),
                sponsor_since: Set(since),
                tier_rank: Set(tier.rank),
                auto_renew: Set(true),
                status: Set(sponsorship::SponsorshipState::Active),
                in_kind_description: Set(None),
                cancel_reason: Set(None),
                recorded_by: Set(recorder),
                created_at: Set(now),
                updated_at: Set(now),
                announced_at: Set(Some(now)),
            });
            consents.push(sponsor_consent::ActiveModel {
                sponsor_key: Set(key),
                disclose: Set(i % 10 != 9),
                updated_at: Set(now),
            });
        }
        let tx = begin_write(db).await?;
        entity::prelude::Organization::insert_many(organizations)
            .exec(&tx)
            .await?;
        entity::prelude::Sponsorship::insert_many(sponsorships)
            .exec(&tx)
            .await?;
        entity::prelude::SponsorConsent::insert_many(consents)
            .exec(&tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Accounts with an active Contributor membership for a year; 95% disclosed, inserted a
/// thousand a statement (the tests use it for a roll larger than one statement's parameters).
/// Returns the accounts by holder key, to cast their votes.
pub async fn insert_members(
    db: &DatabaseConnection,
    count: usize,
) -> ApiResult<std::collections::HashMap<String, Uuid>> {
    let now = Utc::now();
    let a_year_on = now
        .date_naive()
        .checked_add_days(Days::new(365))
        .unwrap_or(now.date_naive());
    let mut holders = std::collections::HashMap::with_capacity(count);
    for start in (0..count).step_by(CHUNK) {
        let end = (start + CHUNK).min(count);
        let mut accounts = Vec::new();
        let mut memberships = Vec::new();
        for i in start..end {
            let id = ids::new_key();
            holders.insert(Holder::Account(id).key(), id);
            accounts.push(account::ActiveModel {
                id: Set(id),
                email: Set(format!("member{i}@bench.quorum.test")),
                display_name: Set(format!("Bench Member {i:06}")),
                // Nobody logs in as these: no password matches this.
                password_hash: Set("!".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            memberships.push(Grant {
                class: MembershipClassKey::Contributor,
                holder: Holder::Account(id),
                disclose: i % 20 != 19,
                vote_weight: 1,
                term: Term::Until(a_year_on),
            });
        }
        let tx = begin_write(db).await?;
        Account::insert_many(accounts).exec(&tx).await?;
        import_memberships(&tx, &memberships).await?;
        tx.commit().await?;
    }
    Ok(holders)
}

/// Proposed amendments by the secretary, each replacing the first section of the bylaws in
/// force, through the amendment commands.
async fn insert_amendments(
    db: &DatabaseConnection,
    secretary: &Viewer,
    count: usize,
) -> ApiResult<Vec<Uuid>> {
    let version = bylaws_db::current(db)
        .await?
        .ok_or_else(|| ApiError::internal("no bylaws in force"))?
        .number;
    let section = BylawsSection::find()
        .filter(bylaws_section::Column::VersionNumber.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("the bylaws have no section"))?;
    let proposer = account_of(secretary)?;
    let mut ids = Vec::with_capacity(count);
    let tx = begin_write(db).await?;
    for i in 0..count {
        let change = Change {
            operation: ChangeOperation::Replace,
            section: Some(section.section_key),
            article_number: None,
            position: None,
            heading: None,
            text: Some(format!("{} (bench revision {i})", section.text)),
            membership_rights: None,
        };
        let draft = amendment_commands::create(
            &tx,
            proposer,
            format!("Bench amendment {i}"),
            "Measured by the bench.".to_owned(),
            version,
            &[change],
        )
        .await?;
        amendment_commands::submit(&tx, secretary, draft.id).await?;
        ids.push(draft.id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Casts the votes of 60% of the roll straight into the table (YES, NO and ABSTAIN in turn),
/// as many voters over the voting period would have. Returns how many.
async fn cast_in_bulk(
    db: &DatabaseConnection,
    amendment: Uuid,
    roll: &[voter_roll::Model],
    members: &std::collections::HashMap<String, Uuid>,
) -> ApiResult<usize> {
    let now = Utc::now() - Duration::seconds(1);
    let voting: Vec<_> = roll
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 < 3)
        .filter_map(|(i, entry)| Some((i, entry, *members.get(&entry.holder_key)?)))
        .collect();
    for chunk in voting.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|(i, entry, account)| amendment_vote::ActiveModel {
                roll_entry_id: Set(entry.id),
                amendment_id: Set(amendment),
                cast_by: Set(*account),
                choice: Set(match i % 3 {
                    0 => amendment_vote::VoteChoice::Yes,
                    1 => amendment_vote::VoteChoice::No,
                    _ => amendment_vote::VoteChoice::Abstain,
                }),
                cast_at: Set(now),
            });
        let tx = begin_write(db).await?;
        entity::prelude::AmendmentVote::insert_many(rows)
            .exec(&tx)
            .await?;
        tx.commit().await?;
    }
    Ok(voting.len())
}
