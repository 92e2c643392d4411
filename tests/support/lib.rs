//! The test harness: the real server on a real port over a real database, one per test. SQLite
//! by default (a temp file per test); PostgreSQL when `OPORA_TEST_DATABASE_URL` is set (a fresh
//! schema per test). Requests go over HTTP with ureq, so nothing in the app is bypassed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;

use opora_api::auth::TokenKeys;
use opora_api::AppState;
use opora_domain::{Role, UnitKind};
use opora_persistence::directory::{NewUnit, StaffUpsert};
use opora_persistence::Store;
use serde_json::Value;

pub const SECRET: &str = "test-secret-of-enough-length";

/// A running Opora with a small organisation: one centre with two district departments.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub keys: TokenKeys,
    pub database_url: String,
    /// The centre (parent of both districts).
    pub centre: String,
    /// District A and B: a caller in one does not see the other's records.
    pub district_a: String,
    pub district_b: String,
    handle: actix_web::dev::ServerHandle,
    _dir: Option<tempfile::TempDir>,
}

/// An HTTP answer: status, headers we care about, and the JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub body: Value,
}

impl Answer {
    /// The problem's `type` suffix, e.g. `transition-refused`.
    pub fn problem_kind(&self) -> String {
        self.body["type"]
            .as_str()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned()
    }

