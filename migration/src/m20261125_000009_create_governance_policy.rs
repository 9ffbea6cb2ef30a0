//! The governance policy: one row holding every number of the foundation's rules.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GovernancePolicy::Table)
                    .col(integer(GovernancePolicy::Id).primary_key())
                    .col(integer(GovernancePolicy::AmendmentNoticeDays))
                    .col(integer(GovernancePolicy::MinimumVotingDays))
                    .col(double(GovernancePolicy::MemberQuorumShare))
                    .col(double(GovernancePolicy::MemberQuorumWeightShare))
                    .col(double(GovernancePolicy::BoardSuperMajority))
                    .col(double(GovernancePolicy::SponsorInfluenceCap))
                    .col(integer(GovernancePolicy::GracePeriodDays))
                    .col(integer(GovernancePolicy::ContributorTermMonths))
                    .col(integer(GovernancePolicy::MirrorRecheckMonths))
                    .col(integer(GovernancePolicy::SuspensionNoticeDays))
                    .col(timestamp_with_time_zone(GovernancePolicy::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let defaults = Query::insert()
            .into_table(GovernancePolicy::Table)
            .columns([
                GovernancePolicy::Id,
                GovernancePolicy::AmendmentNoticeDays,
                GovernancePolicy::MinimumVotingDays,
                GovernancePolicy::MemberQuorumShare,
                GovernancePolicy::MemberQuorumWeightShare,
                GovernancePolicy::BoardSuperMajority,
                GovernancePolicy::SponsorInfluenceCap,
                GovernancePolicy::GracePeriodDays,
                GovernancePolicy::ContributorTermMonths,
                GovernancePolicy::MirrorRecheckMonths,
                GovernancePolicy::SuspensionNoticeDays,
                GovernancePolicy::UpdatedAt,
            ])
            .values_panic([
                1.into(),
                10.into(),
                10.into(),
                0.10f64.into(),
                0.10f64.into(),
                (2.0f64 / 3.0).into(),
                0.49f64.into(),
                30.into(),
                12.into(),
                12.into(),
                30.into(),
                Expr::current_timestamp(),
            ])
            .to_owned();
        manager.exec_stmt(defaults).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GovernancePolicy::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum GovernancePolicy {
    Table,
    Id,
    AmendmentNoticeDays,
    MinimumVotingDays,
    MemberQuorumShare,
    MemberQuorumWeightShare,
    BoardSuperMajority,
    SponsorInfluenceCap,
    GracePeriodDays,
    ContributorTermMonths,
    MirrorRecheckMonths,
    SuspensionNoticeDays,
    UpdatedAt,
}
