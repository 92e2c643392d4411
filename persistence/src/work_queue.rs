//! "My work": what needs doing, soonest first. For a worker, across the cases they lead (and the
//! reports they registered); for a supervisor, across their units: overdue and soon-due intake
//! deadlines and needs assessments, open child-safety concerns, plan reviews due, plans awaiting
//! the client's agreement, actions of active plans due within a week (or past due) and not yet
//! done or dropped, and cases whose service agreement (or 12-stage concluded contract) the client
//! ended unilaterally with none in force since: closure or renegotiation due (seed 003; see
//! `opora_domain::casework::agreement`).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::casework::agreement::{closure_or_renegotiation_due, renegotiation_due_on};
use opora_domain::casework::execution::ExecutionStatus;
use opora_domain::casework::plan::PlanStatus;
use opora_domain::{Action, AgreementKind};

use crate::facts::facts_for;
use crate::models::{ActionRow, CaseRow, PlanRow, ReportRow};
use crate::safety::SafetyConcern;
use crate::schema::{
    agreement_terminations, agreements, cases, intake_reports, plan_action_execution, plan_actions,
    plans, safety_concerns,
};
use crate::visibility::{visible_case_records, visible_cases};
use crate::{now, Caller, Store, StoreResult};

/// Whose work: the caller's own, or their units' (supervisors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueScope {
    Mine,
    Units,
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    /// `report_due`, `assessment_due`, `safety_decision_due`, `plan_review_due`,
    /// `plan_awaiting_agreement`, `action_due`, `plan_awaiting_approval`,
    /// `closure_awaiting_approval`, `closure_or_renegotiation_due`.
    pub kind: &'static str,
    pub due_at: Option<NaiveDateTime>,
    pub overdue: bool,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
    pub record_id: String,
    pub summary: String,
}

const SOON_DAYS: i64 = 7;

