//! Failed and successful logins per (account tried, address): the facts the login throttle
//! judges (`opora_domain::sessions`), and the counts it keeps. Every count changes by a single
//! atomic `UPDATE` (`failures = failures + 1`), never read-then-write, so parallel failures are all
//! counted on PostgreSQL's default isolation too; the address's and the account's counts are sums
//! over these rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use opora_domain::sessions::{Failures, LoginFacts, LoginThrottle};

use crate::schema::login_attempts;
use crate::{AnyConnection, StoreResult};

/// The recent failures of a set of (account, address) rows: their sum and the latest.
fn recent(rows: &[(i32, Option<NaiveDateTime>)]) -> Failures {
    Failures {
        count: rows
            .iter()
            .map(|(n, _)| u32::try_from(*n).unwrap_or(0))
            .sum(),
        last: rows.iter().filter_map(|(_, last)| *last).max(),
    }
}

/// What the throttle judges an attempt on `staff_id` from `address` by.
pub(crate) fn facts(
    conn: &mut AnyConnection,
    staff_id: &str,
    address: &str,
    throttle: &LoginThrottle,
    at: NaiveDateTime,
) -> StoreResult<LoginFacts> {
    let since = at - throttle.forget_after;
    let pair: Option<(i32, Option<NaiveDateTime>, Option<NaiveDateTime>)> = login_attempts::table
        .find((staff_id, address))
        .select((
            login_attempts::failures,
            login_attempts::last_failure_at,
            login_attempts::last_success_at,
        ))
        .first(conn)
        .optional()?;
    let failing = login_attempts::table
        .filter(login_attempts::failures.gt(0))
        .filter(login_attempts::last_failure_at.ge(since));
    let by_address: Vec<(i32, Option<NaiveDateTime>)> = failing
        .filter(login_attempts::address.eq(address))
        .select((login_attempts::failures, login_attempts::last_failure_at))
        .load(conn)?;
    let by_account: Vec<(i32, Option<NaiveDateTime>)> = failing
        .filter(login_attempts::staff_id.eq(staff_id))
        .select((login_attempts::failures, login_attempts::last_failure_at))
        .load(conn)?;
    let pair_failures = pair
        .filter(|(_, last, _)| last.is_some_and(|last| last >= since))
        .map(|(n, last, _)| recent(&[(n, last)]))
        .unwrap_or_default();
    Ok(LoginFacts {
        pair: pair_failures,
        address: recent(&by_address),
        account: recent(&by_account),
        account_addresses: u32::try_from(by_account.len()).unwrap_or(u32::MAX),
        last_success_here: pair.and_then(|(_, _, success)| success),
    })
}

/// Applies `update` to the (account, address) row, or `insert`s it when there is none. A
/// parallel request inserting it first is fine: the insert runs in a savepoint (on PostgreSQL a
/// unique violation would otherwise abort the transaction), and the update then applies to its row.
fn upsert_attempt(
    conn: &mut AnyConnection,
    update: impl Fn(&mut AnyConnection) -> QueryResult<usize>,
    insert: impl Fn(&mut AnyConnection) -> QueryResult<usize>,
) -> StoreResult<()> {
    if update(conn)? > 0 {
        return Ok(());
    }
    match conn.transaction::<_, DieselError, _>(|conn| insert(conn)) {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            update(conn)?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Counts a failure of `staff_id` from `address`: each step a single `UPDATE` (no read-then-write),
/// so parallel failures all count on PostgreSQL's default isolation too.
pub(crate) fn record_failure(
    conn: &mut AnyConnection,
    staff_id: &str,
    address: &str,
    throttle: &LoginThrottle,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let since = at - throttle.forget_after;
    let row = login_attempts::table.find((staff_id, address));
    // Failures older than the window are forgotten before this one counts.
    diesel::update(row.filter(login_attempts::last_failure_at.lt(since)))
        .set(login_attempts::failures.eq(0))
        .execute(conn)?;
    upsert_attempt(
        conn,
        |conn| {
            diesel::update(row)
                .set((
                    login_attempts::failures.eq(login_attempts::failures + 1),
                    login_attempts::last_failure_at.eq(Some(at)),
                ))
                .execute(conn)
        },
        |conn| {
            diesel::insert_into(login_attempts::table)
                .values((
                    login_attempts::staff_id.eq(staff_id),
                    login_attempts::address.eq(address),
                    login_attempts::failures.eq(1),
                    login_attempts::last_failure_at.eq(Some(at)),
                ))
                .execute(conn)
        },
    )
}

/// A success from `address` clears that pair's failures and makes the address known.
pub(crate) fn record_success(
    conn: &mut AnyConnection,
    staff_id: &str,
    address: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    upsert_attempt(
        conn,
        |conn| {
            diesel::update(login_attempts::table.find((staff_id, address)))
                .set((
                    login_attempts::failures.eq(0),
                    login_attempts::last_success_at.eq(Some(at)),
                ))
                .execute(conn)
        },
        |conn| {
            diesel::insert_into(login_attempts::table)
                .values((
                    login_attempts::staff_id.eq(staff_id),
                    login_attempts::address.eq(address),
                    login_attempts::failures.eq(0),
                    login_attempts::last_success_at.eq(Some(at)),
                ))
                .execute(conn)
        },
    )
}

/// Deletes the rows of pairs that never logged in and whose failures are older than `since`.
pub(crate) fn forget_before(conn: &mut AnyConnection, since: NaiveDateTime) -> StoreResult<()> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::last_failure_at.lt(since))
            .filter(login_attempts::last_success_at.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Duration;

    use super::*;
    use crate::{now, StoreError};

    #[test]
    fn forgotten_failures_of_addresses_that_never_logged_in_are_deleted_on_each_backend() {
        let (stores, _dir) = crate::testing::stores();
        for store in stores {
            let long_ago = now() - Duration::hours(2);
            {
                let mut conn = store.conn().unwrap();
                for (address, success) in [("198.51.100.1", None), ("203.0.113.9", Some(long_ago))]
                {
                    diesel::insert_into(login_attempts::table)
                        .values((
                            login_attempts::staff_id.eq("olena"),
                            login_attempts::address.eq(address),
                            login_attempts::failures.eq(5),
                            login_attempts::last_failure_at.eq(Some(long_ago)),
                            login_attempts::last_success_at.eq(success),
                        ))
                        .execute(&mut *conn)
                        .unwrap();
                }
            }

            let answer = store.login("nobody", "wrong horse battery", "192.0.2.1");

            assert!(matches!(answer, Err(StoreError::InvalidCredentials)));
            let mut conn = store.conn().unwrap();
            let left: Vec<(String, String, i32)> = login_attempts::table
                .select((
                    login_attempts::staff_id,
                    login_attempts::address,
                    login_attempts::failures,
                ))
                .order(login_attempts::address)
                .load(&mut *conn)
                .unwrap();
            assert_eq!(
                left,
                vec![
                    ("nobody".into(), "192.0.2.1".into(), 1),
                    ("olena".into(), "203.0.113.9".into(), 5),
                ],
                "{:?}",
                store.backend()
            );
        }
    }
}
