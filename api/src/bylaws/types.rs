//! The GraphQL types of the bylaws: versions, articles, sections and diffs.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use entity::bylaws_version;
use sea_orm::DatabaseConnection;

use crate::{
    bylaws::{db, text},
    error::ApiResult,
    ids::{self, NodeKind},
    time::DateTime,
};

/// A section of the bylaws.
#[derive(Clone, Debug)]
pub struct Section(pub text::Section);

impl NodeKind for Section {
    const KIND: &'static str = "BylawsSection";
}

/// A numbered section with a heading and text. Its ID stays the same from version to version.
#[Object(name = "BylawsSection")]
impl Section {
    /// The section's ID, the same in every version; amendments name sections by it.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.key)
    }

    /// The number of the article it belongs to.
    async fn article_number(&self) -> i32 {
        self.0.article_number
    }

    /// Its number within the article.
    async fn number(&self) -> i32 {
        self.0.section_number
    }

    /// Its heading.
    async fn heading(&self) -> &str {
        &self.0.heading
    }

    /// Its text.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Whether it defines a membership class's rights: any amendment touching it goes to the
    /// members' vote.
    async fn defines_membership_rights(&self) -> bool {
        self.0.membership_rights
    }
}

/// An article of the bylaws, holding numbered sections.
#[derive(SimpleObject)]
#[graphql(name = "BylawsArticle")]
pub struct Article {
    /// The article's number.
    pub number: i32,
    /// The article's title.
    pub title: String,
    /// Its sections, in order.
    pub sections: Vec<Section>,
}

/// Groups a document's sections into articles.
pub fn articles(document: text::Document) -> Vec<Article> {
    let mut articles: Vec<Article> = Vec::new();
    for section in document.sections {
        match articles.last_mut() {
            Some(article) if article.number == section.article_number => {
                article.sections.push(Section(section));
            }
            _ => articles.push(Article {
                number: section.article_number,
                title: section.article_title.clone(),
                sections: vec![Section(section)],
            }),
        }
    }
    articles
}

/// The amendment that produced a version, by key. In the schema it is the `Amendment` object,
/// which the `amendments` module, building on this one, resolves it to.
#[derive(Clone, Copy, Debug)]
pub struct AmendmentRef(pub uuid::Uuid);

/// One version of the bylaws.
#[derive(Clone, Debug)]
pub struct BylawsVersion(pub bylaws_version::Model);

/// An adopted text of the bylaws. Versions are immutable.
#[Object]
impl BylawsVersion {
    /// The version's number, from 1.
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// When it was adopted.
    async fn adopted_at(&self) -> DateTime {
        self.0.adopted_at.into()
    }

    /// When it took effect.
    async fn effective_at(&self) -> DateTime {
        self.0.effective_at.into()
    }

    /// The amendment that produced it; null for the first version.
    async fn amendment(&self) -> Option<AmendmentRef> {
        self.0.amendment_id.map(AmendmentRef)
    }

    /// The global ID of the amendment that produced it (`amendment { id }`); null for the first
    /// version.
    async fn amendment_id(&self) -> Option<ID> {
        self.0.amendment_id.map(ids::id_of::<ids::kind::Amendment>)
    }

    /// The full text, by article.
    async fn articles(&self, ctx: &Context<'_>) -> ApiResult<Vec<Article>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(articles(db::document(db, self.0.number).await?))
    }
}

/// How a section changed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SectionChange {
    /// New in the later text.
    Added,
    /// Gone from the later text.
    Removed,
    /// Its heading, text or place changed.
    Modified,
}

/// A section as one side of a diff shows it.
#[derive(SimpleObject, Clone)]
pub struct SectionSnapshot {
    /// The article's number.
    pub article_number: i32,
    /// The article's title.
    pub article_title: String,
    /// The section's number.
    pub number: i32,
    /// Its heading.
    pub heading: String,
    /// Its text.
    pub text: String,
}

/// One section that differs between two texts.
#[derive(SimpleObject)]
pub struct SectionDiff {
    /// The section's ID, the same in both texts.
    pub section_id: ID,
    /// How it changed.
    pub change: SectionChange,
    /// The section before; null when added.
    pub before: Option<SectionSnapshot>,
    /// The section after; null when removed.
    pub after: Option<SectionSnapshot>,
}

fn snapshot(section: text::Section) -> SectionSnapshot {
    SectionSnapshot {
        article_number: section.article_number,
        article_title: section.article_title,
        number: section.section_number,
        heading: section.heading,
        text: section.text,
    }
}

/// The GraphQL form of a diff.
pub fn diff(from: &text::Document, to: &text::Document) -> Vec<SectionDiff> {
    text::diff(from, to)
        .into_iter()
        .map(|line| {
            let key = line
                .after
                .as_ref()
                .or(line.before.as_ref())
                .map(|s| s.key)
                .unwrap_or_default();
            SectionDiff {
                section_id: ids::id_of::<Section>(key),
                change: match line.kind {
                    text::DiffKind::Added => SectionChange::Added,
                    text::DiffKind::Removed => SectionChange::Removed,
                    text::DiffKind::Modified => SectionChange::Modified,
                },
                before: line.before.map(snapshot),
                after: line.after.map(snapshot),
            }
        })
        .collect()
}
