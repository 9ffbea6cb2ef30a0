//! Importing the first version of the bylaws.

use std::collections::HashSet;

use async_graphql::{Context, InputObject, Object, SimpleObject};

use crate::{
    auth::{Role, RoleGuard},
    bylaws::{
        commands::{self, ImportBylaws},
        text::{Document, Section, body, heading},
        types::BylawsVersion,
    },
    error::{ApiError, ApiResult},
    ids,
    resolve::run,
};

/// A section to import.
#[derive(InputObject)]
pub struct SectionInput {
    /// Its number within the article.
    pub number: i32,
    /// Its heading.
    pub heading: String,
    /// Its text.
    pub text: String,
    /// Whether it defines a membership class's rights, so that any amendment touching it goes
    /// to the members' vote (default false).
    #[graphql(default)]
    pub defines_membership_rights: bool,
}

/// An article to import.
#[derive(InputObject)]
pub struct ArticleInput {
    /// The article's number.
    pub number: i32,
    /// The article's title.
    pub title: String,
    /// Its sections.
    pub sections: Vec<SectionInput>,
}

/// Input of `importBylaws`.
#[derive(InputObject)]
pub struct ImportBylawsInput {
    /// The articles of version 1.
    pub articles: Vec<ArticleInput>,
}

/// The version written.
#[derive(SimpleObject)]
pub struct ImportBylawsPayload {
    /// Version 1.
    pub version: BylawsVersion,
}

#[derive(Default)]
pub struct BylawsMutation;

#[Object]
impl BylawsMutation {
    /// Imports version 1 of the bylaws. SECRETARY or ADMIN, and only while no version exists;
    /// audited.
    #[graphql(guard = "RoleGuard::any(&[Role::Secretary, Role::Admin])")]
    async fn import_bylaws(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ImportBylawsInput,
    ) -> ApiResult<ImportBylawsPayload> {
        let document = parse_articles(&input.articles)?;
        let version = run(ctx, ImportBylaws { document }, commands::import).await?;
        Ok(ImportBylawsPayload {
            version: BylawsVersion(version),
        })
    }
}

/// The articles as a document, each heading and text checked, each section given its key.
fn parse_articles(articles: &[ArticleInput]) -> ApiResult<Document> {
    if articles.is_empty() {
        return Err(ApiError::bad_input(
            crate::field!(input.articles),
            "give at least one article",
        ));
    }
    let mut sections = Vec::new();
    let mut article_numbers = HashSet::new();
    for (a, article) in articles.iter().enumerate() {
        let field = |name: &str| format!("input.articles[{a}].{name}");
        if article.number < 1 || !article_numbers.insert(article.number) {
            return Err(ApiError::bad_input(
                field("number"),
                "article numbers are positive and distinct",
            ));
        }
        let title = heading(&article.title, &field("title"))?;
        if article.sections.is_empty() {
            return Err(ApiError::bad_input(
                field("sections"),
                "an article holds at least one section",
            ));
        }
        let mut numbers = HashSet::new();
        for (s, section) in article.sections.iter().enumerate() {
            let field = |name: &str| format!("input.articles[{a}].sections[{s}].{name}");
            if section.number < 1 || !numbers.insert(section.number) {
                return Err(ApiError::bad_input(
                    field("number"),
                    "section numbers are positive and distinct",
                ));
            }
            sections.push(Section {
                key: ids::new_key(),
                article_number: article.number,
                article_title: title.clone(),
                section_number: section.number,
                heading: heading(&section.heading, &field("heading"))?,
                text: body(&section.text, &field("text"))?,
                membership_rights: section.defines_membership_rights,
            });
        }
    }
    Ok(Document::new(sections))
}
