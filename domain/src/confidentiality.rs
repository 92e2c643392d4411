//! Who may read the sensitive parts of a client's record (seed 003's client questionnaire: health,
//! substance use and its treatment, legal situation; violence; identity documents; and who
//! reported the family). All case records are confidential; these sections go beyond the case team
//! only with the client's active consent or a recorded legal basis approved by a supervisor
//! (seeds 000, 003: "where the law provides"). Every such read is logged by the storage layer.
//!
//! A disclosure on a legal basis is requested by the case team and approved or rejected by a
//! supervisor other than the one who asked ([`DisclosureStatus::decide`]); the decision is final.

use chrono::NaiveDate;

use crate::access::{roles_may, Action, Role};
use crate::code_enum;
use crate::error::DomainError;

code_enum! {
    /// A sensitive section, stored apart from the ordinary fields of a client.
    pub enum SensitiveSection {
        Health = "health",
        HivStatus = "hiv_status",
        SubstanceUse = "substance_use",
        Violence = "violence",
        ConflictWithLaw = "conflict_with_law",
        LegalHistory = "legal_history",
        IdentityDocuments = "identity_documents",
        /// Who reported the family (protects the reporter).
        ReporterIdentity = "reporter_identity",
    }
}

code_enum! {
    /// A legal basis for disclosure without consent.
    pub enum LegalBasis {
        /// The duty to inform the child-protection authority when a child is in danger.
        ChildInDanger = "child_in_danger",
        /// A request of the police or the prosecutor under the law.
        LawEnforcementRequest = "law_enforcement_request",
        CourtOrder = "court_order",
        /// To protect someone's life or health when consent cannot be obtained.
        VitalInterest = "vital_interest",
    }
}

code_enum! {
    /// Where a disclosure on a legal basis stands.
    pub enum DisclosureStatus {
        /// Asked by the case team; awaits a supervisor's decision.
        Requested = "requested",
        /// Approved: the recipient reads the sections named.
        Approved = "approved",
        /// Rejected: nothing is disclosed.
        Rejected = "rejected",
    }
}

code_enum! {
    /// A supervisor's decision on a requested disclosure.
    pub enum DisclosureCommand {
        Approve = "approve",
        Reject = "reject",
    }
}

/// Why a disclosure cannot be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureRefusal {
    /// It is decided already: a decision is final (a new request is made instead).
    AlreadyDecided(DisclosureStatus),
    /// The supervisor who asked does not decide their own request (four eyes).
    OwnRequest,
}

impl DisclosureRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            DisclosureRefusal::AlreadyDecided(_) => "disclosure_decided",
            DisclosureRefusal::OwnRequest => "own_request",
        }
    }

    pub fn message(self) -> String {
        match self {
            DisclosureRefusal::AlreadyDecided(status) => {
                format!("the disclosure is already {status}")
            }
            DisclosureRefusal::OwnRequest => {
                "a disclosure is decided by another supervisor than the one who asked".to_owned()
            }
        }
    }
}

crate::error::conflict_from!(DisclosureRefusal);

impl DisclosureStatus {
    /// The status after `command`, or why it is refused.
    pub fn next(self, command: DisclosureCommand) -> Result<DisclosureStatus, DisclosureRefusal> {
        use DisclosureCommand::*;
        use DisclosureStatus::*;
        match (self, command) {
            (Requested, Approve) => Ok(Approved),
            (Requested, Reject) => Ok(Rejected),
            (Approved | Rejected, Approve | Reject) => Err(DisclosureRefusal::AlreadyDecided(self)),
        }
    }

    /// Decides a disclosure: [`Self::next`], by someone other than who asked for it.
    pub fn decide(
        self,
        command: DisclosureCommand,
        decided_by_requester: bool,
    ) -> Result<DisclosureStatus, DisclosureRefusal> {
        let next = self.next(command)?;
        if decided_by_requester {
            return Err(DisclosureRefusal::OwnRequest);
        }
        Ok(next)
    }
}

