//! Every authorisation, and the one definition of who sees what.
//!
//! - [`Role::may`] is the policy table: which role may take which [`Action`]. Every refusal of a
//!   role (403) is decided there, or by a rule here built on it ("the requester themself, or
//!   whoever may act on others' behalf").
//! - [`sees_case`] and [`sees_client`] say who sees a record at all: the units of the viewer's
//!   subtree, the cases they lead wherever those are filed, and restricted cases only for their key
//!   worker and named staff. The storage layer loads the facts and calls them for one record, and
//!   uses their SQL form (`persistence::visibility`) for lists; a test keeps the two in step.
//!
//! A record the caller cannot see answers 404; a visible one their role may not change, 403.

use crate::code_enum;

code_enum! {
    /// A staff member's role. Roles come from the staff record, never from a token alone.
    pub enum Role {
        IntakeOfficer = "intake_officer",
        CaseManager = "case_manager",
        Specialist = "specialist",
        Supervisor = "supervisor",
        /// Leads case conferences (a later capability).
        Facilitator = "facilitator",
        /// A partner organisation's staff, scoped to its referral tickets (a later capability).
        Provider = "provider",
        /// A ministry registry's service account with narrow scopes (a later capability).
        Registry = "registry",
        /// Reads everything in scope, changes nothing.
        Auditor = "auditor",
        /// Manages staff, units and reference data; no case content.
        Admin = "admin",
    }
}

code_enum! {
    /// What a caller may try to do.
    pub enum Action {
        /// Read clients, reports, cases, their records and history.
        ReadCaseRecords = "read_case_records",
        /// Create or update a client.
        EditClient = "edit_client",
        /// Register an intake report and move it through verification, need recognition,
        /// rejection or attachment.
        HandleReport = "handle_report",
        /// Open a case from a recognised report and assign its key worker.
        OpenCase = "open_case",
        /// Change a case's key worker or urgency; move it through its stages.
        ManageCase = "manage_case",
        /// Record assessments, plans, agreements and evaluations of a case.
        RecordCaseWork = "record_case_work",
        /// Read units and staff (to pick a key worker).
        ReadDirectory = "read_directory",
        /// Create units and staff accounts.
        ManageDirectory = "manage_directory",
        /// Read the audit log, export its head and verify its chain.
        ReadAudit = "read_audit",
        /// Be a case's key worker (checked on whoever is made one, not on the caller).
        LeadCase = "lead_case",
        /// Read who reported a family (the reporter's identity on an intake report).
        ReadReporterIdentity = "read_reporter_identity",
        /// Read a client's sensitive sections, on a ground ([`crate::confidentiality::may_read`]):
        /// everyone who works with clients; auditors read who did, never the content.
        ReadSensitiveSections = "read_sensitive_sections",
        /// Write a client's sensitive sections as the key worker of one of their cases.
        WriteSensitiveSections = "write_sensitive_sections",
        /// Supervise one's units: count as the case team of every client filed there (their
        /// sensitive sections) and see the units' whole work queue, not only one's own.
        SuperviseUnit = "supervise_unit",
        /// Restrict a case to named staff, or lift the restriction.
        RestrictCase = "restrict_case",
        /// Reopen a closed case (the supervisor's decision the reopening guard asks for).
        ReopenCase = "reopen_case",
        /// Approve (or comment on) a plan version where the unit requires it.
        ApprovePlan = "approve_plan",
        /// Approve (or refuse) a closure report where the unit requires it.
        ApproveClosure = "approve_closure",
        /// Record the decision on a child-safety concern.
        DecideSafetyConcern = "decide_safety_concern",
        /// Approve or reject a disclosure of sensitive sections on a legal basis.
        DecideDisclosure = "decide_disclosure",
        /// Request or withdraw the transfer of a case on others' behalf: anyone who manages cases
        /// does so for the cases they lead and the transfers they asked for
        /// ([`may_request_transfer`], [`may_cancel_transfer`]).
        ReassignCase = "reassign_case",
        /// Record staff members' leave, and read anyone's ([`may_read_leave`]).
        ManageLeave = "manage_leave",
        /// Export everything held about a client for them (GDPR art. 15) and set or lift a legal
        /// hold.
        HandleSubjectRights = "handle_subject_rights",
    }
}

