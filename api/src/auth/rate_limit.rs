//! Brute-force protection for log-in: attempts limited per account and per client address.
//!
//! The limiter lives in each process, so with N replicas an attacker gets at most N times the
//! quota; it slows guessing, while the Argon2id cost keeps each guess expensive.

use std::{num::NonZeroU32, sync::Arc};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// Log-in attempts allowed per account in a burst, refilled one every 6 seconds (10 a minute).
const PER_ACCOUNT: u32 = 10;
/// Log-in attempts allowed per client address in a burst, refilled 30 a minute.
const PER_ADDRESS: u32 = 30;

/// The log-in limiters.
pub struct LoginLimiter {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<String>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self {
            accounts: RateLimiter::keyed(Quota::per_minute(nonzero(PER_ACCOUNT))),
            addresses: RateLimiter::keyed(Quota::per_minute(nonzero(PER_ADDRESS))),
        }
    }
}

impl LoginLimiter {
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Counts an attempt for `email` from `address`, refusing it when either is over quota.
    pub fn check(&self, email: &str, address: &str) -> Result<(), ApiError> {
        for (limiter, key) in [(&self.accounts, email), (&self.addresses, address)] {
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                return Err(ApiError::RateLimited {
                    retry_after_secs: wait.as_secs().max(1),
                });
            }
        }
        Ok(())
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}
