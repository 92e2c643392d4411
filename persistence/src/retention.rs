//! Data-subject rights and retention (GDPR art. 15, 17, 30).
//!
//! - **Export**: everything held about a client, the disclosures of their data included, with the
//!   identity of whoever reported the family redacted. Sensitive sections are per client (the
//!   family as a whole); splitting them per member is still to do (see the README).
//! - **Legal hold**: keeps a client's records from being pseudonymised.
//! - **Retention**: once every case and report of a client has been over for the retention period,
//!   the personal data is pseudonymised: names, contacts and free texts replaced; phones,
//!   children's schools, the questionnaire and sensitive sections deleted; and the audit payloads
//!   about the client erased. The audit chain still verifies: it holds only the payloads' hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use opora_domain::Action;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::clients::load_client;
use crate::confidentiality::{ConsentRow, DisclosureRow, SensitiveRow};
use crate::models::*;
use crate::schema::*;
use crate::{now, AnyConnection, Caller, Store, StoreError, StoreResult};

const PSEUDONYMISED: &str = "[pseudonymised]";

/// What a retention run found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Clients whose records were (or, in a dry run, would be) pseudonymised.
    pub pseudonymised: Vec<String>,
    /// Clients past the period but under a legal hold.
    pub held: Vec<String>,
}

fn require_supervisor(caller: &Caller, unit_id: &str) -> StoreResult<()> {
    caller.require_on(unit_id, Action::ReadCaseRecords)?;
    caller.require(Action::HandleSubjectRights)
}

fn case_ids(conn: &mut AnyConnection, client_id: &str) -> StoreResult<Vec<String>> {
    Ok(cases::table
        .filter(cases::client_id.eq(client_id))
        .select(cases::id)
        .order(cases::id)
        .load(conn)?)
}

