//! `log_nodes`: the hash of every complete subtree of the Merkle tree log. Level 0 holds the
//! leaf hashes; the node of level `L` and index `N` covers leaves `[N·2^L, (N+1)·2^L)`. A proof
//! reads O(log n) of them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LogNodes::Table)
                    .col(small_integer(LogNodes::Level))
                    .col(big_integer(LogNodes::Idx))
                    .col(blob(LogNodes::Hash))
                    .primary_key(Index::create().col(LogNodes::Level).col(LogNodes::Idx))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LogNodes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum LogNodes {
    Table,
    Level,
    Idx,
    Hash,
}
