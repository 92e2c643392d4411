//! Reference data: every list of codes with its labels. Fixed lists and the built-in entries of
//! extensible classifiers come from the domain (`opora_domain::labels`); administrators add
//! entries to the extensible ones (client categories, report sources, life domains, contact types)
//! and may deactivate those they added. Such entries are stored in `classifier_entries`, and every
//! change is on the audit chain in the same transaction. Reference data is not unit-scoped: every
//! staff member reads the same lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::labels::{BuiltIn, Language, ReferenceList};
use opora_domain::reference::{self as rules, ListedEntry};
pub use opora_domain::reference::{CodeStatus, MAX_LABEL_CHARS};
use opora_domain::Action;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::schema::classifier_entries;
use crate::{now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// A stored entry of an extensible list.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = classifier_entries)]
pub struct ClassifierRow {
    pub list: String,
    pub code: String,
    pub label_en: String,
    pub label_uk: String,
    pub label_ru: String,
    pub label_cs: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// An entry's label in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLabels {
    pub en: String,
    pub uk: String,
    pub ru: String,
    pub cs: String,
}

impl EntryLabels {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Uk => &self.uk,
            Language::Ru => &self.ru,
            Language::Cs => &self.cs,
        }
    }

    fn trimmed(&self) -> EntryLabels {
        EntryLabels {
            en: self.en.trim().to_owned(),
            uk: self.uk.trim().to_owned(),
            ru: self.ru.trim().to_owned(),
            cs: self.cs.trim().to_owned(),
        }
    }
}

/// One entry of a list: built in (from the domain) or added by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceEntry {
    pub list: ReferenceList,
    pub code: String,
    pub labels: EntryLabels,
    /// Inactive entries stay listed (records may use them) but should not be offered for new ones.
    pub active: bool,
    pub built_in: bool,
    /// Who added it, and when (`None` for built-in entries).
    pub created_by: Option<String>,
    pub created_at: Option<NaiveDateTime>,
}

impl ReferenceEntry {
    fn built_in(list: ReferenceList, b: BuiltIn) -> Self {
        ReferenceEntry {
            list,
            code: b.code.to_owned(),
            labels: EntryLabels {
                en: b.labels.en.to_owned(),
                uk: b.labels.uk.to_owned(),
                ru: b.labels.ru.to_owned(),
                cs: b.labels.cs.to_owned(),
            },
            active: true,
            built_in: true,
            created_by: None,
            created_at: None,
        }
    }

    fn stored(list: ReferenceList, row: ClassifierRow) -> Self {
        ReferenceEntry {
            list,
            code: row.code,
            labels: EntryLabels {
                en: row.label_en,
                uk: row.label_uk,
                ru: row.label_ru,
                cs: row.label_cs,
            },
            active: row.active,
            built_in: false,
            created_by: Some(row.created_by),
            created_at: Some(row.created_at),
        }
    }
}

/// A new entry of an extensible list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub code: String,
    pub labels: EntryLabels,
}

fn stored_rows(conn: &mut AnyConnection, list: ReferenceList) -> StoreResult<Vec<ClassifierRow>> {
    Ok(classifier_entries::table
        .filter(classifier_entries::list.eq(list.code()))
        .order((classifier_entries::created_at, classifier_entries::code))
        .select(ClassifierRow::as_select())
        .load(conn)?)
}

/// Where `code` stands in `list`: built in, or stored and active or not, or unknown. A fixed list
/// has its built-in codes only.
pub fn code_status(
    conn: &mut AnyConnection,
    list: ReferenceList,
    code: &str,
) -> StoreResult<CodeStatus> {
    if list.is_built_in(code) {
        return Ok(CodeStatus::Active);
    }
    if !list.is_extensible() {
        return Ok(CodeStatus::Unknown);
    }
    let active: Option<bool> = classifier_entries::table
        .find((list.code(), code))
        .select(classifier_entries::active)
        .first(conn)
        .optional()?;
    Ok(match active {
        Some(true) => CodeStatus::Active,
        Some(false) => CodeStatus::Inactive,
        None => CodeStatus::Unknown,
    })
}

/// Whether `code` may be used by a new record: a built-in code of `list` or an active one an
/// administrator added.
pub fn is_active_code(
    conn: &mut AnyConnection,
    list: ReferenceList,
    code: &str,
) -> StoreResult<bool> {
    Ok(code_status(conn, list, code)? == CodeStatus::Active)
}

