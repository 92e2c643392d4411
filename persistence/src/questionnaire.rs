//! The client questionnaire (seed 003, "анкета клиента"): the non-sensitive sections, one
//! versioned record per client (optimistic, like the client: the caller names the version they
//! saw, 0 before the first write). Each section is a JSON object whose top-level keys are the
//! section's known questions; strings are bounded.
//!
//! The questionnaire's sensitive questions are not here: they are sensitive sections of the client
//! ([`crate::confidentiality`]), written by the case team and read only under the rules there:
//! identity documents (kinds and numbers) → `identity_documents`; history of substance use and its
//! treatment → `substance_use`; legal situation (offences before and after, convictions) →
//! `legal_history`, current problems with the police or courts → `conflict_with_law`; physical
//! health and illnesses → `health` (HIV status → `hiv_status`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::events::DomainEvent;
use opora_domain::questionnaire as rules;
use opora_domain::Action;
use serde_json::{json, Map, Value};

use crate::events::{self, Subject};
use crate::models::{ClientRow, QuestionnaireRow};
use crate::schema::{client_questionnaires, clients};
use crate::{now, AnyConnection, Caller, Store, StoreError, StoreResult};

pub use opora_domain::questionnaire::{MAX_BYTES, MAX_DEPTH, MAX_ITEMS, MAX_TEXT_CHARS, SECTIONS};

/// A client's questionnaire: `version` 0 and no author before the first write.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub client_id: String,
    pub unit_id: String,
    /// Section → its answers; sections never filled are absent.
    pub sections: Map<String, Value>,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Walks an answer, asking the domain's rules about each value met.
