//! Connecting the org: obtain a token, negotiate the API version, learn who we are,
//! and store it all with the tokens sealed. The same path serves sfsim and real orgs.

use crmsync::core::sf::SalesforceId;

use crate::salesforce::{oauth, SalesforceClient, SalesforceError};
use crate::state::{now_ms, AppState, ConnectFailure};
use crate::store::{StoreError, StoredConnection};

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No `CRMSYNC_SALESFORCE_*` settings.
    #[error("Salesforce is not configured: set CRMSYNC_SALESFORCE_LOGIN_URL, CRMSYNC_SALESFORCE_CLIENT_ID and CRMSYNC_SALESFORCE_CLIENT_SECRET")]
    NotConfigured,
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No connection is stored yet.
    #[error("the relay is not connected to a Salesforce org yet: run `crmsync serve` with the Salesforce settings, or connect from the admin page")]
    NotConnected,
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    /// The identity names an org or user id that is not a valid Salesforce id.
    #[error("Salesforce identity has an invalid {what} id {value:?}")]
    BadIdentity { what: &'static str, value: String },
}

/// Connects with the client-credentials flow and stores the connection.
pub async fn connect_client_credentials(state: &AppState) -> Result<StoredConnection, ConnectError> {
    let settings = state.settings.salesforce.as_ref().ok_or(ConnectError::NotConfigured)?;
    let token = oauth::client_credentials(&state.http, settings).await?;
    let client = SalesforceClient::connect(state.http.clone(), &token.instance_url, token.access_token()).await?;
    let identity = client.identity(&token.id).await?;
    let org_id = SalesforceId::parse(&identity.organization_id)
        .map_err(|_| ConnectError::BadIdentity { what: "organization", value: identity.organization_id.clone() })?;
    let user_id = SalesforceId::parse(&identity.user_id)
        .map_err(|_| ConnectError::BadIdentity { what: "user", value: identity.user_id.clone() })?;
    let connection = StoredConnection {
        login_url: settings.login_url.clone(),
        instance_url: token.instance_url.trim_end_matches('/').to_string(),
        org_id: org_id.to_string(),
        user_id: user_id.to_string(),
        username: identity.username.clone(),
        api_version: client.api_version().to_string(),
        access_token_sealed: state.secrets.seal(&token.access_token()),
        refresh_token_sealed: token.refresh_token().map(|t| state.secrets.seal(&t)),
        connected_at_ms: now_ms(),
    };
    state.store.save_connection(&connection).await?;
    state.set_api_usage(client.api_usage());
    tracing::info!(
        org = %connection.org_id,
        user = %connection.username,
        instance = %connection.instance_url,
        api_version = %connection.api_version,
        token = %token.fingerprint(),
        "obtained an access token from Salesforce (client credentials) and stored it sealed"
    );
    Ok(connection)
}

/// What `disconnect` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisconnectReport {
    /// Whether Salesforce confirmed the token revoked (false when it was already invalid).
    pub revoked: bool,
    /// With clean-up: rows deleted per table.
    pub purged: Vec<(String, u64)>,
}

/// Revokes the stored token at Salesforce and forgets the connection; with `clean_up`,
/// also deletes every imported row and what derives from it, so a later connect starts
/// from a full import.
pub async fn disconnect(state: &AppState, clean_up: bool) -> Result<DisconnectReport, ConnectError> {
    let connection = state.store.connection().await?.ok_or(ConnectError::NotConnected)?;
    let token = state.secrets.open(&connection.access_token_sealed)?;
    let revoked = oauth::revoke(&state.http, &connection.login_url, &token).await?;
    if let Some(refresh) = connection.refresh_token_sealed.as_deref() {
        oauth::revoke(&state.http, &connection.login_url, &state.secrets.open(refresh)?).await?;
    }
    state.store.delete_connection().await?;
    let purged = if clean_up { state.store.purge_crm_data().await? } else { Vec::new() };
    tracing::info!(org = %connection.org_id, revoked, clean_up, "disconnected from Salesforce");
    Ok(DisconnectReport { revoked, purged })
}

/// A REST client for the stored connection (token unsealed, version as negotiated).
pub async fn stored_client(state: &AppState) -> Result<SalesforceClient, ConnectError> {
    let c = state.store.connection().await?.ok_or(ConnectError::NotConnected)?;
    let token = state.secrets.open(&c.access_token_sealed)?;
    Ok(SalesforceClient::resume(state.http.clone(), &c.instance_url, token, &c.api_version)?)
}

/// Start-up connection: success clears the failure shown to admins; failure is logged
/// and shown, and the relay keeps serving so the admin can see what is wrong.
/// Returns whether the relay is connected.
pub async fn connect_at_start_up(state: &AppState) -> bool {
    match connect_client_credentials(state).await {
        Ok(_) => {
            state.set_failure(None);
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot connect to Salesforce");
            state.set_failure(Some(ConnectFailure { error: e.to_string(), at_ms: now_ms() }));
            false
        }
    }
}