/// Checks a code a record is given against its classifier: 422 naming `field` when the code is
/// unknown (`unknown_code`) or deactivated (`inactive_code`).
pub fn check_code(
    conn: &mut AnyConnection,
    list: ReferenceList,
    field: &str,
    code: &str,
) -> StoreResult<()> {
    let status = code_status(conn, list, code)?;
    rules::check_code(list, field, code, status).map_err(StoreError::refused)
}

/// Every entry of a list: built-in ones in the domain's order, then stored ones oldest first.
fn entries(conn: &mut AnyConnection, list: ReferenceList) -> StoreResult<Vec<ReferenceEntry>> {
    let mut out: Vec<ReferenceEntry> = list
        .built_in()
        .into_iter()
        .map(|b| ReferenceEntry::built_in(list, b))
        .collect();
    if list.is_extensible() {
        out.extend(
            stored_rows(conn, list)?
                .into_iter()
                .map(|r| ReferenceEntry::stored(list, r)),
        );
    }
    Ok(out)
}

/// The new entry's labels, trimmed, once the domain accepts its code and labels.
fn check_new(new: &NewEntry) -> StoreResult<EntryLabels> {
    let labels = new.labels.trimmed();
    rules::check_new_entry(&new.code, |language| labels.get(language))
        .map_err(StoreError::refused)?;
    Ok(labels)
}

impl Store {
    /// Every entry of a list (any staff member).
    pub fn reference_entries(
        &self,
        caller: &Caller,
        list: ReferenceList,
    ) -> StoreResult<Vec<ReferenceEntry>> {
        caller.require(Action::ReadDirectory)?;
        if !list.is_extensible() {
            return Ok(list
                .built_in()
                .into_iter()
                .map(|b| ReferenceEntry::built_in(list, b))
                .collect());
        }
        self.read(|conn| entries(conn, list))
    }

    /// One entry of a list with all its labels (any staff member).
    pub fn reference_entry(
        &self,
        caller: &Caller,
        list: ReferenceList,
        code: &str,
    ) -> StoreResult<ReferenceEntry> {
        self.reference_entries(caller, list)?
            .into_iter()
            .find(|e| e.code == code)
            .ok_or(StoreError::NotFound)
    }

    /// Adds an entry to an extensible list (administrators). The code must be new to the list and
    /// each label new to it in its language, so that no two entries read the same.
    pub fn add_reference_entry(
        &self,
        caller: &Caller,
        list: ReferenceList,
        new: NewEntry,
    ) -> StoreResult<ReferenceEntry> {
        caller.require(Action::ManageDirectory)?;
        rules::check_extensible(list).map_err(StoreError::refused)?;
        let labels = check_new(&new)?;
        self.write(|conn| {
            let existing = entries(conn, list)?;
            let listed: Vec<ListedEntry<'_>> = existing
                .iter()
                .map(|e| ListedEntry {
                    code: &e.code,
                    built_in: e.built_in,
                    labels: [&e.labels.en, &e.labels.uk, &e.labels.ru, &e.labels.cs],
                })
                .collect();
            rules::check_unique_entry(list, &new.code, |language| labels.get(language), &listed)
                .map_err(StoreError::refused)?;
            let row = ClassifierRow {
                list: list.code().to_owned(),
                code: new.code.clone(),
                label_en: labels.en.clone(),
                label_uk: labels.uk.clone(),
                label_ru: labels.ru.clone(),
                label_cs: labels.cs.clone(),
                active: true,
                created_by: caller.actor.staff_id.clone(),
                created_at: now(),
            };
            diesel::insert_into(classifier_entries::table)
                .values(&row)
                .execute(conn)?;
            let subject = format!("{list}/{}", row.code);
            audit::append(
                conn,
                Entry {
                    actor_id: &caller.actor.staff_id,
                    at: row.created_at,
                    action: "reference_entry.created",
                    subject_type: "reference_entry",
                    subject_id: &subject,
                    unit_id: &caller.unit_id,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload: json!({
                        "list": list.code(),
                        "code": row.code,
                        "labels": {"en": row.label_en, "uk": row.label_uk, "ru": row.label_ru, "cs": row.label_cs},
                    }),
                },
            )?;
            Ok(ReferenceEntry::stored(list, row))
        })
    }

