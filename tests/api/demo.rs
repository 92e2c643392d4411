//! The demo `make run` loads: it must load on an empty database (each backend), walk its cases
//! through the real rules, and not load twice.

use opora_persistence::cases::CaseFilter;
use opora_persistence::{PageRequest, Store};

fn empty_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match opora_tests::postgres_url() {
        Some(base) => opora_persistence::db::postgres_schema_url(
            &base,
            &format!("demo_{}", uuid::Uuid::now_v7().simple()),
        )
        .unwrap(),
        None => format!("sqlite://{}", dir.path().join("demo.db").display()),
    };
    (Store::open(&url, 2).unwrap(), dir)
}

#[test]
fn the_demo_loads_once_with_cases_in_several_stages() {
    let (store, _dir) = empty_store();
    let demo = opora_api::demo::load(&store).unwrap();
    let supervisor = store
        .authenticate(&demo.supervisor_id)
        .unwrap()
        .expect("the demo supervisor is active");
    let cases = store
        .list_cases(
            &supervisor,
            &CaseFilter::default(),
            &PageRequest {
                after: None,
                limit: 50,
            },
        )
        .unwrap();
    let mut stages: Vec<String> = cases
        .items
        .iter()
        .map(|c| c.case.lifecycle_stage.clone())
        .collect();
    stages.sort();
    assert_eq!(stages, ["implementation", "opened"]);

    let again = opora_api::demo::load(&store).unwrap();
    assert!(again.summary.contains("already"), "{}", again.summary);
    let cases = store
        .list_cases(
            &supervisor,
            &CaseFilter::default(),
            &PageRequest {
                after: None,
                limit: 50,
            },
        )
        .unwrap();
    assert_eq!(cases.items.len(), 2, "nothing loaded twice");
}
