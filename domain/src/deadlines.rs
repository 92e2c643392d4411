//! Response deadlines of intake triage (seed 001: urgency pre-assessment sorts incoming reports):
//! each urgency class has a deadline counted from the report's receipt to the completed needs
//! assessment. The defaults are Ukraine's (see [`ResponseDeadlines::default`]): the Law of Ukraine
//! "On Social Services" (No. 2671-VIII) as in force from 7 February 2026, which repealed the
//! five-working-day assessment deadline of art. 20. Art. 21(2) now has the decision on services
//! taken on the results of the needs assessment "протягом 10 робочих днів з дня одержання заяви,
//! звернення, повідомлення", and in an emergency (crisis) "невідкладно, не пізніше однієї доби";
//! the assessment the decision rests on is due by then. Working days skip weekends and a holiday
//! calendar (Ukrainian and Czech public holidays, extra days configurable; in Ukraine, a dated
//! martial-law option under which public holidays are working days). Also the child-safety
//! decisions a raised safety concern needs within the emergency deadline (seed 000: the
//! protective function).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use crate::code_enum;
use crate::codes::Urgency;

/// How long a deadline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Hours(u32),
    CalendarDays(u32),
    WorkingDays(u32),
}

impl Span {
    /// Parses `24h`, `3d` or `10wd`.
    pub fn parse(text: &str) -> Option<Span> {
        let text = text.trim();
        let number = |suffix: &str| {
            text.strip_suffix(suffix)
                .and_then(|n| n.parse::<u32>().ok())
        };
        number("wd")
            .map(Span::WorkingDays)
            .or_else(|| number("h").map(Span::Hours))
            .or_else(|| number("d").map(Span::CalendarDays))
    }
}

/// The deadline of each urgency class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseDeadlines {
    pub emergency: Span,
    pub urgent: Span,
    pub routine: Span,
}

/// Ukraine's deadlines: the Law on Social Services, art. 21(2), as in force from 7 February 2026.
impl Default for ResponseDeadlines {
    fn default() -> Self {
        ResponseDeadlines {
            // Law, art. 21(2): in an emergency (crisis) "невідкладно, не пізніше однієї доби".
            emergency: Span::Hours(24),
            // Agency policy, not law (the law has only the two other deadlines): a report that
            // cannot wait ten working days but is no crisis.
            urgent: Span::CalendarDays(3),
            // Law, art. 21(2): "протягом 10 робочих днів з дня одержання заяви, звернення,
            // повідомлення"; the five working days of art. 20 were repealed from 7 February 2026.
            routine: Span::WorkingDays(10),
        }
    }
}

impl ResponseDeadlines {
    pub fn span(&self, urgency: Urgency) -> Span {
        match urgency {
            Urgency::Emergency => self.emergency,
            Urgency::Urgent => self.urgent,
            Urgency::Routine => self.routine,
        }
    }

    /// Parses `emergency=24h,urgent=3d,routine=10wd` (any subset; the rest keep their defaults).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut deadlines = ResponseDeadlines::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected name=span"))?;
            let span = Span::parse(value)
                .ok_or_else(|| format!("{value:?}: expected e.g. 24h, 3d or 10wd"))?;
            match Urgency::parse(name.trim()) {
                Some(Urgency::Emergency) => deadlines.emergency = span,
                Some(Urgency::Urgent) => deadlines.urgent = span,
                Some(Urgency::Routine) => deadlines.routine = span,
                None => return Err(format!("{name:?} is not an urgency class")),
            }
        }
        Ok(deadlines)
    }
}

code_enum! {
    /// Whose public holidays are not working days.
    pub enum HolidayCountry {
        Ukraine = "ua",
        Czechia = "cz",
    }
}

/// Weekends, a country's public holidays and extra days off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    pub country: HolidayCountry,
    pub extra: Vec<NaiveDate>,
    /// Ukraine only: while martial law lasts, the public holidays of the Labour Code (art. 73)
    /// are working days (Law 2136-IX, art. 6(6)). Weekends and extra days off stay off.
    pub martial_law: Option<MartialLaw>,
}

