//! Closing a case: seed 000's standardised closing procedure (staff and family know when and why
//! the case ends) under the grounds of the Ukrainian Law on Social Services, art. 24.
//!
//! - Every closure, whatever its reason, has a closure report of the case's current cycle whose
//!   reason equals the transition's, and that records when and how the family was told, or why it
//!   could not be (death, moved away, no contact).
//! - Art. 24: services are not stopped while there is a threat to life or health, domestic
//!   violence or cruelty to a child; so a case with an open child-safety concern closes only on
//!   the client's death or a transfer to another agency (whose work goes on).
//! - Art. 24(5): stopping for the recipient's non-compliance takes effect no earlier than 15
//!   calendar days after the recipient was told in writing.

use chrono::{Days, NaiveDate};

use crate::code_enum;
use crate::guards::Requirement;
use crate::lifecycle::{ClosureReason, LifecycleStage};

/// Calendar days between the written notice and a closure for non-compliance (art. 24(5) of the
/// Ukrainian Law on Social Services: law, not agency policy).
pub const NON_COMPLIANCE_NOTICE_DAYS: u64 = 15;

code_enum! {
    /// The grounds on which services end, as art. 24 of the Ukrainian Law on Social Services
    /// lists them; every closure reason falls under one.
    pub enum LegalGround {
        NoFurtherNeed = "no_further_need",
        ContractEnded = "contract_ended",
        Moved = "moved",
        NonCompliance = "non_compliance",
        FalseInformation = "false_information",
        Death = "death",
        EndedByRecipient = "ended_by_recipient",
        ProviderClosed = "provider_closed",
    }
}

code_enum! {
    /// How the family was told why the case ends.
    pub enum InformedHow {
        InPerson = "in_person",
        Phone = "phone",
        /// A letter sent (in writing).
        Letter = "letter",
        /// A written notice handed over (in writing).
        WrittenNotice = "written_notice",
        Other = "other",
    }
}

code_enum! {
    /// Why the family could not be told that the case ends.
    pub enum NotInformedReason {
        ClientDied = "client_died",
        MovedAway = "moved_away",
        NoContact = "no_contact",
    }
}

code_enum! {
    /// Whose opinion on the work with the family the closure report records.
    pub enum OpinionSource {
        /// A specialist, named by staff id.
        Specialist = "specialist",
        Family = "family",
        IndependentExpert = "independent_expert",
    }
}

impl InformedHow {
    /// Whether the family was told in writing (what art. 24(5) asks before stopping for
    /// non-compliance).
    pub const fn in_writing(self) -> bool {
        match self {
            InformedHow::Letter | InformedHow::WrittenNotice => true,
            InformedHow::InPerson | InformedHow::Phone | InformedHow::Other => false,
        }
    }
}

impl ClosureReason {
    /// The ground of art. 24 the reason falls under.
    pub const fn legal_ground(self) -> LegalGround {
        use ClosureReason::*;
        match self {
            GoalsAchieved => LegalGround::NoFurtherNeed,
            // Another agency takes the case over: this provider's service is no longer needed.
            TransferredToAnotherAgency => LegalGround::NoFurtherNeed,
            ClientEndedAgreement => LegalGround::EndedByRecipient,
            // A family that stopped answering has in fact stopped taking the service.
            LostContact => LegalGround::EndedByRecipient,
            // Breaking the agreement, or demanding what is unlawful, breaks its conditions.
            AgreementBreached | UnlawfulRequest => LegalGround::NonCompliance,
            MovedAway => LegalGround::Moved,
            ClientDied => LegalGround::Death,
            ContractEnded => LegalGround::ContractEnded,
            FalseInformation => LegalGround::FalseInformation,
            ProviderClosed => LegalGround::ProviderClosed,
        }
    }

    /// Whether the case may close on this reason while a child-safety concern is open: only on
    /// the client's death, or when another agency takes the case (and the protection) over.
    pub const fn closes_despite_open_safety_concern(self) -> bool {
        matches!(
            self,
            ClosureReason::ClientDied | ClosureReason::TransferredToAnotherAgency
        )
    }
}

/// When and how the family was told, as the closure report records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyInformed {
    pub on: NaiveDate,
    pub how: InformedHow,
}

