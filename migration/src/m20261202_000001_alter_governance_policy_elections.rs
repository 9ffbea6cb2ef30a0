//! The numbers of the board and its elections join the governance policy: board size, term length and limit, nominee
//! standing, the nominee list and voting windows, and the turnout extension (off by default).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INTEGERS: [(GovernancePolicy, i32); 11] = [
    (GovernancePolicy::BoardMinimumSize, 7),
    (GovernancePolicy::BoardMaximumSize, 13),
    (GovernancePolicy::BoardPerPlatinumSponsor, 2),
    (GovernancePolicy::DirectorTermYears, 3),
    (GovernancePolicy::MaxConsecutiveTerms, 2),
    (GovernancePolicy::TermLimitBreakYears, 1),
    (GovernancePolicy::NomineeStandingMonths, 3),
    (GovernancePolicy::NomineeListClosesDaysBefore, 10),
    (GovernancePolicy::MinimumElectionDays, 10),
    (GovernancePolicy::ElectionTurnoutExtensionDays, 0),
    (GovernancePolicy::ElectionTurnoutMaxExtensions, 0),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for (column, default) in INTEGERS {
            manager
                .alter_table(
                    Table::alter()
                        .table(GovernancePolicy::Table)
                        .add_column(integer(column).default(default))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(GovernancePolicy::Table)
                    .add_column(double(GovernancePolicy::ElectionTurnoutThreshold).default(0.0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, _) in INTEGERS {
            manager
                .alter_table(
                    Table::alter()
                        .table(GovernancePolicy::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(GovernancePolicy::Table)
                    .drop_column(GovernancePolicy::ElectionTurnoutThreshold)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum GovernancePolicy {
    Table,
    BoardMinimumSize,
    BoardMaximumSize,
    BoardPerPlatinumSponsor,
    DirectorTermYears,
    MaxConsecutiveTerms,
    TermLimitBreakYears,
    NomineeStandingMonths,
    NomineeListClosesDaysBefore,
    MinimumElectionDays,
    ElectionTurnoutThreshold,
    ElectionTurnoutExtensionDays,
    ElectionTurnoutMaxExtensions,
}
