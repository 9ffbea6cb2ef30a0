//! Field errors and non-null types, as the GraphQL spec says: a field that fails is null, and a
//! null in a non-null position makes its parent null, up to the nearest nullable one (or
//! `data` itself).
//!
//! async-graphql leaves a failed field out of its parent object instead, so that a client's
//! generated types promise a key that is not there. This pass puts the spec's nulls back after
//! execution, from the schema's types and the document's selections.

use std::collections::HashMap;

use async_graphql::{
    Name, PathSegment, ServerError, Value,
    parser::types::{
        BaseType, ExecutableDocument, Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition,
    },
};

/// The output types of a schema: for each object or interface, its fields' types.
#[derive(Debug, Default)]
pub struct Shapes {
    fields: HashMap<String, HashMap<String, Type>>,
    query: String,
    mutation: String,
    subscription: String,
}

impl Shapes {
    /// Reads the types from the schema's SDL. A schema that does not parse gives no shapes,
    /// and then nothing is changed.
    pub fn of_sdl(sdl: &str) -> Self {
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!(
                "the served schema's SDL does not parse; field errors stay as they are"
            );
            return Self::default();
        };
        let mut shapes = Self {
            query: "Query".to_owned(),
            mutation: "Mutation".to_owned(),
            subscription: "Subscription".to_owned(),
            ..Self::default()
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Type(ty) => {
                    let ty = ty.node;
                    let fields = match ty.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        _ => continue,
                    };
                    shapes.fields.insert(
                        ty.name.node.to_string(),
                        fields
                            .into_iter()
                            .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                            .collect(),
                    );
                }
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(query) = schema.query {
                        shapes.query = query.node.to_string();
                    }
                    if let Some(mutation) = schema.mutation {
                        shapes.mutation = mutation.node.to_string();
                    }
                    if let Some(subscription) = schema.subscription {
                        shapes.subscription = subscription.node.to_string();
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        shapes
    }

    /// Applies the spec's nulls to `data` for each of `errors` that names a field, in the
    /// operation `operation_name` of `document`.
    pub fn bubble(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        data: &mut Value,
        errors: &[ServerError],
    ) {
        let Some(operation) = crate::public_cache::chosen_operation(document, operation_name)
        else {
            return;
        };
        let root = match operation.node.ty {
            async_graphql::parser::types::OperationType::Query => &self.query,
            async_graphql::parser::types::OperationType::Mutation => &self.mutation,
            async_graphql::parser::types::OperationType::Subscription => &self.subscription,
        };
        for error in errors.iter().filter(|e| !e.path.is_empty()) {
            let Some(positions) = self.positions(
                document,
                &operation.node.selection_set.node,
                root,
                &error.path,
            ) else {
                continue;
            };
            // The failed field is null; each non-null position passes the null to its parent.
            let mut depth = positions.len();
            set_null(data, &error.path[..depth]);
            while depth > 0 && !positions[depth - 1] {
                depth -= 1;
                if depth == 0 {
                    *data = Value::Null;
                    break;
                }
                let parent = &error.path[..depth];
                // An index stands for a list item; its position is that of the segment.
                set_null(data, parent);
            }
            if data == &Value::Null {
                return;
            }
        }
    }

    /// For each segment of `path`, whether a null may stand there (the field's or the list
    /// item's type is nullable). `None` when the path does not follow the document.
    fn positions(
        &self,
        document: &ExecutableDocument,
        root: &SelectionSet,
        root_type: &str,
        path: &[PathSegment],
    ) -> Option<Vec<bool>> {
        let mut nullable = Vec::with_capacity(path.len());
        let mut sets: Vec<&SelectionSet> = vec![root];
        let mut parent_type = root_type.to_owned();
        // The type of the value at the current position, while walking into list items.
        let mut current: Option<Type> = None;
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let found = find_field(document, &sets, key, &parent_type)?;
                    let ty = self.fields.get(&found.on_type)?.get(&found.name)?.clone();
                    nullable.push(ty.nullable);
                    sets = found.sets;
                    current = Some(ty);
                }
                PathSegment::Index(_) => {
                    let BaseType::List(item) = current.as_ref()?.base.clone() else {
                        return None;
                    };
                    nullable.push(item.nullable);
                    current = Some(*item);
                }
            }
            if let Some(BaseType::Named(name)) = current.as_ref().map(|t| &t.base) {
                parent_type = name.to_string();
            }
        }
        Some(nullable)
    }
}

/// A field found by its response key in some selection sets.
struct Found<'a> {
    name: String,
    /// The type it was selected on: the enclosing type, or a fragment's type condition.
    on_type: String,
    /// Its own selection sets, merged.
    sets: Vec<&'a SelectionSet>,
}