impl Store {
    /// Everything held about a client, for the client (supervisors of the unit). The export is
    /// itself on the audit chain.
    /// With `member_id`, the export is for one member of a family: the other members' names are
    /// replaced wherever they appear, their details left out, and the family's sensitive
    /// sections withheld (they may concern the others).
    pub fn export_subject(
        &self,
        caller: &Caller,
        client_id: &str,
        member_id: Option<&str>,
    ) -> StoreResult<Value> {
        // The reads on record up to now are in the export.
        self.integrate_audit()?;
        self.write(|conn| {
            let client = load_client(conn, client_id)?;
            require_supervisor(caller, &client.client.unit_id)?;
            opora_domain::confidentiality::check_export_member(member_id, |id| {
                client.members.iter().any(|m| m.id == id)
            })
            .map_err(StoreError::refused)?;
            // Only what the caller sees: a restricted case they are not named on, and its
            // reports and history, stay out (the export says so, without what they hold).
            let all_ids = case_ids(conn, client_id)?;
            let seen: Vec<(String, String, bool)> = cases::table
                .filter(cases::client_id.eq(client_id))
                .filter(crate::visibility::visible_cases(caller))
                .select((cases::id, cases::unit_id, cases::restricted))
                .order(cases::id)
                .load(conn)?;
            let ids: Vec<String> = seen.iter().map(|(id, _, _)| id.clone()).collect();
            let mut withheld: Vec<&str> = vec![
                "sensitive_sections.reporter_identity: protects whoever reported the family; never exported",
            ];
            if ids.len() < all_ids.len() {
                withheld.push("restricted cases: only the staff named on them may export their records; ask a named supervisor to complete the export");
            }
            let relationship = crate::confidentiality::relationship(conn, caller, &client.client)?;
            let readable: Vec<String> = opora_domain::confidentiality::SensitiveSection::ALL
                .iter()
                .filter(|s| s.consentable())
                .filter(|s| {
                    opora_domain::confidentiality::may_read(
                        &caller.actor.roles,
                        relationship,
                        **s,
                        &[],
                        &[],
                        now().date(),
                    )
                    .is_some()
                })
                .map(|s| s.code().to_owned())
                .collect();
            let mut reports: Vec<ReportRow> = intake_reports::table
                .filter(intake_reports::client_id.eq(client_id))
                .filter(crate::visibility::visible_case_records!(intake_reports, caller))
                .order(intake_reports::id)
                .select(ReportRow::as_select())
                .load(conn)?;
            for r in &mut reports {
                // Protects whoever reported the family.
                r.reporter = r.reporter.as_ref().map(|_| "[redacted]".to_owned());
            }
            let report_ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
            let case_rows: Vec<CaseRow> = cases::table.filter(cases::id.eq_any(&ids)).order(cases::id).select(CaseRow::as_select()).load(conn)?;
            let plans: Vec<PlanRow> = plans::table.filter(plans::case_id.eq_any(&ids)).order(plans::id).select(PlanRow::as_select()).load(conn)?;
            let plan_ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
            let export = json!({
                "exported_at": crate::audit::format_time(now()),
                "client": client.client,
                "members": client.members,
                "categories": client.categories,
                "phones": client.phones,
                "questionnaire": crate::questionnaire::export(conn, client_id)?,
                "intake_reports": reports,
                "cases": case_rows,
                "assessments": assessments::table.filter(assessments::case_id.eq_any(&ids)).order(assessments::id).select(AssessmentRow::as_select()).load(conn)?,
                "plans": plans,
                "plan_goals": plan_goals::table.filter(plan_goals::plan_id.eq_any(&plan_ids)).order(plan_goals::id).select(GoalRow::as_select()).load(conn)?,
                "plan_actions": plan_actions::table.filter(plan_actions::plan_id.eq_any(&plan_ids)).order(plan_actions::id).select(ActionRow::as_select()).load(conn)?,
                "agreements": agreements::table.filter(agreements::case_id.eq_any(&ids)).order(agreements::id).select(AgreementRow::as_select()).load(conn)?,
                "evaluations": evaluations::table.filter(evaluations::case_id.eq_any(&ids)).order(evaluations::id).select(EvaluationRow::as_select()).load(conn)?,
                "contacts": crate::contacts::export_contacts(conn, &ids)?,
                "success_stories": crate::success_stories::export_stories(conn, &ids)?,
                "events": events::table
                    .filter(
                        events::client_id.eq(client_id).and(events::case_id.is_null()).and(events::report_id.is_null())
                            .or(events::case_id.eq_any(&ids))
                            .or(events::case_id.is_null().and(events::report_id.eq_any(&report_ids))),
                    )
                    .order(events::id)
                    .select(EventRow::as_select())
                    .load(conn)?,
                "sensitive_sections": client_sensitive::table.filter(client_sensitive::client_id.eq(client_id)).filter(client_sensitive::section.eq_any(&readable)).order(client_sensitive::section).select(SensitiveRow::as_select()).load(conn)?,
                "consents": consents::table.filter(consents::client_id.eq(client_id)).order(consents::id).select(ConsentRow::as_select()).load(conn)?,
                "disclosures": disclosures::table.filter(disclosures::client_id.eq(client_id)).order(disclosures::id).select(DisclosureRow::as_select()).load(conn)?,
                // Who read the sensitive sections outside the case team, on what ground.
                "reads_outside_the_case_team": audit_entries::table
                    .filter(audit_entries::subject_id.eq(client_id))
                    .filter(audit_entries::action.eq("client.sensitive.viewed"))
                    .filter(audit_entries::purpose.is_not_null())
                    .order(audit_entries::seq)
                    .select((audit_entries::actor_id, audit_entries::at, audit_entries::purpose, audit_entries::legal_basis))
                    .load::<(String, NaiveDateTime, Option<String>, Option<String>)>(conn)?
                    .into_iter()
                    .map(|(actor, at, purpose, basis)| json!({"actor_id": actor, "at": crate::audit::format_time(at), "purpose": purpose, "legal_basis": basis}))
                    .collect::<Vec<_>>(),
                "withheld": withheld,
            });
            let (restricted, unrestricted): (Vec<_>, Vec<_>) =
                seen.iter().partition(|(_, _, restricted)| *restricted);
            let unrestricted: Vec<&String> = unrestricted.iter().map(|(id, _, _)| id).collect();
            audit::append(
                conn,
                audit::Entry {
                    actor_id: &caller.actor.staff_id,
                    at: now(),
                    action: "client.exported",
                    subject_type: "client",
                    subject_id: client_id,
                    unit_id: &client.client.unit_id,
                    case_id: None,
                    purpose: Some("data-subject access request (GDPR art. 15)"),
                    legal_basis: None,
                    payload: json!({ "cases": unrestricted }),
                },
            )?;
            // A restricted case exported is on record under that case, which only its named
            // staff see.
            for (case_id, unit_id, _) in restricted {
                audit::append(
                    conn,
                    audit::Entry {
                        actor_id: &caller.actor.staff_id,
                        at: now(),
                        action: "client.exported",
                        subject_type: "client",
                        subject_id: client_id,
                        unit_id,
                        case_id: Some(case_id),
                        purpose: Some("data-subject access request (GDPR art. 15)"),
                        legal_basis: None,
                        payload: json!({ "cases": [case_id] }),
                    },
                )?;
            }
            let export = match member_id {
                Some(member) => for_member(export, &client.members, member),
                None => export,
            };
            Ok(export)
        })
    }