impl Role {
    /// The policy table: may this role do that?
    pub const fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match self {
            IntakeOfficer => matches!(
                action,
                ReadCaseRecords
                    | EditClient
                    | HandleReport
                    | ReadDirectory
                    | ReadReporterIdentity
                    | ReadSensitiveSections
            ),
            CaseManager => matches!(
                action,
                ReadCaseRecords
                    | EditClient
                    | HandleReport
                    | OpenCase
                    | ManageCase
                    | RecordCaseWork
                    | ReadDirectory
                    | LeadCase
                    | ReadReporterIdentity
                    | ReadSensitiveSections
                    | WriteSensitiveSections
            ),
            Specialist => matches!(
                action,
                ReadCaseRecords | RecordCaseWork | ReadDirectory | ReadSensitiveSections
            ),
            Supervisor => matches!(
                action,
                ReadCaseRecords
                    | EditClient
                    | HandleReport
                    | OpenCase
                    | ManageCase
                    | RecordCaseWork
                    | ReadDirectory
                    | LeadCase
                    | ReadReporterIdentity
                    | ReadSensitiveSections
                    | WriteSensitiveSections
                    | SuperviseUnit
                    | RestrictCase
                    | ReopenCase
                    | ApprovePlan
                    | ApproveClosure
                    | DecideSafetyConcern
                    | DecideDisclosure
                    | ReassignCase
                    | ManageLeave
                    | HandleSubjectRights
            ),
            Auditor => matches!(action, ReadCaseRecords | ReadDirectory | ReadAudit),
            Admin => matches!(action, ReadDirectory | ManageDirectory | ManageLeave),
            // Partners and facilitators read sensitive sections only on a consent or an approved
            // legal basis naming them (they see no case records yet: later capabilities).
            Facilitator | Provider => matches!(action, ReadDirectory | ReadSensitiveSections),
            Registry => matches!(action, ReadDirectory),
        }
    }
}

impl Action {
    /// The roles the policy table grants this action (to find who may be made a key worker).
    pub fn roles(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| r.may(self))
    }
}

/// Whether any of the roles permits the action.
pub fn roles_may(roles: &[Role], action: Action) -> bool {
    roles.iter().any(|r| r.may(action))
}

/// Who acts: a staff member and the roles on their record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the staff record holds the role. Decisions ask [`Actor::may`] instead, so that the
    /// policy table stays the one place that grants anything.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether any of the actor's roles permits the action.
    pub fn may(&self, action: Action) -> bool {
        roles_may(&self.roles, action)
    }
}

/// Only whoever may reassign cases (a supervisor) names a case's key worker directly; anyone else,
/// the key worker included, asks for a transfer that the new key worker accepts. Otherwise a case
/// manager could make themself the key worker of any case of the unit, and with it the case team
/// that reads the family's sensitive sections.
pub fn may_reassign_directly(actor: &Actor, key_worker_id: &str, proposed: &str) -> bool {
    key_worker_id == proposed || actor.may(Action::ReassignCase)
}

/// A possible duplicate outside the caller's scope names its unit only to those who open cases
/// (case managers, supervisors): they coordinate with the unit already working with the person
/// instead of opening a second case. Others learn only that a match exists elsewhere.
pub fn may_learn_unit_of_match(actor: &Actor) -> bool {
    actor.may(Action::OpenCase)
}

/// A case's closure report is its key worker's task, or a supervisor's (seed 000: the key worker
/// prepares the closing; the supervisor answers for it).
pub fn may_write_closure_report(actor: &Actor, key_worker_id: &str) -> bool {
    actor.staff_id == key_worker_id || actor.may(Action::SuperviseUnit)
}

