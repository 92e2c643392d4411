//! Sensitive sections of a client, consents to disclose them, and disclosures on a legal basis.
//! The rule of who may read what is the domain's ([`opora_domain::confidentiality`]); here the
//! facts are gathered (the caller's relationship to the client, the consents and approved
//! disclosures naming them) and every read outside the case team, every write and every decision
//! is put on the audit chain with its purpose and legal basis.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::access::CaseScope;
use opora_domain::confidentiality::{
    may_read, may_write, ConsentTerms, DisclosureCommand, DisclosureStatus, Grant, LegalBasis,
    Relationship, SensitiveSection,
};
use opora_domain::Action;
use serde_json::{json, Value};

use crate::audit;
use crate::models::ClientRow;
use crate::schema::{case_access, cases, client_sensitive, clients, consents, disclosures, staff};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = client_sensitive)]
pub struct SensitiveRow {
    pub id: String,
    pub client_id: String,
    pub unit_id: String,
    pub section: String,
    pub content: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub client_id: String,
    pub unit_id: String,
    pub purpose: String,
    pub recipient_staff_id: Option<String>,
    pub recipient_organisation: Option<String>,
    pub sections: String,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    pub revocation_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = disclosures)]
pub struct DisclosureRow {
    pub id: String,
    pub client_id: String,
    pub unit_id: String,
    pub recipient_staff_id: Option<String>,
    pub recipient_organisation: Option<String>,
    pub sections: String,
    pub legal_basis: String,
    pub purpose: String,
    /// A [`DisclosureStatus`] code: `requested`, `approved` or `rejected`.
    pub status: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

impl DisclosureRow {
    /// Where the disclosure stands.
    pub fn status(&self) -> StoreResult<DisclosureStatus> {
        crate::error::stored("disclosure status", &self.status, DisclosureStatus::parse)
    }
}

/// One section the caller may read, and on what ground.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionRead {
    pub section: SensitiveSection,
    pub content: Value,
    pub grant: Grant,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// Who receives a consent or disclosure: a staff member (who then reads in Opora) or an outside
/// organisation (which receives what the case team sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Staff(String),
    Organisation(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewConsent {
    pub purpose: String,
    pub recipient: Recipient,
    pub sections: Vec<SensitiveSection>,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDisclosure {
    pub recipient: Recipient,
    pub sections: Vec<SensitiveSection>,
    pub legal_basis: LegalBasis,
    pub purpose: String,
}

fn join_sections(sections: &[SensitiveSection]) -> String {
    sections
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn split_sections(text: &str) -> Vec<SensitiveSection> {
    text.split(',')
        .filter_map(SensitiveSection::parse)
        .collect()
}

fn load_client_row(
    conn: &mut AnyConnection,
    caller: &Caller,
    client_id: &str,
) -> StoreResult<ClientRow> {
    let row: ClientRow = clients::table
        .find(client_id)
        .select(ClientRow::as_select())
        .first(conn)?;
    caller.require_on(&row.unit_id, Action::ReadCaseRecords)?;
    Ok(row)
}

/// How the caller stands to the client (the domain's rule over the client's cases).
pub(crate) fn relationship(
    conn: &mut AnyConnection,
    caller: &Caller,
    client: &ClientRow,
) -> StoreResult<Relationship> {
    let rows: Vec<(String, String, String, bool)> = cases::table
        .filter(cases::client_id.eq(&client.id))
        .select((
            cases::id,
            cases::unit_id,
            cases::key_worker_id,
            cases::restricted,
        ))
        .load(conn)?;
    let restricted: Vec<&String> = rows.iter().filter(|r| r.3).map(|r| &r.0).collect();
    let names: Vec<(String, String)> = if restricted.is_empty() {
        Vec::new()
    } else {
        case_access::table
            .filter(case_access::case_id.eq_any(restricted))
            .select((case_access::case_id, case_access::staff_id))
            .load(conn)?
    };
    let named: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            names
                .iter()
                .filter(|(case, _)| *case == r.0)
                .map(|(_, staff)| staff.clone())
                .collect()
        })
        .collect();
    let scopes: Vec<CaseScope> = rows
        .iter()
        .zip(&named)
        .map(|(r, named)| CaseScope {
            unit_id: &r.1,
            key_worker_id: &r.2,
            restricted: r.3,
            named,
        })
        .collect();
    Ok(opora_domain::confidentiality::relationship(
        &caller.viewer(),
        caller.actor.may(Action::SuperviseUnit),
        &client.unit_id,
        &scopes,
    ))
}

/// The hex SHA-256 of a section's content as stored.
fn content_digest(content: &Value) -> String {
    audit::sha256(&content.to_string())
}

fn consents_for(
    conn: &mut AnyConnection,
    client_id: &str,
    staff_id: &str,
) -> StoreResult<Vec<(String, ConsentTerms)>> {
    let rows: Vec<ConsentRow> = consents::table
        .filter(consents::client_id.eq(client_id))
        .filter(consents::recipient_staff_id.eq(staff_id))
        .select(ConsentRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|c| {
            (
                c.id,
                ConsentTerms {
                    sections: split_sections(&c.sections),
                    given_on: c.given_on,
                    expires_on: c.expires_on,
                    revoked_on: c.revoked_on,
                },
            )
        })
        .collect())
}

fn approved_bases(
    conn: &mut AnyConnection,
    client_id: &str,
    staff_id: &str,
) -> StoreResult<Vec<(LegalBasis, Vec<SensitiveSection>)>> {
    let rows: Vec<DisclosureRow> = disclosures::table
        .filter(disclosures::client_id.eq(client_id))
        .filter(disclosures::recipient_staff_id.eq(staff_id))
        .filter(disclosures::status.eq(DisclosureStatus::Approved.code()))
        .select(DisclosureRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|d| LegalBasis::parse(&d.legal_basis).map(|b| (b, split_sections(&d.sections))))
        .collect())
}

