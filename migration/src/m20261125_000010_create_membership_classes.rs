//! Membership classes: Contributor, Mirror and Sponsor, with their default weight and cost.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MembershipClasses::Table)
                    .col(string_len(MembershipClasses::Key, 20).primary_key())
                    .col(string_len(MembershipClasses::Name, 100))
                    .col(text(MembershipClasses::Description))
                    .col(integer(MembershipClasses::VoteWeight))
                    .col(boolean(MembershipClasses::Paid))
                    .col(string_len_null(MembershipClasses::ApprovedBy, 40))
                    .col(boolean(MembershipClasses::OrganizationsMayHold))
                    .to_owned(),
            )
            .await?;
        let seed = Query::insert()
            .into_table(MembershipClasses::Table)
            .columns([
                MembershipClasses::Key,
                MembershipClasses::Name,
                MembershipClasses::Description,
                MembershipClasses::VoteWeight,
                MembershipClasses::Paid,
                MembershipClasses::ApprovedBy,
                MembershipClasses::OrganizationsMayHold,
            ])
            .values_panic([
                "CONTRIBUTOR".into(),
                "Contributor".into(),
                "Any individual connected to the project (user, contributor, supporter) who acts in good faith. Free; renewed every 12 months.".into(),
                1.into(),
                false.into(),
                Some("MEMBERSHIP_COMMITTEE").into(),
                false.into(),
            ])
            .values_panic([
                "MIRROR".into(),
                "Mirror".into(),
                "An individual or organization hosting a verified project mirror. Free; active while at least one of its mirrors stays verified.".into(),
                1.into(),
                false.into(),
                Some("TECHNOLOGY_COMMITTEE").into(),
                true.into(),
            ])
            .values_panic([
                "SPONSOR".into(),
                "Sponsor".into(),
                "An individual or organization that financially supports the foundation. Automatic with an active sponsorship; weighted by sponsor tier.".into(),
                1.into(),
                true.into(),
                Option::<&str>::None.into(),
                true.into(),
            ])
            .to_owned();
        manager.exec_stmt(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MembershipClasses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum MembershipClasses {
    Table,
    Key,
    Name,
    Description,
    VoteWeight,
    Paid,
    ApprovedBy,
    OrganizationsMayHold,
}
