//! Intake reports: lifecycle stages 1–3 (intake, verification, need recognition). A report is
//! rejected with a reason, attached to an already open case of the same client, or opens a case
//! (stage 4) with a key worker and a work model. The domain's one machine judges every move.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::events::DomainEvent;
use opora_domain::labels::ReferenceList;
use opora_domain::{
    apply, available_transitions, Action, AttachTarget, AvailableTransition, CaseFacts, CaseState,
    LifecycleStage, RejectionReason, Stage, TransitionRequest, Urgency, WorkModel,
};

use crate::assignment::check_key_worker;
use crate::events::{self, Subject};
use crate::models::{CaseRow, ReportRow};
use crate::schema::{cases, clients, intake_reports};
use crate::visibility::{require_record, visible_case_records};
use crate::{
    new_id, now, utc, AnyConnection, Caller, Page, PageRequest, Store, StoreError, StoreResult,
};

#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// `None`: the caller's own unit.
    pub unit_id: Option<String>,
    pub client_id: Option<String>,
    /// A code of the `report_sources` classifier: built in, or added by an administrator and
    /// active.
    pub source: String,
    pub urgency: Urgency,
    pub description: String,
    /// Who reported (kept apart from the description; absent for anonymous reports).
    pub reporter: Option<String>,
    /// When the report came in; `None`: now.
    pub received_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    pub stage: Option<LifecycleStage>,
    pub urgency: Option<Urgency>,
    /// A `report_sources` code (any, active or not: old reports keep theirs).
    pub source: Option<String>,
    pub client_id: Option<String>,
    pub unit_id: Option<String>,
}

/// A move of a report, with the inputs its kind needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTransition {
    /// The stage the caller saw; if the report moved meanwhile the move is refused.
    pub from: LifecycleStage,
    pub to: LifecycleStage,
    pub reason: Option<String>,
    pub rejection_reason: Option<RejectionReason>,
    /// Attachment: the open case of the same client the report joins.
    pub case_id: Option<String>,
    /// Opening: the model the case will follow, its key worker, and the client if the report
    /// named none.
    pub work_model: Option<WorkModel>,
    pub key_worker_id: Option<String>,
    pub client_id: Option<String>,
}

/// A report with the moves it could make now.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    pub report: ReportRow,
    pub available: Vec<AvailableTransition>,
    /// Still at intake, verification or need recognition after its due time.
    pub overdue: bool,
}

/// What a report transition produced: the report, and the case it opened or joined.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOutcome {
    pub report: ReportView,
    pub case: Option<CaseRow>,
    /// Warnings about the change that do not stop it (the key worker over the maximum caseload).
    pub warnings: Vec<crate::models::Warning>,
}

pub(crate) fn stage_of(report: &ReportRow) -> StoreResult<LifecycleStage> {
    LifecycleStage::parse(&report.stage)
        .ok_or_else(|| StoreError::Corrupt(format!("report stage {:?}", report.stage)))
}

fn view(caller: &Caller, mut report: ReportRow) -> StoreResult<ReportView> {
    // Who reported the family is a sensitive section: not for specialists, auditors or partners.
    if !caller.actor.may(Action::ReadReporterIdentity) {
        report.reporter = None;
    }
    let state = CaseState {
        lifecycle: stage_of(&report)?,
        model_stage: None,
    };
    let facts = CaseFacts {
        client_identified: report.client_id.is_some(),
        ..CaseFacts::default()
    };
    let available = available_transitions(&state, &facts, &caller.actor);
    let overdue = report.due_at.is_some_and(|due| due < now())
        && matches!(
            state.lifecycle,
            LifecycleStage::Intake | LifecycleStage::Verification | LifecycleStage::NeedRecognition
        );
    Ok(ReportView {
        report,
        available,
        overdue,
    })
}

/// A client in the caller's scope.
pub(crate) fn check_client(
    conn: &mut AnyConnection,
    caller: &Caller,
    client_id: &str,
    field: &str,
) -> StoreResult<()> {
    let unit: Option<String> = clients::table
        .find(client_id)
        .select(clients::unit_id)
        .first(conn)
        .optional()?;
    opora_domain::intake::check_client(field, unit.is_some_and(|unit| caller.sees_unit(&unit)))
        .map_err(StoreError::refused)
}

fn load(conn: &mut AnyConnection, id: &str) -> StoreResult<ReportRow> {
    Ok(intake_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)?)
}

fn subject(report: &ReportRow) -> Subject {
    Subject {
        unit_id: report.unit_id.clone(),
        case_id: report.case_id.clone(),
        report_id: Some(report.id.clone()),
        client_id: report.client_id.clone(),
    }
}

