//! The BLT export carries what another counter needs to reach the same result: the seeded draw
//! order as Droop's `[tie …]` option, and the organization rule's exclusions as withdrawn
//! candidates (`-n`), with a comment saying why (issue 23, item 11).

use serde_json::{Value, json};
use tests::factories::{add_representative, an_organization};

use super::{foundation, ids, recount};

/// What a BLT reader such as Droop takes from the lines before the ballots: `[tie …]` (the
/// candidates by their number from 1, first the one a tie goes against), the withdrawn
/// candidates (`-n`), and `#` comments.
#[derive(Debug, Default)]
struct Preamble {
    tie: Option<Vec<usize>>,
    withdrawn: Vec<usize>,
    comments: Vec<String>,
    candidates: usize,
}

/// Reads the export the way Droop's tokenizer does: whitespace-separated tokens, `#` to the end
/// of the line a comment, options in brackets, negative numbers withdrawn, until the first
/// ballot's weight.
fn preamble(blt: &str) -> (Preamble, Vec<String>) {
    let mut found = Preamble::default();
    let mut tokens = Vec::new();
    for line in blt.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_some_and(|w| w.starts_with('#')) {
            found.comments.push(line.trim().to_owned());
            continue;
        }
        tokens.extend(words.map(str::to_owned));
    }
    let mut rest = tokens.into_iter();
    found.candidates = rest
        .next()
        .and_then(|t| t.parse().ok())
        .expect("candidates");
    rest.next().expect("seats");
    let mut rest = rest.peekable();
    while let Some(token) = rest.peek().cloned() {
        if token == "[tie" {
            rest.next();
            let mut order = Vec::new();
            for token in rest.by_ref() {
                let number = token.trim_end_matches(']');
                if !number.is_empty() {
                    order.push(number.parse().expect("a candidate number"));
                }
                if token.ends_with(']') {
                    break;
                }
            }
            found.tie = Some(order);
        } else if let Some(number) = token.strip_prefix('-') {
            found
                .withdrawn
                .push(number.parse().expect("a candidate number"));
            rest.next();
        } else {
            break;
        }
    }
    let names: Vec<String> = blt
        .lines()
        .filter(|line| line.starts_with('"'))
        .map(|line| line.trim_matches('"').to_owned())
        .collect();
    (found, names)
}

/// The candidate numbers (from 1) of `nominations` in the export's name list.
fn numbers(names: &[String], nominations: &[String]) -> Vec<usize> {
    nominations
        .iter()
        .map(|n| names.iter().position(|name| name == n).expect("named") + 1)
        .collect()
}

fn string_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_tie_broken_by_the_draw_is_written_as_droop_s_tie_option() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    f.open_voting(&election).await;
    // One ballot each: a tie that only the draw decides.
    f.cast(&bob, &election, &[&bob_n]).await.data();
    f.cast(&cy, &election, &[&cy_n]).await.data();
    f.close(&election).await;
    let result = f.result(&election).await;
    let blt = result["blt"].as_str().expect("blt");
    eprintln!("the export:\n{blt}");
    let (preamble, names) = preamble(blt);
    let draw = string_ids(&result["drawOrderIds"]);
    assert_eq!(
        preamble.tie,
        Some(numbers(&names, &draw)),
        "the draw order, as Droop's [tie] option: {blt}"
    );
    assert!(preamble.withdrawn.is_empty(), "{blt}");
    // The tie went against the first in the draw: the other is elected.
    assert_eq!(string_ids(&result["electedIds"]), vec![draw[1].clone()]);
    // A counter that reads the file's tie order, and not Quorum's seed, elects the same.
    assert_eq!(recount(blt), ids(&result["elected"]));
}

#[tokio::test]
async fn the_organization_rule_s_exclusions_are_withdrawn_candidates_with_a_comment() {
    let f = foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let dee = f.member("Dee").await;
    let sam = f.member("Sam").await;
    let acme = an_organization(app, &bob, "Acme").await;
    add_representative(app, &bob, &acme, &cy).await;

    let election = f.election("GENERAL", 2).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    let ada_n = f.candidate(&bob, &election, &ada).await;
    f.open_voting(&election).await;
    // Acme's two nominees lead; when Bob is elected, Cy is excluded and Ada takes the second
    // seat.
    let result = f
        .bob_and_cy_lead(
            &election,
            [&bob_n, &cy_n, &ada_n],
            [&ada, &bob, &dee],
            &cy,
            &sam,
        )
        .await;
    assert_eq!(ids(&result["elected"]), vec![bob_n.clone(), ada_n.clone()]);
    assert_eq!(result["rounds"][0]["excludedIds"], json!([cy_n]));

    let blt = result["blt"].as_str().expect("blt");
    eprintln!("the export:\n{blt}");
    let (preamble, names) = preamble(blt);
    assert_eq!(preamble.candidates, 3);
    assert_eq!(
        preamble.withdrawn,
        numbers(&names, std::slice::from_ref(&cy_n)),
        "the excluded nominee is withdrawn: {blt}"
    );
    assert!(
        preamble
            .comments
            .iter()
            .any(|c| c.contains("organization rule") && c.contains("cannot")),
        "a comment says why: {blt}"
    );
    assert!(preamble.tie.is_some(), "{blt}");
    // Counted as the file says, with Cy withdrawn, it elects the same.
    let mut recounted = recount(blt);
    recounted.sort();
    let mut elected = vec![bob_n, ada_n];
    elected.sort();
    assert_eq!(recounted, elected);
}
