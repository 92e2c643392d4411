//! Configuration from the environment.

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
    /// `OPORA_CORS_ORIGINS`: comma-separated frontend origins (default: none).
    pub cors_origins: Vec<String>,
    /// `OPORA_RATE_LIMIT`: requests per second per client (default 50).
    pub rate_per_second: u64,
    /// `OPORA_RATE_BURST`: requests a client may send at once (default 200).
    pub rate_burst: u32,
    /// `OPORA_ACCESS_TOKEN_MINUTES`: lifetime of access tokens from login and refresh (default 15).
    pub access_token_minutes: i64,
    /// `OPORA_CASELOAD_WEIGHTS`: weights of key-worker suggestions, e.g.
    /// `emergency=3,urgent=2,routine=1,case_management=1.5,individual=1` (the defaults; keys not
    /// given keep theirs). An unreadable value is an error here, and `serve` refuses to start.
    pub caseload_weights: Result<opora_domain::caseload::CaseloadWeights, String>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/opora.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Config {
            database_url: var("OPORA_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            bind: var("OPORA_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            jwt_secret: var("OPORA_JWT_SECRET"),
            pool_size: var("OPORA_DB_POOL_SIZE")
                .and_then(|v| v.parse().ok())
                .unwrap_or(8),
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
            access_token_minutes: var("OPORA_ACCESS_TOKEN_MINUTES")
                .and_then(|v| v.parse().ok())
                .filter(|m: &i64| (1..=720).contains(m))
                .unwrap_or(15),
            caseload_weights: var("OPORA_CASELOAD_WEIGHTS").map_or(Ok(Default::default()), |v| {
                opora_domain::caseload::CaseloadWeights::parse(&v)
                    .map_err(|e| format!("OPORA_CASELOAD_WEIGHTS: {e}"))
            }),
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
