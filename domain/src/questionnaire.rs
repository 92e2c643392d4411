//! The client questionnaire (seed 003, "анкета клиента"): its non-sensitive sections, the
//! questions each knows, and the bounds on the answers. The answers are JSON; the storage layer
//! walks them and asks these rules about each section, question and value it meets.
//!
//! The questionnaire's sensitive questions are sensitive sections of the client
//! ([`crate::confidentiality`]), not sections here.

use crate::confidentiality::SensitiveSection;
use crate::error::DomainError;

/// The sections and, for each, the questions (top-level keys) it knows.
pub const SECTIONS: &[(&str, &[&str])] = &[
    (
        "general",
        &[
            "marital_status",
            "citizenship",
            "languages",
            "place_of_birth",
            "notes",
        ],
    ),
    (
        "education",
        &[
            "level",
            "institutions",
            "speciality",
            "studying_now",
            "notes",
        ],
    ),
    (
        "military_service",
        &["served", "period", "branch", "exemption_reason", "notes"],
    ),
    (
        "work",
        &[
            "employed",
            "employer",
            "position",
            "profession",
            "work_history",
            "income_source",
            "notes",
        ],
    ),
    (
        "housing",
        &[
            "type",
            "tenure",
            "conditions",
            "lives_with",
            "registered_address",
            "notes",
        ],
    ),
    ("relatives", &["list", "contact_with_family", "notes"]),
    ("registrations", &["registered", "registers", "notes"]),
    (
        "reasons_for_coming",
        &[
            "reasons",
            "requested_help",
            "referred_by",
            "motivation",
            "notes",
        ],
    ),
];

/// The longest string anywhere in a section, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The most items of an array (or keys of an object) anywhere in a section.
pub const MAX_ITEMS: usize = 50;
/// The deepest nesting below a question (e.g. a list of relatives, each an object of strings).
pub const MAX_DEPTH: usize = 3;
/// The largest questionnaire, serialised, in bytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// The longest key of an object in an answer, in characters.
pub const MAX_KEY_CHARS: usize = 64;

/// A section is one of [`SECTIONS`]; a sensitive section is named with where it is written
/// instead. Returns the section's questions.
pub fn check_section(name: &str) -> Result<&'static [&'static str], DomainError> {
    if let Some((_, questions)) = SECTIONS.iter().find(|(s, _)| *s == name) {
        return Ok(questions);
    }
    let hint = if SensitiveSection::parse(name).is_some() {
        format!("{name} is a sensitive section: PUT /api/v1/clients/{{id}}/sensitive/{name}")
    } else {
        format!(
            "unknown section; the sections are: {}",
            SECTIONS
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(crate::error::DomainError::invalid(
        name,
        "unknown_section",
        hint,
    ))
}

/// A section given is a JSON object of answers (or `null`, left out).
pub fn check_section_is_object(name: &str, is_object: bool) -> Result<(), DomainError> {
    if is_object {
        Ok(())
    } else {
        Err(crate::error::DomainError::invalid(
            name,
            "not_an_object",
            "a section is a JSON object of answers",
        ))
    }
}

/// A section's answers are to its own questions.
pub fn check_question(section: &str, questions: &[&str], key: &str) -> Result<(), DomainError> {
    if questions.contains(&key) {
        Ok(())
    } else {
        Err(crate::error::DomainError::invalid(
            format!("{section}.{key}"),
            "unknown_question",
            format!("{section} has the questions: {}", questions.join(", ")),
        ))
    }
}

/// An answer nests at most [`MAX_DEPTH`] levels below its question (the question's value is
/// level 1).
pub fn check_depth(field: &str, depth: usize) -> Result<(), DomainError> {
    if depth > MAX_DEPTH {
        Err(crate::error::DomainError::invalid(
            field,
            "too_deep",
            format!("nested more than {MAX_DEPTH} levels"),
        ))
    } else {
        Ok(())
    }
}

/// A text answer is at most [`MAX_TEXT_CHARS`] characters long.
pub fn check_text(field: &str, text: &str) -> Result<(), DomainError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        Err(crate::error::DomainError::invalid(
            field,
            "length",
            format!("must be at most {MAX_TEXT_CHARS} characters long"),
        ))
    } else {
        Ok(())
    }
}

/// A list in an answer has at most [`MAX_ITEMS`] items.
pub fn check_items(field: &str, items: usize) -> Result<(), DomainError> {
    if items > MAX_ITEMS {
        Err(crate::error::DomainError::invalid(
            field,
            "length",
            format!("must have at most {MAX_ITEMS} items"),
        ))
    } else {
        Ok(())
    }
}

/// An object in an answer has at most [`MAX_ITEMS`] keys.
pub fn check_keys(field: &str, keys: usize) -> Result<(), DomainError> {
    if keys > MAX_ITEMS {
        Err(crate::error::DomainError::invalid(
            field,
            "length",
            format!("must have at most {MAX_ITEMS} keys"),
        ))
    } else {
        Ok(())
    }
}

