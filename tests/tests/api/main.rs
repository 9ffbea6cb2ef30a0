//! Quorum's integration tests: every test drives the real HTTP endpoint over a real database.

mod amendments;
mod api_tokens;
mod audit;
mod console;
mod directory;
mod elections;
mod errors;
mod faults;
mod graphiql;
mod identity;
mod limits;
mod live_tally;
mod membership;
mod notifications;
mod ops;
mod organizations;
mod portal;
mod public_cache;
mod robustness;
mod schema_file;
mod sponsors;
mod statements;
mod token_attacks;
mod transport;
mod websocket;