/// A period of martial law: from its first day, until its last if it has ended (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MartialLaw {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl MartialLaw {
    /// Martial law in Ukraine began on 24 February 2022 (Presidential Decree 64/2022).
    pub const UKRAINE_SINCE_2022: MartialLaw = MartialLaw {
        from: match NaiveDate::from_ymd_opt(2022, 2, 24) {
            Some(date) => date,
            None => NaiveDate::MIN,
        },
        until: None,
    };

    /// Whether martial law is in force on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|until| date <= until)
    }

    /// Parses `2022-02-24` (still in force) or `2022-02-24..2026-12-31` (ended; both included).
    pub fn parse(text: &str) -> Result<MartialLaw, String> {
        let date = |d: &str| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|e| format!("{:?}: {e}; expected YYYY-MM-DD", d.trim()))
        };
        let (from, until) = match text.split_once("..") {
            Some((from, until)) => (date(from)?, Some(date(until)?)),
            None => (date(text)?, None),
        };
        if until.is_some_and(|until| until < from) {
            return Err(format!("{text:?}: martial law ends before it starts"));
        }
        Ok(MartialLaw { from, until })
    }
}

/// Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm.
pub fn western_easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Orthodox Easter Sunday (Julian computus, given as a Gregorian date; valid 1900–2099).
pub fn orthodox_easter(year: i32) -> Option<NaiveDate> {
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian =
        NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    Some(julian + Duration::days(13))
}

impl HolidayCalendar {
    pub fn new(country: HolidayCountry) -> Self {
        HolidayCalendar {
            country,
            extra: Vec::new(),
            martial_law: None,
        }
    }

    /// The country's public holidays of a year, and the extra days off in it (whether or not
    /// martial law makes the public holidays working days: see [`Self::is_working_day`]).
    pub fn holidays(&self, year: i32) -> Vec<NaiveDate> {
        let day = |m, d| NaiveDate::from_ymd_opt(year, m, d);
        let mut days: Vec<Option<NaiveDate>> = match self.country {
            HolidayCountry::Ukraine => {
                let easter = orthodox_easter(year);
                vec![
                    day(1, 1),
                    day(3, 8),
                    easter,
                    easter.map(|e| e + Duration::days(49)), // Trinity
                    day(5, 1),
                    day(5, 8),
                    day(6, 28),
                    day(7, 15),
                    day(8, 24),
                    day(10, 1),
                    day(12, 25),
                ]
            }
            HolidayCountry::Czechia => {
                let easter = western_easter(year);
                vec![
                    day(1, 1),
                    easter.map(|e| e - Duration::days(2)), // Good Friday
                    easter.map(|e| e + Duration::days(1)), // Easter Monday
                    day(5, 1),
                    day(5, 8),
                    day(7, 5),
                    day(7, 6),
                    day(9, 28),
                    day(10, 28),
                    day(11, 17),
                    day(12, 24),
                    day(12, 25),
                    day(12, 26),
                ]
            }
        };
        days.extend(
            self.extra
                .iter()
                .filter(|d| d.year() == year)
                .map(|d| Some(*d)),
        );
        days.into_iter().flatten().collect()
    }

    /// Whether public holidays are working days on `date`: in Ukraine while martial law lasts
    /// (Law 2136-IX, art. 6(6)).
    pub fn holidays_are_working_days(&self, date: NaiveDate) -> bool {
        match self.country {
            HolidayCountry::Ukraine => self.martial_law.is_some_and(|m| m.covers(date)),
            HolidayCountry::Czechia => false,
        }
    }

    /// Not a weekend, not an extra day off, and not a public holiday unless public holidays are
    /// working days then.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || self.extra.contains(&date) {
            return false;
        }
        self.holidays_are_working_days(date) || !self.holidays(date.year()).contains(&date)
    }
}

