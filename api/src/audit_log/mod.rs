//! Reading the audit log over GraphQL: the entries, the chain check and the latest signed
//! checkpoint. The log itself (recording, chaining, checking) is `crate::audit`, which every
//! domain writes through; this read side depends on the domains, never the other way round.

pub mod access;
pub mod query;
pub mod types;