/// How the caller stands to the client whose section is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Key worker of one of the client's cases.
    KeyWorker,
    /// A supervisor of the client's unit (their unit is at or above it).
    Supervisor,
    /// Anyone else who sees the client's record.
    Other,
}

/// How the viewer stands to a client, from the client's cases: the key worker of one of them; a
/// supervisor of the client's unit who sees every one of them (a restricted case not naming them
/// makes them an outsider to the family's sensitive sections, as to the case); anyone else.
pub fn relationship(
    viewer: &crate::access::Viewer,
    supervises: bool,
    client_unit_id: &str,
    cases: &[crate::access::CaseScope],
) -> Relationship {
    if cases.iter().any(|c| c.key_worker_id == viewer.staff_id) {
        Relationship::KeyWorker
    } else if supervises
        && viewer.sees_unit(client_unit_id)
        && cases.iter().all(|c| crate::access::sees_case(viewer, c))
    {
        Relationship::Supervisor
    } else {
        Relationship::Other
    }
}

/// A consent as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTerms {
    pub sections: Vec<SensitiveSection>,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
}

impl ConsentTerms {
    /// In force on `today`: given, not expired, not revoked.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.given_on <= today
            && self.expires_on.is_none_or(|d| today <= d)
            && self.revoked_on.is_none_or(|d| today < d)
    }

    /// Whether the consent lets its recipient read the section today. Never the reporter's
    /// identity, whatever a stored consent says ([`check_consent_sections`]).
    pub fn covers(&self, section: SensitiveSection, today: NaiveDate) -> bool {
        section.consentable() && self.is_active(today) && self.sections.contains(&section)
    }
}

/// Why a section may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The case team: the key worker, or a supervisor of the unit.
    CaseTeam,
    /// The client's active consent naming the reader and the section.
    Consent,
    /// A disclosure on a legal basis, approved by a supervisor.
    LegalBasis(LegalBasis),
}

/// Whether a caller may read a section, and on what ground. Auditors and admins never read
/// content (auditors read the log of who did); everyone else outside the case team needs a
/// consent or an approved legal basis naming them.
pub fn may_read(
    roles: &[Role],
    relationship: Relationship,
    section: SensitiveSection,
    consents: &[ConsentTerms],
    approved_bases: &[(LegalBasis, Vec<SensitiveSection>)],
    today: NaiveDate,
) -> Option<Grant> {
    if !roles_may(roles, Action::ReadSensitiveSections) {
        return None;
    }
    let team = match relationship {
        Relationship::KeyWorker => true,
        Relationship::Supervisor => roles_may(roles, Action::SuperviseUnit),
        Relationship::Other => false,
    };
    if team {
        return Some(Grant::CaseTeam);
    }
    if consents.iter().any(|c| c.covers(section, today)) {
        return Some(Grant::Consent);
    }
    approved_bases
        .iter()
        .find(|(_, sections)| sections.contains(&section))
        .map(|(basis, _)| Grant::LegalBasis(*basis))
}

/// Who may write a section: the case team only.
pub fn may_write(roles: &[Role], relationship: Relationship) -> bool {
    match relationship {
        Relationship::KeyWorker => roles_may(roles, Action::WriteSensitiveSections),
        Relationship::Supervisor => roles_may(roles, Action::SuperviseUnit),
        Relationship::Other => false,
    }
}

impl SensitiveSection {
    /// Whether the client's consent can open the section to others. The reporter's identity
    /// protects the reporter: it is not the client's to waive (only a supervisor-approved legal
    /// basis discloses it).
    pub const fn consentable(self) -> bool {
        !matches!(self, SensitiveSection::ReporterIdentity)
    }
}

/// A consent names only sections the client may open to others (`sections[i]` at fault).
pub fn check_consent_sections(sections: &[SensitiveSection]) -> Result<(), DomainError> {
    match sections.iter().position(|s| !s.consentable()) {
        Some(i) => Err(DomainError::invalid(
            format!("sections[{i}]"),
            "not_the_clients_to_waive",
            "the reporter's identity protects the reporter; the client's consent cannot disclose it",
        )),
        None => Ok(()),
    }
}