impl Store {
    pub fn work_queue(&self, caller: &Caller, scope: QueueScope) -> StoreResult<Vec<WorkItem>> {
        caller.require(Action::ReadCaseRecords)?;
        let units = scope == QueueScope::Units && caller.actor.may(Action::SuperviseUnit);
        let me = caller.actor.staff_id.clone();
        self.write(|conn| {
            let at = now();
            let soon = at + Duration::days(SOON_DAYS);
            let mut items = Vec::new();

            let mut reports = intake_reports::table
                .filter(visible_case_records!(intake_reports, caller))
                .filter(intake_reports::stage.eq_any([
                    "intake",
                    "verification",
                    "need_recognition",
                ]))
                .select(ReportRow::as_select())
                .into_boxed();
            if !units {
                reports = reports.filter(intake_reports::created_by.eq(me.clone()));
            }
            for r in reports.load(conn)? {
                items.push(WorkItem {
                    kind: "report_due",
                    due_at: r.due_at,
                    overdue: r.due_at.is_some_and(|d| d < at),
                    report_id: Some(r.id.clone()),
                    case_id: None,
                    record_id: r.id,
                    summary: format!("{} report at {} ({})", r.urgency, r.stage, r.source),
                });
            }

            // The one visibility definition, in its SQL form: no case is read to be dropped.
            let mut active = cases::table
                .filter(cases::lifecycle_stage.ne("closed"))
                .filter(visible_cases(caller))
                .select(CaseRow::as_select())
                .into_boxed();
            // A key worker's own cases, wherever they are filed; a supervisor's units' cases.
            active = if units {
                active.filter(cases::unit_id.eq_any(&caller.scope))
            } else {
                active.filter(cases::key_worker_id.eq(me.clone()))
            };
            let mine: Vec<CaseRow> = active.load(conn)?;
            let facts = facts_for(conn, &mine)?;
            for case in &mine {
                let done = facts.get(&case.id).is_some_and(|f| f.assessment_completed);
                if !done {
                    items.push(WorkItem {
                        kind: "assessment_due",
                        due_at: case.assessment_due_at,
                        overdue: case.assessment_due_at.is_some_and(|d| d < at),
                        report_id: Some(case.report_id.clone()),
                        case_id: Some(case.id.clone()),
                        record_id: case.id.clone(),
                        summary: format!("needs assessment of a {} case", case.urgency),
                    });
                }
            }
            let ids: Vec<&str> = mine.iter().map(|c| c.id.as_str()).collect();

            // The client ended the agreement the work rests on and none is in force again: the
            // key worker closes the case or renegotiates, by the policy's working days.
            let ended: Vec<(String, String, NaiveDate)> = agreement_terminations::table
                .filter(agreement_terminations::case_id.eq_any(&ids))
                .filter(agreement_terminations::ended_by.eq("client"))
                .order(agreement_terminations::terminated_on.desc())
                .select((
                    agreement_terminations::case_id,
                    agreement_terminations::agreement_id,
                    agreement_terminations::terminated_on,
                ))
                .load(conn)?;
            let kinds: Vec<(String, String)> = agreements::table
                .filter(agreements::id.eq_any(ended.iter().map(|(_, a, _)| a.as_str())))
                .select((agreements::id, agreements::kind))
                .load(conn)?;
            let policy = self.policy();
            let mut seen: Vec<(&str, AgreementKind)> = Vec::new();
            for (case_id, agreement_id, ended_on) in &ended {
                let Some(kind) = kinds
                    .iter()
                    .find(|(id, _)| id == agreement_id)
                    .and_then(|(_, kind)| AgreementKind::parse(kind))
                else {
                    continue;
                };
                // The latest ending of each kind per case.
                if seen.contains(&(case_id.as_str(), kind)) {
                    continue;
                }
                seen.push((case_id.as_str(), kind));
                let replaced = facts.get(case_id).is_some_and(|f| match kind {
                    AgreementKind::ConcludedContract => f.concluded_contract_recorded,
                    _ => f.service_agreement_signed,
                });
                if !closure_or_renegotiation_due(kind, true, replaced) {
                    continue;
                }
                let due = renegotiation_due_on(
                    *ended_on,
                    policy.renegotiation_working_days,
                    &policy.calendar,
                );
                items.push(WorkItem {
                    kind: "closure_or_renegotiation_due",
                    due_at: due.and_hms_opt(0, 0, 0),
                    overdue: due < at.date(),
                    report_id: None,
                    case_id: Some(case_id.clone()),
                    record_id: agreement_id.clone(),
                    summary: format!(
                        "the client ended the {kind} on {ended_on}: close the case or agree anew"
                    ),
                });
            }

            let mut concerns = safety_concerns::table
                .filter(visible_case_records!(safety_concerns, caller))
                .filter(safety_concerns::decided_at.is_null())
                .select(SafetyConcern::as_select())
                .into_boxed();
            if !units {
                concerns = concerns.filter(
                    safety_concerns::case_id
                        .eq_any(ids.clone())
                        .or(safety_concerns::raised_by.eq(me.clone())),
                );
            }
            for c in concerns.load(conn)? {
                if let Some(case_id) = &c.case_id {
                    if units && !ids.contains(&case_id.as_str()) {
                        continue;
                    }
                }
                items.push(WorkItem {
                    kind: "safety_decision_due",
                    due_at: Some(c.decision_due_at),
                    overdue: c.decision_due_at < at,
                    report_id: c.report_id.clone(),
                    case_id: c.case_id.clone(),
                    record_id: c.id,
                    summary: "child-safety concern awaiting a supervisor's decision".into(),
                });
            }

            let plan_rows: Vec<PlanRow> = plans::table
                .filter(plans::case_id.eq_any(&ids))
                .filter(plans::status.eq_any([PlanStatus::Active.code(), PlanStatus::Draft.code()]))
                .select(PlanRow::as_select())
                .load(conn)?;
            let mut active_plans: Vec<(&str, &str)> = Vec::new();
            for p in &plan_rows {
                if p.status()? == PlanStatus::Active {
                    active_plans.push((p.id.as_str(), p.case_id.as_str()));
                }
            }
            if !active_plans.is_empty() {
                let plan_ids: Vec<&str> = active_plans.iter().map(|(id, _)| *id).collect();
                let actions: Vec<ActionRow> = plan_actions::table
                    .filter(plan_actions::plan_id.eq_any(&plan_ids))
                    .filter(plan_actions::due_on.le(soon.date()))
                    .order((plan_actions::plan_id, plan_actions::position))
                    .select(ActionRow::as_select())
                    .load(conn)?;
                // Executions are kept per action across plan versions (its stable id).
                let finished: Vec<String> = plan_action_execution::table
                    .filter(plan_action_execution::case_id.eq_any(&ids))
                    .filter(
                        plan_action_execution::status.eq_any(
                            ExecutionStatus::finished()
                                .map(ExecutionStatus::code)
                                .collect::<Vec<_>>(),
                        ),
                    )
                    .select(plan_action_execution::action_id)
                    .load(conn)?;
                for a in actions {
                    if finished.iter().any(|f| f == a.key()) {
                        continue;
                    }
                    let Some(case_id) = active_plans
                        .iter()
                        .find(|(id, _)| *id == a.plan_id)
                        .map(|(_, c)| (*c).to_owned())
                    else {
                        continue;
                    };
                    let due = a.due_on.and_then(|d| d.and_hms_opt(0, 0, 0));
                    items.push(WorkItem {
                        kind: "action_due",
                        due_at: due,
                        overdue: a.due_on.is_some_and(|d| d < at.date()),
                        report_id: None,
                        case_id: Some(case_id),
                        record_id: a.key().to_owned(),
                        summary: format!("plan action due: {}", a.description),
                    });
                }
            }
            for p in plan_rows {
                let review = p.next_review_on.and_hms_opt(0, 0, 0);
                match p.status()? {
                    PlanStatus::Active if review.is_some_and(|r| r <= soon) => {
                        items.push(WorkItem {
                            kind: "plan_review_due",
                            due_at: review,
                            overdue: review.is_some_and(|r| r < at),
                            report_id: None,
                            case_id: Some(p.case_id.clone()),
                            record_id: p.id,
                            summary: format!("review of plan version {}", p.version_no),
                        })
                    }
                    PlanStatus::Draft => items.push(WorkItem {
                        kind: "plan_awaiting_agreement",
                        due_at: None,
                        overdue: false,
                        report_id: None,
                        case_id: Some(p.case_id.clone()),
                        record_id: p.id,
                        summary: format!(
                            "plan version {} awaits the client's agreement",
                            p.version_no
                        ),
                    }),
                    PlanStatus::Active | PlanStatus::Superseded => {}
                }
            }

            // What waits for a supervisor's approval where the unit requires it.
            if caller.actor.may(Action::ApprovePlan) || caller.actor.may(Action::ApproveClosure) {
                for p in plans::table
                    .filter(plans::case_id.eq_any(&ids))
                    .filter(plans::status.eq(PlanStatus::Draft.code()))
                    .select(PlanRow::as_select())
                    .load(conn)?
                {
                    let Some(case) = mine.iter().find(|c| c.id == p.case_id) else {
                        continue;
                    };
                    if crate::facts::effective_settings(conn, &case.unit_id)?.requires_plan_approval
                        && crate::approvals::check_plan_approval(conn, case, &p).is_err()
                    {
                        items.push(WorkItem {
                            kind: "plan_awaiting_approval",
                            due_at: None,
                            overdue: false,
                            report_id: None,
                            case_id: Some(p.case_id.clone()),
                            record_id: p.id,
                            summary: format!("plan version {} awaits your approval", p.version_no),
                        });
                    }
                }
                // The guards' facts, read once above, know both the report and its approval.
                for case in &mine {
                    if facts.get(&case.id).is_some_and(|f| {
                        f.closure.report_reason.is_some()
                            && f.closure_approval_required
                            && !f.closure_approved
                    }) {
                        items.push(WorkItem {
                            kind: "closure_awaiting_approval",
                            due_at: None,
                            overdue: false,
                            report_id: None,
                            case_id: Some(case.id.clone()),
                            record_id: case.id.clone(),
                            summary: "the closure report awaits your approval".into(),
                        });
                    }
                }
            }

            // Overdue first, then by due time; items without one last.
            items.sort_by(|a, b| {
                b.overdue
                    .cmp(&a.overdue)
                    .then_with(|| match (a.due_at, b.due_at) {
                        (Some(x), Some(y)) => x.cmp(&y),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => a.record_id.cmp(&b.record_id),
                    })
            });
            crate::audit::listed(
                conn,
                caller,
                "work_item",
                items.iter().map(|i| i.record_id.as_str()).collect(),
            )?;
            Ok(items)
        })
    }
}
