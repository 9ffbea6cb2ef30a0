//! Query limits and error codes for the stages before execution: parsing and validation.
//!
//! Complexity comes from async-graphql's validation, which computes it for every document;
//! depth, aliases and directives are counted here. Each refusal carries `QUERY_TOO_COMPLEX`, and
//! every other parse or validation failure `GRAPHQL_VALIDATION_FAILED`.
//!
//! Introspection (`__schema` and `__type`) is left out of the depth limit: the standard
//! introspection query that GraphiQL, codegen and Postman send nests `ofType` to 15 levels,
//! and its cost is bounded by the schema, not by the data. What makes introspection expensive
//! is nesting the lists of types (`fields { type { fields … } }`), so those are limited the way
//! graphql-js's `MaxIntrospectionDepthRule` limits them.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Name, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Field, OperationType, Selection, SelectionSet},
};

use crate::{
    config::QueryLimits,
    error::{classify_validation_error, code, set_code},
    http::ws::WebSocketSession,
};

/// The schema extension enforcing [`QueryLimits`].
pub struct Limits(pub QueryLimits);

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension(self.0.clone()))
    }
}

struct LimitsExtension(QueryLimits);

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|mut err| {
            let code = if err.message.contains("recursion limit") {
                code::QUERY_TOO_COMPLEX
            } else {
                code::GRAPHQL_VALIDATION_FAILED
            };
            set_code(&mut err, code);
            err
        })?;
        if ctx.data_opt::<WebSocketSession>().is_some()
            && document
                .operations
                .iter()
                .any(|(_, operation)| operation.node.ty != OperationType::Subscription)
        {
            let mut err = ServerError::new(
                "only subscriptions are served over WebSocket; send queries and mutations to POST /graphql",
                None,
            );
            set_code(&mut err, code::BAD_USER_INPUT);
            return Err(err);
        }
        let depth = Depth::of(&document);
        if depth.depth > self.0.max_depth {
            return Err(too_complex(format!(
                "The query is nested {} levels deep; at most {} are allowed.",
                depth.depth, self.0.max_depth
            )));
        }
        if depth.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Err(too_complex(format!(
                "The introspection query nests {} lists of fields or types; at most \
                 {MAX_INTROSPECTION_LISTS} are allowed.",
                depth.introspection_lists
            )));
        }
        let counts = Counts::of(&document);
        if counts.aliases > self.0.max_aliases {
            return Err(too_complex(format!(
                "The query uses {} aliases; at most {} are allowed.",
                counts.aliases, self.0.max_aliases
            )));
        }
        if counts.directives > self.0.max_directives {
            return Err(too_complex(format!(
                "The query uses {} directives; at most {} are allowed.",
                counts.directives, self.0.max_directives
            )));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|mut errors| {
            for err in &mut errors {
                classify_validation_error(err);
            }
            errors
        })?;
        if result.complexity > self.0.max_complexity {
            return Err(vec![too_complex(format!(
                "The query's complexity is {}; at most {} is allowed. Ask for smaller pages or \
                 fewer fields.",
                result.complexity, self.0.max_complexity
            ))]);
        }
        Ok(result)
    }
}

fn too_complex(message: String) -> ServerError {
    let mut err = ServerError::new(message, None);
    set_code(&mut err, code::QUERY_TOO_COMPLEX);
    err
}

/// How deep the lists that multiply an introspection response (`fields`, `inputFields`,
/// `interfaces`, `possibleTypes`) may nest inside each other. graphql-js refuses 3; the
/// standard introspection query nests 1.
const MAX_INTROSPECTION_LISTS: usize = 2;

/// The nesting of a document with its fragments inlined, introspection left out; and, inside
/// introspection, the nesting of the lists that multiply a response.
#[derive(Clone, Copy, Default)]
struct Depth {
    depth: usize,
    introspection_lists: usize,
}

impl Depth {
    fn of(document: &ExecutableDocument) -> Self {
        let mut walk = DepthWalk {
            document,
            fragments: HashMap::new(),
        };
        document
            .operations
            .iter()
            .map(|(_, operation)| walk.set(&operation.node.selection_set.node, false))
            .fold(Self::default(), Self::max)
    }

    fn max(self, other: Self) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            introspection_lists: self.introspection_lists.max(other.introspection_lists),
        }
    }
}

struct DepthWalk<'a> {
    document: &'a ExecutableDocument,
    /// Each fragment's measure, by whether it is spread inside introspection, so that a
    /// fragment spread many times is walked once. `None` while it is being walked: a cycle
    /// (which validation refuses later) counts nothing instead of looping.
    fragments: HashMap<(&'a Name, bool), Option<Depth>>,
}

impl<'a> DepthWalk<'a> {
    /// The depth of `set` below the field that holds it; `introspection` when that field is
    /// inside `__schema` or `__type`.
    fn set(&mut self, set: &'a SelectionSet, introspection: bool) -> Depth {
        let mut depth = Depth::default();
        for item in &set.items {
            let item = match &item.node {
                Selection::Field(field) => self.field(&field.node, introspection),
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, introspection)
                }
                Selection::InlineFragment(fragment) => {
                    self.set(&fragment.node.selection_set.node, introspection)
                }
            };
            depth = depth.max(item);
        }
        depth
    }

    fn field(&mut self, field: &'a Field, introspection: bool) -> Depth {
        let name = field.name.node.as_str();
        let set = &field.selection_set.node;
        if introspection {
            let below = self.set(set, true);
            let list = matches!(
                name,
                "fields" | "inputFields" | "interfaces" | "possibleTypes"
            );
            Depth {
                depth: 0,
                introspection_lists: below.introspection_lists + usize::from(list),
            }
        } else if matches!(name, "__schema" | "__type") {
            self.set(set, true)
        } else {
            let below = self.set(set, false);
            Depth {
                depth: below.depth + 1,
                ..below
            }
        }
    }

    fn fragment(&mut self, name: &'a Name, introspection: bool) -> Depth {
        match self.fragments.get(&(name, introspection)) {
            Some(Some(depth)) => return *depth,
            Some(None) => return Depth::default(),
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return Depth::default();
        };
        self.fragments.insert((name, introspection), None);
        let depth = self.set(&fragment.node.selection_set.node, introspection);
        self.fragments.insert((name, introspection), Some(depth));
        depth
    }
}

/// Aliases and directives in a whole document, fragments included.
#[derive(Default)]
struct Counts {
    aliases: usize,
    directives: usize,
}

impl Counts {
    fn of(document: &ExecutableDocument) -> Self {
        let mut counts = Self::default();
        for (_, operation) in document.operations.iter() {
            counts.directives += operation.node.directives.len();
            counts.add(&operation.node.selection_set.node);
        }
        for fragment in document.fragments.values() {
            counts.directives += fragment.node.directives.len();
            counts.add(&fragment.node.selection_set.node);
        }
        counts
    }

    fn add(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.node.alias.is_some());
                    self.directives += field.node.directives.len();
                    self.add(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives += spread.node.directives.len();
                }
                Selection::InlineFragment(fragment) => {
                    self.directives += fragment.node.directives.len();
                    self.add(&fragment.node.selection_set.node);
                }
            }
        }
    }
}
