//! Names the input field behind a scalar that failed to parse. The engine reports a malformed
//! `Date` or `DateTime` inside an input object as `Failed to parse "DateTime": …` on the field,
//! without saying which value it was; this finds it from the request's document and variables
//! and the schema's types, so that the client gets `BAD_USER_INPUT` with `extensions.field`.

use async_graphql::{
    Name, Pos, ScalarType, Value, Variables,
    parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet},
    registry::{MetaField, MetaType, MetaTypeName, Registry},
};

use crate::time::{Date, DateTime};

/// The request as parsed, kept to explain its errors.
pub struct ParsedRequest {
    pub document: ExecutableDocument,
    pub variables: Variables,
}

impl ParsedRequest {
    /// The path (`input.closesAt`, `input.changes[2].startsOn`) of the first value of type
    /// `scalar` given to the field at `pos` (or whose argument is at `pos`) that fails to parse;
    /// `None` when there is none to be found.
    pub fn failing_value(&self, registry: &Registry, pos: Pos, scalar: &str) -> Option<String> {
        let (field, meta) = self.document.operations.iter().find_map(|(_, operation)| {
            let root = match operation.node.ty {
                OperationType::Query => Some(registry.query_type.as_str()),
                OperationType::Mutation => registry.mutation_type.as_deref(),
                OperationType::Subscription => registry.subscription_type.as_deref(),
            }?;
            field_in(registry, &operation.node.selection_set.node, root, pos)
        })?;
        let mut arguments: Vec<_> = field.arguments.iter().collect();
        // The engine points at the argument's value when it can: look there first.
        arguments.sort_by_key(|(name, value)| name.pos != pos && value.pos != pos);
        for (name, value) in arguments {
            let Some(argument) = meta.args.get(name.node.as_str()) else {
                continue;
            };
            let value = value
                .node
                .clone()
                .into_const_with(|var: Name| {
                    Ok::<_, std::convert::Infallible>(
                        self.variables.get(&var).cloned().unwrap_or(Value::Null),
                    )
                })
                .ok()?;
            let walk = Walk { registry, scalar };
            if let Some(path) = walk.find(&value, &argument.ty, name.node.to_string()) {
                return Some(path);
            }
        }
        None
    }
}

impl ParsedRequest {
    /// The variable the request gave as the value at `pos` (an argument's value, or one inside
    /// it): what the engine points at when a variable's JSON is of the wrong kind.
    pub fn variable_at(&self, pos: Pos) -> Option<Name> {
        let operations = self
            .document
            .operations
            .iter()
            .map(|(_, operation)| &operation.node.selection_set.node);
        let fragments = self
            .document
            .fragments
            .values()
            .map(|fragment| &fragment.node.selection_set.node);
        operations
            .chain(fragments)
            .find_map(|set| variable_in(set, pos))
    }
}

/// The first variable in the argument value at `pos` among the fields of `set`.
fn variable_in(set: &SelectionSet, pos: Pos) -> Option<Name> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => field
            .node
            .arguments
            .iter()
            .filter(|(_, value)| value.pos == pos)
            .find_map(|(_, value)| value.node.clone().into_const_with(Err::<Value, Name>).err())
            .or_else(|| variable_in(&field.node.selection_set.node, pos)),
        Selection::InlineFragment(fragment) => variable_in(&fragment.node.selection_set.node, pos),
        Selection::FragmentSpread(_) => None,
    })
}

/// The field at `pos` (or with an argument at `pos`) among `set`, a selection on the type
/// `type_name`, with its schema definition.
fn field_in<'a>(
    registry: &'a Registry,
    set: &'a SelectionSet,
    type_name: &str,
    pos: Pos,
) -> Option<(&'a async_graphql::parser::types::Field, &'a MetaField)> {
    let owner = registry.types.get(type_name)?;
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            let meta = owner.field_by_name(field.node.name.node.as_str())?;
            let here = field.pos == pos
                || field
                    .node
                    .arguments
                    .iter()
                    .any(|(name, value)| name.pos == pos || value.pos == pos);
            if here {
                return Some((&field.node, meta));
            }
            let inner = MetaTypeName::concrete_typename(&meta.ty);
            field_in(registry, &field.node.selection_set.node, inner, pos)
        }
        Selection::InlineFragment(fragment) => {
            let inner = fragment
                .node
                .type_condition
                .as_ref()
                .map_or(type_name, |condition| condition.node.on.node.as_str());
            field_in(registry, &fragment.node.selection_set.node, inner, pos)
        }
        Selection::FragmentSpread(_) => None,
    })
}

struct Walk<'a> {
    registry: &'a Registry,
    scalar: &'a str,
}

impl Walk<'_> {
    /// The path of the first value in `value`, of the schema type `ty`, where the scalar
    /// `self.scalar` is expected and refuses what was sent.
    fn find(&self, value: &Value, ty: &str, path: String) -> Option<String> {
        let ty = ty.strip_suffix('!').unwrap_or(ty);
        if let Some(item) = ty.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            return match value {
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, inner)| self.find(inner, item, format!("{path}[{i}]"))),
                single => self.find(single, item, path),
            };
        }
        if ty == self.scalar {
            return (!matches!(value, Value::Null) && refuses(ty, value)).then_some(path);
        }
        let (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) =
            (self.registry.types.get(ty), value)
        else {
            return None;
        };
        input_fields.values().find_map(|field| {
            let inner = fields.get(field.name.as_str())?;
            self.find(inner, &field.ty, format!("{path}.{}", field.name))
        })
    }
}

fn refuses(scalar: &str, value: &Value) -> bool {
    match scalar {
        "DateTime" => <DateTime as ScalarType>::parse(value.clone()).is_err(),
        "Date" => <Date as ScalarType>::parse(value.clone()).is_err(),
        _ => false,
    }
}

/// What a person is told about a scalar they wrote wrong.
pub fn message_for(scalar: &str) -> String {
    match scalar {
        "DateTime" => {
            "This is not a valid date and time; write it in RFC 3339, such as 2026-11-25T18:00:00Z."
                .to_owned()
        }
        "Date" => {
            "This is not a valid date; write it as YYYY-MM-DD, such as 2026-11-25.".to_owned()
        }
        other => format!("This is not a valid {}.", crate::input::words(other)),
    }
}
