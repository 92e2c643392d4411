//! ETag / If-Match for updates of clients and cases: the ETag names the record's version; an
//! update must send it back in If-Match (428 without, 412 when stale), so no update is lost.

use actix_web::HttpRequest;

use crate::problem::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version the caller's If-Match names.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let value = req
        .headers()
        .get(actix_web::http::header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match is not ASCII".into()))?;
    // A version we never issued (or `*`) cannot match the current one: 412, not a guess.
    Ok(text
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_reads_back_the_etag_it_was_given() {
        let req = TestRequest::default()
            .insert_header(("If-Match", etag(7)))
            .to_http_request();
        assert_eq!(if_match(&req).ok(), Some(7));
    }

    #[test]
    fn a_missing_if_match_is_precondition_required() {
        let req = TestRequest::default().to_http_request();
        assert!(matches!(
            if_match(&req),
            Err(ApiError::PreconditionRequired)
        ));
    }

    #[test]
    fn an_unknown_if_match_matches_no_version() {
        let req = TestRequest::default()
            .insert_header(("If-Match", "*"))
            .to_http_request();
        assert_eq!(if_match(&req).ok(), Some(-1));
    }
}