    /// Deactivates an entry an administrator added (built-in entries cannot be). Deactivating an
    /// inactive entry changes nothing.
    pub fn deactivate_reference_entry(
        &self,
        caller: &Caller,
        list: ReferenceList,
        code: &str,
    ) -> StoreResult<ReferenceEntry> {
        caller.require(Action::ManageDirectory)?;
        rules::check_deactivatable(list, code).map_err(StoreError::refused)?;
        if !list.is_extensible() {
            return Err(StoreError::NotFound);
        }
        self.write(|conn| {
            let row: ClassifierRow = classifier_entries::table
                .find((list.code(), code))
                .select(ClassifierRow::as_select())
                .first(conn)?;
            // Conditional on the entry still being active: of parallel deactivations one writes
            // (and is audited); the others change nothing.
            let updated = diesel::update(
                classifier_entries::table
                    .find((list.code(), code))
                    .filter(classifier_entries::active.eq(true)),
            )
            .set(classifier_entries::active.eq(false))
            .execute(conn)?;
            if updated == 0 {
                return Ok(ReferenceEntry::stored(
                    list,
                    ClassifierRow {
                        active: false,
                        ..row
                    },
                ));
            }
            let subject = format!("{list}/{code}");
            audit::append(
                conn,
                Entry {
                    actor_id: &caller.actor.staff_id,
                    at: now(),
                    action: "reference_entry.deactivated",
                    subject_type: "reference_entry",
                    subject_id: &subject,
                    unit_id: &caller.unit_id,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload: json!({"list": list.code(), "code": code}),
                },
            )?;
            Ok(ReferenceEntry::stored(
                list,
                ClassifierRow {
                    active: false,
                    ..row
                },
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use opora_domain::{Role, UnitKind};

    use crate::directory::{NewUnit, StaffUpsert};

    use crate::testing::stores;

    fn caller(store: &Store, id: &str, role: Role) -> Caller {
        let unit = match store.root_unit().unwrap() {
            Some(u) => u.id,
            None => {
                store
                    .create_unit(NewUnit {
                        parent_id: None,
                        kind: UnitKind::Department,
                        name: "D".into(),
                    })
                    .unwrap()
                    .id
            }
        };
        store
            .upsert_staff(StaffUpsert {
                id: id.into(),
                full_name: None,
                roles: vec![role],
                unit_id: Some(unit),
                active: true,
            })
            .unwrap();
        store.authenticate(id).unwrap().unwrap()
    }

    fn labels(en: &str) -> EntryLabels {
        EntryLabels {
            en: en.into(),
            uk: format!("{en} (uk)"),
            ru: format!("{en} (ru)"),
            cs: format!("{en} (cs)"),
        }
    }

    #[test]
    fn an_added_entry_reads_back_on_each_backend_and_is_audited() {
        let (stores, _dir) = stores();
        for store in stores {
            let admin = caller(&store, "admin", Role::Admin);
            let added = store
                .add_reference_entry(
                    &admin,
                    ReferenceList::ClientCategories,
                    NewEntry {
                        code: "roma_families".into(),
                        labels: labels("  Roma families "),
                    },
                )
                .unwrap();
            assert_eq!(added.labels.en, "Roma families");
            let mut conn = store.conn().unwrap();
            let rows: Vec<ClassifierRow> = classifier_entries::table
                .select(ClassifierRow::as_select())
                .load(&mut *conn)
                .unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(added.created_at, Some(rows[0].created_at));
            drop(conn);
            let all = store
                .reference_entries(&admin, ReferenceList::ClientCategories)
                .unwrap();
            assert_eq!(all.last(), Some(&added));
            assert!(all.iter().filter(|e| e.built_in).count() >= 25);

            let gone = store
                .deactivate_reference_entry(
                    &admin,
                    ReferenceList::ClientCategories,
                    "roma_families",
                )
                .unwrap();
            assert!(!gone.active);
            let again = store
                .deactivate_reference_entry(
                    &admin,
                    ReferenceList::ClientCategories,
                    "roma_families",
                )
                .unwrap();
            assert_eq!(again, gone);
            let read = store
                .reference_entry(&admin, ReferenceList::ClientCategories, "roma_families")
                .unwrap();
            assert!(!read.active);

            store.integrate_audit().unwrap();
            let mut conn = store.conn().unwrap();
            let actions: Vec<String> = crate::schema::audit_entries::table
                .order(crate::schema::audit_entries::seq)
                .select(crate::schema::audit_entries::action)
                .load(&mut *conn)
                .unwrap();
            assert_eq!(
                actions,
                vec!["reference_entry.created", "reference_entry.deactivated"]
            );
            drop(conn);
            assert!(store.verify_audit(None).unwrap().valid);
        }
    }

    #[test]
    fn the_rules_of_adding_and_deactivating() {
        let (stores, _dir) = stores();
        for store in stores {
            let admin = caller(&store, "admin", Role::Admin);
            let manager = caller(&store, "cm", Role::CaseManager);
            let add = |who: &Caller, list, code: &str, en: &str| {
                store.add_reference_entry(
                    who,
                    list,
                    NewEntry {
                        code: code.into(),
                        labels: labels(en),
                    },
                )
            };
            use ReferenceList::*;
            assert!(matches!(
                add(&manager, ContactTypes, "group_session", "Group session"),
                Err(StoreError::Forbidden(Action::ManageDirectory))
            ));
            add(&admin, ContactTypes, "group_session", "Group session").unwrap();
            assert!(matches!(
                add(&admin, ContactTypes, "group_session", "Another"),
                Err(StoreError::RequirementUnmet {
                    code: "duplicate_code",
                    ..
                })
            ));
            assert!(matches!(
                add(&admin, ContactTypes, "home_visit", "Another"),
                Err(StoreError::RequirementUnmet {
                    code: "duplicate_code",
                    ..
                })
            ));
            assert!(matches!(
                add(&admin, ContactTypes, "visit_at_home", "home visit"),
                Err(StoreError::RequirementUnmet {
                    code: "duplicate_label",
                    ..
                })
            ));
            // The same code in another list is another entry.
            add(&admin, LifeDomains, "group_session", "Group session").unwrap();
            assert!(matches!(
                add(&admin, LifecycleStages, "archived", "Archived"),
                Err(StoreError::RequirementUnmet {
                    code: "fixed_list",
                    ..
                })
            ));
            assert!(matches!(
                add(&admin, ContactTypes, "Bad-Code", "Bad"),
                Err(StoreError::Invalid { ref field, .. }) if field == "code"
            ));
            let mut blank = labels("Blank");
            blank.ru = "   ".into();
            assert!(matches!(
                store.add_reference_entry(&admin, ContactTypes, NewEntry { code: "blank".into(), labels: blank }),
                Err(StoreError::Invalid { ref field, .. }) if field == "labels.ru"
            ));
            assert!(matches!(
                store.deactivate_reference_entry(&admin, ContactTypes, "home_visit"),
                Err(StoreError::RequirementUnmet {
                    code: "built_in_entry",
                    ..
                })
            ));
            assert!(matches!(
                store.deactivate_reference_entry(&admin, LifecycleStages, "closed"),
                Err(StoreError::RequirementUnmet { .. })
            ));
            assert!(matches!(
                store.deactivate_reference_entry(&admin, ContactTypes, "no_such"),
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                store.deactivate_reference_entry(&manager, ContactTypes, "group_session"),
                Err(StoreError::Forbidden(_))
            ));
            let read = store.reference_entries(&manager, LifecycleStages).unwrap();
            assert_eq!(read.len(), 10);
        }
    }

    #[test]
    fn a_code_is_active_when_built_in_or_added_and_not_deactivated() {
        let (stores, _dir) = stores();
        for store in stores {
            let admin = caller(&store, "admin", Role::Admin);
            let list = ReferenceList::ReportSources;
            store
                .add_reference_entry(
                    &admin,
                    list,
                    NewEntry {
                        code: "church_parish".into(),
                        labels: labels("Church parish"),
                    },
                )
                .unwrap();
            let mut conn = store.conn().unwrap();
            assert!(is_active_code(&mut conn, list, "hotline").unwrap());
            assert!(is_active_code(&mut conn, list, "church_parish").unwrap());
            assert!(!is_active_code(&mut conn, list, "no_such").unwrap());
            // The same code in another list is not a code of this one.
            assert!(
                !is_active_code(&mut conn, ReferenceList::LifeDomains, "church_parish").unwrap()
            );
            assert_eq!(
                code_status(&mut conn, ReferenceList::LifecycleStages, "intake").unwrap(),
                CodeStatus::Active
            );
            drop(conn);
            store
                .deactivate_reference_entry(&admin, list, "church_parish")
                .unwrap();
            let mut conn = store.conn().unwrap();
            assert_eq!(
                code_status(&mut conn, list, "church_parish").unwrap(),
                CodeStatus::Inactive
            );
            assert!(matches!(
                check_code(&mut conn, list, "source", "church_parish"),
                Err(StoreError::Invalid { ref field, code: "inactive_code", .. }) if field == "source"
            ));
            assert!(matches!(
                check_code(&mut conn, list, "source", "no_such"),
                Err(StoreError::Invalid {
                    code: "unknown_code",
                    ..
                })
            ));
        }
    }
}
