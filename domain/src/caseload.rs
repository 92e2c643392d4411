//! Caseload weighting for key-worker suggestions (seed 001: the urgency pre-assessment "spreads the
//! load evenly over specialists"). A case weighs its urgency's weight times its work model's
//! factor; a key worker's load is the sum over their active cases. **Design** defaults: emergency
//! 3, urgent 2, routine 1 (one emergency case outweighs two routine ones); individual work ×1.0,
//! case management ×1.5 (team cases cost more coordination: conferences, several providers).
//!
//! The suggestion ranks by the lowest weighted load; ties go to whoever has fewer active cases of
//! the new case's urgency (so emergencies are spread too), then fewer active cases, then the
//! order given (the caller's, e.g. by staff id).
//!
//! A key worker leads at most [`CaseloadPolicy::max_families`] families (the clients of their
//! active cases; default [`DEFAULT_MAX_FAMILIES`]): one at or over it ranks after everyone with
//! room and is never the suggestion, and assigning them a case is allowed (a supervisor may have
//! nobody else) but warned about.

use std::cmp::Ordering;

use crate::codes::Urgency;
use crate::work_model::WorkModel;

/// The weight of each urgency class and the factor of each work model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseloadWeights {
    pub emergency: f64,
    pub urgent: f64,
    pub routine: f64,
    pub case_management: f64,
    pub individual: f64,
}

impl Default for CaseloadWeights {
    fn default() -> Self {
        CaseloadWeights {
            emergency: 3.0,
            urgent: 2.0,
            routine: 1.0,
            case_management: 1.5,
            individual: 1.0,
        }
    }
}

/// The largest weight or factor accepted (anything above is a typo, not a policy).
pub const MAX_WEIGHT: f64 = 100.0;

/// The default maximum caseload: at most 80 families per social worker, the Czech OSPOD
/// (socially-legal protection of children) staffing standard, decree 473/2012 Sb., annex 1.
/// Ukrainian law sets no such number; an agency sets its own (`OPORA_MAX_CASELOAD`).
pub const DEFAULT_MAX_FAMILIES: u32 = 80;

/// How key-worker suggestions weigh cases, and how many families one key worker may lead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseloadPolicy {
    pub weights: CaseloadWeights,
    /// At most this many families (distinct clients of their active cases) per key worker.
    pub max_families: u32,
}

impl Default for CaseloadPolicy {
    fn default() -> Self {
        CaseloadPolicy {
            weights: CaseloadWeights::default(),
            max_families: DEFAULT_MAX_FAMILIES,
        }
    }
}

/// A key worker at or over the maximum caseload was assigned a case anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverMaximum {
    /// The families they lead with the new case.
    pub families: u32,
    pub max_families: u32,
}

impl CaseloadPolicy {
    /// A key worker has room for another family while they lead fewer than the maximum.
    pub fn has_room(&self, families: u32) -> bool {
        families < self.max_families
    }

    /// Assigning a key worker who, with the new case, would lead more families than the maximum
    /// is allowed, with a warning. `families_after` counts the new case's family once, whether
    /// or not they lead another case of it already.
    pub fn assignment_warning(&self, families_after: u32) -> Option<OverMaximum> {
        (families_after > self.max_families).then_some(OverMaximum {
            families: families_after,
            max_families: self.max_families,
        })
    }

    /// Orders candidates best first for a new case of `urgency`: whoever has room for another
    /// family before whoever is at or over the maximum, then by [`compare`]. `load` gives a
    /// candidate's caseload and the families they lead. Stable, like [`rank`].
    pub fn rank<T>(
        &self,
        candidates: &mut [T],
        load: impl Fn(&T) -> (&Caseload, u32),
        urgency: Urgency,
    ) {
        candidates.sort_by(|a, b| {
            let ((a, a_families), (b, b_families)) = (load(a), load(b));
            (!self.has_room(a_families))
                .cmp(&!self.has_room(b_families))
                .then_with(|| compare(a, b, &self.weights, urgency))
        });
    }

    /// Parses the maximum caseload setting: a whole number of families, at least 1.
    pub fn parse_max_families(setting: &str) -> Result<u32, String> {
        setting
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("{setting:?} is not a whole number of families, at least 1"))
    }
}

