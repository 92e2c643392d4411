//! Staff accounts: passwords (argon2id), login with throttling, rotating refresh tokens, the end
//! of sessions, one-time password setup tokens, and the admin's management of staff and units.
//!
//! Throttling follows `opora_domain::sessions`: failures are counted per (account, address) with
//! single atomic `UPDATE`s (`login_attempts.rs`), and the rule decides from the
//! pair's, the address's and the account's recent counts; never a lockout, and never a delay for
//! the owner because of guesses from elsewhere. Refresh tokens are random, stored only as SHA-256
//! hashes, single-use: using one issues the next of its family, and presenting a used one again (a
//! stolen copy) revokes the whole family. Logout, a reused refresh token, a password change and
//! enabling or disabling a member end their sessions: access tokens issued before are refused.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::accounts as rules;
use opora_domain::directory::check_unit_in_scope;
use opora_domain::sessions::LoginThrottle;
use opora_domain::{Action, Role, UnitKind};
use rand_core::{OsRng, RngCore};
use serde_json::json;

use crate::audit;
use crate::directory::{end_sessions, NewUnit, StaffUpsert};
use crate::login_attempts;
use crate::models::{StaffMember, StaffRow, Unit};
use crate::schema::{password_setup_tokens, refresh_tokens, staff};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

pub use opora_domain::accounts::MIN_PASSWORD_CHARS;
const REFRESH_DAYS: i64 = 30;
/// How long an admin's one-time password setup token stays valid.
pub const SETUP_TOKEN_HOURS: i64 = 24;

fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Unavailable(format!("cannot hash a password: {e}")))
}

fn verify_password(password: &str, hash: Option<&str>) -> bool {
    // Without a stored hash, verify against a real one anyway, so that the time taken does not
    // tell whether the account exists.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy =
        DUMMY.get_or_init(|| hash_password("no account has this password").unwrap_or_default());
    match PasswordHash::new(hash.unwrap_or(dummy)) {
        Ok(parsed) => {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
                && hash.is_some()
        }
        Err(_) => false,
    }
}

fn check_strength(password: &str) -> StoreResult<()> {
    rules::check_password_strength(password).map_err(StoreError::refused)
}