/// What the closure rules look at: the closure report of the current cycle and the open
/// child-safety concerns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosureFacts {
    /// The reason the current cycle's closure report states; `None` without a report.
    pub report_reason: Option<ClosureReason>,
    pub family_informed: Option<FamilyInformed>,
    pub family_not_informed: Option<NotInformedReason>,
    /// A child-safety concern about the case or its report awaits its decision.
    pub open_safety_concern: bool,
}

impl ClosureFacts {
    /// A closure report stating `reason`, the family told by letter: what a proper closure has.
    pub fn reported(reason: ClosureReason, informed_on: NaiveDate) -> Self {
        ClosureFacts {
            report_reason: Some(reason),
            family_informed: Some(FamilyInformed {
                on: informed_on,
                how: InformedHow::Letter,
            }),
            family_not_informed: None,
            open_safety_concern: false,
        }
    }
}

/// What any closure still lacks, whatever reason it will give: a closure report of the cycle
/// that says how the family was told (or why not), and no open child-safety concern unless the
/// report's reason lets the case close despite one.
pub fn closure_unmet_on_record(facts: &ClosureFacts) -> Vec<Requirement> {
    let mut unmet = Vec::new();
    match facts.report_reason {
        None => unmet.push(Requirement::ClosureReport),
        Some(_) if facts.family_informed.is_none() && facts.family_not_informed.is_none() => {
            unmet.push(Requirement::FamilyToldOfClosure)
        }
        Some(_) => {}
    }
    if facts.open_safety_concern
        && !facts
            .report_reason
            .is_some_and(ClosureReason::closes_despite_open_safety_concern)
    {
        unmet.push(Requirement::NoOpenSafetyConcern);
    }
    unmet
}

/// What a closure for `reason` on `today` lacks beyond [`closure_unmet_on_record`]: the report
/// states this reason, and a closure for non-compliance waits for its notice period.
pub fn closure_unmet_for_reason(
    reason: ClosureReason,
    facts: &ClosureFacts,
    today: NaiveDate,
) -> Vec<Requirement> {
    let mut unmet = Vec::new();
    if facts.report_reason.is_some_and(|r| r != reason) {
        unmet.push(Requirement::ClosureReportWithReason { reason });
    }
    if reason.legal_ground() == LegalGround::NonCompliance {
        let effective_from = facts
            .family_informed
            .filter(|i| i.how.in_writing())
            .and_then(|i| i.on.checked_add_days(Days::new(NON_COMPLIANCE_NOTICE_DAYS)));
        if effective_from.is_none_or(|from| today < from) {
            unmet.push(Requirement::WrittenNoticePeriod { effective_from });
        }
    }
    unmet
}

/// Everything a closure for `reason` on `today` lacks (empty when it may take place).
pub fn closure_unmet(
    reason: ClosureReason,
    facts: &ClosureFacts,
    today: NaiveDate,
) -> Vec<Requirement> {
    let mut unmet = closure_unmet_on_record(facts);
    unmet.extend(closure_unmet_for_reason(reason, facts, today));
    unmet
}

/// One opinion on the work with the family, as a closure report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpinionDraft<'a> {
    pub source: OpinionSource,
    pub staff_id: Option<&'a str>,
    pub author: Option<&'a str>,
}

/// What a closure report says, as far as its rules look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDraft<'a> {
    /// The goals it evaluates (stable ids), in the order given.
    pub evaluated_goals: Vec<&'a str>,
    pub opinions: Vec<OpinionDraft<'a>>,
    /// When the family was told, if the report says so.
    pub informed_on: Option<NaiveDate>,
    /// The report says why the family could not be told instead.
    pub not_informed: bool,
}

/// What a closure report checks against the record: the goals of the cycle's active plan, and
/// whether a named specialist is a staff member of the writer's units.
pub struct ReportContext<'a> {
    pub active_goals: &'a [String],
    pub staff_in_scope: &'a dyn Fn(&str) -> bool,
    pub today: NaiveDate,
}

