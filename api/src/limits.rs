//! Query limits and error codes for the stages before execution: parsing and validation.
//!
//! Complexity comes from async-graphql's validation, which computes it for every document;
//! depth, aliases and directives are counted here. Each refusal carries `QUERY_TOO_COMPLEX`, and
//! a document that does not parse `GRAPHQL_PARSE_FAILED`, every other validation failure
//! `GRAPHQL_VALIDATION_FAILED`.
//!
//! Introspection (`__schema` and `__type`) is left out of the depth limit: the standard
//! introspection query that GraphiQL, codegen and Postman send nests `ofType` to 15 levels,
//! and its cost is bounded by the schema, not by the data. What makes introspection expensive
//! is nesting the lists of types (`fields { type { fields … } }`), so those are limited the way
//! graphql-js's `MaxIntrospectionDepthRule` limits them.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::{
    Name, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Field, OperationType, Selection, SelectionSet},
};

use crate::{
    config::QueryLimits,
    engine_errors::{
        classify_validation_error, one_error_per_mistake, syntax_error, without_schema_words,
    },
    error::{code, set_code},
};

/// Marks a request that may only subscribe, put in its data by the transport that carries it:
/// the WebSocket, whose viewer was read once at `connection_init`, so that queries and mutations
/// go to `POST /graphql`, where every request is authenticated afresh.
#[derive(Clone, Copy, Debug)]
pub struct SubscriptionsOnly;

/// At most this many validation outcomes are kept per measured document.
const MAX_VALIDATIONS: usize = 256;

/// A document parsed and measured once, ahead of the requests that run it (a trusted document),
/// with the outcome of validating it for each operation and set of variables it ran with
/// (complexity depends on the variables), so that it is neither measured nor validated again.
pub struct Measured {
    /// What the limits measure in it, or the fragment that spreads itself.
    pub measure: Result<Measure, String>,
    validated: Mutex<HashMap<String, ValidationResult>>,
}

impl Measured {
    /// Measures `document`.
    pub fn of(document: &ExecutableDocument) -> Self {
        Self {
            measure: Measure::of(document),
            validated: Mutex::new(HashMap::new()),
        }
    }

    /// The outcome of validating it with `key` (the operation and the variables), if known.
    fn validated(&self, key: &str) -> Option<ValidationResult> {
        self.validated
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .copied()
    }

    /// Keeps a successful validation's outcome for `key`.
    fn keep_validation(&self, key: String, result: ValidationResult) {
        let mut validated = self
            .validated
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if validated.len() >= MAX_VALIDATIONS {
            validated.clear();
        }
        validated.insert(key, result);
    }
}

/// Marks a request as running a [`Measured`] document, put in its data by the transport, which
/// also hands the engine the document's parse (`Request::set_parsed_query`).
#[derive(Clone)]
pub struct Premeasured {
    /// The document's measure and validations.
    pub measured: Arc<Measured>,
    /// The operation name and the variables, which validation depends on.
    pub key: String,
}

/// The schema extension enforcing [`QueryLimits`]. With `schema_in_errors` off (in production,
/// or wherever introspection is off), a validation error does not repeat the schema's words.
pub struct Limits {
    pub limits: QueryLimits,
    pub schema_in_errors: bool,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension(self.limits.clone(), self.schema_in_errors))
    }
}

struct LimitsExtension(QueryLimits, bool);

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // A trusted document comes parsed and measured: `next` hands over its parse.
        if let Some(premeasured) = ctx.data_opt::<Premeasured>() {
            self.check(premeasured.measured.measure.clone())?;
            return next.run(ctx, query, variables).await;
        }
        // The document is parsed and measured here, instead of by the engine's own parse step
        // (`next`), which follows every fragment spread without remembering what it measured:
        // a kilobyte of fragments that spread each other twice would keep it busy for minutes.
        // `next` is not called: the measure below covers its recursion check.
        let document = async_graphql::parser::parse_query(query).map_err(syntax_error)?;
        if ctx.data_opt::<SubscriptionsOnly>().is_some()
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
        self.check(Measure::of(&document))?;
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let premeasured = ctx.data_opt::<Premeasured>();
        let cached = premeasured.and_then(|p| p.measured.validated(&p.key));
        let result = match cached {
            Some(result) => result,
            None => {
                let result = self.validate(ctx, next).await?;
                if let Some(p) = premeasured {
                    p.measured.keep_validation(p.key.clone(), result);
                }
                result
            }
        };
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

