//! The facts the domain's guards judge, read from the records: [`facts_for`] a page of cases in a
//! fixed number of queries (seed 000's stages need an assessment, an agreed plan, agreements in
//! force, a final evaluation or a complete closure report, the closure approval), the closure
//! facts, the rounds a reopened or returned case restarted, and the unit settings that say which
//! supervisor approvals apply (issue 3, items 4 and 7). A leaf: it reads rows and decides nothing.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use opora_domain::casework::assessment::AssessmentStatus;
use opora_domain::casework::plan::PlanStatus;
use opora_domain::closure::{
    ClosureFacts, FamilyInformed as Informed, InformedHow, NotInformedReason,
};
use opora_domain::rounds::{assessment_counts, plan_agreement_counts, Rounds};
use opora_domain::{CaseFacts, ClosureReason};

use crate::models::{CaseRow, ClosureReportRow, UnitSettingsRow};
use crate::schema::{
    agreements, assessments, closure_approvals, closure_goal_evaluations, closure_reports,
    evaluations, plan_goals, plans, safety_concerns, unit_settings, units,
};
use crate::{now, utc, AnyConnection, StoreResult};

/// What the guards judge, from the records of the case's current cycle.
pub(crate) fn facts_of(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<CaseFacts> {
    let mut facts = facts_for(conn, std::slice::from_ref(case))?;
    Ok(facts.remove(&case.id).unwrap_or_default())
}

/// The facts of several cases in a fixed number of queries, whatever their number (a page of
/// cases).
pub(crate) fn facts_for(
    conn: &mut AnyConnection,
    cases: &[CaseRow],
) -> StoreResult<HashMap<String, CaseFacts>> {
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    type Dated = (String, i32, Option<chrono::NaiveDateTime>);
    let completed: Vec<Dated> = assessments::table
        .filter(assessments::case_id.eq_any(&ids))
        .filter(assessments::status.eq(AssessmentStatus::Completed.code()))
        .select((
            assessments::case_id,
            assessments::cycle,
            assessments::completed_at,
        ))
        .load(conn)?;
    let agreed: Vec<Dated> = plans::table
        .filter(plans::case_id.eq_any(&ids))
        .filter(plans::status.eq(PlanStatus::Active.code()))
        .select((plans::case_id, plans::cycle, plans::agreed_at))
        .load(conn)?;
    let evaluated: Vec<(String, i32)> = evaluations::table
        .filter(evaluations::case_id.eq_any(&ids))
        .filter(evaluations::kind.eq("final"))
        .select((evaluations::case_id, evaluations::cycle))
        .load(conn)?;
    // A closure report that evaluates every goal of its cycle's active plan is a final
    // evaluation too (seed 000's closing procedure): no separate `final` evaluation is needed.
    let closure_reports = complete_reports(conn, &ids)?;
    type InForce = (String, String, bool, bool, Option<chrono::NaiveDate>);
    let in_force: Vec<InForce> = agreements::table
        .filter(agreements::case_id.eq_any(&ids))
        .filter(agreements::terminated_on.is_null())
        .select((
            agreements::case_id,
            agreements::kind,
            agreements::signed_by_client,
            agreements::signed_by_service,
            agreements::valid_until,
        ))
        .load(conn)?;
    let closure_approval = closure_approval_facts(conn, cases)?;
    let mut closure = closure_facts(conn, cases)?;
    let today = now().date();
    let in_cycle = |rows: &[(String, i32)], case: &CaseRow| {
        rows.iter()
            .any(|(id, cycle)| *id == case.id && *cycle == case.cycle)
    };
    // Of this cycle's records, those made after the round began (the domain decides which).
    let in_round = |rows: &[Dated], case: &CaseRow, counts: fn(_, &Rounds) -> bool| {
        let rounds = rounds_of(case);
        rows.iter().any(|(id, cycle, at)| {
            *id == case.id && *cycle == case.cycle && counts(at.map(utc), &rounds)
        })
    };
    Ok(cases
        .iter()
        .map(|case| {
            // Agreements are not per cycle: a service agreement in force survives a reopening.
            let has = |kind: &str, both: bool| {
                in_force.iter().any(|(id, k, client, service, until)| {
                    *id == case.id
                        && k == kind
                        && *client
                        && (!both || *service)
                        && until.is_none_or(|d| d >= today)
                })
            };
            let facts = CaseFacts {
                key_worker_assigned: !case.key_worker_id.is_empty(),
                client_identified: !case.client_id.is_empty(),
                assessment_completed: in_round(&completed, case, assessment_counts),
                plan_agreed_by_client: in_round(&agreed, case, plan_agreement_counts),
                service_agreement_signed: has("service_agreement", true),
                informed_consent_recorded: has("informed_consent", false),
                preliminary_contract_recorded: has("preliminary_contract", false),
                concluded_contract_recorded: has("concluded_contract", true),
                termination_agreed_by_both: has("termination", true),
                final_evaluation_recorded: in_cycle(&evaluated, case)
                    || in_cycle(&closure_reports, case),
                closure_approval_required: closure_approval
                    .get(&case.id)
                    .is_some_and(|(required, _)| *required),
                closure_approved: closure_approval
                    .get(&case.id)
                    .is_some_and(|(_, approved)| *approved),
                attach_target: None,
                closure: closure.remove(&case.id).unwrap_or_default(),
            };
            (case.id.clone(), facts)
        })
        .collect())
}

/// Where the case's current rounds of assessment and planning began.
pub(crate) fn rounds_of(case: &CaseRow) -> Rounds {
    Rounds {
        reassessment_since: case.reassessment_since.map(utc),
        replanning_since: case.replanning_since.map(utc),
    }
}

/// The goal ids of the active plan of each (case, cycle) asked for.
pub(crate) fn active_goals(
    conn: &mut AnyConnection,
    case_ids: &[&str],
) -> StoreResult<HashMap<(String, i32), Vec<String>>> {
    let active: Vec<(String, String, i32)> = plans::table
        .filter(plans::case_id.eq_any(case_ids))
        .filter(plans::status.eq(PlanStatus::Active.code()))
        .select((plans::id, plans::case_id, plans::cycle))
        .load(conn)?;
    let plan_ids: Vec<&str> = active.iter().map(|(id, _, _)| id.as_str()).collect();
    // Goals are named by their stable id (the one the API shows), which survives new versions.
    let goals: Vec<(String, String)> = plan_goals::table
        .filter(plan_goals::plan_id.eq_any(&plan_ids))
        .order((plan_goals::plan_id, plan_goals::position))
        .select((plan_goals::plan_id, plan_goals::id, plan_goals::stable_id))
        .load::<(String, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(plan, id, stable)| (plan, stable.unwrap_or(id)))
        .collect();
    let mut out: HashMap<(String, i32), Vec<String>> = HashMap::new();
    for (plan_id, case_id, cycle) in &active {
        let entry = out.entry((case_id.clone(), *cycle)).or_default();
        entry.extend(
            goals
                .iter()
                .filter(|(p, _)| p == plan_id)
                .map(|(_, g)| g.clone()),
        );
    }
    Ok(out)
}

/// The (case id, cycle) of the closure reports among these cases that evaluate every goal of
/// their cycle's active plan (and there is at least one): such a report is a final evaluation.
/// Four queries, whatever the number of cases.
pub(crate) fn complete_reports(
    conn: &mut AnyConnection,
    case_ids: &[&str],
) -> StoreResult<Vec<(String, i32)>> {
    let reports: Vec<(String, String, i32)> = closure_reports::table
        .filter(closure_reports::case_id.eq_any(case_ids))
        .select((
            closure_reports::id,
            closure_reports::case_id,
            closure_reports::cycle,
        ))
        .load(conn)?;
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let report_ids: Vec<&str> = reports.iter().map(|(id, _, _)| id.as_str()).collect();
    let evaluated: Vec<(String, String)> = closure_goal_evaluations::table
        .filter(closure_goal_evaluations::report_id.eq_any(&report_ids))
        .select((
            closure_goal_evaluations::report_id,
            closure_goal_evaluations::goal_id,
        ))
        .load(conn)?;
    let goals = active_goals(conn, case_ids)?;
    Ok(reports
        .into_iter()
        .filter(|(id, case_id, cycle)| {
            let done: HashSet<&str> = evaluated
                .iter()
                .filter(|(r, _)| r == id)
                .map(|(_, g)| g.as_str())
                .collect();
            goals
                .get(&(case_id.clone(), *cycle))
                .is_some_and(|g| !g.is_empty() && g.iter().all(|g| done.contains(g.as_str())))
        })
        .map(|(_, case_id, cycle)| (case_id, cycle))
        .collect())
}

/// What the closure rules judge, per case: the closure report of its current cycle and whether a
/// child-safety concern about the case or its report awaits its decision.
pub(crate) fn closure_facts(
    conn: &mut AnyConnection,
    cases: &[CaseRow],
) -> StoreResult<HashMap<String, ClosureFacts>> {
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let report_ids: Vec<&str> = cases.iter().map(|c| c.report_id.as_str()).collect();
    let reports: Vec<ClosureReportRow> = closure_reports::table
        .filter(closure_reports::case_id.eq_any(&ids))
        .select(ClosureReportRow::as_select())
        .load(conn)?;
    let open: Vec<(Option<String>, Option<String>)> = safety_concerns::table
        .filter(
            safety_concerns::case_id
                .eq_any(&ids)
                .or(safety_concerns::report_id.eq_any(&report_ids)),
        )
        .filter(safety_concerns::decided_at.is_null())
        .select((safety_concerns::case_id, safety_concerns::report_id))
        .load(conn)?;
    let mut out = HashMap::new();
    for case in cases {
        let report = reports
            .iter()
            .find(|r| r.case_id == case.id && r.cycle == case.cycle);
        let facts = ClosureFacts {
            report_reason: report.and_then(|r| ClosureReason::parse(&r.closure_reason)),
            family_informed: report.and_then(|r| {
                Some(Informed {
                    on: r.informed_on?,
                    how: InformedHow::parse(r.informed_how.as_deref()?)?,
                })
            }),
            family_not_informed: report
                .and_then(|r| r.not_informed_reason.as_deref())
                .and_then(NotInformedReason::parse),
            open_safety_concern: open.iter().any(|(case_id, report_id)| {
                case_id.as_deref() == Some(case.id.as_str())
                    || report_id.as_deref() == Some(case.report_id.as_str())
            }),
        };
        out.insert(case.id.clone(), facts);
    }
    Ok(out)
}

/// The settings that apply to a unit, and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSettings {
    pub unit_id: String,
    pub requires_plan_approval: bool,
    pub requires_closure_approval: bool,
    /// The unit whose settings apply (this one or one up the tree); `None`: nobody set any.
    pub set_on: Option<String>,
}

