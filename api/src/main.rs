//! The `opora` command: `serve` runs the API, `token` creates or updates a staff member and prints
//! a token for them, `openapi` prints the contract, `migrate` applies migrations.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use opora_api::config::Config;
use opora_api::{auth::TokenKeys, demo, AppState};
use opora_domain::Role;
use opora_persistence::directory::StaffUpsert;
use opora_persistence::Store;

#[derive(Parser)]
#[command(
    name = "opora",
    version,
    about = "Opora: case management for social services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (OPORA_DATABASE_URL, OPORA_BIND, OPORA_JWT_SECRET).
    Serve {
        /// Load the demo (a district unit, staff, a family with children, cases in several
        /// stages) if the database is empty, and print a token for Swagger UI.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update a staff member and print a token for them (last line of stdout).
    Token {
        /// The staff member's id (the token's `sub`).
        #[arg(long)]
        sub: String,
        /// A role; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The unit's id; default: the member's current unit, or the root unit.
        #[arg(long)]
        unit: Option<String>,
        /// Full name; default: the id.
        #[arg(long)]
        name: Option<String>,
        /// Token lifetime in minutes; default and most: the longest the server accepts
        /// (OPORA_MAX_TOKEN_MINUTES, default OPORA_ACCESS_TOKEN_MINUTES).
        #[arg(long)]
        minutes: Option<i64>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Apply pending migrations and exit.
    Migrate,
    /// Pseudonymise the clients whose cases and reports ended more than the retention period ago
    /// (and are not under a legal hold). Run it daily, e.g. from cron.
    Retention {
        /// Years after the last case or report ended (default: OPORA_RETENTION_YEARS, else 5).
        #[arg(long)]
        years: Option<u32>,
        /// Only list who would be pseudonymised.
        #[arg(long)]
        dry_run: bool,
    },
    /// Verify the audit chain; print its head (to anchor outside the database). Exit 1 if broken.
    AuditVerify,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("opora: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env();
    match cli.command {
        Command::Openapi => {
            print!("{}", opora_api::openapi_json());
            Ok(())
        }
        Command::Retention { years, dry_run } => {
            let years = years
                .or_else(|| {
                    std::env::var("OPORA_RETENTION_YEARS")
                        .ok()
                        .and_then(|y| y.parse().ok())
                })
                .unwrap_or(5);
            let cutoff =
                chrono::Utc::now().naive_utc() - chrono::Duration::days(365 * i64::from(years));
            let store = Store::open(&config.database_url, 1).map_err(|e| e.to_string())?;
            let report = store
                .run_retention(cutoff, dry_run)
                .map_err(|e| e.to_string())?;
            let verb = if dry_run {
                "would pseudonymise"
            } else {
                "pseudonymised"
            };
            println!(
                "{verb} {} client(s); {} under a legal hold",
                report.pseudonymised.len(),
                report.held.len()
            );
            for id in &report.pseudonymised {
                println!("  {id}");
            }
            Ok(())
        }
        Command::AuditVerify => {
            let signer = config.log_signer()?;
            let key = signer.verifier_key();
            let store = Store::open(&config.database_url, 1)
                .map_err(|e| e.to_string())?
                .with_log_signer(signer);
            let v = store.verify_audit(None).map_err(|e| e.to_string())?;
            println!("verifier key: {key}");
            println!("entries checked: {}", v.entries_checked);
            println!("signed checkpoints checked: {}", v.checkpoints_checked);
            println!("payloads erased: {}", v.erased_payloads);
            if let Some((size, root)) = &v.head {
                println!("tree: {size} entries, root {root}");
            }
            match v.first_broken {
                None => {
                    println!("the audit log verifies");
                    Ok(())
                }
                Some((seq, reason)) => {
                    Err(format!("the audit log is broken at entry {seq}: {reason}"))
                }
            }
        }
        Command::Migrate => {
            Store::open(&config.database_url, 1).map_err(|e| e.to_string())?;
            println!("migrations applied to {}", config.database_url);
            Ok(())
        }
        Command::Token {
            sub,
            roles,
            unit,
            name,
            minutes,
        } => {
            let keys = TokenKeys::new(&config.require_secret()?);
            let minutes = minutes.unwrap_or(config.max_token_minutes);
            if !(1..=config.max_token_minutes).contains(&minutes) {
                return Err(format!(
                    "--minutes must be 1 to {} (OPORA_MAX_TOKEN_MINUTES): the server refuses longer-lived tokens",
                    config.max_token_minutes
                ));
            }
            let roles = roles
                .iter()
                .map(|r| {
                    Role::parse(r)
                        .ok_or_else(|| format!("unknown role {r:?}; roles: {}", role_list()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let store = Store::open(&config.database_url, 1).map_err(|e| e.to_string())?;
            let member = store
                .upsert_staff(StaffUpsert {
                    id: sub.clone(),
                    full_name: name,
                    roles,
                    unit_id: unit,
                    active: true,
                })
                .map_err(|e| e.to_string())?;
            let token = keys
                .issue(&sub, chrono::Duration::minutes(minutes))
                .map_err(|e| e.to_string())?;
            println!(
                "staff member {} in unit {} with roles {:?}",
                member.id,
                member.unit_id,
                member.roles.iter().map(|r| r.code()).collect::<Vec<_>>()
            );
            println!("{token}");
            Ok(())
        }
        Command::Serve { demo: load_demo } => {
            let policy = config.policy.clone()?;
            let mut keys = TokenKeys::new(&config.require_secret()?)
                .with_access_ttl(chrono::Duration::minutes(config.access_token_minutes))
                .with_max_lifetime(chrono::Duration::minutes(config.max_token_minutes));
            // Refuse to start on an unreadable setting before anything else happens.
            config.trusted_proxies.clone()?;
            config.timeouts.clone()?;
            let pool_timeout = config.pool_timeout.clone()?;
            let log_signer = config.log_signer()?;
            if let Some(idp) = external_idp()? {
                keys = keys.with_external(idp);
            }
            let store =
                Store::open_with_timeout(&config.database_url, config.pool_size, pool_timeout)
                    .map_err(|e| e.to_string())?
                    .with_policy(policy)
                    .with_log_signer(log_signer);
            if load_demo {
                let demo =
                    demo::load(&store).map_err(|e| format!("loading the demo failed: {e}"))?;
                let token = keys
                    .issue(&demo.supervisor_id, keys.max_lifetime)
                    .map_err(|e| e.to_string())?;
                println!();
                println!("Opora demo: {}", demo.summary);
                println!(
                    "Swagger UI: http://{}/swagger-ui/  (Authorize, then paste the token below)",
                    config.bind
                );
                println!(
                    "Token for supervisor {} ({} min, OPORA_MAX_TOKEN_MINUTES):",
                    demo.supervisor_id,
                    keys.max_lifetime.num_minutes()
                );
                println!("{token}");
                println!();
            }
            let listener = std::net::TcpListener::bind(&config.bind)
                .map_err(|e| format!("cannot bind {}: {e}", config.bind))?;
            log::info!(
                "listening on http://{} ({:?} database)",
                config.bind,
                store.backend()
            );
            let options = opora_api::ServerOptions {
                workers: None,
                cors_origins: config.cors_origins.clone(),
                rate_per_second: config.rate_per_second,
                rate_burst: config.rate_burst,
                trusted_proxies: config.trusted_proxies.clone()?,
                timeouts: config.timeouts.clone()?,
                blocking_threads: Some(config.pool_size as usize),
            };
            // The audit log's sequencer: this instance integrates queued entries while it holds
            // the lease; another instance takes over when it stops renewing it.
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let sequencer = {
                let (store, stop) = (store.clone(), stop.clone());
                let holder = opora_persistence::new_id();
                std::thread::spawn(move || {
                    store.run_sequencer(&holder, &stop, std::time::Duration::from_millis(200))
                })
            };
            let served = actix_web::rt::System::new()
                .block_on(async move {
                    opora_api::server(AppState { store, keys }, listener, options)?.await
                })
                .map_err(|e| e.to_string());
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = sequencer.join();
            served
        }
    }
}

/// An external identity provider, when `OPORA_JWT_ALGORITHM` names RS256 or ES256.
fn external_idp() -> Result<Option<opora_api::auth::ExternalIdp>, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(algorithm) = var("OPORA_JWT_ALGORITHM").filter(|a| a != "HS256") else {
        return Ok(None);
    };
    let issuer = var("OPORA_JWT_ISSUER")
        .ok_or("OPORA_JWT_ISSUER is required with an external identity provider")?;
    let audience = var("OPORA_JWT_AUDIENCE")
        .ok_or("OPORA_JWT_AUDIENCE is required with an external identity provider")?;
    let subject = var("OPORA_JWT_SUBJECT_CLAIM").unwrap_or_else(|| "sub".into());
    let read = |path: String| {
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))
    };
    let idp = match (var("OPORA_JWKS_FILE"), var("OPORA_JWT_PUBLIC_KEY_FILE")) {
        (Some(jwks), _) => opora_api::auth::ExternalIdp::from_jwks(
            &algorithm,
            &read(jwks)?,
            &issuer,
            &audience,
            &subject,
        )?,
        (None, Some(pem)) => opora_api::auth::ExternalIdp::from_pem(
            &algorithm,
            read(pem)?.as_bytes(),
            &issuer,
            &audience,
            &subject,
        )?,
        (None, None) => return Err(
            "set OPORA_JWKS_FILE or OPORA_JWT_PUBLIC_KEY_FILE for the external identity provider"
                .into(),
        ),
    };
    log::info!("accepting {algorithm} tokens from {issuer} (subject claim {subject})");
    Ok(Some(idp))
}

fn role_list() -> String {
    Role::ALL
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ")
}
