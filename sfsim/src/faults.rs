//! Faults switchable at run time (`POST /__sim/faults`), applied to the next requests of
//! the REST and Bulk APIs: added latency, 500/503, an expired session (401
//! `INVALID_SESSION_ID`, and every issued session is revoked), `REQUEST_LIMIT_EXCEEDED`,
//! `UNABLE_TO_LOCK_ROW`. OAuth and `/__sim/` itself are never faulted.

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

/// Replaces the active plan.
pub async fn set(State(sim): State<Arc<Sim>>, Json(plan): Json<FaultPlan>) -> Response {
    if let Ok(mut p) = sim.faults.plan.lock() {
        *p = plan;
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Middleware: applies latency and the next pending fault.
pub async fn apply(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/__sim/") || path.starts_with("/services/oauth2/") {
        return next.run(request).await;
    }
    let (latency, fault) = match sim.faults.plan.lock() {
        Ok(mut p) => {
            let fault = (p.count > 0).then(|| p.kind).flatten();
            if fault.is_some() {
                p.count -= 1;
            }
            (p.latency_ms, fault)
        }
        Err(_) => (0, None),
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match fault {
        None => next.run(request).await,
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
