//! The engine's own errors, shaped for clients: async-graphql's parse, validation and
//! coercion errors get a stable code (`BAD_USER_INPUT` naming the field, where there is one),
//! one sentence in plain words, and none of the schema's words where introspection is off; an
//! [`ApiError`] a resolver returned becomes its code and message. The transport and the schema's
//! extensions (`limits.rs`, `observe.rs`) call these; `error.rs` itself knows nothing of them.

use async_graphql::{ErrorExtensionValues, Response, ServerError, registry::Registry};

use crate::{
    error::{ApiError, INTERNAL_MESSAGE, code, code_of, set_code},
    scalar_errors::ParsedRequest,
};

/// Gives every error in a response its stable code, and masks internal ones.
///
/// Resolvers return [`ApiError`], which async-graphql keeps as the error's source; this is where
/// the source becomes `extensions.code`. An error from anywhere else that carries a source is a
/// fault of ours: it is logged and masked.
pub fn shape_response(
    mut response: Response,
    parsed: Option<(&Registry, &ParsedRequest)>,
) -> Response {
    for error in &mut response.errors {
        shape_error(error, parsed);
    }
    response
}

fn shape_error(error: &mut ServerError, parsed: Option<(&Registry, &ParsedRequest)>) {
    if has_code(error) {
        return;
    }
    if let Some(api_error) = error.source::<ApiError>() {
        match api_error {
            ApiError::Internal(cause) => {
                tracing::error!(error = %cause, path = ?error.path, "internal error in resolver");
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause, path = ?error.path, "the database is out of reach");
            }
            _ => {}
        }
        let (message, extensions) = api_error.client_view();
        error.message = message;
        error.extensions = Some(extensions);
        return;
    }
    let missing_variable = error
        .message
        .strip_prefix("Variable ")
        .and_then(|rest| rest.strip_suffix(" is not defined."))
        .map(str::to_owned);
    let code = if let Some(scalar) = failed_scalar(error) {
        // The engine's own input coercion of a scalar (a malformed Date, DateTime…), reported
        // on the root field: name the value that failed, and keep the engine's words as reason.
        let field = error
            .locations
            .first()
            .zip(parsed)
            .and_then(|(pos, (registry, parsed))| parsed.failing_value(registry, *pos, &scalar));
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        extensions.set("reason", error.message.as_str());
        if let Some(field) = field {
            extensions.set("field", field.as_str());
        }
        error.message = crate::scalar_errors::message_for(&scalar);
        code::BAD_USER_INPUT
    } else if let Some(variable) = wrong_kind_variable(error, parsed) {
        // A variable whose JSON is of another kind than its place takes (a string for an input
        // object, a number for a date): the engine finds it only while executing.
        let reason = std::mem::replace(
            &mut error.message,
            format!("The variable {variable} is not of the kind its place in the query takes."),
        );
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        extensions.set("reason", reason);
        extensions.set("field", variable.as_str());
        code::BAD_USER_INPUT
    } else if error.source.is_none() && is_coercion_error(&error.message) {
        // Any other input coercion by the engine.
        let reason = std::mem::replace(&mut error.message, "This value is not valid.".to_owned());
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("reason", reason);
        code::BAD_USER_INPUT
    } else if let Some(name) = missing_variable.filter(|_| error.source.is_none()) {
        // A required variable the request did not send.
        error.message = format!("A value for the variable {name} is required.");
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("field", name.as_str());
        code::BAD_USER_INPUT
    } else if error.source.is_none() && is_request_error(&error.message) {
        // The request names no operation among several, one the document does not hold, or a
        // subscription sent over HTTP: the client's request is wrong, not the server.
        if error.message == SUBSCRIPTION_OVER_HTTP {
            error.message = "subscriptions run over WebSocket at /graphql/ws".to_owned();
        }
        code::GRAPHQL_VALIDATION_FAILED
    } else {
        tracing::error!(error = %error.message, path = ?error.path, "unexpected error");
        error.message = INTERNAL_MESSAGE.to_owned();
        code::INTERNAL_SERVER_ERROR
    };
    set_code(error, code);
}

