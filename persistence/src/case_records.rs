//! How a use case first loads its case: by id ([`load_case`]); only if the caller sees it and may
//! act on it ([`case_for`]), and active besides for recording work ([`active_case`]); and the
//! subject its events are filed under ([`subject`]). A leaf under every case-scoped module, so that
//! none of them needs another's use cases for it.

use diesel::prelude::*;
use opora_domain::Action;

use crate::events::Subject;
use crate::models::CaseRow;
use crate::schema::cases;
use crate::visibility::visible;
use crate::{AnyConnection, Caller, StoreError, StoreResult};

pub(crate) fn load_case(conn: &mut AnyConnection, id: &str) -> StoreResult<CaseRow> {
    Ok(cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)?)
}

/// The case, if the caller sees it and may do `action` on it.
pub(crate) fn case_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    action: Action,
) -> StoreResult<CaseRow> {
    let case = load_case(conn, id)?;
    if !visible(conn, caller, &case)? {
        return Err(StoreError::NotFound);
    }
    caller.require(action)?;
    Ok(case)
}

/// The case, if visible, the caller may record work on it, and it is active.
pub(crate) fn active_case(
    conn: &mut AnyConnection,
    caller: &Caller,
    case_id: &str,
) -> StoreResult<CaseRow> {
    let case = case_for(conn, caller, case_id, Action::RecordCaseWork)?;
    let stage = crate::error::stored(
        "lifecycle stage",
        &case.lifecycle_stage,
        opora_domain::LifecycleStage::parse,
    )?;
    opora_domain::contacts::may_add_records(stage).map_err(StoreError::refused)?;
    Ok(case)
}

pub(crate) fn subject(case: &CaseRow) -> Subject {
    Subject {
        unit_id: case.unit_id.clone(),
        case_id: Some(case.id.clone()),
        report_id: None,
        client_id: Some(case.client_id.clone()),
    }
}
