//! The BLT ballot format, the one every STV program reads: export the ballots so anyone can
//! recount, and read them back.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::elections::{
    count::{Ballot, Candidate},
    fixed::{Fixed, SCALE},
};

/// An election read from a BLT file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blt {
    /// The title (last line of the file).
    pub title: String,
    /// The candidates, named by the quoted names (no organization: BLT has none).
    pub candidates: Vec<Candidate>,
    /// Number of seats.
    pub seats: usize,
    /// The ballots, with candidate indices from 0.
    pub ballots: Vec<Ballot>,
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

fn blt_quote(text: &str) -> String {
    format!(
        "\"{}\"\n",
        text.replace('"', "'").replace(['\n', '\r'], " ")
    )
}

/// Writes the election in BLT format: `candidates seats`, one line per ballot
/// (`weight c1 c2 ... 0`, candidates numbered from 1), `0`, the quoted candidate ids, and the
/// quoted title. Whole weights are written as integers, others with 9 decimals. A `"` in an id
/// or the title is written as `'`, and a line break as a space.
pub fn to_blt(title: &str, candidates: &[Candidate], seats: usize, ballots: &[Ballot]) -> String {
    let mut out = format!("{} {}\n", candidates.len(), seats);
    for ballot in ballots {
        let w = ballot.weight;
        let weight = if w.0 % SCALE == 0 {
            (w.0 / SCALE).to_string()
        } else {
            w.to_string()
        };
        out.push_str(&weight);
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
    out.push_str(&blt_quote(title));
    out
}

/// Reads a BLT file: the `candidates seats` line, an optional line of withdrawn candidates
/// (negative numbers; they are removed from the candidates and the rankings, which is how the
/// reference rule treats them), ballot lines with an optional `(id)` first and a weight that may
/// be decimal (up to 9 places), the `0` line, the quoted names and the quoted title. Equal
/// rankings (`=`) and skipped ranks (`-`) are not accepted.
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
    let mut ballots = Vec::new();
    let mut next = lines.next();
    if let Some((line, text)) = next.filter(|(_, t)| t.starts_with('-')) {
        for token in text.split_whitespace() {
            let c: usize = token
                .trim_start_matches('-')
                .parse()
                .map_err(|_| fail(line, "bad withdrawn"))?;
            *c.checked_sub(1)
                .and_then(|c| withdrawn.get_mut(c))
                .ok_or_else(|| fail(line, "bad withdrawn"))? = true;
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
        let weight: Fixed = tokens
            .next()
            .unwrap_or("")
            .parse()
            .map_err(|_| fail(line, "bad weight"))?;
        if weight.0 <= 0 {
            return Err(fail(line, "weight must be positive"));
        }
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
        ballots.push(Ballot { weight, ranking });
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
    Ok(Blt {
        title,
        candidates,
        seats,
        ballots,
    })
}

#[cfg(test)]
mod tests;
