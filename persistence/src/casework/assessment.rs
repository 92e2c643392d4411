//! Needs assessments (seed 002, stage 2; seed 001, stages 2 and 4): drafted with an entry per life
//! domain, conclusions, recommendations and the child's own view, edited with its version (ETag),
//! then completed. A completed assessment never changes: what turns out wrong goes into a new one.
//! The rules are `opora_domain::casework::assessment`'s.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::casework::assessment::{self, AssessmentCommand, AssessmentStatus, NeedLevel};
use opora_domain::events::{AssessmentCompletion, AssessmentSaved, DomainEvent};
use opora_domain::Action;
use opora_domain::AssessmentKind;

use super::{position, to_json};
use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::{Assessment, AssessmentDomainRow, AssessmentRow, CaseRow};
use crate::schema::{assessment_domains, assessments};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// One life domain of an assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEntry {
    /// A code of the `life_domains` list.
    pub domain: String,
    pub need_level: NeedLevel,
    pub strengths: String,
    pub risks: String,
    pub resources: String,
}

/// The child's own view, gathered from the child.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildView {
    pub text: String,
    /// How it was gathered (conversation, drawing, …).
    pub method: String,
    pub gathered_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    pub kind: AssessmentKind,
    pub summary: String,
    pub needs: String,
    pub strengths: String,
    pub risks: String,
    /// Complete it at once (it is then immutable).
    pub complete: bool,
    pub domains: Vec<DomainEntry>,
    /// Problems to work on.
    pub conclusions: Vec<String>,
    pub recommendations: String,
    pub child_view: Option<ChildView>,
    /// A re-assessment may name the completed assessment it corrects.
    pub corrects: Option<String>,
}

/// Changes to a draft assessment; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessmentChanges {
    pub summary: Option<String>,
    pub needs: Option<String>,
    pub strengths: Option<String>,
    pub risks: Option<String>,
    /// Replaces every domain entry.
    pub domains: Option<Vec<DomainEntry>>,
    pub conclusions: Option<Vec<String>>,
    pub recommendations: Option<String>,
    pub child_view: Option<ChildView>,
    /// Complete it with these changes (it is then immutable).
    pub complete: bool,
}

fn load_domains(
    conn: &mut AnyConnection,
    rows: Vec<AssessmentRow>,
) -> StoreResult<Vec<Assessment>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut domains: HashMap<String, Vec<AssessmentDomainRow>> = HashMap::new();
    for d in assessment_domains::table
        .filter(assessment_domains::assessment_id.eq_any(&ids))
        .order((
            assessment_domains::assessment_id,
            assessment_domains::position,
        ))
        .select(AssessmentDomainRow::as_select())
        .load(conn)?
    {
        domains.entry(d.assessment_id.clone()).or_default().push(d);
    }
    Ok(rows
        .into_iter()
        .map(|assessment| Assessment {
            domains: domains.remove(&assessment.id).unwrap_or_default(),
            assessment,
        })
        .collect())
}

fn load_assessment(
    conn: &mut AnyConnection,
    case: &CaseRow,
    assessment_id: &str,
) -> StoreResult<AssessmentRow> {
    Ok(assessments::table
        .filter(assessments::id.eq(assessment_id))
        .filter(assessments::case_id.eq(&case.id))
        .select(AssessmentRow::as_select())
        .first(conn)?)
}

/// Checks the life-domain codes against the `life_domains` classifier (built in, or added and
/// active); a deactivated code the draft already has (`assessment_id`) may stay.
fn check_domain_codes(
    conn: &mut AnyConnection,
    domains: &[DomainEntry],
    assessment_id: Option<&str>,
) -> StoreResult<()> {
    let kept: Vec<String> = match assessment_id {
        Some(id) => assessment_domains::table
            .filter(assessment_domains::assessment_id.eq(id))
            .select(assessment_domains::domain)
            .load(conn)?,
        None => Vec::new(),
    };
    for (i, d) in domains.iter().enumerate() {
        if !kept.contains(&d.domain) {
            crate::reference::check_code(
                conn,
                opora_domain::labels::ReferenceList::LifeDomains,
                &format!("domains[{i}].domain"),
                &d.domain,
            )?;
        }
    }
    Ok(())
}

