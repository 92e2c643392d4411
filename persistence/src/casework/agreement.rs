//! Agreements with the client (seed 003: the service agreement, signed by the client and the head;
//! seed 002: the informed consent, at planning; seed 001: the preliminary and the concluded
//! contract), each recorded in the form the domain gives its kind, and the agreement record the
//! client's agreement to a plan version writes. The rules are `opora_domain::casework::agreement`'s.

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::casework::agreement;
use opora_domain::casework::agreement::form_of_plan_agreement;
use opora_domain::events::DomainEvent;
use opora_domain::{Action, AgreementForm, AgreementKind, AgreementMethod};

use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::{AgreementRow, CaseRow, PlanRow};
use crate::schema::agreements;
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

/// The client's agreement to a plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAgreement {
    pub agreed_on: NaiveDate,
    /// Who signed (for a child, a person with parental responsibility).
    pub agreed_by: String,
    pub method: AgreementMethod,
    /// For a child: the person with parental responsibility who signed.
    pub signed_for_child_by: Option<String>,
    /// Their relation to the child (e.g. `mother`, `guardian`).
    pub signer_relation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreement {
    pub kind: AgreementKind,
    /// `None`: as the domain defaults it (`opora_domain::casework::agreement::record`).
    pub form: Option<AgreementForm>,
    /// Who witnessed an oral agreement.
    pub witnessed_by: Option<String>,
    /// The day it was signed, or agreed orally.
    pub signed_on: NaiveDate,
    pub signed_by_client: bool,
    pub signed_by_service: bool,
    pub parties: String,
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

/// The agreement record of the client's agreement to a plan version (same transaction).
pub(crate) fn record_plan_agreement(
    conn: &mut AnyConnection,
    caller: &Caller,
    case: &CaseRow,
    plan: &PlanRow,
    agreement: &PlanAgreement,
) -> StoreResult<String> {
    let row = AgreementRow {
        id: new_id(),
        case_id: case.id.clone(),
        unit_id: case.unit_id.clone(),
        cycle: case.cycle,
        kind: AgreementKind::PlanAgreement.code().to_owned(),
        signed_on: agreement.agreed_on,
        signed_by_client: true,
        signed_by_service: false,
        parties: agreement.agreed_by.clone(),
        notes: None,
        valid_until: None,
        terminated_on: None,
        created_by: caller.actor.staff_id.clone(),
        created_at: now(),
        plan_id: Some(plan.id.clone()),
        method: Some(agreement.method.code().to_owned()),
        signed_for_child_by: agreement.signed_for_child_by.clone(),
        signer_relation: agreement.signer_relation.clone(),
        form: form_of_plan_agreement(agreement.method).code().to_owned(),
        witnessed_by: None,
    };
    diesel::insert_into(agreements::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

impl Store {
    pub fn record_agreement(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewAgreement,
    ) -> StoreResult<AgreementRow> {
        agreement::check_recorded_on_its_own(new.kind).map_err(StoreError::refused)?;
        let recorded = agreement::record(agreement::Terms {
            kind: new.kind,
            form: new.form,
            witnessed_by: new.witnessed_by.as_deref(),
            signed_by_client: new.signed_by_client,
            signed_by_service: new.signed_by_service,
        })
        .map_err(StoreError::refused)?;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            let row = AgreementRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                kind: new.kind.code().to_owned(),
                signed_on: new.signed_on,
                signed_by_client: recorded.client_agreed,
                signed_by_service: recorded.signed_by_service,
                parties: new.parties,
                notes: new.notes,
                valid_until: new.valid_until,
                terminated_on: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                plan_id: None,
                method: None,
                signed_for_child_by: None,
                signer_relation: None,
                form: recorded.form.code().to_owned(),
                witnessed_by: recorded.witnessed_by,
            };
            diesel::insert_into(agreements::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::AgreementRecorded {
                    agreement_id: row.id.clone(),
                    kind: row.kind.clone(),
                    form: row.form.clone(),
                    signed_on: row.signed_on,
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(row)
        })
    }

    pub fn list_agreements(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> StoreResult<Vec<AgreementRow>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_agreements",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(agreements::table
                .filter(agreements::case_id.eq(&case.id))
                .order(agreements::id)
                .select(AgreementRow::as_select())
                .load(conn)?)
        })
    }
}
