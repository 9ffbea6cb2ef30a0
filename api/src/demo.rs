//! `demo-data`: a realistic sample foundation for frontend developers, written through the same
//! domain functions the API uses, audit chain included.

use crate::audit::{AuditAction, SubjectKind};
use chrono::Utc;
use std::collections::HashMap;

use entity::{
    account, application, application_mirror, contribution, mirror, mirror_verification,
    organization, organization_representative, prelude::SponsorTier, sponsor_tier,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::db::{find_by_email, grant_role},
    audit::{self, Actor, Entry},
    auth::{Role, password::Password},
    db::begin_write,
    error::ApiResult,
    ids,
    members::{
        classes::MembershipClassKey,
        db::{Grant, Term, grant_membership},
        holder::Holder,
    },
    money::{Currency, Money},
    sponsors::{self, mutation::NewSponsorship},
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "quorum-demo-password";
/// The demo administrator; its presence means the demo data is already loaded.
pub const DEMO_ADMIN: &str = "admin@demo.quorum.test";

const CONTRIBUTORS: [&str; 36] = [
    "Amara Okafor",
    "Bjørn Halvorsen",
    "Chen Wei",
    "Dalia Haddad",
    "Eitan Levi",
    "Fatima Zahra",
    "Gustavo Pereira",
    "Hana Kobayashi",
    "Ibrahim Musa",
    "Jana Novák",
    "Kofi Mensah",
    "Lucía Fernández",
    "Mateus Silva",
    "Nadia Petrova",
    "Oisín Murphy",
    "Priya Raman",
    "Quentin Dubois",
    "Rania Aziz",
    "Sven Lindqvist",
    "Tamar Cohen",
    "Uma Shankar",
    "Valentina Rossi",
    "Wanjiru Kamau",
    "Xavier Lopez",
    "Yuki Tanaka",
    "Zeynep Aydın",
    "Arjun Mehta",
    "Beatriz Costa",
    "Connor O'Brien",
    "Daria Kowalska",
    "Emeka Obi",
    "Freya Nilsen",
    "Goran Petrović",
    "Hyun-woo Park",
    "Isla MacLeod",
    "Jonas Becker",
];

/// A mirror host: its host name and country.
type Host = (&'static str, &'static str);

/// (organization, website, its mirrors)
const MIRROR_HOSTS: [(&str, &str, &[Host]); 4] = [
    (
        "Nordic Academic Network",
        "https://nordic-academic.example.org",
        &[
            ("mirror.nordic-academic.example.org", "SE"),
            ("ftp.nordic-academic.example.org", "NO"),
        ],
    ),
    (
        "Pacific Hosting",
        "https://pacific-hosting.example.com",
        &[
            ("almalinux.pacific-hosting.example.com", "JP"),
            ("au.pacific-hosting.example.com", "AU"),
        ],
    ),
    (
        "Rede Brasileira de Espelhos",
        "https://espelhos.example.br",
        &[("espelho.example.br", "BR")],
    ),
    (
        "Continental Cloud",
        "https://continental-cloud.example.eu",
        &[
            ("mirror-fra.continental-cloud.example.eu", "DE"),
            ("mirror-par.continental-cloud.example.eu", "FR"),
            ("mirror-jnb.continental-cloud.example.eu", "ZA"),
        ],
    ),
];

/// What `demo-data` did.
pub enum Outcome {
    Loaded {
        accounts: usize,
        memberships: usize,
        mirrors: usize,
    },
    AlreadyLoaded,
}

/// Loads the sample foundation once; a second run changes nothing.
pub async fn load(db: &DatabaseConnection) -> ApiResult<Outcome> {
    if find_by_email(db, DEMO_ADMIN).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let password_hash = Password::parse(DEMO_PASSWORD.to_owned(), "password")?
        .hash()
        .await?;
    let tx = begin_write(db).await?;
    let mut accounts = 0;
    let mut memberships = 0;
    let mut mirrors = 0;
    let mut person = |name: &str, email: String| {
        accounts += 1;
        person_row(name, email, &password_hash)
    };

    let admin = insert_account(&tx, person("Alma Admin", DEMO_ADMIN.to_owned())).await?;
    grant_role(&tx, Actor::System, admin, Role::Admin).await?;
    let committee = [
        (
            "Maya Membership",
            "membership@demo.quorum.test",
            Role::MembershipCommittee,
        ),
        (
            "Theo Technology",
            "technology@demo.quorum.test",
            Role::TechnologyCommittee,
        ),
        (
            "Tara Treasurer",
            "treasurer@demo.quorum.test",
            Role::Treasurer,
        ),
        (
            "Sami Secretary",
            "secretary@demo.quorum.test",
            Role::Secretary,
        ),
    ];
    let mut checker = admin;
    let mut treasurer = admin;
    let mut secretary = admin;
    for (name, email, role) in committee {
        let id = insert_account(&tx, person(name, email.to_owned())).await?;
        grant_role(&tx, Actor::System, id, role).await?;
        match role {
            Role::TechnologyCommittee => checker = id,
            Role::Treasurer => treasurer = id,
            Role::Secretary => secretary = id,
            _ => {}
        }
    }

    let mut contributors = Vec::new();
    for (index, name) in CONTRIBUTORS.iter().enumerate() {
        let id = insert_account(&tx, person(name, demo_email(name))).await?;
        contributors.push(id);
        // The last contributor asked not to be disclosed.
        let disclose = index + 1 != CONTRIBUTORS.len();
        grant_membership(
            &tx,
            Actor::System,
            Grant {
                class: MembershipClassKey::Contributor,
                holder: Holder::Account(id),
                disclose,
                vote_weight: 1,
                term: Term::Months(12),
            },
        )
        .await?;
        memberships += 1;
    }

    for (name, website, hosts) in MIRROR_HOSTS {
        let representative =
            insert_account(&tx, person(&format!("{name} Ops"), demo_email(name))).await?;
        let organization = insert_organization(&tx, name, website, representative).await?;
        let owner = Holder::Organization(organization);
        for (host, country) in hosts {
            insert_mirror(&tx, owner, host, country, representative, Some(checker)).await?;
            mirrors += 1;
        }
        grant_membership(
            &tx,
            Actor::System,
            Grant {
                class: MembershipClassKey::Mirror,
                holder: owner,
                disclose: true,
                vote_weight: 1,
                term: Term::Months(12),
            },
        )
        .await?;
        memberships += 1;
    }

    // Waiting for the committees: three would-be contributors and a new mirror host.
    for name in ["Kai Nakamura", "Lena Vogel", "Marco Bianchi"] {
        let id = insert_account(&tx, person(name, demo_email(name))).await?;
        insert_application(
            &tx,
            MembershipClassKey::Contributor,
            id,
            Holder::Account(id),
            &[],
        )
        .await?;
    }
    let newcomer =
        insert_account(&tx, person("Andes Mirror Ops", demo_email("Andes Mirror"))).await?;
    let andes = insert_organization(
        &tx,
        "Andes Mirror Co-op",
        "https://andes-mirror.example.cl",
        newcomer,
    )
    .await?;
    let pending_mirror = insert_mirror(
        &tx,
        Holder::Organization(andes),
        "mirror.andes.example.cl",
        "CL",
        newcomer,
        None,
    )
    .await?;
    mirrors += 1;
    insert_application(
        &tx,
        MembershipClassKey::Mirror,
        newcomer,
        Holder::Organization(andes),
        &[pending_mirror],
    )
    .await?;

    // Sponsors in every tier: one with a history of tiers, one in kind, one that opted out of
    // being shown, and one whose sponsorship lapsed last month.
    let tiers: HashMap<String, sponsor_tier::Model> = SponsorTier::find()
        .all(&tx)
        .await?
        .into_iter()
        .map(|tier| (tier.name.clone(), tier))
        .collect();
    for plan in SPONSORS {
        let liaison = person(&format!("{} Liaison", plan.name), demo_email(plan.name));
        let representative = insert_account(&tx, liaison).await?;
        let organization =
            insert_organization(&tx, plan.name, plan.website, representative).await?;
        for &(tier, from, to, amount) in plan.periods {
            let tier = tiers.get(tier).ok_or_else(|| {
                crate::error::ApiError::internal(format!("demo tier {tier} is missing"))
            })?;
            let starts_on = offset(from);
            let row = sponsors::mutation::record(
                &tx,
                treasurer,
                NewSponsorship {
                    sponsor: Holder::Organization(organization),
                    tier,
                    amount: Money::new(amount, Currency::parse("USD", "currency")?),
                    starts_on,
                    ends_on: offset(to),
                    auto_renew: true,
                    in_kind_description: plan.in_kind.map(str::to_owned),
                    disclose: Some(plan.disclose),
                },
            )
            .await?;
            if amount > 0 {
                contribution::ActiveModel {
                    id: Set(ids::new_key()),
                    sponsorship_id: Set(row.id),
                    amount_minor: Set(amount),
                    currency: Set("USD".to_owned()),
                    received_on: Set(starts_on),
                    kind: Set(contribution::ContributionKind::Monetary),
                    note: Set("Annual invoice, paid by wire".to_owned()),
                    recorded_by: Set(treasurer),
                    created_at: Set(Utc::now()),
                }
                .insert(&tx)
                .await?;
            }
        }
        memberships += 1;
    }

    governance(&tx, secretary, &contributors).await?;

    tx.commit().await?;
    Ok(Outcome::Loaded {
        accounts,
        memberships,
        mirrors,
    })
}

/// A demo sponsor and its sponsorships: (tier, first day, last day, amount in cents), with days
/// counted from today.
struct SponsorPlan {
    name: &'static str,
    website: &'static str,
    disclose: bool,
    in_kind: Option<&'static str>,
    periods: &'static [(&'static str, i64, i64, i64)],
}

