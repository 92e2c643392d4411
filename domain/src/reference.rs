//! Reference-data rules: which codes a record may be given, and which entries an administrator may
//! add to or deactivate in a classifier. The lists and their built-in entries are in
//! [`crate::labels`]; the storage layer loads where a code stands and what the list holds, and
//! these rules decide.

use crate::error::DomainError;
use crate::labels::{is_valid_entry_code, Language, ReferenceList};

/// The longest label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Where a code stands in a classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    /// Built in, or added by an administrator and active: new records may use it.
    Active,
    /// Added by an administrator and deactivated: records keep it, new ones may not use it.
    Inactive,
    /// Not a code of the list.
    Unknown,
}

/// A record may be given a code of `list` only while it is active: 422 naming `field` when the
/// code is deactivated (`inactive_code`) or not a code of the list (`unknown_code`).
pub fn check_code(
    list: ReferenceList,
    field: &str,
    code: &str,
    status: CodeStatus,
) -> Result<(), DomainError> {
    match status {
        CodeStatus::Active => Ok(()),
        CodeStatus::Inactive => Err(DomainError::Invalid {
            field: field.to_owned(),
            code: "inactive_code",
            message: format!("{code:?} is deactivated in {list}"),
        }),
        CodeStatus::Unknown => Err(DomainError::Invalid {
            field: field.to_owned(),
            code: "unknown_code",
            message: format!("{code:?} is not a code of {list} (see GET /api/v1/reference/{list})"),
        }),
    }
}

/// Only extensible lists take new entries: a fixed list's codes are rules of the system.
pub fn check_extensible(list: ReferenceList) -> Result<(), DomainError> {
    if list.is_extensible() {
        Ok(())
    } else {
        Err(DomainError::Conflict {
            code: "fixed_list",
            message: format!(
                "{list} is a fixed list: its codes are rules of the system and change only with it"
            ),
        })
    }
}

/// A new entry's code is snake_case and each of its labels (trimmed) is 1 to
/// [`MAX_LABEL_CHARS`] characters long. `labels` gives the label of each language.
pub fn check_new_entry<'a>(
    code: &str,
    labels: impl Fn(Language) -> &'a str,
) -> Result<(), DomainError> {
    if !is_valid_entry_code(code) {
        return Err(DomainError::Invalid {
            field: "code".into(),
            code: "format",
            message: "must be snake_case (lower-case letters, digits, single underscores; starting with a letter), 2 to 64 characters".into(),
        });
    }
    for language in Language::ALL {
        let chars = labels(*language).chars().count();
        if chars == 0 || chars > MAX_LABEL_CHARS {
            return Err(DomainError::Invalid {
                field: format!("labels.{language}"),
                code: "length",
                message: format!("must be 1 to {MAX_LABEL_CHARS} characters long"),
            });
        }
    }
    Ok(())
}

/// An entry a list already has, as the uniqueness rule looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedEntry<'a> {
    pub code: &'a str,
    pub built_in: bool,
    /// Its labels in [`Language::ALL`]'s order (en, uk, ru, cs).
    pub labels: [&'a str; 4],
}

impl<'a> ListedEntry<'a> {
    fn label(&self, language: Language) -> &'a str {
        self.labels[language_index(language)]
    }
}

fn language_index(language: Language) -> usize {
    match language {
        Language::En => 0,
        Language::Uk => 1,
        Language::Ru => 2,
        Language::Cs => 3,
    }
}

/// No two entries of a list read the same: a new entry's code is new to the list, and each of
/// its labels new to it in its language (case-insensitively).
pub fn check_unique_entry<'a>(
    list: ReferenceList,
    code: &str,
    labels: impl Fn(Language) -> &'a str,
    existing: &[ListedEntry<'_>],
) -> Result<(), DomainError> {
    if let Some(same) = existing.iter().find(|e| e.code == code) {
        let kind = if same.built_in { "built-in" } else { "added" };
        return Err(DomainError::Conflict {
            code: "duplicate_code",
            message: format!("{list} already has an entry {code} ({kind})"),
        });
    }
    for language in Language::ALL {
        let label = labels(*language);
        if let Some(same) = existing
            .iter()
            .find(|e| e.label(*language).to_lowercase() == label.to_lowercase())
        {
            return Err(DomainError::Conflict {
                code: "duplicate_label",
                message: format!(
                    "{list}: the {language} label {label:?} is already used by {}",
                    same.code
                ),
            });
        }
    }
    Ok(())
}

