//! Reference data: every list of codes with its labels in English, Ukrainian, Russian and Czech,
//! and the choice of language from an `Accept-Language` header.
//!
//! Two kinds of list ([`ReferenceList`]):
//! - **fixed** lists are the codes rules depend on (stages, statuses, reasons, roles, …); they
//!   change only with the code, and their labels live here;
//! - **extensible** classifiers (client categories, report sources, life domains, contact types)
//!   have built-in entries declared here and entries an administrator adds, stored by the
//!   persistence layer with their four labels.
//!
//! Labels are written as exhaustive `match`es (through [`labels!`]), so a new code does not
//! compile until it has its four labels. Terms follow the sources: Ukrainian from seed 002,
//! Russian from seeds 000, 001 and 003, Czech from seed 004 and Czech social-work usage
//! ("klíčový pracovník", "mapování potřeb", "případová konference").

use crate::access::Role;
use crate::code_enum;
use crate::codes::{
    AgreementForm, AgreementKind, AgreementMethod, AssessmentKind, ClientKind, EvaluationKind,
    FamilyRelation, GoalOutcome, ReportSource, Sex, UnitKind, Urgency,
};
use crate::confidentiality::{LegalBasis, SensitiveSection};
use crate::lifecycle::{ClosureReason, LifecycleStage, MoveKind, RejectionReason};
use crate::work_model::{CmStage, IndividualStage, WorkModel};

code_enum! {
    /// A language labels are given in (ISO 639-1 codes).
    pub enum Language {
        En = "en",
        Uk = "uk",
        Ru = "ru",
        Cs = "cs",
    }
}

impl Language {
    /// The language used when the caller asks for none we have.
    pub const DEFAULT: Language = Language::En;

    /// The best supported language for an `Accept-Language` header value (RFC 9110 §12.5.4,
    /// basic filtering of RFC 4647): each range (`uk`, `uk-UA`, `*`) with its weight (`q`, 1 when
    /// absent); a range matches a language when its primary subtag is that language (case
    /// insensitive; `uk-UA` stands for `uk`), `*` matches any. A language named by some range
    /// takes the highest weight of the ranges naming it, otherwise the weight of `*`; `q=0` means
    /// "not this one". Highest weight wins; on a tie, the language named earlier in the header;
    /// languages reached only through `*` come after named ones, in [`Language::ALL`] order.
    /// Malformed ranges are skipped. No header, or nothing acceptable: [`Language::DEFAULT`].
    pub fn negotiate(header: Option<&str>) -> Language {
        let Some(header) = header else {
            return Language::DEFAULT;
        };
        // (weight in thousandths, specificity: 2 a named range, 1 `*`; position in the header)
        let mut best: [Option<(u16, u8, usize)>; 4] = [None; 4];
        for (position, item) in header.split(',').take(64).enumerate() {
            let Some((range, weight)) = parse_range(item) else {
                continue;
            };
            for (i, language) in Language::ALL.iter().enumerate() {
                let specificity = if range == "*" {
                    1
                } else if range
                    .split('-')
                    .next()
                    .is_some_and(|primary| primary.eq_ignore_ascii_case(language.code()))
                {
                    2
                } else {
                    continue;
                };
                let replace = match best[i] {
                    None => true,
                    Some((w, s, _)) => specificity > s || (specificity == s && weight > w),
                };
                if replace {
                    best[i] = Some((weight, specificity, position));
                }
            }
        }
        let mut chosen: Option<(u16, usize, usize, Language)> = None;
        for (i, language) in Language::ALL.iter().enumerate() {
            let Some((weight, specificity, position)) = best[i] else {
                continue;
            };
            if weight == 0 {
                continue;
            }
            // A language named in the header ranks by its position; one reached only through `*`
            // ranks after every named one, in declaration order.
            let rank = if specificity == 2 {
                position
            } else {
                usize::MAX
            };
            let better = match chosen {
                None => true,
                Some((w, r, idx, _)) => weight > w || (weight == w && (rank, i) < (r, idx)),
            };
            if better {
                chosen = Some((weight, rank, i, *language));
            }
        }
        chosen.map_or(Language::DEFAULT, |(_, _, _, language)| language)
    }
}

/// One `range;q=weight` item: the range and its weight in thousandths, or `None` when malformed.
fn parse_range(item: &str) -> Option<(&str, u16)> {
    let mut parts = item.split(';');
    let range = parts.next()?.trim();
    let well_formed = range == "*"
        || (!range.is_empty()
            && range.len() <= 35
            && range.split('-').all(|s| {
                (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            }));
    if !well_formed {
        return None;
    }
    let mut weight = 1000;
    for param in parts {
        let (name, value) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = parse_weight(value.trim())?;
        }
    }
    Some((range, weight))
}

/// A `qvalue`: `0`, `1`, `0.xyz`, `1.000`; in thousandths.
fn parse_weight(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(digits),
        "1" if digits == 0 => Some(1000),
        _ => None,
    }
}

/// A code's labels in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub en: &'static str,
    pub uk: &'static str,
    pub ru: &'static str,
    pub cs: &'static str,
}

impl Labels {
    pub const fn get(self, language: Language) -> &'static str {
        match language {
            Language::En => self.en,
            Language::Uk => self.uk,
            Language::Ru => self.ru,
            Language::Cs => self.cs,
        }
    }
}

/// A code list whose every code has labels.
pub trait Labelled: Copy + 'static {
    /// Every code of the list, in declaration order.
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn labels(self) -> Labels;
}

/// Implements [`Labelled`] for a code enum with one exhaustive `match`: a variant without its
/// labels does not compile.
macro_rules! labels {
    ($ty:ident { $( $variant:ident => [$en:literal, $uk:literal, $ru:literal, $cs:literal] ),+ $(,)? }) => {
        impl Labelled for $ty {
            fn all() -> &'static [$ty] {
                $ty::ALL
            }

            fn code(self) -> &'static str {
                $ty::code(self)
            }

            fn labels(self) -> Labels {
                match self {
                    $( $ty::$variant => Labels { en: $en, uk: $uk, ru: $ru, cs: $cs } ),+
                }
            }
        }
    };
}