    /// Sets or lifts a legal hold (supervisors of the unit).
    pub fn set_legal_hold(
        &self,
        caller: &Caller,
        client_id: &str,
        hold: bool,
        reason: String,
    ) -> StoreResult<()> {
        self.write(|conn| {
            let unit: String = clients::table
                .find(client_id)
                .select(clients::unit_id)
                .first(conn)?;
            require_supervisor(caller, &unit)?;
            diesel::update(clients::table.find(client_id))
                .set((
                    clients::legal_hold.eq(hold),
                    clients::legal_hold_reason.eq(Some(reason.clone())),
                ))
                .execute(conn)?;
            audit::append(
                conn,
                audit::Entry {
                    actor_id: &caller.actor.staff_id,
                    at: now(),
                    action: if hold {
                        "client.legal_hold_set"
                    } else {
                        "client.legal_hold_lifted"
                    },
                    subject_type: "client",
                    subject_id: client_id,
                    unit_id: &unit,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    payload: json!({ "reason": reason }),
                },
            )?;
            Ok(())
        })
    }

    /// Whether a client is under a legal hold.
    pub fn legal_hold(
        &self,
        caller: &Caller,
        client_id: &str,
    ) -> StoreResult<(bool, Option<String>)> {
        self.write(|conn| {
            let (unit, hold, reason): (String, bool, Option<String>) = clients::table
                .find(client_id)
                .select((
                    clients::unit_id,
                    clients::legal_hold,
                    clients::legal_hold_reason,
                ))
                .first(conn)?;
            caller.require_on(&unit, Action::ReadCaseRecords)?;
            audit::viewed(conn, caller, "client_legal_hold", client_id, &unit, None)?;
            Ok((hold, reason))
        })
    }

    /// Pseudonymises the clients whose every case and report ended before `cutoff` and who are
    /// not under a legal hold. A dry run only reports them.
    pub fn run_retention(
        &self,
        cutoff: NaiveDateTime,
        dry_run: bool,
    ) -> StoreResult<RetentionReport> {
        // Entries still queued have payloads to erase too: into the log with them first.
        self.integrate_audit()?;
        let candidates: Vec<(String, bool)> = self.read(|conn| {
            let rows: Vec<(String, bool, NaiveDateTime)> = clients::table
                .filter(clients::pseudonymised_at.is_null())
                .filter(clients::updated_at.lt(cutoff))
                .select((clients::id, clients::legal_hold, clients::updated_at))
                .load(conn)?;
            let mut out = Vec::new();
            for (id, hold, _) in rows {
                let open_cases: i64 = cases::table
                    .filter(cases::client_id.eq(&id))
                    .filter(cases::closed_at.is_null().or(cases::closed_at.ge(cutoff)))
                    .count()
                    .get_result(conn)?;
                let open_reports: i64 = intake_reports::table
                    .filter(intake_reports::client_id.eq(&id))
                    .filter(
                        intake_reports::stage
                            .eq_any(["intake", "verification", "need_recognition"])
                            .or(intake_reports::updated_at.ge(cutoff)),
                    )
                    .count()
                    .get_result(conn)?;
                let anything: i64 = cases::table
                    .filter(cases::client_id.eq(&id))
                    .count()
                    .get_result(conn)?;
                let reports: i64 = intake_reports::table
                    .filter(intake_reports::client_id.eq(&id))
                    .count()
                    .get_result(conn)?;
                if open_cases == 0 && open_reports == 0 && anything + reports > 0 {
                    out.push((id, hold));
                }
            }
            Ok(out)
        })?;
        let mut report = RetentionReport::default();
        for (id, hold) in candidates {
            if hold {
                report.held.push(id);
                continue;
            }
            if !dry_run {
                self.write(|conn| pseudonymise(conn, &id))?;
            }
            report.pseudonymised.push(id);
        }
        Ok(report)
    }
}

