//! Sponsor tiers: name, rank, yearly minimum, vote weight and benefits, with the defaults.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SponsorTiers::Table)
                    .col(uuid(SponsorTiers::Id).primary_key())
                    .col(string_len_uniq(SponsorTiers::Name, 100))
                    .col(integer(SponsorTiers::Rank))
                    .col(big_integer(SponsorTiers::MinimumYearlyMinor))
                    .col(string_len(SponsorTiers::Currency, 3))
                    .col(integer(SponsorTiers::VoteWeight))
                    .col(text(SponsorTiers::Benefits))
                    .col(string_len(SponsorTiers::State, 20))
                    .col(timestamp_with_time_zone(SponsorTiers::CreatedAt))
                    .col(timestamp_with_time_zone(SponsorTiers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert()
            .into_table(SponsorTiers::Table)
            .columns([
                SponsorTiers::Id,
                SponsorTiers::Name,
                SponsorTiers::Rank,
                SponsorTiers::MinimumYearlyMinor,
                SponsorTiers::Currency,
                SponsorTiers::VoteWeight,
                SponsorTiers::Benefits,
                SponsorTiers::State,
                SponsorTiers::CreatedAt,
                SponsorTiers::UpdatedAt,
            ])
            .to_owned();
        // Fixed ids, so that every fresh database names the default tiers alike.
        let defaults: [(&str, &str, i32, i64, i32, &str); 4] = [
            (
                "0193a000-0000-7000-8000-000000000001",
                "Platinum",
                1,
                10_000_000,
                50,
                "[\"Logo on the home page\",\"Keynote slot at the annual summit\",\"Seat on the sponsor advisory call\"]",
            ),
            (
                "0193a000-0000-7000-8000-000000000002",
                "Gold",
                2,
                2_000_000,
                15,
                "[\"Logo on the sponsors page\",\"Booth at the annual summit\"]",
            ),
            (
                "0193a000-0000-7000-8000-000000000003",
                "Silver",
                3,
                250_000,
                5,
                "[\"Name on the sponsors page\"]",
            ),
            (
                "0193a000-0000-7000-8000-000000000004",
                "Community",
                4,
                0,
                1,
                "[\"Name on the sponsors page\",\"For in-kind and community support\"]",
            ),
        ];
        for (id, name, rank, minimum, weight, benefits) in defaults {
            let id = uuid::Uuid::parse_str(id).map_err(|err| DbErr::Custom(err.to_string()))?;
            seed.values_panic([
                id.into(),
                name.into(),
                rank.into(),
                minimum.into(),
                "USD".into(),
                weight.into(),
                benefits.into(),
                "PUBLISHED".into(),
                Expr::current_timestamp(),
                Expr::current_timestamp(),
            ]);
        }
        manager.exec_stmt(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SponsorTiers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SponsorTiers {
    Table,
    Id,
    Name,
    Rank,
    MinimumYearlyMinor,
    Currency,
    VoteWeight,
    Benefits,
    State,
    CreatedAt,
    UpdatedAt,
}
