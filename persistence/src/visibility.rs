//! Who sees a case: the SQL filter form of [`opora_domain::access::sees_case`] for the queries that
//! list cases, and the loader that hands the domain the facts it judges for one case. A test below holds the two to the same answers on each
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
        .select(case_access::case_id);
    // `|| ''` keeps both databases' planners from answering the OR with two indexes and then
    // sorting every visible case (SQLite's MULTI-INDEX OR and a temp B-tree: a page of 20 of
    // 10,000 cases cost ~8 ms): a page is read in `id` order and stops when it is full, and the
    // other filters (client, key worker, cursor) still use their indexes.
    let key_worker = diesel::dsl::sql::<diesel::sql_types::Text>("(cases.key_worker_id || '')");
    let unit = diesel::dsl::sql::<diesel::sql_types::Text>("(cases.unit_id || '')");
    Box::new(
        key_worker.eq(me).or(unit
            .eq_any(caller.scope.clone())
            .and(not(cases::restricted).or(cases::id.eq_any(named)))),
    )
}

/// The SQL form of [`opora_domain::access::sees_case_record`] for a table whose rows may belong to
/// a case (`case_id`, nullable) and are filed in a unit (`unit_id`): through the case if they
/// have one (the cases of [`visible_cases`], spelled as flat subqueries: diesel refuses a
/// subquery nested in a subquery of an unrelated table), else by unit.
macro_rules! visible_case_records {
    ($table:ident, $caller:expr) => {{
        use $crate::schema::{case_access, cases, $table};
        let caller: &$crate::Caller = $caller;
        let me = caller.actor.staff_id.clone();
        let led = cases::table
            .filter(cases::key_worker_id.eq(me.clone()))
            .select(cases::id);
        let named = case_access::table
            .filter(case_access::staff_id.eq(me))
            .select(case_access::case_id);
        let open_in_scope = cases::table
            .filter(cases::unit_id.eq_any(caller.scope.clone()))
            .filter(diesel::dsl::not(cases::restricted))
            .select(cases::id);
        let in_scope = cases::table
            .filter(cases::unit_id.eq_any(caller.scope.clone()))
            .select(cases::id);
        let condition: Box<
            dyn diesel::BoxableExpression<
                $table::table,
                $crate::db::Backend,
                SqlType = diesel::sql_types::Bool,
            >,
        > = Box::new(
            $table::case_id
                .is_null()
                .and($table::unit_id.eq_any(caller.scope.clone()))
                .or($table::case_id.assume_not_null().eq_any(led))
                .or($table::case_id.assume_not_null().eq_any(open_in_scope))
                .or($table::case_id
                    .assume_not_null()
                    .eq_any(named)
                    .and($table::case_id.assume_not_null().eq_any(in_scope))),
        );
        condition
    }};
}
pub(crate) use visible_case_records;

/// Whether the caller sees a record filed in `unit_id` that belongs to the case `case_id`, if
/// any (the domain's rule over the facts on record).
pub(crate) fn visible_record(
    conn: &mut AnyConnection,
    caller: &Caller,
    unit_id: &str,
    case_id: Option<&str>,
) -> StoreResult<bool> {
    match case_id {
        Some(case_id) => {
            let case: CaseRow = cases::table
                .find(case_id)
                .select(CaseRow::as_select())
                .first(conn)?;
            visible(conn, caller, &case)
        }
        None => Ok(opora_domain::access::sees_case_record(
            &caller.viewer(),
            unit_id,
            None,
        )),
    }
}