    /// The fields a validation problem names.
    pub fn fields_at_fault(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The codes of a refused transition's unmet requirements.
    pub fn unmet(&self) -> Vec<String> {
        self.body["unmet"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }
}

/// Whether the tests run against PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("OPORA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// The server's database pool in most tests: a few connections, as a small deployment has.
const POOL_SIZE: u32 = 3;

impl TestApp {
    pub fn start() -> TestApp {
        Self::start_with(Self::options())
    }

    /// A server whose pool holds `connections`, so that as many requests reach the database at
    /// once (races).
    pub fn start_with_pool(connections: u32) -> TestApp {
        Self::launch(Self::options(), TokenKeys::new(SECRET), connections)
    }

    fn options() -> opora_api::ServerOptions {
        opora_api::ServerOptions {
            workers: Some(1),
            cors_origins: vec!["https://frontend.example".into()],
            rate_per_second: 1000,
            rate_burst: 10_000,
            ..Default::default()
        }
    }

    /// A server that also accepts an external identity provider's tokens.
    pub fn start_with_keys(keys: TokenKeys) -> TestApp {
        Self::launch(
            opora_api::ServerOptions {
                workers: Some(1),
                cors_origins: Vec::new(),
                rate_per_second: 1000,
                rate_burst: 10_000,
                ..Default::default()
            },
            keys,
            POOL_SIZE,
        )
    }

    /// The options most tests run with (one worker, generous rate limits), to change a few.
    pub fn default_options() -> opora_api::ServerOptions {
        Self::options()
    }

    /// A server with other options (rate limits, CORS origins, trusted proxies, timeouts).
    pub fn start_with(options: opora_api::ServerOptions) -> TestApp {
        Self::launch(options, TokenKeys::new(SECRET), POOL_SIZE)
    }

    /// A server whose rules apply another policy (deadlines, calendar, caseload, family load).
    pub fn start_with_policy(policy: opora_domain::Policy) -> TestApp {
        Self::launch_with(Self::options(), TokenKeys::new(SECRET), POOL_SIZE, policy)
    }

    fn launch(options: opora_api::ServerOptions, keys: TokenKeys, pool_size: u32) -> TestApp {
        Self::launch_with(options, keys, pool_size, opora_domain::Policy::default())
    }

    fn launch_with(
        options: opora_api::ServerOptions,
        keys: TokenKeys,
        pool_size: u32,
        policy: opora_domain::Policy,
    ) -> TestApp {
        let (database_url, dir) = match postgres_url() {
            Some(base) => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                (
                    opora_persistence::db::postgres_schema_url(&base, &schema).unwrap(),
                    None,
                )
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("opora.db").display());
                (url, Some(dir))
            }
        };
        let store = Store::open(&database_url, pool_size)
            .unwrap()
            .with_policy(policy);
        let unit = |parent: Option<&str>, kind, name: &str| {
            store
                .create_unit(NewUnit {
                    parent_id: parent.map(str::to_owned),
                    kind,
                    name: name.to_owned(),
                })
                .unwrap()
                .id
        };
        let department = unit(None, UnitKind::Department, "Department of Social Policy");
        let centre = unit(
            Some(&department),
            UnitKind::Centre,
            "City Centre of Social Services",
        );
        let district_a = unit(Some(&centre), UnitKind::DistrictDepartment, "District A");
        let district_b = unit(Some(&centre), UnitKind::DistrictDepartment, "District B");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState {
            store: store.clone(),
            keys: keys.clone(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = opora_api::server(state, listener, options).unwrap();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv().unwrap();
        TestApp {
            base,
            store,
            keys,
            database_url,
            centre,
            district_a,
            district_b,
            handle,
            _dir: dir,
        }
    }

    /// Creates (or updates) a staff member and returns a token for them.
    pub fn staff(&self, id: &str, roles: &[Role], unit: &str) -> String {
        self.store
            .upsert_staff(StaffUpsert {
                id: id.to_owned(),
                full_name: Some(format!("{id} (test)")),
                roles: roles.to_vec(),
                unit_id: Some(unit.to_owned()),
                active: true,
            })
            .unwrap();
        self.keys.issue(id, self.keys.access_ttl).unwrap()
    }

    /// Logs in with a password (no bearer token).
    pub fn login(&self, staff_id: &str, password: &str) -> Answer {
        self.send(
            "POST",
            "/api/v1/auth/login",
            None,
            &[],
            Some(&serde_json::json!({"staff_id": staff_id, "password": password})),
        )
    }

    /// Trades a refresh token for new tokens (no bearer token).
    pub fn refresh(&self, refresh_token: &str) -> Answer {
        self.send(
            "POST",
            "/api/v1/auth/refresh",
            None,
            &[],
            Some(&serde_json::json!({"refresh_token": refresh_token})),
        )
    }

    /// Gives a member a password the way an account that reads case content gets one: an admin
    /// asks for a setup token, a second admin completes the request, the member sets it.
    pub fn give_password(&self, staff_id: &str, unit: &str, password: &str) {
        let first = self.staff("pw-admin-1", &[Role::Admin], unit);
        let second = self.staff("pw-admin-2", &[Role::Admin], unit);
        let path = format!("/api/v1/staff/{staff_id}/password-setup-token");
        let asked = self.post(&path, &first, Value::Null);
        assert_eq!(asked.status, 202, "{:?}", asked.body);
        let issued = self.post(&path, &second, Value::Null);
        assert_eq!(issued.status, 201, "{:?}", issued.body);
        let member = self
            .keys
            .issue(staff_id, chrono::Duration::minutes(10))
            .unwrap();
        let set = self.send(
            "PUT",
            "/api/v1/me/password",
            Some(&member),
            &[],
            Some(&serde_json::json!({"setup_token": issued.body["setup_token"], "new_password": password})),
        );
        assert_eq!(set.status, 204, "{:?}", set.body);
    }

    /// Disables a staff member (their tokens stop working).
    pub fn disable(&self, id: &str, roles: &[Role], unit: &str) {
        self.store
            .upsert_staff(StaffUpsert {
                id: id.to_owned(),
                full_name: None,
                roles: roles.to_vec(),
                unit_id: Some(unit.to_owned()),
                active: false,
            })
            .unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request; `token` None sends no Authorization header.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        let agent = ureq::AgentBuilder::new().build();
        let mut request = agent.request(method, &self.url(path));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match body {
            Some(body) => request
                .set("Content-Type", "application/json")
                .send_string(&body.to_string()),
            None => request.call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = response.status();
        let content_type = response.header("content-type").unwrap_or("").to_owned();
        let etag = response.header("etag").map(str::to_owned);
        let location = response.header("location").map(str::to_owned);
        let text = response.into_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            content_type,
            etag,
            location,
            body,
        }
    }

    pub fn get(&self, path: &str, token: &str) -> Answer {
        self.send("GET", path, Some(token), &[], None)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send("POST", path, Some(token), &[], Some(&body))
    }

    pub fn patch(&self, path: &str, token: &str, if_match: Option<&str>, body: Value) -> Answer {
        let headers: Vec<(&str, &str)> =
            if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
        self.send("PATCH", path, Some(token), &headers, Some(&body))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop the server so its pool closes its connections (PostgreSQL has a limit).
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(handle.stop(false)))
                .join();
    }
}

/// Short-hands for requests a case walk needs again and again.
pub mod walk {
    use super::{Answer, TestApp};
    use serde_json::{json, Value};