/// A consent runs forwards: it does not expire before it was given.
pub fn check_consent_period(
    given_on: NaiveDate,
    expires_on: Option<NaiveDate>,
) -> Result<(), DomainError> {
    if expires_on.is_some_and(|e| e < given_on) {
        return Err(DomainError::Invalid {
            field: "expires_on".into(),
            code: "before_given_on",
            message: "the consent would expire before it was given".into(),
        });
    }
    Ok(())
}

/// A staff recipient is a staff member in the caller's units (`in_callers_units`: the fact).
pub fn check_staff_recipient(in_callers_units: bool) -> Result<(), DomainError> {
    if in_callers_units {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field: "recipient_staff_id".into(),
            code: "unknown_staff",
            message: "no staff member with this id in your units".into(),
        })
    }
}

/// A consent is revoked once: a revoked one (`revoked_on`) stays revoked.
pub fn may_revoke(revoked_on: Option<NaiveDate>) -> Result<(), DomainError> {
    match revoked_on {
        None => Ok(()),
        Some(_) => Err(DomainError::Conflict {
            code: "already_revoked",
            message: "the consent is already revoked".into(),
        }),
    }
}

/// A case restricted to named staff names the caller too (so nobody locks a case away from
/// everyone who could lift the restriction; only supervisors restrict), and each name is an
/// active staff member in the caller's units (`active_in_scope`: the fact). `named` is sorted
/// and without repeats, as the field paths count in it.
pub fn check_restriction(
    caller_id: &str,
    named: &[String],
    active_in_scope: impl Fn(&str) -> bool,
) -> Result<(), DomainError> {
    if !named.iter().any(|id| id == caller_id) {
        return Err(DomainError::Invalid {
            field: "named_staff".into(),
            code: "without_caller",
            message: "name yourself too, or you would lose sight of the case".into(),
        });
    }
    for (i, id) in named.iter().enumerate() {
        if !active_in_scope(id) {
            return Err(DomainError::Invalid {
                field: format!("named_staff[{i}]"),
                code: "unknown_staff",
                message: "no active staff member with this id in your units".into(),
            });
        }
    }
    Ok(())
}

