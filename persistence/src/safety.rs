//! Child-safety concerns (seed 000: case management's protective function). A concern may be
//! raised on a report or a case at any time by the staff working on it; it goes to the unit's
//! supervisors at once (their work queue) and needs a recorded safety decision within the
//! emergency deadline. Raising and deciding are events on the record and on the audit chain.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::deadlines::{due_at, SafetyDecision};
use opora_domain::events::DomainEvent;
use opora_domain::safety::{SafetyConcernCommand, SafetyConcernRefusal, SafetyConcernStatus};
use opora_domain::{Action, Urgency};

use crate::case_records::case_for;
use crate::events::{self, Subject};
use crate::models::ReportRow;
use crate::schema::{intake_reports, safety_concerns};
use crate::visibility::{require_record, visible_case_records, visible_record};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = safety_concerns)]
pub struct SafetyConcern {
    pub id: String,
    pub unit_id: String,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
    pub description: String,
    pub raised_by: String,
    pub raised_at: NaiveDateTime,
    pub decision_due_at: NaiveDateTime,
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

impl SafetyConcern {
    /// Raised, or decided (its decision is on record).
    pub fn status(&self) -> SafetyConcernStatus {
        SafetyConcernStatus::of(self.decided_at.is_some())
    }

    pub fn overdue(&self, at: NaiveDateTime) -> bool {
        self.status() == SafetyConcernStatus::Raised && self.decision_due_at < at
    }
}

/// What a concern is raised on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConcernTarget {
    Report(String),
    Case(String),
}

fn subject_of(concern: &SafetyConcern) -> Subject {
    Subject {
        unit_id: concern.unit_id.clone(),
        case_id: concern.case_id.clone(),
        report_id: concern.report_id.clone(),
        client_id: None,
    }
}

/// The concern, if the caller sees what it was raised on.
fn visible_concern(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<SafetyConcern> {
    let concern: SafetyConcern = safety_concerns::table
        .find(id)
        .select(SafetyConcern::as_select())
        .first(conn)?;
    if !visible_record(conn, caller, &concern.unit_id, concern.case_id.as_deref())? {
        return Err(StoreError::NotFound);
    }
    Ok(concern)
}

impl Store {
    /// Raises a concern; the decision is due within the emergency deadline.
    pub fn raise_safety_concern(
        &self,
        caller: &Caller,
        target: ConcernTarget,
        description: String,
    ) -> StoreResult<SafetyConcern> {
        self.write(|conn| {
            let (unit_id, report_id, case_id) = match &target {
                ConcernTarget::Case(id) => {
                    let case = case_for(conn, caller, id, Action::ReadCaseRecords)?;
                    if !opora_domain::access::may_raise_safety_concern_on_case(&caller.actor) {
                        return Err(StoreError::Forbidden(Action::RecordCaseWork));
                    }
                    (case.unit_id, Some(case.report_id), Some(case.id))
                }
                ConcernTarget::Report(id) => {
                    let report: ReportRow = intake_reports::table
                        .find(id)
                        .select(ReportRow::as_select())
                        .first(conn)?;
                    require_record(
                        conn,
                        caller,
                        &report.unit_id,
                        report.case_id.as_deref(),
                        Action::HandleReport,
                    )?;
                    (report.unit_id, Some(report.id), report.case_id)
                }
            };
            let at = now();
            let policy = self.intake_policy();
            let concern = SafetyConcern {
                id: new_id(),
                unit_id,
                report_id,
                case_id,
                description,
                raised_by: caller.actor.staff_id.clone(),
                raised_at: at,
                decision_due_at: due_at(
                    at,
                    Urgency::Emergency,
                    &policy.deadlines,
                    &policy.calendar,
                ),
                decision: None,
                decision_note: None,
                decided_by: None,
                decided_at: None,
            };
            diesel::insert_into(safety_concerns::table)
                .values(&concern)
                .execute(conn)?;
            events::record(
                conn,
                &subject_of(&concern),
                DomainEvent::SafetyConcernRaised {
                    concern_id: concern.id.clone(),
                    decision_due_at: crate::audit::format_time(concern.decision_due_at),
                },
                &caller.actor.staff_id,
                at,
                Some(concern.description.clone()),
            )?;
            Ok(concern)
        })
    }

    /// A supervisor of the unit records the safety decision.
    pub fn decide_safety_concern(
        &self,
        caller: &Caller,
        id: &str,
        decision: SafetyDecision,
        note: String,
    ) -> StoreResult<SafetyConcern> {
        self.write(|conn| {
            let mut concern = visible_concern(conn, caller, id)?;
            caller.require(Action::DecideSafetyConcern)?;
            concern
                .status()
                .next(SafetyConcernCommand::Decide)
                .map_err(StoreError::refused)?;
            let at = now();
            concern.decision = Some(decision.code().to_owned());
            concern.decision_note = Some(note);
            concern.decided_by = Some(caller.actor.staff_id.clone());
            concern.decided_at = Some(at);
            // Compare-and-set: only an undecided concern takes a decision, once.
            let updated = diesel::update(
                safety_concerns::table
                    .filter(safety_concerns::id.eq(&concern.id))
                    .filter(safety_concerns::decided_at.is_null()),
            )
            .set((
                safety_concerns::decision.eq(&concern.decision),
                safety_concerns::decision_note.eq(&concern.decision_note),
                safety_concerns::decided_by.eq(&concern.decided_by),
                safety_concerns::decided_at.eq(concern.decided_at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::refused(SafetyConcernRefusal::AlreadyDecided))
            })?;
            events::record(
                conn,
                &subject_of(&concern),
                DomainEvent::SafetyConcernDecided {
                    concern_id: concern.id.clone(),
                    decision: concern.decision.clone(),
                    late: concern.decision_due_at < at,
                },
                &caller.actor.staff_id,
                at,
                concern.decision_note.clone(),
            )?;
            Ok(concern)
        })
    }

    /// The concerns of the caller's units (only open ones if asked), oldest first.
    pub fn list_safety_concerns(
        &self,
        caller: &Caller,
        open_only: bool,
        case_id: Option<&str>,
    ) -> StoreResult<Vec<SafetyConcern>> {
        caller.require(Action::ReadCaseRecords)?;
        self.read_recorded(|conn, looks| {
            let mut query = safety_concerns::table
                .filter(visible_case_records!(safety_concerns, caller))
                .order(safety_concerns::id)
                .select(SafetyConcern::as_select())
                .into_boxed();
            if open_only {
                query = query.filter(safety_concerns::decided_at.is_null());
            }
            if let Some(case_id) = case_id {
                query = query.filter(safety_concerns::case_id.eq(case_id.to_owned()));
            }
            let out: Vec<SafetyConcern> = query.load(conn)?;
            crate::audit::listed(
                looks,
                caller,
                "safety_concern",
                out.iter().map(|c| c.id.as_str()).collect(),
            )?;
            Ok(out)
        })
    }
}
