//! `demo-data`: a realistic sample foundation for frontend developers. Every row is written by
//! the same commands the API runs, each acting as the person who would do it (the committees
//! review, the treasurer records, members vote), so the audit chain tells the same story.

mod data;
mod elections;
mod governance;

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    contribution::ContributionKind, mirror_verification::VerificationOutcome, prelude::SponsorTier,
    sponsor_tier,
};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::{
    accounts::{
        commands::{self as accounts, SignUp},
        db::find_by_email,
        input::Email,
    },
    audit::Actor,
    auth::{Role, Viewer, password::Password, viewer::offline_viewer},
    db::Tx,
    error::{ApiError, ApiResult},
    holders::Holder,
    members::{
        classes::MembershipClassKey,
        commands::application::{self as applications, Apply, ReviewApplication},
    },
    mirrors::commands::{self as mirrors, RegisterMirror, VerifyMirror},
    money::{Currency, Money},
    organizations::commands::{self as organizations, NewOrganization},
    rolls::begin_write_caught_up,
    sponsors::commands::{
        contribution::{self as contributions, RecordContribution},
        sponsorship::{self as sponsorships, RecordSponsorship},
    },
};

use data::{CONTRIBUTORS, MIRROR_HOSTS, SPONSORS};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "quorum-demo-password";
/// The demo administrator; its presence means the demo data is already loaded.
pub const DEMO_ADMIN: &str = "admin@demo.quorum.test";
/// A plain member with no committee role, for trying the member portal.
pub const DEMO_MEMBER: &str = "amara.okafor@demo.quorum.test";

/// What `demo-data` did.
pub enum Outcome {
    Loaded {
        accounts: usize,
        memberships: usize,
        mirrors: usize,
    },
    AlreadyLoaded,
}

/// The people loading the demo, each acting under their own roles.
struct Cast {
    password_hash: String,
    accounts: usize,
}

impl Cast {
    /// A new account, and the viewer it acts as.
    async fn person(&mut self, tx: &Tx, name: &str, email: &str) -> ApiResult<(Uuid, Viewer)> {
        let account = accounts::create_account(
            tx,
            Some(Actor::System),
            SignUp {
                email: Email::parse(email, "email")?,
                display_name: name.to_owned(),
                password_hash: self.password_hash.clone(),
            },
        )
        .await?;
        self.accounts += 1;
        Ok((account.id, offline_viewer(tx, account.id).await?))
    }

    /// A new account holding `role`, granted by the operator.
    async fn committee(
        &mut self,
        tx: &Tx,
        name: &str,
        email: &str,
        role: Role,
    ) -> ApiResult<(Uuid, Viewer)> {
        let (id, _) = self.person(tx, name, email).await?;
        accounts::grant_role(tx, Actor::System, id, role).await?;
        Ok((id, offline_viewer(tx, id).await?))
    }
}

