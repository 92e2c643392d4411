//! The demo `make run` loads into an empty database: a district department of Odesa's city centre
//! of social services (seed 002), its staff, a family with children, and reports and cases in
//! several stages, all made through the same store functions the API calls, so every record has
//! its events.

use chrono::{Duration, NaiveDate};
use opora_domain::{
    AgreementKind, ClientKind, FamilyRelation, LifecycleStage, ModelStage, Role, Sex, Stage,
    TransitionRequest, UnitKind, Urgency, WorkModel,
};
use opora_persistence::cases::CaseTransition;
use opora_persistence::casework::{
    NewAction, NewAgreement, NewAssessment, NewGoal, NewPlan, PlanAgreement,
};
use opora_persistence::clients::{MemberInput, NewClient};
use opora_persistence::directory::{NewUnit, StaffUpsert};
use opora_persistence::reports::{NewReport, ReportTransition};
use opora_persistence::{Caller, Store, StoreError, StoreResult};

pub const SUPERVISOR: &str = "demo-supervisor";
pub const CASE_MANAGER: &str = "demo-case-manager";

/// What the demo holds, for the start-up banner.
#[derive(Debug, Clone)]
pub struct Demo {
    pub supervisor_id: String,
    pub summary: String,
}

/// Loads the demo unless the database already has units (then only reports what is there).
pub fn load(store: &Store) -> StoreResult<Demo> {
    if store.root_unit()?.is_some() {
        return Ok(Demo {
            supervisor_id: SUPERVISOR.into(),
            summary: "the database already has data; the demo was not loaded again".into(),
        });
    }
    let department = store.create_unit(NewUnit {
        parent_id: None,
        kind: UnitKind::Department,
        name: "Department of Social Policy, Odesa".into(),
    })?;
    let centre = store.create_unit(NewUnit {
        parent_id: Some(department.id),
        kind: UnitKind::Centre,
        name: "Odesa City Centre of Social Services".into(),
    })?;
    let district = store.create_unit(NewUnit {
        parent_id: Some(centre.id.clone()),
        kind: UnitKind::DistrictDepartment,
        name: "Suvorovskyi district social-work department".into(),
    })?;
    let family_support = store.create_unit(NewUnit {
        parent_id: Some(district.id.clone()),
        kind: UnitKind::Service,
        name: "Family support service".into(),
    })?;

    let staff = [
        (
            SUPERVISOR,
            "Iryna Bondarenko",
            vec![Role::Supervisor],
            &district.id,
        ),
        (
            CASE_MANAGER,
            "Olena Kovalenko",
            vec![Role::CaseManager],
            &family_support.id,
        ),
        (
            "demo-case-manager-2",
            "Andrii Melnyk",
            vec![Role::CaseManager],
            &family_support.id,
        ),
        (
            "demo-intake-officer",
            "Natalia Tkachenko",
            vec![Role::IntakeOfficer],
            &district.id,
        ),
        (
            "demo-specialist",
            "Serhii Lysenko (psychologist)",
            vec![Role::Specialist],
            &family_support.id,
        ),
        (
            "demo-auditor",
            "Maria Horbunova",
            vec![Role::Auditor],
            &centre.id,
        ),
        (
            "demo-admin",
            "System administrator",
            vec![Role::Admin],
            &centre.id,
        ),
    ];
    for (id, name, roles, unit) in staff {
        store.upsert_staff(StaffUpsert {
            id: id.into(),
            full_name: Some(name.into()),
            roles,
            unit_id: Some(unit.clone()),
            active: true,
        })?;
    }
    let supervisor = caller(store, SUPERVISOR)?;

    let family = store.create_client(
        &supervisor,
        NewClient {
            unit_id: Some(family_support.id.clone()),
            kind: ClientKind::Family,
            display_name: "Shevchenko family".into(),
            date_of_birth: None,
            sex: None,
            phone: Some("+380 48 700 00 01".into()),
            address: Some("vul. Dnipropetrovska 12, Odesa".into()),
            district: Some("Suvorovskyi".into()),
            members: vec![
                member(
                    "Oksana Shevchenko",
                    FamilyRelation::Head,
                    (1988, 3, 14),
                    Sex::Female,
                    false,
                ),
                member(
                    "Daryna Shevchenko",
                    FamilyRelation::Child,
                    (2015, 9, 1),
                    Sex::Female,
                    true,
                ),
                member(
                    "Mykola Shevchenko",
                    FamilyRelation::Child,
                    (2019, 5, 23),
                    Sex::Male,
                    true,
                ),
            ],
        },
    )?;
    let person = store.create_client(
        &supervisor,
        NewClient {
            unit_id: Some(family_support.id.clone()),
            kind: ClientKind::Person,
            display_name: "Petro Kravchenko".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2007, 2, 2),
            sex: Some(Sex::Male),
            phone: None,
            address: Some("vul. Balkivska 40, Odesa".into()),
            district: Some("Suvorovskyi".into()),
            members: Vec::new(),
        },
    )?;

    // A fresh hotline report, still at intake.
    store.create_report(&supervisor, NewReport {
        unit_id: Some(district.id.clone()),
        client_id: None,
        source: opora_domain::ReportSource::Hotline.code().into(),
        urgency: Urgency::Urgent,
        description: "Caller reports a toddler crying alone in a flat for hours, building 7, vul. Kanatna.".into(),
        reporter: None,
        received_at: None,
    })?;

    // The Shevchenko family's case: opened, assessed, planned, agreed, in implementation.
    let family_case = open_case(store, &supervisor, &family.client.id, WorkModel::CaseManagement,
        "School reports that Daryna (11) and Mykola (7) are often alone at night while their mother works night shifts.")?;
    let today = opora_persistence::now().date();
    step(
        store,
        &supervisor,
        &family_case,
        "establishing_contact",
        "needs_assessment",
    )?;
    store.record_assessment(&supervisor, &family_case, NewAssessment {
        kind: opora_domain::AssessmentKind::Initial,
        summary: "Mother works night shifts; the children are alone at night. Strong bond, no violence.".into(),
        needs: "Night child care; stable daytime work for the mother.".into(),
        strengths: "Motivated mother; grandmother nearby; children attend school regularly.".into(),
        risks: "Children unsupervised at night.".into(),
        complete: true,
        domains: Vec::new(),
        conclusions: Vec::new(),
        recommendations: String::new(),
        child_view: None,
        corrects: None,
    })?;
    step(store, &supervisor, &family_case, "opened", "planning")?;
    step(
        store,
        &supervisor,
        &family_case,
        "needs_assessment",
        "planning",
    )?;
    let plan = store.create_plan(
        &supervisor,
        &family_case,
        NewPlan {
            period_start: today,
            period_end: today + Duration::days(90),
            next_review_on: today + Duration::days(30),
            goals: vec![NewGoal {
                description: "The children are never alone at night".into(),
                expected_result: "Night care arranged".into(),
                deadline: Some(today + Duration::days(30)),
                term: Some(opora_domain::casework::plan::GoalTerm::Short),
                priority: Some(opora_domain::casework::plan::GoalPriority::High),
                ..Default::default()
            }],
            actions: vec![
                NewAction {
                    goal: Some(0),
                    description: "Arrange a place in the night-care group".into(),
                    responsible: "key worker".into(),
                    due_on: Some(today + Duration::days(14)),
                    ..Default::default()
                },
                NewAction {
                    goal: Some(0),
                    description: "Ask the grandmother to stay on two nights a week".into(),
                    responsible: "Oksana Shevchenko (mother)".into(),
                    due_on: Some(today + Duration::days(7)),
                    ..Default::default()
                },
            ],
            services: vec![opora_persistence::approvals::NewService {
                service: "Social support of the family".into(),
                provider_kind: Some(opora_domain::casework::plan::ProviderKind::Worker),
                provider: "demo-case-manager".into(),
                frequency: Some("weekly".into()),
            }],
        },
    )?;
    store.agree_plan(
        &supervisor,
        &family_case,
        &plan.plan.id,
        PlanAgreement {
            agreed_on: today,
            agreed_by: "Oksana Shevchenko (mother)".into(),
            method: opora_domain::AgreementMethod::Signed,
            signed_for_child_by: None,
            signer_relation: None,
        },
    )?;
    for kind in [
        AgreementKind::ServiceAgreement,
        AgreementKind::InformedConsent,
    ] {
        store.record_agreement(
            &supervisor,
            &family_case,
            NewAgreement {
                kind,
                form: None,
                witnessed_by: None,
                signed_on: today,
                signed_by_client: true,
                signed_by_service: true,
                parties: "Oksana Shevchenko; Suvorovskyi district social-work department".into(),
                notes: None,
                valid_until: None,
            },
        )?;
    }
    step(
        store,
        &supervisor,
        &family_case,
        "planning",
        "implementation",
    )?;
    step(
        store,
        &supervisor,
        &family_case,
        "planning",
        "implementation_and_monitoring",
    )?;

    // A worry the school raised after the plan was agreed: the supervisor's work queue shows it.
    store.raise_safety_concern(
        &caller(store, CASE_MANAGER)?,
        opora_persistence::safety::ConcernTarget::Case(family_case.clone()),
        "Daryna told the school psychologist she is afraid to stay home alone at night.".into(),
    )?;

    // Petro's individual case: just opened.
    open_case(
        store,
        &supervisor,
        &person.client.id,
        WorkModel::Individual,
        "Care leaver (19) lost his room in the dormitory; asks for help with housing and work.",
    )?;

    Ok(Demo {
        supervisor_id: SUPERVISOR.into(),
        summary: "Suvorovskyi district department with 7 staff, the Shevchenko family (case in implementation, an open child-safety concern), Petro Kravchenko (individual case, opened), one hotline report at intake".into(),
    })
}