fn check_value(field: &str, value: &Value, depth: usize) -> StoreResult<()> {
    rules::check_depth(field, depth).map_err(StoreError::refused)?;
    match value {
        Value::String(text) => rules::check_text(field, text).map_err(StoreError::refused),
        Value::Array(items) => {
            rules::check_items(field, items.len()).map_err(StoreError::refused)?;
            for (i, item) in items.iter().enumerate() {
                check_value(&format!("{field}[{i}]"), item, depth + 1)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            rules::check_keys(field, map.len()).map_err(StoreError::refused)?;
            for (key, item) in map {
                rules::check_key(field, key).map_err(StoreError::refused)?;
                check_value(&format!("{field}.{key}"), item, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The sections whose answers differ, by name: what the event records (never the answers).
fn changed_sections(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Checks the shape: known sections, each an object (or `null`, left out) of known questions.
pub fn check_sections(sections: &Map<String, Value>) -> StoreResult<Map<String, Value>> {
    let mut out = Map::new();
    for (name, content) in sections {
        let questions = rules::check_section(name).map_err(StoreError::refused)?;
        if content.is_null() {
            continue;
        }
        rules::check_section_is_object(name, content.is_object()).map_err(StoreError::refused)?;
        let Some(map) = content.as_object() else {
            continue;
        };
        for (key, value) in map {
            rules::check_question(name, questions, key).map_err(StoreError::refused)?;
            check_value(&format!("{name}.{key}"), value, 1)?;
        }
        out.insert(name.clone(), Value::Object(map.clone()));
    }
    rules::check_size(Value::Object(out.clone()).to_string().len()).map_err(StoreError::refused)?;
    Ok(out)
}

fn load(conn: &mut AnyConnection, client: &ClientRow) -> StoreResult<Questionnaire> {
    let row: Option<QuestionnaireRow> = client_questionnaires::table
        .find(&client.id)
        .select(QuestionnaireRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => Questionnaire {
            client_id: row.client_id,
            unit_id: row.unit_id,
            sections: match serde_json::from_str(&row.content) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
            version: row.version,
            updated_by: Some(row.updated_by),
            updated_at: Some(row.updated_at),
        },
        None => Questionnaire {
            client_id: client.id.clone(),
            unit_id: client.unit_id.clone(),
            sections: Map::new(),
            version: 0,
            updated_by: None,
            updated_at: None,
        },
    })
}

fn client_row(conn: &mut AnyConnection, id: &str) -> StoreResult<ClientRow> {
    Ok(clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)?)
}

/// The stored questionnaire of a client, for the data-subject export.
pub(crate) fn export(conn: &mut AnyConnection, client_id: &str) -> StoreResult<Value> {
    let row: Option<QuestionnaireRow> = client_questionnaires::table
        .find(client_id)
        .select(QuestionnaireRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => json!({
            "sections": serde_json::from_str::<Value>(&row.content).unwrap_or(Value::Null),
            "version": row.version,
            "updated_by": row.updated_by,
            "updated_at": crate::audit::format_time(row.updated_at),
        }),
        None => Value::Null,
    })
}

/// Deletes a client's questionnaire (retention).
pub(crate) fn erase(conn: &mut AnyConnection, client_id: &str) -> StoreResult<()> {
    diesel::delete(client_questionnaires::table.find(client_id)).execute(conn)?;
    Ok(())
}

impl Store {
    /// A client's questionnaire (whoever reads the client's records).
    pub fn questionnaire(&self, caller: &Caller, client_id: &str) -> StoreResult<Questionnaire> {
        self.read_recorded(|conn, looks| {
            let client = client_row(conn, client_id)?;
            caller.require_on(&client.unit_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "client_questionnaire",
                client_id,
                &client.unit_id,
                None,
            )?;
            load(conn, &client)
        })
    }

    /// Replaces a client's questionnaire if it is still at `expected_version` (0: never written).
    pub fn put_questionnaire(
        &self,
        caller: &Caller,
        client_id: &str,
        expected_version: i64,
        sections: &Map<String, Value>,
    ) -> StoreResult<Questionnaire> {
        self.write(|conn| {
            let client = client_row(conn, client_id)?;
            caller.require_on(&client.unit_id, Action::EditClient)?;
            let sections = check_sections(sections)?;
            let before = load(conn, &client)?;
            if before.version != expected_version {
                return Err(StoreError::VersionMismatch {
                    current: before.version,
                });
            }
            let at = now();
            let row = QuestionnaireRow {
                client_id: client.id.clone(),
                unit_id: client.unit_id.clone(),
                content: Value::Object(sections.clone()).to_string(),
                version: before.version + 1,
                updated_by: caller.actor.staff_id.clone(),
                updated_at: at,
            };
            if before.version == 0 {
                diesel::insert_into(client_questionnaires::table)
                    .values(&row)
                    .execute(conn)?;
            } else {
                let updated = diesel::update(
                    client_questionnaires::table
                        .filter(client_questionnaires::client_id.eq(&client.id))
                        .filter(client_questionnaires::version.eq(expected_version)),
                )
                .set((
                    client_questionnaires::content.eq(&row.content),
                    client_questionnaires::version.eq(row.version),
                    client_questionnaires::updated_by.eq(&row.updated_by),
                    client_questionnaires::updated_at.eq(at),
                ))
                .execute(conn)?;
                crate::db::compare_and_set(updated, || {
                    Ok(StoreError::VersionMismatch {
                        current: client_questionnaires::table
                            .filter(client_questionnaires::client_id.eq(&client.id))
                            .select(client_questionnaires::version)
                            .first(conn)?,
                    })
                })?;
            }
            events::record(
                conn,
                &Subject {
                    unit_id: client.unit_id.clone(),
                    client_id: Some(client.id.clone()),
                    ..Subject::default()
                },
                DomainEvent::QuestionnaireUpdated {
                    before_version: before.version,
                    version: row.version,
                    changed_sections: changed_sections(&before.sections, &sections),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(Questionnaire {
                client_id: row.client_id,
                unit_id: row.unit_id,
                sections,
                version: row.version,
                updated_by: Some(row.updated_by),
                updated_at: Some(at),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn sections(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn known_sections_and_questions_pass_and_others_are_named() {
        let ok = check_sections(&sections(json!({
            "education": {"level": "secondary", "studying_now": false},
            "relatives": {"list": [{"name": "Anna", "relation": "mother"}]},
            "work": null,
        })))
        .unwrap();
        assert_eq!(ok.len(), 2);
        let field = |v: Value| match check_sections(&sections(v)) {
            Err(StoreError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(json!({"health": {"x": 1}})), "health");
        assert_eq!(
            field(json!({"housing": {"colour": "red"}})),
            "housing.colour"
        );
        assert_eq!(field(json!({"housing": "flat"})), "housing");
        assert_eq!(
            field(json!({"housing": {"notes": "x".repeat(MAX_TEXT_CHARS + 1)}})),
            "housing.notes"
        );
        assert_eq!(
            field(json!({"relatives": {"list": [{"a": {"b": {"c": 1}}}]}})),
            "relatives.list[0].a.b"
        );
    }
}
