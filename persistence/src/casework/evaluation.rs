//! Evaluations of the work with a case (seed 000: evaluation ends in closure or a new plan): interim
//! or final, with a summary and an outcome. A final evaluation of the current cycle is what the
//! guard of closing asks for (`final_evaluation_recorded` in [`crate::facts`]).

use diesel::prelude::*;
use opora_domain::events::DomainEvent;
use opora_domain::{Action, EvaluationKind, GoalOutcome};

use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::EvaluationRow;
use crate::schema::evaluations;
use crate::{new_id, now, Caller, Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvaluation {
    pub kind: EvaluationKind,
    pub summary: String,
    pub outcome: GoalOutcome,
}

impl Store {
    pub fn record_evaluation(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewEvaluation,
    ) -> StoreResult<EvaluationRow> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            let row = EvaluationRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind.code().to_owned(),
                summary: new.summary,
                outcome: new.outcome.code().to_owned(),
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
            };
            diesel::insert_into(evaluations::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::EvaluationRecorded {
                    evaluation_id: row.id.clone(),
                    kind: row.kind.clone(),
                    outcome: row.outcome.clone(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(row)
        })
    }

    pub fn list_evaluations(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> StoreResult<Vec<EvaluationRow>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_evaluations",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(evaluations::table
                .filter(evaluations::case_id.eq(&case.id))
                .order(evaluations::id)
                .select(EvaluationRow::as_select())
                .load(conn)?)
        })
    }
}
