//! Who sees a case, as SQL: the filter form of [`opora_domain::access::sees_case`] for every query
//! that lists cases (or records by the cases they belong to), and the loader that hands the domain
//! the facts it judges for one case. A test below holds the two to the same answers on each
//! backend, so that a list never shows a case its `GET` would refuse, nor hides one it would show.

use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use opora_domain::access::{sees_case, CaseScope};

use crate::db::Backend;
use crate::models::CaseRow;
use crate::schema::{case_access, cases};
use crate::{AnyConnection, Caller, StoreResult};

/// A condition on `cases` rows.
pub(crate) type CaseCondition = Box<dyn BoxableExpression<cases::table, Backend, SqlType = Bool>>;

/// The cases the caller sees: those they lead, wherever filed; otherwise those of the units in
/// their scope that are not restricted or name them.
pub(crate) fn visible_cases(caller: &Caller) -> CaseCondition {
    let me = caller.actor.staff_id.clone();
    let named = case_access::table
        .filter(case_access::staff_id.eq(me.clone()))
        .select(case_access::case_id)
        .into_boxed();
    Box::new(
        cases::key_worker_id.eq(me).or(cases::unit_id
            .eq_any(caller.scope.clone())
            .and(not(cases::restricted).or(cases::id.eq_any(named)))),
    )
}

/// Whether the caller sees the case (the domain's rule over the facts on record).
pub(crate) fn visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    case: &CaseRow,
) -> StoreResult<bool> {
    // The names count only while the case is restricted; no need to read them otherwise.
    let named: Vec<String> = if case.restricted {
        case_access::table
            .filter(case_access::case_id.eq(&case.id))
            .select(case_access::staff_id)
            .load(conn)?
    } else {
        Vec::new()
    };
    Ok(sees_case(
        &caller.viewer(),
        &CaseScope {
            unit_id: &case.unit_id,
            key_worker_id: &case.key_worker_id,
            restricted: case.restricted,
            named: &named,
        },
    ))
}
