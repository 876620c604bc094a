//! The admin console's API beyond connecting: users and seats, roles, write-back per
//! user, the org's settings, its activity queue, the admins and audit log, sync health.
//! Every handler takes an [`Admin`] (401 without the console's cookie); those that change
//! something take an [`AdminChange`], which also refuses another site's page (403).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::admin::{
    AdminActivities, AdminAdd, AdminSettings, AdminSettingsChange, AdminView, AuditView, ChangeReport, QueueAction,
    QueueActionReport, SeatChange, SeatUser, SyncHealth, WritebackChange,
};
use crmsync::core::rules::roles::RoleNode;
use crmsync::core::time::rfc3339_from_unix_ms;

use super::admin_session::Admin;
use crate::admin::{self, queue::QueueQuery, Actor};
use crate::error::ApiError;
use crate::extract::{JsonBody, QueryOf};
use crate::state::AppState;
use crate::store::WebSession;

/// An admin session on a request that changes something: also from the console's own
/// page (the `Origin` or `Sec-Fetch-Site` check), so no other site can act with the cookie.
pub struct AdminChange(pub WebSession);

impl axum::extract::FromRequestParts<Arc<AppState>> for AdminChange {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Admin(session) = Admin::from_request_parts(parts, state).await?;
        crate::security::origin::require_same_origin(state, &parts.headers)?;
        Ok(AdminChange(session))
    }
}

fn actor(session: &WebSession) -> Actor {
    Actor { user_id: session.user_id.clone(), username: session.username.clone() }
}

/// `GET /api/v1/admin/users`: every imported user with seat, role and write-back.
pub async fn users(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<Vec<SeatUser>>, ApiError> {
    Ok(Json(admin::seats::users(&state).await?))
}

/// `GET /api/v1/admin/roles`: the role tree.
pub async fn roles(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<Vec<RoleNode>>, ApiError> {
    Ok(Json(admin::seats::role_tree(&state).await?))
}

/// `POST /api/v1/admin/seats`: give or take seats for users or a role.
pub async fn seats(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(change): JsonBody<SeatChange>,
) -> Result<Json<ChangeReport>, ApiError> {
    Ok(Json(admin::seats::change(&state, &actor(&session), &change).await?))
}

/// `POST /api/v1/admin/writeback/users`: switch write-back for users or a role.
pub async fn writeback_users(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(change): JsonBody<WritebackChange>,
) -> Result<Json<ChangeReport>, ApiError> {
    Ok(Json(admin::seats::switch(&state, &actor(&session), &change, admin::seats::Switch::Writeback).await?))
}

/// `POST /api/v1/admin/autosave/users`: switch auto-save for users or a role.
pub async fn autosave_users(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(change): JsonBody<WritebackChange>,
) -> Result<Json<ChangeReport>, ApiError> {
    Ok(Json(admin::seats::switch(&state, &actor(&session), &change, admin::seats::Switch::AutoSave).await?))
}

/// `GET /api/v1/admin/settings`.
pub async fn get_settings(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<AdminSettings>, ApiError> {
    Ok(Json(admin::settings::load(&state).await?))
}

/// `PUT /api/v1/admin/settings`: change some settings; absent ones stay.
pub async fn put_settings(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(change): JsonBody<AdminSettingsChange>,
) -> Result<Json<AdminSettings>, ApiError> {
    let settings = admin::settings::change(&state, &actor(&session), change).await?;
    // The visibility decides what each index carries: build them afresh.
    state.badge_index.clear().await;
    Ok(Json(settings))
}

/// `GET /api/v1/admin/activities?state=&rep=&kind=&from=&to=&record=&limit=&offset=`.
pub async fn activities(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(query): QueryOf<QueueQuery>,
) -> Result<Json<AdminActivities>, ApiError> {
    let filter = admin::queue::filter_of(&state, &query, false).await?;
    Ok(Json(admin::queue::list(&state, &filter).await?))
}

/// `GET /api/v1/admin/activities.csv`: the whole filtered queue as CSV.
pub async fn activities_csv(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(query): QueryOf<QueueQuery>,
) -> Result<Response, ApiError> {
    let filter = admin::queue::filter_of(&state, &query, true).await?;
    let page = admin::queue::list(&state, &filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"crmsync-activities.csv\""),
        ],
        admin::queue::csv(&page),
    )
        .into_response())
}

/// `POST /api/v1/admin/activities/actions`: retry, re-target or discard activities.
pub async fn activity_actions(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(action): JsonBody<QueueAction>,
) -> Result<Json<QueueActionReport>, ApiError> {
    Ok(Json(admin::queue::act(&state, &actor(&session), &action).await?))
}

/// `GET /api/v1/admin/admins`.
pub async fn admins(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<Vec<AdminView>>, ApiError> {
    Ok(Json(admin::admins::list(&state).await?))
}

/// `POST /api/v1/admin/admins`: make a user admin.
pub async fn add_admin(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    JsonBody(add): JsonBody<AdminAdd>,
) -> Result<Response, ApiError> {
    let changed = admin::admins::add(&state, &actor(&session), &add.user).await?;
    let status = if changed == crate::store::Changed::Yes { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(admin::admins::list(&state).await?)).into_response())
}

/// `DELETE /api/v1/admin/admins/{user}`: remove an admin (never the last one: 409).
pub async fn remove_admin(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
    Path(user): Path<String>,
) -> Result<Response, ApiError> {
    match admin::admins::remove(&state, &actor(&session), &user).await? {
        crate::store::Changed::Yes => Ok(Json(admin::admins::list(&state).await?).into_response()),
        crate::store::Changed::No => Err(ApiError::NotFound(format!("an admin named {user:?}"))),
    }
}

/// `GET /api/v1/admin/audit`: the newest 500 admin actions.
pub async fn audit(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<Vec<AuditView>>, ApiError> {
    let entries = state.store.audit_log(500).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditView {
                at: rfc3339_from_unix_ms(e.at_ms),
                actor: e.actor_username,
                action: e.action,
                detail: e.detail,
            })
            .collect(),
    ))
}

/// `GET /api/v1/admin/sync`: per-object import health and API usage.
pub async fn sync(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<SyncHealth>, ApiError> {
    Ok(Json(admin::health::health(&state).await?))
}

/// `POST /api/v1/admin/import`: start an import now (202; it runs in the background).
pub async fn import_now(
    State(state): State<Arc<AppState>>,
    AdminChange(session): AdminChange,
) -> Result<StatusCode, ApiError> {
    admin::audit(&state, &actor(&session), "import now", "").await?;
    state.import_now.notify_one();
    Ok(StatusCode::ACCEPTED)
}
