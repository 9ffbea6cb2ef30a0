//! Opaque global IDs: every node's `id` encodes its type and key, so `node(id:)` can find it.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    DbBackend,
    sea_query::{Expr, SimpleExpr},
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A type whose values are nodes; `KIND` is the type's name inside its global IDs.
pub trait NodeKind {
    const KIND: &'static str;
}

/// The kinds of node that code below the GraphQL types names in the ids it writes (webhook
/// payloads, counts keyed by their subject), without depending on the types themselves. Each
/// GraphQL type of these kinds takes its `KIND` from here.
pub mod kind {
    macro_rules! kinds {
        ($($name:ident),* $(,)?) => {
            $(
                #[doc = concat!("The kind inside an `", stringify!($name), "`'s global ID.")]
                pub struct $name;

                impl super::NodeKind for $name {
                    const KIND: &'static str = stringify!($name);
                }
            )*
        };
    }

    kinds!(
        Account,
        Organization,
        Membership,
        Amendment,
        SponsorTier,
        AuditEvent
    );
}

/// Encodes a node's global ID. Clients must treat it as opaque.
pub fn encode(kind: &str, key: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// The global ID of a node of type `T`.
pub fn id_of<T: NodeKind>(key: Uuid) -> ID {
    encode(T::KIND, key)
}

/// Splits a global ID into its kind and key; `None` when it is not one of ours.
pub fn decode(id: &str) -> Option<(String, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(key).ok()?))
}

/// Reads the key of a `T` from the input field `field`, refusing IDs of other types.
pub fn key_of<T: NodeKind>(id: &ID, field: &str) -> ApiResult<Uuid> {
    match decode(id) {
        Some((kind, key)) if kind == T::KIND => Ok(key),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!(
                "This is not the ID of {}.",
                crate::input::with_article(&crate::input::words(T::KIND))
            ),
        )),
        None => Err(ApiError::bad_input(field, "This is not a valid ID.")),
    }
}

/// A fresh primary key: time-ordered (UUIDv7), so keys sort roughly by creation.
pub fn new_key() -> Uuid {
    Uuid::now_v7()
}

/// A new random (version 4) key drawn by the database, one per row, for the rows an
/// `INSERT … SELECT` copies without passing through the process. [`new_key`]'s time order is of
/// no use there: the rows of one statement share their moment.
pub fn random_key(backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust("gen_random_uuid()"),
        // SQLite stores keys as 16-byte blobs: 122 random bits around the version nibble (4)
        // and the variant bits (10). `unhex` needs SQLite 3.41; sqlx bundles 3.51.
        _ => Expr::cust(
            "unhex(substr(hex(randomblob(6)), 1, 12) || '4' || substr(hex(randomblob(2)), 2, 3) \
             || substr('89AB', 1 + (random() & 3), 1) || substr(hex(randomblob(8)), 2, 15))",
        ),
    }
}

/// SQLite SQL for the hyphenated text of the key stored (as a blob) in `column`, or NULL: what
/// PostgreSQL's `uuid` gives as text, for JSON the database builds.
pub fn sqlite_key_text(column: &str) -> String {
    let part = |from: usize, len: usize| format!("substr(hex({column}), {from}, {len})");
    format!(
        "CASE WHEN {column} IS NULL THEN NULL ELSE lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {}) END",
        part(1, 8),
        part(9, 4),
        part(13, 4),
        part(17, 4),
        part(21, 12),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Widget;
    impl NodeKind for Widget {
        const KIND: &'static str = "Widget";
    }
    struct Gadget;
    impl NodeKind for Gadget {
        const KIND: &'static str = "Gadget";
    }

    #[test]
    fn an_id_round_trips() {
        let key = new_key();
        let id = id_of::<Widget>(key);
        assert_eq!(key_of::<Widget>(&id, "id").expect("decodes"), key);
    }

    #[test]
    fn an_id_of_another_type_is_refused_naming_the_field() {
        let id = id_of::<Gadget>(new_key());
        let err = key_of::<Widget>(&id, &crate::field!(input.widget_id)).expect_err("wrong kind");
        assert!(
            matches!(err, ApiError::BadUserInput { ref field, .. } if field == &crate::field!(input.widget_id))
        );
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!(decode("not base64 at all!").is_none());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Widget:nope")).is_none());
    }
}