fn find_field<'a>(
    document: &'a ExecutableDocument,
    sets: &[&'a SelectionSet],
    key: &str,
    parent_type: &str,
) -> Option<Found<'a>> {
    let mut found: Option<Found<'a>> = None;
    let mut pending: Vec<(&'a SelectionSet, String)> = sets
        .iter()
        .map(|set| (*set, parent_type.to_owned()))
        .collect();
    // Fragments are followed once each (validation refused cycles before execution).
    let mut seen: Vec<&Name> = Vec::new();
    while let Some((set, on_type)) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.response_key().node.as_str() != key {
                        continue;
                    }
                    let entry = found.get_or_insert_with(|| Found {
                        name: field.name.node.to_string(),
                        on_type: on_type.clone(),
                        sets: Vec::new(),
                    });
                    entry.sets.push(&field.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name);
                    if let Some(fragment) = document.fragments.get(name) {
                        pending.push((
                            &fragment.node.selection_set.node,
                            fragment.node.type_condition.node.on.node.to_string(),
                        ));
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| on_type.clone(), |c| c.node.on.node.to_string());
                    pending.push((&inline.node.selection_set.node, on));
                }
            }
        }
    }
    found
}

/// Sets the value at `path` to null, inserting the key when the field was left out. A path
/// through a value that is already null (or absent) changes nothing.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut value = data;
    for segment in parents {
        value = match (segment, value) {
            (PathSegment::Field(key), Value::Object(object)) => {
                match object.get_mut(key.as_str()) {
                    Some(inner) => inner,
                    None => return,
                }
            }
            (PathSegment::Index(index), Value::List(items)) => match items.get_mut(*index) {
                Some(inner) => inner,
                None => return,
            },
            _ => return,
        };
    }
    match (last, value) {
        (PathSegment::Field(key), Value::Object(object)) => {
            object.insert(Name::new(key), Value::Null);
        }
        (PathSegment::Index(index), Value::List(items)) => {
            if let Some(item) = items.get_mut(*index) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    const SDL: &str = "
        type Query { a: A! b: B c: [C!] node: Node }
        type A { x: Int! y: Int }
        type B { z: Int! }
        type C { w: Int! }
        interface Node { id: ID! }
        type N implements Node { id: ID! v: Int! }
    ";

    fn run(query: &str, data: serde_json::Value, paths: &[&[PathSegment]]) -> serde_json::Value {
        let shapes = Shapes::of_sdl(SDL);
        let document = parse_query(query).expect("a document");
        let mut data = Value::from_json(data).expect("json");
        let errors: Vec<ServerError> = paths
            .iter()
            .map(|path| {
                let mut error = ServerError::new("failed", None);
                error.path = path.to_vec();
                error
            })
            .collect();
        shapes.bubble(&document, None, &mut data, &errors);
        data.into_json().expect("json")
    }

    fn field(name: &str) -> PathSegment {
        PathSegment::Field(name.to_owned())
    }

    #[test]
    fn a_failed_non_null_root_field_nulls_data() {
        let data = run(
            "{ a { x } b { z } }",
            serde_json::json!({ "b": { "z": 1 } }),
            &[&[field("a")]],
        );
        assert_eq!(data, serde_json::Value::Null);
    }

    #[test]
    fn a_failed_nullable_field_is_null_and_its_siblings_stay() {
        let data = run(
            "{ a { x y } b { z } }",
            serde_json::json!({ "a": { "x": 1 }, "b": { "z": 1 } }),
            &[&[field("a"), field("y")]],
        );
        assert_eq!(
            data,
            serde_json::json!({ "a": { "x": 1, "y": null }, "b": { "z": 1 } })
        );
    }

    #[test]
    fn a_null_climbs_to_the_nearest_nullable_parent_through_lists_and_aliases() {
        // b.z fails: B is nullable, so b is null.
        let data = run(
            "{ mine: b { z } a { x } }",
            serde_json::json!({ "mine": {}, "a": { "x": 1 } }),
            &[&[field("mine"), field("z")]],
        );
        assert_eq!(data, serde_json::json!({ "mine": null, "a": { "x": 1 } }));
        // c[1].w fails: items are non-null, the list is nullable, so c is null.
        let data = run(
            "{ c { w } }",
            serde_json::json!({ "c": [{ "w": 1 }, {}] }),
            &[&[field("c"), PathSegment::Index(1), field("w")]],
        );
        assert_eq!(data, serde_json::json!({ "c": null }));
    }

    #[test]
    fn fields_in_fragments_on_interfaces_are_found() {
        let data = run(
            "{ node { ...F } } fragment F on N { id v }",
            serde_json::json!({ "node": { "id": "1" } }),
            &[&[field("node"), field("v")]],
        );
        assert_eq!(data, serde_json::json!({ "node": null }));
    }
}