/// Why a weights setting could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightsError {
    #[error("{0:?} is not KEY=WEIGHT")]
    Malformed(String),
    #[error("{0:?} is neither an urgency (emergency, urgent, routine) nor a work model (case_management, individual)")]
    UnknownKey(String),
    #[error("{key}: {value:?} is not a number above 0 and at most 100")]
    BadWeight { key: String, value: String },
    #[error("{0} is given twice")]
    Duplicate(String),
}

impl CaseloadWeights {
    pub fn urgency(&self, urgency: Urgency) -> f64 {
        match urgency {
            Urgency::Emergency => self.emergency,
            Urgency::Urgent => self.urgent,
            Urgency::Routine => self.routine,
        }
    }

    pub fn work_model(&self, model: WorkModel) -> f64 {
        match model {
            WorkModel::CaseManagement => self.case_management,
            WorkModel::Individual => self.individual,
        }
    }

    /// What one active case of this urgency and model weighs.
    pub fn case_weight(&self, urgency: Urgency, model: WorkModel) -> f64 {
        self.urgency(urgency) * self.work_model(model)
    }

    /// Every weight by its code: the urgencies, then the work models.
    pub fn by_code(&self) -> Vec<(&'static str, f64)> {
        Urgency::ALL
            .iter()
            .map(|u| (u.code(), self.urgency(*u)))
            .chain(
                WorkModel::ALL
                    .iter()
                    .map(|m| (m.code(), self.work_model(*m))),
            )
            .collect()
    }

    /// The defaults with the overrides of a setting like
    /// `emergency=3,urgent=2,routine=1,case_management=1.5,individual=1`. Keys are the codes of
    /// urgencies and work models; each at most once; weights above 0 and at most [`MAX_WEIGHT`].
    /// Keys not given keep their default.
    pub fn parse(setting: &str) -> Result<Self, WeightsError> {
        let mut weights = CaseloadWeights::default();
        let mut seen: Vec<&str> = Vec::new();
        for item in setting.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| WeightsError::Malformed(item.to_owned()))?;
            let (key, value) = (key.trim(), value.trim());
            let weight = value
                .parse::<f64>()
                .ok()
                .filter(|w| w.is_finite() && *w > 0.0 && *w <= MAX_WEIGHT)
                .ok_or_else(|| WeightsError::BadWeight {
                    key: key.to_owned(),
                    value: value.to_owned(),
                })?;
            let slot = if let Some(urgency) = Urgency::parse(key) {
                match urgency {
                    Urgency::Emergency => &mut weights.emergency,
                    Urgency::Urgent => &mut weights.urgent,
                    Urgency::Routine => &mut weights.routine,
                }
            } else if let Some(model) = WorkModel::parse(key) {
                match model {
                    WorkModel::CaseManagement => &mut weights.case_management,
                    WorkModel::Individual => &mut weights.individual,
                }
            } else {
                return Err(WeightsError::UnknownKey(key.to_owned()));
            };
            if seen.contains(&key) {
                return Err(WeightsError::Duplicate(key.to_owned()));
            }
            seen.push(key);
            *slot = weight;
        }
        Ok(weights)
    }
}

/// A key worker's active cases, counted per urgency and work model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caseload {
    /// `[urgency][model]`, in the declaration order of [`Urgency`] and [`WorkModel`].
    counts: [[u32; 2]; 3],
}

fn urgency_index(urgency: Urgency) -> usize {
    match urgency {
        Urgency::Emergency => 0,
        Urgency::Urgent => 1,
        Urgency::Routine => 2,
    }
}

fn model_index(model: WorkModel) -> usize {
    match model {
        WorkModel::CaseManagement => 0,
        WorkModel::Individual => 1,
    }
}

impl Caseload {
    /// Counts one more active case.
    pub fn add(&mut self, urgency: Urgency, model: WorkModel) {
        let cell = &mut self.counts[urgency_index(urgency)][model_index(model)];
        *cell = cell.saturating_add(1);
    }

    /// Active cases of this urgency and model.
    pub fn cases_of(&self, urgency: Urgency, model: WorkModel) -> u32 {
        self.counts[urgency_index(urgency)][model_index(model)]
    }

