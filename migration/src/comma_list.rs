//! What the migrations that move a comma-separated column into rows of a join table share:
//! each list split into one row per name, a name no release wrote refused (naming the row),
//! and, going down, the rows joined back into lists.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Uuid},
};

/// A comma-separated column and the join table its names move to.
pub(crate) struct CommaList {
    /// The table holding the lists, its key and the list column.
    pub table: DynIden,
    pub id: DynIden,
    pub list: DynIden,
    /// The join table, its column naming the row of `table`, and its column for one name.
    pub rows: DynIden,
    pub row_id: DynIden,
    pub row_name: DynIden,
    /// Every name a release wrote.
    pub known: &'static [&'static str],
    /// What a row of `table` is, for the error that names one: `API token`, say.
    pub what: &'static str,
}

impl CommaList {
    /// Writes one row per name of each list. Run again after it stopped, it carries on.
    pub async fn split(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let lists = db
            .query_all(
                &Query::select()
                    .columns([self.id.clone(), self.list.clone()])
                    .from(self.table.clone())
                    .to_owned(),
            )
            .await?;
        for row in lists {
            let id: Uuid = row.try_get("", &self.id.to_string())?;
            let list: String = row.try_get("", &self.list.to_string())?;
            let names: BTreeSet<&str> = list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .collect();
            if let Some(unknown) = names.iter().find(|name| !self.known.contains(name)) {
                return Err(DbErr::Migration(format!(
                    "{} {id} lists `{unknown}`, which no release wrote; correct or delete it, \
                     then migrate again",
                    self.what
                )));
            }
            if names.is_empty() {
                continue;
            }
            let mut insert = Query::insert()
                .into_table(self.rows.clone())
                .columns([self.row_id.clone(), self.row_name.clone()])
                .on_conflict(
                    OnConflict::columns([self.row_id.clone(), self.row_name.clone()])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned();
            for name in names {
                insert
                    .values([id.into(), name.into()])
                    .map_err(|err| DbErr::Migration(err.to_string()))?;
            }
            db.execute(&insert).await?;
        }
        Ok(())
    }

    /// Writes each row's names back as its list, by name, and empties the join table.
    pub async fn join(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let rows = db
            .query_all(
                &Query::select()
                    .columns([self.row_id.clone(), self.row_name.clone()])
                    .from(self.rows.clone())
                    .to_owned(),
            )
            .await?;
        let mut lists: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
        for row in rows {
            lists
                .entry(row.try_get("", &self.row_id.to_string())?)
                .or_default()
                .insert(row.try_get("", &self.row_name.to_string())?);
        }
        for (id, names) in lists {
            let list: Vec<String> = names.into_iter().collect();
            db.execute(
                &Query::update()
                    .table(self.table.clone())
                    .value(self.list.clone(), list.join(","))
                    .and_where(Expr::col(self.id.clone()).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        db.execute(&Query::delete().from_table(self.rows.clone()).to_owned())
            .await?;
        Ok(())
    }
}
