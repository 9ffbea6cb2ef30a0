//! Reads each outbox event's `audience_key` into the typed rule and the holder's columns:
//! null is `PUBLIC`; `shown:<holder key>` is `WHILE_SPONSOR_SHOWN`; `disclosed:<holder key>` is
//! `WHILE_MEMBERSHIP_DISCLOSED`; a bare holder key is `HOLDER`. A holder key is
//! `account:<uuid>` or `organization:<uuid>`. A value no release wrote stops the migration,
//! naming the event, rather than guess who may read it.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Uuid},
};

use crate::{
    m20261203_000001_create_outbox_events::OutboxEvents,
    m20261208_000003_add_outbox_events_audience::Holder,
};

#[derive(DeriveIden)]
enum Legacy {
    AudienceKey,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An audience as the typed columns hold it.
struct Typed {
    rule: &'static str,
    account: Option<Uuid>,
    organization: Option<Uuid>,
}

/// The prefixes of the old text and the rules they stand for; a bare key is `HOLDER`.
const PREFIXES: [(&str, &str); 2] = [
    ("shown:", "WHILE_SPONSOR_SHOWN"),
    ("disclosed:", "WHILE_MEMBERSHIP_DISCLOSED"),
];

fn parse(key: &str) -> Option<Typed> {
    let (rule, holder) = PREFIXES
        .iter()
        .find_map(|(prefix, rule)| Some((*rule, key.strip_prefix(prefix)?)))
        .unwrap_or(("HOLDER", key));
    let (kind, id) = holder.split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    let (account, organization) = match kind {
        "account" => (Some(id), None),
        "organization" => (None, Some(id)),
        _ => return None,
    };
    Some(Typed {
        rule,
        account,
        organization,
    })
}

fn unparse(rule: &str, account: Option<Uuid>, organization: Option<Uuid>) -> Option<String> {
    let holder = match (account, organization) {
        (Some(id), None) => format!("account:{id}"),
        (None, Some(id)) => format!("organization:{id}"),
        _ => return None,
    };
    if rule == "HOLDER" {
        return Some(holder);
    }
    let (prefix, _) = PREFIXES.iter().find(|(_, named)| *named == rule)?;
    Some(format!("{prefix}{holder}"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute(
            &Query::update()
                .table(OutboxEvents::Table)
                .value(OutboxEvents::Audience, "PUBLIC")
                .and_where(Expr::col(Legacy::AudienceKey).is_null())
                .to_owned(),
        )
        .await?;
        let rows = db
            .query_all(
                &Query::select()
                    .columns([
                        OutboxEvents::Id.into_iden(),
                        Legacy::AudienceKey.into_iden(),
                    ])
                    .from(OutboxEvents::Table)
                    .and_where(Expr::col(Legacy::AudienceKey).is_not_null())
                    .to_owned(),
            )
            .await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let key: String = row.try_get("", "audience_key")?;
            let typed = parse(&key).ok_or_else(|| {
                DbErr::Migration(format!(
                    "outbox event {id} has the audience `{key}`, which no release wrote; \
                     correct or delete it, then migrate again"
                ))
            })?;
            db.execute(
                &Query::update()
                    .table(OutboxEvents::Table)
                    .value(OutboxEvents::Audience, typed.rule)
                    .value(Holder::AudienceAccountId, typed.account)
                    .value(Holder::AudienceOrganizationId, typed.organization)
                    .and_where(Expr::col(OutboxEvents::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let rows = db
            .query_all(
                &Query::select()
                    .columns([
                        OutboxEvents::Id.into_iden(),
                        OutboxEvents::Audience.into_iden(),
                        Holder::AudienceAccountId.into_iden(),
                        Holder::AudienceOrganizationId.into_iden(),
                    ])
                    .from(OutboxEvents::Table)
                    .and_where(Expr::col(OutboxEvents::Audience).ne("PUBLIC"))
                    .to_owned(),
            )
            .await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let rule: String = row.try_get("", "audience")?;
            let account: Option<Uuid> = row.try_get("", "audience_account_id")?;
            let organization: Option<Uuid> = row.try_get("", "audience_organization_id")?;
            let key = unparse(&rule, account, organization).ok_or_else(|| {
                DbErr::Migration(format!(
                    "outbox event {id} has the audience `{rule}` without one holder"
                ))
            })?;
            db.execute(
                &Query::update()
                    .table(OutboxEvents::Table)
                    .value(Legacy::AudienceKey, key)
                    .and_where(Expr::col(OutboxEvents::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_the_old_text_took_reads_back_as_it_was() {
        let id = Uuid::now_v7();
        for key in [
            format!("shown:organization:{id}"),
            format!("shown:account:{id}"),
            format!("disclosed:account:{id}"),
            format!("organization:{id}"),
            format!("account:{id}"),
        ] {
            let typed = parse(&key).unwrap_or_else(|| panic!("{key} parses"));
            assert_eq!(
                unparse(typed.rule, typed.account, typed.organization),
                Some(key)
            );
        }
        for unknown in [
            "hidden:account:x".to_owned(),
            format!("shown:team:{id}"),
            format!("team:{id}"),
            String::new(),
        ] {
            assert!(parse(&unknown).is_none(), "{unknown}");
        }
    }
}
