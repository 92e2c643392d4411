//! Shapes shared by several endpoints: code lists taken from the domain (so the contract cannot
//! drift from the rules), transitions allowed now, unmet requirements, pages and timestamps.

use chrono::{DateTime, NaiveDateTime, Utc};
use opora_domain::{AvailableTransition, Requirement};
use serde::Serialize;
use utoipa::openapi::schema::{Object, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::problem::ApiError;

/// A string schema whose values are the given codes.
pub fn code_schema(codes: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    let values: Vec<serde_json::Value> = codes.into_iter().map(serde_json::Value::from).collect();
    let example = values.first().cloned();
    let mut object = Object::builder()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(description))
        .enum_values(Some(values))
        .build();
    object.example = example;
    object
}

/// A `validator` rule for a code of a closed list: `value` is one of `codes` (the domain enum's
/// `ALL` codes), otherwise `unknown_code` naming them.
pub fn one_of(
    codes: impl IntoIterator<Item = &'static str>,
    value: &str,
) -> Result<(), validator::ValidationError> {
    let codes: Vec<&str> = codes.into_iter().collect();
    if codes.contains(&value) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("unknown_code");
        e.message = Some(format!("{value:?} is not one of: {}", codes.join(", ")).into());
        Err(e)
    }
}

/// A string schema for a code of an extensible classifier: administrators add codes, so the
/// contract lists the built-in ones in the description instead of closing the list with `enum`.
pub fn classifier_schema(list: opora_domain::labels::ReferenceList, description: &str) -> Object {
    let built_in = list.built_in();
    let codes: Vec<String> = built_in.iter().map(|b| format!("`{}`", b.code)).collect();
    let mut object = Object::builder()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(format!(
            "{description} A code of the `{list}` classifier: built in ({}) or added by an administrator (`GET /api/v1/reference/{list}`); new records take active codes only.",
            codes.join(", ")
        )))
        .min_length(Some(1))
        .max_length(Some(64))
        .build();
    object.example = built_in.first().map(|b| serde_json::Value::from(b.code));
    object
}

/// A schema that also allows `null` (utoipa ignores `nullable` beside `schema_with`).
pub fn or_null(mut object: Object) -> Object {
    object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = object.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    object
}

/// Declares a function giving the schema of a domain code list, for `#[schema(schema_with = ..)]`.
/// Also declares, in `valid`, a `validator` rule accepting exactly those codes, so an unknown code
/// is listed with every other field at fault.
macro_rules! code_schemas {
    ($($name:ident => $codes:expr, $description:literal;)+) => {
        $(
            pub fn $name() -> utoipa::openapi::schema::Object {
                $crate::dto::code_schema($codes, $description)
            }

            /// The same list where `null` is allowed too.
            pub mod $name {
                #[allow(unused_imports)]
                use super::*;
                pub fn nullable() -> utoipa::openapi::schema::Object {
                    $crate::dto::or_null($crate::dto::code_schema($codes, $description))
                }
            }
        )+

        /// `validator` rules for the code lists above.
        pub mod valid {
            use super::*;
            $(
                pub fn $name(value: &str) -> Result<(), validator::ValidationError> {
                    if ($codes).into_iter().any(|c| c == value) {
                        Ok(())
                    } else {
                        let mut e = validator::ValidationError::new("unknown_code");
                        e.message = Some(format!("{value:?} is not one of: {}", ($codes).into_iter().collect::<Vec<_>>().join(", ")).into());
                        Err(e)
                    }
                }
            )+
        }
    };
}

pub mod codes {
    use opora_domain::labels::ReferenceList;
    use opora_domain::{
        AgreementForm, AgreementKind, AgreementMethod, AssessmentKind, ClientKind, ClosureReason,
        EvaluationKind, FamilyRelation, GoalOutcome, LifecycleStage, ModelStage, RejectionReason,
        Role, Sex, UnitKind, Urgency, WorkModel,
    };

    /// Where the report came from (extensible classifier).
    pub fn report_source() -> utoipa::openapi::schema::Object {
        crate::dto::classifier_schema(ReferenceList::ReportSources, "Where the report came from.")
    }