/// Four eyes: whoever wrote a plan version or a closure report (`authors`) does not approve it.
pub fn check_not_own_work(approver: &str, authors: &[&str]) -> Result<(), crate::DomainError> {
    if authors.contains(&approver) {
        Err(crate::DomainError::conflict(
            "own_work",
            "approved by another supervisor than whoever wrote it (four eyes)",
        ))
    } else {
        Ok(())
    }
}

/// A case's key worker asks for it to be transferred; others only if they may reassign cases.
pub fn may_request_transfer(actor: &Actor, key_worker_id: &str) -> bool {
    actor.staff_id == key_worker_id || actor.may(Action::ReassignCase)
}

/// Whoever asked for a transfer may withdraw it; others only if they may reassign cases.
pub fn may_cancel_transfer(actor: &Actor, requested_by: &str) -> bool {
    actor.staff_id == requested_by || actor.may(Action::ReassignCase)
}

/// A pending transfer is accepted or declined by the staff member it names, and nobody else
/// (not even whoever may reassign cases: they cancel it instead).
pub fn may_decide_transfer(actor: &Actor, to_staff_id: &str) -> bool {
    actor.staff_id == to_staff_id
}

/// A safety concern about a case is raised by whoever records work on cases or manages them.
pub fn may_raise_safety_concern_on_case(actor: &Actor) -> bool {
    actor.may(Action::RecordCaseWork) || actor.may(Action::ManageCase)
}

/// A staff member reads their own leave; others' only if they may manage leave.
pub fn may_read_leave(actor: &Actor, staff_id: &str) -> bool {
    actor.staff_id == staff_id || actor.may(Action::ManageLeave)
}

/// Who looks at records: a staff member and the units they see (their unit and those below it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer<'a> {
    pub staff_id: &'a str,
    pub scope: &'a [String],
}

impl Viewer<'_> {
    /// Whether the unit is in the viewer's subtree.
    pub fn sees_unit(&self, unit_id: &str) -> bool {
        self.scope.iter().any(|u| u == unit_id)
    }
}

/// What visibility needs to know of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseScope<'a> {
    /// Where the case is filed.
    pub unit_id: &'a str,
    pub key_worker_id: &'a str,
    pub restricted: bool,
    /// The staff named on the case; they matter only while it is restricted.
    pub named: &'a [String],
}

/// Who sees a case: its key worker, wherever it is filed (a district department's case led by a
/// worker of one of its services); otherwise the staff of the units above and at its unit, and of
/// a restricted case only those named on it.
pub fn sees_case(viewer: &Viewer, case: &CaseScope) -> bool {
    if case.key_worker_id == viewer.staff_id {
        return true;
    }
    viewer.sees_unit(case.unit_id)
        && (!case.restricted || case.named.iter().any(|s| s == viewer.staff_id))
}

/// Who sees a record that may belong to a case (an intake report, a safety concern, an audit
/// entry, an event): through its case when it has one, so that a restricted case's records follow
/// the restriction on every path; otherwise the staff of the units above and at its unit.
pub fn sees_case_record(viewer: &Viewer, unit_id: &str, case: Option<&CaseScope>) -> bool {
    match case {
        Some(case) => sees_case(viewer, case),
        None => viewer.sees_unit(unit_id),
    }
}

/// What visibility needs to know of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientScope<'a> {
    /// Where the client is filed.
    pub unit_id: &'a str,
    /// The key workers of the client's cases.
    pub key_worker_ids: &'a [String],
}