/// Loads the sample foundation once; a second run changes nothing.
pub async fn load(db: &DatabaseConnection) -> ApiResult<Outcome> {
    if find_by_email(db, DEMO_ADMIN).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let password_hash = Password::parse(DEMO_PASSWORD.to_owned(), "password")?
        .hash()
        .await?;
    // One transaction, begun caught up as every opening of a vote or an election must be (the
    // votes and the election below open in it); the sponsorship commands keep the Sponsor
    // memberships in step as they record.
    let tx = begin_write_caught_up(db).await?;
    let mut cast = Cast {
        password_hash,
        accounts: 0,
    };
    let mut memberships = 0;
    let mut mirror_count = 0;

    cast.committee(&tx, "Alma Admin", DEMO_ADMIN, Role::Admin)
        .await?;
    let (_, membership) = cast
        .committee(
            &tx,
            "Maya Membership",
            "membership@demo.quorum.test",
            Role::MembershipCommittee,
        )
        .await?;
    let (_, technology) = cast
        .committee(
            &tx,
            "Theo Technology",
            "technology@demo.quorum.test",
            Role::TechnologyCommittee,
        )
        .await?;
    let (_, treasurer) = cast
        .committee(
            &tx,
            "Tara Treasurer",
            "treasurer@demo.quorum.test",
            Role::Treasurer,
        )
        .await?;
    let (_, secretary) = cast
        .committee(
            &tx,
            "Sami Secretary",
            "secretary@demo.quorum.test",
            Role::Secretary,
        )
        .await?;

    // Contributors apply and the Membership Committee approves them; the last one asked not
    // to be disclosed.
    let mut contributors = Vec::new();
    for (index, name) in CONTRIBUTORS.iter().enumerate() {
        let (_, viewer) = cast.person(&tx, name, &demo_email(name)).await?;
        let disclose = index + 1 != CONTRIBUTORS.len();
        let holder = Holder::Account(account_of(&viewer)?);
        let application = applications::apply(
            &tx,
            &viewer,
            apply(MembershipClassKey::Contributor, holder, disclose, []),
        )
        .await?;
        approve(&tx, &membership, application.id).await?;
        memberships += 1;
        contributors.push(viewer);
    }

    // Mirror hosts register their mirrors, the Technology Committee checks them, and each
    // organization's Mirror application is approved.
    for (name, website, hosts) in MIRROR_HOSTS {
        let (_, ops) = cast
            .person(&tx, &format!("{name} Ops"), &demo_email(name))
            .await?;
        let organization = organization(&tx, &ops, name, website).await?;
        let mut mirror_ids = Vec::new();
        for (host, country) in hosts {
            let mirror = register_mirror(&tx, &ops, organization, host, country).await?;
            mirrors::verify(
                &tx,
                &technology,
                VerifyMirror {
                    mirror_id: mirror,
                    outcome: VerificationOutcome::Verified,
                    notes: "repodata fresh; synced within 4 hours".to_owned(),
                },
            )
            .await?;
            mirror_ids.push(mirror);
            mirror_count += 1;
        }
        let application = applications::apply(
            &tx,
            &ops,
            apply(
                MembershipClassKey::Mirror,
                Holder::Organization(organization),
                true,
                mirror_ids,
            ),
        )
        .await?;
        approve(&tx, &technology, application.id).await?;
        memberships += 1;
    }

    // Waiting for the committees: three would-be contributors and a new mirror host.
    for name in ["Kai Nakamura", "Lena Vogel", "Marco Bianchi"] {
        let (id, viewer) = cast.person(&tx, name, &demo_email(name)).await?;
        applications::apply(
            &tx,
            &viewer,
            apply(
                MembershipClassKey::Contributor,
                Holder::Account(id),
                true,
                [],
            ),
        )
        .await?;
    }
    let (_, andes_ops) = cast
        .person(&tx, "Andes Mirror Ops", &demo_email("Andes Mirror"))
        .await?;
    let andes = organization(
        &tx,
        &andes_ops,
        "Andes Mirror Co-op",
        "https://andes-mirror.example.cl",
    )
    .await?;
    let pending = register_mirror(&tx, &andes_ops, andes, "mirror.andes.example.cl", "CL").await?;
    mirror_count += 1;
    applications::apply(
        &tx,
        &andes_ops,
        apply(
            MembershipClassKey::Mirror,
            Holder::Organization(andes),
            true,
            [pending],
        ),
    )
    .await?;

    // Sponsors in every tier: one with a history of tiers, one in kind, one that opted out of
    // being shown, and one whose sponsorship lapsed last month. The treasurer records them.
    let tiers: HashMap<String, sponsor_tier::Model> = SponsorTier::find()
        .all(&*tx)
        .await?
        .into_iter()
        .map(|tier| (tier.name.clone(), tier))
        .collect();
    let usd = Currency::parse("USD", "currency")?;
    for plan in SPONSORS {
        let (_, liaison) = cast
            .person(
                &tx,
                &format!("{} Liaison", plan.name),
                &demo_email(plan.name),
            )
            .await?;
        let sponsor = organization(&tx, &liaison, plan.name, plan.website).await?;
        let mut starts_on = offset(plan.starts);
        for &(tier, months, amount) in plan.periods {
            let tier = tiers
                .get(tier)
                .ok_or_else(|| ApiError::internal(format!("demo tier {tier} is missing")))?;
            let ends_on = starts_on
                .checked_add_months(chrono::Months::new(months))
                .ok_or_else(|| ApiError::internal("a demo period runs past the calendar"))?;
            let sponsorship = sponsorships::record(
                &tx,
                &treasurer,
                RecordSponsorship {
                    sponsor: Holder::Organization(sponsor),
                    tier_id: tier.id,
                    amount: Money::new(amount, usd),
                    starts_on,
                    ends_on,
                    auto_renew: true,
                    in_kind_description: plan.in_kind.map(str::to_owned),
                    disclose: Some(plan.disclose),
                    idempotency_key: None,
                },
            )
            .await?;
            if amount > 0 {
                contributions::record(
                    &tx,
                    &treasurer,
                    RecordContribution {
                        sponsorship_id: sponsorship.id,
                        amount: Money::new(amount, usd),
                        received_on: starts_on,
                        kind: ContributionKind::Monetary,
                        note: "Annual invoice, paid by wire".to_owned(),
                        idempotency_key: None,
                    },
                )
                .await?;
            }
            starts_on = ends_on;
        }
        memberships += 1;
    }

    governance::load(&tx, &secretary, &contributors).await?;

    // The board: a certified election that seated it, and the next one taking nominations.
    let (_, election_committee) = cast
        .committee(
            &tx,
            "Elif Election",
            "elections@demo.quorum.test",
            Role::ElectionCommittee,
        )
        .await?;
    elections::load(&tx, &election_committee, &contributors).await?;

    tx.commit().await?;
    Ok(Outcome::Loaded {
        accounts: cast.accounts,
        memberships,
        mirrors: mirror_count,
    })
}

