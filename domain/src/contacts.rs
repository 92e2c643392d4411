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

use chrono::{NaiveDate, NaiveDateTime};

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

    /// Whether the outcome needs a reason (missed, cancelled).
    pub fn needs_reason(self) -> bool {
        matches!(self, ContactStatus::Missed | ContactStatus::Cancelled)
    }

    /// Whether the status carries the record of what took place.
    pub fn carries_record(self) -> bool {
        self == ContactStatus::Held
    }

    /// The status after `command`, or why it is refused: a planned contact changes its plan
    /// or takes its outcome; an outcome is final and takes addenda only.
    pub fn next(self, command: ContactCommand) -> Result<ContactStatus, ContactRefusal> {
        use ContactCommand::*;
        use ContactStatus::*;
        match (self, command) {
            (Planned, Reschedule) => Ok(Planned),
            (Planned, RecordHeld) => Ok(Held),
            (Planned, RecordMissed) => Ok(Missed),
            (Planned, RecordCancelled) => Ok(Cancelled),
            (Planned, AppendAddendum) => Err(ContactRefusal::StillPlanned),
            (Held, Reschedule | RecordHeld | RecordMissed | RecordCancelled) => {
                Err(ContactRefusal::HeldIsImmutable)
            }
            (Missed | Cancelled, Reschedule | RecordHeld | RecordMissed | RecordCancelled) => {
                Err(ContactRefusal::OutcomeIsFinal(self))
            }
            (Held | Missed | Cancelled, AppendAddendum) => Ok(self),
        }
    }
}

code_enum! {
    /// What may be done with a contact.
    pub enum ContactCommand {
        /// Change the plan (type, time, place, purpose, participants).
        Reschedule = "reschedule",
        /// Record that it took place, with its record.
        RecordHeld = "record_held",
        /// Record that it did not take place, with the reason.
        RecordMissed = "record_missed",
        /// Record that it was called off, with the reason.
        RecordCancelled = "record_cancelled",
        /// Append a correction or completion to a recorded contact.
        AppendAddendum = "append_addendum",
    }
}

impl ContactCommand {
    /// The command that records `outcome`; recording `planned` is a change of plan.
    pub const fn recording(outcome: ContactStatus) -> ContactCommand {
        match outcome {
            ContactStatus::Planned => ContactCommand::Reschedule,
            ContactStatus::Held => ContactCommand::RecordHeld,
            ContactStatus::Missed => ContactCommand::RecordMissed,
            ContactStatus::Cancelled => ContactCommand::RecordCancelled,
        }
    }
}

/// Why a contact refuses a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRefusal {
    /// A held contact's record is immutable: addenda only.
    HeldIsImmutable,
    /// A missed or cancelled contact is final: a new contact is planned instead.
    OutcomeIsFinal(ContactStatus),
    /// Addenda complete a recorded contact; a planned one is changed instead.
    StillPlanned,
}

impl ContactRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            ContactRefusal::HeldIsImmutable => "contact_held",
            ContactRefusal::OutcomeIsFinal(_) => "contact_final",
            ContactRefusal::StillPlanned => "contact_planned",
        }
    }

    pub fn message(self) -> String {
        match self {
            ContactRefusal::HeldIsImmutable => "the contact was held: its record is immutable; append an addendum to correct or complete it".to_owned(),
            ContactRefusal::OutcomeIsFinal(status) => format!("the contact was {status}: that is final; plan a new contact instead, or append an addendum"),
            ContactRefusal::StillPlanned => "the contact is still planned: change it with PATCH; addenda complete a recorded contact".to_owned(),
        }
    }
}

crate::error::conflict_from!(ContactRefusal);

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

