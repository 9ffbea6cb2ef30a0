//! Copies each API token's comma-separated scopes into `api_token_scopes`. A name no release
//! granted stops the migration, naming the token: a token's powers are exactly what was granted,
//! so an unknown one is neither dropped nor kept in silence.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Uuid},
};

use crate::{
    m20261125_000007_create_api_tokens::ApiTokens,
    m20261208_000006_create_api_token_scopes::ApiTokenScopes,
};

/// Every scope a release granted, by its stored name.
const KNOWN: [&str; 2] = ["SPONSORS_READ", "MEMBERS_READ"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let tokens = db
            .query_all(
                &Query::select()
                    .columns([ApiTokens::Id, ApiTokens::Scopes])
                    .from(ApiTokens::Table)
                    .to_owned(),
            )
            .await?;
        for token in tokens {
            let id: Uuid = token.try_get("", "id")?;
            let list: String = token.try_get("", "scopes")?;
            let scopes: BTreeSet<&str> = list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .collect();
            if let Some(unknown) = scopes.iter().find(|name| !KNOWN.contains(name)) {
                return Err(DbErr::Migration(format!(
                    "API token {id} holds the scope `{unknown}`, which no release granted; \
                     revoke or correct it, then migrate again"
                )));
            }
            if scopes.is_empty() {
                continue;
            }
            let mut insert = Query::insert()
                .into_table(ApiTokenScopes::Table)
                .columns([ApiTokenScopes::ApiTokenId, ApiTokenScopes::Scope])
                .to_owned();
            for scope in scopes {
                insert
                    .values([id.into(), scope.into()])
                    .map_err(|err| DbErr::Migration(err.to_string()))?;
            }
            // A run stopped half way (by a name it refused) is run again as it stands.
            insert.on_conflict(
                OnConflict::columns([ApiTokenScopes::ApiTokenId, ApiTokenScopes::Scope])
                    .do_nothing()
                    .to_owned(),
            );
            db.execute(&insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let rows = db
            .query_all(
                &Query::select()
                    .columns([ApiTokenScopes::ApiTokenId, ApiTokenScopes::Scope])
                    .from(ApiTokenScopes::Table)
                    .to_owned(),
            )
            .await?;
        let mut lists: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
        for row in rows {
            lists
                .entry(row.try_get("", "api_token_id")?)
                .or_default()
                .insert(row.try_get("", "scope")?);
        }
        for (id, scopes) in lists {
            let list: Vec<String> = scopes.into_iter().collect();
            db.execute(
                &Query::update()
                    .table(ApiTokens::Table)
                    .value(ApiTokens::Scopes, list.join(","))
                    .and_where(Expr::col(ApiTokens::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        db.execute(&Query::delete().from_table(ApiTokenScopes::Table).to_owned())
            .await?;
        Ok(())
    }
}
