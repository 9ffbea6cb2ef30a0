//! The BLT ballot format, the one every STV program reads: export the ballots so anyone can
//! recount, and read them back.
//!
//! Many STV programs read only whole ballot weights (Droop.py and OpenSTV match `\d+`, stv-rs
//! parses a `usize`), while the influence cap makes weights fractional. So the export writes
//! every weight as a whole number of one unit: the largest amount (a multiple of 10^-9 vote)
//! that divides every weight exactly, 1 vote when every weight is whole. The title line says
//! which, as `Board election [weights in units of 0.000000001 votes]`. Meek's method gives
//! the same elected set whatever the unit (it scales every total and the quota alike); the
//! 9-decimal rounding of the reference rule may differ in the last digits of the published
//! numbers for a unit other than 1. [`from_blt`] reads the unit back and counts exactly.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::elections::{
    count::{Ballot, Candidate},
    fixed::Fixed,
};

/// An election read from a BLT file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blt {
    /// The title (last line of the file), without the note of the weights' unit.
    pub title: String,
    /// The unit the file's whole weights count in (1 when the file does not say).
    pub weight_unit: Fixed,
    /// The candidates, named by the quoted names (no organization: BLT has none).
    pub candidates: Vec<Candidate>,
    /// Number of seats.
    pub seats: usize,
    /// The ballots, with candidate indices from 0.
    pub ballots: Vec<Ballot>,
    /// The tie-break order of Droop's `[tie …]` option, as candidate indices (withdrawn ones
    /// left out), first the one a tie goes against; `None` when the file has none.
    pub draw_order: Option<Vec<usize>>,
}

/// An error reading a BLT file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BltError {
    /// Line number, from 1 (0 for the end of the file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for BltError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BLT line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for BltError {}

/// How the title line states the weights' unit: `{title}{UNIT_NOTE.0}{unit}{UNIT_NOTE.1}`.
const UNIT_NOTE: (&str, &str) = (" [weights in units of ", " votes]");

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// The unit the export writes weights in: the largest amount that divides every weight
/// exactly (their greatest common divisor in 10^-9 units); 1 vote when there are no ballots.
pub fn weight_unit(ballots: &[Ballot]) -> Fixed {
    match ballots.iter().fold(0, |g, b| gcd(g, b.weight.units())) {
        0 => Fixed::ONE,
        units => Fixed::from_units(units),
    }
}