const SPONSORS: [SponsorPlan; 7] = [
    SponsorPlan {
        name: "Stellar Compute",
        website: "https://stellar-compute.example.com",
        disclose: true,
        in_kind: None,
        periods: &[
            ("Gold", -730, -366, 2_000_000),
            ("Platinum", -365, 364, 10_000_000),
        ],
    },
    SponsorPlan {
        name: "Harbor Systems",
        website: "https://harbor-systems.example.com",
        disclose: true,
        in_kind: None,
        periods: &[("Gold", -100, 264, 2_500_000)],
    },
    SponsorPlan {
        name: "Cedar Labs",
        website: "https://cedar-labs.example.org",
        disclose: true,
        in_kind: None,
        periods: &[("Gold", -20, 344, 2_000_000)],
    },
    SponsorPlan {
        name: "Pixel Forge",
        website: "https://pixel-forge.example.net",
        disclose: true,
        in_kind: None,
        periods: &[("Silver", -200, 164, 300_000)],
    },
    SponsorPlan {
        name: "Local Linux User Group",
        website: "https://lug.example.org",
        disclose: true,
        in_kind: Some("Conference hall and volunteers for the community day"),
        periods: &[("Community", -50, 314, 0)],
    },
    SponsorPlan {
        name: "Quiet Capital",
        website: "https://quiet-capital.example.com",
        disclose: false,
        in_kind: None,
        periods: &[("Gold", -60, 304, 2_000_000)],
    },
    SponsorPlan {
        name: "Sunset Hosting",
        website: "https://sunset-hosting.example.com",
        disclose: true,
        in_kind: None,
        periods: &[("Silver", -400, -35, 250_000)],
    },
];

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