fn token_hash(token: &str) -> String {
    audit::sha256(token)
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn issue_refresh(
    conn: &mut AnyConnection,
    staff_id: &str,
    family: &str,
    at: NaiveDateTime,
) -> StoreResult<String> {
    let token = new_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::staff_id.eq(staff_id),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::family.eq(family),
            refresh_tokens::issued_at.eq(at),
            refresh_tokens::expires_at.eq(at + Duration::days(REFRESH_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

fn auth_event(
    conn: &mut AnyConnection,
    staff_id: &str,
    unit_id: &str,
    action: &str,
    payload: serde_json::Value,
) -> StoreResult<()> {
    audit::append(
        conn,
        audit::Entry {
            actor_id: staff_id,
            at: now(),
            action,
            subject_type: "staff",
            subject_id: staff_id,
            unit_id,
            case_id: None,
            purpose: None,
            legal_basis: None,
            payload,
        },
    )?;
    Ok(())
}

/// What an admin's request for a password setup token gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupTokenOutcome {
    /// The token (shown once) and when it expires.
    Issued {
        token: String,
        expires_at: NaiveDateTime,
    },
    /// The account reads case content: a second admin completes the request before it expires.
    AwaitingSecondAdmin { expires_at: NaiveDateTime },
}

/// What a member gives to set their own password besides their bearer token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnPasswordProof<'a> {
    pub current_password: Option<&'a str>,
    pub setup_token: Option<&'a str>,
}

/// Uses `token` if it is a valid setup token of `staff_id`: a compare-and-set on `used_at`, so of
/// two requests with one token only one uses it.
fn use_setup_token(
    conn: &mut AnyConnection,
    staff_id: &str,
    token: &str,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let used = diesel::update(
        password_setup_tokens::table
            .filter(password_setup_tokens::token_hash.eq(token_hash(token)))
            .filter(password_setup_tokens::staff_id.eq(staff_id))
            .filter(password_setup_tokens::used_at.is_null())
            .filter(password_setup_tokens::expires_at.gt(at)),
    )
    .set(password_setup_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(used == 1)
}

/// Changes an admin makes to a staff member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffChanges {
    pub full_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub unit_id: Option<String>,
    pub active: Option<bool>,
}

impl Store {
    /// Checks a password and answers the staff id and a refresh token; throttled per account and
    /// address, per address, and account-wide only under a distributed attack
    /// (`opora_domain::sessions`). The caller (the API) issues the access token.
    pub fn login(
        &self,
        staff_id: &str,
        password: &str,
        address: &str,
    ) -> StoreResult<(String, String)> {
        let throttle = self.policy().login_throttle;
        let result = self.write(|conn| {
            let at = now();
            let facts = login_attempts::facts(conn, staff_id, address, &throttle, at)?;
            if let Some(wait) = throttle.wait(&facts, at) {
                let milliseconds = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
                return Err(StoreError::Throttled {
                    retry_after: milliseconds.div_ceil(1000).max(1),
                });
            }
            let row: Option<(String, bool, Option<String>)> = staff::table
                .find(staff_id)
                .select((staff::unit_id, staff::active, staff::password_hash))
                .first(conn)
                .optional()?;
            let verified = verify_password(password, row.as_ref().and_then(|r| r.2.as_deref()));
            match row {
                Some((unit_id, true, _)) if verified => {
                    login_attempts::record_success(conn, staff_id, address, at)?;
                    let token = issue_refresh(conn, staff_id, &new_id(), at)?;
                    auth_event(
                        conn,
                        staff_id,
                        &unit_id,
                        "auth.login",
                        json!({ "address": address }),
                    )?;
                    Ok(Ok((staff_id.to_owned(), token)))
                }
                _ => {
                    login_attempts::record_failure(conn, staff_id, address, &throttle, at)?;
                    // Committed: the failure must count even though the answer is an error.
                    Ok(Err(StoreError::InvalidCredentials))
                }
            }
        })?;
        if result.is_err() {
            self.forget_stale_attempts(&throttle);
        }
        result
    }

    /// Deletes the rows of (account, address) pairs that never logged in once their failures are
    /// forgotten, so that guessing does not grow the table without end. A statement of its own,
    /// after the login's transaction: it waits on no lock that login holds.
    fn forget_stale_attempts(&self, throttle: &LoginThrottle) {
        let since = now() - throttle.forget_after;
        let deleted = self
            .conn()
            .and_then(|mut conn| login_attempts::forget_before(&mut conn, since));
        if let Err(e) = deleted {
            // Housekeeping only: the login's answer stands.
            log::warn!("cannot delete forgotten login attempts: {e}");
        }
    }

    /// Exchanges a refresh token for the next one of its family; a reused token revokes the family.
    pub fn refresh(&self, token: &str) -> StoreResult<(String, String)> {
        self.write(|conn| {
            let at = now();
            type Row = (
                String,
                String,
                String,
                NaiveDateTime,
                Option<NaiveDateTime>,
                Option<NaiveDateTime>,
            );
            let row: Option<Row> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(token_hash(token)))
                .select((
                    refresh_tokens::id,
                    refresh_tokens::staff_id,
                    refresh_tokens::family,
                    refresh_tokens::expires_at,
                    refresh_tokens::used_at,
                    refresh_tokens::revoked_at,
                ))
                .first(conn)
                .optional()?;
            let Some((id, staff_id, family, expires_at, used_at, revoked_at)) = row else {
                return Ok(Err(StoreError::InvalidCredentials));
            };
            let unit: Option<(String, bool)> = staff::table
                .find(&staff_id)
                .select((staff::unit_id, staff::active))
                .first(conn)
                .optional()?;
            let Some((unit_id, active)) = unit else {
                return Ok(Err(StoreError::InvalidCredentials));
            };
            // A token used twice means it was stolen: the whole family is revoked (the
            // revocation commits; the answer is still "invalid").
            let reused = |conn: &mut AnyConnection| -> StoreResult<()> {
                diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(&family)))
                    .set(refresh_tokens::revoked_at.eq(Some(at)))
                    .execute(conn)?;
                // The thief may hold an access token of the family too.
                end_sessions(conn, &staff_id, at)?;
                auth_event(
                    conn,
                    &staff_id,
                    &unit_id,
                    "auth.refresh_token_reused",
                    json!({ "family": family, "sessions_ended": true }),
                )
            };
            if used_at.is_some() {
                reused(conn)?;
                return Ok(Err(StoreError::InvalidCredentials));
            }
            if revoked_at.is_some() || expires_at <= at || !active {
                return Ok(Err(StoreError::InvalidCredentials));
            }
            // Compare-and-set: of two parallel refreshes with one token, one uses it; the other
            // finds it used, which is a reuse.
            let used = diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::id.eq(&id))
                    .filter(refresh_tokens::used_at.is_null())
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(Some(at)))
            .execute(conn)?;
            if used != 1 {
                reused(conn)?;
                return Ok(Err(StoreError::InvalidCredentials));
            }
            let next = issue_refresh(conn, &staff_id, &family, at)?;
            Ok(Ok((staff_id, next)))
        })?
    }

    /// Ends a session: the refresh token's whole family is revoked, and every access token of the
    /// member issued until now is refused (their other devices renew theirs with their refresh
    /// tokens).
    pub fn logout(&self, caller: &Caller, token: &str) -> StoreResult<()> {
        self.write(|conn| {
            let at = now();
            end_sessions(conn, &caller.actor.staff_id, at)?;
            let family: Option<String> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(token_hash(token)))
                .filter(refresh_tokens::staff_id.eq(&caller.actor.staff_id))
                .select(refresh_tokens::family)
                .first(conn)
                .optional()?;
            if let Some(family) = family {
                diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(&family)))
                    .set(refresh_tokens::revoked_at.eq(Some(at)))
                    .execute(conn)?;
            }
            auth_event(
                conn,
                &caller.actor.staff_id,
                &caller.unit_id,
                "auth.logout",
                json!({ "sessions_ended": true }),
            )
        })
    }

    /// Sets a password: the member themselves, giving the current one or an admin's one-time setup
    /// token (a first local password always needs the token: `rules::check_own_password_proof`),
    /// or an admin of their unit. Every session of the member ends.
    pub fn set_password(
        &self,
        caller: &Caller,
        staff_id: &str,
        proof: OwnPasswordProof<'_>,
        password: &str,
    ) -> StoreResult<()> {
        check_strength(password)?;
        let hash = hash_password(password)?;
        self.write(|conn| {
            let at = now();
            let row: StaffRow = staff::table
                .find(staff_id)
                .select(StaffRow::as_select())
                .first(conn)?;
            if !caller.sees_unit(&row.unit_id) && caller.actor.staff_id != staff_id {
                return Err(StoreError::NotFound);
            }
            let mut via_setup_token = false;
            if caller.actor.staff_id == staff_id {
                let stored: Option<String> = staff::table
                    .find(staff_id)
                    .select(staff::password_hash)
                    .first(conn)?;
                let proof = match proof {
                    OwnPasswordProof {
                        setup_token: Some(token),
                        ..
                    } => {
                        via_setup_token = true;
                        rules::PasswordProof::SetupToken {
                            valid: use_setup_token(conn, staff_id, token, at)?,
                        }
                    }
                    OwnPasswordProof {
                        current_password: Some(current),
                        ..
                    } => rules::PasswordProof::CurrentPassword {
                        matches: verify_password(current, stored.as_deref()),
                    },
                    OwnPasswordProof { .. } => rules::PasswordProof::Nothing,
                };
                rules::check_own_password_proof(stored.is_some(), proof)
                    .map_err(StoreError::refused)?;
            } else {
                caller.require(Action::ManageDirectory)?;
                // An admin who sets the password of an account that reads case content could
                // log in as it: that takes a setup token a second admin completes.
                rules::check_admin_sets_password(&crate::directory::roles_of(conn, staff_id)?)
                    .map_err(StoreError::refused)?;
            }
            diesel::update(staff::table.find(staff_id))
                .set((
                    staff::password_hash.eq(Some(hash.clone())),
                    staff::updated_at.eq(at),
                ))
                .execute(conn)?;
            // Every session of the member ends with the old password.
            diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::staff_id.eq(staff_id))
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::revoked_at.eq(Some(at)))
            .execute(conn)?;
            end_sessions(conn, staff_id, at)?;
            auth_event(
                conn,
                &caller.actor.staff_id,
                &row.unit_id,
                "staff.password_set",
                json!({ "staff_id": staff_id, "via_setup_token": via_setup_token, "sessions_ended": true }),
            )
        })
    }

    /// An admin issues a one-time token with which the member sets their own password (their
    /// first, e.g. a member who logs in through the identity provider, or a forgotten one) at
    /// `PUT /me/password`; it is valid [`SETUP_TOKEN_HOURS`] and replaces any earlier unused one.
    /// Answers the token (shown once, stored only as a hash) and when it expires.
    pub fn issue_password_setup_token(
        &self,
        caller: &Caller,
        staff_id: &str,
    ) -> StoreResult<SetupTokenOutcome> {
        self.write(|conn| {
            let at = now();
            let row: StaffRow = staff::table
                .find(staff_id)
                .select(StaffRow::as_select())
                .first(conn)?;
            caller.require_on(&row.unit_id, Action::ManageDirectory)?;
            if caller.actor.staff_id == staff_id {
                // Another admin enables one's own password, as with PUT /staff/{id}/password.
                return Err(StoreError::Forbidden(Action::ManageDirectory));
            }
            // Four eyes for an account that reads case content: the first admin's request waits;
            // a second admin completes it and is the only one shown the token.
            let mut requested_by = None;
            if opora_domain::accounts::password_needs_second_admin(&crate::directory::roles_of(
                conn, staff_id,
            )?) {
                let waiting: Option<(String, String)> = password_setup_tokens::table
                    .filter(password_setup_tokens::staff_id.eq(staff_id))
                    .filter(password_setup_tokens::awaiting_second_admin.eq(true))
                    .filter(password_setup_tokens::used_at.is_null())
                    .filter(password_setup_tokens::expires_at.gt(at))
                    .select((password_setup_tokens::id, password_setup_tokens::issued_by))
                    .first(conn)
                    .optional()?;
                match waiting {
                    None => {
                        // A request nobody completed in time lapses (and leaves room for this one).
                        // Only a lapsed one: a request another admin filed since this transaction
                        // looked stays, and the unique index refuses this one.
                        diesel::update(
                            password_setup_tokens::table
                                .filter(password_setup_tokens::staff_id.eq(staff_id))
                                .filter(password_setup_tokens::awaiting_second_admin.eq(true))
                                .filter(password_setup_tokens::used_at.is_null())
                                .filter(password_setup_tokens::expires_at.le(at)),
                        )
                        .set(password_setup_tokens::used_at.eq(Some(at)))
                        .execute(conn)?;
                        let id = new_id();
                        let expires_at = at + Duration::hours(SETUP_TOKEN_HOURS);
                        diesel::insert_into(password_setup_tokens::table)
                            .values((
                                password_setup_tokens::id.eq(&id),
                                password_setup_tokens::staff_id.eq(staff_id),
                                // Never the hash of a token: a waiting request opens nothing.
                                password_setup_tokens::token_hash.eq(format!("request:{id}")),
                                password_setup_tokens::issued_by.eq(&caller.actor.staff_id),
                                password_setup_tokens::issued_at.eq(at),
                                password_setup_tokens::expires_at.eq(expires_at),
                                password_setup_tokens::awaiting_second_admin.eq(true),
                            ))
                            .execute(conn)
                            .map_err(|e| match e {
                                diesel::result::Error::DatabaseError(
                                    diesel::result::DatabaseErrorKind::UniqueViolation,
                                    _,
                                ) => StoreError::RequirementUnmet {
                                    code: "request_waiting",
                                    message: "another admin's request for this member waits for a second admin".into(),
                                },
                                other => other.into(),
                            })?;
                        auth_event(
                            conn,
                            &caller.actor.staff_id,
                            &row.unit_id,
                            "staff.password_setup_requested",
                            json!({ "staff_id": staff_id, "expires_at": expires_at }),
                        )?;
                        return Ok(SetupTokenOutcome::AwaitingSecondAdmin { expires_at });
                    }
                    Some((request_id, first_admin)) => {
                        opora_domain::accounts::check_second_admin(
                            &caller.actor.staff_id,
                            &first_admin,
                            staff_id,
                        )
                        .map_err(StoreError::refused)?;
                        let completed = diesel::update(
                            password_setup_tokens::table
                                .filter(password_setup_tokens::id.eq(&request_id))
                                .filter(password_setup_tokens::used_at.is_null()),
                        )
                        .set(password_setup_tokens::used_at.eq(Some(at)))
                        .execute(conn)?;
                        crate::db::compare_and_set(completed, || {
                            Ok(StoreError::RequirementUnmet {
                                code: "request_completed",
                                message: "another admin completed the request meanwhile".into(),
                            })
                        })?;
                        requested_by = Some(first_admin);
                    }
                }
            }
            diesel::update(
                password_setup_tokens::table
                    .filter(password_setup_tokens::staff_id.eq(staff_id))
                    .filter(password_setup_tokens::used_at.is_null()),
            )
            .set(password_setup_tokens::used_at.eq(Some(at)))
            .execute(conn)?;
            let token = new_token();
            let expires_at = at + Duration::hours(SETUP_TOKEN_HOURS);
            diesel::insert_into(password_setup_tokens::table)
                .values((
                    password_setup_tokens::id.eq(new_id()),
                    password_setup_tokens::staff_id.eq(staff_id),
                    password_setup_tokens::token_hash.eq(token_hash(&token)),
                    password_setup_tokens::issued_by.eq(&caller.actor.staff_id),
                    password_setup_tokens::issued_at.eq(at),
                    password_setup_tokens::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            auth_event(
                conn,
                &caller.actor.staff_id,
                &row.unit_id,
                "staff.password_setup_token_issued",
                json!({ "staff_id": staff_id, "expires_at": expires_at, "requested_by": requested_by }),
            )?;
            Ok(SetupTokenOutcome::Issued { token, expires_at })
        })
    }

    /// An admin adds a staff member to a unit they administer.
    pub fn admin_create_staff(
        &self,
        caller: &Caller,
        id: &str,
        full_name: &str,
        roles: Vec<Role>,
        unit_id: &str,
    ) -> StoreResult<StaffMember> {
        caller.require(Action::ManageDirectory)?;
        check_unit_in_scope("unit_id", caller.sees_unit(unit_id)).map_err(StoreError::refused)?;
        self.write(|conn| {
            let exists: i64 = staff::table.filter(staff::id.eq(id)).count().get_result(conn)?;
            if exists > 0 {
                return Err(StoreError::Conflict(format!("staff member {id} already exists")));
            }
            // Roles that read case content (or admin) wait for a second admin.
            let (at_once, waiting) = opora_domain::accounts::split_role_change(&[], &roles);
            let member = crate::directory::upsert_staff(
                conn,
                StaffUpsert { id: id.to_owned(), full_name: Some(full_name.to_owned()), roles: at_once, unit_id: Some(unit_id.to_owned()), active: true },
            )?;
            auth_event(conn, &caller.actor.staff_id, unit_id, "staff.created", json!({ "staff_id": id, "roles": member.roles.iter().map(|r| r.code()).collect::<Vec<_>>() }))?;
            if !waiting.is_empty() {
                crate::role_grants::request(conn, caller, id, unit_id, &waiting)?;
            }
            Ok(member)
        })
    }

    /// An admin changes a member's name, roles, unit or active flag; enabling or disabling ends their
    /// sessions (tokens issued before stay refused) and disabling revokes their refresh tokens.
    pub fn admin_update_staff(
        &self,
        caller: &Caller,
        id: &str,
        changes: StaffChanges,
    ) -> StoreResult<StaffMember> {
        self.write(|conn| {
            let row: StaffRow = staff::table.find(id).select(StaffRow::as_select()).first(conn)?;
            caller.require_on(&row.unit_id, Action::ManageDirectory)?;
            if let Some(unit) = &changes.unit_id {
                check_unit_in_scope("unit_id", caller.sees_unit(unit)).map_err(StoreError::refused)?;
            }
            rules::check_not_disabling_self(&caller.actor.staff_id, id, changes.active)
                .map_err(StoreError::refused)?;
            let before = crate::directory::roles_of(conn, id)?;
            let (roles, waiting) = match changes.roles.clone() {
                Some(roles) => {
                    // Nobody changes their own roles; what reads case content waits for a
                    // second admin.
                    if !opora_domain::accounts::may_change_roles_of(&caller.actor.staff_id, id) {
                        return Err(StoreError::Forbidden(Action::ManageDirectory));
                    }
                    opora_domain::accounts::split_role_change(&before, &roles)
                }
                None => (before, Vec::new()),
            };
            opora_domain::accounts::check_scope_change(
                &roles,
                changes.unit_id.as_ref().is_some_and(|u| *u != row.unit_id),
                changes.active == Some(true) && !row.active,
            )
            .map_err(StoreError::refused)?;
            let member = crate::directory::upsert_staff(
                conn,
                StaffUpsert {
                    id: id.to_owned(),
                    full_name: changes.full_name.clone(),
                    roles,
                    unit_id: changes.unit_id.clone(),
                    active: changes.active.unwrap_or(row.active),
                },
            )?;
            if changes.active == Some(false) {
                diesel::update(refresh_tokens::table.filter(refresh_tokens::staff_id.eq(id)).filter(refresh_tokens::revoked_at.is_null()))
                    .set(refresh_tokens::revoked_at.eq(Some(now())))
                    .execute(conn)?;
            }
            if !waiting.is_empty() {
                crate::role_grants::request(conn, caller, id, &member.unit_id, &waiting)?;
            }
            auth_event(
                conn,
                &caller.actor.staff_id,
                &member.unit_id,
                "staff.updated",
                json!({
                    "staff_id": id,
                    "before": { "full_name": row.full_name, "unit_id": row.unit_id, "active": row.active },
                    "after": { "full_name": member.full_name, "unit_id": member.unit_id, "active": member.active,
                               "roles": member.roles.iter().map(|r| r.code()).collect::<Vec<_>>() },
                }),
            )?;
            Ok(member)
        })
    }

    /// An admin adds a unit below one they administer.
    pub fn admin_create_unit(
        &self,
        caller: &Caller,
        parent_id: &str,
        kind: UnitKind,
        name: &str,
    ) -> StoreResult<Unit> {
        caller.require(Action::ManageDirectory)?;
        check_unit_in_scope("parent_id", caller.sees_unit(parent_id))
            .map_err(StoreError::refused)?;
        self.write(|conn| {
            let unit = crate::directory::create_unit(
                conn,
                NewUnit {
                    parent_id: Some(parent_id.to_owned()),
                    kind,
                    name: name.to_owned(),
                },
            )?;
            auth_event(
                conn,
                &caller.actor.staff_id,
                parent_id,
                "unit.created",
                json!({ "unit_id": unit.id, "kind": unit.kind, "name": unit.name }),
            )?;
            Ok(unit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").ok();
        assert!(verify_password("correct horse battery", hash.as_deref()));
        assert!(!verify_password("wrong horse battery!", hash.as_deref()));
        assert!(!verify_password("correct horse battery", None));
    }
}
