//! The committed contract is what the code generates and what the server serves.

use opora_tests::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_contract_is_what_the_code_generates() {
    let generated = opora_api::openapi_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    );
}

#[test]
fn the_server_serves_the_committed_contract() {
    let app = TestApp::start();
    let served = app.send("GET", "/api-docs/openapi.json", None, &[], None);
    assert_eq!(served.status, 200);
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served.body, committed);
}

#[test]
fn every_operation_documents_its_problems_and_security() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            let id = op["operationId"].as_str().unwrap_or(path);
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not documented as problem+json"
                    );
                }
            }
            let public = ["login", "refresh_token"].contains(&id);
            if path.starts_with("/api/v1/") && public {
                assert!(
                    op["security"].is_null(),
                    "{id} is public and must not ask for a token"
                );
            }
            if path.starts_with("/api/v1/") && !public {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{id} has no bearer security"
                );
                for status in ["401", "429", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{id} does not document {status}"
                    );
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404"), "{id} does not document 404");
                }
                if method == "post" || method == "patch" {
                    assert!(responses.contains_key("403"), "{id} does not document 403");
                }
                if op["requestBody"].is_object() {
                    for status in ["415", "422"] {
                        assert!(
                            responses.contains_key(status),
                            "{id} does not document {status}"
                        );
                    }
                }
            }
        }
    }
    assert!(operations >= 29, "only {operations} operations documented");
}
