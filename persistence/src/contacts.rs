//! Contacts with the client (seed 003's contact schedule: planned contacts and the record of each
//! one that took place). Success stories (seed 003, free form, shared only with consent) are in
//! [`crate::success_stories`], re-exported here.
//!
//! Rules kept here (the statuses' own rules are `opora_domain::contacts`):
//! - contacts are planned, held, marked missed or cancelled, and given addenda only while the
//!   case is active, by staff who may record case work;
//! - a contact is created planned, or held at once; only a planned one changes (`If-Match` on the
//!   contact's version), to an outcome or rescheduled; a held record, and a missed or cancelled
//!   contact, are then final and take addenda only;
//! - participants from the family are members of the case's client (kept by id, with the name at
//!   the time); staff participants are staff on record;
//!
//! Every change writes its event (and so its audit entry) in the same transaction; every read of
//! the lists is on the audit chain.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use opora_domain::contacts::{ContactCommand, ContactStatus};
use opora_domain::events::{ContactSchedule, ContactSummary, DomainEvent, EventKind};
use opora_domain::labels::ReferenceList;
use opora_domain::Action;
use serde_json::json;

use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::CaseRow;
use crate::schema::{client_members, contact_addenda, contact_participants, contacts, staff};
pub use crate::success_stories::{ConsentWithdrawal, NewStory, NewStoryConsent, StoryRow};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub contact_type: String,
    pub status: String,
    /// When it is planned for or took place (the date filters use it).
    pub contact_at: NaiveDateTime,
    pub scheduled_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    pub purpose: Option<String>,
    pub occurred_at: Option<NaiveDateTime>,
    pub duration_minutes: Option<i32>,
    pub discussed: Option<String>,
    pub agreements: Option<String>,
    pub child_seen: Option<bool>,
    pub child_heard: Option<bool>,
    pub child_note: Option<String>,
    pub next_steps: Option<String>,
    pub outcome_reason: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = contact_participants)]
pub struct ParticipantRow {
    pub contact_id: String,
    pub position: i32,
    pub unit_id: String,
    /// `member`, `staff` or `other`.
    pub kind: String,
    pub member_id: Option<String>,
    pub staff_id: Option<String>,
    /// The member's name at the time, or the other participant as written.
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = contact_addenda)]
pub struct AddendumRow {
    pub id: String,
    pub contact_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub text: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A contact with its participants (in order) and addenda (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub contact: ContactRow,
    pub participants: Vec<ParticipantRow>,
    pub addenda: Vec<AddendumRow>,
}

/// Who takes or took part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Participants {
    /// Ids of members of the case's client.
    pub member_ids: Vec<String>,
    /// Ids of staff members.
    pub staff_ids: Vec<String>,
    /// Anyone else, as written (e.g. "class teacher").
    pub others: Vec<String>,
}

/// The record of a contact that took place.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    pub occurred_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub discussed: String,
    pub agreements: String,
    /// Whether the worker saw the child, and heard the child's own view (seed 000: information
    /// is gathered directly from the child).
    pub child_seen: bool,
    pub child_heard: bool,
    pub child_note: Option<String>,
    pub next_steps: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    /// A code of the `contact_types` classifier: built in, or added by an administrator and
    /// active.
    pub contact_type: String,
    /// `planned` or `held`.
    pub status: ContactStatus,
    /// Needed for a planned contact.
    pub scheduled_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    pub purpose: Option<String>,
    pub participants: Participants,
    /// Needed for a held contact, refused for a planned one.
    pub record: Option<ContactRecord>,
}

/// A change of a planned contact: its outcome, or new plan details (or both).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactChanges {
    /// `held` (with `record`), `missed` or `cancelled` (with `reason`); `None` or `planned`
    /// leaves it planned.
    pub status: Option<ContactStatus>,
    /// A `contact_types` code: active, or the one the contact already has.
    pub contact_type: Option<String>,
    pub scheduled_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    pub purpose: Option<String>,
    /// Replaces the participants (e.g. who actually took part).
    pub participants: Option<Participants>,
    pub record: Option<ContactRecord>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFilter {
    pub status: Option<ContactStatus>,
    /// A `contact_types` code (any, active or not).
    pub contact_type: Option<String>,
    /// From this day on (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Up to this day (UTC), inclusive.
    pub to: Option<NaiveDate>,
}

