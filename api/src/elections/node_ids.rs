//! The global IDs of elections and nominations, named below the GraphQL types: the commands,
//! the count and the webhook payloads write them without depending on `types`, and the GraphQL
//! types take their kinds from here.

use async_graphql::ID;
use uuid::Uuid;

use crate::ids;

/// The kind inside an election's global ID.
pub const ELECTION: &str = "Election";

/// The kind inside a nomination's global ID: what a ballot ranks.
pub const NOMINATION: &str = "Nomination";

/// The kind inside an account's global ID, as `accounts::types::Account` names it; a command
/// writes it as text so that it does not depend on the accounts' GraphQL types (a test in
/// `types` keeps the two the same).
pub const ACCOUNT: &str = "Account";

/// The global ID of the election `key`.
pub fn election_id(key: Uuid) -> ID {
    ids::encode(ELECTION, key)
}

/// The global ID of the nomination `key`.
pub fn nomination_id(key: Uuid) -> ID {
    ids::encode(NOMINATION, key)
}

/// The global ID text of a nomination: how ballots, results and the BLT name a nominee.
pub fn nomination_id_text(key: Uuid) -> String {
    nomination_id(key).0
}
