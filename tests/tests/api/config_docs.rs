//! The operators' configuration table lists exactly the variables the server declares, each with
//! its declared default.

use std::collections::BTreeSet;

/// The header row that marks the table.
const HEADER: &str = "| variable | default | meaning |";

/// Where the table may be: the README, or the operators' guide once the README hands it over.
const PLACES: [&str; 2] = ["README.md", "docs/operators.md"];

/// One row: the variable and its default cell, as written.
struct Row {
    variable: String,
    default: String,
}

/// The table's rows, and the file they were found in.
fn documented() -> (&'static str, Vec<Row>) {
    for place in PLACES {
        let path = format!("{}/../{place}", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut lines = text.lines().skip_while(|line| line.trim() != HEADER);
        if lines.next().is_none() {
            continue;
        }
        let rows = lines
            .skip(1) // | --- | --- | --- |
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                let mut cells = line.trim_matches('|').splitn(3, '|').map(str::trim);
                let variable = cells.next().unwrap_or_default();
                Row {
                    variable: variable.trim_matches('`').to_owned(),
                    default: cells.next().unwrap_or_default().to_owned(),
                }
            })
            .collect();
        return (place, rows);
    }
    panic!("no configuration table (a `{HEADER}` row) in {PLACES:?}");
}

#[test]
fn the_configuration_table_lists_every_declared_variable_and_no_other() {
    let (place, rows) = documented();
    let declared: BTreeSet<String> = api::config::variables()
        .into_iter()
        .map(|variable| variable.name)
        .collect();
    let listed: BTreeSet<String> = rows.iter().map(|row| row.variable.clone()).collect();
    assert_eq!(listed.len(), rows.len(), "{place} lists a variable twice");
    let undocumented: Vec<_> = declared.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&declared).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "{place}'s configuration table is out of step with api/src/config.rs: \
         missing from the table {undocumented:?}; not declared in the code {unknown:?}"
    );
}

#[test]
fn a_default_the_table_gives_as_a_literal_is_the_declared_one() {
    let (place, rows) = documented();
    let declared = api::config::variables();
    for row in rows {
        // Prose defaults ("on in development", "none") say what no literal can.
        let Some(literal) = row
            .default
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix('`'))
            .filter(|literal| !literal.contains('`'))
        else {
            continue;
        };
        let variable = declared.iter().find(|v| v.name == row.variable);
        if let Some(variable) = variable {
            assert_eq!(
                variable.default.as_deref(),
                Some(literal),
                "{place} gives {} a default of `{literal}`",
                row.variable
            );
        }
    }
}
