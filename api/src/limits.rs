//! Query limits and error codes for the stages before execution: parsing and validation.
//!
//! Depth and complexity come from async-graphql's validation, which computes them for every
//! document; aliases and directives are counted here. Each refusal carries `QUERY_TOO_COMPLEX`,
//! and every other parse or validation failure `GRAPHQL_VALIDATION_FAILED`.

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet},
};

use crate::{
    config::QueryLimits,
    error::{code, set_code},
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
                set_code(err, code::GRAPHQL_VALIDATION_FAILED);
            }
            errors
        })?;
        if result.depth > self.0.max_depth {
            return Err(vec![too_complex(format!(
                "The query is nested {} levels deep; at most {} are allowed.",
                result.depth, self.0.max_depth
            ))]);
        }
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