/// When the needs assessment of a report received at `received_at` is due.
pub fn due_at(
    received_at: NaiveDateTime,
    urgency: Urgency,
    deadlines: &ResponseDeadlines,
    calendar: &HolidayCalendar,
) -> NaiveDateTime {
    match deadlines.span(urgency) {
        Span::Hours(h) => received_at + Duration::hours(i64::from(h)),
        Span::CalendarDays(d) => received_at + Duration::days(i64::from(d)),
        Span::WorkingDays(n) => {
            let mut date = received_at.date();
            let mut left = n;
            while left > 0 {
                date += Duration::days(1);
                if calendar.is_working_day(date) {
                    left -= 1;
                }
            }
            date.and_time(received_at.time())
        }
    }
}

code_enum! {
    /// The decision a child-safety concern needs, within the emergency deadline.
    pub enum SafetyDecision {
        /// Checked: the child is safe, no protective action needed.
        NoImmediateRisk = "no_immediate_risk",
        /// A safety plan agreed with the family (who watches the child, what changes now).
        SafetyPlanAgreed = "safety_plan_agreed",
        /// The child-protection service was informed (duty to inform).
        ChildProtectionInformed = "child_protection_informed",
        /// The police were called.
        PoliceInformed = "police_informed",
        /// The child was placed in safety away from home.
        EmergencyPlacement = "emergency_placement",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn easter_dates_match_the_published_ones() {
        for (year, western, orthodox) in [
            (2024, (3, 31), (5, 5)),
            (2025, (4, 20), (4, 20)),
            (2026, (4, 5), (4, 12)),
            (2027, (3, 28), (5, 2)),
        ] {
            assert_eq!(
                western_easter(year),
                NaiveDate::from_ymd_opt(year, western.0, western.1),
                "western {year}"
            );
            assert_eq!(
                orthodox_easter(year),
                NaiveDate::from_ymd_opt(year, orthodox.0, orthodox.1),
                "orthodox {year}"
            );
        }
    }

    #[test]
    fn emergency_is_24_hours_and_urgent_three_calendar_days() {
        let ua = HolidayCalendar::new(HolidayCountry::Ukraine);
        let d = ResponseDeadlines::default();
        assert_eq!(
            due_at(at(2026, 12, 31, 22), Urgency::Emergency, &d, &ua),
            at(2027, 1, 1, 22)
        );
        assert_eq!(
            due_at(at(2026, 12, 31, 22), Urgency::Urgent, &d, &ua),
            at(2027, 1, 3, 22)
        );
    }

    #[test]
    fn the_ukrainian_defaults_are_the_law_on_social_services_deadlines() {
        let d = ResponseDeadlines::default();
        assert_eq!(
            d.emergency,
            Span::Hours(24),
            "art. 21(2): no later than one day"
        );
        assert_eq!(
            d.routine,
            Span::WorkingDays(10),
            "art. 21(2): 10 working days"
        );
        assert_eq!(d.urgent, Span::CalendarDays(3), "agency policy");
    }

    #[test]
    fn routine_counts_ten_working_days_skipping_weekends_and_holidays() {
        let d = ResponseDeadlines::default();
        let ua = HolidayCalendar::new(HolidayCountry::Ukraine);
        // Monday 2026-11-23 → Monday 2026-12-07 (two weekends).
        assert_eq!(
            due_at(at(2026, 11, 23, 9), Urgency::Routine, &d, &ua),
            at(2026, 12, 7, 9)
        );
        // Over Christmas (25 Dec) and New Year (1 Jan) in Ukraine: Tue 22 Dec → Thu 7 Jan.
        assert_eq!(
            due_at(at(2026, 12, 22, 9), Urgency::Routine, &d, &ua),
            at(2027, 1, 7, 9)
        );
        // In Czechia 24, 25 and 26 December are all holidays: Tue 22 Dec → Fri 8 Jan.
        let cz = HolidayCalendar::new(HolidayCountry::Czechia);
        assert_eq!(
            due_at(at(2026, 12, 22, 9), Urgency::Routine, &d, &cz),
            at(2027, 1, 8, 9)
        );
    }

    #[test]
    fn extra_days_off_are_skipped_too() {
        let d = ResponseDeadlines::default();
        let mut ua = HolidayCalendar::new(HolidayCountry::Ukraine);
        ua.extra
            .push(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            due_at(at(2026, 11, 23, 9), Urgency::Routine, &d, &ua),
            at(2026, 12, 8, 9)
        );
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn under_martial_law(martial_law: MartialLaw) -> HolidayCalendar {
        HolidayCalendar {
            martial_law: Some(martial_law),
            ..HolidayCalendar::new(HolidayCountry::Ukraine)
        }
    }

    #[test]
    fn under_martial_law_public_holidays_are_working_days() {
        let ua = under_martial_law(MartialLaw::UKRAINE_SINCE_2022);
        // Independence Day 2022 (Wednesday), Christmas and New Year 2026/27 (Fridays).
        for holiday in [date(2022, 8, 24), date(2026, 12, 25), date(2027, 1, 1)] {
            assert!(ua.holidays(holiday.year()).contains(&holiday));
            assert!(ua.is_working_day(holiday), "{holiday}");
        }
        // So ten working days from Tue 22 Dec run to Tue 5 Jan instead of Thu 7 Jan.
        assert_eq!(
            due_at(
                at(2026, 12, 22, 9),
                Urgency::Routine,
                &ResponseDeadlines::default(),
                &ua
            ),
            at(2027, 1, 5, 9)
        );
    }

    #[test]
    fn before_martial_law_started_holidays_are_days_off() {
        let ua = under_martial_law(MartialLaw::UKRAINE_SINCE_2022);
        // Independence Day 2021 (Tuesday).
        assert!(!ua.is_working_day(date(2021, 8, 24)));
        assert!(ua.is_working_day(date(2021, 8, 25)));
    }

    #[test]
    fn after_martial_law_ended_holidays_are_days_off_again() {
        let ua = under_martial_law(MartialLaw::parse("2022-02-24..2026-12-31").unwrap());
        assert!(ua.is_working_day(date(2026, 12, 25)));
        assert!(!ua.is_working_day(date(2027, 1, 1)));
    }

    #[test]
    fn martial_law_keeps_weekends_and_extra_days_off() {
        let mut ua = under_martial_law(MartialLaw::UKRAINE_SINCE_2022);
        ua.extra.push(date(2026, 12, 24));
        assert!(!ua.is_working_day(date(2026, 12, 26)), "Saturday");
        assert!(!ua.is_working_day(date(2026, 12, 24)), "an extra day off");
    }

    #[test]
    fn martial_law_concerns_the_ukrainian_calendar_only() {
        let cz = HolidayCalendar {
            martial_law: Some(MartialLaw::UKRAINE_SINCE_2022),
            ..HolidayCalendar::new(HolidayCountry::Czechia)
        };
        assert!(!cz.is_working_day(date(2026, 12, 25)));
    }

    #[test]
    fn a_martial_law_period_parses_from_a_start_and_an_optional_end() {
        assert_eq!(
            MartialLaw::parse("2022-02-24").unwrap(),
            MartialLaw::UKRAINE_SINCE_2022
        );
        let ended = MartialLaw::parse(" 2022-02-24 .. 2026-12-31 ").unwrap();
        assert_eq!(ended.until, Some(date(2026, 12, 31)));
        assert!(ended.covers(date(2026, 12, 31)) && !ended.covers(date(2027, 1, 1)));
        assert!(MartialLaw::parse("2026-12-31..2022-02-24").is_err());
        assert!(MartialLaw::parse("since the invasion").is_err());
    }

    #[test]
    fn deadlines_parse_from_configuration_and_refuse_nonsense() {
        let d = ResponseDeadlines::parse("emergency=12h, routine=5wd").unwrap();
        assert_eq!(
            (d.emergency, d.urgent, d.routine),
            (Span::Hours(12), Span::CalendarDays(3), Span::WorkingDays(5))
        );
        assert!(ResponseDeadlines::parse("critical=1h").is_err());
        assert!(ResponseDeadlines::parse("urgent=soon").is_err());
    }
}