    pub fn family(app: &TestApp, token: &str, unit: Option<&str>) -> Answer {
        let mut body = json!({
            "kind": "family",
            "display_name": "Shevchenko family",
            "district": "Suvorovskyi",
            "members": [
                {"full_name": "Oksana Shevchenko", "relation": "head", "date_of_birth": "1988-03-14", "sex": "female", "is_child": false},
                {"full_name": "Daryna Shevchenko", "relation": "child", "date_of_birth": "2015-09-01", "sex": "female", "is_child": true}
            ]
        });
        if let Some(unit) = unit {
            body["unit_id"] = json!(unit);
        }
        let answer = app.post("/api/v1/clients", token, body);
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer
    }

    pub fn report(app: &TestApp, token: &str, client_id: Option<&str>) -> Answer {
        let answer = app.post(
            "/api/v1/intake-reports",
            token,
            json!({"source": "hotline", "urgency": "urgent", "description": "Children alone at night", "client_id": client_id}),
        );
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer
    }

    pub fn move_report(app: &TestApp, token: &str, id: &str, body: Value) -> Answer {
        app.post(
            &format!("/api/v1/intake-reports/{id}/transitions"),
            token,
            body,
        )
    }

    pub fn move_case(app: &TestApp, token: &str, id: &str, body: Value) -> Answer {
        app.post(&format!("/api/v1/cases/{id}/transitions"), token, body)
    }

    /// Writes (or rewrites) the case's closure report with `reason` and the family told in
    /// person today: what every closure needs (seed 000's closing procedure).
    pub fn closure_report(app: &TestApp, token: &str, id: &str, reason: &str) -> Answer {
        let path = format!("/api/v1/cases/{id}/closure-report");
        let current = app.get(&path, token);
        let headers: Vec<(&str, &str)> = match &current.etag {
            Some(etag) if current.status == 200 => vec![("If-Match", etag.as_str())],
            _ => Vec::new(),
        };
        let today = chrono::Utc::now().date_naive().to_string();
        let answer = app.send(
            "PUT",
            &path,
            Some(token),
            &headers,
            Some(&json!({"closure_reason": reason,
                         "family_informed": {"on": today, "how": "in_person", "by": "key worker"}})),
        );
        assert!(
            answer.status == 200 || answer.status == 201,
            "{:?}",
            answer.body
        );
        answer
    }

    /// Closes the case for `reason` after writing the closure report the closure needs.
    pub fn close_case(app: &TestApp, token: &str, id: &str, from: &str, reason: &str) -> Answer {
        closure_report(app, token, id, reason);
        move_case(
            app,
            token,
            id,
            json!({"from": from, "to": "closed", "closure_reason": reason}),
        )
    }

    /// A client, a report about them, walked to an opened case with `key_worker`; returns the case.
    pub fn opened_case(app: &TestApp, token: &str, key_worker: &str, model: &str) -> Value {
        let client = family(app, token, None).id();
        let report = report(app, token, Some(&client)).id();
        for (from, to) in [
            ("intake", "verification"),
            ("verification", "need_recognition"),
        ] {
            let a = move_report(app, token, &report, json!({"from": from, "to": to}));
            assert_eq!(a.status, 200, "{:?}", a.body);
        }
        let a = move_report(
            app,
            token,
            &report,
            json!({"from": "need_recognition", "to": "opened", "work_model": model, "key_worker_id": key_worker}),
        );
        assert_eq!(a.status, 200, "{:?}", a.body);
        a.body["case"].clone()
    }
}
