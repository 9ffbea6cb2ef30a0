//! Reading accounts: finding one by email, for administrators. The signed-in person's own view
//! is `viewer` (`crate::portal`).

use async_graphql::{Context, Object};
use sea_orm::DatabaseConnection;

use crate::{
    accounts::{db::find_by_email, input::Email, types::Account},
    auth::{Role, RoleGuard},
    error::ApiResult,
};

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The account registered with this email (compared case-insensitively), to grant it a
    /// role; null when there is none. `ADMIN` only.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn account_by_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The email address the account logs in with.")] email: String,
    ) -> ApiResult<Option<Account>> {
        let email = Email::parse(&email, &crate::field!(email))?;
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(find_by_email(db, email.as_str()).await?.map(Account::new))
    }
}
