//! Representative invitations: an organization's representatives invite an account to act for
//! it, and the account becomes a representative only when it accepts. Until then the
//! invitation changes nothing (eligibility, the own-case rule, rights, mail).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261125_000001_create_accounts::Accounts,
    m20261125_000005_create_organizations::Organizations,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RepresentativeInvitations::Table)
                    .col(uuid(RepresentativeInvitations::Id).primary_key())
                    .col(uuid(RepresentativeInvitations::OrganizationId))
                    .col(uuid(RepresentativeInvitations::AccountId))
                    .col(uuid_null(RepresentativeInvitations::InvitedBy))
                    .col(string_len(RepresentativeInvitations::Status, 20))
                    .col(timestamp_with_time_zone(
                        RepresentativeInvitations::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        RepresentativeInvitations::RespondedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RepresentativeInvitations::Table,
                                RepresentativeInvitations::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RepresentativeInvitations::Table,
                                RepresentativeInvitations::AccountId,
                            )
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The invited person's list, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_representative_invitations_account")
                    .table(RepresentativeInvitations::Table)
                    .col(RepresentativeInvitations::AccountId)
                    .col(RepresentativeInvitations::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_representative_invitations_organization")
                    .table(RepresentativeInvitations::Table)
                    .col(RepresentativeInvitations::OrganizationId)
                    .col(RepresentativeInvitations::Id)
                    .to_owned(),
            )
            .await?;
        // At most one open invitation per organization and person: a second one would say
        // nothing the first does not. A partial index, written the same on both databases.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_representative_invitations_pending \
                 ON representative_invitations (organization_id, account_id) \
                 WHERE status = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(RepresentativeInvitations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
pub enum RepresentativeInvitations {
    Table,
    Id,
    OrganizationId,
    AccountId,
    InvitedBy,
    Status,
    CreatedAt,
    RespondedAt,
}
