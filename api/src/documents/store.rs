//! Each replica's parsed copies of the trusted documents it has been asked for.
//!
//! The database is the record: a document id this replica has not seen is looked up there (so
//! one registered through another replica is found at once), and nothing is remembered of an
//! id that is not registered. What is kept is only what the database says, parsed and
//! measured once, and the outcome of validating it against the schema for each operation and
//! set of variables it ran with (complexity depends on the variables), so that a registered
//! document is neither parsed nor validated again per request.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::parser::{parse_query, types::ExecutableDocument};
use entity::trusted_document;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{error::ApiResult, limits::Measured};

/// At most this many documents are kept parsed; past it the store starts afresh.
const MAX_DOCUMENTS: usize = 5_000;

/// A registered document, parsed and measured.
pub struct Prepared {
    /// The lowercase hex SHA-256 of its text.
    pub id: String,
    /// The client that registered it (the first by name when several did), for the metrics.
    pub client: String,
    /// Its text.
    pub text: String,
    /// Its parse.
    pub document: ExecutableDocument,
    /// What the query limits measure in it, and its validations.
    pub measured: Arc<Measured>,
}

impl Prepared {
    fn new(id: String, client: String, text: String) -> Option<Self> {
        // Registration checked that it parses; a row that does not is treated as unknown.
        let document = parse_query(&text).ok()?;
        let measured = Arc::new(Measured::of(&document));
        Some(Self {
            id,
            client,
            text,
            document,
            measured,
        })
    }
}

/// The documents one replica has read, parsed.
#[derive(Clone, Default)]
pub struct DocumentStore(Arc<Mutex<HashMap<String, Arc<Prepared>>>>);

impl DocumentStore {
    /// The registered document with the id `id` (lowercase hex SHA-256), if any client
    /// registered it.
    pub async fn find(
        &self,
        db: &DatabaseConnection,
        id: &str,
    ) -> ApiResult<Option<Arc<Prepared>>> {
        if let Some(found) = self.lock().get(id) {
            return Ok(Some(found.clone()));
        }
        let Some(row) = trusted_document::Entity::find()
            .filter(trusted_document::Column::DocumentId.eq(id))
            .order_by_asc(trusted_document::Column::ClientName)
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let Some(prepared) = Prepared::new(row.document_id, row.client_name, row.document) else {
            return Ok(None);
        };
        let prepared = Arc::new(prepared);
        let mut documents = self.lock();
        if documents.len() >= MAX_DOCUMENTS {
            documents.clear();
        }
        documents.insert(id.to_owned(), prepared.clone());
        Ok(Some(prepared))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Prepared>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
