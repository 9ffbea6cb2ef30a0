//! Registering a client's manifest of documents.

use async_graphql::parser::parse_query;
use chrono::Utc;
use entity::trusted_document;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    db::Tx,
    error::{ApiError, ApiResult},
};

/// The lowercase hex SHA-256 of a document's text: its id.
pub fn document_id(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

/// A client's name: 1 to 64 lowercase letters, digits, `-`, `_` or `.`, starting with a letter
/// or digit, such as `public-site`.
pub fn client_name(raw: &str, field: &str) -> ApiResult<String> {
    let name = raw.trim();
    let valid = (1..=64).contains(&name.len())
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err(ApiError::bad_input(
            field,
            "A client's name is 1 to 64 lowercase letters, digits, `-`, `_` or `.`, such as \
             `public-site`.",
        ))
    }
}

/// A manifest's entries, checked: each id is the SHA-256 of its document, and each document
/// parses. `field` names the manifest in refusals.
pub fn checked(
    entries: impl IntoIterator<Item = (String, String)>,
    field: &str,
) -> ApiResult<Vec<(String, String)>> {
    let mut checked = Vec::new();
    for (id, document) in entries {
        let id = id
            .strip_prefix("sha256:")
            .unwrap_or(&id)
            .to_ascii_lowercase();
        let actual = document_id(&document);
        if id != actual {
            return Err(ApiError::bad_input(
                field,
                format!(
                    "The document listed as {id} has the SHA-256 {actual}; a manifest lists each \
                     document under the hash of its exact text."
                ),
            ));
        }
        if let Err(err) = parse_query(&document) {
            return Err(ApiError::bad_input(
                field,
                format!("The document {id} is not a GraphQL document: {err}"),
            ));
        }
        checked.push((id, document));
    }
    if checked.is_empty() {
        return Err(ApiError::bad_input(
            field,
            "The manifest lists no documents.",
        ));
    }
    Ok(checked)
}

/// A manifest as `@graphql-codegen/client-preset` writes `persisted-documents.json`:
/// `{ "<sha256 hex>": "<document>" }`.
pub fn parse_manifest(text: &str, field: &str) -> ApiResult<Vec<(String, String)>> {
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_str(text).map_err(|err| {
            ApiError::bad_input(
                field,
                format!("The manifest is not a JSON object of SHA-256 hashes to documents: {err}"),
            )
        })?;
    checked(map, field)
}

/// What registering a manifest did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Registered {
    /// Documents the client had not registered before.
    pub added: usize,
    /// Documents it had: left as they were.
    pub unchanged: usize,
}

/// Registers checked documents for `client`, each once; one registered already stays as it
/// was. Each new registration is audited.
pub async fn register(
    tx: &Tx,
    actor: Actor,
    client: &str,
    documents: Vec<(String, String)>,
) -> ApiResult<Registered> {
    let registered_by = match actor {
        Actor::Account(id) => Some(id),
        Actor::System | Actor::Integration(_) => None,
    };
    let now = Utc::now();
    let mut outcome = Registered::default();
    for (document_id, document) in documents {
        let id = Uuid::new_v4();
        let inserted = trusted_document::Entity::insert(trusted_document::ActiveModel {
            id: Set(id),
            client_name: Set(client.to_owned()),
            document_id: Set(document_id.clone()),
            document: Set(document),
            registered_at: Set(now),
            registered_by: Set(registered_by),
        })
        .on_conflict(
            OnConflict::columns([
                trusted_document::Column::DocumentId,
                trusted_document::Column::ClientName,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
        if inserted == 0 {
            outcome.unchanged += 1;
            continue;
        }
        outcome.added += 1;
        audit::record(
            tx,
            Entry {
                actor,
                action: AuditAction::TrustedDocumentRegistered,
                subject_kind: SubjectKind::TrustedDocument,
                subject_id: id,
                summary: json!({ "client": client, "documentId": document_id }),
            },
        )
        .await?;
    }
    Ok(outcome)
}