/// Gives a validation error its code: a value of the wrong kind for an argument (most often a
/// variable the client filled in), or an input field left out, is `BAD_USER_INPUT` naming the
/// field (`input.idempotencyKey`, `input.changes[0].text`), with the engine's words as `reason`;
/// anything else is `GRAPHQL_VALIDATION_FAILED`.
pub fn classify_validation_error(error: &mut ServerError) {
    let Some((path, rest)) = error
        .message
        .strip_prefix("Invalid value for argument \"")
        .and_then(|rest| rest.split_once('"'))
    else {
        set_code(error, code::GRAPHQL_VALIDATION_FAILED);
        return;
    };
    // The engine writes list positions as path segments of their own: `changes.0.text`.
    let mut field = String::new();
    for segment in path.split('.') {
        if segment.chars().all(|c| c.is_ascii_digit()) && !field.is_empty() {
            field.push_str(&format!("[{segment}]"));
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(segment);
        }
    }
    let missing = rest
        .strip_prefix(", field \"")
        .and_then(|rest| rest.split_once('"'))
        .filter(|(_, tail)| tail.ends_with("is required but not provided"))
        .map(|(name, _)| name.to_owned());
    let message = match missing {
        Some(name) => {
            field = format!("{field}.{name}");
            format!(
                "{} is required.",
                sentence_start(&crate::input::label(&field))
            )
        }
        None => format!(
            "The value given for {} is not of the expected kind.",
            crate::input::label(&field)
        ),
    };
    let reason = std::mem::replace(&mut error.message, message);
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("reason", reason);
    extensions.set("field", field.as_str());
    set_code(error, code::BAD_USER_INPUT);
}

/// The variable (`$o`) behind an engine's input coercion error at execution: `Expected input
/// type "X", found …`, `Failed to parse "X": …`, or either raised inside a list or an input
/// object (`… (occurred while parsing "Y")`), pointing at an argument given a variable.
fn wrong_kind_variable(
    error: &ServerError,
    parsed: Option<(&Registry, &ParsedRequest)>,
) -> Option<String> {
    if error.source.is_some() || !is_coercion_error(&error.message) {
        return None;
    }
    let (_, parsed) = parsed?;
    let pos = error.locations.first()?;
    parsed.variable_at(*pos).map(|name| format!("${name}"))
}

/// Whether the engine's message is about coercing an input value.
fn is_coercion_error(message: &str) -> bool {
    message.starts_with("Expected input type ")
        || message.starts_with("Failed to parse")
        || message.contains("(occurred while parsing ")
}

/// What a validation error says in production instead of the engine's words.
pub const VALIDATION_FAILED_MESSAGE: &str =
    "The query does not fit the schema: check its fields, arguments and selections.";

/// Keeps the schema's words out of a validation error, in production (or wherever
/// introspection is off): the engine names types and fields (`Field "auditEvents" of type
/// "AuditEventConnection" must have a selection`) that introspection hides. The code, the
/// location and a `field` naming the input stay.
pub fn without_schema_words(error: &mut ServerError) {
    without_engine_reason(error);
    if code_of(error) == code::GRAPHQL_VALIDATION_FAILED {
        error.message = VALIDATION_FAILED_MESSAGE.to_owned();
    }
}

/// Drops the engine's words, kept as `extensions.reason` of an input or validation error (they
/// name the schema's types), from the error. Other codes' reasons are ours (`NOT_FOUND`'s).
pub fn without_engine_reason(error: &mut ServerError) {
    if !matches!(
        code_of(error),
        code::BAD_USER_INPUT | code::GRAPHQL_VALIDATION_FAILED
    ) {
        return;
    }
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.unset("reason");
    }
}

/// A document that does not parse, told in one sentence with its line and column (also in
/// `locations`), instead of the parser's multi-line picture of the text.
pub fn syntax_error(err: async_graphql::parser::Error) -> ServerError {
    use async_graphql::parser::Error;
    let mut error = ServerError::from(err.clone());
    let code = match &err {
        Error::RecursionLimitExceeded => code::QUERY_TOO_COMPLEX,
        Error::Syntax { message, start, .. } => {
            let expected = message
                .lines()
                .rev()
                .find_map(|line| line.trim().strip_prefix("= "))
                .map(|words| words.trim().to_owned())
                .unwrap_or_default();
            error.message = format!(
                "Syntax error at line {}, column {}: {}.",
                start.line,
                start.column,
                syntax_words(&expected)
            );
            code::GRAPHQL_PARSE_FAILED
        }
        Error::MissingOperation => {
            error.message =
                "The document holds no operation: send a query, mutation or subscription."
                    .to_owned();
            code::GRAPHQL_PARSE_FAILED
        }
        _ => {
            // The parser's own one-line sentences (an operation or fragment defined twice…).
            error.message = format!("{}.", error.message.trim_end_matches('.'));
            code::GRAPHQL_PARSE_FAILED
        }
    };
    set_code(&mut error, code);
    error
}

