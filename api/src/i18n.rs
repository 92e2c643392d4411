//! Problem details follow `Accept-Language` (English, Ukrainian, Russian, Czech): a middleware
//! rewrites the `title` of every problem by its type, the standard `detail` texts, and the
//! messages of unmet transition requirements by their codes. Field-level validation messages
//! stay in English for now; their `code`s are stable for frontends to translate.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use opora_domain::labels::Language;
use serde_json::Value;

use crate::problem::PROBLEM_JSON;

/// The title of a problem type in a language other than English.
fn title(kind: &str, language: Language) -> Option<&'static str> {
    use Language::*;
    Some(match (kind, language) {
        (_, En) => return None,
        ("malformed-request", Uk) => "Запит неможливо прочитати",
        ("malformed-request", Ru) => "Запрос невозможно прочитать",
        ("malformed-request", Cs) => "Požadavek nelze přečíst",
        ("validation-failed", Uk) => "Запит містить хибні поля",
        ("validation-failed", Ru) => "Запрос содержит неверные поля",
        ("validation-failed", Cs) => "Požadavek obsahuje chybná pole",
        ("invalid-parameters", Uk) => "Параметри запиту неможливо прочитати",
        ("invalid-parameters", Ru) => "Параметры запроса невозможно прочитать",
        ("invalid-parameters", Cs) => "Parametry dotazu nelze přečíst",
        ("unsupported-media-type", Uk) => "Тіло запиту має бути application/json",
        ("unsupported-media-type", Ru) => "Тело запроса должно быть application/json",
        ("unsupported-media-type", Cs) => "Tělo požadavku musí být application/json",
        ("payload-too-large", Uk) => "Тіло запиту завелике",
        ("payload-too-large", Ru) => "Тело запроса слишком велико",
        ("payload-too-large", Cs) => "Tělo požadavku je příliš velké",
        ("unauthorized", Uk) => "Потрібна автентифікація",
        ("unauthorized", Ru) => "Требуется аутентификация",
        ("unauthorized", Cs) => "Je vyžadováno přihlášení",
        ("too-many-requests", Uk) => "Забагато запитів",
        ("too-many-requests", Ru) => "Слишком много запросов",
        ("too-many-requests", Cs) => "Příliš mnoho požadavků",
        ("forbidden", Uk) => "Ваша роль не дозволяє цю дію",
        ("forbidden", Ru) => "Ваша роль не разрешает это действие",
        ("forbidden", Cs) => "Vaše role tuto akci nedovoluje",
        ("not-found", Uk) => "Такого ресурсу немає",
        ("not-found", Ru) => "Такого ресурса нет",
        ("not-found", Cs) => "Takový záznam neexistuje",
        ("method-not-allowed", Uk) => "Метод не дозволено",
        ("method-not-allowed", Ru) => "Метод не разрешён",
        ("method-not-allowed", Cs) => "Metoda není povolena",
        ("stage-changed", Uk) => "Запис змінився, відколи ви його прочитали",
        ("stage-changed", Ru) => "Запись изменилась с тех пор, как вы её прочитали",
        ("stage-changed", Cs) => "Záznam se od vašeho čtení změnil",
        ("transition-refused", Uk) => "Умови переходу не виконано",
        ("transition-refused", Ru) => "Условия перехода не выполнены",
        ("transition-refused", Cs) => "Podmínky přechodu nejsou splněny",
        ("not-a-transition", Uk) => "З цього етапу такого переходу немає",
        ("not-a-transition", Ru) => "С этого этапа такого перехода нет",
        ("not-a-transition", Cs) => "Z této fáze takový přechod není",
        ("conflict", Uk) => "Запит суперечить стану запису",
        ("conflict", Ru) => "Запрос противоречит состоянию записи",
        ("conflict", Cs) => "Požadavek je v rozporu se stavem záznamu",
        ("precondition-failed", Uk) => "Ресурс змінився, відколи ви його прочитали",
        ("precondition-failed", Ru) => "Ресурс изменился с тех пор, как вы его прочитали",
        ("precondition-failed", Cs) => "Záznam se od vašeho čtení změnil",
        ("precondition-required", Uk) => "Ця зміна потребує заголовка If-Match",
        ("precondition-required", Ru) => "Это изменение требует заголовка If-Match",
        ("precondition-required", Cs) => "Tato změna vyžaduje hlavičku If-Match",
        ("service-unavailable", Uk) => "Сервіс недоступний",
        ("service-unavailable", Ru) => "Сервис недоступен",
        ("service-unavailable", Cs) => "Služba je nedostupná",
        ("internal-error", Uk) => "Внутрішня помилка сервера",
        ("internal-error", Ru) => "Внутренняя ошибка сервера",
        ("internal-error", Cs) => "Vnitřní chyba serveru",
        _ => return None,
    })
}

