//! One way to make stores for the persistence crate's own tests: a fresh SQLite file, and a fresh
//! PostgreSQL schema when the tests are given a server (`OPORA_TEST_DATABASE_URL`), so that every
//! test that says "on each backend" means both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::Store;

/// A SQLite store, and a PostgreSQL one when the tests are given a server. Keep the directory
/// alive while the stores are used.
pub(crate) fn stores() -> (Vec<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![Store::open(
        &format!("sqlite://{}", dir.path().join("test.db").display()),
        2,
    )
    .unwrap()];
    if let Some(url) = postgres_url("t") {
        stores.push(Store::open(&url, 2).unwrap());
    }
    (stores, dir)
}

/// A URL of a fresh PostgreSQL schema (named with `prefix`), when the tests are given a server.
pub(crate) fn postgres_url(prefix: &str) -> Option<String> {
    let base = std::env::var("OPORA_TEST_DATABASE_URL").ok()?;
    if !base.starts_with("postgres") {
        return None;
    }
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    Some(crate::db::postgres_schema_url(&base, &schema).unwrap())
}
