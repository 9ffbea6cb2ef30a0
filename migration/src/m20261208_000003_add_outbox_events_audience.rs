//! Who may read an outbox event, as a typed rule (`PUBLIC`, `WHILE_SPONSOR_SHOWN`,
//! `WHILE_MEMBERSHIP_DISCLOSED`, `HOLDER`) and the holder it names, an account or an
//! organization, in columns of their own. The next migration fills them from `audience_key`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000001_create_outbox_events::OutboxEvents;

#[derive(DeriveIden)]
pub(crate) enum Holder {
    AudienceAccountId,
    AudienceOrganizationId,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters one thing at a time. The default only carries
        // the rows already written to the next migration, which sets each one.
        for column in [
            string_len(OutboxEvents::Audience, 30)
                .default("PUBLIC")
                .to_owned(),
            uuid_null(Holder::AudienceAccountId),
            uuid_null(Holder::AudienceOrganizationId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvents::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            OutboxEvents::Audience.into_iden(),
            Holder::AudienceAccountId.into_iden(),
            Holder::AudienceOrganizationId.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