/// A new contact is planned (with its date and time) or recorded as held (with its record);
/// missed and cancelled are outcomes of a planned one.
pub fn check_new(
    status: ContactStatus,
    has_record: bool,
    scheduled: bool,
) -> Result<(), crate::error::DomainError> {
    if !status.may_be_created() {
        return Err(crate::error::DomainError::invalid(
            "status",
            "not_at_creation",
            "a contact is created planned or held; missed and cancelled are outcomes of a planned one",
        ));
    }
    match (status.carries_record(), has_record) {
        (true, false) => {
            return Err(crate::error::DomainError::invalid(
                "record",
                "required",
                "a held contact needs its record",
            ))
        }
        (false, true) => {
            return Err(crate::error::DomainError::invalid(
                "record",
                "not_planned",
                "a planned contact has no record yet: record it when it has taken place",
            ))
        }
        (true, true) | (false, false) => {}
    }
    if status == ContactStatus::Planned && !scheduled {
        return Err(crate::error::DomainError::invalid(
            "scheduled_at",
            "required",
            "a planned contact needs its date and time",
        ));
    }
    Ok(())
}

/// A change of a planned contact: an outcome (held with its record; missed or cancelled with a
/// reason, and nothing else), or new plan details; something must change.
pub fn check_change(
    outcome: Option<ContactStatus>,
    has_record: bool,
    has_reason: bool,
    changes_plan: bool,
) -> Result<(), crate::error::DomainError> {
    let outcome = outcome.filter(|s| *s != ContactStatus::Planned);
    match (outcome, has_record, has_reason) {
        (Some(ContactStatus::Held), false, _) => {
            return Err(crate::error::DomainError::invalid(
                "record",
                "required",
                "a held contact needs its record",
            ))
        }
        (Some(s), _, false) if s.needs_reason() => {
            return Err(crate::error::DomainError::invalid(
                "reason",
                "required",
                format!("say why the contact was {s}"),
            ))
        }
        (Some(s), true, _) if !s.carries_record() => {
            return Err(crate::error::DomainError::invalid(
                "record",
                "not_applicable",
                format!("a {s} contact has no record"),
            ))
        }
        (None, true, _) => {
            return Err(crate::error::DomainError::invalid(
                "record",
                "not_applicable",
                "a record is given with `status: held`",
            ))
        }
        (Some(ContactStatus::Held) | None, _, true) => {
            return Err(crate::error::DomainError::invalid(
                "reason",
                "not_applicable",
                "a reason is given for a missed or cancelled contact",
            ))
        }
        _ => {}
    }
    if outcome.is_none() && !changes_plan {
        return Err(crate::error::DomainError::invalid(
            "status",
            "required",
            "nothing to change: give an outcome (`status`) or new plan details",
        ));
    }
    Ok(())
}

/// A contact is missed only once its time has come (`due_has_come`); before, it is cancelled.
pub fn may_be_missed(due_has_come: bool) -> Result<(), crate::error::DomainError> {
    if due_has_come {
        Ok(())
    } else {
        Err(crate::error::DomainError::invalid(
            "status",
            "not_yet_due",
            "a contact is missed only once its time has come; cancel it instead",
        ))
    }
}

/// How far ahead of the server's clock a "now" from the client may lie (minutes).
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// A contact that took place cannot be dated in the future (beyond the clock skew).
pub fn check_occurred_at(
    field: &str,
    occurred_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), crate::error::DomainError> {
    if occurred_at > now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(crate::error::DomainError::invalid(
            format!("{field}.occurred_at"),
            "in_future",
            "a contact that took place cannot be dated in the future",
        ));
    }
    Ok(())
}

/// Whether a planned contact's time has come at `now` (within the clock skew).
pub fn due_has_come(due: NaiveDateTime, now: NaiveDateTime) -> bool {
    due <= now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES)
}