impl LimitsExtension {
    /// The engine's validation, its errors classified.
    async fn validate(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let schema_in_errors = self.1;
        next.run(ctx).await.map_err(|mut errors| {
            for err in &mut errors {
                classify_validation_error(err);
                if !schema_in_errors {
                    without_schema_words(err);
                }
            }
            one_error_per_mistake(&mut errors);
            errors
        })
    }

    /// Refuses a document whose measure passes a limit.
    fn check(&self, measure: Result<Measure, String>) -> ServerResult<()> {
        let measure = measure.map_err(|cycle| {
            let mut err = ServerError::new(
                format!(
                    "The fragment \"{cycle}\" spreads itself; a fragment may not include itself."
                ),
                None,
            );
            set_code(&mut err, code::GRAPHQL_VALIDATION_FAILED);
            err
        })?;
        let limits = &self.0;
        if measure.selections > limits.max_selections {
            return Err(too_complex(format!(
                "The query makes {} selections once its fragments are expanded; at most {} are \
                 allowed.",
                Shown(measure.selections),
                limits.max_selections
            )));
        }
        if measure.nesting > limits.max_recursion {
            return Err(too_complex(format!(
                "The query nests its selections {} deep, fragments included; at most {} are \
                 allowed.",
                measure.nesting, limits.max_recursion
            )));
        }
        if measure.depth > limits.max_depth {
            return Err(too_complex(format!(
                "The query is nested {} levels deep; at most {} are allowed.",
                measure.depth, limits.max_depth
            )));
        }
        if measure.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Err(too_complex(format!(
                "The introspection query nests {} lists of fields or types; at most \
                 {MAX_INTROSPECTION_LISTS} are allowed.",
                measure.introspection_lists
            )));
        }
        if measure.aliases > limits.max_aliases {
            return Err(too_complex(format!(
                "The query uses {} aliases once its fragments are expanded; at most {} are allowed.",
                Shown(measure.aliases),
                limits.max_aliases
            )));
        }
        if measure.directives > limits.max_directives {
            return Err(too_complex(format!(
                "The query uses {} directives once its fragments are expanded; at most {} are allowed.",
                Shown(measure.directives),
                limits.max_directives
            )));
        }
        Ok(())
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

/// A count for a message: a count that saturated is shown as what it is, astronomically large.
struct Shown(usize);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 == usize::MAX {
            f.write_str("more than 18 quintillion")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A document measured as it would execute: every fragment spread replaced by the fragment's
/// selections, in every operation of the document (validation visits them all).
///
/// Each fragment is measured once and its measure reused at every spread, so measuring costs
/// time in proportion to the document's text, however far its fragments expand: a 1 KB
/// document of 26 fragments each spreading the next twice expands to 2^25 fields, and that is
/// found without walking them. Counts saturate instead of overflowing.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Measure {
    /// Selections: fields (`__typename` included), fragment spreads and inline fragments,
    /// each as often as it would be visited.
    selections: usize,
    aliases: usize,
    directives: usize,
    /// The nesting of fields, introspection left out.
    depth: usize,
    /// Inside introspection, the nesting of the lists that multiply a response.
    introspection_lists: usize,
    /// The nesting of selection sets: fields' sets, fragments and inline fragments alike, as
    /// the parser's recursion limit counts it.
    nesting: usize,
}

impl Measure {
    /// The measure of every operation in `document`; `Err` names a fragment that spreads
    /// itself, directly or through others (validation would refuse it too, but its inlining
    /// visitors would follow the cycle first).
    pub fn of(document: &ExecutableDocument) -> Result<Self, String> {
        let mut walk = Walk {
            document,
            fragments: HashMap::new(),
        };
        let mut total = Self::default();
        for (_, operation) in document.operations.iter() {
            let set = walk.set(&operation.node.selection_set.node, false)?;
            let own = Self {
                directives: operation.node.directives.len(),
                ..Self::default()
            };
            total = total.beside(own.beside(set));
        }
        Ok(total)
    }

    /// Two selections side by side: counts add, depths take the deeper.
    fn beside(self, other: Self) -> Self {
        Self {
            selections: self.selections.saturating_add(other.selections),
            aliases: self.aliases.saturating_add(other.aliases),
            directives: self.directives.saturating_add(other.directives),
            depth: self.depth.max(other.depth),
            introspection_lists: self.introspection_lists.max(other.introspection_lists),
            nesting: self.nesting.max(other.nesting),
        }
    }

