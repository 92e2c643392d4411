//! Agreements with the client: the form each kind is made in, what an oral agreement records
//! instead of signatures, and what a client's unilateral ending calls for.
//!
//! - **Form.** Seed 001, stage 3: "формулируется предварительный **устный** контракт": the
//!   preliminary contract is oral. Everything else is a written document: seed 003 says the service
//!   agreement "обязательно подписывается клиентом и руководителем", the programme inclusion
//!   agreement and the informed consent to disclose medical information are "подписывается
//!   клиентом" (seed 002: the informed consent is signed at planning); seed 001's stage-7
//!   contract is concluded with the contract the Law on Social Services makes the basis of the
//!   services (art. 22: the individual plan is part of it). Ukrainian law agrees: a transaction
//!   between a person and a legal entity is made in writing (Civil Code art. 208(1)(2)), written
//!   form includes electronic means (art. 207(1)), and a contract is ended in the form it was made
//!   in (art. 654), so the agreed termination of a written contract is written too. The client's
//!   agreement to a plan version is recorded with the version (`method`: signed, oral or
//!   electronic) and takes its form from it.
//! - **Oral agreements** carry no signatures: the client's consent is recorded as *agreed*, and
//!   the record names who witnessed it. The store keeps "the client agreed" in the agreement's
//!   `signed_by_client` column (which the guards read as "the client's consent is on record"), so
//!   an oral preliminary contract satisfies the 12-stage 3 → 4 guard like a signed one; the API
//!   shows `signed_by_client: false, agreed_by_client: true` for it ([`Signatures::shown`]).
//! - **A client's unilateral ending** of the service agreement (seed 003: the client may
//!   "расторгнуть соглашение в одностороннем порядке"), or of the 12-stage concluded contract,
//!   leaves an active case without the agreement its work rests on: the key worker must close the
//!   case or renegotiate (Law on Social Services, art. 24: ending by the recipient is a ground to
//!   end services, by a written, reasoned decision), within
//!   [`DEFAULT_RENEGOTIATION_WORKING_DAYS`] unless the policy says otherwise.
//! - **In force or ended** ([`AgreementStatus`]): an agreement ends early once, ended by the
//!   client or by the service refusing further help ([`EndedBy`], [`ServiceRefusalReason`]);
//!   from then on the guards stop counting it.

use chrono::{Duration, NaiveDate};

use crate::code_enum;
use crate::codes::{AgreementForm, AgreementKind, AgreementMethod};
use crate::deadlines::HolidayCalendar;
use crate::error::DomainError;

/// Working days after a client's unilateral ending by which the case is to be closed or its
/// agreement renegotiated ([`crate::Policy::renegotiation_working_days`]). **Design**: the
/// Law on Social Services gives a provider 10 working days to decide on services once it has the
/// application (art. 21(2), as in force from 7 February 2026); deciding whether to end them or
/// agree anew after the recipient ended the contract is the same kind of decision. Agency policy
/// may set another span.
pub const DEFAULT_RENEGOTIATION_WORKING_DAYS: u32 = 10;

/// The form an agreement of `kind` takes when the record names none (and carries no signatures):
/// oral for seed 001's preliminary contract, written for every other kind.
pub fn default_form(kind: AgreementKind) -> AgreementForm {
    use AgreementKind::*;
    match kind {
        PreliminaryContract => AgreementForm::Oral,
        ServiceAgreement | InformedConsent | ConcludedContract | Termination | PlanAgreement
        | ProgrammeInclusion => AgreementForm::Written,
    }
}

/// Whether an agreement of `kind` may be made orally (see the module doc for the sources).
pub fn may_be_oral(kind: AgreementKind) -> bool {
    use AgreementKind::*;
    match kind {
        // Seed 001, stage 3; and a plan version the client agreed to in words (`method: oral`).
        PreliminaryContract | PlanAgreement => true,
        ServiceAgreement | InformedConsent | ConcludedContract | Termination
        | ProgrammeInclusion => false,
    }
}

/// The form of the client's agreement to a plan version, from how it was given: an electronic
/// agreement is written (Civil Code art. 207(1)).
pub fn form_of_plan_agreement(method: AgreementMethod) -> AgreementForm {
    match method {
        AgreementMethod::Oral => AgreementForm::Oral,
        AgreementMethod::Signed | AgreementMethod::Electronic => AgreementForm::Written,
    }
}

