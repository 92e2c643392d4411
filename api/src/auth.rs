//! Bearer authentication: an HS256 JWT issued by Opora (login, `opora token`), or a token of an
//! external identity provider (e.g. Keycloak) validated by its RS256/ES256 public keys from a PEM
//! or a JWKS file. Algorithms are fixed by configuration: a token with any other `alg` is refused.
//! `exp` is required; `nbf`, issuer and audience are checked, and a token that would stay usable
//! longer than the configured maximum lifetime from now is refused. The subject (`sub`, or the
//! configured claim) names a staff member; roles and unit come from the staff record on every
//! request, never from the token, so disabling a member or changing their roles takes effect at
//! once, and a token issued (`iat`) before the member's sessions last ended is refused
//! (`opora_domain::sessions`). Opora's own tokens carry `iat` to the microsecond (a JWT
//! NumericDate may have a fraction), so a login right after a logout is not mistaken for a token
//! from before it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use opora_domain::sessions::check_token_lifetime;
use opora_persistence::Caller;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::AppState;

pub const ISSUER: &str = "opora";
pub const AUDIENCE: &str = "opora-api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    /// Seconds since the epoch, to the microsecond.
    pub iat: f64,
    pub nbf: i64,
    pub exp: i64,
}

/// Signs and verifies tokens with the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of the access tokens login and refresh issue.
    pub access_ttl: chrono::Duration,
    /// The longest a token may stay usable from now (`exp - now`); never less than `access_ttl`.
    pub max_lifetime: chrono::Duration,
    /// Tokens of an external identity provider, when configured.
    external: Option<ExternalIdp>,
}

/// An external identity provider's public keys and the checks its tokens must pass.
#[derive(Clone)]
pub struct ExternalIdp {
    algorithm: Algorithm,
    /// Keys by `kid` (a PEM key has none and matches any token).
    keys: Vec<(Option<String>, DecodingKey)>,
    validation: Validation,
    subject_claim: String,
}

impl ExternalIdp {
    fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation
    }

    fn algorithm(name: &str) -> Result<Algorithm, String> {
        match name {
            "RS256" => Ok(Algorithm::RS256),
            "ES256" => Ok(Algorithm::ES256),
            other => Err(format!(
                "unsupported external token algorithm {other:?}: use RS256 or ES256"
            )),
        }
    }

    /// From a PEM public key.
    pub fn from_pem(
        algorithm: &str,
        pem: &[u8],
        issuer: &str,
        audience: &str,
        subject_claim: &str,
    ) -> Result<Self, String> {
        let algorithm = Self::algorithm(algorithm)?;
        let key = match algorithm {
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
            _ => DecodingKey::from_rsa_pem(pem),
        }
        .map_err(|e| format!("cannot read the public key: {e}"))?;
        Ok(ExternalIdp {
            algorithm,
            keys: vec![(None, key)],
            validation: Self::validation(algorithm, issuer, audience),
            subject_claim: subject_claim.to_owned(),
        })
    }

    /// From a JWKS document (the provider's `certs` endpoint saved to a file).
    pub fn from_jwks(
        algorithm: &str,
        jwks: &str,
        issuer: &str,
        audience: &str,
        subject_claim: &str,
    ) -> Result<Self, String> {
        let algorithm = Self::algorithm(algorithm)?;
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| format!("cannot read the JWKS: {e}"))?;
        let keys = set
            .keys
            .iter()
            .filter_map(|jwk| {
                DecodingKey::from_jwk(jwk)
                    .ok()
                    .map(|key| (jwk.common.key_id.clone(), key))
            })
            .collect::<Vec<_>>();
        if keys.is_empty() {
            return Err("the JWKS holds no usable key".into());
        }
        Ok(ExternalIdp {
            algorithm,
            keys,
            validation: Self::validation(algorithm, issuer, audience),
            subject_claim: subject_claim.to_owned(),
        })
    }

    fn verify(&self, token: &str, kid: Option<&str>) -> Result<Verified, ApiError> {
        let refused = ApiError::Unauthorized("the bearer token is invalid or expired");
        let key = self
            .keys
            .iter()
            .find(|(id, _)| id.is_none() || id.as_deref() == kid)
            .map(|(_, key)| key)
            .ok_or(ApiError::Unauthorized("the token's key is unknown"))?;
        let claims =
            decode::<serde_json::Map<String, serde_json::Value>>(token, key, &self.validation)
                .map_err(|e| {
                    log::debug!("external token refused: {e}");
                    refused
                })?
                .claims;
        let subject = claims
            .get(&self.subject_claim)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or(ApiError::Unauthorized("the token names no subject"))?;
        Ok(Verified {
            subject,
            issued_at: claims
                .get("iat")
                .and_then(|v| v.as_f64())
                .and_then(issued_at),
            expires_at: claims.get("exp").and_then(|v| v.as_i64()).unwrap_or(0),
        })
    }
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 30;
        validation.validate_nbf = true;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            access_ttl: chrono::Duration::minutes(15),
            max_lifetime: chrono::Duration::minutes(15),
            external: None,
        }
    }

    /// Also accept tokens of an external identity provider.
    pub fn with_external(mut self, idp: ExternalIdp) -> Self {
        self.external = Some(idp);
        self
    }

    /// The same keys with another access-token lifetime (the maximum lifetime accepted grows to
    /// it if shorter).
    pub fn with_access_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.access_ttl = ttl;
        self.max_lifetime = self.max_lifetime.max(ttl);
        self
    }

    /// The same keys accepting tokens usable for at most `max` from now (at least the access
    /// tokens' lifetime).
    pub fn with_max_lifetime(mut self, max: chrono::Duration) -> Self {
        self.max_lifetime = max.max(self.access_ttl);
        self
    }

    /// A token for `sub`, valid for `ttl`.
    pub fn issue(&self, sub: &str, ttl: chrono::Duration) -> Result<String, ApiError> {
        let instant = chrono::Utc::now();
        let now = instant.timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            // Microseconds, as the database keeps the instant sessions end.
            iat: instant.timestamp_micros() as f64 / 1e6,
            nbf: now,
            exp: now + ttl.num_seconds(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("cannot sign a token: {e}")))
    }

    /// What a token says, if it verifies under one of the configured algorithms and does not live
    /// longer than [`TokenKeys::max_lifetime`].
    pub fn verify(&self, token: &str) -> Result<Verified, ApiError> {
        let refused = ApiError::Unauthorized("the bearer token is invalid or expired");
        let header = decode_header(token).map_err(|_| refused)?;
        let verified = match &self.external {
            Some(idp) if header.alg == idp.algorithm => idp.verify(token, header.kid.as_deref())?,
            _ => decode::<Claims>(token, &self.decoding, &self.validation)
                .map(|data| Verified {
                    subject: data.claims.sub,
                    issued_at: issued_at(data.claims.iat),
                    expires_at: data.claims.exp,
                })
                .map_err(|e| {
                    log::debug!("token refused: {e}");
                    ApiError::Unauthorized("the bearer token is invalid or expired")
                })?,
        };
        check_token_lifetime(
            verified.expires_at,
            chrono::Utc::now().timestamp(),
            self.max_lifetime,
        )
        .map_err(|refusal| ApiError::Unauthorized(refusal.message()))?;
        Ok(verified)
    }
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The staff id.
    pub subject: String,
    /// `iat`, if the token has one.
    pub issued_at: Option<chrono::NaiveDateTime>,
    /// `exp`, seconds since the epoch.
    pub expires_at: i64,
}

