//! `scheduled_runs`: the days a daily job has run.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: ScheduledJob,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub ran_at: DateTimeUtc,
}

/// A job the scheduler runs once a day across replicas.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ScheduledJob {
    /// Membership reminders and lapses, and the sponsor catch-up: `daily`.
    #[sea_orm(string_value = "daily")]
    Daily,
}

impl ScheduledJob {
    /// The stored name, such as `daily`; also names the job's lock.
    pub fn name(self) -> String {
        self.to_value()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