/// An agreement as the worker records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms<'a> {
    pub kind: AgreementKind,
    /// `None`: written when a signature is recorded, otherwise the kind's [`default_form`].
    pub form: Option<AgreementForm>,
    pub witnessed_by: Option<&'a str>,
    pub signed_by_client: bool,
    pub signed_by_service: bool,
}

/// What is stored for an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub form: AgreementForm,
    pub witnessed_by: Option<String>,
    /// The client's consent is on record: signed (written) or given orally before the witness.
    /// Stored in the `signed_by_client` column, which the guards count.
    pub client_agreed: bool,
    pub signed_by_service: bool,
}

/// Why an agreement cannot be recorded as given: the request field at fault and a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub code: &'static str,
    pub message: &'static str,
}

/// Checks an agreement's form against its kind, witness and signatures, and says what to store.
pub fn record(terms: Terms<'_>) -> Result<Recorded, Refusal> {
    let signed = terms.signed_by_client || terms.signed_by_service;
    let form = terms.form.unwrap_or(if signed {
        AgreementForm::Written
    } else {
        default_form(terms.kind)
    });
    let witness = terms.witnessed_by.map(str::trim).filter(|w| !w.is_empty());
    match form {
        AgreementForm::Oral => {
            if !may_be_oral(terms.kind) {
                return Err(Refusal {
                    field: "form",
                    code: "must_be_written",
                    message: "this kind of agreement is made in writing and signed; only the preliminary contract may be oral",
                });
            }
            let no_signature = |field| {
                Refusal {
                field,
                code: "oral_not_signed",
                message: "an oral agreement carries no signatures: the client's consent is recorded as agreed, with who witnessed it",
            }
            };
            if terms.signed_by_client {
                return Err(no_signature("signed_by_client"));
            }
            if terms.signed_by_service {
                return Err(no_signature("signed_by_service"));
            }
            let Some(witness) = witness else {
                return Err(Refusal {
                    field: "witnessed_by",
                    code: "required",
                    message: "an oral agreement names who witnessed it",
                });
            };
            Ok(Recorded {
                form,
                witnessed_by: Some(witness.to_owned()),
                client_agreed: true,
                signed_by_service: false,
            })
        }
        AgreementForm::Written => {
            if terms.witnessed_by.is_some() {
                return Err(Refusal {
                    field: "witnessed_by",
                    code: "oral_only",
                    message: "a witness is recorded for an oral agreement; a written one is proved by its signatures",
                });
            }
            Ok(Recorded {
                form,
                witnessed_by: None,
                client_agreed: terms.signed_by_client,
                signed_by_service: terms.signed_by_service,
            })
        }
    }
}

/// An agreement's signatures and consent as shown to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signatures {
    pub signed_by_client: bool,
    pub signed_by_service: bool,
    /// The client's consent is on record, signed or oral.
    pub agreed_by_client: bool,
}

impl Signatures {
    /// From what is stored: an oral agreement shows no signatures, only that the client agreed.
    pub fn shown(form: AgreementForm, client_agreed: bool, signed_by_service: bool) -> Self {
        let written = form == AgreementForm::Written;
        Signatures {
            signed_by_client: written && client_agreed,
            signed_by_service: written && signed_by_service,
            agreed_by_client: client_agreed,
        }
    }
}

/// Whether the client's unilateral ending of an agreement of `kind` leaves the case without the
/// agreement its work rests on: the service agreement (seed 003) or the 12-stage concluded
/// contract (seed 001, stage 7). While no agreement of that kind is in force again
/// (`replaced`), the key worker must close the case or renegotiate.
pub fn closure_or_renegotiation_due(
    kind: AgreementKind,
    ended_by_client: bool,
    replaced: bool,
) -> bool {
    use AgreementKind::*;
    let binds_the_work = match kind {
        ServiceAgreement | ConcludedContract => true,
        InformedConsent | PreliminaryContract | Termination | PlanAgreement
        | ProgrammeInclusion => false,
    };
    binds_the_work && ended_by_client && !replaced
}

/// The day by which a case whose agreement the client ended on `ended_on` is to be closed or its
/// agreement renegotiated: `working_days` working days later.
pub fn renegotiation_due_on(
    ended_on: NaiveDate,
    working_days: u32,
    calendar: &HolidayCalendar,
) -> NaiveDate {
    let mut date = ended_on;
    let mut left = working_days;
    while left > 0 {
        date += Duration::days(1);
        if calendar.is_working_day(date) {
            left -= 1;
        }
    }
    date
}

