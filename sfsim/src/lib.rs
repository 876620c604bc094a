//! sfsim: a local Salesforce that speaks the wire formats of docs/salesforce.md, for crmsync's
//! tests, benchmarks and demo. It persists its org in SQLite so a demo survives restarts.
//!
//! Tests start it in-process on port 0 with [`launch`]; the binary is a thin shim.
#![forbid(unsafe_code)]
// Handlers check a request step by step and answer the first problem as a ready
// `Response`; boxing those early answers would only add noise.
#![allow(clippy::result_large_err)]

mod activity_rules;
mod authorize;
mod bulk;
mod control;
mod demo_data;
mod dml;
mod error;
mod faults;
mod ids;
mod jwt;
mod oauth;
mod org;
mod query;
mod records_dml;
mod rest;
mod schema;
mod soql;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

pub use demo_data::{generate as generate_demo_data, SimRecord};
pub use error::SimError;
pub use org::{DemoOrg, DemoUser};
use store::SimStore;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Folder for `sfsim.sqlite`.
    pub data_dir: PathBuf,
    /// Seed for the demo-org generator; ignored when the folder already holds an org.
    pub seed: u64,
    /// CRM rows to generate when the org has none yet (0: users and roles only).
    pub seed_org_rows: usize,
    /// The connected app's certificate (PEM) for the JWT bearer flow; kept once given.
    pub jwt_certificate: Option<String>,
    /// The org's My Domain name (`acme`): the identity then names
    /// `https://acme.my.salesforce.com` as its custom domain, as a real org's does, while
    /// the API stays on this simulator's address. `None`: the custom domain is that address.
    pub my_domain: Option<String>,
}

/// Shared state of the running simulator.
struct Sim {
    store: SimStore,
    org: DemoOrg,
    jobs: bulk::Jobs,
    faults: faults::Faults,
    /// Record writes run one at a time, so two upserts of one external id never both
    /// insert (Salesforce's unique index does the same).
    writes: tokio::sync::Mutex<()>,
    authorize: authorize::AuthorizeState,
    cursors: query::Cursors,
    /// The daily API allowance; calls past it get `REQUEST_LIMIT_EXCEEDED`.
    daily_limit: std::sync::atomic::AtomicU64,
    /// Base URL clients reach us at: both the login host and the instance.
    base_url: String,
    /// What the identity reports as `urls.custom_domain`.
    custom_domain: String,
}

impl Sim {
    /// The fields `object` has in this org: the schema's plus custom fields added through
    /// the Tooling API; `None` for an unknown object.
    async fn fields_of(&self, object: &str) -> Option<Vec<String>> {
        let mut fields: Vec<String> = schema::org_fields(object)?.into_iter().map(String::from).collect();
        fields.extend(self.store.custom_fields(object).await.unwrap_or_default());
        Some(fields)
    }
}

/// A simulator bound to its listener, ready to serve.
pub struct RunningSim {
    listener: TcpListener,
    router: Router,
    sim: Arc<Sim>,
}

/// Opens (or seeds) the org under `config.data_dir` and prepares to serve on `listener`.
pub async fn launch(listener: TcpListener, config: SimConfig) -> Result<RunningSim, SimError> {
    let addr: SocketAddr = listener.local_addr().map_err(SimError::Listen)?;
    let base_url = format!("http://{addr}");
    let store = SimStore::open(&config.data_dir).await?;
    let org = match store.load_org().await? {
        Some(org) => org,
        None => {
            let org = DemoOrg::generate_for_rows(config.seed, config.seed_org_rows);
            store.save_org(&org).await?;
            org
        }
    };
    if store.count_records().await? == 0 {
        let records = demo_data::generate(&org, config.seed_org_rows, config.seed);
        for chunk in records.chunks(10_000) {
            store.put_records(chunk).await?;
        }
    }
    if let Some(pem) = &config.jwt_certificate {
        jwt::check_certificate(pem).map_err(SimError::Certificate)?;
        store.set_jwt_certificate(pem).await?;
    }
    let custom_domain = match &config.my_domain {
        Some(name) => format!("https://{name}.my.salesforce.com"),
        None => base_url.clone(),
    };
    let sim = Arc::new(Sim {
        store,
        org,
        base_url,
        custom_domain,
        jobs: bulk::Jobs::default(),
        faults: faults::Faults::default(),
        writes: tokio::sync::Mutex::new(()),
        authorize: authorize::AuthorizeState::default(),
        cursors: query::Cursors::default(),
        daily_limit: std::sync::atomic::AtomicU64::new(rest::DAILY_API_LIMIT),
    });
    let router = routes(sim.clone());
    Ok(RunningSim { listener, router, sim })
}