/// The rules of a closure report (seed 000's closing procedure): each goal of the active plan is
/// evaluated at most once and no other; a specialist's opinion names the specialist, an
/// independent expert's names the expert, and only a specialist's names a staff id; the family
/// was told on a day that has come, or could not be told, not both.
pub fn check_report(
    report: &ReportDraft<'_>,
    context: &ReportContext<'_>,
) -> Result<(), crate::error::DomainError> {
    let mut seen = std::collections::HashSet::new();
    for (i, goal) in report.evaluated_goals.iter().enumerate() {
        let field = format!("goal_evaluations[{i}].goal_id");
        if !context.active_goals.iter().any(|g| g == goal) {
            return Err(crate::error::DomainError::invalid(
                field,
                "unknown_goal",
                "not a goal of the case's active plan",
            ));
        }
        if !seen.insert(*goal) {
            return Err(crate::error::DomainError::invalid(
                field,
                "duplicate_goal",
                "the goal is evaluated twice",
            ));
        }
    }
    for (i, opinion) in report.opinions.iter().enumerate() {
        match (opinion.source, opinion.staff_id) {
            (OpinionSource::Specialist, None) => {
                return Err(crate::error::DomainError::invalid(
                    format!("opinions[{i}].staff_id"),
                    "required",
                    "a specialist's opinion names the specialist's staff id",
                ))
            }
            (OpinionSource::Specialist, Some(id)) if !(context.staff_in_scope)(id) => {
                return Err(crate::error::DomainError::invalid(
                    format!("opinions[{i}].staff_id"),
                    "unknown_staff",
                    "no staff member with this id in your units",
                ))
            }
            (OpinionSource::Family | OpinionSource::IndependentExpert, Some(_)) => {
                return Err(crate::error::DomainError::invalid(
                    format!("opinions[{i}].staff_id"),
                    "not_allowed",
                    "only a specialist's opinion names a staff id",
                ))
            }
            (OpinionSource::IndependentExpert, None)
                if opinion.author.is_none_or(|a| a.trim().is_empty()) =>
            {
                return Err(crate::error::DomainError::invalid(
                    format!("opinions[{i}].author"),
                    "required",
                    "an independent expert's opinion names the expert",
                ))
            }
            (OpinionSource::Specialist, Some(_))
            | (OpinionSource::Family | OpinionSource::IndependentExpert, None) => {}
        }
    }
    if let Some(on) = report.informed_on {
        if on > context.today {
            return Err(crate::error::DomainError::invalid(
                "family_informed.on",
                "in_future",
                "the family cannot have been told on a future date",
            ));
        }
        if report.not_informed {
            return Err(crate::error::DomainError::invalid(
                "family_not_informed_reason",
                "informed_and_not",
                "the family was either told (family_informed) or could not be: not both",
            ));
        }
    }
    Ok(())
}

/// A closed case's closure report is frozen: it is the report the case was closed with.
pub fn check_report_not_frozen(stage: LifecycleStage) -> Result<(), crate::error::DomainError> {
    if stage == LifecycleStage::Closed {
        return Err(crate::error::DomainError::Conflict {
            code: "closure_report_frozen",
            message: "the case is closed: its closure report is frozen".to_owned(),
        });
    }
    Ok(())
}