code_enum! {
    /// A client category, the target groups of a service (seed 002 lists them per service).
    /// Extensible: these are the built-in entries; administrators add more.
    pub enum ClientCategory {
        // Family-support service (seed 002).
        SingleParent = "single_parent",
        Disability = "disability",
        LongTermIllness = "long_term_illness",
        ViolenceVictims = "violence_victims",
        TraffickingVictims = "trafficking_victims",
        ChildrenRemoved = "children_removed",
        DivorcingParents = "divorcing_parents",
        LabourMigrantParents = "labour_migrant_parents",
        ChildrenInResidentialCare = "children_in_residential_care",
        NewbornAbandonmentRisk = "newborn_abandonment_risk",
        LowIncomeFamilies = "low_income_families",
        CombatantFamilies = "combatant_families",
        InternallyDisplacedPersons = "internally_displaced_persons",
        StudentYouth = "student_youth",
        ParentsEvadingDuties = "parents_evading_duties",
        HivAffectedFamilies = "hiv_affected_families",
        AddictionAffectedFamilies = "addiction_affected_families",
        FamiliesWithNewborns = "families_with_newborns",
        LargeFamilies = "large_families",
        UnderageParents = "underage_parents",
        ParentWhereaboutsUnknown = "parent_whereabouts_unknown",
        PregnantWomen = "pregnant_women",
        LonelyPersons = "lonely_persons",
        ChildRemovalRisk = "child_removal_risk",
        ResidentialCareExperience = "residential_care_experience",
        // The other services of a district department (seed 002).
        ChildrenWithoutParentalCare = "children_without_parental_care",
        CareLeavers = "care_leavers",
        ConflictWithLaw = "conflict_with_law",
        DeviantBehaviour = "deviant_behaviour",
        DomesticViolencePerpetrators = "domestic_violence_perpetrators",
    }
}

code_enum! {
    /// A domain of the client's life that an assessment or a plan goal concerns. Extensible.
    pub enum LifeDomain {
        ChildSafety = "child_safety",
        Health = "health",
        Psychological = "psychological",
        FamilyRelations = "family_relations",
        Housing = "housing",
        Finances = "finances",
        Employment = "employment",
        Education = "education",
        Legal = "legal",
        SubstanceUse = "substance_use",
    }
}

/// How a worker met the client (seed 003's contact schedule). Extensible: the built-in entries
/// are [`crate::contacts::ContactType`] (the one list contacts use); administrators add more.
pub use crate::contacts::ContactType;

code_enum! {
    /// Every list of reference data, as named in `/api/v1/reference/{list}`.
    pub enum ReferenceList {
        LifecycleStages = "lifecycle_stages",
        CaseManagementStages = "case_management_stages",
        IndividualStages = "individual_stages",
        WorkModels = "work_models",
        Urgencies = "urgencies",
        ClosureReasons = "closure_reasons",
        RejectionReasons = "rejection_reasons",
        AgreementKinds = "agreement_kinds",
        AgreementMethods = "agreement_methods",
        AgreementForms = "agreement_forms",
        AssessmentKinds = "assessment_kinds",
        EvaluationKinds = "evaluation_kinds",
        GoalOutcomes = "goal_outcomes",
        Roles = "roles",
        UnitKinds = "unit_kinds",
        SensitiveSections = "sensitive_sections",
        LegalBases = "legal_bases",
        ClientKinds = "client_kinds",
        FamilyRelations = "family_relations",
        Sexes = "sexes",
        MoveKinds = "move_kinds",
        ClientCategories = "client_categories",
        ReportSources = "report_sources",
        LifeDomains = "life_domains",
        ContactTypes = "contact_types",
    }
}

/// A built-in entry of a list: its code and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltIn {
    pub code: &'static str,
    pub labels: Labels,
}

fn built_ins<T: Labelled>() -> Vec<BuiltIn> {
    T::all()
        .iter()
        .map(|v| BuiltIn {
            code: v.code(),
            labels: v.labels(),
        })
        .collect()
}

impl ReferenceList {
    /// Whether administrators may add entries (otherwise the list is fixed: rules depend on it).
    pub const fn is_extensible(self) -> bool {
        use ReferenceList::*;
        match self {
            ClientCategories | ReportSources | LifeDomains | ContactTypes => true,
            LifecycleStages | CaseManagementStages | IndividualStages | WorkModels | Urgencies
            | ClosureReasons | RejectionReasons | AgreementKinds | AgreementMethods
            | AgreementForms | AssessmentKinds | EvaluationKinds | GoalOutcomes | Roles
            | UnitKinds | SensitiveSections | LegalBases | ClientKinds | FamilyRelations
            | Sexes | MoveKinds => false,
        }
    }

    /// The entries the domain declares, in declaration order (all of a fixed list's entries).
    pub fn built_in(self) -> Vec<BuiltIn> {
        use ReferenceList::*;
        match self {
            LifecycleStages => built_ins::<LifecycleStage>(),
            CaseManagementStages => built_ins::<CmStage>(),
            IndividualStages => built_ins::<IndividualStage>(),
            WorkModels => built_ins::<WorkModel>(),
            Urgencies => built_ins::<Urgency>(),
            ClosureReasons => built_ins::<ClosureReason>(),
            RejectionReasons => built_ins::<RejectionReason>(),
            AgreementKinds => built_ins::<AgreementKind>(),
            AgreementMethods => built_ins::<AgreementMethod>(),
            AgreementForms => built_ins::<AgreementForm>(),
            AssessmentKinds => built_ins::<AssessmentKind>(),
            EvaluationKinds => built_ins::<EvaluationKind>(),
            GoalOutcomes => built_ins::<GoalOutcome>(),
            Roles => built_ins::<Role>(),
            UnitKinds => built_ins::<UnitKind>(),
            SensitiveSections => built_ins::<SensitiveSection>(),
            LegalBases => built_ins::<LegalBasis>(),
            ClientKinds => built_ins::<ClientKind>(),
            FamilyRelations => built_ins::<FamilyRelation>(),
            Sexes => built_ins::<Sex>(),
            MoveKinds => built_ins::<MoveKind>(),
            ClientCategories => built_ins::<ClientCategory>(),
            ReportSources => built_ins::<ReportSource>(),
            LifeDomains => built_ins::<LifeDomain>(),
            ContactTypes => built_ins::<ContactType>(),
        }
    }

