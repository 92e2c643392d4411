//! The event log: every state change, with who, when, what and why. Append-only; read back per
//! case (its report's events included) for the history auditors read.

use diesel::prelude::*;
use opora_domain::events::{DomainEvent, EventKind};
use opora_domain::TransitionEvent;

use crate::models::EventRow;
use crate::schema::events;
use crate::{new_id, AnyConnection, StoreError, StoreResult};

/// What an event concerns: the records it is filed under.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub unit_id: String,
    pub case_id: Option<String>,
    pub report_id: Option<String>,
    pub client_id: Option<String>,
}

/// Records a change other than a stage transition (e.g. `client.updated`), under the event's
/// kind, its details serialised here and nowhere else.
pub fn record(
    conn: &mut AnyConnection,
    subject: &Subject,
    event: DomainEvent,
    actor_id: &str,
    at: chrono::NaiveDateTime,
    reason: Option<String>,
) -> StoreResult<EventRow> {
    let kind = event.kind();
    let details = serde_json::to_value(&event)
        .map_err(|e| StoreError::Corrupt(format!("event details: {e}")))?;
    let row = EventRow {
        id: new_id(),
        unit_id: subject.unit_id.clone(),
        case_id: subject.case_id.clone(),
        report_id: subject.report_id.clone(),
        client_id: subject.client_id.clone(),
        action: kind.code().to_owned(),
        machine: None,
        move_kind: None,
        from_stage: None,
        to_stage: None,
        reason_code: None,
        reason,
        details: Some(details.to_string()),
        actor_id: actor_id.to_owned(),
        at,
        schema_version: kind.schema_version(),
    };
    diesel::insert_into(events::table)
        .values(&row)
        .execute(conn)?;
    audit_event(conn, &row)?;
    Ok(row)
}

/// Every event is also an audit entry: the chain covers every change.
fn audit_event(conn: &mut AnyConnection, row: &EventRow) -> StoreResult<()> {
    let (subject_type, subject_id) = match (&row.case_id, &row.report_id, &row.client_id) {
        (Some(case), _, _) => ("case", case.as_str()),
        (None, Some(report), _) => ("report", report.as_str()),
        (None, None, Some(client)) => ("client", client.as_str()),
        (None, None, None) => ("unit", row.unit_id.as_str()),
    };
    let action = match &row.machine {
        Some(machine) => format!("{subject_type}.transition.{machine}"),
        None => row.action.clone(),
    };
    let details = row
        .details
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
    crate::audit::append(
        conn,
        crate::audit::Entry {
            actor_id: &row.actor_id,
            at: row.at,
            action: &action,
            subject_type,
            subject_id,
            unit_id: &row.unit_id,
            case_id: row.case_id.as_deref(),
            purpose: None,
            legal_basis: None,
            payload: serde_json::json!({
                "event_id": row.id,
                "from": row.from_stage,
                "to": row.to_stage,
                "reason_code": row.reason_code,
                "reason": row.reason,
                "details": details,
            }),
        },
    )?;
    Ok(())
}

/// Records the events a domain transition returned.
pub fn record_transitions(
    conn: &mut AnyConnection,
    subject: &Subject,
    transitions: &[TransitionEvent],
) -> StoreResult<()> {
    for t in transitions {
        let row = EventRow {
            id: new_id(),
            unit_id: subject.unit_id.clone(),
            case_id: subject.case_id.clone(),
            report_id: subject.report_id.clone(),
            client_id: subject.client_id.clone(),
            action: EventKind::Transition.code().to_owned(),
            machine: Some(t.machine.code().to_owned()),
            move_kind: Some(t.kind.code().to_owned()),
            from_stage: t.from.map(|s| s.code().to_owned()),
            to_stage: Some(t.to.code().to_owned()),
            reason_code: t.reason_code.map(str::to_owned),
            reason: t.reason.clone(),
            details: None,
            actor_id: t.actor.clone(),
            at: t.at.naive_utc(),
            schema_version: EventKind::Transition.schema_version(),
        };
        diesel::insert_into(events::table)
            .values(&row)
            .execute(conn)?;
        audit_event(conn, &row)?;
    }
    Ok(())
}