fn person_row(name: &str, email: String, password_hash: &str) -> account::ActiveModel {
    let now = Utc::now();
    account::ActiveModel {
        id: Set(ids::new_key()),
        email: Set(email),
        display_name: Set(name.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn insert_account(tx: &DatabaseTransaction, row: account::ActiveModel) -> ApiResult<Uuid> {
    let row = row.insert(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::System,
            action: AuditAction::AccountCreated,
            subject_kind: SubjectKind::Account,
            subject_id: row.id,
            summary: json!({ "displayName": row.display_name, "demo": true }),
        },
    )
    .await?;
    Ok(row.id)
}

async fn insert_organization(
    tx: &DatabaseTransaction,
    name: &str,
    website: &str,
    representative: Uuid,
) -> ApiResult<Uuid> {
    let now = Utc::now();
    let row = organization::ActiveModel {
        id: Set(ids::new_key()),
        name: Set(name.to_owned()),
        website_url: Set(Some(website.to_owned())),
        logo_url: Set(Some(format!("{website}/logo.svg"))),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    organization_representative::ActiveModel {
        organization_id: Set(row.id),
        account_id: Set(representative),
        added_at: Set(now),
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::System,
            action: AuditAction::OrganizationCreated,
            subject_kind: SubjectKind::Organization,
            subject_id: row.id,
            summary: json!({ "name": name, "representative": representative, "demo": true }),
        },
    )
    .await?;
    Ok(row.id)
}

async fn insert_mirror(
    tx: &DatabaseTransaction,
    owner: Holder,
    host: &str,
    country: &str,
    registered_by: Uuid,
    verified_by: Option<Uuid>,
) -> ApiResult<Uuid> {
    let now = Utc::now();
    let (owner_account_id, owner_organization_id) = owner.columns();
    let row = mirror::ActiveModel {
        id: Set(ids::new_key()),
        host_name: Set(host.to_owned()),
        http_url: Set(format!("https://{host}/almalinux/")),
        rsync_url: Set(Some(format!("rsync://{host}/almalinux/"))),
        ftp_url: Set(None),
        country: Set(country.to_owned()),
        update_frequency_hours: Set(4),
        owner_key: Set(owner.key()),
        owner_account_id: Set(owner_account_id),
        owner_organization_id: Set(owner_organization_id),
        status: Set(if verified_by.is_some() {
            mirror::MirrorStatus::Verified
        } else {
            mirror::MirrorStatus::Pending
        }),
        last_verified_at: Set(verified_by.map(|_| now)),
        registered_by: Set(registered_by),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    if let Some(checker) = verified_by {
        mirror_verification::ActiveModel {
            id: Set(ids::new_key()),
            mirror_id: Set(row.id),
            checked_by: Set(checker),
            checked_at: Set(now),
            outcome: Set(mirror_verification::VerificationOutcome::Verified),
            notes: Set("repodata fresh; synced within 4 hours".to_owned()),
        }
        .insert(tx)
        .await?;
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::System,
            action: AuditAction::MirrorRegistered,
            subject_kind: SubjectKind::Mirror,
            subject_id: row.id,
            summary: json!({ "hostName": host, "country": country, "verified": verified_by.is_some(), "demo": true }),
        },
    )
    .await?;
    Ok(row.id)
}

async fn insert_application(
    tx: &DatabaseTransaction,
    class: MembershipClassKey,
    applicant: Uuid,
    holder: Holder,
    mirrors: &[Uuid],
) -> ApiResult<()> {
    let (holder_account_id, holder_organization_id) = holder.columns();
    let row = application::ActiveModel {
        id: Set(ids::new_key()),
        class_key: Set(class),
        applicant_id: Set(applicant),
        holder_key: Set(holder.key()),
        holder_account_id: Set(holder_account_id),
        holder_organization_id: Set(holder_organization_id),
        statement: Set(
            "I have been using AlmaLinux at work for two years and help in the forums.".to_owned(),
        ),
        disclose: Set(true),
        status: Set(application::ApplicationStatus::Submitted),
        decision_reason: Set(None),
        decided_by: Set(None),
        submitted_at: Set(Utc::now()),
        decided_at: Set(None),
    }
    .insert(tx)
    .await?;
    for mirror_id in mirrors {
        application_mirror::ActiveModel {
            application_id: Set(row.id),
            mirror_id: Set(*mirror_id),
        }
        .insert(tx)
        .await?;
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(applicant),
            action: AuditAction::ApplicationSubmitted,
            subject_kind: SubjectKind::Application,
            subject_id: row.id,
            summary: json!({ "class": class.as_str(), "holder": holder.key(), "demo": true }),
        },
    )
    .await
}

/// A section of the sample bylaws: its heading and text.
type SampleSection = (&'static str, &'static str);

/// The sample bylaws: (article, title, sections).
const BYLAWS: [(i32, &str, &[SampleSection]); 4] = [
    (
        1,
        "Name and Purpose",
        &[
            (
                "Name",
                "The name of the organization is the Example OS Foundation.",
            ),
            (
                "Purpose",
                "The foundation develops, distributes and supports a free, community-owned operating system.",
            ),
            (
                "Non-profit status",
                "The foundation is a non-profit organization without shareholders.",
            ),
        ],
    ),
    (
        2,
        "Membership",
        &[
            (
                "Classes",
                "The foundation has Contributor, Mirror and Sponsor members.",
            ),
            (
                "Good standing",
                "A member in good standing is one whose membership is active. Only members in good standing vote.",
            ),
            (
                "Non-disclosure",
                "A member may ask that its membership not be disclosed in public lists.",
            ),
        ],
    ),
    (
        3,
        "Board of Directors",
        &[
            (
                "Composition",
                "The board has between seven and thirteen directors, elected by the members.",
            ),
            (
                "Terms",
                "A director serves a term of three years and at most two consecutive terms.",
            ),
            ("Board meetings", "The board meets at least once a quarter."),
        ],
    ),
    (
        4,
        "Amendments",
        &[
            (
                "Proposal",
                "Any member in good standing may propose an amendment to these bylaws.",
            ),
            (
                "Adoption",
                "An amendment is adopted by the vote the bylaws require for it.",
            ),
        ],
    ),
];

/// Bylaws, one amendment in discussion and one in voting.
async fn governance(
    tx: &DatabaseTransaction,
    secretary: Uuid,
    contributors: &[Uuid],
) -> ApiResult<()> {
    use crate::{
        amendments::{AmendmentStatus, VoteBody, commands as amendments},
        bylaws::text::{Change, ChangeOperation as Operation, Document, Section},
        votes::{VoteChoice, commands as votes},
    };
    use sea_orm::ActiveEnum;
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
    crate::bylaws::db::write_version(tx, 1, None, &document).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(secretary),
            action: AuditAction::BylawsImported,
            subject_kind: SubjectKind::BylawsVersion,
            subject_id: Uuid::nil(),
            summary: json!({ "version": 1, "sections": document.sections.len(), "demo": true }),
        },
    )
    .await?;
    let key_of = |heading: &str| {
        document
            .sections
            .iter()
            .find(|s| s.heading == heading)
            .map(|s| s.key)
            .ok_or_else(|| {
                crate::error::ApiError::internal(format!("demo section {heading} is missing"))
            })
    };
    let (Some(&first), Some(&second)) = (contributors.first(), contributors.get(1)) else {
        return Ok(());
    };

    // In discussion: submitted three days ago, with comments.
    let minutes = amendments::create(
        tx,
        first,
        "Publish board minutes within 14 days".to_owned(),
        "Members should be able to follow the board's decisions while they are fresh.".to_owned(),
        1,
        &[Change {
            operation: Operation::Replace,
            section: Some(key_of("Board meetings")?),
            article_number: None,
            position: None,
            heading: None,
            text: Some(
                "The board meets at least once a quarter and publishes its minutes within 14 days."
                    .to_owned(),
            ),
            membership_rights: None,
        }],
    )
    .await?;
    amendments::transition(
        tx,
        minutes.id,
        &[AmendmentStatus::Draft],
        AmendmentStatus::Proposed,
        |u| {
            u.col_expr(
                entity::amendment::Column::SubmittedAt,
                Expr::value(Utc::now() - chrono::Duration::days(3)),
            )
        },
    )
    .await?;
    for (author, body) in [
        (second, "Fourteen days seems right to me."),
        (first, "Agreed, and the minutes should link to the votes."),
    ] {
        entity::amendment_comment::ActiveModel {
            id: Set(ids::new_key()),
            amendment_id: Set(minutes.id),
            author_id: Set(author),
            body: Set(body.to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(tx)
        .await?;
    }

    // In voting: past its notice period, open for ten more days, a few votes cast.
    let conduct = amendments::create(
        tx,
        second,
        "Adopt a code of conduct".to_owned(),
        "Good faith is a condition of membership; the bylaws should say what it means.".to_owned(),
        1,
        &[Change {
            operation: Operation::Insert,
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
    )
    .await?;
    amendments::transition(
        tx,
        conduct.id,
        &[AmendmentStatus::Draft],
        AmendmentStatus::Proposed,
        |u| {
            u.col_expr(
                entity::amendment::Column::SubmittedAt,
                Expr::value(Utc::now() - chrono::Duration::days(12)),
            )
        },
    )
    .await?;
    let policy = crate::policy::current(tx).await?;
    votes::start(
        tx,
        secretary,
        conduct.id,
        VoteBody::Members,
        Utc::now() + chrono::Duration::days(10),
        &policy,
    )
    .await?;
    let roll = entity::prelude::VoterRoll::find()
        .filter(entity::voter_roll::Column::AmendmentId.eq(conduct.id))
        .filter(entity::voter_roll::Column::Sponsor.eq(false))
        .all(tx)
        .await?;
    for (entry, choice) in roll.iter().zip([
        VoteChoice::Yes,
        VoteChoice::Yes,
        VoteChoice::No,
        VoteChoice::Yes,
        VoteChoice::Abstain,
        VoteChoice::Yes,
    ]) {
        let Some(account) = entry
            .holder_key
            .strip_prefix("account:")
            .and_then(|id| id.parse::<Uuid>().ok())
        else {
            continue;
        };
        entity::amendment_vote::ActiveModel {
            roll_entry_id: Set(entry.id),
            amendment_id: Set(conduct.id),
            cast_by: Set(account),
            choice: Set(choice),
            cast_at: Set(Utc::now()),
        }
        .insert(tx)
        .await?;
        amendments::audit_step(
            tx,
            account,
            AuditAction::VoteCast,
            conduct.id,
            json!({ "entry": entry.id, "choice": choice.to_value(), "previous": null }),
        )
        .await?;
    }
    Ok(())
}
