//! Closed lists of codes. Every enum the API, the database and the reports share is declared
//! through [`code_enum!`], which gives it one stable snake_case code per variant, the list of all
//! variants (for exhaustive tests and reference data) and a parser that refuses unknown codes.

/// Declares an enum whose variants each carry one stable code.
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the API, the database and reports.
            pub const fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code ),+
                }
            }

            /// Parses a code; `None` for anything not in the closed list.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum! {
    /// How urgently a report must be answered (seed 001: urgency pre-assessment sorts reports).
    pub enum Urgency {
        Emergency = "emergency",
        Urgent = "urgent",
        Routine = "routine",
    }
}

code_enum! {
    /// Where a report came from.
    pub enum ReportSource {
        Hotline = "hotline",
        WalkIn = "walk_in",
        School = "school",
        Police = "police",
        Health = "health",
        Ngo = "ngo",
        SelfReferral = "self",
        Anonymous = "anonymous",
    }
}

code_enum! {
    /// A client is one person or a family (household) with members.
    pub enum ClientKind {
        Person = "person",
        Family = "family",
    }
}

code_enum! {
    /// The documents the guards look for (seeds 001–003).
    pub enum AgreementKind {
        /// Obligations and rights of both sides, signed by the client and the head of the service.
        ServiceAgreement = "service_agreement",
        /// Informed consent (seed 002: signed at planning; seed 003: to disclose medical information).
        InformedConsent = "informed_consent",
        /// 12-stage model, stage 3: the preliminary (oral) contract.
        PreliminaryContract = "preliminary_contract",
        /// 12-stage model, stage 7: the concluded contract.
        ConcludedContract = "concluded_contract",
        /// 12-stage model, stage 12: ending agreed per the contract.
        Termination = "termination",
        /// The client's agreement to a plan version (recorded when the version is agreed).
        PlanAgreement = "plan_agreement",
        /// Inclusion in a programme of the service (seed 003's programme inclusion agreement).
        ProgrammeInclusion = "programme_inclusion",
    }
}

code_enum! {
    /// A unit's place in the organisation tree (seed 002, Odesa).
    pub enum UnitKind {
        Department = "department",
        Centre = "centre",
        DistrictDepartment = "district_department",
        Service = "service",
        Sector = "sector",
    }
}

impl UnitKind {
    /// Which kinds may stand directly below this one: department → centre → district department
    /// → service or sector. A centre may also hold central sectors and services.
    pub fn may_contain(self, child: UnitKind) -> bool {
        use UnitKind::*;
        match self {
            Department => matches!(child, Centre),
            Centre => matches!(child, DistrictDepartment | Service | Sector),
            DistrictDepartment => matches!(child, Service | Sector),
            Service | Sector => false,
        }
    }
}

code_enum! {
    /// Initial assessment, or a re-assessment when the situation changed (seed 002).
    pub enum AssessmentKind {
        Initial = "initial",
        ReAssessment = "re_assessment",
    }
}

code_enum! {
    /// An evaluation during the work, or the final one before closing (seed 000).
    pub enum EvaluationKind {
        Interim = "interim",
        Final = "final",
    }
}

code_enum! {
    /// How far the goals were reached.
    pub enum GoalOutcome {
        Achieved = "achieved",
        PartlyAchieved = "partly_achieved",
        NotAchieved = "not_achieved",
    }
}

code_enum! {
    /// How the client's agreement to a plan was given.
    pub enum AgreementMethod {
        Signed = "signed",
        Oral = "oral",
        Electronic = "electronic",
    }
}

code_enum! {
    /// The form an agreement was made in. Seed 001's stage-3 preliminary contract is oral
    /// ("предварительный устный контракт"): the client agrees in words before a witness and
    /// nobody signs; every other agreement is a written document (see
    /// [`crate::casework::agreement`] for which may be oral).
    pub enum AgreementForm {
        Oral = "oral",
        Written = "written",
    }
}

code_enum! {
    pub enum Sex {
        Female = "female",
        Male = "male",
        Other = "other",
        Unknown = "unknown",
    }
}

code_enum! {
    /// What a client's phone number is.
    pub enum PhoneKind {
        Mobile = "mobile",
        Home = "home",
        Work = "work",
    }
}

code_enum! {
    /// A family member's relation to the head of the household.
    pub enum FamilyRelation {
        Head = "head",
        Spouse = "spouse",
        Partner = "partner",
        Child = "child",
        Stepchild = "stepchild",
        FosterChild = "foster_child",
        Parent = "parent",
        Grandparent = "grandparent",
        Grandchild = "grandchild",
        Sibling = "sibling",
        Guardian = "guardian",
        OtherRelative = "other_relative",
        Other = "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_variant() {
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.code()), Some(*u));
        }
        for s in ReportSource::ALL {
            assert_eq!(ReportSource::parse(s.code()), Some(*s));
        }
        for k in AgreementKind::ALL {
            assert_eq!(AgreementKind::parse(k.code()), Some(*k));
        }
        for f in AgreementForm::ALL {
            assert_eq!(AgreementForm::parse(f.code()), Some(*f));
        }
        assert_eq!(Urgency::parse("EMERGENCY"), None);
    }

    #[test]
    fn the_unit_tree_runs_department_centre_district_service() {
        use UnitKind::*;
        let allowed: Vec<(UnitKind, UnitKind)> = UnitKind::ALL
            .iter()
            .flat_map(|p| UnitKind::ALL.iter().map(move |c| (*p, *c)))
            .filter(|(p, c)| p.may_contain(*c))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Department, Centre),
                (Centre, DistrictDepartment),
                (Centre, Service),
                (Centre, Sector),
                (DistrictDepartment, Service),
                (DistrictDepartment, Sector),
            ]
        );
    }
}