/// A closure report is written only while the case is active, and never once it is closed.
pub fn check_report_writable(stage: LifecycleStage) -> Result<(), crate::error::DomainError> {
    check_report_not_frozen(stage)?;
    if !stage.is_active_case() {
        return Err(crate::error::DomainError::Conflict {
            code: "case_not_active",
            message: format!(
                "the case is {}: a closure report is written only while it is active",
                stage.code()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    fn context<'a>(goals: &'a [String], staff: &'a dyn Fn(&str) -> bool) -> ReportContext<'a> {
        ReportContext {
            active_goals: goals,
            staff_in_scope: staff,
            today: day(10),
        }
    }

    fn draft<'a>() -> ReportDraft<'a> {
        ReportDraft {
            evaluated_goals: vec!["g1"],
            opinions: vec![OpinionDraft {
                source: OpinionSource::Specialist,
                staff_id: Some("olena"),
                author: None,
            }],
            informed_on: Some(day(9)),
            not_informed: false,
        }
    }

    fn field_of(result: Result<(), crate::error::DomainError>) -> (String, &'static str) {
        match result {
            Err(crate::error::DomainError::Invalid { field, code, .. }) => (field, code),
            other => (format!("{other:?}"), ""),
        }
    }

    #[test]
    fn a_closure_report_evaluates_only_goals_of_the_active_plan_and_each_once() {
        let goals = vec!["g1".to_owned(), "g2".to_owned()];
        let staff = |_: &str| true;
        assert_eq!(check_report(&draft(), &context(&goals, &staff)), Ok(()));
        let mut unknown = draft();
        unknown.evaluated_goals = vec!["g1", "g9"];
        assert_eq!(
            field_of(check_report(&unknown, &context(&goals, &staff))),
            ("goal_evaluations[1].goal_id".into(), "unknown_goal")
        );
        let mut twice = draft();
        twice.evaluated_goals = vec!["g2", "g2"];
        assert_eq!(
            field_of(check_report(&twice, &context(&goals, &staff))),
            ("goal_evaluations[1].goal_id".into(), "duplicate_goal")
        );
    }

    #[test]
    fn an_opinion_names_its_author_as_its_source_requires() {
        let goals = vec!["g1".to_owned()];
        let staff = |id: &str| id == "olena";
        let with = |opinion: OpinionDraft<'static>| ReportDraft {
            opinions: vec![opinion],
            ..draft()
        };
        let cases = [
            (
                OpinionSource::Specialist,
                None,
                None,
                ("opinions[0].staff_id", "required"),
            ),
            (
                OpinionSource::Specialist,
                Some("stranger"),
                None,
                ("opinions[0].staff_id", "unknown_staff"),
            ),
            (
                OpinionSource::Family,
                Some("olena"),
                None,
                ("opinions[0].staff_id", "not_allowed"),
            ),
            (
                OpinionSource::IndependentExpert,
                None,
                Some("  "),
                ("opinions[0].author", "required"),
            ),
        ];
        for (source, staff_id, author, (field, code)) in cases {
            let report = with(OpinionDraft {
                source,
                staff_id,
                author,
            });
            assert_eq!(
                field_of(check_report(&report, &context(&goals, &staff))),
                (field.to_owned(), code),
                "{source:?}"
            );
        }
        let family = with(OpinionDraft {
            source: OpinionSource::Family,
            staff_id: None,
            author: None,
        });
        assert_eq!(check_report(&family, &context(&goals, &staff)), Ok(()));
    }

    #[test]
    fn the_family_was_told_on_a_day_that_has_come_or_could_not_be_told_not_both() {
        let goals = vec!["g1".to_owned()];
        let staff = |_: &str| true;
        let mut future = draft();
        future.informed_on = Some(day(11));
        assert_eq!(
            field_of(check_report(&future, &context(&goals, &staff))),
            ("family_informed.on".into(), "in_future")
        );
        let mut both = draft();
        both.not_informed = true;
        assert_eq!(
            field_of(check_report(&both, &context(&goals, &staff))),
            ("family_not_informed_reason".into(), "informed_and_not")
        );
    }

    #[test]
    fn every_closure_reason_falls_under_a_ground_of_article_24() {
        use ClosureReason as R;
        use LegalGround as G;
        let mapped: Vec<(ClosureReason, LegalGround)> = ClosureReason::ALL
            .iter()
            .map(|r| (*r, r.legal_ground()))
            .collect();
        assert_eq!(
            mapped,
            [
                (R::GoalsAchieved, G::NoFurtherNeed),
                (R::ClientEndedAgreement, G::EndedByRecipient),
                (R::AgreementBreached, G::NonCompliance),
                (R::UnlawfulRequest, G::NonCompliance),
                (R::MovedAway, G::Moved),
                (R::ClientDied, G::Death),
                (R::TransferredToAnotherAgency, G::NoFurtherNeed),
                (R::LostContact, G::EndedByRecipient),
                (R::ContractEnded, G::ContractEnded),
                (R::FalseInformation, G::FalseInformation),
                (R::ProviderClosed, G::ProviderClosed),
            ]
        );
        for ground in LegalGround::ALL {
            assert!(
                ClosureReason::ALL
                    .iter()
                    .any(|r| r.legal_ground() == *ground),
                "no closure reason for {ground:?}"
            );
        }
    }

    #[test]
    fn a_case_closes_with_a_closure_report_stating_the_same_reason_and_the_family_told() {
        let facts = ClosureFacts::reported(ClosureReason::MovedAway, day(1));
        assert_eq!(closure_unmet(ClosureReason::MovedAway, &facts, day(2)), []);
    }

    #[test]
    fn a_closure_without_a_closure_report_is_refused() {
        let unmet = closure_unmet(
            ClosureReason::GoalsAchieved,
            &ClosureFacts::default(),
            day(2),
        );
        assert_eq!(unmet, [Requirement::ClosureReport]);
    }

    #[test]
    fn the_closure_report_must_state_the_transitions_reason() {
        let facts = ClosureFacts::reported(ClosureReason::MovedAway, day(1));
        assert_eq!(
            closure_unmet(ClosureReason::LostContact, &facts, day(2)),
            [Requirement::ClosureReportWithReason {
                reason: ClosureReason::LostContact
            }]
        );
    }

    #[test]
    fn a_closure_report_that_does_not_say_whether_the_family_was_told_is_not_enough() {
        let facts = ClosureFacts {
            report_reason: Some(ClosureReason::MovedAway),
            ..ClosureFacts::default()
        };
        assert_eq!(
            closure_unmet(ClosureReason::MovedAway, &facts, day(2)),
            [Requirement::FamilyToldOfClosure]
        );
    }

    #[test]
    fn a_family_that_could_not_be_told_is_recorded_with_the_reason_why() {
        let facts = ClosureFacts {
            report_reason: Some(ClosureReason::ClientDied),
            family_not_informed: Some(NotInformedReason::ClientDied),
            ..ClosureFacts::default()
        };
        assert_eq!(closure_unmet(ClosureReason::ClientDied, &facts, day(2)), []);
    }

    #[test]
    fn an_open_child_safety_concern_stops_closure_except_on_death_or_transfer() {
        for reason in ClosureReason::ALL {
            let facts = ClosureFacts {
                open_safety_concern: true,
                ..ClosureFacts::reported(*reason, day(1))
            };
            let refused =
                closure_unmet(*reason, &facts, day(20)).contains(&Requirement::NoOpenSafetyConcern);
            let allowed = matches!(
                reason,
                ClosureReason::ClientDied | ClosureReason::TransferredToAnotherAgency
            );
            assert_eq!(refused, !allowed, "{reason:?}");
        }
    }

    #[test]
    fn closing_for_non_compliance_takes_effect_fifteen_days_after_written_notice() {
        let mut facts = ClosureFacts::reported(ClosureReason::AgreementBreached, day(1));
        facts.family_informed = Some(FamilyInformed {
            on: day(1),
            how: InformedHow::Letter,
        });
        let waiting = Requirement::WrittenNoticePeriod {
            effective_from: Some(day(16)),
        };
        assert_eq!(
            closure_unmet(ClosureReason::AgreementBreached, &facts, day(15)),
            [waiting]
        );
        assert_eq!(
            closure_unmet(ClosureReason::AgreementBreached, &facts, day(16)),
            []
        );
    }

    #[test]
    fn notice_of_non_compliance_given_orally_does_not_start_the_period() {
        let mut facts = ClosureFacts::reported(ClosureReason::UnlawfulRequest, day(1));
        facts.family_informed = Some(FamilyInformed {
            on: day(1),
            how: InformedHow::InPerson,
        });
        assert_eq!(
            closure_unmet(ClosureReason::UnlawfulRequest, &facts, day(30)),
            [Requirement::WrittenNoticePeriod {
                effective_from: None
            }]
        );
    }

    #[test]
    fn other_grounds_need_no_notice_period() {
        for reason in ClosureReason::ALL
            .iter()
            .filter(|r| r.legal_ground() != LegalGround::NonCompliance)
        {
            let mut facts = ClosureFacts::reported(*reason, day(1));
            facts.family_informed = Some(FamilyInformed {
                on: day(1),
                how: InformedHow::Phone,
            });
            assert_eq!(closure_unmet(*reason, &facts, day(1)), [], "{reason:?}");
        }
    }

    #[test]
    fn a_closed_cases_closure_report_is_frozen() {
        assert_eq!(
            check_report_not_frozen(LifecycleStage::Closed),
            Err(crate::error::DomainError::Conflict {
                code: "closure_report_frozen",
                message: "the case is closed: its closure report is frozen".into(),
            })
        );
        for stage in LifecycleStage::ALL
            .iter()
            .filter(|s| **s != LifecycleStage::Closed)
        {
            assert_eq!(check_report_not_frozen(*stage), Ok(()), "{stage:?}");
        }
    }

    #[test]
    fn a_closure_report_is_written_only_while_the_case_is_active() {
        for stage in LifecycleStage::ALL {
            let result = check_report_writable(*stage);
            if *stage == LifecycleStage::Closed {
                assert_eq!(result.map_err(|e| e.code()), Err("closure_report_frozen"));
            } else if stage.is_active_case() {
                assert_eq!(result, Ok(()), "{stage:?}");
            } else {
                assert_eq!(
                    result.map_err(|e| e.message().to_owned()),
                    Err(format!(
                        "the case is {}: a closure report is written only while it is active",
                        stage.code()
                    )),
                    "{stage:?}"
                );
            }
        }
    }
}
