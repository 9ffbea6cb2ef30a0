//! The bylaws as a document of articles and numbered sections: applying an amendment's changes
//! and comparing two versions section by section. Pure functions over plain data.

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// One section, with the article it sits in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The section's identity across versions.
    pub key: Uuid,
    pub article_number: i32,
    pub article_title: String,
    pub section_number: i32,
    pub heading: String,
    pub text: String,
    /// Whether it defines a membership class's rights: an amendment touching it goes to the
    /// members.
    pub membership_rights: bool,
}

/// A whole version: its sections in order of article, then section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub sections: Vec<Section>,
}

pub use entity::amendment_change::ChangeOperation;

/// One change of an amendment, as checked input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub operation: ChangeOperation,
    /// The section replaced or deleted.
    pub section: Option<Uuid>,
    /// The article an inserted section goes into.
    pub article_number: Option<i32>,
    /// The number the inserted section takes; later sections move down one.
    pub position: Option<i32>,
    pub heading: Option<String>,
    pub text: Option<String>,
    /// For an insertion or a replacement: whether the section defines membership rights
    /// afterwards. An insertion without it does not; a replacement without it keeps the mark.
    pub membership_rights: Option<bool>,
}

impl Change {
    /// Whether this change touches a section that defines membership rights in `base`: it
    /// replaces or deletes a marked section, or inserts or replaces a section with the mark set.
    /// Unmarking a section is replacing a marked one, so it counts too.
    pub fn touches_membership_rights(&self, base: &Document) -> bool {
        let marked_before = self.section.is_some_and(|key| {
            base.sections
                .iter()
                .any(|s| s.key == key && s.membership_rights)
        });
        match self.operation {
            ChangeOperation::Replace | ChangeOperation::Delete if marked_before => true,
            ChangeOperation::Insert | ChangeOperation::Replace => {
                self.membership_rights == Some(true)
            }
            ChangeOperation::Delete => false,
        }
    }
}

impl Document {
    /// Whether applying `changes` to this text touches a section that defines membership
    /// rights. Later changes are judged against the text earlier ones leave.
    pub fn rights_touched(&self, changes: &[Change]) -> bool {
        let mut doc = self.clone();
        for change in changes {
            if change.touches_membership_rights(&doc) {
                return true;
            }
            match doc.apply(std::slice::from_ref(change), Uuid::new_v4) {
                Ok(next) => doc = next,
                // A change that no longer fits is refused where it is applied.
                Err(_) => return false,
            }
        }
        false
    }
}

impl Document {
    pub fn new(mut sections: Vec<Section>) -> Self {
        sections.sort_by_key(|s| (s.article_number, s.section_number));
        Self { sections }
    }

    fn renumber(&mut self, article: i32) {
        let mut number = 0;
        for section in self
            .sections
            .iter_mut()
            .filter(|s| s.article_number == article)
        {
            number += 1;
            section.section_number = number;
        }
    }

