//! The requests one HTTP request to `/graphql` carries, and the `documentId`s of a POST body.

use std::sync::Arc;

use async_graphql::Request as GqlRequest;
use serde::Deserialize;

use crate::documents::Prepared;

/// The requests of one HTTP request, each with its trusted document when it names one.
pub(super) struct Batch {
    pub(super) items: Vec<(GqlRequest, Option<Arc<Prepared>>)>,
    /// A single request, not a batch of one.
    pub(super) single: bool,
}

impl Batch {
    pub(super) fn single(request: GqlRequest, prepared: Option<Arc<Prepared>>) -> Self {
        Self {
            items: vec![(request, prepared)],
            single: true,
        }
    }
}

/// The `documentId` of each request of a POST body.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum DocumentIds {
    Single(DocumentIdOf),
    Batch(Vec<DocumentIdOf>),
}

#[derive(Deserialize)]
pub(super) struct DocumentIdOf {
    #[serde(rename = "documentId")]
    pub(super) document_id: Option<String>,
}
