//! Configuration from the environment.

use opora_domain::caseload::{CaseloadPolicy, CaseloadWeights};
use opora_domain::deadlines::{HolidayCalendar, HolidayCountry, MartialLaw, ResponseDeadlines};
use opora_domain::Policy;

use crate::hardening::{Timeouts, TrustedProxies};

/// Settings read from `OPORA_*` variables.
#[derive(Debug, Clone)]
pub struct Config {
    /// `OPORA_DATABASE_URL`: `sqlite://PATH` (default `sqlite://./data/opora.db`) or `postgres://…`.
    pub database_url: String,
    /// `OPORA_BIND`: address to listen on (default `127.0.0.1:8080`).
    pub bind: String,
    /// `OPORA_JWT_SECRET`: the HS256 secret; required.
    pub jwt_secret: Option<String>,
    /// `OPORA_DB_POOL_SIZE`: connections in the pool (default 8).
    pub pool_size: u32,
    /// `OPORA_DB_POOL_TIMEOUT_MS`: how long a request waits for a free connection before it is
    /// answered 503 with `Retry-After` (default 3000, 1 to 60000); an unreadable value stops
    /// `serve`.
    pub pool_timeout: Result<std::time::Duration, String>,
    /// `OPORA_AUDIT_SIGNING_KEY` and `OPORA_AUDIT_LOG_ORIGIN`, as set (see [`Config::log_signer`]).
    pub audit_signing_key: Option<String>,
    pub audit_log_origin: String,
    /// `OPORA_CORS_ORIGINS`: comma-separated frontend origins (default: none).
    pub cors_origins: Vec<String>,
    /// `OPORA_RATE_LIMIT`: requests per second per client (default 50).
    pub rate_per_second: u64,
    /// `OPORA_RATE_BURST`: requests a client may send at once (default 200).
    pub rate_burst: u32,
    /// `OPORA_ACCESS_TOKEN_MINUTES`: lifetime of access tokens from login and refresh (default 15).
    pub access_token_minutes: i64,
    /// `OPORA_MAX_TOKEN_MINUTES`: the longest any bearer token may stay usable from now (default:
    /// the access tokens' lifetime; never less).
    pub max_token_minutes: i64,
    /// `OPORA_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client (default: none).
    pub trusted_proxies: Result<TrustedProxies, String>,
    /// `OPORA_REQUEST_HEAD_TIMEOUT_SECS`, `OPORA_KEEP_ALIVE_SECS`, `OPORA_BODY_TIMEOUT_SECS`,
    /// `OPORA_DISCONNECT_TIMEOUT_SECS` (defaults 5, 5, 20, 1).
    pub timeouts: Result<Timeouts, String>,
    /// The rules' configuration ([`Policy`]), from [`policy_from`]. An unreadable value is an
    /// error here, and `serve` refuses to start.
    pub policy: Result<Policy, String>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/opora.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let access_token_minutes = var("OPORA_ACCESS_TOKEN_MINUTES")
            .and_then(|v| v.parse().ok())
            .filter(|m: &i64| (1..=720).contains(m))
            .unwrap_or(15);
        Config {
            database_url: var("OPORA_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            bind: var("OPORA_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            jwt_secret: var("OPORA_JWT_SECRET"),
            pool_size: var("OPORA_DB_POOL_SIZE")
                .and_then(|v| v.parse().ok())
                .unwrap_or(8),
            pool_timeout: pool_timeout_from(var),
            audit_signing_key: var("OPORA_AUDIT_SIGNING_KEY"),
            audit_log_origin: var("OPORA_AUDIT_LOG_ORIGIN")
                .unwrap_or_else(|| opora_persistence::DEFAULT_LOG_ORIGIN.into()),
            cors_origins: var("OPORA_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            rate_per_second: var("OPORA_RATE_LIMIT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(50),
            rate_burst: var("OPORA_RATE_BURST")
                .and_then(|v| v.parse().ok())
                .unwrap_or(200),
            access_token_minutes,
            max_token_minutes: var("OPORA_MAX_TOKEN_MINUTES")
                .and_then(|v| v.parse().ok())
                .filter(|m: &i64| (1..=43_200).contains(m))
                .unwrap_or(access_token_minutes)
                .max(access_token_minutes),
            trusted_proxies: var("OPORA_TRUSTED_PROXIES")
                .map(|v| {
                    TrustedProxies::parse(&v).map_err(|e| format!("OPORA_TRUSTED_PROXIES: {e}"))
                })
                .unwrap_or_else(|| Ok(TrustedProxies::default())),
            timeouts: timeouts_from(var),
            policy: policy_from(var),
        }
    }

    /// The key that signs the audit log's checkpoints: `OPORA_AUDIT_SIGNING_KEY` (base64 of a
    /// 32-byte Ed25519 seed, e.g. `openssl rand -base64 32`), under the name
    /// `OPORA_AUDIT_LOG_ORIGIN` (default `opora.local/audit`). Without one, a key derived from
    /// the JWT secret (development: a production install sets its own, so that rotating the JWT
    /// secret does not change the log's key).
    pub fn log_signer(&self) -> Result<opora_persistence::audit_log::LogSigner, String> {
        use opora_persistence::audit_log::LogSigner;
        match &self.audit_signing_key {
            Some(seed) => LogSigner::from_base64_seed(&self.audit_log_origin, seed)
                .map_err(|e| format!("OPORA_AUDIT_SIGNING_KEY: {e}")),
            None => {
                log::warn!(
                    "OPORA_AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with a key derived from the JWT secret"
                );
                Ok(LogSigner::derived(
                    &self.audit_log_origin,
                    &self.require_secret()?,
                ))
            }
        }
    }

    /// The secret, or a message saying how to set one.
    pub fn require_secret(&self) -> Result<String, String> {
        match &self.jwt_secret {
            Some(s) if s.len() >= 16 => Ok(s.clone()),
            Some(_) => Err("OPORA_JWT_SECRET must be at least 16 characters".into()),
            None => Err("OPORA_JWT_SECRET is not set: export a secret of at least 16 characters (make run sets a development one)".into()),
        }
    }
}

/// How long a request waits for a free connection (`OPORA_DB_POOL_TIMEOUT_MS`, default 3000,
/// 1 to 60000 ms).
pub fn pool_timeout_from(
    var: impl Fn(&str) -> Option<String>,
) -> Result<std::time::Duration, String> {
    match var("OPORA_DB_POOL_TIMEOUT_MS") {
        None => Ok(std::time::Duration::from_millis(3_000)),
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|ms: &u64| (1..=60_000).contains(ms))
            .map(std::time::Duration::from_millis)
            .ok_or_else(|| {
                format!("OPORA_DB_POOL_TIMEOUT_MS: {v:?} is not a number of milliseconds from 1 to 60000")
            }),
    }
}

