//! One writer per aggregate: only `api/src/members/` writes the `memberships` table. Sponsors,
//! mirrors, the roll refresh, the demo and the bench change a membership through the members
//! commands. The test reads the sources and looks for every way this code base writes a table:
//! naming the entity's `ActiveModel`; the entity's write calls (`insert`, `insert_many`,
//! `update`, `update_many`, `delete`, `delete_many`, `delete_by_id`), under its own name or an
//! alias it is imported as; a sea-query statement into the table; and raw SQL. A write that
//! names none of these (a row turned into an active model with no type written down) would pass
//! unseen; none exists, and a reviewer would ask for the type.

use std::path::{Path, PathBuf};

/// A table and the only folder of `api/src` that writes it.
struct Owned {
    /// The table, as SQL names it.
    table: &'static str,
    /// The entity's module in the `entity` crate.
    module: &'static str,
    /// The entity's name in `entity::prelude`.
    entity: &'static str,
    /// The folder under `api/src` that writes it.
    owner: &'static str,
}

const OWNED: &[Owned] = &[Owned {
    table: "memberships",
    module: "membership",
    entity: "Membership",
    owner: "members",
}];

/// The entity calls that write.
const WRITE_CALLS: &[&str] = &[
    "insert",
    "insert_many",
    "update",
    "update_many",
    "delete",
    "delete_many",
    "delete_by_id",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `line` holds `needle` starting a word (not `XMembership` for `Membership`).
fn has_word(line: &str, needle: &str) -> bool {
    line.match_indices(needle)
        .any(|(at, _)| !line[..at].chars().next_back().is_some_and(is_ident))
}

/// Whether `line` holds `needle` ending a word (not `MembershipX` for `Membership`).
fn ends_word(line: &str, needle: &str) -> bool {
    line.match_indices(needle).any(|(at, _)| {
        !line[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(is_ident)
    })
}

/// The names `source` may call the entity by: its own, `<module>::Entity`, and each alias it is
/// imported as (`Membership as Memberships`).
fn entity_names(source: &str, owned: &Owned) -> Vec<String> {
    let mut names = vec![owned.entity.to_owned(), format!("{}::Entity", owned.module)];
    let alias = format!("{} as ", owned.entity);
    for (at, _) in source.match_indices(&alias) {
        if source[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let name: String = source[at + alias.len()..]
            .chars()
            .take_while(|c| is_ident(*c))
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

/// The lines of `source` that write `owned`'s table, numbered from 1.
fn writes(source: &str, owned: &Owned) -> Vec<(usize, String)> {
    let names = entity_names(source, owned);
    let active_model = format!("{}::ActiveModel", owned.module);
    let sql: Vec<String> = ["insert into", "update", "delete from"]
        .iter()
        .flat_map(|verb| {
            [
                format!("{verb} {}", owned.table),
                format!("{verb} \"{}\"", owned.table),
            ]
        })
        .collect();
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            // As SQL reads it: any case, one space, no escaped quotes.
            let spoken = line
                .to_lowercase()
                .replace('\\', "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            has_word(line, &active_model)
                || names.iter().any(|name| {
                    WRITE_CALLS
                        .iter()
                        .any(|call| has_word(line, &format!("{name}::{call}(")))
                        || ["into_table(", ".table(", "from_table("]
                            .iter()
                            .any(|into| ends_word(line, &format!("{into}{name}")))
                })
                || sql.iter().any(|statement| ends_word(&spoken, statement))
        })
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .collect()
}

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
}

fn owner_dir(owned: &Owned) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(owned.owner)
}

#[test]
fn only_its_owner_writes_a_table() {
    let mut strangers = Vec::new();
    for owned in OWNED {
        let owner = owner_dir(owned);
        for path in sources().iter().filter(|path| !path.starts_with(&owner)) {
            let source = std::fs::read_to_string(path).expect("a source file");
            for (line, text) in writes(&source, owned) {
                strangers.push(format!(
                    "{}:{line} writes {} (only {}/ may): {text}",
                    path.display(),
                    owned.table,
                    owned.owner
                ));
            }
        }
    }
    assert!(strangers.is_empty(), "{}", strangers.join("\n"));
}

#[test]
fn the_owner_is_seen_writing() {
    for owned in OWNED {
        let owner = owner_dir(owned);
        let seen: usize = sources()
            .iter()
            .filter(|path| path.starts_with(&owner))
            .map(|path| writes(&std::fs::read_to_string(path).expect("a source"), owned).len())
            .sum();
        assert!(
            seen > 0,
            "no write of {} found in {}/",
            owned.table,
            owned.owner
        );
    }
}

#[test]
fn each_way_of_writing_is_seen_and_reads_are_not() {
    let memberships = &OWNED[0];
    for write in [
        "let mut row: membership::ActiveModel = current.into();",
        "entity::membership::ActiveModel {",
        "entity::prelude::Membership::insert_many(rows)",
        "use entity::prelude::{Account, Membership as Memberships};\nMemberships::update_many()",
        "Membership::delete_by_id(id)",
        "Query::insert().into_table(membership::Entity)",
        "\"UPDATE memberships SET ends_on = $1\"",
        "\"insert into \\\"memberships\\\" (id) values (1)\"",
        "\"DELETE   FROM memberships\"",
    ] {
        assert!(!writes(write, memberships).is_empty(), "unseen: {write}");
    }
    for read in [
        "use entity::prelude::{Membership as Memberships};\nMemberships::find().all(tx)",
        "membership::Column::ClassKey.eq(MembershipClassKey::Sponsor)",
        "MembershipStatus::Active",
        "application_membership::ActiveModel {",
        "Organization::update_many()",
        "Query::update().table(MembershipClass)",
        "\"SELECT * FROM memberships\"",
        "\"UPDATE memberships_archive SET x = 1\"",
    ] {
        assert!(writes(read, memberships).is_empty(), "not a write: {read}");
    }
}
