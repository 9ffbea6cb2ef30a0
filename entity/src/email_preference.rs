//! `email_preferences`: an account's choice about non-essential mail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Whether reminders and other non-essential mail are sent.
    pub non_essential: bool,
    pub updated_at: DateTimeUtc,
    /// Counts every change of the choice; an unsubscribe link signs the version it was sent
    /// under and holds only while the choice has not changed since.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