/// An export for one member of a family names a member of the client's family (`is_member`).
pub fn check_export_member(
    member_id: Option<&str>,
    is_member: impl Fn(&str) -> bool,
) -> Result<(), DomainError> {
    match member_id {
        Some(id) if !is_member(id) => Err(DomainError::Invalid {
            field: "member_id".into(),
            code: "unknown_member",
            message: "no member with this id in the client's family".into(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_supervisor_not_named_on_a_restricted_case_of_the_client_is_outside_the_case_team() {
        use crate::access::{CaseScope, Viewer};
        let scope = ["district".to_owned()];
        let viewer = Viewer {
            staff_id: "petro",
            scope: &scope,
        };
        let named = ["iryna".to_owned()];
        let open = CaseScope {
            unit_id: "district",
            key_worker_id: "olena",
            restricted: false,
            named: &[],
        };
        let restricted = CaseScope {
            restricted: true,
            named: &named,
            ..open
        };
        assert_eq!(
            relationship(&viewer, true, "district", &[open]),
            Relationship::Supervisor
        );
        assert_eq!(
            relationship(&viewer, true, "district", &[open, restricted]),
            Relationship::Other
        );
        assert_eq!(
            relationship(&viewer, false, "district", &[open]),
            Relationship::Other
        );
        let leads = CaseScope {
            key_worker_id: "petro",
            ..open
        };
        assert_eq!(
            relationship(&viewer, false, "elsewhere", &[leads, restricted]),
            Relationship::KeyWorker
        );
        let named_too = Viewer {
            staff_id: "iryna",
            scope: &scope,
        };
        assert_eq!(
            relationship(&named_too, true, "district", &[open, restricted]),
            Relationship::Supervisor
        );
    }

    #[test]
    fn a_consent_never_covers_the_reporters_identity() {
        assert!(check_consent_sections(&[SensitiveSection::Health]).is_ok());
        let refused =
            check_consent_sections(&[SensitiveSection::Health, SensitiveSection::ReporterIdentity]);
        assert!(
            matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "sections[1]"),
            "{refused:?}"
        );
        // A consent stored before the rule still does not open it.
        let old = consent(&[SensitiveSection::ReporterIdentity], None, None);
        assert!(!old.covers(SensitiveSection::ReporterIdentity, day(10)));
    }

    fn consent(
        sections: &[SensitiveSection],
        expires: Option<u32>,
        revoked: Option<u32>,
    ) -> ConsentTerms {
        ConsentTerms {
            sections: sections.to_vec(),
            given_on: day(1),
            expires_on: expires.map(day),
            revoked_on: revoked.map(day),
        }
    }

    #[test]
    fn the_disclosure_machine_allows_exactly_these_moves() {
        use DisclosureCommand::*;
        use DisclosureStatus::*;
        let allowed: Vec<_> = DisclosureStatus::ALL
            .iter()
            .flat_map(|s| DisclosureCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Requested, Approve, Approved),
                (Requested, Reject, Rejected)
            ]
        );
    }

    #[test]
    fn a_decided_disclosure_is_final() {
        use DisclosureStatus::*;
        for status in [Approved, Rejected] {
            for command in DisclosureCommand::ALL {
                assert_eq!(
                    status.decide(*command, false),
                    Err(DisclosureRefusal::AlreadyDecided(status))
                );
            }
        }
        assert_eq!(
            Approved
                .next(DisclosureCommand::Reject)
                .unwrap_err()
                .message(),
            "the disclosure is already approved"
        );
    }

    #[test]
    fn a_disclosure_is_decided_by_another_supervisor_than_the_one_who_asked() {
        use DisclosureStatus::*;
        assert_eq!(
            Requested.decide(DisclosureCommand::Approve, true),
            Err(DisclosureRefusal::OwnRequest)
        );
        assert_eq!(
            Requested.decide(DisclosureCommand::Approve, false),
            Ok(Approved)
        );
        assert_eq!(
            Requested.decide(DisclosureCommand::Reject, false),
            Ok(Rejected)
        );
        // A decided disclosure says so first, whoever asks.
        assert_eq!(
            Rejected.decide(DisclosureCommand::Approve, true),
            Err(DisclosureRefusal::AlreadyDecided(Rejected))
        );
    }

    #[test]
    fn the_key_worker_and_the_units_supervisor_read_every_section() {
        for section in SensitiveSection::ALL {
            assert_eq!(
                may_read(
                    &[Role::CaseManager],
                    Relationship::KeyWorker,
                    *section,
                    &[],
                    &[],
                    day(10)
                ),
                Some(Grant::CaseTeam)
            );
            assert_eq!(
                may_read(
                    &[Role::Supervisor],
                    Relationship::Supervisor,
                    *section,
                    &[],
                    &[],
                    day(10)
                ),
                Some(Grant::CaseTeam)
            );
        }
    }

    #[test]
    fn auditors_and_admins_never_read_content_even_with_consent() {
        let c = consent(SensitiveSection::ALL, None, None);
        for role in [Role::Auditor, Role::Admin, Role::Registry] {
            assert_eq!(
                may_read(
                    &[role],
                    Relationship::Other,
                    SensitiveSection::Health,
                    std::slice::from_ref(&c),
                    &[],
                    day(10)
                ),
                None
            );
        }
    }

    #[test]
    fn outside_the_team_a_consent_must_cover_the_section_and_be_in_force() {
        let health = consent(&[SensitiveSection::Health], Some(20), None);
        let read = |c: &ConsentTerms, s, d| {
            may_read(
                &[Role::Specialist],
                Relationship::Other,
                s,
                std::slice::from_ref(c),
                &[],
                day(d),
            )
        };
        assert_eq!(
            read(&health, SensitiveSection::Health, 10),
            Some(Grant::Consent)
        );
        assert_eq!(read(&health, SensitiveSection::SubstanceUse, 10), None);
        assert_eq!(read(&health, SensitiveSection::Health, 21), None, "expired");
        let revoked = consent(&[SensitiveSection::Health], None, Some(12));
        assert_eq!(
            read(&revoked, SensitiveSection::Health, 11),
            Some(Grant::Consent)
        );
        assert_eq!(
            read(&revoked, SensitiveSection::Health, 12),
            None,
            "revoked from that day"
        );
    }

    #[test]
    fn an_approved_legal_basis_opens_only_its_sections() {
        let bases = [(LegalBasis::ChildInDanger, vec![SensitiveSection::Violence])];
        assert_eq!(
            may_read(
                &[Role::Specialist],
                Relationship::Other,
                SensitiveSection::Violence,
                &[],
                &bases,
                day(10)
            ),
            Some(Grant::LegalBasis(LegalBasis::ChildInDanger))
        );
        assert_eq!(
            may_read(
                &[Role::Specialist],
                Relationship::Other,
                SensitiveSection::Health,
                &[],
                &bases,
                day(10)
            ),
            None
        );
    }

    #[test]
    fn a_supervisor_relationship_needs_the_supervisor_role() {
        assert_eq!(
            may_read(
                &[Role::Specialist],
                Relationship::Supervisor,
                SensitiveSection::Health,
                &[],
                &[],
                day(10)
            ),
            None
        );
        assert!(!may_write(&[Role::Specialist], Relationship::Supervisor));
        assert!(may_write(&[Role::CaseManager], Relationship::KeyWorker));
        assert!(!may_write(&[Role::CaseManager], Relationship::Other));
    }

    #[test]
    fn a_consent_cannot_expire_before_it_is_given() {
        assert_eq!(check_consent_period(day(2), None), Ok(()));
        assert_eq!(check_consent_period(day(2), Some(day(2))), Ok(()));
        let err = check_consent_period(day(2), Some(day(1))).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Invalid { ref field, code: "before_given_on", .. } if field == "expires_on"
        ));
    }

    #[test]
    fn a_staff_recipient_is_in_the_callers_units() {
        assert_eq!(check_staff_recipient(true), Ok(()));
        assert_eq!(
            check_staff_recipient(false).unwrap_err().code(),
            "unknown_staff"
        );
    }

    #[test]
    fn a_revoked_consent_is_not_revoked_again() {
        assert_eq!(may_revoke(None), Ok(()));
        assert_eq!(
            may_revoke(Some(day(3))).unwrap_err().message(),
            "the consent is already revoked"
        );
    }

    #[test]
    fn a_restricted_case_names_the_caller_and_only_active_staff_in_scope() {
        let named = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let active = |id: &str| id != "gone";
        assert_eq!(
            check_restriction("sup", &named(&["kw", "sup"]), active),
            Ok(())
        );
        let err = check_restriction("sup", &named(&["kw"]), active).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Invalid { ref field, code: "without_caller", .. } if field == "named_staff"
        ));
        let err = check_restriction("sup", &named(&["gone", "sup"]), active).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Invalid { ref field, code: "unknown_staff", .. } if field == "named_staff[0]"
        ));
    }

    #[test]
    fn an_export_for_one_member_names_a_member_of_the_family() {
        let is_member = |id: &str| id == "m1";
        assert_eq!(check_export_member(None, is_member), Ok(()));
        assert_eq!(check_export_member(Some("m1"), is_member), Ok(()));
        let err = check_export_member(Some("m9"), is_member).unwrap_err();
        assert!(matches!(
            err,
            DomainError::Invalid { ref field, code: "unknown_member", .. } if field == "member_id"
        ));
    }
}
