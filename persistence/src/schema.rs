//! The one diesel schema shared by SQLite and PostgreSQL; it mirrors both migration trees, and a
//! test reads every table back through it on each backend.

diesel::table! {
    units (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        unit_id -> Text,
        full_name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        password_hash -> Nullable<Text>,
        tokens_valid_from -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_roles (staff_id, role) {
        staff_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        unit_id -> Text,
        kind -> Text,
        display_name -> Text,
        date_of_birth -> Nullable<Date>,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        district -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
        legal_hold -> Bool,
        legal_hold_reason -> Nullable<Text>,
        pseudonymised_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    client_members (id) {
        id -> Text,
        client_id -> Text,
        unit_id -> Text,
        position -> Integer,
        full_name -> Text,
        relation -> Text,
        date_of_birth -> Nullable<Date>,
        sex -> Nullable<Text>,
        is_child -> Bool,
        name_key -> Text,
        school_name -> Nullable<Text>,
        school_class -> Nullable<Text>,
    }
}

diesel::table! {
    intake_reports (id) {
        id -> Text,
        unit_id -> Text,
        client_id -> Nullable<Text>,
        source -> Text,
        urgency -> Text,
        description -> Text,
        reporter -> Nullable<Text>,
        received_at -> Timestamp,
        stage -> Text,
        rejection_reason -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        case_id -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        unit_id -> Text,
        client_id -> Text,
        report_id -> Text,
        lifecycle_stage -> Text,
        work_model -> Text,
        model_stage -> Text,
        urgency -> Text,
        key_worker_id -> Text,
        cycle -> Integer,
        closure_reason -> Nullable<Text>,
        opened_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        restricted -> Bool,
        assessment_due_at -> Nullable<Timestamp>,
        reassessment_since -> Nullable<Timestamp>,
        replanning_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        unit_id -> Text,
        case_id -> Nullable<Text>,
        report_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        action -> Text,
        machine -> Nullable<Text>,
        move_kind -> Nullable<Text>,
        from_stage -> Nullable<Text>,
        to_stage -> Nullable<Text>,
        reason_code -> Nullable<Text>,
        reason -> Nullable<Text>,
        details -> Nullable<Text>,
        actor_id -> Text,
        at -> Timestamp,
        schema_version -> Integer,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        kind -> Text,
        summary -> Text,
        needs -> Text,
        strengths -> Text,
        risks -> Text,
        status -> Text,
        completed_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        version -> BigInt,
        conclusions -> Text,
        recommendations -> Text,
        child_view -> Nullable<Text>,
        child_view_method -> Nullable<Text>,
        child_view_on -> Nullable<Date>,
        corrects -> Nullable<Text>,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        version_no -> Integer,
        period_start -> Date,
        period_end -> Date,
        next_review_on -> Date,
        status -> Text,
        agreed_on -> Nullable<Date>,
        agreed_by -> Nullable<Text>,
        agreement_method -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        agreed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_goals (id) {
        id -> Text,
        plan_id -> Text,
        unit_id -> Text,
        position -> Integer,
        description -> Text,
        expected_result -> Text,
        deadline -> Nullable<Date>,
        stable_id -> Nullable<Text>,
        term -> Nullable<Text>,
        priority -> Nullable<Text>,
    }
}

diesel::table! {
    plan_actions (id) {
        id -> Text,
        plan_id -> Text,
        unit_id -> Text,
        goal_id -> Nullable<Text>,
        position -> Integer,
        description -> Text,
        responsible -> Text,
        due_on -> Nullable<Date>,
        stable_id -> Nullable<Text>,
        responsible_kind -> Nullable<Text>,
        responsible_ref -> Nullable<Text>,
        frequency -> Nullable<Text>,
        specialists -> Text,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        kind -> Text,
        signed_on -> Date,
        signed_by_client -> Bool,
        signed_by_service -> Bool,
        parties -> Text,
        notes -> Nullable<Text>,
        valid_until -> Nullable<Date>,
        terminated_on -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        plan_id -> Nullable<Text>,
        method -> Nullable<Text>,
        signed_for_child_by -> Nullable<Text>,
        signer_relation -> Nullable<Text>,
        form -> Text,
        witnessed_by -> Nullable<Text>,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        kind -> Text,
        summary -> Text,
        outcome -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    units,
    staff,
    staff_roles,
    clients,
    client_members,
    intake_reports,
    cases,
    events,
    assessments,
    plans,
    plan_goals,
    plan_actions,
    agreements,
    evaluations,
);

diesel::table! {
    audit_entries (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        unit_id -> Text,
        case_id -> Nullable<Text>,
        purpose -> Nullable<Text>,
        legal_basis -> Nullable<Text>,
        payload_hash -> Text,
        prev_hash -> Text,
        entry_hash -> Text,
    }
}

diesel::table! {
    audit_payloads (seq) {
        seq -> BigInt,
        payload -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(audit_entries, audit_payloads);

diesel::table! {
    client_sensitive (id) {
        id -> Text,
        client_id -> Text,
        unit_id -> Text,
        section -> Text,
        content -> Text,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        client_id -> Text,
        unit_id -> Text,
        purpose -> Text,
        recipient_staff_id -> Nullable<Text>,
        recipient_organisation -> Nullable<Text>,
        sections -> Text,
        given_on -> Date,
        expires_on -> Nullable<Date>,
        revoked_on -> Nullable<Date>,
        revocation_reason -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    disclosures (id) {
        id -> Text,
        client_id -> Text,
        unit_id -> Text,
        recipient_staff_id -> Nullable<Text>,
        recipient_organisation -> Nullable<Text>,
        sections -> Text,
        legal_basis -> Text,
        purpose -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    login_attempts (staff_id, address) {
        staff_id -> Text,
        address -> Text,
        failures -> Integer,
        last_failure_at -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_setup_tokens (id) {
        id -> Text,
        staff_id -> Text,
        token_hash -> Text,
        issued_by -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        awaiting_second_admin -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        staff_id -> Text,
        token_hash -> Text,
        family -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    classifier_entries (list, code) {
        list -> Text,
        code -> Text,
        label_en -> Text,
        label_uk -> Text,
        label_ru -> Text,
        label_cs -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_access (case_id, staff_id) {
        case_id -> Text,
        staff_id -> Text,
        unit_id -> Text,
        granted_by -> Text,
        granted_at -> Timestamp,
    }
}

// Visibility asks, inside a query on `cases`, whether the caller is named on the case.
diesel::allow_tables_to_appear_in_same_query!(cases, case_access);

diesel::table! {
    client_name_words (owner_id, word) {
        owner_id -> Text,
        word -> Text,
        client_id -> Text,
        member_id -> Nullable<Text>,
        unit_id -> Text,
    }
}

diesel::table! {
    safety_concerns (id) {
        id -> Text,
        unit_id -> Text,
        report_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        description -> Text,
        raised_by -> Text,
        raised_at -> Timestamp,
        decision_due_at -> Timestamp,
        decision -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        contact_type -> Text,
        status -> Text,
        contact_at -> Timestamp,
        scheduled_at -> Nullable<Timestamp>,
        place -> Nullable<Text>,
        purpose -> Nullable<Text>,
        occurred_at -> Nullable<Timestamp>,
        duration_minutes -> Nullable<Integer>,
        discussed -> Nullable<Text>,
        agreements -> Nullable<Text>,
        child_seen -> Nullable<Bool>,
        child_heard -> Nullable<Bool>,
        child_note -> Nullable<Text>,
        next_steps -> Nullable<Text>,
        outcome_reason -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contact_participants (contact_id, position) {
        contact_id -> Text,
        position -> Integer,
        unit_id -> Text,
        kind -> Text,
        member_id -> Nullable<Text>,
        staff_id -> Nullable<Text>,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    contact_addenda (id) {
        id -> Text,
        contact_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        text -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    success_stories (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        title -> Text,
        story -> Text,
        written_by -> Text,
        written_on -> Date,
        consent_given_on -> Nullable<Date>,
        consent_given_by -> Nullable<Text>,
        consent_scope -> Nullable<Text>,
        consent_withdrawn_on -> Nullable<Date>,
        withdrawal_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_leave (id) {
        id -> Text,
        staff_id -> Text,
        starts_on -> Date,
        ends_on -> Date,
        reason -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    case_transfers (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        from_staff_id -> Text,
        to_staff_id -> Text,
        status -> Text,
        reason -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    closure_reports (id) {
        id -> Text,
        case_id -> Text,
        unit_id -> Text,
        cycle -> Integer,
        closure_reason -> Text,
        satisfaction_score -> Nullable<Integer>,
        satisfaction_comment -> Nullable<Text>,
        recommendations -> Nullable<Text>,
        informed_on -> Nullable<Date>,
        informed_how -> Nullable<Text>,
        informed_by -> Nullable<Text>,
        informed_note -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,    not_informed_reason -> Nullable<Text>,
    }
}

diesel::table! {
    closure_goal_evaluations (report_id, position) {
        report_id -> Text,
        position -> Integer,
        unit_id -> Text,
        goal_id -> Text,
        outcome -> Text,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    closure_opinions (report_id, position) {
        report_id -> Text,
        position -> Integer,
        unit_id -> Text,
        source -> Text,
        staff_id -> Nullable<Text>,
        author -> Nullable<Text>,
        text -> Text,
    }
}

diesel::table! {
    agreement_terminations (id) {
        id -> Text,
        agreement_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        ended_by -> Text,
        reason_code -> Nullable<Text>,
        reason -> Nullable<Text>,
        terminated_on -> Date,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    client_categories (client_id, code) {
        client_id -> Text,
        code -> Text,
        unit_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    client_phones (client_id, position) {
        client_id -> Text,
        position -> Integer,
        unit_id -> Text,
        number -> Text,
        kind -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    client_questionnaires (client_id) {
        client_id -> Text,
        unit_id -> Text,
        content -> Text,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

// Casework depth (migration 000012).

diesel::table! {
    assessment_domains (id) {
        id -> Text,
        assessment_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        position -> Integer,
        domain -> Text,
        need_level -> Text,
        strengths -> Text,
        risks -> Text,
        resources -> Text,
    }
}

diesel::table! {
    plan_action_execution (action_id) {
        action_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        status -> Text,
        done_on -> Nullable<Date>,
        result -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_goal_progress (goal_id) {
        goal_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        status -> Text,
        progress -> Integer,
        note -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_specialist_agreements (id) {
        id -> Text,
        plan_id -> Text,
        action_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        staff_id -> Text,
        agreed -> Bool,
        comment -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    plan_approvals (id) {
        id -> Text,
        plan_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        decision -> Text,
        comment -> Nullable<Text>,
        supervisor_id -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    plan_services (id) {
        id -> Text,
        plan_id -> Text,
        unit_id -> Text,
        position -> Integer,
        service -> Text,
        provider_kind -> Nullable<Text>,
        provider -> Text,
        frequency -> Nullable<Text>,
    }
}

diesel::table! {
    unit_settings (unit_id) {
        unit_id -> Text,
        requires_plan_approval -> Bool,
        requires_closure_approval -> Bool,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    closure_approvals (id) {
        id -> Text,
        report_id -> Text,
        case_id -> Text,
        unit_id -> Text,
        report_version -> BigInt,
        approved -> Bool,
        comment -> Nullable<Text>,
        supervisor_id -> Text,
        recorded_at -> Timestamp,
    }
}

// Records that may belong to a case are filtered through the cases the caller sees
// (`visibility::visible_case_records!`), as subqueries on these tables.
diesel::allow_tables_to_appear_in_same_query!(audit_entries, cases);
diesel::allow_tables_to_appear_in_same_query!(audit_entries, case_access);
diesel::allow_tables_to_appear_in_same_query!(safety_concerns, cases);
diesel::allow_tables_to_appear_in_same_query!(safety_concerns, case_access);
diesel::allow_tables_to_appear_in_same_query!(intake_reports, case_access);

diesel::table! {
    staff_role_grants (id) {
        id -> Text,
        staff_id -> Text,
        unit_id -> Text,
        roles -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    audit_queue (id) {
        id -> BigInt,
        entry_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        unit_id -> Text,
        case_id -> Nullable<Text>,
        purpose -> Nullable<Text>,
        legal_basis -> Nullable<Text>,
        payload -> Text,
    }
}

diesel::table! {
    audit_tree_nodes (level, idx) {
        level -> Integer,
        idx -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    audit_tree (id) {
        id -> Integer,
        size -> BigInt,
        root_hash -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_checkpoints (tree_size) {
        tree_size -> BigInt,
        root_hash -> Text,
        at -> Timestamp,
        note -> Text,
        max_delay_ms -> BigInt,
    }
}

diesel::table! {
    audit_sequencer (id) {
        id -> Integer,
        holder -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    directory_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}
