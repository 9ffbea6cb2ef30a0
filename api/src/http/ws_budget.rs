//! How many WebSocket connections and subscriptions one replica carries, per client address and
//! in all. Each connection and each running subscription takes one unit; a unit is given back
//! when its connection or subscription ends (when the [`Unit`] is dropped). The budget protects
//! this process's memory, so it is counted per replica.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

/// The budget of one replica.
pub struct WsBudget {
    per_address: usize,
    total: usize,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    by_address: HashMap<String, usize>,
    total: usize,
}

/// Why a unit was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    /// The client's address holds its share.
    Address(usize),
    /// The replica carries all it may.
    Replica(usize),
}

impl Exhausted {
    /// A sentence for the client.
    pub fn message(self) -> String {
        match self {
            Self::Address(limit) => format!(
                "Your address already holds {limit} WebSocket connections and subscriptions on \
                 this server; close some and try again."
            ),
            Self::Replica(limit) => format!(
                "This server carries {limit} WebSocket connections and subscriptions, its most; \
                 try again shortly."
            ),
        }
    }
}

/// One connection's or subscription's share, given back when dropped.
pub struct Unit {
    budget: Arc<WsBudget>,
    address: String,
}

impl WsBudget {
    pub fn new(per_address: usize, total: usize) -> Arc<Self> {
        Arc::new(Self {
            per_address,
            total,
            used: Mutex::new(Used::default()),
        })
    }

    /// A unit for `address`, if its share and the replica's allow one more.
    pub fn take(self: &Arc<Self>, address: &str) -> Result<Unit, Exhausted> {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        if used.total >= self.total {
            return Err(Exhausted::Replica(self.total));
        }
        let mine = used.by_address.entry(address.to_owned()).or_default();
        if *mine >= self.per_address {
            return Err(Exhausted::Address(self.per_address));
        }
        *mine += 1;
        used.total += 1;
        Ok(Unit {
            budget: self.clone(),
            address: address.to_owned(),
        })
    }

    /// Units in use: for `address`, and in all.
    pub fn in_use(&self, address: &str) -> (usize, usize) {
        let used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        (
            used.by_address.get(address).copied().unwrap_or(0),
            used.total,
        )
    }
}

impl Drop for Unit {
    fn drop(&mut self) {
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        used.total = used.total.saturating_sub(1);
        if let Some(mine) = used.by_address.get_mut(&self.address) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                used.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_counted_per_address_and_in_all_and_given_back_when_dropped() {
        let budget = WsBudget::new(2, 3);
        let a1 = budget.take("a").expect("a first");
        let a2 = budget.take("a").expect("a second");
        assert_eq!(budget.take("a").err(), Some(Exhausted::Address(2)));
        let b1 = budget.take("b").expect("b first");
        assert_eq!(budget.take("c").err(), Some(Exhausted::Replica(3)));
        drop(a1);
        assert_eq!(budget.in_use("a"), (1, 2));
        let _a3 = budget.take("a").expect("a again");
        drop((a2, b1));
        assert_eq!(budget.in_use("b"), (0, 1));
    }
}