/// The people at a contact: each member of the case's client (`is_member`) and each staff member
/// (`is_staff`) is named once.
pub fn check_participants(
    field: &str,
    member_ids: &[String],
    staff_ids: &[String],
    is_member: impl Fn(&str) -> bool,
    is_staff: impl Fn(&str) -> bool,
) -> Result<(), crate::error::DomainError> {
    for (i, id) in member_ids.iter().enumerate() {
        let at = format!("{field}.member_ids[{i}]");
        if member_ids[..i].contains(id) {
            return Err(crate::error::DomainError::invalid(
                &at,
                "duplicate",
                "named twice",
            ));
        }
        if !is_member(id) {
            return Err(crate::error::DomainError::invalid(
                &at,
                "unknown_member",
                "not a member of the case's client",
            ));
        }
    }
    for (i, id) in staff_ids.iter().enumerate() {
        let at = format!("{field}.staff_ids[{i}]");
        if staff_ids[..i].contains(id) {
            return Err(crate::error::DomainError::invalid(
                &at,
                "duplicate",
                "named twice",
            ));
        }
        if !is_staff(id) {
            return Err(crate::error::DomainError::invalid(
                &at,
                "unknown_staff",
                "no staff member of that id",
            ));
        }
    }
    Ok(())
}

/// A period asked for runs forwards: `to` is not before `from`.
pub fn check_period<T: PartialOrd>(
    from: Option<T>,
    to: Option<T>,
) -> Result<(), crate::error::DomainError> {
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(crate::error::DomainError::invalid(
                "to",
                "before_from",
                "`to` is before `from`",
            ));
        }
    }
    Ok(())
}

/// A success story is written, and its consent given, no later than `today`.
pub fn check_new_story(
    written_on: NaiveDate,
    consent_given_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), crate::error::DomainError> {
    if written_on > today {
        return Err(crate::error::DomainError::invalid(
            "written_on",
            "in_future",
            "cannot be after today",
        ));
    }
    if consent_given_on.is_some_and(|d| d > today) {
        return Err(crate::error::DomainError::invalid(
            "consent.given_on",
            "in_future",
            "consent cannot be recorded ahead of being given",
        ));
    }
    Ok(())
}

/// Consent is withdrawn only if given and not yet withdrawn, on a day from its giving to today.
pub fn check_consent_withdrawal(
    consent: Option<&StoryConsent>,
    withdrawn_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), crate::error::DomainError> {
    let Some(consent) = consent else {
        return Err(crate::error::DomainError::Conflict {
            code: "no_consent",
            message: "no consent to share this story is on record, so none can be withdrawn".into(),
        });
    };
    if let Some(on) = consent.withdrawn_on {
        return Err(crate::error::DomainError::Conflict {
            code: "already_withdrawn",
            message: format!("the consent was already withdrawn on {on}"),
        });
    }
    if withdrawn_on > today {
        return Err(crate::error::DomainError::invalid(
            "withdrawn_on",
            "in_future",
            "cannot be after today",
        ));
    }
    if withdrawn_on < consent.given_on {
        return Err(crate::error::DomainError::invalid(
            "withdrawn_on",
            "before_consent",
            "the consent was given after that day",
        ));
    }
    Ok(())
}