/// Narrows a family's export to one member: what concerns them (their member record, the
/// contacts they took part in, the records that name them), and what concerns the family as a
/// whole with the other members' personal data removed: their names in every form from every
/// text (`names::redact_names`), their dates of birth and details, the household's address and
/// phones, and the register snapshots of `client.*` events.
fn for_member(mut export: Value, members: &[MemberRow], member_id: &str) -> Value {
    let own: Vec<&str> = members
        .iter()
        .filter(|m| m.id == member_id)
        .map(|m| m.full_name.as_str())
        .collect();
    let others: Vec<&str> = members
        .iter()
        .filter(|m| m.id != member_id && !m.full_name.trim().is_empty())
        .map(|m| m.full_name.as_str())
        .collect();
    fn scrub(value: &mut Value, others: &[&str], own: &[&str]) {
        match value {
            Value::String(text) => {
                *text =
                    opora_domain::names::redact_names(text, others, own, "[another family member]");
            }
            Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, others, own)),
            Value::Object(map) => map.values_mut().for_each(|v| scrub(v, others, own)),
            _ => {}
        }
    }
    // The register snapshots name and date every member.
    if let Some(events) = export["events"].as_array_mut() {
        for event in events {
            if event["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("client."))
            {
                event["details"] = Value::Null;
            }
        }
    }
    // Their contacts: those they took part in.
    if let Some(contacts) = export["contacts"].as_array_mut() {
        contacts.retain(|c| {
            c["participants"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["member_id"] == json!(member_id)))
        });
    }
    for field in ["address", "phone"] {
        export["client"][field] = Value::Null;
    }
    export["phones"] = json!([]);
    scrub(&mut export, &others, &own);
    export["members"] = Value::from(
        members
            .iter()
            .map(|m| {
                if m.id == member_id {
                    serde_json::to_value(m).unwrap_or(Value::Null)
                } else {
                    json!({ "id": m.id, "relation": m.relation, "is_child": m.is_child, "full_name": "[redacted]" })
                }
            })
            .collect::<Vec<_>>(),
    );
    export["sensitive_sections"] = json!([]);
    export["questionnaire"] = Value::Null;
    if let Some(withheld) = export["withheld"].as_array_mut() {
        withheld.extend([
            json!("sensitive_sections: recorded for the whole family, they may concern other members; released only on the case team's decision"),
            json!("questionnaire: recorded for the whole family, it may concern other members; released only on the case team's decision"),
            json!("client.address, client.phone, phones: the household's, shared with the other members"),
            json!("contacts the member did not take part in; the other members' names, dates of birth and details"),
        ]);
    }
    export["subject_member_id"] = json!(member_id);
    export
}

