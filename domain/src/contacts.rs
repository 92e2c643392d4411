//! Contacts with the client and success stories (seed 003's documents "график контактов с
//! клиентом", the worker's record of every interaction, and "история успеха", kept in free form).
//!
//! A contact is planned (date and time, type, place, participants, purpose) and then held, missed
//! or cancelled; it may also be recorded as held without having been planned. A held contact is
//! the record of what took place and is immutable: later corrections are appended as addenda. A
//! missed or cancelled contact is final too (a new one is planned instead), and says why.
//!
//! A success story may be shared only with the client's consent, in the scope the client gave;
//! once the consent is withdrawn the story stays in the case but is no longer shareable.

use chrono::NaiveDate;

use crate::code_enum;

code_enum! {
    /// How the worker and the client met (seed 001: interview, home visit; seed 002: meeting
    /// frequency agreed at planning).
    pub enum ContactType {
        HomeVisit = "home_visit",
        OfficeVisit = "office_visit",
        PhoneCall = "phone_call",
        OnlineSession = "online_session",
        Other = "other",
    }
}

code_enum! {
    /// Where a contact stands.
    pub enum ContactStatus {
        /// On the schedule, not yet taken place.
        Planned = "planned",
        /// Took place; the contact carries its record and is immutable (addenda only).
        Held = "held",
        /// Did not take place (nobody at home, the client did not come), with a reason.
        Missed = "missed",
        /// Called off beforehand, with a reason.
        Cancelled = "cancelled",
    }
}

code_enum! {
    /// How far the client agreed a success story may be shared.
    pub enum ShareScope {
        /// Inside the agency only (supervision, training of staff).
        Internal = "internal",
        /// Published with everything that identifies the client removed.
        AnonymisedPublication = "anonymised_publication",
        /// Published as written.
        Publication = "publication",
    }
}

impl ContactStatus {
    /// The statuses a contact may be created with: planned, or held at once (a record of a
    /// contact that was not on the schedule). Missed and cancelled are outcomes of a plan.
    pub fn may_be_created(self) -> bool {
        matches!(self, ContactStatus::Planned | ContactStatus::Held)
    }

    /// Whether a contact in this status may move to `to`: only a planned one, to an outcome.
    pub fn may_become(self, to: ContactStatus) -> bool {
        self == ContactStatus::Planned && to != ContactStatus::Planned
    }

    /// Whether the outcome needs a reason (missed, cancelled).
    pub fn needs_reason(self) -> bool {
        matches!(self, ContactStatus::Missed | ContactStatus::Cancelled)
    }

    /// Whether the status carries the record of what took place.
    pub fn carries_record(self) -> bool {
        self == ContactStatus::Held
    }

    /// Whether nothing but an addendum may change the contact any more.
    pub fn is_final(self) -> bool {
        self != ContactStatus::Planned
    }
}

/// The client's consent to share a success story, as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryConsent {
    pub given_on: NaiveDate,
    pub scope: ShareScope,
    pub withdrawn_on: Option<NaiveDate>,
}

impl StoryConsent {
    /// Whether the story may be shared (in `scope`) on `today`: consent given and not withdrawn.
    pub fn shareable_on(&self, today: NaiveDate) -> bool {
        self.given_on <= today && self.withdrawn_on.is_none_or(|d| today < d)
    }

    /// Whether it may be shared now or later: a withdrawal, even dated ahead, ends sharing for
    /// good (a story is never shared against a withdrawal already on record).
    pub fn shareable(&self) -> bool {
        self.withdrawn_on.is_none()
    }

    /// Whether the consent covers publishing at all (anonymised or as written).
    pub fn allows_publication(&self) -> bool {
        matches!(
            self.scope,
            ShareScope::AnonymisedPublication | ShareScope::Publication
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    #[test]
    fn every_code_parses_back() {
        for t in ContactType::ALL {
            assert_eq!(ContactType::parse(t.code()), Some(*t));
        }
        for s in ContactStatus::ALL {
            assert_eq!(ContactStatus::parse(s.code()), Some(*s));
        }
        for s in ShareScope::ALL {
            assert_eq!(ShareScope::parse(s.code()), Some(*s));
        }
        assert_eq!(ContactType::parse("visit"), None);
    }

    #[test]
    fn only_a_planned_contact_moves_and_only_to_an_outcome() {
        use ContactStatus::*;
        for from in ContactStatus::ALL {
            for to in ContactStatus::ALL {
                let expected = *from == Planned && *to != Planned;
                assert_eq!(from.may_become(*to), expected, "{from} -> {to}");
            }
        }
        assert!(Held.is_final() && Missed.is_final() && Cancelled.is_final());
        assert!(!Planned.is_final());
    }

    #[test]
    fn a_contact_is_created_planned_or_held_and_outcomes_say_why() {
        use ContactStatus::*;
        assert!(Planned.may_be_created() && Held.may_be_created());
        assert!(!Missed.may_be_created() && !Cancelled.may_be_created());
        assert!(Missed.needs_reason() && Cancelled.needs_reason());
        assert!(!Held.needs_reason() && !Planned.needs_reason());
        assert!(Held.carries_record() && !Planned.carries_record());
    }

    #[test]
    fn a_withdrawn_consent_ends_sharing() {
        let mut consent = StoryConsent {
            given_on: day(1),
            scope: ShareScope::AnonymisedPublication,
            withdrawn_on: None,
        };
        assert!(consent.shareable() && consent.shareable_on(day(5)));
        assert!(!consent.shareable_on(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()));
        assert!(consent.allows_publication());
        consent.withdrawn_on = Some(day(10));
        assert!(!consent.shareable());
        assert!(consent.shareable_on(day(9)) && !consent.shareable_on(day(10)));
        consent.scope = ShareScope::Internal;
        assert!(!consent.allows_publication());
    }
}
