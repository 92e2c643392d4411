//! What a refused transition lacks, in the four languages of the reference data (problem details
//! follow `Accept-Language`). Exhaustive matches: a new requirement does not compile without its
//! words in every language.

use crate::guards::Requirement;
use crate::labels::Language;

impl Requirement {
    /// What is missing, in the caller's language.
    pub fn message_in(&self, language: Language) -> String {
        use Language::*;
        use Requirement::*;
        let join = |codes: Vec<&str>| codes.join(", ");
        match (self, language) {
            (_, En) => self.message(),
            (KeyWorkerAssigned, Uk) => "не призначено кейс-менеджера".into(),
            (KeyWorkerAssigned, Ru) => "не назначен куратор случая".into(),
            (KeyWorkerAssigned, Cs) => "není určen klíčový pracovník".into(),
            (ClientIdentified, Uk) => "клієнта не ідентифіковано".into(),
            (ClientIdentified, Ru) => "клиент не идентифицирован".into(),
            (ClientIdentified, Cs) => "klient není identifikován".into(),
            (WorkModelChosen, Uk) => {
                "треба обрати модель роботи (case_management або individual)".into()
            }
            (WorkModelChosen, Ru) => {
                "нужно выбрать модель работы (case_management или individual)".into()
            }
            (WorkModelChosen, Cs) => {
                "je třeba zvolit model práce (case_management nebo individual)".into()
            }
            (CompletedAssessment, Uk) => {
                "немає оцінки потреб, завершеної в цьому циклі випадку (після останнього повернення до оцінки)".into()
            }
            (CompletedAssessment, Ru) => {
                "нет оценки потребностей, завершённой в этом цикле случая (после последнего возврата к оценке)".into()
            }
            (CompletedAssessment, Cs) => {
                "v tomto cyklu případu (od posledního návratu k mapování) chybí dokončené mapování potřeb".into()
            }
            (PlanAgreedByClient, Uk) => "немає версії плану, погодженої клієнтом у цьому циклі (після останнього коригування плану)".into(),
            (PlanAgreedByClient, Ru) => "нет версии плана, согласованной с клиентом в этом цикле (после последней корректировки плана)".into(),
            (PlanAgreedByClient, Cs) => "chybí verze plánu odsouhlasená klientem v tomto cyklu (od poslední úpravy plánu)".into(),
            (ServiceAgreementSigned, Uk) => "немає підписаного договору про надання послуг".into(),
            (ServiceAgreementSigned, Ru) => "нет подписанного договора об оказании услуг".into(),
            (ServiceAgreementSigned, Cs) => "chybí podepsaná smlouva o poskytování služby".into(),
            (InformedConsentRecorded, Uk) => "немає поінформованої згоди".into(),
            (InformedConsentRecorded, Ru) => "нет информированного согласия".into(),
            (InformedConsentRecorded, Cs) => "chybí informovaný souhlas".into(),
            (PreliminaryContractRecorded, Uk) => {
                "не зафіксовано попередній (усний) контракт".into()
            }
            (PreliminaryContractRecorded, Ru) => {
                "не зафиксирован предварительный (устный) контракт".into()
            }
            (PreliminaryContractRecorded, Cs) => "chybí záznam o předběžné (ústní) dohodě".into(),
            (ConcludedContractRecorded, Uk) => "не зафіксовано укладений контракт".into(),
            (ConcludedContractRecorded, Ru) => "не зафиксирован заключённый контракт".into(),
            (ConcludedContractRecorded, Cs) => "chybí záznam o uzavřené dohodě".into(),
            (TerminationAgreedByBoth, Uk) => "завершення не погоджено обома сторонами".into(),
            (TerminationAgreedByBoth, Ru) => "завершение не согласовано обеими сторонами".into(),
            (TerminationAgreedByBoth, Cs) => "ukončení není dohodnuto oběma stranami".into(),
            (WorkModelAtFinalStage, Uk) => "модель роботи ще не дійшла до останнього етапу".into(),
            (WorkModelAtFinalStage, Ru) => "модель работы ещё не дошла до последнего этапа".into(),
            (WorkModelAtFinalStage, Cs) => "model práce ještě nedosáhl poslední fáze".into(),
            (FinalEvaluationRecorded, Uk) => "немає підсумкового оцінювання".into(),
            (FinalEvaluationRecorded, Ru) => "нет итоговой оценки".into(),
            (FinalEvaluationRecorded, Cs) => "chybí závěrečné hodnocení".into(),
            (ClosureApproved, Uk) => "звіт про закриття не затверджено супервізором".into(),
            (ClosureApproved, Ru) => "отчёт о закрытии не утверждён супервизором".into(),
            (ClosureApproved, Cs) => "závěrečnou zprávu neschválil supervizor".into(),
            (CaseActive, Uk) => "випадок не активний".into(),
            (CaseActive, Ru) => "случай не активен".into(),
            (CaseActive, Cs) => "případ není aktivní".into(),
            (SupervisorDecision, Uk) => {
                "закритий випадок може повторно відкрити лише супервізор".into()
            }
            (SupervisorDecision, Ru) => {
                "закрытый случай может вновь открыть только супервизор".into()
            }
            (SupervisorDecision, Cs) => "uzavřený případ může znovu otevřít jen supervizor".into(),
            (Reason, Uk) => "потрібно вказати причину".into(),
            (Reason, Ru) => "нужно указать причину".into(),
            (Reason, Cs) => "je třeba uvést důvod".into(),
            (ClosureReason, Uk) => "потрібна причина закриття із закритого переліку".into(),
            (ClosureReason, Ru) => "нужна причина закрытия из закрытого перечня".into(),
            (ClosureReason, Cs) => "je třeba důvod uzavření z pevného seznamu".into(),
            (RejectionReason, Uk) => "потрібна причина відхилення із закритого переліку".into(),
            (RejectionReason, Ru) => "нужна причина отклонения из закрытого перечня".into(),
            (RejectionReason, Cs) => "je třeba důvod zamítnutí z pevného seznamu".into(),
            (OpenCaseOfSameClient, Uk) => {
                "повідомлення можна приєднати лише до відкритого випадку того самого клієнта".into()
            }
            (OpenCaseOfSameClient, Ru) => {
                "сообщение можно присоединить только к открытому случаю того же клиента".into()
            }
            (OpenCaseOfSameClient, Cs) => {
                "oznámení lze připojit jen k otevřenému případu téhož klienta".into()
            }
            (WorkModelStageIn { lifecycle, allowed }, lang) => {
                let stages = join(allowed.iter().map(|s| s.code()).collect());
                match lang {
                    Uk => format!("модель роботи спершу має бути на одному з етапів [{stages}], щоб випадок був у {}", lifecycle.code()),
                    Ru => format!("модель работы сначала должна быть на одном из этапов [{stages}], чтобы случай был в {}", lifecycle.code()),
                    Cs | En => format!("model práce musí být nejprve v jedné z fází [{stages}], aby případ mohl být ve fázi {}", lifecycle.code()),
                }
            }
            (ClosureReport, Uk) => "немає звіту про закриття цього циклу випадку: спершу складіть його".into(),
            (ClosureReport, Ru) => "нет отчёта о закрытии этого цикла случая: сначала составьте его".into(),
            (ClosureReport, Cs) => "chybí závěrečná zpráva tohoto cyklu případu: nejprve ji sepište".into(),
            (ClosureReportWithReason { reason }, Uk) => format!("у звіті про закриття вказано іншу причину, ніж {}: виправте одне з двох", reason.code()),
            (ClosureReportWithReason { reason }, Ru) => format!("в отчёте о закрытии указана другая причина, чем {}: исправьте одно из двух", reason.code()),
            (ClosureReportWithReason { reason }, Cs) => format!("závěrečná zpráva uvádí jiný důvod než {}: opravte jedno z nich", reason.code()),
            (FamilyToldOfClosure, Uk) => "у звіті про закриття не зазначено, коли і як родину повідомлено, або чому це було неможливо".into(),
            (FamilyToldOfClosure, Ru) => "в отчёте о закрытии не указано, когда и как семья уведомлена, или почему это было невозможно".into(),
            (FamilyToldOfClosure, Cs) => "závěrečná zpráva neuvádí, kdy a jak byla rodina informována, ani proč to nebylo možné".into(),
            (NoOpenSafetyConcern, Uk) => "повідомлення про загрозу безпеці дитини чекає на рішення: послуги не припиняються, доки дитина може бути в небезпеці".into(),
            (NoOpenSafetyConcern, Ru) => "сообщение об угрозе безопасности ребёнка ждёт решения: услуги не прекращаются, пока ребёнок может быть в опасности".into(),
            (NoOpenSafetyConcern, Cs) => "podnět k ohrožení dítěte čeká na rozhodnutí: služby se neukončují, dokud může být dítě v ohrožení".into(),
            (WrittenNoticePeriod { effective_from: Some(from) }, Uk) => format!("припинення через невиконання умов набирає чинності через 15 днів після письмового повідомлення: не раніше {from}"),
            (WrittenNoticePeriod { effective_from: Some(from) }, Ru) => format!("прекращение из-за невыполнения условий вступает в силу через 15 дней после письменного уведомления: не ранее {from}"),
            (WrittenNoticePeriod { effective_from: Some(from) }, Cs) => format!("ukončení pro neplnění podmínek nabývá účinnosti 15 dní po písemném oznámení: nejdříve {from}"),
            (WrittenNoticePeriod { effective_from: None }, Uk) => "для припинення через невиконання умов клієнта треба письмово повідомити за 15 днів".into(),
            (WrittenNoticePeriod { effective_from: None }, Ru) => "для прекращения из-за невыполнения условий клиента нужно письменно уведомить за 15 дней".into(),
            (WrittenNoticePeriod { effective_from: None }, Cs) => "ukončení pro neplnění podmínek vyžaduje písemné oznámení klientovi 15 dní předem".into(),
            (
                LifecycleStageIn {
                    model_stage,
                    allowed,
                },
                lang,
            ) => {
                let stages = join(allowed.iter().map(|s| s.code()).collect());
                match lang {
                    Uk => format!(
                        "етап моделі {} можливий лише поки випадок у [{stages}]",
                        model_stage.code()
                    ),
                    Ru => format!(
                        "этап модели {} возможен только пока случай в [{stages}]",
                        model_stage.code()
                    ),
                    Cs | En => format!(
                        "fáze modelu {} je možná jen dokud je případ ve fázích [{stages}]",
                        model_stage.code()
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::LifecycleStage;

    #[test]
    fn every_requirement_has_its_words_in_every_language_and_english_is_the_original() {
        let all = [
            Requirement::KeyWorkerAssigned,
            Requirement::ClientIdentified,
            Requirement::WorkModelChosen,
            Requirement::CompletedAssessment,
            Requirement::PlanAgreedByClient,
            Requirement::ServiceAgreementSigned,
            Requirement::InformedConsentRecorded,
            Requirement::PreliminaryContractRecorded,
            Requirement::ConcludedContractRecorded,
            Requirement::TerminationAgreedByBoth,
            Requirement::WorkModelAtFinalStage,
            Requirement::FinalEvaluationRecorded,
            Requirement::ClosureApproved,
            Requirement::CaseActive,
            Requirement::SupervisorDecision,
            Requirement::Reason,
            Requirement::ClosureReason,
            Requirement::RejectionReason,
            Requirement::OpenCaseOfSameClient,
            Requirement::ClosureReport,
            Requirement::ClosureReportWithReason {
                reason: crate::lifecycle::ClosureReason::MovedAway,
            },
            Requirement::FamilyToldOfClosure,
            Requirement::NoOpenSafetyConcern,
            Requirement::WrittenNoticePeriod {
                effective_from: None,
            },
            Requirement::WorkModelStageIn {
                lifecycle: LifecycleStage::Planning,
                allowed: Vec::new(),
            },
        ];
        for r in &all {
            assert_eq!(r.message_in(Language::En), r.message());
            for lang in [Language::Uk, Language::Ru, Language::Cs] {
                let text = r.message_in(lang);
                assert!(!text.is_empty() && text != r.message(), "{r:?} in {lang}");
            }
        }
    }
}