    /// The document with `changes` applied in order. A change that does not fit is
    /// `BAD_USER_INPUT` naming its place in `changes`.
    pub fn apply(&self, changes: &[Change], new_key: impl Fn() -> Uuid) -> ApiResult<Document> {
        let mut doc = self.clone();
        for (index, change) in changes.iter().enumerate() {
            let field = |name: &str| format!("input.changes[{index}].{name}");
            match change.operation {
                ChangeOperation::Replace | ChangeOperation::Delete => {
                    let key = change.section.ok_or_else(|| {
                        ApiError::bad_input(field("sectionId"), "name the section to change")
                    })?;
                    let at = doc
                        .sections
                        .iter()
                        .position(|s| s.key == key)
                        .ok_or_else(|| {
                            ApiError::bad_input(
                                field("sectionId"),
                                "the section is not in the bylaws in force",
                            )
                        })?;
                    if change.operation == ChangeOperation::Delete {
                        let article = doc.sections.remove(at).article_number;
                        doc.renumber(article);
                    } else {
                        let section = &mut doc.sections[at];
                        if let Some(heading) = &change.heading {
                            section.heading = heading.clone();
                        }
                        section.text = change.text.clone().ok_or_else(|| {
                            ApiError::bad_input(field("text"), "a replacement needs its text")
                        })?;
                        if let Some(mark) = change.membership_rights {
                            section.membership_rights = mark;
                        }
                    }
                }
                ChangeOperation::Insert => {
                    let article = change.article_number.ok_or_else(|| {
                        ApiError::bad_input(
                            field("articleNumber"),
                            "name the article to insert into",
                        )
                    })?;
                    let Some(title) = doc
                        .sections
                        .iter()
                        .find(|s| s.article_number == article)
                        .map(|s| s.article_title.clone())
                    else {
                        return Err(ApiError::bad_input(
                            field("articleNumber"),
                            "no such article",
                        ));
                    };
                    let count = doc
                        .sections
                        .iter()
                        .filter(|s| s.article_number == article)
                        .count();
                    let last = i32::try_from(count).unwrap_or(i32::MAX).saturating_add(1);
                    let position = change.position.unwrap_or(last);
                    if !(1..=last).contains(&position) {
                        return Err(ApiError::bad_input(
                            field("position"),
                            format!("the position must be between 1 and {last}"),
                        ));
                    }
                    let (Some(heading), Some(text)) = (&change.heading, &change.text) else {
                        return Err(ApiError::bad_input(
                            field("text"),
                            "an insertion needs a heading and text",
                        ));
                    };
                    for section in doc
                        .sections
                        .iter_mut()
                        .filter(|s| s.article_number == article && s.section_number >= position)
                    {
                        section.section_number += 1;
                    }
                    doc.sections.push(Section {
                        key: new_key(),
                        article_number: article,
                        article_title: title,
                        section_number: position,
                        heading: heading.clone(),
                        text: text.clone(),
                        membership_rights: change.membership_rights.unwrap_or(false),
                    });
                    doc.sections
                        .sort_by_key(|s| (s.article_number, s.section_number));
                }
            }
        }
        Ok(doc)
    }
}

/// How a section differs between two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffKind {
    Added,
    Removed,
    Modified,
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDiff {
    pub kind: DiffKind,
    pub before: Option<Section>,
    pub after: Option<Section>,
}

/// The sections added, removed or changed (in text, heading or place) from `from` to `to`.
pub fn diff(from: &Document, to: &Document) -> Vec<SectionDiff> {
    let before: HashMap<Uuid, &Section> = from.sections.iter().map(|s| (s.key, s)).collect();
    let after: HashMap<Uuid, &Section> = to.sections.iter().map(|s| (s.key, s)).collect();
    let mut lines = Vec::new();
    for section in &to.sections {
        match before.get(&section.key) {
            None => lines.push(SectionDiff {
                kind: DiffKind::Added,
                before: None,
                after: Some(section.clone()),
            }),
            Some(old) if *old != section => lines.push(SectionDiff {
                kind: DiffKind::Modified,
                before: Some((*old).clone()),
                after: Some(section.clone()),
            }),
            Some(_) => {}
        }
    }
    for section in &from.sections {
        if !after.contains_key(&section.key) {
            lines.push(SectionDiff {
                kind: DiffKind::Removed,
                before: Some(section.clone()),
                after: None,
            });
        }
    }
    lines
}

/// Checks a heading or title: 1 to 200 characters.
pub fn heading(raw: &str, field: &str) -> ApiResult<String> {
    crate::input::name(raw, field, 200)
}