/// A key of an object in an answer is at most [`MAX_KEY_CHARS`] characters long.
pub fn check_key(field: &str, key: &str) -> Result<(), DomainError> {
    if key.chars().count() > MAX_KEY_CHARS {
        Err(crate::error::DomainError::invalid(
            field,
            "key_length",
            "keys must be at most 64 characters long",
        ))
    } else {
        Ok(())
    }
}

/// The whole questionnaire, serialised, is at most [`MAX_BYTES`] bytes.
pub fn check_size(bytes: usize) -> Result<(), DomainError> {
    if bytes > MAX_BYTES {
        Err(crate::error::DomainError::invalid(
            "sections",
            "too_large",
            format!("the questionnaire must be at most {MAX_BYTES} bytes"),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn field_and_code(e: DomainError) -> (String, &'static str, String) {
        match e {
            DomainError::Invalid {
                field,
                code,
                message,
            } => (field, code, message),
            DomainError::Conflict { .. } => panic!("expected a field at fault"),
        }
    }

    #[test]
    fn a_section_is_one_of_the_questionnaire_sections() {
        assert_eq!(check_section("work").unwrap()[0], "employed");
        let (field, code, message) = field_and_code(check_section("hobbies").unwrap_err());
        assert_eq!((field.as_str(), code), ("hobbies", "unknown_section"));
        assert!(message.starts_with("unknown section; the sections are: general, education"));
    }

    #[test]
    fn a_sensitive_section_is_written_where_sensitive_sections_are() {
        let (_, code, message) = field_and_code(check_section("health").unwrap_err());
        assert_eq!(code, "unknown_section");
        assert_eq!(
            message,
            "health is a sensitive section: PUT /api/v1/clients/{id}/sensitive/health"
        );
    }

    #[test]
    fn a_section_is_an_object_of_answers() {
        assert_eq!(check_section_is_object("work", true), Ok(()));
        let (field, code, _) = field_and_code(check_section_is_object("work", false).unwrap_err());
        assert_eq!((field.as_str(), code), ("work", "not_an_object"));
    }

    #[test]
    fn a_section_answers_only_its_own_questions() {
        let questions = check_section("relatives").unwrap();
        assert_eq!(check_question("relatives", questions, "list"), Ok(()));
        let (field, code, message) =
            field_and_code(check_question("relatives", questions, "salary").unwrap_err());
        assert_eq!(
            (field.as_str(), code),
            ("relatives.salary", "unknown_question")
        );
        assert_eq!(
            message,
            "relatives has the questions: list, contact_with_family, notes"
        );
    }

    #[test]
    fn an_answer_nests_at_most_three_levels() {
        assert_eq!(check_depth("relatives.list[0].name", MAX_DEPTH), Ok(()));
        let (_, code, message) = field_and_code(check_depth("x", MAX_DEPTH + 1).unwrap_err());
        assert_eq!(code, "too_deep");
        assert_eq!(message, "nested more than 3 levels");
    }

    #[test]
    fn a_text_answer_is_at_most_2000_characters() {
        assert_eq!(
            check_text("work.notes", &"ї".repeat(MAX_TEXT_CHARS)),
            Ok(())
        );
        let (field, code, message) =
            field_and_code(check_text("work.notes", &"a".repeat(MAX_TEXT_CHARS + 1)).unwrap_err());
        assert_eq!((field.as_str(), code), ("work.notes", "length"));
        assert_eq!(message, "must be at most 2000 characters long");
    }

    #[test]
    fn a_list_in_an_answer_has_at_most_50_items() {
        assert_eq!(check_items("relatives.list", MAX_ITEMS), Ok(()));
        let (_, code, message) = field_and_code(check_items("relatives.list", 51).unwrap_err());
        assert_eq!(
            (code, message.as_str()),
            ("length", "must have at most 50 items")
        );
    }

    #[test]
    fn an_object_in_an_answer_has_at_most_50_keys() {
        assert_eq!(check_keys("f", MAX_ITEMS), Ok(()));
        let (_, code, message) = field_and_code(check_keys("f", MAX_ITEMS + 1).unwrap_err());
        assert_eq!(
            (code, message.as_str()),
            ("length", "must have at most 50 keys")
        );
    }

    #[test]
    fn a_key_in_an_answer_is_at_most_64_characters() {
        assert_eq!(check_key("f", &"ї".repeat(MAX_KEY_CHARS)), Ok(()));
        let long = "k".repeat(MAX_KEY_CHARS + 1);
        let (field, code, message) = field_and_code(check_key("f", &long).unwrap_err());
        assert_eq!((field.as_str(), code), ("f", "key_length"));
        assert_eq!(message, "keys must be at most 64 characters long");
    }

    #[test]
    fn a_questionnaire_is_at_most_64_kib() {
        assert_eq!(check_size(MAX_BYTES), Ok(()));
        let (field, code, message) = field_and_code(check_size(MAX_BYTES + 1).unwrap_err());
        assert_eq!((field.as_str(), code), ("sections", "too_large"));
        assert_eq!(message, "the questionnaire must be at most 65536 bytes");
    }
}