impl ContactRow {
    /// Where the contact stands.
    pub fn status(&self) -> StoreResult<ContactStatus> {
        crate::error::stored("contact status", &self.status, ContactStatus::parse)
    }
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The participant rows for a contact, after checking every id against the case's family and
/// the staff on record.
fn participant_rows(
    conn: &mut AnyConnection,
    case: &CaseRow,
    contact_id: &str,
    field: &str,
    p: &Participants,
) -> StoreResult<Vec<ParticipantRow>> {
    let members: HashMap<String, String> = client_members::table
        .filter(client_members::client_id.eq(&case.client_id))
        .select((client_members::id, client_members::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    let mut row =
        |kind: &str, member_id: Option<&str>, staff_id: Option<&str>, name: Option<&str>| {
            rows.push(ParticipantRow {
                contact_id: contact_id.to_owned(),
                position: 0,
                unit_id: case.unit_id.clone(),
                kind: kind.to_owned(),
                member_id: member_id.map(str::to_owned),
                staff_id: staff_id.map(str::to_owned),
                name: name.map(str::to_owned),
            });
        };
    let known_staff: Vec<String> = staff::table
        .filter(staff::id.eq_any(&p.staff_ids))
        .select(staff::id)
        .load(conn)?;
    opora_domain::contacts::check_participants(
        field,
        &p.member_ids,
        &p.staff_ids,
        |id| members.contains_key(id),
        |id| known_staff.iter().any(|s| s == id),
    )
    .map_err(StoreError::refused)?;
    for id in &p.member_ids {
        row(
            "member",
            Some(id),
            None,
            members.get(id).map(String::as_str),
        );
    }
    for id in &p.staff_ids {
        row("staff", None, Some(id), None);
    }
    for other in &p.others {
        row("other", None, None, Some(other.trim()));
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.position = position(i);
    }
    Ok(rows)
}

fn write_participants(
    conn: &mut AnyConnection,
    contact_id: &str,
    rows: &[ParticipantRow],
) -> StoreResult<()> {
    diesel::delete(
        contact_participants::table.filter(contact_participants::contact_id.eq(contact_id)),
    )
    .execute(conn)?;
    for row in rows {
        diesel::insert_into(contact_participants::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Participants and addenda of several contacts in two queries.
fn load_contacts(conn: &mut AnyConnection, rows: Vec<ContactRow>) -> StoreResult<Vec<Contact>> {
    let ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
    let mut participants: HashMap<String, Vec<ParticipantRow>> = HashMap::new();
    for p in contact_participants::table
        .filter(contact_participants::contact_id.eq_any(&ids))
        .order((
            contact_participants::contact_id,
            contact_participants::position,
        ))
        .select(ParticipantRow::as_select())
        .load(conn)?
    {
        participants
            .entry(p.contact_id.clone())
            .or_default()
            .push(p);
    }
    let mut addenda: HashMap<String, Vec<AddendumRow>> = HashMap::new();
    for a in contact_addenda::table
        .filter(contact_addenda::contact_id.eq_any(&ids))
        .order(contact_addenda::id)
        .select(AddendumRow::as_select())
        .load(conn)?
    {
        addenda.entry(a.contact_id.clone()).or_default().push(a);
    }
    Ok(rows
        .into_iter()
        .map(|contact| Contact {
            participants: participants.remove(&contact.id).unwrap_or_default(),
            addenda: addenda.remove(&contact.id).unwrap_or_default(),
            contact,
        })
        .collect())
}

fn load_contact(conn: &mut AnyConnection, row: ContactRow) -> StoreResult<Contact> {
    load_contacts(conn, vec![row])?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("contact vanished while loading".into()))
}

fn contact_of_case(
    conn: &mut AnyConnection,
    case: &CaseRow,
    contact_id: &str,
) -> StoreResult<ContactRow> {
    Ok(contacts::table
        .filter(contacts::id.eq(contact_id))
        .filter(contacts::case_id.eq(&case.id))
        .select(ContactRow::as_select())
        .first(conn)?)
}

/// A record of something that took place cannot lie in the future.
fn check_record(field: &str, record: &ContactRecord, at: NaiveDateTime) -> StoreResult<()> {
    opora_domain::contacts::check_occurred_at(field, record.occurred_at, at)
        .map_err(StoreError::refused)
}

fn apply_record(row: &mut ContactRow, record: ContactRecord, by: &str, at: NaiveDateTime) {
    row.contact_at = record.occurred_at;
    row.occurred_at = Some(record.occurred_at);
    row.duration_minutes = Some(record.duration_minutes);
    row.discussed = Some(record.discussed);
    row.agreements = Some(record.agreements);
    row.child_seen = Some(record.child_seen);
    row.child_heard = Some(record.child_heard);
    row.child_note = record.child_note;
    row.next_steps = Some(record.next_steps);
    row.recorded_by = Some(by.to_owned());
    row.recorded_at = Some(at);
}

fn contact_summary(
    row: &ContactRow,
    participants: &[ParticipantRow],
) -> StoreResult<ContactSummary> {
    Ok(ContactSummary {
        contact_id: row.id.clone(),
        contact_type: row.contact_type.clone(),
        status: ContactStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("contact status {}", row.status)))?,
        scheduled_at: row.scheduled_at,
        occurred_at: row.occurred_at,
        child_seen: row.child_seen,
        child_heard: row.child_heard,
        participants: participants.len(),
    })
}

pub(crate) fn day_start(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// For the data-subject export: the contacts of these cases, each with its participants and
/// addenda.
pub(crate) fn export_contacts(
    conn: &mut AnyConnection,
    case_ids: &[String],
) -> StoreResult<serde_json::Value> {
    let rows: Vec<ContactRow> = contacts::table
        .filter(contacts::case_id.eq_any(case_ids))
        .order(contacts::id)
        .select(ContactRow::as_select())
        .load(conn)?;
    let contacts: Vec<serde_json::Value> = load_contacts(conn, rows)?
        .into_iter()
        .map(|c| json!({ "contact": c.contact, "participants": c.participants, "addenda": c.addenda }))
        .collect();
    Ok(serde_json::Value::from(contacts))
}

/// For retention: replaces the free texts of these cases' contacts (their stories:
/// [`crate::success_stories::pseudonymise_stories`]). Run after the client's members are
/// pseudonymised: family participants take their members' new names.
pub(crate) fn pseudonymise_cases(
    conn: &mut AnyConnection,
    case_ids: &[String],
    replacement: &str,
) -> StoreResult<()> {
    diesel::update(contacts::table.filter(contacts::case_id.eq_any(case_ids)))
        .set((
            contacts::place.eq(None::<String>),
            contacts::purpose.eq(None::<String>),
            contacts::agreements.eq(None::<String>),
            contacts::child_note.eq(None::<String>),
            contacts::next_steps.eq(None::<String>),
            contacts::outcome_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(
        contacts::table
            .filter(contacts::case_id.eq_any(case_ids))
            .filter(contacts::discussed.is_not_null()),
    )
    .set(contacts::discussed.eq(replacement))
    .execute(conn)?;
    let contact_ids: Vec<String> = contacts::table
        .filter(contacts::case_id.eq_any(case_ids))
        .select(contacts::id)
        .load(conn)?;
    diesel::update(
        contact_participants::table
            .filter(contact_participants::contact_id.eq_any(&contact_ids))
            .filter(contact_participants::kind.ne("staff")),
    )
    .set(contact_participants::name.eq(replacement))
    .execute(conn)?;
    let member_ids: Vec<Option<String>> = contact_participants::table
        .filter(contact_participants::contact_id.eq_any(&contact_ids))
        .filter(contact_participants::member_id.is_not_null())
        .select(contact_participants::member_id)
        .distinct()
        .load(conn)?;
    let members: Vec<(String, String)> = client_members::table
        .filter(client_members::id.eq_any(member_ids.into_iter().flatten().collect::<Vec<_>>()))
        .select((client_members::id, client_members::full_name))
        .load(conn)?;
    for (member_id, name) in members {
        diesel::update(
            contact_participants::table
                .filter(contact_participants::contact_id.eq_any(&contact_ids))
                .filter(contact_participants::member_id.eq(&member_id)),
        )
        .set(contact_participants::name.eq(name))
        .execute(conn)?;
    }
    diesel::update(contact_addenda::table.filter(contact_addenda::case_id.eq_any(case_ids)))
        .set(contact_addenda::text.eq(replacement))
        .execute(conn)?;
    Ok(())
}

impl Store {
    /// Plans a contact, or records one that took place (status `held`).
    pub fn create_contact(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewContact,
    ) -> StoreResult<Contact> {
        opora_domain::contacts::check_new(
            new.status,
            new.record.is_some(),
            new.scheduled_at.is_some(),
        )
        .map_err(StoreError::refused)?;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            crate::reference::check_code(
                conn,
                ReferenceList::ContactTypes,
                "type",
                &new.contact_type,
            )?;
            let at = now();
            if let Some(record) = &new.record {
                check_record("record", record, at)?;
            }
            let id = new_id();
            let participants =
                participant_rows(conn, &case, &id, "participants", &new.participants)?;
            let mut row = ContactRow {
                id: id.clone(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                contact_type: new.contact_type.clone(),
                status: new.status.code().to_owned(),
                contact_at: new.scheduled_at.unwrap_or(at),
                scheduled_at: new.scheduled_at,
                place: new.place,
                purpose: new.purpose,
                occurred_at: None,
                duration_minutes: None,
                discussed: None,
                agreements: None,
                child_seen: None,
                child_heard: None,
                child_note: None,
                next_steps: None,
                outcome_reason: None,
                recorded_by: None,
                recorded_at: None,
                version: 1,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                updated_at: at,
            };
            if let Some(record) = new.record {
                apply_record(&mut row, record, &caller.actor.staff_id, at);
            }
            diesel::insert_into(contacts::table)
                .values(&row)
                .execute(conn)?;
            write_participants(conn, &id, &participants)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::Contact(contact_summary(&row, &participants)?),
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(Contact {
                contact: row,
                participants,
                addenda: Vec::new(),
            })
        })
    }

    /// Records the outcome of a planned contact (held with its record, missed or cancelled with
    /// a reason), or changes its plan, if the contact is still at `expected_version`.
    pub fn update_contact(
        &self,
        caller: &Caller,
        case_id: &str,
        contact_id: &str,
        expected_version: i64,
        changes: ContactChanges,
    ) -> StoreResult<Contact> {
        let outcome = changes.status.filter(|s| *s != ContactStatus::Planned);
        let changes_plan = changes.contact_type.is_some()
            || changes.scheduled_at.is_some()
            || changes.place.is_some()
            || changes.purpose.is_some()
            || changes.participants.is_some();
        opora_domain::contacts::check_change(
            outcome,
            changes.record.is_some(),
            changes.reason.is_some(),
            changes_plan,
        )
        .map_err(StoreError::refused)?;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let before = contact_of_case(conn, &case, contact_id)?;
            if before.version != expected_version {
                return Err(StoreError::VersionMismatch {
                    current: before.version,
                });
            }
            let command = outcome.map_or(ContactCommand::Reschedule, ContactCommand::recording);
            let after = before
                .status()?
                .next(command)
                .map_err(StoreError::refused)?;
            let at = now();
            if let Some(record) = &changes.record {
                check_record("record", record, at)?;
            }
            let due = changes.scheduled_at.unwrap_or(before.contact_at);
            if outcome == Some(ContactStatus::Missed) {
                let due_has_come = opora_domain::contacts::due_has_come(due, at);
                opora_domain::contacts::may_be_missed(due_has_come).map_err(StoreError::refused)?;
            }
            let mut row = before.clone();
            if let Some(t) = &changes.contact_type {
                if *t != before.contact_type {
                    crate::reference::check_code(conn, ReferenceList::ContactTypes, "type", t)?;
                }
                row.contact_type = t.clone();
            }
            if let Some(s) = changes.scheduled_at {
                row.scheduled_at = Some(s);
                row.contact_at = s;
            }
            if let Some(place) = changes.place {
                row.place = Some(place);
            }
            if let Some(purpose) = changes.purpose {
                row.purpose = Some(purpose);
            }
            let participants = match &changes.participants {
                Some(p) => {
                    let rows = participant_rows(conn, &case, &row.id, "participants", p)?;
                    write_participants(conn, &row.id, &rows)?;
                    rows
                }
                None => contact_participants::table
                    .filter(contact_participants::contact_id.eq(&row.id))
                    .order(contact_participants::position)
                    .select(ParticipantRow::as_select())
                    .load(conn)?,
            };
            let action = match outcome {
                Some(_) => {
                    row.status = after.code().to_owned();
                    match changes.record {
                        Some(record) => apply_record(&mut row, record, &caller.actor.staff_id, at),
                        None => {
                            row.outcome_reason = changes.reason.clone();
                            row.recorded_by = Some(caller.actor.staff_id.clone());
                            row.recorded_at = Some(at);
                        }
                    }
                    EventKind::contact(after)
                }
                None => EventKind::ContactRescheduled,
            };
            row.version += 1;
            row.updated_at = at;
            let updated = diesel::update(
                contacts::table
                    .filter(contacts::id.eq(&row.id))
                    .filter(contacts::version.eq(expected_version)),
            )
            .set((
                contacts::contact_type.eq(&row.contact_type),
                contacts::status.eq(&row.status),
                contacts::contact_at.eq(row.contact_at),
                contacts::scheduled_at.eq(row.scheduled_at),
                contacts::place.eq(&row.place),
                contacts::purpose.eq(&row.purpose),
                contacts::occurred_at.eq(row.occurred_at),
                contacts::duration_minutes.eq(row.duration_minutes),
                contacts::discussed.eq(&row.discussed),
                contacts::agreements.eq(&row.agreements),
                contacts::child_seen.eq(row.child_seen),
                contacts::child_heard.eq(row.child_heard),
                contacts::child_note.eq(&row.child_note),
                contacts::next_steps.eq(&row.next_steps),
                contacts::outcome_reason.eq(&row.outcome_reason),
                contacts::recorded_by.eq(&row.recorded_by),
                contacts::recorded_at.eq(row.recorded_at),
                contacts::version.eq(row.version),
                contacts::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::VersionMismatch {
                    current: contacts::table
                        .find(&row.id)
                        .select(contacts::version)
                        .first(conn)?,
                })
            })?;
            let contact = contact_summary(&row, &participants)?;
            let event = if action == EventKind::ContactRescheduled {
                DomainEvent::ContactRescheduled {
                    contact,
                    before: ContactSchedule {
                        contact_type: before.contact_type.clone(),
                        scheduled_at: before.scheduled_at,
                    },
                }
            } else {
                DomainEvent::Contact(contact)
            };
            events::record(
                conn,
                &subject(&case),
                event,
                &caller.actor.staff_id,
                at,
                changes.reason,
            )?;
            load_contact(conn, row)
        })
    }

    /// Appends an addendum to a contact whose outcome is recorded (the record stays as it was).
    pub fn add_contact_addendum(
        &self,
        caller: &Caller,
        case_id: &str,
        contact_id: &str,
        text: String,
    ) -> StoreResult<Contact> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row = contact_of_case(conn, &case, contact_id)?;
            row.status()?
                .next(ContactCommand::AppendAddendum)
                .map_err(StoreError::refused)?;
            let at = now();
            let addendum = AddendumRow {
                id: new_id(),
                contact_id: row.id.clone(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                text,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(contact_addenda::table)
                .values(&addendum)
                .execute(conn)?;
            row.version += 1;
            row.updated_at = at;
            let updated = diesel::update(
                contacts::table
                    .filter(contacts::id.eq(&row.id))
                    .filter(contacts::version.eq(row.version - 1)),
            )
            .set((
                contacts::version.eq(row.version),
                contacts::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the contact record changed meanwhile; read it again".into(),
                ))
            })?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::ContactAddendumAdded {
                    contact_id: row.id.clone(),
                    addendum_id: addendum.id.clone(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            load_contact(conn, row)
        })
    }

    /// One contact of the case.
    pub fn get_contact(
        &self,
        caller: &Caller,
        case_id: &str,
        contact_id: &str,
    ) -> StoreResult<Contact> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            let row = contact_of_case(conn, &case, contact_id)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_contact",
                contact_id,
                &case.unit_id,
                Some(&case.id),
            )?;
            load_contact(conn, row)
        })
    }

    /// The case's contacts, in date order (planned date, or when it took place).
    pub fn list_contacts(
        &self,
        caller: &Caller,
        case_id: &str,
        filter: &ContactFilter,
    ) -> StoreResult<Vec<Contact>> {
        opora_domain::contacts::check_period(filter.from, filter.to)
            .map_err(StoreError::refused)?;
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_contacts",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let mut query = contacts::table
                .filter(contacts::case_id.eq(&case.id))
                .order((contacts::contact_at, contacts::id))
                .select(ContactRow::as_select())
                .into_boxed();
            if let Some(status) = filter.status {
                query = query.filter(contacts::status.eq(status.code()));
            }
            if let Some(t) = &filter.contact_type {
                query = query.filter(contacts::contact_type.eq(t.clone()));
            }
            if let Some(from) = filter.from {
                query = query.filter(contacts::contact_at.ge(day_start(from)));
            }
            if let Some(next) = filter.to.and_then(|d| d.succ_opt()) {
                query = query.filter(contacts::contact_at.lt(day_start(next)));
            }
            let rows = query.load(conn)?;
            load_contacts(conn, rows)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::schema::success_stories;

    use crate::testing::stores;

    #[test]
    fn the_contact_tables_read_back_through_the_shared_schema_on_each_backend() {
        let (stores, _dir) = stores();
        for store in stores {
            let mut conn = store.conn().unwrap();
            let conn = &mut *conn;
            contacts::table
                .select(ContactRow::as_select())
                .load(conn)
                .unwrap();
            contact_participants::table
                .select(ParticipantRow::as_select())
                .load(conn)
                .unwrap();
            contact_addenda::table
                .select(AddendumRow::as_select())
                .load(conn)
                .unwrap();
            success_stories::table
                .select(StoryRow::as_select())
                .load(conn)
                .unwrap();
        }
    }
}