code_enum! {
    /// Whether an agreement still binds: in force until it ends early (stored as the day it
    /// ended, `terminated_on`). The guards count agreements in force only.
    pub enum AgreementStatus {
        InForce = "in_force",
        Terminated = "terminated",
    }
}

code_enum! {
    /// What may happen to an agreement on record.
    pub enum AgreementCommand {
        /// Ended unilaterally, by the client or by the service refusing further help.
        Terminate = "terminate",
    }
}

/// Why an agreement refuses a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementRefusal {
    /// It has ended already; an agreement ends once.
    AlreadyEnded,
}

impl AgreementRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            AgreementRefusal::AlreadyEnded => "agreement_ended",
        }
    }

    pub fn message(self) -> String {
        match self {
            AgreementRefusal::AlreadyEnded => "the agreement has already ended".to_owned(),
        }
    }

    /// The message naming the day the agreement ended.
    pub fn message_ended_on(self, ended_on: NaiveDate) -> String {
        match self {
            AgreementRefusal::AlreadyEnded => format!("the agreement already ended on {ended_on}"),
        }
    }
}

crate::error::conflict_from!(AgreementRefusal);

impl AgreementStatus {
    /// The status of an agreement that ended on `terminated_on`, if it did.
    pub const fn of(terminated_on: Option<NaiveDate>) -> AgreementStatus {
        match terminated_on {
            Some(_) => AgreementStatus::Terminated,
            None => AgreementStatus::InForce,
        }
    }

    /// The status after `command`, or why it is refused.
    pub fn next(self, command: AgreementCommand) -> Result<AgreementStatus, AgreementRefusal> {
        use AgreementCommand::*;
        use AgreementStatus::*;
        match (self, command) {
            (InForce, Terminate) => Ok(Terminated),
            (Terminated, Terminate) => Err(AgreementRefusal::AlreadyEnded),
        }
    }
}

code_enum! {
    /// Who ended an agreement unilaterally.
    pub enum EndedBy {
        /// The client (seed 003: "расторгнуть соглашение в одностороннем порядке").
        Client = "client",
        /// The service, refusing further help for a stated reason.
        Service = "service",
    }
}

code_enum! {
    /// Why the service refused further help (seed 003).
    pub enum ServiceRefusalReason {
        BreachOfAgreement = "breach_of_agreement",
        UnlawfulRequest = "unlawful_request",
        Other = "other",
    }
}

impl From<Refusal> for DomainError {
    fn from(r: Refusal) -> Self {
        DomainError::Invalid {
            field: r.field.to_owned(),
            code: r.code,
            message: r.message.to_owned(),
        }
    }
}

/// The client's agreement to a plan version is recorded with the version, not on its own.
pub fn check_recorded_on_its_own(kind: AgreementKind) -> Result<(), DomainError> {
    if kind == AgreementKind::PlanAgreement {
        return Err(crate::error::DomainError::invalid(
            "kind",
            "recorded_with_the_plan",
            "a plan_agreement is recorded when a plan version is agreed (POST …/plans/{plan_id}/agreement)",
        ));
    }
    Ok(())
}

/// Seed 003: the service refusing further help states its reason code (and, for `other`, the
/// reason in words); the client ending the agreement gives no reason code.
pub fn check_termination_reason(
    ended_by: EndedBy,
    reason_code: Option<ServiceRefusalReason>,
    reason: Option<&str>,
) -> Result<(), DomainError> {
    match (ended_by, reason_code) {
        (EndedBy::Client, Some(_)) => Err(crate::error::DomainError::invalid(
            "reason_code",
            "not_allowed",
            "a reason code is given only when the service refuses further help",
        )),
        (EndedBy::Service, None) => Err(crate::error::DomainError::invalid(
            "reason_code",
            "required",
            "the service's refusal of further help needs its reason",
        )),
        (EndedBy::Service, Some(ServiceRefusalReason::Other))
            if reason.is_none_or(|r| r.trim().is_empty()) =>
        {
            Err(crate::error::DomainError::invalid(
                "reason",
                "required",
                "an `other` refusal needs the reason in words",
            ))
        }
        (EndedBy::Client, None) | (EndedBy::Service, Some(_)) => Ok(()),
    }
}

