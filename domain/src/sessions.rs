//! Sessions' rules (issue 9, "close the side doors"): which bearer tokens are still in force, and
//! how failed logins slow the next attempt without letting anyone keep an account's owner out.
//!
//! A token is refused when it would stay usable longer than the configured maximum lifetime from
//! now (a token with `exp` in 2200 is no session), and when it was issued before its staff
//! member's *tokens valid from* instant, which logout, a reused refresh token, a password change
//! or reset, and enabling or disabling the account move forward.
//!
//! Failed logins are counted per (account, address), following the OWASP Authentication Cheat
//! Sheet: a delay for the pair (one address guessing one account), one for the address (one address
//! guessing many accounts), and an account-wide one only when many failures came from many
//! addresses (a distributed attack), never for an address the account logged in from recently. So
//! wrong guesses from one address never delay the owner elsewhere. Each delay doubles from 1 s up
//! to a cap, and failures older than a window are forgotten: a slowdown, never a lockout.

use chrono::{Duration, NaiveDateTime};

/// Clock skew allowed between the token's issuer and us, in seconds (the signature checks use the
/// same).
pub const TOKEN_LEEWAY_SECS: i64 = 30;

/// Why a token that verifies is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// It expires later than the maximum lifetime from now.
    LivesTooLong,
    /// It was issued before the member's sessions were last ended.
    IssuedBeforeSessionsEnded,
}

impl TokenRefusal {
    /// What the 401 says.
    pub fn message(self) -> &'static str {
        match self {
            TokenRefusal::LivesTooLong => "the bearer token lives longer than this server accepts",
            TokenRefusal::IssuedBeforeSessionsEnded => {
                "the bearer token was issued before the member's sessions ended: log in again"
            }
        }
    }
}

/// A token expiring at `expires_at` (seconds since the epoch) may be used for at most
/// `max_lifetime` from `now`, give or take [`TOKEN_LEEWAY_SECS`].
pub fn check_token_lifetime(
    expires_at: i64,
    now: i64,
    max_lifetime: Duration,
) -> Result<(), TokenRefusal> {
    if expires_at.saturating_sub(now) > max_lifetime.num_seconds() + TOKEN_LEEWAY_SECS {
        Err(TokenRefusal::LivesTooLong)
    } else {
        Ok(())
    }
}

/// A token issued at `issued_at` is in force unless the member's sessions ended after that
/// (`valid_from`). A token that does not say when it was issued is in force only while no session
/// has ever been ended.
pub fn check_issued_in_force(
    issued_at: Option<NaiveDateTime>,
    valid_from: Option<NaiveDateTime>,
) -> Result<(), TokenRefusal> {
    match (issued_at, valid_from) {
        (_, None) => Ok(()),
        (Some(issued), Some(from)) if issued >= from => Ok(()),
        _ => Err(TokenRefusal::IssuedBeforeSessionsEnded),
    }
}

/// Failed logins of one kind that are still remembered: how many, and the latest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: Option<NaiveDateTime>,
}

/// What the throttle judges a login attempt by (recent failures only: older ones are forgotten
/// before they are counted, [`LoginThrottle::forget_after`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFacts {
    /// This account from this address.
    pub pair: Failures,
    /// Every account from this address.
    pub address: Failures,
    /// This account from every address.
    pub account: Failures,
    /// How many addresses the account's failures came from.
    pub account_addresses: u32,
    /// The account's last successful login from this address.
    pub last_success_here: Option<NaiveDateTime>,
}

/// How failed logins slow the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failures of one account from one address before the next attempt waits.
    pub free_per_pair: u32,
    /// Failures from one address (any accounts) before its next attempt waits; more than the
    /// pair's, since an office shares an address.
    pub free_per_address: u32,
    /// Failures of one account (any addresses) before an account-wide delay …
    pub free_per_account: u32,
    /// … and only if they came from at least this many addresses.
    pub account_addresses: u32,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    pub forget_after: Duration,
    /// An address the account logged in from within this long is exempt from the account-wide
    /// delay.
    pub known_address_for: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            free_per_pair: 3,
            free_per_address: 10,
            free_per_account: 20,
            account_addresses: 5,
            max_delay: Duration::minutes(15),
            forget_after: Duration::minutes(30),
            known_address_for: Duration::days(30),
        }
    }
}

impl LoginThrottle {
    /// The wait after `failures` when `free` are allowed: none, then 1 s, 2, 4, … up to the cap.
    pub fn delay_after(&self, failures: u32, free: u32) -> Duration {
        if failures < free {
            return Duration::zero();
        }
        let exponent = (failures - free).min(20);
        Duration::seconds(1_i64 << exponent).min(self.max_delay)
    }