/// Checks a section's text: 1 to 20,000 characters.
pub fn body(raw: &str, field: &str) -> ApiResult<String> {
    crate::input::text(raw, field, 20_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(article: i32, number: i32, heading: &str) -> Section {
        Section {
            key: Uuid::new_v4(),
            article_number: article,
            article_title: format!("Article {article}"),
            section_number: number,
            heading: heading.into(),
            text: format!("Text of {heading}"),
            membership_rights: false,
        }
    }

    #[test]
    fn insert_replace_and_delete_renumber_and_diff() {
        let doc = Document::new(vec![
            section(1, 1, "Name"),
            section(1, 2, "Purpose"),
            section(2, 1, "Classes"),
        ]);
        let purpose = doc.sections[1].key;
        let name = doc.sections[0].key;
        let changes = [
            Change {
                operation: ChangeOperation::Insert,
                section: None,
                article_number: Some(1),
                position: Some(1),
                heading: Some("Mission".into()),
                text: Some("We build.".into()),
                membership_rights: None,
            },
            Change {
                operation: ChangeOperation::Replace,
                section: Some(purpose),
                article_number: None,
                position: None,
                heading: None,
                text: Some("New purpose.".into()),
                membership_rights: None,
            },
            Change {
                operation: ChangeOperation::Delete,
                section: Some(name),
                article_number: None,
                position: None,
                heading: None,
                text: None,
                membership_rights: None,
            },
        ];
        let next = doc.apply(&changes, Uuid::new_v4).expect("applies");
        let headings: Vec<_> = next
            .sections
            .iter()
            .map(|s| (s.article_number, s.section_number, s.heading.as_str()))
            .collect();
        assert_eq!(
            headings,
            [(1, 1, "Mission"), (1, 2, "Purpose"), (2, 1, "Classes")]
        );
        let kinds: Vec<_> = diff(&doc, &next).iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [DiffKind::Added, DiffKind::Modified, DiffKind::Removed]
        );
    }

    #[test]
    fn touching_a_rights_section_is_replacing_deleting_or_marking_one() {
        let mut classes = section(2, 1, "Classes");
        classes.membership_rights = true;
        let doc = Document::new(vec![section(1, 1, "Name"), classes.clone()]);
        let change = |operation, section, mark| Change {
            operation,
            section,
            article_number: Some(1),
            position: None,
            heading: Some("H".into()),
            text: Some("T".into()),
            membership_rights: mark,
        };
        let name = doc.sections[0].key;
        use ChangeOperation::{Delete, Insert, Replace};
        assert!(doc.rights_touched(&[change(Replace, Some(classes.key), None)]));
        assert!(doc.rights_touched(&[change(Replace, Some(classes.key), Some(false))]));
        assert!(doc.rights_touched(&[change(Delete, Some(classes.key), None)]));
        assert!(doc.rights_touched(&[change(Insert, None, Some(true))]));
        assert!(doc.rights_touched(&[change(Replace, Some(name), Some(true))]));
        assert!(!doc.rights_touched(&[change(Insert, None, None)]));
        assert!(!doc.rights_touched(&[change(Replace, Some(name), Some(false))]));
        assert!(!doc.rights_touched(&[change(Delete, Some(name), None)]));
        // A mark set by an earlier change of the same amendment counts for a later one.
        let marked_then_deleted = [
            change(Replace, Some(name), Some(true)),
            change(Delete, Some(name), None),
        ];
        assert!(doc.rights_touched(&marked_then_deleted));
        let next = doc
            .apply(&[change(Insert, None, Some(true))], Uuid::new_v4)
            .expect("applies");
        assert_eq!(
            next.sections.iter().filter(|s| s.membership_rights).count(),
            2,
            "an adopted insertion carries its mark"
        );
    }

    #[test]
    fn a_change_that_does_not_fit_names_its_field() {
        let doc = Document::new(vec![section(1, 1, "Name")]);
        let bad = [Change {
            operation: ChangeOperation::Delete,
            section: Some(Uuid::new_v4()),
            article_number: None,
            position: None,
            heading: None,
            text: None,
            membership_rights: None,
        }];
        let err = doc.apply(&bad, Uuid::new_v4).expect_err("unknown section");
        assert!(
            matches!(err, ApiError::BadUserInput { ref field, .. } if field == "input.changes[0].sectionId")
        );
        let far = [Change {
            operation: ChangeOperation::Insert,
            section: None,
            article_number: Some(1),
            position: Some(5),
            heading: Some("X".into()),
            text: Some("Y".into()),
            membership_rights: None,
        }];
        let err = doc.apply(&far, Uuid::new_v4).expect_err("out of range");
        assert!(
            matches!(err, ApiError::BadUserInput { ref field, .. } if field == "input.changes[0].position")
        );
    }
}