/// Who sees a client: the staff of the units above and at the client's unit, and the key worker of
/// any of the client's cases (who sees that case wherever it is filed, see [`sees_case`]).
pub fn sees_client(viewer: &Viewer, client: &ClientScope) -> bool {
    viewer.sees_unit(client.unit_id) || client.key_worker_ids.iter().any(|k| k == viewer.staff_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions_of(role: Role) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| role.may(*a))
            .collect()
    }

    fn actor(staff_id: &str, roles: &[Role]) -> Actor {
        Actor {
            staff_id: staff_id.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn an_intake_officer_registers_clients_and_reports() {
        use Action::*;
        assert_eq!(
            actions_of(Role::IntakeOfficer),
            [
                ReadCaseRecords,
                EditClient,
                HandleReport,
                ReadDirectory,
                ReadReporterIdentity,
                ReadSensitiveSections
            ]
        );
    }

    #[test]
    fn a_case_manager_opens_leads_and_records_cases() {
        use Action::*;
        assert_eq!(
            actions_of(Role::CaseManager),
            [
                ReadCaseRecords,
                EditClient,
                HandleReport,
                OpenCase,
                ManageCase,
                RecordCaseWork,
                ReadDirectory,
                LeadCase,
                ReadReporterIdentity,
                ReadSensitiveSections,
                WriteSensitiveSections
            ]
        );
    }

    #[test]
    fn a_specialist_records_case_work_only() {
        use Action::*;
        assert_eq!(
            actions_of(Role::Specialist),
            [
                ReadCaseRecords,
                RecordCaseWork,
                ReadDirectory,
                ReadSensitiveSections
            ]
        );
    }

    #[test]
    fn a_supervisor_does_all_a_case_manager_does_and_decides() {
        use Action::*;
        assert_eq!(
            actions_of(Role::Supervisor),
            [
                ReadCaseRecords,
                EditClient,
                HandleReport,
                OpenCase,
                ManageCase,
                RecordCaseWork,
                ReadDirectory,
                LeadCase,
                ReadReporterIdentity,
                ReadSensitiveSections,
                WriteSensitiveSections,
                SuperviseUnit,
                RestrictCase,
                ReopenCase,
                ApprovePlan,
                ApproveClosure,
                DecideSafetyConcern,
                DecideDisclosure,
                ReassignCase,
                ManageLeave,
                HandleSubjectRights
            ]
        );
    }

    #[test]
    fn an_auditor_reads_but_changes_nothing() {
        use Action::*;
        assert_eq!(
            actions_of(Role::Auditor),
            [ReadCaseRecords, ReadDirectory, ReadAudit]
        );
    }

    #[test]
    fn an_admin_sees_no_case_content() {
        use Action::*;
        assert_eq!(
            actions_of(Role::Admin),
            [ReadDirectory, ManageDirectory, ManageLeave]
        );
    }

    #[test]
    fn facilitators_and_providers_read_the_directory_and_what_they_are_granted() {
        for role in [Role::Facilitator, Role::Provider] {
            assert_eq!(
                actions_of(role),
                [Action::ReadDirectory, Action::ReadSensitiveSections],
                "{role}"
            );
        }
    }

    #[test]
    fn a_registry_reads_the_directory_only() {
        assert_eq!(actions_of(Role::Registry), [Action::ReadDirectory]);
    }

    #[test]
    fn a_record_of_a_restricted_case_follows_the_restriction_not_its_unit() {
        let scope = ["district".to_owned()];
        let viewer = Viewer {
            staff_id: "petro",
            scope: &scope,
        };
        let named = ["iryna".to_owned()];
        let restricted = CaseScope {
            unit_id: "district",
            key_worker_id: "olena",
            restricted: true,
            named: &named,
        };
        assert!(!sees_case_record(&viewer, "district", Some(&restricted)));
        assert!(sees_case_record(&viewer, "district", None));
        let open = CaseScope {
            restricted: false,
            ..restricted
        };
        assert!(sees_case_record(&viewer, "district", Some(&open)));
        // A key worker elsewhere sees their case's records though the unit is not theirs.
        let elsewhere = CaseScope {
            unit_id: "other",
            key_worker_id: "petro",
            ..open
        };
        assert!(sees_case_record(&viewer, "other", Some(&elsewhere)));
        assert!(!sees_case_record(&viewer, "other", None));
    }

    #[test]
    fn a_closure_report_is_the_key_workers_or_a_supervisors_task() {
        let colleague = actor("andrii", &[Role::CaseManager]);
        let key_worker = actor("olena", &[Role::CaseManager]);
        let supervisor = actor("iryna", &[Role::Supervisor]);
        assert!(!may_write_closure_report(&colleague, "olena"));
        assert!(may_write_closure_report(&key_worker, "olena"));
        assert!(may_write_closure_report(&supervisor, "olena"));
    }

    #[test]
    fn nobody_approves_what_they_wrote() {
        assert!(check_not_own_work("iryna", &["olena"]).is_ok());
        assert!(check_not_own_work("iryna", &["olena", "iryna"]).is_err());
    }

    #[test]
    fn only_a_supervisor_names_another_key_worker_directly() {
        let manager = actor("olena", &[Role::CaseManager]);
        let supervisor = actor("iryna", &[Role::Supervisor]);
        // Taking over someone's case, even for oneself, goes through a transfer.
        assert!(!may_reassign_directly(&manager, "petro", "olena"));
        assert!(!may_reassign_directly(&manager, "olena", "petro"));
        // Naming the same key worker again changes nothing.
        assert!(may_reassign_directly(&manager, "petro", "petro"));
        assert!(may_reassign_directly(&supervisor, "petro", "olena"));
        assert!(may_reassign_directly(&supervisor, "petro", "iryna"));
    }

    #[test]
    fn only_case_managers_and_supervisors_open_move_and_lead_cases() {
        for role in Role::ALL {
            let expected = matches!(role, Role::CaseManager | Role::Supervisor);
            assert_eq!(role.may(Action::OpenCase), expected, "{role}");
            assert_eq!(role.may(Action::ManageCase), expected, "{role}");
            assert_eq!(role.may(Action::LeadCase), expected, "{role}");
        }
        assert_eq!(
            Action::LeadCase.roles().collect::<Vec<_>>(),
            [Role::CaseManager, Role::Supervisor]
        );
    }

    #[test]
    fn only_supervisors_decide_disclosures_safety_concerns_restrictions_and_reopenings() {
        use Action::*;
        for action in [
            DecideDisclosure,
            DecideSafetyConcern,
            RestrictCase,
            ReopenCase,
            ApprovePlan,
            ApproveClosure,
            SuperviseUnit,
            ReassignCase,
            HandleSubjectRights,
        ] {
            for role in Role::ALL {
                assert_eq!(
                    role.may(action),
                    *role == Role::Supervisor,
                    "{role} {action}"
                );
            }
        }
    }

    #[test]
    fn only_supervisors_and_admins_manage_leave() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Supervisor | Role::Admin);
            assert_eq!(role.may(Action::ManageLeave), expected, "{role}");
        }
    }

    #[test]
    fn several_roles_permit_what_any_of_them_does() {
        let both = actor("x", &[Role::Specialist, Role::Auditor]);
        assert!(both.may(Action::RecordCaseWork));
        assert!(both.may(Action::ReadAudit));
        assert!(!both.may(Action::ManageCase));
        assert!(!actor("x", &[]).may(Action::ReadDirectory));
    }

    #[test]
    fn a_transfer_is_requested_by_the_key_worker_or_by_whoever_may_reassign_cases() {
        assert!(may_request_transfer(
            &actor("kw", &[Role::CaseManager]),
            "kw"
        ));
        assert!(!may_request_transfer(
            &actor("cm", &[Role::CaseManager]),
            "kw"
        ));
        assert!(may_request_transfer(
            &actor("sv", &[Role::Supervisor]),
            "kw"
        ));
    }

    #[test]
    fn a_transfer_is_cancelled_by_its_requester_or_by_whoever_may_reassign_cases() {
        assert!(may_cancel_transfer(
            &actor("me", &[Role::CaseManager]),
            "me"
        ));
        assert!(!may_cancel_transfer(
            &actor("cm", &[Role::CaseManager]),
            "me"
        ));
        assert!(may_cancel_transfer(&actor("sv", &[Role::Supervisor]), "me"));
    }

    #[test]
    fn a_transfer_is_decided_only_by_the_staff_member_it_names() {
        assert!(may_decide_transfer(
            &actor("to", &[Role::CaseManager]),
            "to"
        ));
        assert!(!may_decide_transfer(
            &actor("sv", &[Role::Supervisor]),
            "to"
        ));
    }

    #[test]
    fn a_safety_concern_on_a_case_is_raised_by_whoever_records_or_manages_case_work() {
        for role in [Role::Specialist, Role::CaseManager, Role::Supervisor] {
            assert!(
                may_raise_safety_concern_on_case(&actor("x", &[role])),
                "{role:?}"
            );
        }
        assert!(!may_raise_safety_concern_on_case(&actor(
            "x",
            &[Role::Auditor]
        )));
    }

    #[test]
    fn leave_is_read_by_the_member_or_by_whoever_manages_leave() {
        assert!(may_read_leave(&actor("me", &[Role::Specialist]), "me"));
        assert!(!may_read_leave(&actor("cm", &[Role::CaseManager]), "me"));
        assert!(may_read_leave(&actor("sv", &[Role::Supervisor]), "me"));
        assert!(may_read_leave(&actor("ad", &[Role::Admin]), "me"));
    }

    /// `district` above `service`; `other` beside them.
    fn scope(units: &[&str]) -> Vec<String> {
        units.iter().map(|u| (*u).to_owned()).collect()
    }

    fn case<'a>(unit_id: &'a str, key_worker_id: &'a str, named: &'a [String]) -> CaseScope<'a> {
        CaseScope {
            unit_id,
            key_worker_id,
            restricted: false,
            named,
        }
    }

    #[test]
    fn the_key_worker_sees_the_case_they_lead_wherever_it_is_filed() {
        let service = scope(&["service"]);
        let kw = Viewer {
            staff_id: "kw",
            scope: &service,
        };
        assert!(sees_case(&kw, &case("district", "kw", &[])));
        assert!(sees_case(
            &kw,
            &CaseScope {
                restricted: true,
                ..case("other", "kw", &[])
            }
        ));
    }

    #[test]
    fn a_units_staff_see_its_unrestricted_cases_and_those_of_the_units_below() {
        let district = scope(&["district", "service"]);
        let staff = Viewer {
            staff_id: "s",
            scope: &district,
        };
        assert!(sees_case(&staff, &case("district", "kw", &[])));
        assert!(sees_case(&staff, &case("service", "kw", &[])));
    }

    #[test]
    fn a_restricted_case_is_seen_only_by_its_key_worker_and_named_staff() {
        let district = scope(&["district", "service"]);
        let named = scope(&["n"]);
        let restricted = CaseScope {
            restricted: true,
            ..case("service", "kw", &named)
        };
        let viewer = |staff_id| Viewer {
            staff_id,
            scope: &district,
        };
        assert!(sees_case(&viewer("kw"), &restricted));
        assert!(sees_case(&viewer("n"), &restricted));
        assert!(!sees_case(&viewer("s"), &restricted));
        // The names count only while the case is restricted; then the unit's staff see it.
        assert!(sees_case(&viewer("s"), &case("service", "kw", &named)));
    }

    #[test]
    fn nobody_outside_the_subtree_sees_a_case_even_when_named_on_it() {
        let service = scope(&["service"]);
        let named = scope(&["n"]);
        let viewer = |staff_id| Viewer {
            staff_id,
            scope: &service,
        };
        assert!(!sees_case(&viewer("s"), &case("district", "kw", &[])));
        assert!(!sees_case(&viewer("s"), &case("other", "kw", &[])));
        let restricted = CaseScope {
            restricted: true,
            ..case("district", "kw", &named)
        };
        assert!(!sees_case(&viewer("n"), &restricted));
    }

    #[test]
    fn a_units_staff_see_its_clients_and_a_key_worker_the_clients_of_their_cases() {
        let service = scope(&["service"]);
        let viewer = |staff_id| Viewer {
            staff_id,
            scope: &service,
        };
        let key_workers = scope(&["kw"]);
        let filed = |unit_id| ClientScope {
            unit_id,
            key_worker_ids: &key_workers,
        };
        assert!(sees_client(&viewer("s"), &filed("service")));
        assert!(sees_client(&viewer("kw"), &filed("district")));
        assert!(!sees_client(&viewer("s"), &filed("district")));
    }
}