fn caller(store: &Store, id: &str) -> StoreResult<Caller> {
    store.authenticate(id)?.ok_or(StoreError::NotFound)
}

fn member(
    name: &str,
    relation: FamilyRelation,
    born: (i32, u32, u32),
    sex: Sex,
    is_child: bool,
) -> MemberInput {
    MemberInput {
        full_name: name.into(),
        relation,
        date_of_birth: NaiveDate::from_ymd_opt(born.0, born.1, born.2),
        sex: Some(sex),
        is_child,
        school: None,
    }
}

/// Registers a report for the client and walks it to an opened case; returns the case id.
fn open_case(
    store: &Store,
    by: &Caller,
    client_id: &str,
    model: WorkModel,
    description: &str,
) -> StoreResult<String> {
    let report = store.create_report(
        by,
        NewReport {
            unit_id: None,
            client_id: Some(client_id.into()),
            source: opora_domain::ReportSource::School.code().into(),
            urgency: Urgency::Routine,
            description: description.into(),
            reporter: Some("School social pedagogue".into()),
            received_at: None,
        },
    )?;
    let id = report.report.id;
    let mut from = LifecycleStage::Intake;
    for to in [
        LifecycleStage::Verification,
        LifecycleStage::NeedRecognition,
        LifecycleStage::Opened,
    ] {
        let opening = to == LifecycleStage::Opened;
        let outcome = store.transition_report(
            by,
            &id,
            ReportTransition {
                from,
                to,
                reason: Some(
                    if opening {
                        "Need recognised; the family agrees to work with us."
                    } else {
                        "Facts checked."
                    }
                    .into(),
                ),
                rejection_reason: None,
                case_id: None,
                work_model: opening.then_some(model),
                key_worker_id: opening.then(|| CASE_MANAGER.to_owned()),
                client_id: None,
            },
        )?;
        from = to;
        if let Some(case) = outcome.case {
            return Ok(case.id);
        }
    }
    Err(StoreError::Conflict(
        "the demo report did not open a case".into(),
    ))
}

fn step(store: &Store, by: &Caller, case_id: &str, from: &str, to: &str) -> StoreResult<()> {
    // `planning` names stages of both machines; then `from` tells which one moves.
    let from_lifecycle = LifecycleStage::parse(from).is_some() && ModelStage::parse(from).is_none();
    let target = match (LifecycleStage::parse(to), ModelStage::parse(to)) {
        (Some(l), Some(_)) if from_lifecycle => Some(Stage::Lifecycle(l)),
        (_, Some(m)) => Some(Stage::Model(m)),
        (Some(l), None) => Some(Stage::Lifecycle(l)),
        (None, None) => None,
    }
    .ok_or_else(|| StoreError::Conflict(format!("unknown stage {to}")))?;
    store.transition_case(
        by,
        case_id,
        CaseTransition {
            from: from.into(),
            request: TransitionRequest::to(target),
        },
    )?;
    Ok(())
}