fn account_of(viewer: &Viewer) -> ApiResult<Uuid> {
    viewer
        .account_id()
        .ok_or_else(|| ApiError::internal("a demo viewer without an account"))
}

fn apply(
    class: MembershipClassKey,
    holder: Holder,
    disclose: bool,
    mirror_ids: impl IntoIterator<Item = Uuid>,
) -> Apply {
    Apply {
        class,
        holder,
        statement: "I have been using the system at work for two years and help in the forums."
            .to_owned(),
        mirror_ids: mirror_ids.into_iter().collect(),
        disclose,
    }
}

async fn approve(tx: &Tx, committee: &Viewer, application_id: Uuid) -> ApiResult<()> {
    applications::approve(
        tx,
        committee,
        ReviewApplication {
            application_id,
            reason: None,
        },
    )
    .await?;
    Ok(())
}

async fn organization(tx: &Tx, by: &Viewer, name: &str, website: &str) -> ApiResult<Uuid> {
    let row = organizations::create(
        tx,
        by,
        NewOrganization {
            name: name.to_owned(),
            website_url: Some(website.to_owned()),
            logo_url: Some(format!("{website}/logo.svg")),
        },
    )
    .await?;
    Ok(row.id)
}

async fn register_mirror(
    tx: &Tx,
    by: &Viewer,
    owner: Uuid,
    host: &str,
    country: &str,
) -> ApiResult<Uuid> {
    let row = mirrors::register(
        tx,
        by,
        RegisterMirror {
            owner: Holder::Organization(owner),
            host_name: host.to_owned(),
            http_url: format!("https://{host}/pub/"),
            rsync_url: Some(format!("rsync://{host}/pub/")),
            ftp_url: None,
            country: country.to_owned(),
            update_frequency_hours: 4,
        },
    )
    .await?;
    Ok(row.id)
}

/// Today plus `days` (negative for the past).
fn offset(days: i64) -> chrono::NaiveDate {
    Utc::now().date_naive() + chrono::Duration::days(days)
}

fn demo_email(name: &str) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let local = local
        .split('.')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    format!("{local}@demo.quorum.test")
}
