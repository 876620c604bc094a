//! Per-caller rate limits: each session token (bearer or admin cookie) gets
//! `CRMSYNC_RATE_LIMIT_PER_MINUTE` requests a minute as a token bucket, and each remote
//! address off this machine as many without a token (ten times as many with tokens, so
//! made-up tokens do not lift the limit), so one client's flood of sign-ins or uploads
//! cannot starve the others. Calls from this machine without a token are not limited (a
//! reverse proxy in front, or the operator's own tools).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::secrets::token_hash;
use crate::state::AppState;

/// Most callers tracked at once; past it, idle ones are forgotten first.
const MAX_CALLERS: usize = 100_000;

/// One caller's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every recent caller.
#[derive(Default)]
pub struct RateLimits(Mutex<HashMap<String, Bucket>>);

impl RateLimits {
    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, key: &str, per_minute: u32, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(per_minute);
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.0.lock() else { return Ok(()) };
        if buckets.len() >= MAX_CALLERS && !buckets.contains_key(key) {
            // Full buckets are callers that stopped: forgetting them changes nothing.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < capacity);
            if buckets.len() >= MAX_CALLERS {
                return Err(60);
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: capacity, at: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// How many times the per-token budget one remote address gets in all, so that made-up
/// tokens (each a fresh bucket) cannot lift a client's limit.
const ADDRESS_MULTIPLE: u32 = 10;

/// The buckets a request draws on, with their budgets: its token's (bearer or admin
/// cookie), and, off this machine, its remote address's (the token budget without a
/// token, ten times it with one).
fn buckets(request: &Request, per_minute: u32) -> Vec<(String, u32)> {
    let headers = request.headers();
    let mut out = Vec::new();
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        out.push((format!("token:{}", token_hash(auth.trim())), per_minute));
    } else if let Some(cookie) = super::login::cookie(headers, crate::handlers::admin_session::ADMIN_COOKIE) {
        out.push((format!("cookie:{}", token_hash(&cookie)), per_minute));
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer.filter(|p| !p.is_loopback()) {
        let budget = if out.is_empty() { per_minute } else { per_minute.saturating_mul(ADDRESS_MULTIPLE) };
        out.push((format!("address:{peer}"), budget));
    }
    out
}

/// Answers 429 with `Retry-After` once a caller's bucket is empty.
pub async fn limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    for (key, budget) in buckets(&request, state.settings.rate_limit_per_minute) {
        if let Err(wait) = state.rate_limits.take(&key, budget, Instant::now()) {
            let body = json!({ "error": { "code": "rate_limited", "message": format!(
                "too many requests from this caller; try again in {wait} s (CRMSYNC_RATE_LIMIT_PER_MINUTE is {})",
                state.settings.rate_limit_per_minute
            ) } });
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn request(token: Option<&str>, peer: &str) -> Request {
        let mut builder = axum::http::Request::builder().uri("/api/v1/me");
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let mut request = builder.body(axum::body::Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        request
    }

    #[test]
    fn tokens_and_remote_addresses_have_buckets_this_machine_without_a_token_none() {
        let names = |r: &Request| {
            buckets(r, 60).into_iter().map(|(k, n)| (k.split(':').next().unwrap().to_string(), n)).collect::<Vec<_>>()
        };
        assert_eq!(names(&request(Some("t"), "203.0.113.9:5000")), [("token".into(), 60), ("address".into(), 600)]);
        assert_eq!(names(&request(None, "203.0.113.9:5000")), [("address".to_string(), 60)]);
        assert_eq!(names(&request(Some("t"), "127.0.0.1:5000")), [("token".to_string(), 60)]);
        assert!(names(&request(None, "127.0.0.1:5000")).is_empty());
    }

    #[test]
    fn a_bucket_empties_refills_and_is_per_caller() {
        let limits = RateLimits::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limits.take("a", 3, t0), Ok(()));
        }
        assert_eq!(limits.take("a", 3, t0), Err(20));
        assert_eq!(limits.take("b", 3, t0), Ok(()), "another caller has its own bucket");
        assert_eq!(limits.take("a", 3, t0 + Duration::from_secs(20)), Ok(()), "one request back after 20 s");
        assert!(limits.take("a", 3, t0 + Duration::from_secs(20)).is_err());
    }
}