    /// Whether `code` is one of the list's built-in entries.
    pub fn is_built_in(self, code: &str) -> bool {
        self.built_in().iter().any(|b| b.code == code)
    }
}

/// Whether `code` may name a new entry of an extensible list: snake_case (lower-case ASCII
/// letters and digits in words joined by single underscores, starting with a letter), 2 to 64
/// characters.
pub fn is_valid_entry_code(code: &str) -> bool {
    (2..=64).contains(&code.len())
        && code.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && code.split('_').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

labels!(ReferenceList {
    LifecycleStages => ["Case lifecycle stages", "Етапи життєвого циклу випадку", "Этапы жизненного цикла случая", "Fáze životního cyklu případu"],
    CaseManagementStages => ["Case-management stages (6-stage model)", "Етапи кейс-менеджменту (6 етапів)", "Этапы ведения случая (6 этапов)", "Fáze case managementu (6 fází)"],
    IndividualStages => ["Individual case-work stages (12-stage model)", "Стадії індивідуальної роботи з випадком (12 стадій)", "Стадии индивидуальной работы со случаем (12 стадий)", "Fáze sociální práce s jednotlivcem (12 fází)"],
    WorkModels => ["Work models", "Моделі роботи з випадком", "Модели работы со случаем", "Modely práce s případem"],
    Urgencies => ["Urgency classes", "Ступені терміновості", "Степени срочности", "Stupně naléhavosti"],
    ClosureReasons => ["Case closure reasons", "Причини закриття випадку", "Причины закрытия случая", "Důvody uzavření případu"],
    RejectionReasons => ["Report rejection reasons", "Причини відхилення повідомлення", "Причины отклонения сообщения", "Důvody odmítnutí oznámení"],
    AgreementKinds => ["Kinds of agreement", "Види угод", "Виды соглашений", "Druhy dohod"],
    AgreementMethods => ["Ways of agreeing to a plan", "Способи погодження плану", "Способы согласования плана", "Způsoby souhlasu s plánem"],
    AgreementForms => ["Forms of agreement", "Форми угоди", "Формы соглашения", "Formy dohody"],
    AssessmentKinds => ["Kinds of assessment", "Види оцінки потреб", "Виды оценки потребностей", "Druhy mapování potřeb"],
    EvaluationKinds => ["Kinds of evaluation", "Види оцінювання", "Виды оценивания", "Druhy hodnocení"],
    GoalOutcomes => ["Goal outcomes", "Ступінь досягнення цілей", "Степень достижения целей", "Míra dosažení cílů"],
    Roles => ["Staff roles", "Ролі працівників", "Роли сотрудников", "Role pracovníků"],
    UnitKinds => ["Kinds of unit", "Типи підрозділів", "Типы подразделений", "Druhy organizačních útvarů"],
    SensitiveSections => ["Sensitive sections of a client's record", "Чутливі розділи справи клієнта", "Чувствительные разделы дела клиента", "Citlivé oddíly záznamu klienta"],
    LegalBases => ["Legal bases for disclosure", "Правові підстави розкриття інформації", "Правовые основания раскрытия информации", "Právní důvody zpřístupnění informací"],
    ClientKinds => ["Kinds of client", "Типи клієнтів", "Типы клиентов", "Druhy klientů"],
    FamilyRelations => ["Family relations", "Родинні зв'язки", "Родственные связи", "Rodinné vztahy"],
    Sexes => ["Sex", "Стать", "Пол", "Pohlaví"],
    MoveKinds => ["Kinds of stage transition", "Види переходів між етапами", "Виды переходов между этапами", "Druhy přechodů mezi fázemi"],
    ClientCategories => ["Client categories", "Категорії клієнтів", "Категории клиентов", "Cílové skupiny klientů"],
    ReportSources => ["Report sources", "Джерела повідомлень", "Источники сообщений", "Zdroje oznámení"],
    LifeDomains => ["Life domains", "Сфери життєдіяльності", "Сферы жизнедеятельности", "Oblasti života"],
    ContactTypes => ["Contact types", "Види контактів", "Виды контактов", "Druhy kontaktů"],
});

// ---- Fixed lists -------------------------------------------------------------------------------

labels!(LifecycleStage {
    Intake => ["Intake", "Прийом інформації", "Прием информации", "Příjem informací"],
    Verification => ["Verification", "Перевірка інформації", "Проверка информации", "Ověření informací"],
    NeedRecognition => ["Need recognition", "Визнання потреби", "Признание нуждаемости", "Uznání potřebnosti pomoci"],
    Rejected => ["Rejected", "Відхилено", "Отклонено", "Odmítnuto"],
    Attached => ["Attached to an open case", "Приєднано до відкритого випадку", "Присоединено к открытому случаю", "Připojeno k otevřenému případu"],
    Opened => ["Case opening", "Відкриття випадку", "Открытие случая", "Otevření případu"],
    Planning => ["Plan development and approval", "Розробка і затвердження плану", "Разработка и утверждение плана реабилитации", "Tvorba a schválení plánu postupu"],
    Implementation => ["Plan execution", "Виконання плану", "Выполнение плана", "Realizace plánu postupu"],
    Monitoring => ["Monitoring", "Моніторинг", "Мониторинг", "Monitorování"],
    Closed => ["Case closure", "Закриття випадку", "Закрытие случая", "Uzavření případu"],
});

labels!(CmStage {
    EstablishingContact => ["Establishing contact", "Встановлення контакту", "Установление контакта", "Navázání kontaktu"],
    NeedsAssessment => ["Needs assessment", "Оцінка потреб", "Оценка потребностей", "Mapování potřeb"],
    Planning => ["Planning", "Планування", "Планирование", "Plánování"],
    ImplementationAndMonitoring => ["Implementation and monitoring", "Реалізація та моніторинг", "Реализация и мониторинг", "Realizace a monitorování"],
    EvaluationOfResults => ["Evaluation of results", "Оцінювання результатів", "Оценивание результатов", "Vyhodnocení výsledků"],
    Completion => ["Completion", "Завершення", "Завершение", "Ukončení spolupráce"],
});

labels!(IndividualStage {
    InitialContact => ["Initial contact and the client's need for change", "Встановлення первинного зв'язку", "Установление первичной связи", "Navázání prvního kontaktu"],
    ProblemExploration => ["Exploring and clarifying the problem", "Дослідження та з'ясування проблеми", "Исследование и разъяснение проблемы", "Zkoumání a objasnění problému"],
    PreliminaryContract => ["Preliminary contract and motivation", "Попередній контракт і мотивація", "Предварительный контракт и мотивация", "Předběžný kontrakt a motivace"],
    Assessment => ["Assessment", "Оцінка", "Оценка", "Posouzení situace"],
    ProblemConceptualisation => ["Conceptualising the problem", "Концептуалізація проблеми", "Концептуализация проблемы", "Konceptualizace problému"],
    StrategyExploration => ["Exploring strategies and developing the intervention plan", "Дослідження стратегій розв'язання", "Исследование стратегий решения", "Hledání strategií řešení"],
    StrategyAndContract => ["Choosing the strategy and concluding the contract", "Вибір стратегії та укладення контракту", "Выбор стратегии и заключение контракта", "Volba strategie a uzavření kontraktu"],
    InterventionPreparation => ["Preparing the intervention", "Підготовка до втручання", "Подготовка к вмешательству", "Příprava intervence"],
    Intervention => ["Carrying out the intervention", "Здійснення втручання", "Осуществление вмешательства", "Provádění intervence"],
    BarrierAssessment => ["Assessing barriers", "Оцінка бар'єрів", "Оценка барьеров", "Posouzení překážek"],
    InterventionControl => ["Control and evaluation of the intervention", "Контроль і оцінка втручання", "Контроль и оценка вмешательства", "Kontrola a vyhodnocení intervence"],
    Evolution => ["Evolution: ending the work", "Еволюція: завершення роботи", "Эволюция", "Evoluce: ukončení spolupráce"],
});

labels!(WorkModel {
    CaseManagement => ["Case management (6 stages): a key worker coordinates the services, alone (individual) or with a team", "Ведення випадку, кейс-менеджмент (6 етапів): кейс-менеджер координує послуги сам (індивідуальне) або з командою", "Ведение случая, кейс-менеджмент (6 этапов): куратор координирует услуги сам (индивидуальное) или с командой", "Case management (6 fází): klíčový pracovník koordinuje služby sám (individuální CM) nebo s týmem (týmový CM)"],
    Individual => ["Individual case work (12 stages): one worker one to one with the client, not case management", "Індивідуальна робота з випадком (12 стадій): працівник один на один із клієнтом, не кейс-менеджмент", "Индивидуальная работа со случаем (12 стадий): работник один на один с клиентом, не ведение случая", "Sociální práce s jednotlivcem (12 fází): pracovník s klientem jeden na jednoho, nikoli case management"],
});

labels!(Urgency {
    Emergency => ["Emergency", "Екстрено", "Экстренно", "Akutní"],
    Urgent => ["Urgent", "Терміново", "Срочно", "Naléhavé"],
    Routine => ["Routine", "У плановому порядку", "В плановом порядке", "Běžné"],
});

labels!(ClosureReason {
    GoalsAchieved => ["Goals achieved", "Цілі досягнуто", "Цели достигнуты", "Cíle byly dosaženy"],
    ClientEndedAgreement => ["The client ended the agreement", "Клієнт в односторонньому порядку розірвав угоду", "Клиент в одностороннем порядке расторг договор", "Klient jednostranně ukončil dohodu"],
    AgreementBreached => ["The client breached the agreement", "Клієнт порушив угоду", "Клиент нарушил договор", "Klient porušil dohodu"],
    UnlawfulRequest => ["The client asked for something unlawful", "Клієнт вимагав протиправних дій", "Клиент требовал противоправных действий", "Klient požadoval protiprávní jednání"],
    MovedAway => ["Moved away", "Вибув за межі території обслуговування", "Выбыл за пределы территории обслуживания", "Přestěhoval se mimo působnost"],
    ClientDied => ["The client died", "Смерть клієнта", "Смерть клиента", "Úmrtí klienta"],
    TransferredToAnotherAgency => ["Transferred to another agency", "Передано до іншої установи", "Передан в другое учреждение", "Předáno jiné organizaci"],
    LostContact => ["Contact lost", "Втрачено зв'язок із клієнтом", "Утрачена связь с клиентом", "Ztráta kontaktu s klientem"],
    ContractEnded => ["The agreement's term ended", "Закінчився строк дії договору", "Истёк срок действия договора", "Skončila doba platnosti smlouvy"],
    FalseInformation => ["The client gave false information", "Клієнт надав недостовірну інформацію", "Клиент предоставил недостоверную информацию", "Klient uvedl nepravdivé údaje"],
    ProviderClosed => ["The provider ceased the service", "Припинення діяльності надавача послуг", "Прекращение деятельности поставщика услуг", "Poskytovatel ukončil činnost"],
});

labels!(RejectionReason {
    InformationNotConfirmed => ["Information not confirmed", "Інформація не підтвердилася", "Информация не подтвердилась", "Informace se nepotvrdily"],
    NeedNotRecognised => ["Need not recognised", "Потребу в допомозі не визнано", "Нуждаемость не признана", "Potřebnost pomoci nebyla uznána"],
    OutsideCompetence => ["Outside the agency's competence", "Поза компетенцією установи", "Вне компетенции учреждения", "Mimo působnost organizace"],
    DuplicateReport => ["Duplicate report", "Повторне повідомлення", "Повторное сообщение", "Duplicitní oznámení"],
    ClientRefused => ["The client refused help", "Клієнт відмовився від допомоги", "Клиент отказался от помощи", "Klient pomoc odmítl"],
});

labels!(AgreementKind {
    ServiceAgreement => ["Service agreement", "Угода про надання соціальних послуг", "Договор об оказании социальных услуг", "Smlouva o poskytnutí sociální služby"],
    InformedConsent => ["Informed consent", "Поінформована згода", "Информированное согласие", "Informovaný souhlas"],
    PreliminaryContract => ["Preliminary (oral) contract", "Попередній (усний) контракт", "Предварительный (устный) контракт", "Předběžný (ústní) kontrakt"],
    ConcludedContract => ["Concluded contract", "Укладений контракт", "Заключённый контракт", "Uzavřený kontrakt"],
    Termination => ["Agreed termination", "Погоджене завершення взаємодії", "Согласованное завершение взаимодействия", "Dohodnuté ukončení spolupráce"],
    PlanAgreement => ["Agreement to the plan", "Погодження плану", "Согласование плана", "Souhlas s plánem"],
    ProgrammeInclusion => ["Programme inclusion agreement", "Угода про включення до програми", "Соглашение о включении в программу", "Dohoda o zařazení do programu"],
});

labels!(AgreementForm {
    Oral => ["Oral (agreed before a witness)", "Усна (погоджено в присутності свідка)", "Устная (согласовано в присутствии свидетеля)", "Ústní (sjednáno před svědkem)"],
    Written => ["Written (signed)", "Письмова (підписана)", "Письменная (подписана)", "Písemná (podepsaná)"],
});

labels!(AgreementMethod {
    Signed => ["Signed", "Підписом", "Подписью", "Podpisem"],
    Oral => ["Orally", "Усно", "Устно", "Ústně"],
    Electronic => ["Electronically", "Електронно", "Электронно", "Elektronicky"],
});

labels!(AssessmentKind {
    Initial => ["Initial assessment", "Первинна оцінка", "Первичная оценка", "Vstupní mapování potřeb"],
    ReAssessment => ["Re-assessment", "Повторна оцінка", "Повторная оценка", "Opakované mapování potřeb"],
});

labels!(EvaluationKind {
    Interim => ["Interim evaluation", "Проміжне оцінювання", "Промежуточная оценка", "Průběžné hodnocení"],
    Final => ["Final evaluation", "Підсумкове оцінювання", "Итоговая оценка", "Závěrečné hodnocení"],
});

labels!(GoalOutcome {
    Achieved => ["Achieved", "Досягнуто", "Достигнуто", "Dosaženo"],
    PartlyAchieved => ["Partly achieved", "Частково досягнуто", "Частично достигнуто", "Částečně dosaženo"],
    NotAchieved => ["Not achieved", "Не досягнуто", "Не достигнуто", "Nedosaženo"],
});

labels!(Role {
    IntakeOfficer => ["Intake officer", "Фахівець із прийому", "Специалист по приёму", "Pracovník příjmu"],
    CaseManager => ["Case manager (key worker)", "Кейс-менеджер", "Куратор случая", "Klíčový pracovník"],
    Specialist => ["Specialist", "Фахівець", "Специалист", "Odborný pracovník"],
    Supervisor => ["Supervisor", "Керівник", "Руководитель", "Vedoucí pracovník"],
    Facilitator => ["Facilitator", "Фасилітатор", "Фасилитатор", "Facilitátor"],
    Provider => ["Service provider", "Надавач послуг", "Поставщик услуг", "Poskytovatel služeb"],
    Registry => ["Registry", "Реєстр", "Реестр", "Registr"],
    Auditor => ["Auditor", "Аудитор", "Аудитор", "Auditor"],
    Admin => ["Administrator", "Адміністратор", "Администратор", "Administrátor"],
});

labels!(UnitKind {
    Department => ["Department", "Департамент", "Департамент", "Odbor"],
    Centre => ["Centre of social services", "Центр соціальних служб", "Центр социальных служб", "Centrum sociálních služeb"],
    DistrictDepartment => ["District social-work department", "Районний відділ соціальної роботи", "Районный отдел социальной работы", "Oddělení sociální práce městské části"],
    Service => ["Service", "Служба", "Служба", "Služba"],
    Sector => ["Sector", "Сектор", "Сектор", "Úsek"],
});

labels!(SensitiveSection {
    Health => ["Health", "Стан здоров'я", "Состояние здоровья", "Zdravotní stav"],
    HivStatus => ["HIV status", "ВІЛ-статус", "ВИЧ-статус", "HIV status"],
    SubstanceUse => ["Substance use and treatment", "Вживання психоактивних речовин і лікування", "Употребление психоактивных веществ и лечение", "Užívání návykových látek a léčba"],
    Violence => ["Violence", "Насильство", "Насилие", "Násilí"],
    ConflictWithLaw => ["Conflict with the law", "Конфлікт із законом", "Конфликт с законом", "Konflikt se zákonem"],
    LegalHistory => ["Legal history", "Правова історія", "Правовая история", "Právní minulost"],
    IdentityDocuments => ["Identity documents", "Документи, що посвідчують особу", "Документы, удостоверяющие личность", "Doklady totožnosti"],
    ReporterIdentity => ["Who reported the family", "Особа заявника", "Личность заявителя", "Totožnost oznamovatele"],
});

labels!(LegalBasis {
    ChildInDanger => ["A child in danger", "Загроза життю чи здоров'ю дитини", "Угроза жизни или здоровью ребёнка", "Ohrožení dítěte"],
    LawEnforcementRequest => ["Request of the police or the prosecutor", "Запит поліції або прокуратури", "Запрос полиции или прокуратуры", "Žádost policie nebo státního zastupitelství"],
    CourtOrder => ["Court order", "Рішення суду", "Решение суда", "Rozhodnutí soudu"],
    VitalInterest => ["Protection of life or health", "Захист життя чи здоров'я", "Защита жизни или здоровья", "Ochrana života nebo zdraví"],
});

labels!(ClientKind {
    Person => ["Person", "Особа", "Лицо", "Osoba"],
    Family => ["Family", "Сім'я", "Семья", "Rodina"],
});

labels!(FamilyRelation {
    Head => ["Head of the household", "Голова домогосподарства", "Глава домохозяйства", "Hlava domácnosti"],
    Spouse => ["Spouse", "Чоловік / дружина", "Супруг / супруга", "Manžel / manželka"],
    Partner => ["Partner", "Партнер / партнерка", "Партнёр / партнёрша", "Partner / partnerka"],
    Child => ["Child", "Дитина", "Ребёнок", "Dítě"],
    Stepchild => ["Stepchild", "Пасинок / падчерка", "Пасынок / падчерица", "Nevlastní dítě"],
    FosterChild => ["Foster child", "Прийомна дитина", "Приёмный ребёнок", "Dítě v pěstounské péči"],
    Parent => ["Parent", "Батько / мати", "Отец / мать", "Rodič"],
    Grandparent => ["Grandparent", "Дідусь / бабуся", "Дедушка / бабушка", "Prarodič"],
    Grandchild => ["Grandchild", "Онук / онука", "Внук / внучка", "Vnouče"],
    Sibling => ["Sibling", "Брат / сестра", "Брат / сестра", "Sourozenec"],
    Guardian => ["Guardian", "Опікун / піклувальник", "Опекун / попечитель", "Poručník / opatrovník"],
    OtherRelative => ["Other relative", "Інший родич", "Другой родственник", "Jiný příbuzný"],
    Other => ["Other", "Інше", "Другое", "Jiný vztah"],
});

labels!(Sex {
    Female => ["Female", "Жіноча", "Женский", "Žena"],
    Male => ["Male", "Чоловіча", "Мужской", "Muž"],
    Other => ["Other", "Інша", "Другой", "Jiné"],
    Unknown => ["Unknown", "Невідомо", "Неизвестно", "Neuvedeno"],
});

labels!(MoveKind {
    Forward => ["Forward to the next stage", "Перехід до наступного етапу", "Переход к следующему этапу", "Postup do další fáze"],
    StepBack => ["Step back", "Повернення до попереднього етапу", "Возврат к предыдущему этапу", "Návrat do dřívější fáze"],
    Opening => ["Case opening", "Відкриття випадку", "Открытие случая", "Otevření případu"],
    Rejection => ["Report rejection", "Відхилення повідомлення", "Отклонение сообщения", "Odmítnutí oznámení"],
    Attachment => ["Attachment to an open case", "Приєднання до відкритого випадку", "Присоединение к открытому случаю", "Připojení k otevřenému případu"],
    PlanCorrection => ["Plan correction", "Коригування плану", "Корректировка плана", "Úprava plánu postupu"],
    Closure => ["Case closure", "Закриття випадку", "Закрытие случая", "Uzavření případu"],
    Reopening => ["Case reopening", "Повторне відкриття випадку", "Повторное открытие случая", "Znovuotevření případu"],
});

// ---- Built-in entries of the extensible lists ------------------------------------------------

labels!(ClientCategory {
    SingleParent => ["Single mother or father", "Одинока матір (батько)", "Одинокая мать (отец)", "Osamělá matka (otec)"],
    Disability => ["Persons and children with special needs", "Особи та діти з особливими потребами", "Лица и дети с особыми потребностями", "Osoby a děti se zdravotním postižením"],
    LongTermIllness => ["Parents and children with a long-term illness", "Батьки та діти з довготривалою хворобою", "Родители и дети с длительным заболеванием", "Rodiče a děti s dlouhodobým onemocněním"],
    ViolenceVictims => ["Victims of violence or abuse, children included", "Особи, у тому числі діти, які постраждали від насильства, жорстокого поводження", "Лица, в том числе дети, пострадавшие от насилия, жестокого обращения", "Oběti násilí a týrání včetně dětí"],
    TraffickingVictims => ["Victims of human trafficking, children included", "Особи, у тому числі діти, які постраждали від торгівлі людьми", "Лица, в том числе дети, пострадавшие от торговли людьми", "Oběti obchodování s lidmi včetně dětí"],
    ChildrenRemoved => ["Parents whose children were removed without deprivation of parental rights", "Батьки, у яких діти відібрані без позбавлення батьківських прав", "Родители, у которых дети отобраны без лишения родительских прав", "Rodiče, jimž bylo dítě odebráno bez zbavení rodičovské odpovědnosti"],
    DivorcingParents => ["Parents filing for or going through divorce", "Батьки, які подали заяву про розлучення або перебувають у процесі розлучення", "Родители, подавшие заявление о разводе или находящиеся в процессе развода", "Rodiče v rozvodovém řízení"],
    LabourMigrantParents => ["Parents who are labour migrants", "Батьки — трудові мігранти", "Родители — трудовые мигранты", "Rodiče – pracovní migranti"],
    ChildrenInResidentialCare => ["Children in residential institutions or being placed there", "Діти, які перебувають в інтернатних закладах або оформлюються до них", "Дети, находящиеся в интернатных учреждениях или оформляемые в них", "Děti v ústavní péči nebo do ní umisťované"],
    NewbornAbandonmentRisk => ["Women intending to give up a newborn child", "Жінки, що виявили намір відмовитися від новонародженої дитини", "Женщины, намеренные отказаться от новорождённого ребёнка", "Ženy se záměrem vzdát se novorozeného dítěte"],
    LowIncomeFamilies => ["Low-income families", "Малозабезпечені сім'ї", "Малообеспеченные семьи", "Rodiny s nízkými příjmy"],
    CombatantFamilies => ["Families of ATO participants (combatants)", "Члени сімей учасників АТО", "Члены семей участников АТО", "Rodiny účastníků bojových operací (ATO)"],
    InternallyDisplacedPersons => ["Internally displaced persons", "Внутрішньо переміщені особи (ВПО)", "Внутренне перемещённые лица", "Vnitřně vysídlené osoby"],
    StudentYouth => ["Students", "Студентська молодь", "Студенческая молодёжь", "Studující mládež"],
    ParentsEvadingDuties => ["Parents evading their parental duties", "Батьки, які ухиляються від виконання батьківських обов'язків", "Родители, уклоняющиеся от выполнения родительских обязанностей", "Rodiče zanedbávající rodičovské povinnosti"],
    HivAffectedFamilies => ["Families affected by HIV/AIDS", "Члени сімей, яких торкнулася проблема ВІЛ/СНІД", "Члены семей, затронутых проблемой ВИЧ/СПИД", "Rodiny zasažené HIV/AIDS"],
    AddictionAffectedFamilies => ["Families with addiction problems", "Члени сімей, які мають проблеми залежностей", "Члены семей с проблемами зависимостей", "Rodiny s problémem závislosti"],
    FamiliesWithNewborns => ["Families with newborn children", "Сім'ї з новонародженими дітьми", "Семьи с новорождёнными детьми", "Rodiny s novorozenými dětmi"],
    LargeFamilies => ["Large families", "Багатодітні сім'ї", "Многодетные семьи", "Početné rodiny"],
    UnderageParents => ["Underage parents", "Неповнолітні батьки", "Несовершеннолетние родители", "Nezletilí rodiče"],
    ParentWhereaboutsUnknown => ["Families where one parent's whereabouts are unknown", "Сім'ї, де місце знаходження одного з батьків невідоме", "Семьи, где местонахождение одного из родителей неизвестно", "Rodiny, kde není znám pobyt jednoho z rodičů"],
    PregnantWomen => ["Pregnant women", "Вагітні жінки", "Беременные женщины", "Těhotné ženy"],
    LonelyPersons => ["Persons living alone", "Самотні особи", "Одинокие лица", "Osamělé osoby"],
    ChildRemovalRisk => ["Families at risk of child removal", "Сім'ї, в яких є ризик вилучення дитини", "Семьи, в которых есть риск изъятия ребёнка", "Rodiny ohrožené odebráním dítěte"],
    ResidentialCareExperience => ["Families whose members grew up in residential care", "Сім'ї, члени яких мають досвід перебування в інтернатних закладах", "Семьи, члены которых имеют опыт пребывания в интернатных учреждениях", "Rodiny, jejichž členové vyrůstali v ústavní péči"],
    ChildrenWithoutParentalCare => ["Orphans and children deprived of parental care", "Діти-сироти та діти, позбавлені батьківського піклування", "Дети-сироты и дети, оставшиеся без попечения родителей", "Sirotci a děti bez rodičovské péče"],
    CareLeavers => ["Care leavers (young people formerly in care)", "Особи з числа дітей-сиріт та дітей, позбавлених батьківського піклування", "Лица из числа детей-сирот и детей, оставшихся без попечения родителей", "Mladí lidé odcházející z náhradní péče"],
    ConflictWithLaw => ["Persons and children in conflict with the law", "Особи та діти в конфлікті із законом", "Лица и дети в конфликте с законом", "Osoby a děti v konfliktu se zákonem"],
    DeviantBehaviour => ["Children with deviant behaviour", "Діти з девіантною поведінкою", "Дети с девиантным поведением", "Děti s rizikovým chováním"],
    DomesticViolencePerpetrators => ["Perpetrators of domestic violence in a correction programme", "Особи, які вчинили насильство в сім'ї та проходять корекційну програму", "Лица, совершившие насилие в семье и проходящие коррекционную программу", "Osoby páchající domácí násilí v programu změny chování"],
});

labels!(ReportSource {
    Hotline => ["Hotline", "Гаряча лінія", "Горячая линия", "Linka pomoci"],
    WalkIn => ["Walk-in", "Особисте звернення", "Личное обращение", "Osobní návštěva"],
    School => ["School", "Заклад освіти", "Образовательное учреждение", "Škola"],
    Police => ["Police", "Поліція", "Полиция", "Policie"],
    Health => ["Health care", "Заклад охорони здоров'я", "Учреждение здравоохранения", "Zdravotnické zařízení"],
    Ngo => ["Non-governmental organisation", "Громадська організація", "Общественная организация", "Nestátní nezisková organizace"],
    SelfReferral => ["The client themselves", "Звернення самого клієнта", "Обращение самого клиента", "Žádost samotného klienta"],
    Anonymous => ["Anonymous report", "Анонімне повідомлення", "Анонимное сообщение", "Anonymní oznámení"],
});

labels!(LifeDomain {
    ChildSafety => ["Child safety", "Безпека дитини", "Безопасность ребёнка", "Bezpečí dítěte"],
    Health => ["Health", "Здоров'я", "Здоровье", "Zdraví"],
    Psychological => ["Psychological well-being", "Психологічний стан", "Психологическое состояние", "Psychický stav"],
    FamilyRelations => ["Family relations", "Сімейні стосунки", "Семейные отношения", "Rodinné vztahy"],
    Housing => ["Housing", "Житло", "Жильё", "Bydlení"],
    Finances => ["Finances", "Фінанси", "Финансы", "Finance"],
    Employment => ["Employment", "Зайнятість", "Занятость", "Zaměstnání"],
    Education => ["Education", "Освіта", "Образование", "Vzdělávání"],
    Legal => ["Legal matters", "Правові питання", "Правовые вопросы", "Právní záležitosti"],
    SubstanceUse => ["Substance use", "Вживання психоактивних речовин", "Употребление психоактивных веществ", "Užívání návykových látek"],
});

labels!(ContactType {
    HomeVisit => ["Home visit", "Відвідування вдома", "Посещение на дому", "Návštěva v domácnosti"],
    OfficeVisit => ["Office visit", "Прийом в установі", "Приём в учреждении", "Konzultace na pracovišti"],
    PhoneCall => ["Phone call", "Телефонна розмова", "Телефонный разговор", "Telefonický kontakt"],
    OnlineSession => ["Online session", "Онлайн-зустріч", "Онлайн-встреча", "Online konzultace"],
    Other => ["Other contact", "Інший контакт", "Другой контакт", "Jiný kontakt"],
});

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_code_of_every_list_has_a_distinct_label_in_every_language() {
        for list in ReferenceList::ALL {
            let entries = list.built_in();
            assert!(!entries.is_empty(), "{list} has no entries");
            for language in Language::ALL {
                let mut seen = BTreeSet::new();
                for entry in &entries {
                    let label = entry.labels.get(*language);
                    assert!(
                        !label.trim().is_empty(),
                        "{list}/{} has no {language} label",
                        entry.code
                    );
                    assert_eq!(label, label.trim(), "{list}/{} {language}", entry.code);
                    assert!(
                        seen.insert(label.to_lowercase()),
                        "{list}: the {language} label {label:?} is used twice"
                    );
                }
            }
            let codes: BTreeSet<&str> = entries.iter().map(|e| e.code).collect();
            assert_eq!(codes.len(), entries.len(), "{list} repeats a code");
        }
    }

    #[test]
    fn list_names_have_distinct_labels_in_every_language() {
        for language in Language::ALL {
            let labels: BTreeSet<&str> = ReferenceList::ALL
                .iter()
                .map(|l| l.labels().get(*language))
                .collect();
            assert_eq!(labels.len(), ReferenceList::ALL.len(), "{language}");
        }
    }

    #[test]
    fn the_fixed_lists_are_the_domain_code_lists() {
        use ReferenceList::*;
        let count = |l: ReferenceList| l.built_in().len();
        assert_eq!(count(LifecycleStages), 10);
        assert_eq!(count(CaseManagementStages), 6);
        assert_eq!(count(IndividualStages), 12);
        assert_eq!(count(ReportSources), ReportSource::ALL.len());
        assert!(count(ClientCategories) >= 25);
        assert_eq!(count(LifeDomains), 10);
        assert_eq!(count(ContactTypes), ContactType::ALL.len());
        assert!(ReferenceList::ContactTypes.is_built_in("other"));
        let extensible: Vec<_> = ReferenceList::ALL
            .iter()
            .filter(|l| l.is_extensible())
            .copied()
            .collect();
        assert_eq!(
            extensible,
            vec![ClientCategories, ReportSources, LifeDomains, ContactTypes]
        );
    }

    #[test]
    fn the_six_stage_model_is_case_management_individual_or_team_and_the_twelve_stage_one_is_not() {
        // Seed 004: case management is individual (one key worker coordinates) or team; seed 001's
        // 12 stages are one worker's case work. A Czech worker must not pick the 12-stage model
        // for "individuální case management".
        let cm = WorkModel::CaseManagement.labels();
        assert!(
            cm.cs.contains("individuální") && cm.cs.contains("týmový"),
            "{}",
            cm.cs
        );
        assert!(
            cm.en.contains("Case management") && cm.en.contains("team"),
            "{}",
            cm.en
        );
        let individual = WorkModel::Individual.labels();
        for text in [individual.en, individual.uk, individual.ru, individual.cs] {
            assert!(
                [
                    "not case management",
                    "не кейс-менеджмент",
                    "не ведение случая",
                    "nikoli case management"
                ]
                .iter()
                .any(|not| text.contains(not)),
                "{text}"
            );
        }
    }

    #[test]
    fn the_seed_terms_are_used() {
        assert_eq!(LifecycleStage::Intake.labels().uk, "Прийом інформації");
        assert_eq!(
            LifecycleStage::NeedRecognition.labels().ru,
            "Признание нуждаемости"
        );
        assert_eq!(CmStage::NeedsAssessment.labels().uk, "Оцінка потреб");
        assert_eq!(CmStage::NeedsAssessment.labels().cs, "Mapování potřeb");
        assert_eq!(
            IndividualStage::BarrierAssessment.labels().ru,
            "Оценка барьеров"
        );
        assert_eq!(Role::CaseManager.labels().cs, "Klíčový pracovník");
    }

    #[test]
    fn built_in_codes_are_valid_entry_codes() {
        for list in ReferenceList::ALL {
            for entry in list.built_in() {
                assert!(is_valid_entry_code(entry.code), "{list}/{}", entry.code);
            }
        }
    }

    #[test]
    fn entry_codes_are_snake_case_of_2_to_64_characters() {
        for ok in ["ab", "single_parent", "roma_families", "group_2", "a1"] {
            assert!(is_valid_entry_code(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "Single",
            "single-parent",
            "_x",
            "x_",
            "a__b",
            "2nd",
            "с_кирилицею",
            "a b",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_entry_code(bad), "{bad}");
        }
        assert!(is_valid_entry_code(&"a".repeat(64)));
    }

    fn pick(header: &str) -> &'static str {
        Language::negotiate(Some(header)).code()
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(Language::negotiate(None), Language::En);
        assert_eq!(pick(""), "en");
        assert_eq!(pick("uk"), "uk");
        assert_eq!(pick("uk-UA"), "uk");
        assert_eq!(pick("UK-ua"), "uk");
        assert_eq!(pick("ru-RU,ru;q=0.9,en;q=0.8"), "ru");
        assert_eq!(pick("cs;q=0.8, uk;q=0.9"), "uk");
        assert_eq!(pick("de-DE, cs;q=0.8, en;q=0.5"), "cs");
        assert_eq!(pick("de, fr;q=0.9"), "en");
        assert_eq!(pick("*"), "en");
        assert_eq!(pick("de, *;q=0.1"), "en");
        assert_eq!(pick("en;q=0, *"), "uk");
        assert_eq!(pick("uk;q=0, cs"), "cs");
        assert_eq!(pick("uk;q=0"), "en");
        // Equal weights: the range named first wins; a named one beats `*`.
        assert_eq!(pick("cs, ru"), "cs");
        assert_eq!(pick("*, ru"), "ru");
        // A named range (with or without a region) outweighs `*`; among them the highest counts.
        assert_eq!(pick("uk-UA;q=0, uk;q=1, cs;q=0.5"), "uk");
        assert_eq!(pick("uk-UA;q=0.9, uk;q=0.2, cs;q=0.5"), "uk");
        assert_eq!(pick("*;q=0.9, cs;q=0.5"), "en");
        assert_eq!(pick("cs;q=0, *"), "en");
        assert_eq!(pick("uk;q=0.1, ru;q=0.2, *;q=0.9"), "en");
        // Malformed ranges and weights are skipped.
        assert_eq!(pick("uk;q=2, cs;q=0.5"), "cs");
        assert_eq!(pick("uk;q=abc, ru;q=0.1"), "ru");
        assert_eq!(pick("uk;q=0.1234, ru;q=0.1"), "ru");
        assert_eq!(pick("uk_UA, cs;q=0.3"), "cs");
        assert_eq!(pick(" ru ; q=0.7 ,en;q=0.6"), "ru");
        assert_eq!(pick("ru;Q=1.000"), "ru");
        assert_eq!(pick(";;;,,,=,q="), "en");
    }
}