/// Not found unless the caller sees the record ([`visible_record`]); then forbidden unless their
/// roles permit the action.
pub(crate) fn require_record(
    conn: &mut AnyConnection,
    caller: &Caller,
    unit_id: &str,
    case_id: Option<&str>,
    action: opora_domain::Action,
) -> StoreResult<()> {
    if !visible_record(conn, caller, unit_id, case_id)? {
        return Err(crate::StoreError::NotFound);
    }
    caller.require(action)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use opora_domain::{Role, UnitKind};

    use super::*;
    use crate::directory::{NewUnit, StaffUpsert};
    use crate::models::{ClientRow, ReportRow};
    use crate::schema::{clients, intake_reports};
    use crate::{now, Store};

    use crate::testing::stores;

    fn unit(store: &Store, parent_id: Option<&str>, kind: UnitKind) -> String {
        store
            .create_unit(NewUnit {
                parent_id: parent_id.map(str::to_owned),
                kind,
                name: format!("{kind}"),
            })
            .unwrap()
            .id
    }

    fn staff(store: &Store, id: &str, role: Role, unit_id: &str) {
        store
            .upsert_staff(StaffUpsert {
                id: id.into(),
                full_name: None,
                roles: vec![role],
                unit_id: Some(unit_id.into()),
                active: true,
            })
            .unwrap();
    }

    /// A case filed in `unit_id`, led by `key_worker_id`, restricted to `named` if any are given.
    fn case(
        conn: &mut AnyConnection,
        client: &ClientRow,
        unit_id: &str,
        key_worker_id: &str,
        restricted: bool,
        named: &[&str],
    ) {
        let at = now();
        let report = ReportRow {
            id: crate::new_id(),
            unit_id: unit_id.into(),
            client_id: Some(client.id.clone()),
            source: "phone".into(),
            urgency: "routine".into(),
            description: "d".into(),
            reporter: None,
            received_at: at,
            stage: "opened".into(),
            rejection_reason: None,
            outcome_note: None,
            case_id: None,
            version: 1,
            created_by: key_worker_id.into(),
            created_at: at,
            updated_at: at,
            due_at: None,
        };
        diesel::insert_into(intake_reports::table)
            .values(&report)
            .execute(conn)
            .unwrap();
        let case = CaseRow {
            id: crate::new_id(),
            unit_id: unit_id.into(),
            client_id: client.id.clone(),
            report_id: report.id,
            lifecycle_stage: "assessment".into(),
            work_model: "case_management".into(),
            model_stage: "cm_assessment".into(),
            urgency: "routine".into(),
            key_worker_id: key_worker_id.into(),
            cycle: 1,
            closure_reason: None,
            opened_at: at,
            closed_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
            restricted,
            assessment_due_at: None,
            reassessment_since: None,
            replanning_since: None,
        };
        diesel::insert_into(cases::table)
            .values(&case)
            .execute(conn)
            .unwrap();
        diesel::update(intake_reports::table.find(&case.report_id))
            .set(intake_reports::case_id.eq(&case.id))
            .execute(conn)
            .unwrap();
        for staff_id in named {
            diesel::insert_into(case_access::table)
                .values((
                    case_access::case_id.eq(&case.id),
                    case_access::staff_id.eq(*staff_id),
                    case_access::unit_id.eq(unit_id),
                    case_access::granted_by.eq("sv"),
                    case_access::granted_at.eq(at),
                ))
                .execute(conn)
                .unwrap();
        }
    }

    #[test]
    fn the_sql_filter_and_the_domain_rule_see_the_same_cases_on_each_backend() {
        let (stores, _dir) = stores();
        for store in stores {
            // A department with a centre below it, and a second department beside it.
            let department = unit(&store, None, UnitKind::Department);
            let centre = unit(&store, Some(&department), UnitKind::Centre);
            let other = unit(&store, None, UnitKind::Department);
            staff(&store, "sv", Role::Supervisor, &department);
            staff(&store, "kw", Role::CaseManager, &centre);
            staff(&store, "cm", Role::CaseManager, &centre);
            staff(&store, "named", Role::Specialist, &centre);
            staff(&store, "out", Role::CaseManager, &other);
            staff(&store, "named_out", Role::Specialist, &other);
            let mut conn = store.conn().unwrap();
            let conn = &mut *conn;
            let at = now();
            let client = ClientRow {
                id: crate::new_id(),
                unit_id: department.clone(),
                kind: "family".into(),
                display_name: "F".into(),
                date_of_birth: None,
                sex: None,
                phone: None,
                address: None,
                district: None,
                version: 1,
                created_by: "sv".into(),
                created_at: at,
                updated_at: at,
                name_key: "f".into(),
            };
            diesel::insert_into(clients::table)
                .values(&client)
                .execute(conn)
                .unwrap();
            // Every unit × key worker × restriction × naming.
            for unit_id in [&department, &centre, &other] {
                for key_worker_id in ["kw", "out"] {
                    for restricted in [false, true] {
                        for named in [&[][..], &["named"], &["named", "named_out", "cm"]] {
                            case(conn, &client, unit_id, key_worker_id, restricted, named);
                        }
                    }
                }
            }
            let all: Vec<CaseRow> = cases::table
                .order(cases::id)
                .select(CaseRow::as_select())
                .load(conn)
                .unwrap();
            assert_eq!(all.len(), 36);
            // How many each sees (the domain's tests say why, rule by rule).
            for (viewer, sees) in [
                ("sv", 12),       // the unrestricted cases of the department and the centre
                ("kw", 18 + 3),   // the cases they lead anywhere, and the centre's unrestricted
                ("cm", 6 + 2),    // the centre's unrestricted, and where they are named
                ("named", 6 + 4), // the same
                ("out", 18 + 3),
                ("named_out", 6 + 2),
            ] {
                let caller = store.authenticate(viewer).unwrap().unwrap();
                let by_sql: Vec<String> = cases::table
                    .filter(visible_cases(&caller))
                    .order(cases::id)
                    .select(cases::id)
                    .load(conn)
                    .unwrap();
                let by_rule: Vec<String> = all
                    .iter()
                    .filter(|c| visible(conn, &caller, c).unwrap())
                    .map(|c| c.id.clone())
                    .collect();
                assert_eq!(by_sql, by_rule, "{viewer} on {:?}", store.backend());
                assert_eq!(by_rule.len(), sees, "{viewer}");
                // A record of a case (here its report) is seen exactly where its case is.
                let reports: Vec<ReportRow> = intake_reports::table
                    .order(intake_reports::id)
                    .select(ReportRow::as_select())
                    .load(conn)
                    .unwrap();
                let reports_by_sql: Vec<String> = intake_reports::table
                    .filter(visible_case_records!(intake_reports, &caller))
                    .order(intake_reports::id)
                    .select(intake_reports::id)
                    .load(conn)
                    .unwrap();
                let reports_by_rule: Vec<String> = reports
                    .iter()
                    .filter(|r| {
                        visible_record(conn, &caller, &r.unit_id, r.case_id.as_deref()).unwrap()
                    })
                    .map(|r| r.id.clone())
                    .collect();
                assert_eq!(reports_by_sql, reports_by_rule, "{viewer} reports");
                assert_eq!(reports_by_rule.len(), sees, "{viewer} reports");
            }
        }
    }
}