    /// All active cases.
    pub fn cases(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Active cases of this urgency, whatever their model.
    pub fn with_urgency(&self, urgency: Urgency) -> u32 {
        self.counts[urgency_index(urgency)].iter().sum()
    }

    /// Active cases of this work model, whatever their urgency.
    pub fn with_model(&self, model: WorkModel) -> u32 {
        self.counts.iter().map(|row| row[model_index(model)]).sum()
    }

    /// The weighted load: each case's weight, summed.
    pub fn weighted(&self, weights: &CaseloadWeights) -> f64 {
        let mut total = 0.0;
        for urgency in Urgency::ALL {
            for model in WorkModel::ALL {
                total += f64::from(self.cases_of(*urgency, *model))
                    * weights.case_weight(*urgency, *model);
            }
        }
        total
    }
}

/// How two key workers compare for a new case of `urgency`: `Less` means `a` is the better pick.
pub fn compare(
    a: &Caseload,
    b: &Caseload,
    weights: &CaseloadWeights,
    urgency: Urgency,
) -> Ordering {
    a.weighted(weights)
        .total_cmp(&b.weighted(weights))
        .then_with(|| a.with_urgency(urgency).cmp(&b.with_urgency(urgency)))
        .then_with(|| a.cases().cmp(&b.cases()))
}

/// Orders candidates best first for a new case of `urgency`; the sort is stable, so equal loads
/// keep the order given.
pub fn rank<T>(
    candidates: &mut [T],
    caseload: impl Fn(&T) -> &Caseload,
    weights: &CaseloadWeights,
    urgency: Urgency,
) {
    candidates.sort_by(|a, b| compare(caseload(a), caseload(b), weights, urgency));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn load(cases: &[(Urgency, WorkModel)]) -> Caseload {
        let mut load = Caseload::default();
        for (u, m) in cases {
            load.add(*u, *m);
        }
        load
    }

    use Urgency::{Emergency, Routine, Urgent};
    use WorkModel::{CaseManagement, Individual};

    #[test]
    fn the_defaults_weigh_urgency_and_team_work() {
        let w = CaseloadWeights::default();
        assert_eq!(w.case_weight(Emergency, Individual), 3.0);
        assert_eq!(w.case_weight(Urgent, Individual), 2.0);
        assert_eq!(w.case_weight(Routine, Individual), 1.0);
        assert_eq!(w.case_weight(Emergency, CaseManagement), 4.5);
        assert_eq!(w.case_weight(Routine, CaseManagement), 1.5);
    }

    #[test]
    fn a_load_is_the_sum_of_its_cases_weights_and_counts_per_class() {
        let l = load(&[
            (Emergency, CaseManagement),
            (Routine, Individual),
            (Routine, Individual),
            (Urgent, CaseManagement),
        ]);
        assert_eq!(
            l.weighted(&CaseloadWeights::default()),
            4.5 + 1.0 + 1.0 + 3.0
        );
        assert_eq!(l.cases(), 4);
        assert_eq!(l.with_urgency(Routine), 2);
        assert_eq!(l.with_model(CaseManagement), 2);
        assert_eq!(l.cases_of(Routine, Individual), 2);
        assert_eq!(
            Caseload::default().weighted(&CaseloadWeights::default()),
            0.0
        );
    }

    #[test]
    fn one_emergency_case_outweighs_two_routine_ones() {
        let w = CaseloadWeights::default();
        let emergency = load(&[(Emergency, Individual)]);
        let two_routine = load(&[(Routine, Individual), (Routine, Individual)]);
        assert_eq!(
            compare(&two_routine, &emergency, &w, Routine),
            Ordering::Less
        );
        let mut staff = vec![("a", emergency), ("b", two_routine)];
        rank(&mut staff, |s| &s.1, &w, Urgent);
        assert_eq!(staff[0].0, "b");
    }

    #[test]
    fn equal_loads_go_to_fewer_cases_of_the_same_urgency_then_fewer_cases_then_the_order_given() {
        let w = CaseloadWeights::default();
        // Both weigh 3: one emergency, or one urgent and one routine.
        let emergency = load(&[(Emergency, Individual)]);
        let mixed = load(&[(Urgent, Individual), (Routine, Individual)]);
        let mut staff = vec![("a", emergency), ("b", mixed)];
        rank(&mut staff, |s| &s.1, &w, Emergency);
        assert_eq!(staff[0].0, "b", "the emergency goes to who has none");
        rank(&mut staff, |s| &s.1, &w, Routine);
        assert_eq!(
            staff[0].0, "a",
            "a routine case goes to who has no routine case"
        );
        let mut staff = vec![("x", Caseload::default()), ("y", Caseload::default())];
        rank(&mut staff, |s| &s.1, &w, Urgent);
        assert_eq!((staff[0].0, staff[1].0), ("x", "y"));
    }

    #[test]
    fn a_key_worker_at_the_maximum_caseload_is_ranked_last_and_never_first() {
        let policy = CaseloadPolicy {
            max_families: 2,
            ..CaseloadPolicy::default()
        };
        // Anna leads two families (routine, light); Bohdan one emergency family (heavier).
        let light = load(&[(Routine, Individual), (Routine, Individual)]);
        let heavy = load(&[(Emergency, CaseManagement)]);
        let mut staff = vec![("anna", light, 2), ("bohdan", heavy, 1)];
        policy.rank(&mut staff, |s| (&s.1, s.2), Routine);
        assert_eq!(staff[0].0, "bohdan", "Anna is at the maximum");
        assert!(!policy.has_room(2) && policy.has_room(1));
        // With room for both, the lighter load wins again.
        let roomy = CaseloadPolicy::default();
        roomy.rank(&mut staff, |s| (&s.1, s.2), Routine);
        assert_eq!(staff[0].0, "anna");
    }

    #[test]
    fn assigning_a_key_worker_over_the_maximum_caseload_is_allowed_with_a_warning() {
        let policy = CaseloadPolicy::default();
        assert_eq!(policy.max_families, 80, "decree 473/2012 Sb., annex 1");
        assert_eq!(policy.assignment_warning(80), None);
        assert_eq!(
            policy.assignment_warning(81),
            Some(OverMaximum {
                families: 81,
                max_families: 80
            })
        );
    }

    #[test]
    fn the_maximum_caseload_setting_is_a_whole_number_of_families() {
        assert_eq!(CaseloadPolicy::parse_max_families(" 25 "), Ok(25));
        for bad in ["0", "-1", "eighty", "80.5", ""] {
            assert!(CaseloadPolicy::parse_max_families(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_change_the_order() {
        let flat = CaseloadWeights::parse("emergency=1,urgent=1,routine=1").unwrap();
        let emergency = load(&[(Emergency, Individual)]);
        let two_routine = load(&[(Routine, Individual), (Routine, Individual)]);
        assert_eq!(
            compare(&emergency, &two_routine, &flat, Urgent),
            Ordering::Less
        );
    }

    #[test]
    fn a_setting_overrides_the_defaults_it_names() {
        assert_eq!(
            CaseloadWeights::parse("").unwrap(),
            CaseloadWeights::default()
        );
        assert_eq!(
            CaseloadWeights::parse(
                "emergency=3,urgent=2,routine=1,case_management=1.5,individual=1"
            )
            .unwrap(),
            CaseloadWeights::default()
        );
        let w = CaseloadWeights::parse(" emergency = 5 , case_management=2, ").unwrap();
        assert_eq!((w.emergency, w.urgent, w.case_management), (5.0, 2.0, 2.0));
        assert_eq!(
            w.by_code(),
            [
                ("emergency", 5.0),
                ("urgent", 2.0),
                ("routine", 1.0),
                ("case_management", 2.0),
                ("individual", 1.0)
            ]
        );
    }

    #[test]
    fn an_unreadable_setting_says_what_is_wrong() {
        assert_eq!(
            CaseloadWeights::parse("emergency"),
            Err(WeightsError::Malformed("emergency".into()))
        );
        assert_eq!(
            CaseloadWeights::parse("critical=4"),
            Err(WeightsError::UnknownKey("critical".into()))
        );
        for bad in [
            "routine=0",
            "routine=-1",
            "routine=x",
            "routine=NaN",
            "routine=inf",
            "routine=101",
        ] {
            assert!(
                matches!(
                    CaseloadWeights::parse(bad),
                    Err(WeightsError::BadWeight { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            CaseloadWeights::parse("urgent=2,urgent=3"),
            Err(WeightsError::Duplicate("urgent".into()))
        );
    }
}