/// Contacts (and other records of the work) are added only while the case is active.
pub fn may_add_records(stage: crate::LifecycleStage) -> Result<(), crate::error::DomainError> {
    if stage.is_active_case() {
        Ok(())
    } else {
        Err(crate::error::DomainError::Conflict {
            code: "case_not_active",
            message: format!(
                "the case is {}: records are added only while it is active",
                stage.code()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

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
    fn the_contact_machine_allows_exactly_these_moves() {
        use ContactCommand::*;
        use ContactStatus::*;
        let allowed: Vec<_> = ContactStatus::ALL
            .iter()
            .flat_map(|s| ContactCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Planned, Reschedule, Planned),
                (Planned, RecordHeld, Held),
                (Planned, RecordMissed, Missed),
                (Planned, RecordCancelled, Cancelled),
                (Held, AppendAddendum, Held),
                (Missed, AppendAddendum, Missed),
                (Cancelled, AppendAddendum, Cancelled),
            ]
        );
    }

    #[test]
    fn only_a_planned_contact_moves_and_only_to_an_outcome() {
        use ContactStatus::*;
        for outcome in ContactStatus::ALL {
            let command = ContactCommand::recording(*outcome);
            assert_eq!(Planned.next(command), Ok(*outcome), "{outcome}");
        }
    }

    #[test]
    fn a_held_contact_is_immutable_but_for_addenda() {
        use ContactCommand::*;
        for command in [Reschedule, RecordHeld, RecordMissed, RecordCancelled] {
            assert_eq!(
                ContactStatus::Held.next(command),
                Err(ContactRefusal::HeldIsImmutable)
            );
        }
        assert_eq!(
            ContactStatus::Held.next(AppendAddendum),
            Ok(ContactStatus::Held)
        );
    }

    #[test]
    fn a_missed_or_cancelled_contact_is_final_and_a_new_one_is_planned_instead() {
        use ContactStatus::*;
        for status in [Missed, Cancelled] {
            let refused = status.next(ContactCommand::Reschedule).unwrap_err();
            assert_eq!(refused, ContactRefusal::OutcomeIsFinal(status));
            assert!(refused
                .message()
                .starts_with(&format!("the contact was {status}: that is final")));
        }
    }

    #[test]
    fn addenda_complete_a_recorded_contact_not_a_planned_one() {
        assert_eq!(
            ContactStatus::Planned.next(ContactCommand::AppendAddendum),
            Err(ContactRefusal::StillPlanned)
        );
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

    mod inputs {
        use super::super::*;
        use ContactStatus::*;

        fn code(result: Result<(), crate::error::DomainError>) -> (String, &'static str) {
            match result {
                Err(crate::error::DomainError::Invalid { field, code, .. }) => (field, code),
                other => (format!("{other:?}"), ""),
            }
        }

        #[test]
        fn a_contact_is_created_planned_with_its_time_or_held_with_its_record() {
            assert_eq!(check_new(Planned, false, true), Ok(()));
            assert_eq!(check_new(Held, true, false), Ok(()));
            assert_eq!(
                code(check_new(Missed, false, true)),
                ("status".into(), "not_at_creation")
            );
            assert_eq!(
                code(check_new(Cancelled, false, true)),
                ("status".into(), "not_at_creation")
            );
            assert_eq!(
                code(check_new(Held, false, true)),
                ("record".into(), "required")
            );
            assert_eq!(
                code(check_new(Planned, true, true)),
                ("record".into(), "not_planned")
            );
            assert_eq!(
                code(check_new(Planned, false, false)),
                ("scheduled_at".into(), "required")
            );
        }

        #[test]
        fn an_outcome_carries_a_record_when_held_and_a_reason_when_missed_or_cancelled() {
            assert_eq!(check_change(Some(Held), true, false, false), Ok(()));
            assert_eq!(check_change(Some(Missed), false, true, false), Ok(()));
            assert_eq!(check_change(Some(Cancelled), false, true, false), Ok(()));
            assert_eq!(
                code(check_change(Some(Held), false, false, false)),
                ("record".into(), "required")
            );
            assert_eq!(
                code(check_change(Some(Missed), false, false, false)),
                ("reason".into(), "required")
            );
            assert_eq!(
                code(check_change(Some(Cancelled), true, true, false)),
                ("record".into(), "not_applicable")
            );
            assert_eq!(
                code(check_change(Some(Held), true, true, false)),
                ("reason".into(), "not_applicable")
            );
        }

        #[test]
        fn a_change_of_plan_carries_no_record_or_reason_and_something_changes() {
            assert_eq!(check_change(None, false, false, true), Ok(()));
            assert_eq!(
                code(check_change(None, true, false, true)),
                ("record".into(), "not_applicable")
            );
            assert_eq!(
                code(check_change(None, false, true, true)),
                ("reason".into(), "not_applicable")
            );
            assert_eq!(
                code(check_change(None, false, false, false)),
                ("status".into(), "required")
            );
        }

        #[test]
        fn a_contact_is_missed_only_once_its_time_has_come() {
            assert_eq!(may_be_missed(true), Ok(()));
            assert_eq!(code(may_be_missed(false)), ("status".into(), "not_yet_due"));
        }
        fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
            NaiveDate::from_ymd_opt(2026, 3, d)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        }

        #[test]
        fn a_held_contact_cannot_be_dated_in_the_future() {
            let now = at(10, 12, 0);
            assert_eq!(check_occurred_at("record", at(10, 12, 5), now), Ok(()));
            assert_eq!(
                code(check_occurred_at("record", at(10, 12, 6), now)),
                ("record.occurred_at".into(), "in_future")
            );
            assert!(due_has_come(at(10, 12, 5), now));
            assert!(!due_has_come(at(10, 12, 6), now));
        }

        #[test]
        fn a_participant_is_a_member_of_the_client_or_staff_named_once() {
            let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            let member = |id: &str| id.starts_with('m');
            let staff = |id: &str| id.starts_with('s');
            let check = |m: &[&str], s: &[&str]| {
                code(check_participants("p", &ids(m), &ids(s), member, staff))
            };
            assert_eq!(
                check_participants("p", &ids(&["m1"]), &ids(&["s1"]), member, staff),
                Ok(())
            );
            assert_eq!(
                check(&["m1", "m1"], &[]),
                ("p.member_ids[1]".into(), "duplicate")
            );
            assert_eq!(
                check(&["x"], &[]),
                ("p.member_ids[0]".into(), "unknown_member")
            );
            assert_eq!(
                check(&[], &["s1", "s1"]),
                ("p.staff_ids[1]".into(), "duplicate")
            );
            assert_eq!(
                check(&[], &["x"]),
                ("p.staff_ids[0]".into(), "unknown_staff")
            );
        }

        #[test]
        fn a_period_asked_for_does_not_end_before_it_starts() {
            assert_eq!(check_period(Some(1), Some(1)), Ok(()));
            assert_eq!(check_period(None, Some(1)), Ok(()));
            assert_eq!(
                code(check_period(Some(2), Some(1))),
                ("to".into(), "before_from")
            );
        }

        #[test]
        fn a_story_and_its_consent_are_not_dated_after_today() {
            let today = at(10, 0, 0).date();
            let tomorrow = at(11, 0, 0).date();
            assert_eq!(check_new_story(today, Some(today), today), Ok(()));
            assert_eq!(
                code(check_new_story(tomorrow, None, today)),
                ("written_on".into(), "in_future")
            );
            assert_eq!(
                code(check_new_story(today, Some(tomorrow), today)),
                ("consent.given_on".into(), "in_future")
            );
        }

        #[test]
        fn consent_is_withdrawn_once_between_its_giving_and_today() {
            let day = |d| at(d, 0, 0).date();
            let consent = StoryConsent {
                given_on: day(5),
                scope: ShareScope::Publication,
                withdrawn_on: None,
            };
            assert_eq!(
                check_consent_withdrawal(Some(&consent), day(7), day(10)),
                Ok(())
            );
            assert_eq!(
                check_consent_withdrawal(None, day(7), day(10))
                    .unwrap_err()
                    .code(),
                "no_consent"
            );
            let withdrawn = StoryConsent {
                withdrawn_on: Some(day(6)),
                ..consent
            };
            assert_eq!(
                check_consent_withdrawal(Some(&withdrawn), day(7), day(10))
                    .unwrap_err()
                    .message(),
                format!("the consent was already withdrawn on {}", day(6))
            );
            assert_eq!(
                code(check_consent_withdrawal(Some(&consent), day(11), day(10))),
                ("withdrawn_on".into(), "in_future")
            );
            assert_eq!(
                code(check_consent_withdrawal(Some(&consent), day(4), day(10))),
                ("withdrawn_on".into(), "before_consent")
            );
        }

        #[test]
        fn records_are_added_only_while_the_case_is_active() {
            use crate::LifecycleStage;
            for stage in LifecycleStage::ALL {
                assert_eq!(may_add_records(*stage).is_ok(), stage.is_active_case());
            }
            assert_eq!(
                may_add_records(LifecycleStage::Closed)
                    .unwrap_err()
                    .message(),
                "the case is closed: records are added only while it is active"
            );
        }
    }
}