/// Built-in entries are part of the system and cannot be deactivated.
pub fn check_deactivatable(list: ReferenceList, code: &str) -> Result<(), DomainError> {
    if list.is_built_in(code) {
        Err(DomainError::Conflict {
            code: "built_in_entry",
            message: format!("{code} is a built-in entry of {list} and cannot be deactivated"),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn labels(en: &'static str) -> impl Fn(Language) -> &'static str {
        move |language| match language {
            Language::En => en,
            Language::Uk => "мітка",
            Language::Ru => "метка",
            Language::Cs => "štítek",
        }
    }

    #[test]
    fn a_record_takes_only_an_active_code() {
        let list = ReferenceList::ClientCategories;
        assert_eq!(check_code(list, "x", "a", CodeStatus::Active), Ok(()));
        let inactive = check_code(list, "categories[0]", "old", CodeStatus::Inactive).unwrap_err();
        assert_eq!(
            inactive,
            DomainError::Invalid {
                field: "categories[0]".into(),
                code: "inactive_code",
                message: "\"old\" is deactivated in client_categories".into(),
            }
        );
        let unknown = check_code(list, "f", "nope", CodeStatus::Unknown).unwrap_err();
        assert_eq!(unknown.code(), "unknown_code");
        assert_eq!(
            unknown.message(),
            "\"nope\" is not a code of client_categories (see GET /api/v1/reference/client_categories)"
        );
    }

    #[test]
    fn a_fixed_list_takes_no_new_entries() {
        assert_eq!(check_extensible(ReferenceList::ContactTypes), Ok(()));
        let err = check_extensible(ReferenceList::Roles).unwrap_err();
        assert_eq!(err.code(), "fixed_list");
        assert_eq!(
            err.message(),
            "roles is a fixed list: its codes are rules of the system and change only with it"
        );
    }

    #[test]
    fn a_new_entry_has_a_snake_case_code_and_labels_of_1_to_200_characters() {
        assert_eq!(check_new_entry("veterans", labels("Veterans")), Ok(()));
        let bad_code = check_new_entry("Veterans", labels("Veterans")).unwrap_err();
        assert!(
            matches!(bad_code, DomainError::Invalid { ref field, code: "format", .. } if field == "code")
        );
        let empty = check_new_entry("veterans", labels("")).unwrap_err();
        assert_eq!(
            empty,
            DomainError::Invalid {
                field: "labels.en".into(),
                code: "length",
                message: "must be 1 to 200 characters long".into(),
            }
        );
        let long: &'static str = Box::leak("x".repeat(MAX_LABEL_CHARS + 1).into_boxed_str());
        assert_eq!(
            check_new_entry("veterans", labels(long))
                .unwrap_err()
                .code(),
            "length"
        );
        let longest: &'static str = Box::leak("x".repeat(MAX_LABEL_CHARS).into_boxed_str());
        assert_eq!(check_new_entry("veterans", labels(longest)), Ok(()));
    }

    #[test]
    fn no_two_entries_of_a_list_share_a_code_or_a_label() {
        let list = ReferenceList::ClientCategories;
        let existing = [
            ListedEntry {
                code: "veterans",
                built_in: true,
                labels: ["Veterans", "Ветерани", "Ветераны", "Veteráni"],
            },
            ListedEntry {
                code: "carers",
                built_in: false,
                labels: ["Carers", "Опікуни", "Опекуны", "Pečovatelé"],
            },
        ];
        let fresh = |language| match language {
            Language::En => "Students",
            Language::Uk => "Студенти",
            Language::Ru => "Студенты",
            Language::Cs => "Studenti",
        };
        assert_eq!(
            check_unique_entry(list, "students", fresh, &existing),
            Ok(())
        );
        let code = check_unique_entry(list, "carers", fresh, &existing).unwrap_err();
        assert_eq!(code.code(), "duplicate_code");
        assert_eq!(
            code.message(),
            "client_categories already has an entry carers (added)"
        );
        let built_in = check_unique_entry(list, "veterans", fresh, &existing).unwrap_err();
        assert_eq!(
            built_in.message(),
            "client_categories already has an entry veterans (built-in)"
        );
        let same_label = |language| match language {
            Language::Uk => "опікуни",
            other => fresh(other),
        };
        let label = check_unique_entry(list, "students", same_label, &existing).unwrap_err();
        assert_eq!(label.code(), "duplicate_label");
        assert_eq!(
            label.message(),
            "client_categories: the uk label \"опікуни\" is already used by carers"
        );
    }

    #[test]
    fn a_built_in_entry_cannot_be_deactivated() {
        let list = ReferenceList::ContactTypes;
        let built_in = list.built_in()[0].code;
        let err = check_deactivatable(list, built_in).unwrap_err();
        assert_eq!(err.code(), "built_in_entry");
        assert_eq!(
            err.message(),
            format!("{built_in} is a built-in entry of contact_types and cannot be deactivated")
        );
        assert_eq!(check_deactivatable(list, "added_by_admin"), Ok(()));
    }
}