    /// How long the attempt must wait before it is heard, if at all.
    pub fn wait(&self, facts: &LoginFacts, now: NaiveDateTime) -> Option<Duration> {
        let until = |failures: Failures, free: u32| {
            failures
                .last
                .map(|last| last + self.delay_after(failures.count, free))
        };
        let known_here = facts
            .last_success_here
            .is_some_and(|at| now - at < self.known_address_for);
        let distributed = facts.account_addresses >= self.account_addresses;
        let account = (distributed && !known_here)
            .then(|| until(facts.account, self.free_per_account))
            .flatten();
        [
            until(facts.pair, self.free_per_pair),
            until(facts.address, self.free_per_address),
            account,
        ]
        .into_iter()
        .flatten()
        .max()
        .filter(|until| *until > now)
        .map(|until| until - now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    fn failures(count: u32, last: i64) -> Failures {
        Failures {
            count,
            last: Some(at(last)),
        }
    }

    #[test]
    fn a_token_may_live_at_most_the_maximum_lifetime_from_now() {
        let max = Duration::minutes(15);
        let now = 1_800_000_000;
        assert_eq!(check_token_lifetime(now + 15 * 60, now, max), Ok(()));
        assert_eq!(
            check_token_lifetime(now + 15 * 60 + TOKEN_LEEWAY_SECS, now, max),
            Ok(())
        );
        assert_eq!(
            check_token_lifetime(7_258_118_400, now, max),
            Err(TokenRefusal::LivesTooLong),
            "exp in 2200"
        );
        assert_eq!(
            check_token_lifetime(now + 16 * 60, now, max),
            Err(TokenRefusal::LivesTooLong)
        );
    }

    #[test]
    fn a_token_issued_before_the_sessions_ended_is_no_longer_in_force() {
        assert_eq!(check_issued_in_force(Some(at(0)), None), Ok(()));
        assert_eq!(check_issued_in_force(None, None), Ok(()));
        assert_eq!(check_issued_in_force(Some(at(5)), Some(at(5))), Ok(()));
        assert_eq!(check_issued_in_force(Some(at(6)), Some(at(5))), Ok(()));
        assert_eq!(
            check_issued_in_force(Some(at(4)), Some(at(5))),
            Err(TokenRefusal::IssuedBeforeSessionsEnded)
        );
        assert_eq!(
            check_issued_in_force(None, Some(at(5))),
            Err(TokenRefusal::IssuedBeforeSessionsEnded)
        );
    }

    #[test]
    fn the_first_failures_are_free_then_the_delay_doubles_up_to_a_cap() {
        let throttle = LoginThrottle::default();
        let delays: Vec<i64> = (0..8)
            .map(|n| throttle.delay_after(n, 3).num_seconds())
            .collect();
        assert_eq!(delays, vec![0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(throttle.delay_after(40, 3), Duration::minutes(15));
    }

    #[test]
    fn three_failures_of_one_account_from_one_address_make_that_address_wait() {
        let throttle = LoginThrottle::default();
        let facts = LoginFacts {
            pair: failures(3, 0),
            address: failures(3, 0),
            account: failures(3, 0),
            account_addresses: 1,
            last_success_here: None,
        };
        assert_eq!(throttle.wait(&facts, at(0)), Some(Duration::seconds(1)));
        assert_eq!(throttle.wait(&facts, at(1)), None);
    }

    #[test]
    fn failures_from_another_address_never_delay_the_owner() {
        let throttle = LoginThrottle::default();
        // Forty wrong guesses from one address, one a minute: the owner's address is not slowed.
        let owner = LoginFacts {
            account: failures(40, 0),
            account_addresses: 1,
            ..LoginFacts::default()
        };
        assert_eq!(throttle.wait(&owner, at(0)), None);
    }

    #[test]
    fn one_address_guessing_many_accounts_waits_after_its_own_allowance() {
        let throttle = LoginThrottle::default();
        let facts = LoginFacts {
            pair: failures(1, 0),
            address: failures(10, 0),
            ..LoginFacts::default()
        };
        assert_eq!(throttle.wait(&facts, at(0)), Some(Duration::seconds(1)));
        let nine = LoginFacts {
            address: failures(9, 0),
            ..facts
        };
        assert_eq!(throttle.wait(&nine, at(0)), None);
    }

    #[test]
    fn many_failures_from_many_addresses_delay_the_account_except_from_a_known_address() {
        let throttle = LoginThrottle::default();
        let attacked = LoginFacts {
            account: failures(22, 0),
            account_addresses: 11,
            ..LoginFacts::default()
        };
        assert_eq!(throttle.wait(&attacked, at(0)), Some(Duration::seconds(4)));
        let from_few_addresses = LoginFacts {
            account_addresses: 4,
            ..attacked
        };
        assert_eq!(throttle.wait(&from_few_addresses, at(0)), None);
        let known = LoginFacts {
            last_success_here: Some(at(-3600)),
            ..attacked
        };
        assert_eq!(throttle.wait(&known, at(0)), None);
        let known_long_ago = LoginFacts {
            last_success_here: Some(at(-31 * 24 * 3600)),
            ..attacked
        };
        assert_eq!(
            throttle.wait(&known_long_ago, at(0)),
            Some(Duration::seconds(4))
        );
    }
}
