//! `bylaws_versions`: each adopted text of the bylaws, immutable once written.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bylaws_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    pub adopted_at: DateTimeUtc,
    pub effective_at: DateTimeUtc,
    /// The amendment that produced it; `None` for the imported first version.
    pub amendment_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