fn check_domains(domains: &[DomainEntry]) -> StoreResult<()> {
    let drafts: Vec<assessment::DomainDraft<'_>> = domains
        .iter()
        .map(|d| assessment::DomainDraft { domain: &d.domain })
        .collect();
    assessment::check_domains(&drafts).map_err(StoreError::refused)
}

fn write_domains(
    conn: &mut AnyConnection,
    row: &AssessmentRow,
    domains: Vec<DomainEntry>,
) -> StoreResult<()> {
    diesel::delete(assessment_domains::table.filter(assessment_domains::assessment_id.eq(&row.id)))
        .execute(conn)?;
    for (i, d) in domains.into_iter().enumerate() {
        diesel::insert_into(assessment_domains::table)
            .values(&AssessmentDomainRow {
                id: new_id(),
                assessment_id: row.id.clone(),
                case_id: row.case_id.clone(),
                unit_id: row.unit_id.clone(),
                position: position(i),
                domain: d.domain,
                need_level: d.need_level.code().to_owned(),
                strengths: d.strengths,
                risks: d.risks,
                resources: d.resources,
            })
            .execute(conn)?;
    }
    Ok(())
}

impl Store {
    pub fn record_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewAssessment,
    ) -> StoreResult<Assessment> {
        check_domains(&new.domains)?;
        assessment::check_corrects(Some(new.kind), new.corrects.is_some())
            .map_err(StoreError::refused)?;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            check_domain_codes(conn, &new.domains, None)?;
            if let Some(corrects) = &new.corrects {
                let earlier = match load_assessment(conn, &case, corrects) {
                    Ok(earlier) => Some(earlier.status()?),
                    Err(StoreError::NotFound) => None,
                    Err(other) => return Err(other),
                };
                assessment::check_corrected(earlier).map_err(StoreError::refused)?;
            }
            let at = now();
            let child_view = new.child_view;
            let row = AssessmentRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind.code().to_owned(),
                summary: new.summary,
                needs: new.needs,
                strengths: new.strengths,
                risks: new.risks,
                status: AssessmentStatus::at_creation(new.complete)
                    .code()
                    .to_owned(),
                completed_at: new.complete.then_some(at),
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                version: 1,
                conclusions: to_json(&new.conclusions),
                recommendations: new.recommendations,
                child_view: child_view.as_ref().map(|c| c.text.clone()),
                child_view_method: child_view.as_ref().map(|c| c.method.clone()),
                child_view_on: child_view.as_ref().map(|c| c.gathered_on),
                corrects: new.corrects,
            };
            diesel::insert_into(assessments::table)
                .values(&row)
                .execute(conn)?;
            let domains = new.domains.len();
            write_domains(conn, &row, new.domains)?;
            events::record(
                conn,
                &subject(&case),
                {
                    let saved = AssessmentSaved {
                        assessment_id: row.id.clone(),
                        kind: row.kind.clone(),
                        cycle: row.cycle,
                        domains,
                        corrects: row.corrects.clone(),
                        child_view: row.child_view.is_some(),
                    };
                    if new.complete {
                        DomainEvent::AssessmentCompleted {
                            saved: AssessmentCompletion::Saved(saved),
                        }
                    } else {
                        DomainEvent::AssessmentDrafted(saved)
                    }
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// One assessment with its domain entries.
    pub fn get_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
    ) -> StoreResult<Assessment> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            let row = load_assessment(conn, &case, assessment_id)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_assessment",
                &row.id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// Changes a draft assessment based on version `expected` (a completed one is immutable).
    pub fn update_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
        expected: i64,
        changes: AssessmentChanges,
    ) -> StoreResult<Assessment> {
        if let Some(domains) = &changes.domains {
            check_domains(domains)?;
        }
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row = load_assessment(conn, &case, assessment_id)?;
            let edited = row
                .status()?
                .next(AssessmentCommand::Edit)
                .map_err(StoreError::refused)?;
            if row.version != expected {
                return Err(StoreError::VersionMismatch {
                    current: row.version,
                });
            }
            if let Some(domains) = &changes.domains {
                check_domain_codes(conn, domains, Some(&row.id))?;
            }
            let at = now();
            let mut changed: Vec<&str> = Vec::new();
            macro_rules! set {
                ($field:ident) => {
                    if let Some(v) = changes.$field {
                        row.$field = v;
                        changed.push(stringify!($field));
                    }
                };
            }
            set!(summary);
            set!(needs);
            set!(strengths);
            set!(risks);
            set!(recommendations);
            if let Some(c) = &changes.conclusions {
                row.conclusions = to_json(c);
                changed.push("conclusions");
            }
            if let Some(c) = changes.child_view {
                row.child_view = Some(c.text);
                row.child_view_method = Some(c.method);
                row.child_view_on = Some(c.gathered_on);
                changed.push("child_view");
            }
            if changes.complete {
                let completed = edited
                    .next(AssessmentCommand::Complete)
                    .map_err(StoreError::refused)?;
                row.status = completed.code().to_owned();
                row.completed_at = Some(at);
            }
            row.version += 1;
            let updated = diesel::update(
                assessments::table
                    .filter(assessments::id.eq(&row.id))
                    .filter(assessments::version.eq(expected)),
            )
            .set((
                assessments::summary.eq(&row.summary),
                assessments::needs.eq(&row.needs),
                assessments::strengths.eq(&row.strengths),
                assessments::risks.eq(&row.risks),
                assessments::recommendations.eq(&row.recommendations),
                assessments::conclusions.eq(&row.conclusions),
                assessments::child_view.eq(&row.child_view),
                assessments::child_view_method.eq(&row.child_view_method),
                assessments::child_view_on.eq(row.child_view_on),
                assessments::status.eq(&row.status),
                assessments::completed_at.eq(row.completed_at),
                assessments::version.eq(row.version),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::VersionMismatch {
                    current: assessments::table
                        .find(&row.id)
                        .select(assessments::version)
                        .first(conn)?,
                })
            })?;
            if let Some(domains) = changes.domains {
                write_domains(conn, &row, domains)?;
                changed.push("domains");
            }
            events::record(
                conn,
                &subject(&case),
                DomainEvent::AssessmentUpdated {
                    assessment_id: row.id.clone(),
                    version: row.version,
                    changed: changed.iter().map(|c| (*c).to_owned()).collect(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            if changes.complete {
                events::record(
                    conn,
                    &subject(&case),
                    DomainEvent::AssessmentCompleted {
                        saved: AssessmentCompletion::Draft {
                            assessment_id: row.id.clone(),
                        },
                    },
                    &caller.actor.staff_id,
                    at,
                    None,
                )?;
            }
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    /// Completes a draft assessment; a completed one is immutable.
    pub fn complete_assessment(
        &self,
        caller: &Caller,
        case_id: &str,
        assessment_id: &str,
    ) -> StoreResult<Assessment> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut row = load_assessment(conn, &case, assessment_id)?;
            let completed = row
                .status()?
                .next(AssessmentCommand::Complete)
                .map_err(StoreError::refused)?;
            let at = now();
            let updated = diesel::update(
                assessments::table
                    .filter(assessments::id.eq(&row.id))
                    .filter(assessments::version.eq(row.version)),
            )
            .set((
                assessments::status.eq(completed.code()),
                assessments::completed_at.eq(at),
                assessments::version.eq(row.version + 1),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the assessment was changed meanwhile; read it again".into(),
                ))
            })?;
            row.status = completed.code().to_owned();
            row.completed_at = Some(at);
            row.version += 1;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::AssessmentCompleted {
                    saved: AssessmentCompletion::Draft {
                        assessment_id: row.id.clone(),
                    },
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(load_domains(conn, vec![row])?.remove(0))
        })
    }

    pub fn list_assessments(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<Assessment>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_assessments",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let rows = assessments::table
                .filter(assessments::case_id.eq(&case.id))
                .order(assessments::id)
                .select(AssessmentRow::as_select())
                .load(conn)?;
            load_domains(conn, rows)
        })
    }
}
