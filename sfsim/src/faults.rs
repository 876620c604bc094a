//! Faults switchable at run time (`POST /__sim/faults`), applied to the next requests of
//! the REST and Bulk APIs: added latency, 500/503, an expired session (401
//! `INVALID_SESSION_ID`, and every issued session is revoked), `REQUEST_LIMIT_EXCEEDED`,
//! `UNABLE_TO_LOCK_ROW`, a connection dropped in the middle of the response body, a
//! Bulk query job that ends `Failed`, records of a Collections write locked one by one,
//! Tooling creates refused for lack of permission, and records refused by a validation rule. OAuth and `/__sim/` itself are never faulted.
//!
//! The daily API allowance is enforced here too: once the org's count reaches it
//! (`POST /__sim/limits` sets both), every call gets 403 `REQUEST_LIMIT_EXCEEDED`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::rest::rest_error;
use crate::Sim;

/// What to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    ServerError,
    Unavailable,
    ExpiredSession,
    RequestLimit,
    UnableToLock,
    /// The response starts, then the connection drops mid-body.
    DroppedConnection,
    /// The next Bulk query jobs end `Failed` (taken by job creation, not by requests).
    BulkJobFailed,
    /// The next records of Collections writes fail one by one with `UNABLE_TO_LOCK_ROW`
    /// (taken per record; the call itself answers 200).
    RecordLock,
    /// The next Tooling API creates are refused: the user lacks "Customize Application".
    InsufficientAccess,
    /// The next records of Collections writes fail an admin's validation rule
    /// (`FIELD_CUSTOM_VALIDATION_EXCEPTION`), one by one.
    ValidationRule,
}

impl FaultKind {
    /// Kinds a handler takes itself rather than the middleware, per request.
    fn taken_by_handler(self) -> bool {
        matches!(self, Self::BulkJobFailed | Self::RecordLock | Self::InsufficientAccess | Self::ValidationRule)
    }
}

/// `POST /__sim/faults` body: `kind` for the next `count` requests, and/or `latency_ms`
/// added to every request until changed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FaultPlan {
    pub kind: Option<FaultKind>,
    #[serde(default)]
    pub count: u32,
    #[serde(default)]
    pub latency_ms: u64,
}

/// The active plan.
#[derive(Default)]
pub struct Faults {
    plan: Mutex<FaultPlan>,
}

/// Sends the status, headers and half the body, then fails the body stream so the
/// server drops the connection, as a network cut mid-download does.
async fn dropped(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    // The full length is announced, so the client knows the body was cut short.
    if let Ok(v) = HeaderValue::from_str(&bytes.len().to_string()) {
        parts.headers.insert("content-length", v);
    }
    use futures_util::StreamExt;
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(half)]);
    // A pause, so the status line, headers and first half are on the wire before the cut.
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sfsim: connection dropped"))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(first.chain(cut)))
}

/// Replaces the active plan.
pub async fn set(State(sim): State<Arc<Sim>>, Json(plan): Json<FaultPlan>) -> Response {
    if let Ok(mut p) = sim.faults.plan.lock() {
        *p = plan;
    }
    StatusCode::NO_CONTENT.into_response()
}

impl Faults {
    /// Takes one pending `kind` fault, if the plan has one left.
    pub fn take(&self, kind: FaultKind) -> bool {
        match self.plan.lock() {
            Ok(mut p) if p.kind == Some(kind) && p.count > 0 => {
                p.count -= 1;
                true
            }
            _ => false,
        }
    }
}

/// `POST /__sim/limits` body: the daily allowance and/or the calls already counted.
#[derive(Debug, Deserialize)]
pub struct LimitsPlan {
    pub max: Option<u64>,
    pub used: Option<u64>,
}

/// Sets the daily API allowance and the count.
pub async fn set_limits(State(sim): State<Arc<Sim>>, Json(plan): Json<LimitsPlan>) -> Response {
    if let Some(max) = plan.max {
        sim.daily_limit.store(max, std::sync::atomic::Ordering::Relaxed);
    }
    if let Some(used) = plan.used {
        if let Err(e) = sim.store.set_api_calls(used).await {
            return crate::rest::internal_error(e);
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Middleware: the daily allowance, then latency and the next pending fault.
pub async fn apply(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/__sim/") || path.starts_with("/services/oauth2/") {
        return next.run(request).await;
    }
    if path.starts_with("/services/data/v") {
        let limit = crate::rest::daily_limit(&sim);
        if sim.store.api_calls().await.unwrap_or(0) >= limit {
            let mut r = rest_error(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
            if let Ok(v) = HeaderValue::from_str(&format!("api-usage={limit}/{limit}")) {
                r.headers_mut().insert("sforce-limit-info", v);
            }
            return r;
        }
    }
    let (latency, fault) = match sim.faults.plan.lock() {
        Ok(mut p) => {
            let fault = p.kind.filter(|k| p.count > 0 && !k.taken_by_handler());
            if fault.is_some() {
                p.count -= 1;
            }
            (p.latency_ms, fault)
        }
        Err(_) => (0, None),
    };
    // Latency is split like a network's: half before the request is handled, half
    // before the answer leaves (so a client can vanish after a write took effect).
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency / 2)).await;
    }
    let after = Duration::from_millis(latency - latency / 2);
    match fault {
        None | Some(
            FaultKind::BulkJobFailed | FaultKind::RecordLock | FaultKind::InsufficientAccess | FaultKind::ValidationRule,
        ) => {
            let response = next.run(request).await;
            if !after.is_zero() {
                tokio::time::sleep(after).await;
            }
            response
        }
        Some(FaultKind::DroppedConnection) => dropped(next.run(request).await).await,
        Some(FaultKind::ServerError) => rest_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)",
        ),
        Some(FaultKind::Unavailable) => {
            rest_error(StatusCode::SERVICE_UNAVAILABLE, "SERVER_UNAVAILABLE", "Server is unavailable, please try again later.")
        }
        Some(FaultKind::ExpiredSession) => {
            let _ = sim.store.revoke_all_sessions().await;
            let mut r = rest_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid");
            r.headers_mut().insert("www-authenticate", HeaderValue::from_static("Token"));
            r
        }
        Some(FaultKind::RequestLimit) => rest_error(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        Some(FaultKind::UnableToLock) => rest_error(
            StatusCode::BAD_REQUEST,
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access to this record or 1 records: 001000000000000AAA",
        ),
    }
}