    /// How the worker and the client met (extensible classifier).
    pub fn contact_type() -> utoipa::openapi::schema::Object {
        crate::dto::classifier_schema(
            ReferenceList::ContactTypes,
            "How the worker and the client met (seed 003's contact schedule).",
        )
    }

    pub mod contact_type {
        /// The same where `null` is allowed too.
        pub fn nullable() -> utoipa::openapi::schema::Object {
            crate::dto::or_null(super::contact_type())
        }
    }

    /// A life domain (extensible classifier).
    pub fn life_domain() -> utoipa::openapi::schema::Object {
        crate::dto::classifier_schema(
            ReferenceList::LifeDomains,
            "A domain of the client's life an assessment concerns.",
        )
    }

    /// A `validator` rule for a code of an extensible classifier: well formed (a built-in code or
    /// snake_case, at most 64 characters); whether the classifier has it, active, is checked by
    /// the store (422 `unknown_code` / `inactive_code` naming the field).
    pub fn classifier_code(value: &str) -> Result<(), validator::ValidationError> {
        if opora_domain::labels::is_valid_entry_code(value) {
            Ok(())
        } else {
            let mut e = validator::ValidationError::new("format");
            e.message = Some(
                format!("{value:?} is not a classifier code (snake_case, 2 to 64 characters)")
                    .into(),
            );
            Err(e)
        }
    }

    code_schemas! {
        lifecycle_stage => LifecycleStage::ALL.iter().map(|s| s.code()), "A stage of the 8-stage case lifecycle (report outcomes `rejected` and `attached` included).";
        model_stage => ModelStage::all().map(|s| s.code()), "A stage of the case's work model (6-stage case management or 12-stage individual case work).";
        any_stage => LifecycleStage::ALL.iter().map(|s| s.code()).chain(ModelStage::all().map(|s| s.code())), "A stage of either machine: the lifecycle or the work model.";
        work_model => WorkModel::ALL.iter().map(|s| s.code()), "The work model a case follows, chosen at opening: `case_management`, 6 stages (seed 002): a key worker coordinates the services, alone (individual case management) or with a team (team case management, seed 004); `individual`, 12 stages (seed 001): individual case work, one worker one to one with one client (not individual case management, which is `case_management`).";
        urgency => Urgency::ALL.iter().map(|s| s.code()), "Urgency class from the pre-assessment at intake.";
        client_kind => ClientKind::ALL.iter().map(|s| s.code()), "A person, or a family with members.";
        closure_reason => ClosureReason::ALL.iter().map(|s| s.code()), "Why a case closes (closed list).";
        rejection_reason => RejectionReason::ALL.iter().map(|s| s.code()), "Why a report ends without a case (closed list).";
        agreement_kind => AgreementKind::ALL.iter().map(|s| s.code()), "The kind of agreement.";
        role => Role::ALL.iter().map(|s| s.code()), "A staff role.";
        unit_kind => UnitKind::ALL.iter().map(|s| s.code()), "A unit's place in the organisation tree.";
        machine => ["lifecycle", "case_management", "individual"], "Which machine the move belongs to.";
        move_kind => opora_domain::MoveKind::ALL.iter().map(|s| s.code()), "What kind of move it is; decides which inputs it needs.";
        assessment_kind => AssessmentKind::ALL.iter().map(|s| s.code()), "Initial assessment or re-assessment.";
        evaluation_kind => EvaluationKind::ALL.iter().map(|s| s.code()), "Interim or final evaluation.";
        goal_outcome => GoalOutcome::ALL.iter().map(|s| s.code()), "How far the goals were reached.";
        agreement_method => AgreementMethod::ALL.iter().map(|s| s.code()), "How the client's agreement was given.";
        agreement_form => AgreementForm::ALL.iter().map(|s| s.code()), "The form an agreement was made in: `oral` (seed 001's preliminary contract: agreed before a witness, no signatures) or `written` (signed).";
        sex => Sex::ALL.iter().map(|s| s.code()), "Sex as recorded.";
        family_relation => FamilyRelation::ALL.iter().map(|s| s.code()), "Relation to the head of the household.";
        sensitive_section => opora_domain::confidentiality::SensitiveSection::ALL.iter().map(|s| s.code()), "A sensitive section of a client's record.";
        legal_basis => opora_domain::confidentiality::LegalBasis::ALL.iter().map(|s| s.code()), "A legal basis for disclosure without consent.";
        grant => ["case_team", "consent", "legal_basis"], "Why the caller may read a section.";
        contact_status => opora_domain::contacts::ContactStatus::ALL.iter().map(|s| s.code()), "Where a contact stands: planned, then held (with its record), missed or cancelled.";
        share_scope => opora_domain::contacts::ShareScope::ALL.iter().map(|s| s.code()), "How far the client agreed a success story may be shared.";
        safety_decision => opora_domain::deadlines::SafetyDecision::ALL.iter().map(|s| s.code()), "The decision a child-safety concern needs.";
    }
}