/// The settings of the nearest unit up the tree (the unit itself first) that has any.
pub(crate) fn effective_settings(
    conn: &mut AnyConnection,
    unit_id: &str,
) -> StoreResult<UnitSettings> {
    let mut current = Some(unit_id.to_owned());
    let mut hops = 0;
    while let Some(unit) = current {
        if let Some(row) = unit_settings::table
            .find(&unit)
            .select(UnitSettingsRow::as_select())
            .first(conn)
            .optional()?
        {
            return Ok(UnitSettings {
                unit_id: unit_id.to_owned(),
                requires_plan_approval: row.requires_plan_approval,
                requires_closure_approval: row.requires_closure_approval,
                set_on: Some(row.unit_id),
            });
        }
        hops += 1;
        if hops > 64 {
            break;
        }
        current = units::table
            .find(&unit)
            .select(units::parent_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
    }
    Ok(UnitSettings {
        unit_id: unit_id.to_owned(),
        requires_plan_approval: false,
        requires_closure_approval: false,
        set_on: None,
    })
}

/// Per case: whether its unit requires the closure approval, and whether the current cycle's
/// closure report is approved as it stands (read by [`facts_for`]).
pub(crate) fn closure_approval_facts(
    conn: &mut AnyConnection,
    cases: &[CaseRow],
) -> StoreResult<HashMap<String, (bool, bool)>> {
    let mut required_by_unit: HashMap<String, bool> = HashMap::new();
    let mut out = HashMap::new();
    for case in cases {
        let required = match required_by_unit.get(&case.unit_id) {
            Some(r) => *r,
            None => {
                let r = effective_settings(conn, &case.unit_id)?.requires_closure_approval;
                required_by_unit.insert(case.unit_id.clone(), r);
                r
            }
        };
        let approved = required && closure_approved(conn, case)?;
        out.insert(case.id.clone(), (required, approved));
    }
    Ok(out)
}

/// The latest decision on the current cycle's report approves it at its current version.
fn closure_approved(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<bool> {
    let report: Option<(String, i64)> = closure_reports::table
        .filter(closure_reports::case_id.eq(&case.id))
        .filter(closure_reports::cycle.eq(case.cycle))
        .select((closure_reports::id, closure_reports::version))
        .first(conn)
        .optional()?;
    let Some((report_id, version)) = report else {
        return Ok(false);
    };
    let latest: Option<(bool, i64)> = closure_approvals::table
        .filter(closure_approvals::report_id.eq(&report_id))
        .order((
            closure_approvals::recorded_at.desc(),
            closure_approvals::id.desc(),
        ))
        .select((
            closure_approvals::approved,
            closure_approvals::report_version,
        ))
        .first(conn)
        .optional()?;
    Ok(latest.is_some_and(|(approved, at)| approved && at == version))
}
