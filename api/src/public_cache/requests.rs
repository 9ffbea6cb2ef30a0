//! Which requests the public cache may answer, and under what key: a query whose every root
//! field is a public read, without extensions.

use async_graphql::{
    Positioned, Request as GqlRequest,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    },
};

/// The root fields whose answer to an anonymous caller may be cached: the sponsor list, the
/// directory and the public catalogues they refer to.
const CACHEABLE_ROOTS: &[&str] = &[
    "sponsors",
    "memberships",
    "sponsorTiers",
    "membershipClasses",
    "__typename",
];

/// The operation a request runs: the document's only one (named or not), or the one it names;
/// none when it names none of several, or one the document lacks (async-graphql refuses those requests).
pub fn chosen_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        // A document of one named operation runs it when the request names none.
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The root fields whose answer is the same whoever asks, as their cache hints say
/// (`#[graphql(cache_control(max_age = …))]`): served from the cache to any credential the
/// field admits, and sent with `Cache-Control: public`. A field below them that reads the
/// viewer must be hinted `cache_control(private)`, which makes the answer personal.
const PUBLIC_ROOTS: &[&str] = &["sponsors", "membershipClasses", "__typename"];

/// A request whose answer may be cached.
pub struct Cacheable {
    /// The media type, the operation name, the document and the variables: two requests share
    /// an entry only when they are the same request.
    pub key: String,
    /// Whether every root field is one of [`PUBLIC_ROOTS`], so that the answer, when its cache
    /// hints agree, is the same for every credential.
    pub public_roots: bool,
    /// Whether it reads the sponsor list, which an API token reads only with `SPONSORS_READ`.
    pub reads_sponsors: bool,
}

/// Whether a request's answer may be cached: a query (no mutation or subscription) whose every
/// root field is a public read of [`CACHEABLE_ROOTS`], without extensions. Its document is
/// parsed once, into the request, where execution finds it.
pub fn cacheable(request: &mut GqlRequest, media: &str) -> Option<Cacheable> {
    if !request.extensions.is_empty() {
        return None;
    }
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    let operation = chosen_operation(document, operation_name.as_deref())?;
    if operation.node.ty != OperationType::Query {
        return None;
    }
    let mut public_roots = true;
    let mut reads_sponsors = false;
    for selection in &operation.node.selection_set.node.items {
        match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if !CACHEABLE_ROOTS.contains(&name) {
                    return None;
                }
                public_roots &= PUBLIC_ROOTS.contains(&name);
                reads_sponsors |= name == "sponsors";
            }
            // Spreads could name any root field; keep it simple and do not cache them.
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => return None,
        }
    }
    let variables = serde_json::to_string(&request.variables).ok()?;
    Some(Cacheable {
        key: format!(
            "{media}\u{0}{}\u{0}{}\u{0}{variables}",
            operation_name.as_deref().unwrap_or_default(),
            request.query
        ),
        public_roots,
        reads_sponsors,
    })
}
