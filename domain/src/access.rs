//! Roles and what each may do. Which records a caller sees (their unit's subtree) is decided by
//! the storage layer's scope; this table decides what a caller may do with a record they see.
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
                ReadCaseRecords | EditClient | HandleReport | ReadDirectory
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
            ),
            Specialist => matches!(action, ReadCaseRecords | RecordCaseWork | ReadDirectory),
            Supervisor => matches!(
                action,
                ReadCaseRecords
                    | EditClient
                    | HandleReport
                    | OpenCase
                    | ManageCase
                    | RecordCaseWork
                    | ReadDirectory
            ),
            Auditor => matches!(action, ReadCaseRecords | ReadDirectory | ReadAudit),
            Admin => matches!(action, ReadDirectory | ManageDirectory),
            Facilitator | Provider | Registry => matches!(action, ReadDirectory),
        }
    }
}

/// Who acts: a staff member and the roles on their record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether any of the actor's roles permits the action.
    pub fn may(&self, action: Action) -> bool {
        self.roles.iter().any(|r| r.may(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auditor_reads_but_changes_nothing() {
        for action in Action::ALL {
            let reads = matches!(
                action,
                Action::ReadCaseRecords | Action::ReadDirectory | Action::ReadAudit
            );
            assert_eq!(Role::Auditor.may(*action), reads, "{action}");
        }
    }

    #[test]
    fn an_admin_sees_no_case_content() {
        assert!(!Role::Admin.may(Action::ReadCaseRecords));
        assert!(Role::Admin.may(Action::ManageDirectory));
    }

    #[test]
    fn only_case_managers_and_supervisors_open_and_move_cases() {
        for role in Role::ALL {
            let expected = matches!(role, Role::CaseManager | Role::Supervisor);
            assert_eq!(role.may(Action::OpenCase), expected, "{role}");
            assert_eq!(role.may(Action::ManageCase), expected, "{role}");
        }
    }
}
