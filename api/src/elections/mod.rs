//! Board elections. So far the count: Meek's method of STV under the Proportional
//! Representation Foundation's reference rule, in fixed point, with the foundation's
//! organization rule and a seeded draw for ties, and the BLT export for recounts. The election
//! lifecycle (nominations, secret ballots, certification) builds on it.

pub mod blt;
pub mod count;
pub mod fixed;
#[cfg(test)]
mod test_support;
