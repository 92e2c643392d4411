//! Assessments by life domain with the child's own view: drafts edited with If-Match, immutable
//! once completed, corrected by re-assessments.

use serde_json::json;

use super::team;

#[test]
fn an_assessment_by_life_domain_with_the_childs_view_is_edited_as_a_draft_and_then_immutable() {
    let t = team();
    let created = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "Children alone at night",
               "domains": [
                   {"domain": "child_safety", "need_level": "high", "risks": "Alone at night", "strengths": "Know the neighbours", "resources": "Grandmother"},
                   {"domain": "finances", "need_level": "moderate"}
               ],
               "conclusions": ["Children alone at night", "Low income"],
               "recommendations": "Night care; job counselling",
               "child_view": {"text": "Daryna wants grandma to come at night.", "method": "conversation alone with the child", "gathered_on": "2026-11-20"}}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag.as_deref(), Some("\"v1\""));
    assert_eq!(created.body["status"], "draft");
    let id = created.id();

    let read = t
        .app
        .get(&t.url(&format!("assessments/{id}")), &t.specialist);
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.etag.as_deref(), Some("\"v1\""));
    let domains = read.body["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 2);
    assert_eq!(domains[0]["domain"], "child_safety");
    assert_eq!(domains[0]["need_level"], "high");
    assert_eq!(domains[0]["resources"], "Grandmother");
    assert_eq!(domains[1]["strengths"], "");
    assert_eq!(
        read.body["conclusions"],
        json!(["Children alone at night", "Low income"])
    );
    assert_eq!(read.body["recommendations"], "Night care; job counselling");
    assert_eq!(
        read.body["child_view"],
        json!({"text": "Daryna wants grandma to come at night.", "method": "conversation alone with the child", "gathered_on": "2026-11-20"})
    );

    // Unknown codes are named.
    let bad = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "s", "domains": [{"domain": "astrology", "need_level": "extreme"}]}),
    );
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let fields = bad.fields_at_fault().join(",");
    assert!(
        fields.contains("domain") && fields.contains("need_level"),
        "{fields}"
    );

    // Editing a draft needs If-Match: none 428, stale 412, current 200.
    let path = t.url(&format!("assessments/{id}"));
    let change = json!({"domains": [{"domain": "housing", "need_level": "low", "risks": "Damp flat"}],
                        "conclusions": ["Damp flat"],
                        "child_view": {"text": "Mykola likes school.", "method": "drawing", "gathered_on": "2026-11-21"}});
    let none = t.app.patch(&path, &t.manager, None, change.clone());
    assert_eq!(none.status, 428, "{:?}", none.body);
    let stale = t
        .app
        .patch(&path, &t.manager, Some("\"v0\""), change.clone());
    assert_eq!(stale.status, 412, "{:?}", stale.body);
    let edited = t.app.patch(&path, &t.manager, Some("\"v1\""), change);
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.etag.as_deref(), Some("\"v2\""));
    assert_eq!(edited.body["domains"].as_array().unwrap().len(), 1);
    assert_eq!(edited.body["domains"][0]["domain"], "housing");
    assert_eq!(edited.body["conclusions"], json!(["Damp flat"]));
    assert_eq!(edited.body["child_view"]["method"], "drawing");
    assert_eq!(edited.body["summary"], "Children alone at night");
    let unknown = t.app.patch(
        &path,
        &t.manager,
        Some("\"v2\""),
        json!({"summary": "x", "mood": "good"}),
    );
    assert!([400, 422].contains(&unknown.status), "{:?}", unknown.body);

    // Completed: immutable.
    let done = t.app.post(
        &t.url(&format!("assessments/{id}/completion")),
        &t.manager,
        json!({}),
    );
    assert_eq!(done.status, 200, "{:?}", done.body);
    let etag = done.etag.clone().unwrap();
    let refused = t.app.patch(
        &path,
        &t.manager,
        Some(&etag),
        json!({"summary": "changed"}),
    );
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    // The domain's rule is named, for clients to switch on.
    assert_eq!(refused.unmet(), ["assessment_completed"]);

    // Corrections go into a re-assessment naming the corrected one.
    let initial_corrects = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "initial", "summary": "s", "corrects": id}),
    );
    assert_eq!(initial_corrects.status, 422, "{:?}", initial_corrects.body);
    let unknown = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "re_assessment", "summary": "s", "corrects": "no-such-assessment"}),
    );
    assert_eq!(unknown.status, 422, "{:?}", unknown.body);
    let again = t.app.post(
        &t.url("assessments"),
        &t.manager,
        json!({"kind": "re_assessment", "summary": "Night care in place; damp flat remains", "corrects": id, "complete": true,
               "domains": [{"domain": "housing", "need_level": "moderate"}]}),
    );
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.body["corrects"], json!(id));
    assert_eq!(again.body["kind"], "re_assessment");

    let list = t.app.get(&t.url("assessments"), &t.manager);
    assert_eq!(list.status, 200);
    let list = list.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["domains"][0]["domain"], "housing");

    let events = t.app.get(&t.url("events"), &t.manager).body.to_string();
    assert!(events.contains("assessment.updated"), "{events}");
}
