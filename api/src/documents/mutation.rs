//! Registering trusted documents over GraphQL.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use crate::{
    audit::Actor,
    auth::{Role, RoleGuard},
    documents::commands,
    error::ApiResult,
    resolve::run,
};

#[derive(Default)]
pub struct DocumentMutation;

/// One entry of a manifest: a document and the SHA-256 of its text.
#[derive(InputObject)]
pub struct TrustedDocumentInput {
    /// The lowercase hex SHA-256 of `document`, optionally prefixed `sha256:`.
    pub id: String,
    /// The GraphQL document, exactly as the client will run it.
    pub document: String,
}

/// Input of `registerTrustedDocuments`.
#[derive(InputObject)]
pub struct RegisterTrustedDocumentsInput {
    /// The client registering them, such as `public-site`, `portal` or `console`: 1 to 64
    /// lowercase letters, digits, `-`, `_` or `.`.
    pub client_name: String,
    /// The manifest's entries, as `persisted-documents.json` lists them.
    pub documents: Vec<TrustedDocumentInput>,
}

/// What `registerTrustedDocuments` did.
#[derive(SimpleObject)]
pub struct RegisterTrustedDocumentsPayload {
    /// The client the documents are registered for.
    pub client_name: String,
    /// Documents registered now.
    pub added: i32,
    /// Documents the client had registered already, left as they were.
    pub unchanged: i32,
}

/// What `pushTrustedDocuments` did.
#[derive(SimpleObject)]
pub struct PushTrustedDocumentsPayload {
    /// The client the documents are registered for.
    pub client: String,
    /// Documents registered now.
    pub added: i32,
    /// Documents the client had registered already, left as they were.
    pub unchanged: i32,
}

/// Input of `pushTrustedDocuments`.
#[derive(InputObject)]
pub struct PushTrustedDocumentsInput {
    /// The client registering them, such as `public-site`, `portal` or `console`: 1 to 64
    /// lowercase letters, digits, `-`, `_` or `.`.
    pub client: String,
    /// The manifest's entries, as `persisted-documents.json` lists them.
    pub documents: Vec<TrustedDocumentInput>,
}

/// What registering a manifest did: the client's checked name, and the counts.
struct Pushed {
    client: String,
    added: i32,
    unchanged: i32,
}

/// Checks a manifest (`client` and `documents` name the input fields in errors) and registers
/// it in one audited transaction.
async fn push(
    ctx: &Context<'_>,
    client: &str,
    client_field: &str,
    documents: Vec<TrustedDocumentInput>,
    documents_field: &str,
) -> ApiResult<Pushed> {
    let client = commands::client_name(client, client_field)?;
    let documents = commands::checked(
        documents
            .into_iter()
            .map(|entry| (entry.id, entry.document)),
        documents_field,
    )?;
    let registered = run(ctx, documents, async |tx, viewer, documents| {
        commands::register(tx, Actor::of(viewer), &client, documents).await
    })
    .await?;
    Ok(Pushed {
        client,
        added: i32::try_from(registered.added).unwrap_or(i32::MAX),
        unchanged: i32::try_from(registered.unchanged).unwrap_or(i32::MAX),
    })
}

#[Object]
impl DocumentMutation {
    /// Registers a client's manifest of trusted documents, as `quorum documents push` does:
    /// each id must be the SHA-256 of its document, and each document must parse. Requests
    /// may then name a document by `documentId: "sha256:<hex>"` (or Apollo's
    /// `extensions.persistedQuery`). Registering a document again changes nothing. `ADMIN`
    /// only; each new registration is audited.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn push_trusted_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: PushTrustedDocumentsInput,
    ) -> ApiResult<PushTrustedDocumentsPayload> {
        let pushed = push(
            ctx,
            &input.client,
            &crate::field!(input.client),
            input.documents,
            &crate::field!(input.documents),
        )
        .await?;
        Ok(PushTrustedDocumentsPayload {
            client: pushed.client,
            added: pushed.added,
            unchanged: pushed.unchanged,
        })
    }

    /// The earlier name of `pushTrustedDocuments`, with the client as `clientName`.
    #[graphql(
        guard = "RoleGuard::new(Role::Admin)",
        deprecation = "Use `pushTrustedDocuments`, the name the API contract gives it."
    )]
    async fn register_trusted_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RegisterTrustedDocumentsInput,
    ) -> ApiResult<RegisterTrustedDocumentsPayload> {
        let pushed = push(
            ctx,
            &input.client_name,
            &crate::field!(input.client_name),
            input.documents,
            &crate::field!(input.documents),
        )
        .await?;
        Ok(RegisterTrustedDocumentsPayload {
            client_name: pushed.client,
            added: pushed.added,
            unchanged: pushed.unchanged,
        })
    }
}