/// A NumericDate (seconds, perhaps with a fraction) as an instant, to the microsecond.
fn issued_at(seconds: f64) -> Option<chrono::NaiveDateTime> {
    let micros = (seconds * 1e6).round();
    if !micros.is_finite() || micros.abs() > 1e17 {
        return None;
    }
    chrono::DateTime::from_timestamp_micros(micros as i64).map(|t| t.naive_utc())
}

/// The token of an `Authorization: Bearer <token>` header (either case of `Bearer`, spaces
/// around the token ignored).
pub fn bearer_token(header: &actix_web::http::header::HeaderValue) -> Option<&str> {
    header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The authenticated caller of an `/api/v1` endpoint.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let header =
                header.ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
            let token = bearer_token(&header)
                .ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
            let verified = state.keys.verify(token)?;
            // Most requests are answered from memory: the directory was read a moment ago.
            if let Some(caller) = state
                .store
                .authenticate_bearer_cached(&verified.subject, verified.issued_at)
            {
                return caller.map(Authenticated).map_err(ApiError::Unauthorized);
            }
            let store = state.store.clone();
            let caller = crate::blocking(move || {
                store.authenticate_bearer(&verified.subject, verified.issued_at)
            })
            .await?;
            caller.map(Authenticated).map_err(ApiError::Unauthorized)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let keys = TokenKeys::new("one secret");
        let token = keys
            .issue("staff-1", chrono::Duration::minutes(5))
            .unwrap_or_default();
        assert_eq!(
            keys.verify(&token).ok().map(|v| v.subject),
            Some("staff-1".to_owned())
        );
        assert!(TokenKeys::new("another secret").verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = TokenKeys::new("s");
        let token = keys
            .issue("staff-1", chrono::Duration::minutes(-5))
            .unwrap_or_default();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn a_token_living_longer_than_the_maximum_is_refused() {
        let keys = TokenKeys::new("s").with_max_lifetime(chrono::Duration::minutes(60));
        let ok = keys
            .issue("staff-1", chrono::Duration::minutes(60))
            .unwrap_or_default();
        assert!(keys.verify(&ok).is_ok());
        let long = keys
            .issue("staff-1", chrono::Duration::minutes(90))
            .unwrap_or_default();
        assert!(keys.verify(&long).is_err());
    }

    #[test]
    fn the_issue_instant_keeps_its_microseconds() {
        let keys = TokenKeys::new("s");
        let before = chrono::Utc::now().naive_utc();
        let token = keys
            .issue("staff-1", chrono::Duration::minutes(5))
            .unwrap_or_default();
        let issued = keys.verify(&token).ok().and_then(|v| v.issued_at);
        assert!(issued.is_some_and(|at| at >= before - chrono::Duration::microseconds(1)));
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: "x".into(),
            iss: ISSUER.into(),
            aud: "someone-else".into(),
            iat: now as f64,
            nbf: now,
            exp: now + 60,
        };
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"s"),
        )
        .unwrap_or_default();
        assert!(TokenKeys::new("s").verify(&token).is_err());
    }
}
