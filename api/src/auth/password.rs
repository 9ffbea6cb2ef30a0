//! Passwords: the policy, and Argon2id hashing off the async threads.

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::{ApiError, ApiResult};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// A password that meets the policy, not yet hashed.
pub struct Password(String);

impl Password {
    /// Checks the policy: 12 to 256 characters.
    pub fn parse(raw: String, field: &str) -> ApiResult<Self> {
        let length = raw.chars().count();
        if length < MIN_LENGTH {
            return Err(ApiError::bad_input(
                field,
                format!("the password must have at least {MIN_LENGTH} characters"),
            ));
        }
        if length > MAX_LENGTH {
            return Err(ApiError::bad_input(
                field,
                format!("the password may have at most {MAX_LENGTH} characters"),
            ));
        }
        Ok(Self(raw))
    }

    /// The Argon2id PHC string to store.
    pub async fn hash(self) -> ApiResult<String> {
        let _turn = hashing_turn().await?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(self.0.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| ApiError::internal(err.to_string()))
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Checks `candidate` against a stored hash. With no stored hash (an unknown email) it checks
/// against a decoy, so that both cases take about the same time.
pub async fn verify(candidate: String, stored: Option<String>) -> ApiResult<bool> {
    let _turn = hashing_turn().await?;
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| decoy().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .map_err(ApiError::internal)
}

/// A turn to hash: at most one Argon2 computation per CPU at a time in this process, the rest
/// wait in line. Each takes 19 MiB (Argon2id's default memory cost) for its run; unbounded, 60
/// sign-ups at once took the process from 75 MB to 1.3 GB, and the allocator kept most of it
/// afterwards. Waiting costs nothing more: the CPUs were the limit anyway.
async fn hashing_turn() -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    static TURNS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    TURNS
        .get_or_init(|| {
            let cpus = std::thread::available_parallelism().map_or(2, usize::from);
            tokio::sync::Semaphore::new(cpus)
        })
        .acquire()
        .await
        .map_err(ApiError::internal)
}

/// A hash of a random password, made once, to spend the same effort on unknown emails.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(crate::auth::secrets::generate("").as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}