fn require_team(conn: &mut AnyConnection, caller: &Caller, client: &ClientRow) -> StoreResult<()> {
    let relationship = relationship(conn, caller, client)?;
    if may_write(&caller.actor.roles, relationship) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(Action::RecordCaseWork))
    }
}

fn recipient_columns(
    conn: &mut AnyConnection,
    caller: &Caller,
    recipient: &Recipient,
) -> StoreResult<(Option<String>, Option<String>)> {
    match recipient {
        Recipient::Staff(id) => {
            let unit: Option<String> = staff::table
                .find(id)
                .select(staff::unit_id)
                .first(conn)
                .optional()?;
            opora_domain::confidentiality::check_staff_recipient(
                unit.is_some_and(|unit| caller.sees_unit(&unit)),
            )
            .map_err(StoreError::refused)?;
            Ok((Some(id.clone()), None))
        }
        Recipient::Organisation(name) => Ok((None, Some(name.clone()))),
    }
}

impl Store {
    /// The sections the caller may read; each read outside the case team is logged with its
    /// ground (consent, or the legal basis), so that every disclosure is on record.
    pub fn read_sensitive(
        &self,
        caller: &Caller,
        client_id: &str,
    ) -> StoreResult<Vec<SectionRead>> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            let relationship = relationship(conn, caller, &client)?;
            let consented = consents_for(conn, client_id, &caller.actor.staff_id)?;
            let consents: Vec<ConsentTerms> = consented.iter().map(|(_, t)| t.clone()).collect();
            let bases = approved_bases(conn, client_id, &caller.actor.staff_id)?;
            let today = now().date();
            let rows: Vec<SensitiveRow> = client_sensitive::table
                .filter(client_sensitive::client_id.eq(client_id))
                .order(client_sensitive::section)
                .select(SensitiveRow::as_select())
                .load(conn)?;
            let mut out = Vec::new();
            let mut refused = Vec::new();
            for row in rows {
                let Some(section) = SensitiveSection::parse(&row.section) else {
                    continue;
                };
                let Some(grant) = may_read(
                    &caller.actor.roles,
                    relationship,
                    section,
                    &consents,
                    &bases,
                    today,
                ) else {
                    refused.push(section.code());
                    continue;
                };
                let (purpose, basis) = match grant {
                    Grant::CaseTeam => (None, None),
                    Grant::Consent => (Some("client consent"), None),
                    Grant::LegalBasis(b) => (Some("disclosure on a legal basis"), Some(b.code())),
                };
                // Which consent opened the section, so that its revocation can be traced.
                let consent_id = match grant {
                    Grant::Consent => consented
                        .iter()
                        .find(|(_, terms)| terms.covers(section, today))
                        .map(|(id, _)| id.as_str()),
                    _ => None,
                };
                audit::append(
                    conn,
                    audit::Entry {
                        actor_id: &caller.actor.staff_id,
                        at: now(),
                        action: "client.sensitive.viewed",
                        subject_type: "client",
                        subject_id: client_id,
                        unit_id: &client.unit_id,
                        case_id: None,
                        purpose,
                        legal_basis: basis,
                        payload: json!({ "section": section.code(), "consent_id": consent_id }),
                    },
                )?;
                out.push(SectionRead {
                    section,
                    content: serde_json::from_str(&row.content)
                        .unwrap_or(Value::String(row.content.clone())),
                    grant,
                    version: row.version,
                    updated_by: row.updated_by,
                    updated_at: row.updated_at,
                });
            }
            if !refused.is_empty() {
                // A refused look is on record too: who tried to read which sections.
                audit::append(
                    conn,
                    audit::Entry {
                        actor_id: &caller.actor.staff_id,
                        at: now(),
                        action: "client.sensitive.refused",
                        subject_type: "client",
                        subject_id: client_id,
                        unit_id: &client.unit_id,
                        case_id: None,
                        purpose: None,
                        legal_basis: None,
                        payload: json!({ "sections": refused }),
                    },
                )?;
            }
            Ok(out)
        })
    }

    /// Records a section (case team only); the audit entry holds the section, its version and a
    /// digest of the content, never the content.
    pub fn write_sensitive(
        &self,
        caller: &Caller,
        client_id: &str,
        section: SensitiveSection,
        content: Value,
    ) -> StoreResult<SectionRead> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            require_team(conn, caller, &client)?;
            let at = now();
            let existing: Option<SensitiveRow> = client_sensitive::table
                .filter(client_sensitive::client_id.eq(client_id))
                .filter(client_sensitive::section.eq(section.code()))
                .select(SensitiveRow::as_select())
                .first(conn)
                .optional()?;
            let version = match &existing {
                Some(row) => {
                    let updated = diesel::update(
                        client_sensitive::table
                            .filter(client_sensitive::id.eq(&row.id))
                            .filter(client_sensitive::version.eq(row.version)),
                    )
                    .set((
                        client_sensitive::content.eq(content.to_string()),
                        client_sensitive::version.eq(row.version + 1),
                        client_sensitive::updated_by.eq(&caller.actor.staff_id),
                        client_sensitive::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                    crate::db::compare_and_set(updated, || {
                        Ok(StoreError::Conflict(
                            "the section was written meanwhile; read it again".into(),
                        ))
                    })?;
                    row.version + 1
                }
                None => {
                    diesel::insert_into(client_sensitive::table)
                        .values(&SensitiveRow {
                            id: new_id(),
                            client_id: client_id.to_owned(),
                            unit_id: client.unit_id.clone(),
                            section: section.code().to_owned(),
                            content: content.to_string(),
                            version: 1,
                            updated_by: caller.actor.staff_id.clone(),
                            updated_at: at,
                        })
                        .execute(conn)?;
                    1
                }
            };
            audit::append(
                conn,
                audit::Entry {
                    actor_id: &caller.actor.staff_id,
                    at,
                    action: "client.sensitive.written",
                    subject_type: "client",
                    subject_id: client_id,
                    unit_id: &client.unit_id,
                    case_id: None,
                    purpose: None,
                    legal_basis: None,
                    // Which section, which version and a digest of what it says: enough to prove
                    // what was written when, never the content (auditors read the log).
                    payload: json!({
                        "section": section.code(),
                        "version": version,
                        "sha256": content_digest(&content),
                    }),
                },
            )?;
            Ok(SectionRead {
                section,
                content,
                grant: Grant::CaseTeam,
                version,
                updated_by: caller.actor.staff_id.clone(),
                updated_at: at,
            })
        })
    }

    /// Records the client's consent to disclose sections to a recipient (case team only).
    pub fn record_consent(
        &self,
        caller: &Caller,
        client_id: &str,
        new: NewConsent,
    ) -> StoreResult<ConsentRow> {
        opora_domain::confidentiality::check_consent_sections(&new.sections)
            .and_then(|()| {
                opora_domain::confidentiality::check_consent_period(new.given_on, new.expires_on)
            })
            .map_err(StoreError::refused)?;
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            require_team(conn, caller, &client)?;
            let (staff_id, organisation) = recipient_columns(conn, caller, &new.recipient)?;
            let row = ConsentRow {
                id: new_id(),
                client_id: client_id.to_owned(),
                unit_id: client.unit_id.clone(),
                purpose: new.purpose,
                recipient_staff_id: staff_id,
                recipient_organisation: organisation,
                sections: join_sections(&new.sections),
                given_on: new.given_on,
                expires_on: new.expires_on,
                revoked_on: None,
                revocation_reason: None,
                recorded_by: caller.actor.staff_id.clone(),
                recorded_at: now(),
            };
            diesel::insert_into(consents::table).values(&row).execute(conn)?;
            audit_decision(conn, caller, &client, "consent.recorded", Some(&row.purpose), None, json!({ "consent_id": row.id, "sections": row.sections, "recipient_staff_id": row.recipient_staff_id, "recipient_organisation": row.recipient_organisation, "expires_on": row.expires_on }))?;
            Ok(row)
        })
    }

    /// Revokes a consent from today: reads relying on it stop at once.
    pub fn revoke_consent(
        &self,
        caller: &Caller,
        client_id: &str,
        consent_id: &str,
        reason: Option<String>,
    ) -> StoreResult<ConsentRow> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            require_team(conn, caller, &client)?;
            let mut row: ConsentRow = consents::table
                .filter(consents::id.eq(consent_id))
                .filter(consents::client_id.eq(client_id))
                .select(ConsentRow::as_select())
                .first(conn)?;
            opora_domain::confidentiality::may_revoke(row.revoked_on)
                .map_err(StoreError::refused)?;
            let today = now().date();
            let updated = diesel::update(
                consents::table
                    .filter(consents::id.eq(&row.id))
                    .filter(consents::revoked_on.is_null()),
            )
            .set((
                consents::revoked_on.eq(Some(today)),
                consents::revocation_reason.eq(&reason),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the consent is already revoked".into(),
                ))
            })?;
            row.revoked_on = Some(today);
            row.revocation_reason = reason;
            audit_decision(
                conn,
                caller,
                &client,
                "consent.revoked",
                None,
                None,
                json!({ "consent_id": row.id, "reason": row.revocation_reason }),
            )?;
            Ok(row)
        })
    }

    pub fn list_consents(&self, caller: &Caller, client_id: &str) -> StoreResult<Vec<ConsentRow>> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            audit::viewed(
                conn,
                caller,
                "client_consents",
                client_id,
                &client.unit_id,
                None,
            )?;
            Ok(consents::table
                .filter(consents::client_id.eq(client_id))
                .order(consents::id)
                .select(ConsentRow::as_select())
                .load(conn)?)
        })
    }

    /// Asks to disclose sections on a legal basis (case team); a supervisor decides.
    pub fn request_disclosure(
        &self,
        caller: &Caller,
        client_id: &str,
        new: NewDisclosure,
    ) -> StoreResult<DisclosureRow> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            require_team(conn, caller, &client)?;
            let (staff_id, organisation) = recipient_columns(conn, caller, &new.recipient)?;
            let row = DisclosureRow {
                id: new_id(),
                client_id: client_id.to_owned(),
                unit_id: client.unit_id.clone(),
                recipient_staff_id: staff_id,
                recipient_organisation: organisation,
                sections: join_sections(&new.sections),
                legal_basis: new.legal_basis.code().to_owned(),
                purpose: new.purpose,
                status: DisclosureStatus::Requested.code().to_owned(),
                requested_by: caller.actor.staff_id.clone(),
                requested_at: now(),
                decided_by: None,
                decided_at: None,
                decision_note: None,
            };
            diesel::insert_into(disclosures::table).values(&row).execute(conn)?;
            audit_decision(conn, caller, &client, "disclosure.requested", Some(&row.purpose), Some(&row.legal_basis), json!({ "disclosure_id": row.id, "sections": row.sections, "recipient_staff_id": row.recipient_staff_id, "recipient_organisation": row.recipient_organisation }))?;
            Ok(row)
        })
    }

    /// A supervisor of the unit approves or rejects a requested disclosure (not their own).
    pub fn decide_disclosure(
        &self,
        caller: &Caller,
        client_id: &str,
        disclosure_id: &str,
        approve: bool,
        note: Option<String>,
    ) -> StoreResult<DisclosureRow> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            caller.require(Action::DecideDisclosure)?;
            let mut row: DisclosureRow = disclosures::table
                .filter(disclosures::id.eq(disclosure_id))
                .filter(disclosures::client_id.eq(client_id))
                .select(DisclosureRow::as_select())
                .first(conn)?;
            let command = if approve {
                DisclosureCommand::Approve
            } else {
                DisclosureCommand::Reject
            };
            let decided = row
                .status()?
                .decide(command, row.requested_by == caller.actor.staff_id)
                .map_err(StoreError::refused)?;
            let at = now();
            row.status = decided.code().to_owned();
            row.decided_by = Some(caller.actor.staff_id.clone());
            row.decided_at = Some(at);
            row.decision_note = note;
            // Compare-and-set on the status read: two supervisors deciding at once cannot both win.
            let updated = diesel::update(
                disclosures::table
                    .filter(disclosures::id.eq(&row.id))
                    .filter(disclosures::status.eq(DisclosureStatus::Requested.code())),
            )
            .set((
                disclosures::status.eq(&row.status),
                disclosures::decided_by.eq(&row.decided_by),
                disclosures::decided_at.eq(row.decided_at),
                disclosures::decision_note.eq(&row.decision_note),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                let status: String = disclosures::table
                    .find(&row.id)
                    .select(disclosures::status)
                    .first(conn)?;
                let now_is = crate::error::stored("disclosure status", &status, DisclosureStatus::parse)?;
                Ok(match now_is.next(command) {
                    Err(refused) => StoreError::refused(refused),
                    Ok(_) => StoreError::Conflict("the disclosure was changed meanwhile; read it again".into()),
                })
            })?;
            let action = if approve { "disclosure.approved" } else { "disclosure.rejected" };
            audit_decision(conn, caller, &client, action, Some(&row.purpose), Some(&row.legal_basis), json!({ "disclosure_id": row.id, "sections": row.sections, "note": row.decision_note }))?;
            Ok(row)
        })
    }

    pub fn list_disclosures(
        &self,
        caller: &Caller,
        client_id: &str,
    ) -> StoreResult<Vec<DisclosureRow>> {
        self.write(|conn| {
            let client = load_client_row(conn, caller, client_id)?;
            audit::viewed(
                conn,
                caller,
                "client_disclosures",
                client_id,
                &client.unit_id,
                None,
            )?;
            Ok(disclosures::table
                .filter(disclosures::client_id.eq(client_id))
                .order(disclosures::id)
                .select(DisclosureRow::as_select())
                .load(conn)?)
        })
    }
}

fn audit_decision(
    conn: &mut AnyConnection,
    caller: &Caller,
    client: &ClientRow,
    action: &str,
    purpose: Option<&str>,
    legal_basis: Option<&str>,
    payload: Value,
) -> StoreResult<()> {
    audit::append(
        conn,
        audit::Entry {
            actor_id: &caller.actor.staff_id,
            at: now(),
            action,
            subject_type: "client",
            subject_id: &client.id,
            unit_id: &client.unit_id,
            case_id: None,
            purpose,
            legal_basis,
            payload,
        },
    )?;
    Ok(())
}