impl Store {
    pub fn create_report(&self, caller: &Caller, new: NewReport) -> StoreResult<ReportView> {
        let unit_id = new
            .unit_id
            .clone()
            .unwrap_or_else(|| caller.unit_id.clone());
        opora_domain::directory::check_unit_in_scope("unit_id", caller.sees_unit(&unit_id))
            .map_err(StoreError::refused)?;
        caller.require(Action::HandleReport)?;
        self.write(|conn| {
            crate::reference::check_code(
                conn,
                ReferenceList::ReportSources,
                "source",
                &new.source,
            )?;
            if let Some(client_id) = &new.client_id {
                check_client(conn, caller, client_id, "client_id")?;
            }
            let at = now();
            let row = ReportRow {
                id: new_id(),
                unit_id,
                client_id: new.client_id,
                source: new.source,
                urgency: new.urgency.code().to_owned(),
                description: new.description,
                reporter: new.reporter,
                received_at: new.received_at.unwrap_or(at),
                due_at: Some(opora_domain::deadlines::due_at(
                    new.received_at.unwrap_or(at),
                    new.urgency,
                    &self.intake_policy().deadlines,
                    &self.intake_policy().calendar,
                )),
                stage: LifecycleStage::Intake.code().to_owned(),
                rejection_reason: None,
                outcome_note: None,
                case_id: None,
                version: 1,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(intake_reports::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&row),
                DomainEvent::ReportRegistered {
                    source: row.source.clone(),
                    urgency: row.urgency.clone(),
                    stage: row.stage.clone(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            view(caller, row)
        })
    }

    pub fn get_report(&self, caller: &Caller, id: &str) -> StoreResult<ReportView> {
        self.read_recorded(|conn, looks| {
            let row = load(conn, id)?;
            require_record(
                conn,
                caller,
                &row.unit_id,
                row.case_id.as_deref(),
                Action::ReadCaseRecords,
            )?;
            crate::audit::viewed(
                looks,
                caller,
                "report",
                id,
                &row.unit_id,
                row.case_id.as_deref(),
            )?;
            view(caller, row)
        })
    }

    pub fn list_reports(
        &self,
        caller: &Caller,
        filter: &ReportFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<ReportView>> {
        caller.require(Action::ReadCaseRecords)?;
        self.read_recorded(|conn, looks| {
            let mut query = intake_reports::table
                .filter(visible_case_records!(intake_reports, caller))
                .select(ReportRow::as_select())
                .order(intake_reports::id)
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter(intake_reports::id.gt(after.clone()));
            }
            if let Some(stage) = filter.stage {
                query = query.filter(intake_reports::stage.eq(stage.code()));
            }
            if let Some(urgency) = filter.urgency {
                query = query.filter(intake_reports::urgency.eq(urgency.code()));
            }
            if let Some(source) = &filter.source {
                query = query.filter(intake_reports::source.eq(source.clone()));
            }
            if let Some(client_id) = &filter.client_id {
                query = query.filter(intake_reports::client_id.eq(client_id.clone()));
            }
            if let Some(unit_id) = &filter.unit_id {
                query = query.filter(intake_reports::unit_id.eq(unit_id.clone()));
            }
            let rows = query.load(conn)?;
            let page = Page::from_rows(rows, page, |r: &ReportRow| r.id.as_str());
            let items: Vec<ReportView> = page
                .items
                .into_iter()
                .map(|r| view(caller, r))
                .collect::<StoreResult<_>>()?;
            crate::audit::listed(
                looks,
                caller,
                "report",
                items
                    .iter()
                    .map(|r: &ReportView| r.report.id.as_str())
                    .collect(),
            )?;
            Ok(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
    }

    /// Moves a report: verification, need recognition, rejection, attachment, or opening a case.
    pub fn transition_report(
        &self,
        caller: &Caller,
        id: &str,
        transition: ReportTransition,
    ) -> StoreResult<ReportOutcome> {
        self.write(|conn| {
            let mut report = load(conn, id)?;
            let action = if transition.to == LifecycleStage::Opened {
                Action::OpenCase
            } else {
                Action::HandleReport
            };
            require_record(
                conn,
                caller,
                &report.unit_id,
                report.case_id.as_deref(),
                action,
            )?;
            let current = stage_of(&report)?;
            if current != transition.from {
                return Err(StoreError::StageChanged {
                    expected: transition.from.code().to_owned(),
                    current: current.code().to_owned(),
                });
            }
            opora_domain::intake::check_report_target(transition.to)
                .map_err(StoreError::refused)?;
            let state = CaseState {
                lifecycle: current,
                model_stage: None,
            };
            let mut facts = CaseFacts::default();

            let client_id = transition
                .client_id
                .clone()
                .or_else(|| report.client_id.clone());
            if let Some(given) = &transition.client_id {
                check_client(conn, caller, given, "client_id")?;
            }
            facts.client_identified = client_id.is_some();
            if let Some(key_worker_id) = &transition.key_worker_id {
                check_key_worker(conn, caller, key_worker_id)?;
                facts.key_worker_assigned = true;
            }
            if let Some(case_id) = &transition.case_id {
                let target: Option<CaseRow> = cases::table
                    .find(case_id)
                    .select(CaseRow::as_select())
                    .first(conn)
                    .optional()?;
                let target = match target {
                    Some(c) if crate::visibility::visible(conn, caller, &c)? => Some(c),
                    _ => None,
                };
                facts.attach_target = target.map(|c| AttachTarget {
                    same_client: client_id.as_deref() == Some(c.client_id.as_str()),
                    case_open: LifecycleStage::parse(&c.lifecycle_stage)
                        .is_some_and(LifecycleStage::is_active_case),
                });
            }

            let at = now();
            let request = TransitionRequest {
                target: Stage::Lifecycle(transition.to),
                reason: transition.reason.clone(),
                closure_reason: None,
                rejection_reason: transition.rejection_reason,
                work_model: transition.work_model,
            };
            let outcome =
                apply(&state, &request, &facts, &caller.actor, utc(at)).map_err(|error| {
                    StoreError::Transition {
                        error,
                        current_stage: current.code().to_owned(),
                        available: available_transitions(&state, &facts, &caller.actor),
                    }
                })?;

            // Claim the report before writing anything: a compare-and-set on the version read.
            // Of parallel requests one goes on (and opens one case); the others stop here with the
            // stage the winner left, having written nothing.
            let read_version = report.version;
            let claimed = diesel::update(
                intake_reports::table
                    .filter(intake_reports::id.eq(&report.id))
                    .filter(intake_reports::version.eq(read_version)),
            )
            .set(intake_reports::version.eq(read_version + 1))
            .execute(conn)?;
            crate::db::compare_and_set(claimed, || {
                Ok(StoreError::StageChanged {
                    expected: transition.from.code().to_owned(),
                    current: stage_of(&load(conn, id)?)?.code().to_owned(),
                })
            })?;
            report.version = read_version + 1;
            let mut opened = None;
            let mut warnings = Vec::new();
            match transition.to {
                LifecycleStage::Opened => {
                    let (client_id, key_worker_id, model_stage) =
                        opora_domain::intake::opening_needs(
                            client_id.clone(),
                            transition.key_worker_id.clone(),
                            outcome.state.model_stage,
                        )
                        .map_err(StoreError::refused)?;
                    let case = CaseRow {
                        id: new_id(),
                        unit_id: report.unit_id.clone(),
                        client_id: client_id.clone(),
                        report_id: report.id.clone(),
                        lifecycle_stage: LifecycleStage::Opened.code().to_owned(),
                        work_model: model_stage.model().code().to_owned(),
                        model_stage: model_stage.code().to_owned(),
                        urgency: report.urgency.clone(),
                        key_worker_id,
                        cycle: 1,
                        closure_reason: None,
                        opened_at: at,
                        closed_at: None,
                        version: 1,
                        created_at: at,
                        updated_at: at,
                        restricted: false,
                        assessment_due_at: report.due_at,
                        reassessment_since: None,
                        replanning_since: None,
                    };
                    diesel::insert_into(cases::table)
                        .values(&case)
                        .execute(conn)?;
                    warnings.extend(crate::assignment::caseload_warning(
                        conn,
                        &self.policy().caseload,
                        &case.key_worker_id,
                        &case.client_id,
                    )?);
                    report.case_id = Some(case.id.clone());
                    report.client_id = Some(client_id);
                    opened = Some(case);
                }
                LifecycleStage::Attached => report.case_id = transition.case_id.clone(),
                LifecycleStage::Rejected => {
                    report.rejection_reason =
                        transition.rejection_reason.map(|r| r.code().to_owned())
                }
                _ => {}
            }
            report.stage = transition.to.code().to_owned();
            report.outcome_note = outcome
                .events
                .first()
                .and_then(|e| e.reason.clone())
                .or(report.outcome_note);
            report.updated_at = at;
            // The report is ours (claimed above): write what the move decided.
            diesel::update(intake_reports::table.find(&report.id))
                .set((
                    intake_reports::stage.eq(&report.stage),
                    intake_reports::client_id.eq(&report.client_id),
                    intake_reports::case_id.eq(&report.case_id),
                    intake_reports::rejection_reason.eq(&report.rejection_reason),
                    intake_reports::outcome_note.eq(&report.outcome_note),
                    intake_reports::version.eq(report.version),
                    intake_reports::updated_at.eq(at),
                ))
                .execute(conn)?;
            if let Some(case_id) = &report.case_id {
                // Concerns raised on the report belong to its case from now on, and are seen
                // through it (a restriction of the case covers them).
                diesel::update(
                    crate::schema::safety_concerns::table
                        .filter(crate::schema::safety_concerns::report_id.eq(&report.id))
                        .filter(crate::schema::safety_concerns::case_id.is_null()),
                )
                .set(crate::schema::safety_concerns::case_id.eq(case_id))
                .execute(conn)?;
            }
            events::record_transitions(conn, &subject(&report), &outcome.events)?;
            Ok(ReportOutcome {
                report: view(caller, report)?,
                case: opened,
                warnings,
            })
        })
    }
}