/// An agreement ends only while its case is active, and only once: an ended
/// one says the day it ended.
pub fn check_may_end(
    case_stage: crate::LifecycleStage,
    terminated_on: Option<NaiveDate>,
) -> Result<(), DomainError> {
    if !case_stage.is_active_case() {
        return Err(DomainError::Conflict {
            code: "case_not_active",
            message: format!(
                "the case is {}: agreements end only while it is active",
                case_stage.code()
            ),
        });
    }
    AgreementStatus::of(terminated_on)
        .next(AgreementCommand::Terminate)
        .map_err(|refused| match terminated_on {
            Some(on) => DomainError::Conflict {
                code: refused.code(),
                message: refused.message_ended_on(on),
            },
            None => refused.into(),
        })?;
    Ok(())
}

/// An agreement is recorded as ended once it has ended, and not before it was signed.
pub fn check_termination_date(
    terminated_on: NaiveDate,
    signed_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if terminated_on > today {
        return Err(crate::error::DomainError::invalid(
            "terminated_on",
            "in_future",
            "an agreement is recorded as ended once it has ended",
        ));
    }
    if terminated_on < signed_on {
        return Err(crate::error::DomainError::invalid(
            "terminated_on",
            "before_signed",
            "the agreement cannot end before it was signed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::deadlines::{HolidayCountry, MartialLaw};

    fn terms(kind: AgreementKind, form: Option<AgreementForm>) -> Terms<'static> {
        Terms {
            kind,
            form,
            witnessed_by: None,
            signed_by_client: false,
            signed_by_service: false,
        }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_form_of_a_preliminary_contract_is_oral_and_of_every_other_kind_written() {
        for kind in AgreementKind::ALL {
            let expected = if *kind == AgreementKind::PreliminaryContract {
                AgreementForm::Oral
            } else {
                AgreementForm::Written
            };
            assert_eq!(default_form(*kind), expected, "{kind}");
        }
    }

    #[test]
    fn an_oral_agreement_names_who_witnessed_it() {
        let unwitnessed = terms(
            AgreementKind::PreliminaryContract,
            Some(AgreementForm::Oral),
        );
        assert_eq!(record(unwitnessed).unwrap_err().field, "witnessed_by");
        let blank = Terms {
            witnessed_by: Some("  "),
            ..unwitnessed
        };
        assert_eq!(record(blank).unwrap_err().code, "required");
        let witnessed = Terms {
            witnessed_by: Some(" Maria Koval, psychologist "),
            ..unwitnessed
        };
        assert_eq!(
            record(witnessed).unwrap().witnessed_by.as_deref(),
            Some("Maria Koval, psychologist")
        );
    }

    #[test]
    fn an_oral_agreement_carries_no_signatures_and_records_the_client_as_agreed() {
        let oral = Terms {
            witnessed_by: Some("Maria Koval"),
            ..terms(AgreementKind::PreliminaryContract, None)
        };
        assert_eq!(
            record(oral).unwrap(),
            Recorded {
                form: AgreementForm::Oral,
                witnessed_by: Some("Maria Koval".into()),
                client_agreed: true,
                signed_by_service: false,
            }
        );
        let oral = Terms {
            form: Some(AgreementForm::Oral),
            ..oral
        };
        for (signed, field) in [
            (
                Terms {
                    signed_by_client: true,
                    ..oral
                },
                "signed_by_client",
            ),
            (
                Terms {
                    signed_by_service: true,
                    ..oral
                },
                "signed_by_service",
            ),
        ] {
            let refusal = record(signed).unwrap_err();
            assert_eq!((refusal.field, refusal.code), (field, "oral_not_signed"));
        }
    }

    #[test]
    fn an_oral_agreement_shows_no_signatures_only_the_clients_agreement() {
        assert_eq!(
            Signatures::shown(AgreementForm::Oral, true, false),
            Signatures {
                signed_by_client: false,
                signed_by_service: false,
                agreed_by_client: true,
            }
        );
        assert_eq!(
            Signatures::shown(AgreementForm::Written, true, true),
            Signatures {
                signed_by_client: true,
                signed_by_service: true,
                agreed_by_client: true,
            }
        );
    }

    #[test]
    fn only_the_preliminary_contract_and_a_plan_agreement_may_be_oral() {
        for kind in AgreementKind::ALL {
            let oral = Terms {
                witnessed_by: Some("Maria Koval"),
                ..terms(*kind, Some(AgreementForm::Oral))
            };
            match kind {
                AgreementKind::PreliminaryContract | AgreementKind::PlanAgreement => {
                    assert!(record(oral).is_ok(), "{kind}")
                }
                _ => {
                    let refusal = record(oral).unwrap_err();
                    assert_eq!((refusal.field, refusal.code), ("form", "must_be_written"));
                }
            }
        }
    }

    #[test]
    fn a_service_agreement_a_concluded_contract_and_informed_consent_must_be_written() {
        for kind in [
            AgreementKind::ServiceAgreement,
            AgreementKind::ConcludedContract,
            AgreementKind::InformedConsent,
        ] {
            assert!(!may_be_oral(kind), "{kind}");
            assert_eq!(default_form(kind), AgreementForm::Written);
        }
    }

    #[test]
    fn a_written_agreement_keeps_its_signatures_and_names_no_witness() {
        let signed = Terms {
            signed_by_client: true,
            signed_by_service: true,
            ..terms(AgreementKind::ServiceAgreement, None)
        };
        assert_eq!(
            record(signed).unwrap(),
            Recorded {
                form: AgreementForm::Written,
                witnessed_by: None,
                client_agreed: true,
                signed_by_service: true,
            }
        );
        let half = Terms {
            signed_by_service: false,
            ..signed
        };
        assert!(record(half).unwrap().client_agreed);
        let witnessed = Terms {
            witnessed_by: Some("Maria Koval"),
            ..signed
        };
        assert_eq!(record(witnessed).unwrap_err().field, "witnessed_by");
    }

    #[test]
    fn a_preliminary_contract_recorded_with_signatures_is_written() {
        let signed = Terms {
            signed_by_client: true,
            signed_by_service: true,
            ..terms(AgreementKind::PreliminaryContract, None)
        };
        assert_eq!(record(signed).unwrap().form, AgreementForm::Written);
    }

    #[test]
    fn a_plan_agreement_takes_its_form_from_how_the_client_agreed() {
        assert_eq!(
            form_of_plan_agreement(AgreementMethod::Oral),
            AgreementForm::Oral
        );
        assert_eq!(
            form_of_plan_agreement(AgreementMethod::Signed),
            AgreementForm::Written
        );
        assert_eq!(
            form_of_plan_agreement(AgreementMethod::Electronic),
            AgreementForm::Written
        );
    }

    #[test]
    fn a_client_ending_the_service_agreement_calls_for_closure_or_renegotiation_until_one_is_in_force_again(
    ) {
        use AgreementKind::*;
        assert!(closure_or_renegotiation_due(ServiceAgreement, true, false));
        assert!(closure_or_renegotiation_due(ConcludedContract, true, false));
        assert!(!closure_or_renegotiation_due(ServiceAgreement, true, true));
        assert!(!closure_or_renegotiation_due(
            ServiceAgreement,
            false,
            false
        ));
        for kind in [
            InformedConsent,
            PreliminaryContract,
            Termination,
            PlanAgreement,
            ProgrammeInclusion,
        ] {
            assert!(!closure_or_renegotiation_due(kind, true, false), "{kind}");
        }
    }

    #[test]
    fn closure_or_renegotiation_is_due_ten_working_days_after_the_client_ended_the_agreement() {
        let ukraine = HolidayCalendar::new(HolidayCountry::Ukraine);
        // Friday 18 December 2026: Christmas (25th) and New Year (1 January) are days off.
        assert_eq!(
            renegotiation_due_on(
                date("2026-12-18"),
                DEFAULT_RENEGOTIATION_WORKING_DAYS,
                &ukraine
            ),
            date("2027-01-05")
        );
        // Under martial law the public holidays are working days.
        let martial = HolidayCalendar {
            martial_law: Some(MartialLaw::UKRAINE_SINCE_2022),
            ..ukraine
        };
        assert_eq!(
            renegotiation_due_on(date("2026-12-18"), 10, &martial),
            date("2027-01-01")
        );
        assert_eq!(
            renegotiation_due_on(date("2026-12-18"), 0, &martial),
            date("2026-12-18")
        );
    }

    #[test]
    fn the_agreement_machine_allows_exactly_these_moves() {
        let allowed: Vec<_> = AgreementStatus::ALL
            .iter()
            .flat_map(|s| AgreementCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![(
                AgreementStatus::InForce,
                AgreementCommand::Terminate,
                AgreementStatus::Terminated
            )]
        );
    }

    #[test]
    fn an_agreement_ends_once() {
        let ended = date("2026-11-20");
        let status = AgreementStatus::of(Some(ended));
        assert_eq!(status, AgreementStatus::Terminated);
        let refused = status.next(AgreementCommand::Terminate).unwrap_err();
        assert_eq!(
            refused.message_ended_on(ended),
            "the agreement already ended on 2026-11-20"
        );
        assert_eq!(AgreementStatus::of(None), AgreementStatus::InForce);
    }

    fn field_and_code(result: Result<(), DomainError>) -> Option<(String, &'static str)> {
        match result {
            Err(DomainError::Invalid { field, code, .. }) => Some((field, code)),
            _ => None,
        }
    }

    #[test]
    fn a_plan_agreement_is_recorded_with_its_plan_version_not_on_its_own() {
        assert_eq!(
            field_and_code(check_recorded_on_its_own(AgreementKind::PlanAgreement)),
            Some(("kind".into(), "recorded_with_the_plan"))
        );
        for kind in AgreementKind::ALL
            .iter()
            .filter(|k| **k != AgreementKind::PlanAgreement)
        {
            assert_eq!(check_recorded_on_its_own(*kind), Ok(()), "{kind:?}");
        }
    }

    #[test]
    fn an_agreement_refusal_names_the_field_at_fault() {
        let refused = record(Terms {
            form: Some(AgreementForm::Oral),
            ..terms(AgreementKind::ServiceAgreement, None)
        })
        .unwrap_err();
        assert_eq!(
            field_and_code(Err(refused.into())),
            Some(("form".into(), "must_be_written"))
        );
    }

    #[test]
    fn only_the_services_refusal_of_further_help_states_a_reason_code() {
        use ServiceRefusalReason::*;
        assert_eq!(
            check_termination_reason(EndedBy::Client, None, None),
            Ok(())
        );
        assert_eq!(
            field_and_code(check_termination_reason(
                EndedBy::Client,
                Some(BreachOfAgreement),
                None
            )),
            Some(("reason_code".into(), "not_allowed"))
        );
        assert_eq!(
            field_and_code(check_termination_reason(EndedBy::Service, None, None)),
            Some(("reason_code".into(), "required"))
        );
        assert_eq!(
            check_termination_reason(EndedBy::Service, Some(UnlawfulRequest), None),
            Ok(())
        );
    }

    #[test]
    fn an_other_refusal_of_further_help_states_the_reason_in_words() {
        assert_eq!(
            field_and_code(check_termination_reason(
                EndedBy::Service,
                Some(ServiceRefusalReason::Other),
                Some("  ")
            )),
            Some(("reason".into(), "required"))
        );
        assert_eq!(
            check_termination_reason(
                EndedBy::Service,
                Some(ServiceRefusalReason::Other),
                Some("threats to staff")
            ),
            Ok(())
        );
    }

    #[test]
    fn an_agreement_ends_only_while_the_case_is_active_and_only_once() {
        use crate::LifecycleStage;
        assert_eq!(check_may_end(LifecycleStage::Implementation, None), Ok(()));
        assert_eq!(
            check_may_end(LifecycleStage::Closed, None),
            Err(DomainError::Conflict {
                code: "case_not_active",
                message: "the case is closed: agreements end only while it is active".into(),
            })
        );
        assert_eq!(
            check_may_end(LifecycleStage::Planning, Some(date("2026-03-01"))),
            Err(DomainError::Conflict {
                code: "agreement_ended",
                message: "the agreement already ended on 2026-03-01".into(),
            })
        );
    }

    #[test]
    fn an_agreement_is_recorded_as_ended_on_a_past_day_after_it_was_signed() {
        let signed = date("2026-03-01");
        let today = date("2026-03-10");
        assert_eq!(check_termination_date(today, signed, today), Ok(()));
        assert_eq!(
            field_and_code(check_termination_date(date("2026-03-11"), signed, today)),
            Some(("terminated_on".into(), "in_future"))
        );
        assert_eq!(
            field_and_code(check_termination_date(date("2026-02-28"), signed, today)),
            Some(("terminated_on".into(), "before_signed"))
        );
    }
}