/// The parser's "expected selection or EOI" in words: each grammar rule it names, said as a
/// person would.
fn syntax_words(expected: &str) -> String {
    let rule = |name: &str| -> String {
        match name {
            "EOI" => "the end of the document".to_owned(),
            "executable_definition" | "operation_definition" => {
                "another operation or fragment".to_owned()
            }
            "selection" => "a field, or `}` after at least one".to_owned(),
            "selection_set" => "`{` and a selection of fields".to_owned(),
            "name" => "a name".to_owned(),
            "value" | "const_value" => "a value".to_owned(),
            "variable" => "a variable such as `$id`".to_owned(),
            "variable_definition" => "a variable definition such as `$id: ID!`".to_owned(),
            "type_" => "a type such as `ID!`".to_owned(),
            "argument" => "an argument such as `first: 10`".to_owned(),
            "object_field" | "const_object_field" => {
                "an input field such as `name: \"x\"`".to_owned()
            }
            "string_content" | "string" => "a string".to_owned(),
            other => other.replace('_', " "),
        }
    };
    let (verb, rest) = match expected.split_once(' ') {
        Some((verb @ ("expected" | "unexpected"), rest)) => (verb, rest),
        _ => return format!("the parser stopped here ({expected})"),
    };
    let mut names: Vec<String> = rest
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|name| rule(name.trim()))
        .collect();
    names.dedup();
    let list = match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    format!("{verb} {list}")
}

/// One error per mistake: the engine reports some mistakes twice.
/// - A value of the wrong kind for an argument is told as `BAD_USER_INPUT` naming the field, and
///   again as "Expected input type …": the second goes.
/// - A variable used under a name the operation does not declare, while a declared one goes
///   unused, is most often a typo: it is told once, at the use, naming the declared one.
pub fn one_error_per_mistake(errors: &mut Vec<ServerError>) {
    let told_as_input = errors
        .iter()
        .any(|error| code_of(error) == code::BAD_USER_INPUT);
    if told_as_input {
        errors.retain(|error| !error.message.starts_with("Expected input type "));
    }
    let variable = |message: &str, tail: &str| -> Option<String> {
        message
            .strip_prefix("Variable \"")
            .and_then(|rest| rest.strip_suffix(tail))
            .map(str::to_owned)
    };
    let mut unused: Vec<(usize, String)> = errors
        .iter()
        .enumerate()
        .filter_map(|(at, error)| Some((at, variable(&error.message, "\" is not used")?)))
        .collect();
    let mut dropped = Vec::new();
    for error in errors.iter_mut() {
        let Some(name) = variable(&error.message, "\" is not defined") else {
            continue;
        };
        if unused.is_empty() {
            error.message = format!("Variable \"{name}\" is not defined by the operation.");
            continue;
        }
        let (at, declared) = unused.remove(0);
        dropped.push(at);
        error.message = format!(
            "Variable \"{name}\" is not defined; did you mean \"{declared}\", which the operation declares but never uses?"
        );
    }
    let mut at = 0;
    errors.retain(|_| {
        let keep = !dropped.contains(&at);
        at += 1;
        keep
    });
}

/// "The idempotency key", from "idempotency key".
fn sentence_start(label: &str) -> String {
    format!("The {label}")
}

/// The scalar named by an engine's `Failed to parse "X": …` error.
fn failed_scalar(error: &ServerError) -> Option<String> {
    if error.source.is_some() {
        return None;
    }
    let rest = error.message.strip_prefix("Failed to parse \"")?;
    let (scalar, _) = rest.split_once('"')?;
    matches!(scalar, "Date" | "DateTime").then(|| scalar.to_owned())
}

/// What the engine says when a subscription arrives over HTTP.
const SUBSCRIPTION_OVER_HTTP: &str = "Subscriptions are not supported on this transport.";

/// The engine's errors for a request that cannot run at all: `operationName` missing while the
/// document holds several operations, naming one it does not hold, or a subscription over HTTP.
pub fn is_request_error(message: &str) -> bool {
    message == "Operation name required in request."
        || message.starts_with("Unknown operation named ")
        || message == SUBSCRIPTION_OVER_HTTP
        || message == "subscriptions run over WebSocket at /graphql/ws"
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some())
}
