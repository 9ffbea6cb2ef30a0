//! Reading the bylaws: public.

use async_graphql::{Context, Object, SimpleObject};
use entity::{bylaws_version, prelude::BylawsVersion as Versions};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use crate::{
    bylaws::{
        db,
        types::{BylawsVersion, SectionDiff, diff},
    },
    error::{ApiError, ApiResult},
};

/// The bylaws: the version in force and the history.
#[derive(SimpleObject)]
pub struct Bylaws {
    /// The version in force; null until the bylaws are imported.
    pub current: Option<BylawsVersion>,
    /// Every version, oldest first.
    pub versions: Vec<BylawsVersion>,
}

#[derive(Default)]
pub struct BylawsQuery;

#[Object]
impl BylawsQuery {
    /// The bylaws in force and every earlier version. Public.
    async fn bylaws(&self, ctx: &Context<'_>) -> ApiResult<Bylaws> {
        let db = ctx.data::<DatabaseConnection>()?;
        let versions: Vec<_> = Versions::find()
            .order_by_asc(bylaws_version::Column::Number)
            .all(db)
            .await?
            .into_iter()
            .map(BylawsVersion)
            .collect();
        Ok(Bylaws {
            current: versions.last().cloned(),
            versions,
        })
    }

    /// One version of the bylaws by number. Public.
    async fn bylaws_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version's number.")] number: i32,
    ) -> ApiResult<Option<BylawsVersion>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Versions::find_by_id(number)
            .one(db)
            .await?
            .map(BylawsVersion))
    }

    /// The sections that differ between two versions. Public.
    async fn bylaws_diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The earlier version's number.")] from: i32,
        #[graphql(desc = "The later version's number.")] to: i32,
    ) -> ApiResult<Vec<SectionDiff>> {
        let db = ctx.data::<DatabaseConnection>()?;
        for (field, number) in [("from", from), ("to", to)] {
            if Versions::find_by_id(number).one(db).await?.is_none() {
                return Err(ApiError::bad_input(
                    field,
                    format!("there is no version {number}"),
                ));
            }
        }
        Ok(diff(
            &db::document(db, from).await?,
            &db::document(db, to).await?,
        ))
    }
}