/// The standard detail of a problem type, where it does not depend on the occurrence.
fn standard_detail(kind: &str, language: Language) -> Option<&'static str> {
    use Language::*;
    Some(match (kind, language) {
        ("not-found", Uk) => "ресурс не існує або поза вашими повноваженнями",
        ("not-found", Ru) => "ресурс не существует или вне ваших полномочий",
        ("not-found", Cs) => "záznam neexistuje nebo je mimo váš rozsah",
        ("precondition-failed", Uk) => "If-Match не відповідає поточній версії: прочитайте ресурс знову й повторіть зміну",
        ("precondition-failed", Ru) => "If-Match не соответствует текущей версии: прочитайте ресурс снова и повторите изменение",
        ("precondition-failed", Cs) => "If-Match neodpovídá aktuální verzi: načtěte záznam znovu a změnu zopakujte",
        ("precondition-required", Uk) => "надішліть If-Match з ETag прочитаної версії, щоб жодна зміна не загубилася",
        ("precondition-required", Ru) => "отправьте If-Match с ETag прочитанной версии, чтобы ни одно изменение не потерялось",
        ("precondition-required", Cs) => "pošlete If-Match s ETagem načtené verze, aby se žádná změna neztratila",
        ("unsupported-media-type", Uk | Ru | Cs) => "Content-Type: application/json",
        _ => return None,
    })
}

fn translate(problem: &mut Value, language: Language) {
    let kind = problem["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .unwrap_or("")
        .to_owned();
    if let Some(title) = title(&kind, language) {
        problem["title"] = Value::from(title);
    }
    if let Some(detail) = standard_detail(&kind, language) {
        problem["detail"] = Value::from(detail);
    }
    if let Some(unmet) = problem.get_mut("unmet").and_then(Value::as_array_mut) {
        let mut messages = Vec::new();
        for item in unmet.iter_mut() {
            let code = item["code"].as_str().unwrap_or("");
            if let Some(text) = crate::i18n::requirement(code, language) {
                item["message"] = Value::from(text.clone());
                messages.push(text);
            }
        }
        if !messages.is_empty() {
            problem["detail"] = Value::from(messages.join("; "));
        }
    }
}

/// The words of a requirement by its code (parameterised ones keep their English text).
fn requirement(code: &str, language: Language) -> Option<String> {
    use opora_domain::Requirement::*;
    let r = match code {
        "key_worker_assigned" => KeyWorkerAssigned,
        "client_identified" => ClientIdentified,
        "work_model_chosen" => WorkModelChosen,
        "completed_assessment" => CompletedAssessment,
        "plan_agreed_by_client" => PlanAgreedByClient,
        "service_agreement_signed" => ServiceAgreementSigned,
        "informed_consent_recorded" => InformedConsentRecorded,
        "preliminary_contract_recorded" => PreliminaryContractRecorded,
        "concluded_contract_recorded" => ConcludedContractRecorded,
        "termination_agreed_by_both" => TerminationAgreedByBoth,
        "work_model_at_final_stage" => WorkModelAtFinalStage,
        "final_evaluation_recorded" => FinalEvaluationRecorded,
        "closure_approved" => ClosureApproved,
        "case_active" => CaseActive,
        "supervisor_decision" => SupervisorDecision,
        "reason" => Reason,
        "closure_reason" => ClosureReason,
        "rejection_reason" => RejectionReason,
        "open_case_of_same_client" => OpenCaseOfSameClient,
        "closure_report" => ClosureReport,
        "family_told_of_closure" => FamilyToldOfClosure,
        "no_open_safety_concern" => NoOpenSafetyConcern,
        _ => return None,
    };
    Some(r.message_in(language))
}

/// Rewrites problem documents into the caller's language.
pub async fn translate_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = Language::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let res = next.call(req).await?.map_into_boxed_body();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if language == Language::En || !is_problem {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let Ok(mut problem) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(BoxBody::new(bytes)),
        ));
    };
    translate(&mut problem, language);
    head.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.code()),
    );
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec());
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(body))))
}