fn pseudonymise(conn: &mut AnyConnection, client_id: &str) -> StoreResult<()> {
    let at = now();
    let unit: String = clients::table
        .find(client_id)
        .select(clients::unit_id)
        .first(conn)?;
    let tag: String = Sha256::digest(client_id.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    diesel::update(clients::table.find(client_id))
        .set((
            clients::display_name.eq(format!("Pseudonymised client {tag}")),
            clients::date_of_birth.eq(None::<chrono::NaiveDate>),
            clients::phone.eq(None::<String>),
            clients::address.eq(None::<String>),
            clients::name_key.eq(""),
            clients::pseudonymised_at.eq(Some(at)),
            clients::updated_at.eq(at),
        ))
        .execute(conn)?;
    let members: Vec<(String, i32)> = client_members::table
        .filter(client_members::client_id.eq(client_id))
        .select((client_members::id, client_members::position))
        .load(conn)?;
    for (id, position) in members {
        diesel::update(client_members::table.find(&id))
            .set((
                client_members::full_name.eq(format!("Member {}", position + 1)),
                client_members::date_of_birth.eq(None::<chrono::NaiveDate>),
                client_members::name_key.eq(""),
                client_members::school_name.eq(None::<String>),
                client_members::school_class.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    // Phones and the questionnaire go; categories stay (they say nothing of who the client is,
    // and keep the statistics).
    diesel::delete(client_phones::table.filter(client_phones::client_id.eq(client_id)))
        .execute(conn)?;
    crate::questionnaire::erase(conn, client_id)?;
    let ids = case_ids(conn, client_id)?;
    let report_ids: Vec<String> = intake_reports::table
        .filter(intake_reports::client_id.eq(client_id))
        .select(intake_reports::id)
        .load(conn)?;
    diesel::update(intake_reports::table.filter(intake_reports::id.eq_any(&report_ids)))
        .set((
            intake_reports::description.eq(PSEUDONYMISED),
            intake_reports::reporter.eq(None::<String>),
            intake_reports::outcome_note.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(assessments::table.filter(assessments::case_id.eq_any(&ids)))
        .set((
            assessments::summary.eq(PSEUDONYMISED),
            assessments::needs.eq(""),
            assessments::strengths.eq(""),
            assessments::risks.eq(""),
        ))
        .execute(conn)?;
    let plan_ids: Vec<String> = plans::table
        .filter(plans::case_id.eq_any(&ids))
        .select(plans::id)
        .load(conn)?;
    diesel::update(plans::table.filter(plans::id.eq_any(&plan_ids)))
        .set(plans::agreed_by.eq(None::<String>))
        .execute(conn)?;
    diesel::update(plan_goals::table.filter(plan_goals::plan_id.eq_any(&plan_ids)))
        .set((
            plan_goals::description.eq(PSEUDONYMISED),
            plan_goals::expected_result.eq(""),
        ))
        .execute(conn)?;
    diesel::update(plan_actions::table.filter(plan_actions::plan_id.eq_any(&plan_ids)))
        .set((
            plan_actions::description.eq(PSEUDONYMISED),
            plan_actions::responsible.eq(PSEUDONYMISED),
        ))
        .execute(conn)?;
    diesel::update(agreements::table.filter(agreements::case_id.eq_any(&ids)))
        .set((
            agreements::parties.eq(PSEUDONYMISED),
            agreements::notes.eq(None::<String>),
        ))
        .execute(conn)?;
    crate::contacts::pseudonymise_cases(conn, &ids, PSEUDONYMISED)?;
    crate::success_stories::pseudonymise_stories(conn, &ids, PSEUDONYMISED)?;
    diesel::update(evaluations::table.filter(evaluations::case_id.eq_any(&ids)))
        .set(evaluations::summary.eq(PSEUDONYMISED))
        .execute(conn)?;
    diesel::update(
        events::table.filter(
            events::client_id
                .eq(client_id)
                .or(events::case_id.eq_any(&ids))
                .or(events::report_id.eq_any(&report_ids)),
        ),
    )
    .set((
        events::reason.eq(None::<String>),
        events::details.eq(None::<String>),
    ))
    .execute(conn)?;
    diesel::delete(client_sensitive::table.filter(client_sensitive::client_id.eq(client_id)))
        .execute(conn)?;
    // The chain keeps the payloads' hashes; the payloads themselves go.
    let seqs: Vec<i64> = audit_entries::table
        .filter(
            audit_entries::subject_id
                .eq(client_id)
                .or(audit_entries::case_id.eq_any(&ids))
                .or(audit_entries::subject_id.eq_any(&report_ids)),
        )
        .select(audit_entries::seq)
        .load(conn)?;
    diesel::update(
        audit_payloads::table
            .filter(audit_payloads::seq.eq_any(&seqs))
            .filter(audit_payloads::erased_at.is_null()),
    )
    .set((
        audit_payloads::payload.eq(None::<String>),
        audit_payloads::erased_at.eq(Some(at)),
    ))
    .execute(conn)?;
    // Entries queued since: their payloads never reach the log.
    diesel::update(
        crate::schema::audit_queue::table.filter(
            crate::schema::audit_queue::subject_id
                .eq(client_id)
                .or(crate::schema::audit_queue::case_id.eq_any(&ids))
                .or(crate::schema::audit_queue::subject_id.eq_any(&report_ids)),
        ),
    )
    .set(crate::schema::audit_queue::payload.eq("null"))
    .execute(conn)?;
    audit::append(
        conn,
        audit::Entry {
            actor_id: "system:retention",
            at,
            action: "client.pseudonymised",
            subject_type: "client",
            subject_id: client_id,
            unit_id: &unit,
            case_id: None,
            purpose: Some("retention period over (GDPR art. 5(1)(e))"),
            legal_basis: None,
            payload: json!({ "cases": ids, "erased_audit_payloads": seqs.len() }),
        },
    )?;
    Ok(())
}
