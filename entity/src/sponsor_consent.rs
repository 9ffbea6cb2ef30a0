//! `sponsor_consents`: a sponsor's consent to be shown in public, which covers all its
//! sponsorships, past, running and future.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsor_consents")]
pub struct Model {
    /// `account:<uuid>` or `organization:<uuid>`, as `sponsorships.sponsor_key`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sponsor_key: String,
    /// Consent to show the sponsor's name, logo and URL in public.
    pub disclose: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