    /// This measure one level of selection sets further down.
    fn nested(self) -> Self {
        Self {
            nesting: self.nesting + 1,
            ..self
        }
    }
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    /// Each fragment's measure, by whether it is spread inside introspection. `None` while it
    /// is being walked, so that reaching it again is a cycle.
    fragments: HashMap<(&'a Name, bool), Option<Measure>>,
}

impl<'a> Walk<'a> {
    /// The measure of `set`; `introspection` when the field holding it is inside `__schema`
    /// or `__type`.
    fn set(&mut self, set: &'a SelectionSet, introspection: bool) -> Result<Measure, String> {
        let mut measure = Measure::default();
        for item in &set.items {
            let item = match &item.node {
                Selection::Field(field) => self.field(&field.node, introspection)?,
                Selection::FragmentSpread(spread) => Measure {
                    selections: 1,
                    directives: spread.node.directives.len(),
                    ..Measure::default()
                }
                .beside(
                    self.fragment(&spread.node.fragment_name.node, introspection)?
                        .nested(),
                ),
                Selection::InlineFragment(fragment) => Measure {
                    selections: 1,
                    directives: fragment.node.directives.len(),
                    ..Measure::default()
                }
                .beside(
                    self.set(&fragment.node.selection_set.node, introspection)?
                        .nested(),
                ),
            };
            measure = measure.beside(item);
        }
        Ok(measure)
    }

    fn field(&mut self, field: &'a Field, introspection: bool) -> Result<Measure, String> {
        let name = field.name.node.as_str();
        let set = &field.selection_set.node;
        let own = Measure {
            selections: 1,
            aliases: usize::from(field.alias.is_some()),
            directives: field.directives.len(),
            ..Measure::default()
        };
        let below = if introspection {
            let below = self.set(set, true)?;
            let list = matches!(
                name,
                "fields" | "inputFields" | "interfaces" | "possibleTypes"
            );
            Measure {
                depth: 0,
                introspection_lists: below.introspection_lists + usize::from(list),
                ..below
            }
        } else if matches!(name, "__schema" | "__type") {
            self.set(set, true)?
        } else {
            let below = self.set(set, false)?;
            Measure {
                depth: below.depth + 1,
                ..below
            }
        };
        let below = if set.items.is_empty() {
            below
        } else {
            below.nested()
        };
        Ok(own.beside(below))
    }

    fn fragment(&mut self, name: &'a Name, introspection: bool) -> Result<Measure, String> {
        match self.fragments.get(&(name, introspection)) {
            Some(Some(measure)) => return Ok(*measure),
            Some(None) => return Err(name.to_string()),
            None => {}
        }
        // An unknown fragment is validation's to report; it selects nothing.
        let Some(fragment) = self.document.fragments.get(name) else {
            return Ok(Measure::default());
        };
        self.fragments.insert((name, introspection), None);
        let measure = Measure {
            directives: fragment.node.directives.len(),
            ..Measure::default()
        }
        .beside(self.set(&fragment.node.selection_set.node, introspection)?);
        self.fragments.insert((name, introspection), Some(measure));
        Ok(measure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn measure(query: &str) -> Result<Measure, String> {
        Measure::of(&parse_query(query).expect("a document"))
    }

    /// `{ ...F0 }` with `F<i>` spreading `F<i+1>` twice, down to `F<levels-1> { __typename }`.
    fn doubling(levels: usize) -> String {
        let mut query = "{ ...F0 }".to_owned();
        for i in 0..levels - 1 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        query.push_str(&format!(
            " fragment F{} on Query {{ __typename }}",
            levels - 1
        ));
        query
    }

    #[test]
    fn fragments_count_as_often_as_they_are_spread() {
        // 2^25 fields, and 2^26 - 1 spreads followed to reach them.
        assert_eq!(
            measure(&doubling(26)).map(|m| m.selections),
            Ok((1 << 25) + (1 << 26) - 1)
        );
        let deep =
            measure("{ a: viewer { ...F ...F } } fragment F on Account { b: id @skip(if: false) }")
                .expect("no cycle");
        assert_eq!(
            deep,
            Measure {
                selections: 5,
                aliases: 3,
                directives: 2,
                depth: 2,
                introspection_lists: 0,
                nesting: 2,
            }
        );
    }

    #[test]
    fn counts_saturate() {
        let selections = measure(&doubling(200)).map(|m| m.selections);
        assert_eq!(selections, Ok(usize::MAX));
    }

    #[test]
    fn a_fragment_that_spreads_itself_is_found() {
        assert_eq!(
            measure("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err("A".to_owned())
        );
        // A fragment spread twice side by side is not a cycle.
        assert!(measure("{ ...A ...A } fragment A on Query { __typename }").is_ok());
    }
}
