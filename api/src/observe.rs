//! The schema extension around every operation: it gives errors their codes and counts the
//! operation in the metrics, by the name of the operation that actually ran.

use std::sync::{Arc, Mutex};

use async_graphql::{
    Response, ServerResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
        NextSubscribe,
    },
    futures_util::stream::{BoxStream, StreamExt},
    parser::types::ExecutableDocument,
};

use crate::{
    engine_errors::{shape_response, without_engine_reason},
    error::code_of,
    metrics::Metrics,
    scalar_errors::ParsedRequest,
};

/// Registers [`ObserveExtension`] on the schema. With `schema_in_errors` off (in production, or
/// wherever introspection is off), errors keep the engine's words, which name the schema's
/// types, out of their `reason`.
pub struct Observe {
    pub metrics: Arc<Metrics>,
    pub schema_in_errors: bool,
}

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObserveExtension {
            metrics: self.metrics.clone(),
            schema_in_errors: self.schema_in_errors,
            operation: Mutex::new(None),
            parsed: Mutex::new(None),
        })
    }
}

/// One per request: remembers the operation chosen for execution, and the parsed request to
/// explain errors with.
struct ObserveExtension {
    metrics: Arc<Metrics>,
    schema_in_errors: bool,
    operation: Mutex<Option<String>>,
    parsed: Mutex<Option<Arc<ParsedRequest>>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for ObserveExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let response = next.run(ctx).await;
        let parsed = self.parsed.lock().ok().and_then(|parsed| parsed.clone());
        let registry = &ctx.schema_env.registry;
        let mut response = shape_response(response, parsed.as_deref().map(|p| (registry, p)));
        if !self.schema_in_errors {
            response.errors.iter_mut().for_each(without_engine_reason);
        }
        let outcome = response.errors.first().map(code_of).unwrap_or("ok");
        let operation = self.operation.lock().ok().and_then(|name| name.clone());
        self.metrics.record_operation(operation.as_deref(), outcome);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let schema_in_errors = self.schema_in_errors;
        next.run(ctx, stream)
            .map(move |response| {
                let mut response = shape_response(response, None);
                if !schema_in_errors {
                    response.errors.iter_mut().for_each(without_engine_reason);
                }
                response
            })
            .boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Ok(mut parsed) = self.parsed.lock() {
            *parsed = Some(Arc::new(ParsedRequest {
                document: document.clone(),
                variables: variables.clone(),
            }));
        }
        // Until execution picks the operation, a document's only operation names the request,
        // so that one refused by validation is still counted under its name.
        let mut operations = document.operations.iter();
        if let (Some((Some(name), _)), None) = (operations.next(), operations.next()) {
            self.remember(Some(name.as_str()));
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.remember(operation_name);
        next.run(ctx, operation_name).await
    }
}

impl ObserveExtension {
    fn remember(&self, operation_name: Option<&str>) {
        if let Ok(mut name) = self.operation.lock() {
            *name = operation_name.map(str::to_owned);
        }
    }
}
