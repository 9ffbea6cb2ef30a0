//! The sample foundation's people, mirrors, sponsors and bylaws, as data.

pub const CONTRIBUTORS: [&str; 36] = [
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
pub type Host = (&'static str, &'static str);

/// (organization, website, its mirrors)
pub const MIRROR_HOSTS: [(&str, &str, &[Host]); 4] = [
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

/// A demo sponsor and its sponsorships, one after the other from `starts` (days from today):
/// (tier, months, amount in cents).
pub struct SponsorPlan {
    pub name: &'static str,
    pub website: &'static str,
    pub disclose: bool,
    pub in_kind: Option<&'static str>,
    pub starts: i64,
    pub periods: &'static [(&'static str, u32, i64)],
}

pub const SPONSORS: [SponsorPlan; 7] = [
    SponsorPlan {
        name: "Stellar Compute",
        website: "https://stellar-compute.example.com",
        disclose: true,
        in_kind: None,
        starts: -565,
        periods: &[("Gold", 12, 2_000_000), ("Platinum", 12, 10_000_000)],
    },
    SponsorPlan {
        name: "Harbor Systems",
        website: "https://harbor-systems.example.com",
        disclose: true,
        in_kind: None,
        starts: -100,
        periods: &[("Gold", 12, 2_500_000)],
    },
    SponsorPlan {
        name: "Cedar Labs",
        website: "https://cedar-labs.example.org",
        disclose: true,
        in_kind: None,
        starts: -20,
        periods: &[("Gold", 12, 2_000_000)],
    },
    SponsorPlan {
        name: "Pixel Forge",
        website: "https://pixel-forge.example.net",
        disclose: true,
        in_kind: None,
        starts: -200,
        periods: &[("Silver", 12, 300_000)],
    },
    SponsorPlan {
        name: "Local Linux User Group",
        website: "https://lug.example.org",
        disclose: true,
        in_kind: Some("Conference hall and volunteers for the community day"),
        starts: -50,
        periods: &[("Community", 12, 0)],
    },
    SponsorPlan {
        name: "Quiet Capital",
        website: "https://quiet-capital.example.com",
        disclose: false,
        in_kind: None,
        starts: -60,
        periods: &[("Gold", 12, 2_000_000)],
    },
    SponsorPlan {
        name: "Sunset Hosting",
        website: "https://sunset-hosting.example.com",
        disclose: true,
        in_kind: None,
        starts: -400,
        periods: &[("Silver", 12, 250_000)],
    },
];

/// A section of the sample bylaws: its heading and text.
pub type SampleSection = (&'static str, &'static str);

/// The sample bylaws: (article, title, sections).
pub const BYLAWS: [(i32, &str, &[SampleSection]); 4] = [
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
