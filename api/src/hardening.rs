//! Protections around every request: per-client rate limiting (429 problem with `Retry-After`),
//! the client's address (the peer, or what a trusted proxy says it forwarded), connection and body
//! timeouts, CORS for the configured frontend origins only, and security headers. Body size limits
//! live in [`crate::json`]; input length limits in each request type (and so in the contract).

use std::net::IpAddr;
use std::time::Duration;

use actix_cors::Cors;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::governor::NotUntil;
use actix_governor::{
    GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError,
};
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::problem::{problem_type, Problem, PROBLEM_JSON};
use crate::AppState;

/// The proxies whose `X-Forwarded-For` is believed (`OPORA_TRUSTED_PROXIES`): addresses or CIDR
/// blocks. With none, the client is always the peer, whatever a header claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Comma-separated addresses or blocks: `10.0.0.1, 10.1.0.0/16, ::1`.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let (address, prefix) = item.split_once('/').unwrap_or((item, ""));
                let address: IpAddr = address
                    .trim()
                    .parse()
                    .map_err(|_| format!("{item:?} is not an IP address or CIDR block"))?;
                let longest = if address.is_ipv4() { 32 } else { 128 };
                let prefix = match prefix.trim() {
                    "" => longest,
                    p => p
                        .parse::<u8>()
                        .ok()
                        .filter(|p| *p <= longest)
                        .ok_or_else(|| format!("{item:?} has an invalid prefix length"))?,
                };
                Ok((address, prefix))
            })
            .collect::<Result<Vec<_>, String>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|(block, prefix)| match (canonical(*block), ip) {
                (IpAddr::V4(block), IpAddr::V4(ip)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
                    u32::from(block) & mask == u32::from(ip) & mask
                }
                (IpAddr::V6(block), IpAddr::V6(ip)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
                    u128::from(block) & mask == u128::from(ip) & mask
                }
                _ => false,
            })
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then, walking
    /// `X-Forwarded-For` from the right (the entries our proxies appended), the first address that
    /// is not a trusted proxy. Entries further left were written by the client and prove nothing.
    pub fn client_address(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let peer = peer.map(canonical)?;
        if !self.contains(peer) {
            return Some(peer);
        }
        let mut client = peer;
        for entry in forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            match entry.parse::<IpAddr>().map(canonical) {
                Ok(address) if self.contains(address) => client = address,
                Ok(address) => return Some(address),
                // Garbage where an address should be: stop at the last proxy that wrote sense.
                Err(_) => return Some(client),
            }
        }
        Some(client)
    }
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The address of the client that sent `req`, as text (`unknown` without a peer address): used
/// for rate limits and login throttling.
pub fn client_address(req: &HttpRequest) -> String {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    let peer = req.peer_addr().map(|a| a.ip());
    req.app_data::<web::Data<TrustedProxies>>()
        .map(|trusted| trusted.client_address(peer, &forwarded))
        .unwrap_or(peer)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Rate-limit key: the staff id of a bearer token whose signature verifies (however the header is
/// spelled), else the client's address ([`client_address`]). A header that does not verify counts
/// against its sender's address, so junk tokens never open new buckets.
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = String;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<String, Self::KeyExtractionError> {
        let subject = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(crate::auth::bearer_token)
            .and_then(|token| {
                req.app_data::<web::Data<AppState>>()
                    .and_then(|state| state.keys.verify(token).ok())
            })
            .map(|verified| verified.subject);
        Ok(match subject {
            Some(staff_id) => format!("staff:{staff_id}"),
            None => format!("address:{}", client_address(req.request())),
        })
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1);
        let problem = Problem {
            problem_type: problem_type("too-many-requests"),
            title: "Too many requests".into(),
            status: 429,
            detail: Some(format!("slow down: retry in {wait} s")),
            instance: None,
            errors: Vec::new(),
            current_stage: None,
            unmet: Vec::new(),
            allowed_transitions: None,
        };
        response
            .insert_header((header::RETRY_AFTER, wait.to_string()))
            .content_type(PROBLEM_JSON)
            .body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// Requests per second and burst per client.
pub fn rate_limit(
    per_second: u64,
    burst: u32,
) -> Option<GovernorConfig<ClientKey, NoOpMiddleware>> {
    GovernorConfigBuilder::default()
        .key_extractor(ClientKey)
        .requests_per_second(per_second.max(1))
        .burst_size(burst.max(1))
        .finish()
}

/// How long the server waits for a client (`OPORA_*_TIMEOUT_SECS`, `OPORA_KEEP_ALIVE_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a new connection's request head (the request line and headers); then 408 and close.
    pub request_head: Duration,
    /// For the next request on an idle keep-alive connection.
    pub keep_alive: Duration,
    /// For the whole request body once the head arrived; then 400 and close.
    pub body: Duration,
    /// For the client to acknowledge the connection's shutdown.
    pub disconnect: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request_head: Duration::from_secs(5),
            keep_alive: Duration::from_secs(5),
            body: Duration::from_secs(20),
            disconnect: Duration::from_secs(1),
        }
    }
}

/// The deadline for reading a request body, as app data for [`crate::json::JsonBody`].
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// CORS for the configured origins only; with none configured, browsers get no cross-origin access.
pub fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600);
    origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn trusted_proxies_are_addresses_or_cidr_blocks() {
        let trusted = TrustedProxies::parse("10.0.0.5, 10.1.0.0/16,fd00::/8").unwrap();
        assert!(trusted.contains(ip("10.0.0.5")));
        assert!(!trusted.contains(ip("10.0.0.6")));
        assert!(trusted.contains(ip("10.1.200.3")));
        assert!(
            trusted.contains(ip("::ffff:10.1.0.1")),
            "IPv4 mapped into IPv6"
        );
        assert!(trusted.contains(ip("fd12::1")));
        assert!(!trusted.contains(ip("2001:db8::1")));
        for bad in ["10.0.0", "10.0.0.0/33", "proxy.example", "::/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn a_forwarded_for_header_is_believed_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(Some(ip("192.0.2.1")), &["198.51.100.7"]),
            Some(ip("192.0.2.1"))
        );
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            trusted.client_address(Some(ip("192.0.2.1")), &["198.51.100.7"]),
            Some(ip("192.0.2.1")),
            "a peer that is no proxy of ours"
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), &["198.51.100.7"]),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn the_client_is_the_right_most_forwarded_address_that_is_no_trusted_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote "1.2.3.4" itself; our proxies appended the rest.
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), &["1.2.3.4, 198.51.100.7", "10.0.0.9"]),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), &["garbage, 10.0.0.9"]),
            Some(ip("10.0.0.9")),
            "garbage stops at the last proxy that wrote sense"
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), &[]),
            Some(ip("10.0.0.2"))
        );
    }
}