/// Every endpoint sfsim answers: Salesforce's (OAuth, REST, Bulk API 2.0, composite,
/// tooling) and its own `/__sim/` controls for tests.
fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/services/oauth2/authorize", get(authorize::authorize))
        .route("/services/oauth2/authorize/consent", post(authorize::consent))
        .route("/login", post(authorize::login))
        .route("/services/oauth2/token", post(oauth::token))
        .route("/services/oauth2/userinfo", get(oauth::userinfo))
        .route("/services/oauth2/revoke", post(oauth::revoke))
        .route("/id/{org_id}/{user_id}", get(oauth::identity))
        .route("/services/data", get(rest::versions))
        .route("/services/data/", get(rest::versions))
        .route("/services/data/{version}/limits", get(rest::limits))
        .route("/services/data/{version}/limits/", get(rest::limits))
        .route("/services/data/{version}/sobjects/{object}/describe", get(bulk::describe))
        .route("/services/data/{version}/sobjects/{object}/updated", get(query::updated))
        .route("/services/data/{version}/sobjects/{object}/updated/", get(query::updated))
        .route("/services/data/{version}/sobjects/{object}/deleted", get(query::deleted))
        .route("/services/data/{version}/sobjects/{object}/deleted/", get(query::deleted))
        .route("/services/data/{version}/sobjects", get(bulk::describe_global))
        .route("/services/data/{version}/sobjects/", get(bulk::describe_global))
        .route("/services/data/{version}/sobjects/{object}", post(dml::create_one))
        .route(
            "/services/data/{version}/sobjects/{object}/{id}",
            get(query::retrieve).patch(records_dml::update).delete(records_dml::delete),
        )
        .route(
            "/services/data/{version}/composite/sobjects",
            post(dml::create_many).patch(records_dml::update_many).delete(records_dml::delete_many),
        )
        .route("/services/data/{version}/composite/sobjects/{object}/{field}", axum::routing::patch(dml::upsert_many))
        .route("/services/data/{version}/tooling/sobjects/CustomField", post(dml::create_custom_field))
        .route("/services/data/{version}/tooling/sobjects/RecordType", post(dml::create_record_type))
        .route("/services/data/{version}/query", get(query::query))
        .route("/services/data/{version}/query/", get(query::query))
        .route("/services/data/{version}/query/{locator}", get(query::next))
        .route("/services/data/{version}/queryAll", get(query::query_all))
        .route("/services/data/{version}/queryAll/", get(query::query_all))
        .route("/services/data/{version}/jobs/query", axum::routing::post(bulk::create))
        .route("/services/data/{version}/jobs/query/{id}", get(bulk::status).delete(bulk::delete))
        .route("/services/data/{version}/jobs/query/{id}/results", get(bulk::results))
        .route("/__sim/mutate", post(control::mutate))
        .route("/__sim/faults", post(faults::set))
        .route("/__sim/limits", post(faults::set_limits))
        .route("/__sim/records/{object}", get(control::records))
        .fallback(rest::not_found)
        .layer(axum::middleware::from_fn_with_state(sim.clone(), faults::apply))
        .with_state(sim)
}

impl RunningSim {
    /// The address the simulator answers on.
    pub fn base_url(&self) -> &str {
        &self.sim.base_url
    }

    /// The seeded org (its connected app and users), for tests that log in.
    pub fn org(&self) -> &DemoOrg {
        &self.sim.org
    }

    /// The start-up text: `eval`-ready settings for the demo connected app, then the
    /// seeded users as comments.
    pub fn banner(&self) -> String {
        let org = &self.sim.org;
        let mut out = format!(
            "CRMSYNC_SALESFORCE_LOGIN_URL={}\nCRMSYNC_SALESFORCE_CLIENT_ID={}\nCRMSYNC_SALESFORCE_CLIENT_SECRET={}\n",
            self.sim.base_url, org.client_id, org.client_secret
        );
        out.push_str(&format!("# sfsim: org {} ({}) at {}\n", org.name, org.org_id, self.sim.base_url));
        for user in &org.users {
            let note = if user.id == org.integration_user_id {
                " (integration user: client credentials run as this user)"
            } else {
                ""
            };
            let password = org.password_of(user);
            out.push_str(&format!("# user {} {} password {password}{note}\n", user.id, user.username));
        }
        out
    }

    /// Serves until the task is dropped (tests) or the process is asked to stop.
    pub async fn serve(self) -> Result<(), SimError> {
        axum::serve(self.listener, self.router).await.map_err(SimError::Serve)
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
    pub async fn serve_until_signal(self) -> Result<(), SimError> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown_signal()).await.map_err(SimError::Serve)
    }
}

/// Milliseconds since the Unix epoch: the simulator's one clock reading.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The current time as Bulk CSV writes datetimes (`…Z`).
fn bulk_now_z() -> String {
    crmsync::core::time::rfc3339_from_unix_ms(now_ms())
}

/// The current time as Salesforce's REST datetime (`…+0000`).
fn bulk_now() -> String {
    bulk_now_z().replace('Z', "+0000")
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
