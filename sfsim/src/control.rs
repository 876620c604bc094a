//! The `/__sim/` control API, for tests and demos only: change, add and delete records
//! between imports, and read the org's live records as the oracle a test compares with.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::rest::{internal_error, rest_error};
use crate::schema::org_fields;
use crate::Sim;

/// `POST /__sim/mutate` body: how many records of `object` to change, add and delete.
#[derive(Deserialize)]
pub struct Mutation {
    object: String,
    #[serde(default)]
    changed: usize,
    #[serde(default)]
    added: usize,
    #[serde(default)]
    deleted: usize,
}

/// Applies a mutation with the current time as `SystemModstamp`; answers the ids touched.
pub async fn mutate(State(sim): State<Arc<Sim>>, Json(m): Json<Mutation>) -> Response {
    if org_fields(&m.object).is_none() {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown object");
    }
    match sim.store.mutate(&m.object, m.changed, m.added, m.deleted, &crate::bulk_now_z()).await {
        Ok((changed, added, deleted)) => {
            Json(json!({ "changed": changed, "added": added, "deleted": deleted })).into_response()
        }
        Err(e) => internal_error(e),
    }
}

/// `GET /__sim/records/{object}`: every live record's fields.
pub async fn records(State(sim): State<Arc<Sim>>, Path(object): Path<String>) -> Response {
    match sim.store.live_records(&object).await {
        Ok(rows) => {
            // Only the fields this org has (as `describe` lists them).
            let fields = org_fields(&object).unwrap_or_default();
            let records: Vec<_> = rows
                .into_iter()
                .map(|r| r.fields.into_iter().filter(|(k, _)| fields.contains(&k.as_str())).collect::<BTreeMap<_, _>>())
                .collect();
            Json(records).into_response()
        }
        Err(e) => internal_error(e),
    }
}