/// Parses a code of a closed list, or names the field at fault.
pub fn parse_code<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, ApiError> {
    parse(value).ok_or_else(|| {
        ApiError::field(
            field,
            "unknown_code",
            format!("{value:?} is not a known code"),
        )
    })
}

/// Parses an optional code.
pub fn parse_opt<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    value.map(|v| parse_code(field, v, &parse)).transpose()
}

/// A stored UTC time at the API boundary.
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}

/// One unmet requirement of a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Unmet {
    /// Stable code, e.g. `completed_assessment`, `plan_agreed_by_client`.
    #[schema(example = "completed_assessment")]
    pub code: String,
    #[schema(
        example = "no assessment completed in this cycle of the case (after its last return to assessment)"
    )]
    pub message: String,
}

impl From<&Requirement> for Unmet {
    fn from(r: &Requirement) -> Self {
        Unmet {
            code: r.code().to_owned(),
            message: r.message(),
        }
    }
}

/// A transition the record allows from where it stands, with what it still lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AllowedTransition {
    /// The target stage.
    #[schema(schema_with = codes::any_stage)]
    pub to: String,
    #[schema(schema_with = codes::machine)]
    pub machine: String,
    #[schema(schema_with = codes::move_kind)]
    pub kind: String,
    /// The request must give `reason`.
    pub needs_reason: bool,
    /// The request must give `closure_reason`.
    pub needs_closure_reason: bool,
    /// The request must give `rejection_reason`.
    pub needs_rejection_reason: bool,
    /// The request must give `work_model` (and `key_worker_id`).
    pub needs_work_model: bool,
    /// True when nothing on record is missing.
    pub ready: bool,
    /// What is missing on record; empty when ready.
    pub unmet: Vec<Unmet>,
}

impl From<&AvailableTransition> for AllowedTransition {
    fn from(t: &AvailableTransition) -> Self {
        AllowedTransition {
            to: t.target.code().to_owned(),
            machine: t.target.machine().code().to_owned(),
            kind: t.kind.code().to_owned(),
            needs_reason: t.needs_reason,
            needs_closure_reason: t.needs_closure_reason,
            needs_rejection_reason: t.needs_rejection_reason,
            needs_work_model: t.needs_work_model,
            ready: t.unmet.is_empty(),
            unmet: t.unmet.iter().map(Unmet::from).collect(),
        }
    }
}

/// The page a list request asks for: `limit` 1–200 (default 50) and the previous page's cursor.
pub fn page(
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<opora_persistence::PageRequest, ApiError> {
    let limit = limit.unwrap_or(opora_persistence::PageRequest::DEFAULT_LIMIT);
    if !(1..=opora_persistence::PageRequest::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "range", "must be 1 to 200"));
    }
    Ok(opora_persistence::PageRequest {
        after: cursor,
        limit,
    })
}

/// A page of items and the cursor of the next page (`null` on the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn from<U>(page: opora_persistence::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let page = page.map(f);
        Page {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// For schemas that are a bare reference.
pub fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name))
}