/// The server's timeouts from these settings (whole seconds, at least 1; unset ones keep the
/// defaults of [`Timeouts`]).
pub fn timeouts_from(var: impl Fn(&str) -> Option<String>) -> Result<Timeouts, String> {
    let mut timeouts = Timeouts::default();
    for (name, slot) in [
        (
            "OPORA_REQUEST_HEAD_TIMEOUT_SECS",
            &mut timeouts.request_head,
        ),
        ("OPORA_KEEP_ALIVE_SECS", &mut timeouts.keep_alive),
        ("OPORA_BODY_TIMEOUT_SECS", &mut timeouts.body),
        ("OPORA_DISCONNECT_TIMEOUT_SECS", &mut timeouts.disconnect),
    ] {
        if let Some(text) = var(name) {
            *slot = text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .map(std::time::Duration::from_secs)
                .ok_or_else(|| {
                    format!("{name}: {text:?} is not a whole number of seconds, 1 to 3600")
                })?;
        }
    }
    Ok(timeouts)
}

/// The [`Policy`] from these settings (`var` reads one; unset ones keep the defaults):
/// - `OPORA_RESPONSE_DEADLINES`: e.g. `emergency=24h,urgent=3d,routine=10wd` (the defaults);
/// - `OPORA_HOLIDAY_CALENDAR`: `ua` (default) or `cz`; `OPORA_EXTRA_HOLIDAYS`: `2026-12-31,…`;
/// - `OPORA_MARTIAL_LAW` (`ua` only): `2022-02-24` while in force, `2022-02-24..2026-12-31`
///   once ended; public holidays are working days in that period;
/// - `OPORA_CASELOAD_WEIGHTS`: e.g. `emergency=3,urgent=2,routine=1,case_management=1.5,
///   individual=1` (the defaults; keys not given keep theirs);
/// - `OPORA_MAX_CASELOAD`: families per key worker (default 80);
/// - `OPORA_FAMILY_WEEKLY_LOAD`: family tasks and appointments a week before a plan warns
///   (default 5);
/// - `OPORA_DUPLICATE_SEARCHES_PER_HOUR`: duplicate checks one staff member may run in an hour
///   (default 60).
pub fn policy_from(var: impl Fn(&str) -> Option<String>) -> Result<Policy, String> {
    let mut policy = Policy::default();
    if let Some(text) = var("OPORA_RESPONSE_DEADLINES") {
        policy.deadlines = ResponseDeadlines::parse(&text)
            .map_err(|e| format!("OPORA_RESPONSE_DEADLINES: {e}"))?;
    }
    let country = match var("OPORA_HOLIDAY_CALENDAR") {
        Some(code) => HolidayCountry::parse(code.trim())
            .ok_or_else(|| format!("OPORA_HOLIDAY_CALENDAR: {code:?} is not ua or cz"))?,
        None => HolidayCountry::Ukraine,
    };
    let mut calendar = HolidayCalendar::new(country);
    for day in var("OPORA_EXTRA_HOLIDAYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        calendar.extra.push(
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| format!("OPORA_EXTRA_HOLIDAYS: {day:?}: {e}"))?,
        );
    }
    if let Some(text) = var("OPORA_MARTIAL_LAW") {
        if country != HolidayCountry::Ukraine {
            return Err("OPORA_MARTIAL_LAW applies to the ua holiday calendar only".into());
        }
        calendar.martial_law =
            Some(MartialLaw::parse(&text).map_err(|e| format!("OPORA_MARTIAL_LAW: {e}"))?);
    }
    policy.calendar = calendar;
    if let Some(text) = var("OPORA_CASELOAD_WEIGHTS") {
        policy.caseload.weights =
            CaseloadWeights::parse(&text).map_err(|e| format!("OPORA_CASELOAD_WEIGHTS: {e}"))?;
    }
    if let Some(text) = var("OPORA_MAX_CASELOAD") {
        policy.caseload.max_families = CaseloadPolicy::parse_max_families(&text)
            .map_err(|e| format!("OPORA_MAX_CASELOAD: {e}"))?;
    }
    if let Some(text) = var("OPORA_FAMILY_WEEKLY_LOAD") {
        policy.family_weekly_load = Policy::parse_family_weekly_load(&text)
            .map_err(|e| format!("OPORA_FAMILY_WEEKLY_LOAD: {e}"))?;
    }
    if let Some(text) = var("OPORA_DUPLICATE_SEARCHES_PER_HOUR") {
        policy.duplicate_searches_per_hour = text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                format!(
                    "OPORA_DUPLICATE_SEARCHES_PER_HOUR: {text:?} is not a whole number, at least 1"
                )
            })?;
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn policy(settings: &[(&str, &str)]) -> Result<Policy, String> {
        policy_from(|name| {
            settings
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn without_settings_the_policy_is_the_default() {
        assert_eq!(policy(&[]).unwrap(), Policy::default());
    }

    #[test]
    fn every_policy_setting_reaches_the_policy() {
        let p = policy(&[
            ("OPORA_RESPONSE_DEADLINES", "routine=5wd"),
            ("OPORA_EXTRA_HOLIDAYS", "2026-12-31"),
            ("OPORA_MARTIAL_LAW", "2022-02-24"),
            ("OPORA_CASELOAD_WEIGHTS", "emergency=4"),
            ("OPORA_MAX_CASELOAD", "25"),
            ("OPORA_FAMILY_WEEKLY_LOAD", "7"),
        ])
        .unwrap();
        assert_eq!(
            p.deadlines.routine,
            opora_domain::deadlines::Span::WorkingDays(5)
        );
        assert_eq!(p.calendar.extra.len(), 1);
        assert_eq!(p.calendar.martial_law, Some(MartialLaw::UKRAINE_SINCE_2022));
        assert_eq!(p.caseload.weights.emergency, 4.0);
        assert_eq!(p.caseload.max_families, 25);
        assert_eq!(p.family_weekly_load, 7);
    }

    #[test]
    fn timeouts_are_whole_seconds_and_an_unreadable_one_is_named() {
        let read = |settings: &'static [(&'static str, &'static str)]| {
            timeouts_from(move |name| {
                settings
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        assert_eq!(read(&[]).unwrap(), Timeouts::default());
        let t = read(&[
            ("OPORA_KEEP_ALIVE_SECS", "2"),
            ("OPORA_BODY_TIMEOUT_SECS", "7"),
        ])
        .unwrap();
        assert_eq!(
            (
                t.keep_alive.as_secs(),
                t.body.as_secs(),
                t.request_head.as_secs()
            ),
            (2, 7, 5)
        );
        let error = read(&[("OPORA_BODY_TIMEOUT_SECS", "0")]).unwrap_err();
        assert!(error.starts_with("OPORA_BODY_TIMEOUT_SECS"), "{error}");
    }

    #[test]
    fn the_pool_timeout_is_read_in_milliseconds_and_an_unreadable_one_is_named() {
        let read = |value: Option<&str>| {
            let value = value.map(str::to_owned);
            pool_timeout_from(move |_| value.clone())
        };
        assert_eq!(read(None), Ok(std::time::Duration::from_millis(3_000)));
        assert_eq!(read(Some("250")), Ok(std::time::Duration::from_millis(250)));
        for bad in ["0", "soon", "600000"] {
            let error = read(Some(bad)).unwrap_err();
            assert!(error.starts_with("OPORA_DB_POOL_TIMEOUT_MS"), "{error}");
        }
    }

    #[test]
    fn an_unreadable_policy_setting_is_named_in_the_error() {
        for (name, value) in [
            ("OPORA_RESPONSE_DEADLINES", "routine=soon"),
            ("OPORA_HOLIDAY_CALENDAR", "de"),
            ("OPORA_MARTIAL_LAW", "forever"),
            ("OPORA_CASELOAD_WEIGHTS", "critical=1"),
            ("OPORA_MAX_CASELOAD", "0"),
            ("OPORA_FAMILY_WEEKLY_LOAD", "many"),
        ] {
            let error = policy(&[(name, value)]).unwrap_err();
            assert!(error.starts_with(name), "{error}");
        }
        let error = policy(&[
            ("OPORA_HOLIDAY_CALENDAR", "cz"),
            ("OPORA_MARTIAL_LAW", "2022-02-24"),
        ])
        .unwrap_err();
        assert!(error.contains("ua holiday calendar only"), "{error}");
    }
}