/// A positive amount as a plain decimal, without trailing zeros: `1`, `0.5`, `0.000000001`.
fn plain(amount: Fixed) -> String {
    let text = amount.to_string();
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn blt_quote(text: &str) -> String {
    format!(
        "\"{}\"\n",
        text.replace('"', "'").replace(['\n', '\r'], " ")
    )
}

/// Writes the election in BLT format: `candidates seats`, one line per ballot
/// (`weight c1 c2 ... 0`, candidates numbered from 1), `0`, the quoted candidate ids, and the
/// quoted title. Every weight is a whole number of [`weight_unit`], which the title line states
/// (`Board [weights in units of 1 votes]`). A `"` in an id or the title is written as `'`, and
/// a line break as a space.
pub fn to_blt(title: &str, candidates: &[Candidate], seats: usize, ballots: &[Ballot]) -> String {
    let unit = weight_unit(ballots);
    let mut out = format!("{} {}\n", candidates.len(), seats);
    for ballot in ballots {
        out.push_str(&(ballot.weight.units() / unit.units()).to_string());
        for &c in &ballot.ranking {
            out.push(' ');
            out.push_str(&(c + 1).to_string());
        }
        out.push_str(" 0\n");
    }
    out.push_str("0\n");
    for c in candidates {
        out.push_str(&blt_quote(&c.id));
    }
    out.push_str(&blt_quote(&format!(
        "{title}{}{}{}",
        UNIT_NOTE.0,
        plain(unit),
        UNIT_NOTE.1
    )));
    out
}

/// The title without its note of the weights' unit, and the unit (1 when it states none).
fn split_unit(title: &str) -> Result<(String, Fixed), String> {
    let Some(rest) = title.strip_suffix(UNIT_NOTE.1) else {
        return Ok((title.to_owned(), Fixed::ONE));
    };
    let Some((title, unit)) = rest.rsplit_once(UNIT_NOTE.0) else {
        return Ok((title.to_owned(), Fixed::ONE));
    };
    match unit.parse::<Fixed>() {
        Ok(unit) if unit > Fixed::ZERO => Ok((title.to_owned(), unit)),
        _ => Err(format!("bad weight unit {unit:?}")),
    }
}

/// What Quorum writes into its export after the `candidates seats` line, for other counters to
/// read: the count's draw order as Droop's `[tie …]` option (candidates numbered from 1, the
/// one a tie goes against first), and the candidates the organization rule excluded as
/// withdrawn candidates (`-n`), each with a `#` comment. The seed of the draw is the SHA-256 of
/// the export without these lines ([`seed_text`]), which is what [`to_blt`] writes.
pub fn annotated(plain: &str, draw_order: &[usize], excluded: &[usize]) -> String {
    let (header, rest) = plain.split_once('\n').unwrap_or((plain, ""));
    let mut out = format!("{header}\n");
    if !draw_order.is_empty() {
        out.push_str(
            "# Ties go against the candidate first in the seeded draw, listed in Droop's [tie] \
             option below.\n# The seed is the SHA-256 of this file without its lines that \
             start with #, [ or -.\n[tie",
        );
        for c in draw_order {
            out.push_str(&format!(" {}", c + 1));
        }
        out.push_str("]\n");
    }
    if !excluded.is_empty() {
        out.push_str(
            "# The organization rule (one seat per organization) cannot be carried by a BLT: \
             the candidates it\n# excluded during the count are withdrawn below, so that a \
             count of this file elects the same.\n",
        );
        let withdrawn: Vec<String> = excluded.iter().map(|c| format!("-{}", c + 1)).collect();
        out.push_str(&withdrawn.join(" "));
        out.push('\n');
    }
    out.push_str(rest);
    out
}

/// The text the draw's seed hashes: the export without the lines [`annotated`] adds (those
/// that start with `#`, `[` or `-`), that is, [`to_blt`]'s text.
pub fn seed_text(blt: &str) -> String {
    blt.split_inclusive('\n')
        .filter(|line| !line.starts_with(['#', '[', '-']))
        .collect()
}

/// Reads a BLT file: the `candidates seats` line, then in any order `#` comment lines, Droop's
/// `[tie …]` option (the tie-break order) and lines of withdrawn candidates (negative numbers;
/// they are removed from the candidates and the rankings, which is how the reference rule
/// treats them), ballot lines with an optional `(id)` first and a weight, the
/// `0` line, the quoted names and the quoted title. When the title states a unit (as
/// [`to_blt`] writes it) the weights are whole numbers of it; otherwise a weight may be decimal
/// (up to 9 places). Equal rankings (`=`) and skipped ranks (`-`) are not accepted.
pub fn from_blt(text: &str) -> Result<Blt, BltError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty());
    let fail = |line: usize, message: &str| BltError {
        line,
        message: message.to_string(),
    };
    let (line, header) = lines.next().ok_or_else(|| fail(0, "empty file"))?;
    let numbers: Result<Vec<usize>, _> = header.split_whitespace().map(str::parse).collect();
    let Ok([n, seats]) = numbers.as_deref() else {
        return Err(fail(line, "expected `candidates seats`"));
    };
    let (n, seats) = (*n, *seats);
    let mut withdrawn = vec![false; n];
    let mut tie: Option<Vec<usize>> = None;
    let mut ballots = Vec::new();
    let mut next = lines.next();
    while let Some((line, text)) = next.filter(|(_, t)| t.starts_with(['-', '[', '#'])) {
        if let Some(option) = text.strip_prefix("[tie") {
            let order = option
                .trim_end()
                .strip_suffix(']')
                .ok_or_else(|| fail(line, "the [tie] option must end on its line with ]"))?
                .split_whitespace()
                .map(|token| {
                    token
                        .parse::<usize>()
                        .ok()
                        .and_then(|c| c.checked_sub(1))
                        .filter(|c| *c < n)
                        .ok_or_else(|| fail(line, "bad candidate in [tie]"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut seen = order.clone();
            seen.sort_unstable();
            seen.dedup();
            if seen.len() != n || order.len() != n {
                return Err(fail(line, "[tie] must list each candidate once"));
            }
            tie = Some(order);
        } else if text.starts_with('[') {
            return Err(fail(line, "unknown option"));
        } else if text.starts_with('-') {
            for token in text.split_whitespace() {
                let c: usize = token
                    .trim_start_matches('-')
                    .parse()
                    .map_err(|_| fail(line, "bad withdrawn"))?;
                *c.checked_sub(1)
                    .and_then(|c| withdrawn.get_mut(c))
                    .ok_or_else(|| fail(line, "bad withdrawn"))? = true;
            }
        }
        next = lines.next();
    }
    loop {
        let (line, text) =
            next.ok_or_else(|| fail(0, "missing the `0` line ending the ballots"))?;
        if text == "0" {
            break;
        }
        let mut tokens = text.split_whitespace().peekable();
        if tokens.peek().is_some_and(|t| t.starts_with('(')) {
            tokens.next();
        }
        // Read once the title has said the weights' unit.
        let weight = (line, tokens.next().unwrap_or("").to_owned());
        let mut ranking = Vec::new();
        let mut ended = false;
        for token in tokens {
            let c: usize = token.parse().map_err(|_| {
                fail(
                    line,
                    "bad candidate (equal or skipped ranks are not supported)",
                )
            })?;
            if ended {
                return Err(fail(line, "text after the closing 0"));
            }
            match c.checked_sub(1) {
                None => ended = true,
                Some(c) if c < n => ranking.push(c),
                Some(_) => return Err(fail(line, "unknown candidate")),
            }
        }
        if !ended {
            return Err(fail(line, "ballot line must end with 0"));
        }
        ballots.push((weight, ranking));
        next = lines.next();
    }
    let mut quoted = || -> Result<String, BltError> {
        let (line, text) = lines
            .next()
            .ok_or_else(|| fail(0, "missing a quoted name or title"))?;
        text.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .map(str::to_string)
            .ok_or_else(|| fail(line, "expected a quoted name"))
    };
    let names = (0..n).map(|_| quoted()).collect::<Result<Vec<_>, _>>()?;
    let title = quoted()?;
    if let Some((line, _)) = lines.next() {
        return Err(fail(line, "unexpected text after the title"));
    }
    let (title, weight_unit) = split_unit(&title).map_err(|message| fail(0, &message))?;
    let stated = weight_unit != Fixed::ONE;
    let mut ballots = ballots
        .into_iter()
        .map(|((line, token), ranking)| {
            let weight = if stated {
                token
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| n.checked_mul(weight_unit.units()))
                    .map(Fixed::from_units)
                    .ok_or_else(|| fail(line, "bad weight (a whole number of the stated unit)"))?
            } else {
                token.parse().map_err(|_| fail(line, "bad weight"))?
            };
            if weight <= Fixed::ZERO {
                return Err(fail(line, "weight must be positive"));
            }
            Ok(Ballot { weight, ranking })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Renumber without the withdrawn candidates.
    let mut new_index = vec![None; n];
    let mut candidates = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        if withdrawn.get(i) == Some(&false) {
            if let Some(slot) = new_index.get_mut(i) {
                *slot = Some(candidates.len());
            }
            candidates.push(Candidate::new(name));
        }
    }
    for ballot in &mut ballots {
        ballot.ranking = ballot
            .ranking
            .iter()
            .filter_map(|&c| new_index.get(c).copied().flatten())
            .collect();
    }
    let draw_order = tie.map(|order| {
        order
            .iter()
            .filter_map(|&c| new_index.get(c).copied().flatten())
            .collect()
    });
    Ok(Blt {
        title,
        weight_unit,
        candidates,
        seats,
        ballots,
        draw_order,
    })
}

#[cfg(test)]
mod tests;
