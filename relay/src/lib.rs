//! The crmsync relay: a thin I/O shell around the core. It holds the org's connection,
//! stores what it imports, and serves the admin console and the browser side.
//!
//! [`launch`] binds everything to a listener so tests boot a real relay on port 0.
#![forbid(unsafe_code)]

pub mod admin;
pub mod badge_index;
pub mod cli;
pub mod commands;
pub mod config;
pub mod connect;
pub mod contact_info;
pub mod directory;
pub mod documents;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod jobs;
pub mod lists;
pub mod login_flow;
pub mod matching;
pub mod observability;
pub mod router;
pub mod salesforce;
pub mod secrets;
pub mod security;
pub mod state;
pub mod store;
pub mod writeback;

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Settings;
use crate::state::AppState;

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretError),
    #[error(transparent)]
    Salesforce(#[from] salesforce::SalesforceError),
    #[error("cannot read the listening address: {0}")]
    Listen(std::io::Error),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// A relay bound to its listener with its store open, ready to serve.
pub struct Relay {
    listener: TcpListener,
    state: Arc<AppState>,
}

/// Opens the store and the secret key, and starts the background work: connecting (see
/// [`connect::connect_at_start_up`]), the import schedule and the write-back flushes. Serving starts with
/// [`Relay::serve`].
pub async fn launch(listener: TcpListener, settings: Settings) -> Result<Relay, LaunchError> {
    let state = Arc::new(AppState::open(settings).await?);
    let background = state.clone();
    tokio::spawn(async move {
        connect::connect_at_start_up(&background).await;
        jobs::import::schedule(&background).await;
    });
    let flusher = state.clone();
    tokio::spawn(async move { writeback::flush::schedule(&flusher).await });
    Ok(Relay { listener, state })
}

impl Relay {
    /// What the relay's handlers and jobs share.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// `http://<addr>` this relay answers on.
    pub fn base_url(&self) -> Result<String, LaunchError> {
        let addr = self.listener.local_addr().map_err(LaunchError::Listen)?;
        Ok(format!("http://{addr}"))
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), LaunchError> {
        let app = router::routes(self.state);
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await.map_err(LaunchError::Serve)
    }
}
