//! The configuration that shapes rules, as one value: read once at start (by the API, from the
//! environment) and handed to the use cases, never read inside them, so a test sets it directly.
//! Each default names where it comes from; see the modules that define them. Unit approval
//! settings are not here: administrators set them per unit, and they are stored with the unit.

use crate::caseload::CaseloadPolicy;
use crate::deadlines::{HolidayCalendar, HolidayCountry, ResponseDeadlines};
use crate::sessions::LoginThrottle;

/// The default of [`Policy::family_weekly_load`]. **Design** (agency policy, no law): seed 001 says
/// the key worker must not overload the family; five tasks and appointments a week is our reading.
pub const DEFAULT_FAMILY_WEEKLY_LOAD: usize = 5;

/// Everything configurable that a rule depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Response deadlines per urgency class (defaults: the Ukrainian Law on Social Services,
    /// art. 21(2), and agency policy for the urgent class).
    pub deadlines: ResponseDeadlines,
    /// The holiday calendar working days skip (default: Ukraine's, without martial law).
    pub calendar: HolidayCalendar,
    /// Caseload weights of key-worker suggestions and the maximum families per key worker.
    pub caseload: CaseloadPolicy,
    /// How many family tasks plus planned appointments a week a plan version may put on the
    /// family before it carries a `family_overload` warning.
    pub family_weekly_load: usize,
    /// Working days after a client ended the service agreement unilaterally by which the case is
    /// to be closed or the agreement renegotiated (the `closure_or_renegotiation_due` work item;
    /// default: [`crate::casework::agreement::DEFAULT_RENEGOTIATION_WORKING_DAYS`]).
    pub renegotiation_working_days: u32,
    /// Duplicate searches one staff member may run in an hour (`OPORA_DUPLICATE_SEARCHES_PER_HOUR`).
    pub duplicate_searches_per_hour: u32,
    /// How failed logins slow the next attempt (per account and address, per address, and
    /// account-wide only under a distributed attack; [`crate::sessions`]).
    pub login_throttle: LoginThrottle,
}

/// Default of [`Policy::duplicate_searches_per_hour`]: a busy intake day's registrations, far
/// below what probing dates of birth would take.
pub const DEFAULT_DUPLICATE_SEARCHES_PER_HOUR: u32 = 60;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            deadlines: ResponseDeadlines::default(),
            calendar: HolidayCalendar::new(HolidayCountry::Ukraine),
            caseload: CaseloadPolicy::default(),
            family_weekly_load: DEFAULT_FAMILY_WEEKLY_LOAD,
            renegotiation_working_days:
                crate::casework::agreement::DEFAULT_RENEGOTIATION_WORKING_DAYS,
            duplicate_searches_per_hour: DEFAULT_DUPLICATE_SEARCHES_PER_HOUR,
            login_throttle: LoginThrottle::default(),
        }
    }
}

impl Policy {
    /// Parses the family weekly load setting: a whole number, at least 1.
    pub fn parse_family_weekly_load(setting: &str) -> Result<usize, String> {
        setting
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("{setting:?} is not a whole number, at least 1"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::deadlines::Span;

    #[test]
    fn the_default_policy_is_the_documented_defaults() {
        let p = Policy::default();
        assert_eq!(p.deadlines.routine, Span::WorkingDays(10));
        assert_eq!(p.deadlines.emergency, Span::Hours(24));
        assert_eq!(p.calendar.country, HolidayCountry::Ukraine);
        assert_eq!(p.calendar.martial_law, None);
        assert_eq!(p.caseload.max_families, 80);
        assert_eq!(p.family_weekly_load, 5);
        assert_eq!(p.renegotiation_working_days, 10);
    }

    #[test]
    fn the_family_weekly_load_setting_is_a_whole_number() {
        assert_eq!(Policy::parse_family_weekly_load(" 7 ").unwrap(), 7);
        for bad in ["0", "-2", "five", ""] {
            assert!(Policy::parse_family_weekly_load(bad).is_err(), "{bad}");
        }
    }
}
