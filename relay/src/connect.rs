//! Connecting the org: obtain a token by one of three flows, negotiate the API version,
//! learn who we are, and store it all with the tokens sealed. The same path serves
//! sfsim, production orgs, sandboxes and My Domains. A session that expires is renewed
//! the way it was obtained: refresh token, a new JWT, or client credentials again.

use std::time::{SystemTime, UNIX_EPOCH};

pub use crmsync::core::api::DisconnectReport;
use crmsync::core::sf::SalesforceId;

use crate::config::SalesforceSettings;
use crate::salesforce::jwt::{audience_for, JwtKey, JwtKeyError};
use crate::salesforce::{oauth, Identity, SalesforceClient, SalesforceError, TokenResponse};
use crate::state::{now_ms, AppState, ConnectFailure};
use crate::store::facts::{DATA_ORG_ID, MY_DOMAIN_URL, SETUP_CODE};
use crate::store::{AuthFlow, StoreError, StoredConnection};
use crmsync::core::rules::framing::{org_frame_origins, org_origins};

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No `CRMSYNC_SALESFORCE_*` settings.
    #[error("Salesforce is not configured: set CRMSYNC_SALESFORCE_LOGIN_URL, CRMSYNC_SALESFORCE_CLIENT_ID and CRMSYNC_SALESFORCE_CLIENT_SECRET")]
    NotConfigured,
    /// The JWT flow needs a key and a username.
    #[error("the JWT bearer flow needs {missing}: set it, or pass --user/--key to `crmsync connect --jwt`")]
    JwtNotConfigured { missing: &'static str },
    #[error(transparent)]
    JwtKey(#[from] JwtKeyError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No connection is stored yet.
    #[error("the relay is not connected to a Salesforce org yet: connect from the admin page, or run `crmsync connect --client-credentials` or `crmsync connect --jwt`")]
    NotConnected,
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    /// The identity names an org or user id that is not a valid Salesforce id.
    #[error("Salesforce identity has an invalid {what} id {value:?}")]
    BadIdentity { what: &'static str, value: String },
    /// The store holds another org's data: connecting this one would mix them.
    #[error("this relay holds the data of org {stored}; {new} is another org. Disconnect with clean-up first (`crmsync disconnect --clean-up`, or the console's Disconnect with clean-up), then connect the new org")]
    OtherOrg { stored: String, new: String },
    /// A first connect allowed for `CRMSYNC_ADMIN_USERNAME` only was made by someone else.
    #[error(
        "only {expected} (CRMSYNC_ADMIN_USERNAME) may connect this relay without the setup code; {actual} logged in"
    )]
    NotTheAdmin { expected: String, actual: String },
    /// A web-server connection lost its refresh token (cannot happen unless edited).
    #[error("the stored connection has no refresh token; connect again from the admin page")]
    NoRefreshToken,
}

fn salesforce_settings(state: &AppState) -> Result<&SalesforceSettings, ConnectError> {
    state.settings.salesforce.as_ref().ok_or(ConnectError::NotConfigured)
}

/// Connects with the client-credentials flow and stores the connection.
pub async fn connect_client_credentials(state: &AppState) -> Result<StoredConnection, ConnectError> {
    let settings = salesforce_settings(state)?;
    let token = oauth::client_credentials(&state.http, settings).await?;
    store_connection(state, AuthFlow::ClientCredentials, &settings.login_url, &token, None).await
}

/// Connects with the JWT bearer flow as `username` (default `CRMSYNC_SALESFORCE_USERNAME`),
/// signing with `key` (default `CRMSYNC_SALESFORCE_JWT_KEY`).
pub async fn connect_jwt(
    state: &AppState,
    username: Option<&str>,
    key: Option<&std::path::Path>,
) -> Result<StoredConnection, ConnectError> {
    let settings = salesforce_settings(state)?;
    let username = username
        .or(state.settings.jwt_username.as_deref())
        .ok_or(ConnectError::JwtNotConfigured { missing: "CRMSYNC_SALESFORCE_USERNAME" })?;
    let key = key
        .or(state.settings.jwt_key.as_deref())
        .ok_or(ConnectError::JwtNotConfigured { missing: "CRMSYNC_SALESFORCE_JWT_KEY" })?;
    let token = jwt_token(state, settings, &settings.login_url, username, key).await?;
    store_connection(state, AuthFlow::Jwt, &settings.login_url, &token, None).await
}

async fn jwt_token(
    state: &AppState,
    settings: &SalesforceSettings,
    login_url: &str,
    username: &str,
    key: &std::path::Path,
) -> Result<TokenResponse, ConnectError> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let assertion = JwtKey::load(key)?.assertion(&settings.client_id, username, &audience_for(login_url), now)?;
    Ok(oauth::jwt_bearer(&state.http, login_url, &assertion, &settings.client_secret).await?)
}

/// Finishes the web-server flow: exchanges the code (with its PKCE verifier) at the
/// login host the admin chose, and stores the connection with its refresh token; with
/// `required_username`, only when that user logged in.
pub async fn connect_web_server(
    state: &AppState,
    login_url: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
    required_username: Option<&str>,
) -> Result<StoredConnection, ConnectError> {
    let token = exchange_code(state, login_url, code, redirect_uri, verifier).await?;
    store_connection(state, AuthFlow::WebServer, login_url, &token, required_username).await
}

/// Exchanges a web-server flow code for tokens (connect, and admin sign-in).
pub async fn exchange_code(
    state: &AppState,
    login_url: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<TokenResponse, ConnectError> {
    let settings = salesforce_settings(state)?;
    Ok(oauth::authorization_code(&state.http, settings, login_url, code, redirect_uri, verifier).await?)
}

/// The connected org's origins (its instance and My Domain hosts); empty while none is
/// connected. The widget is framed and mounted only there.
pub async fn connected_org_origins(state: &AppState) -> Result<Vec<String>, crate::store::StoreError> {
    let Some(connection) = state.store.connection().await? else { return Ok(Vec::new()) };
    let my_domain = state.store.fact(MY_DOMAIN_URL).await?;
    Ok(org_origins(&connection.instance_url, my_domain.as_deref()))
}

/// Who a fresh token belongs to, with both ids checked and given in their 18-character form.
pub async fn whoami(state: &AppState, token: &TokenResponse) -> Result<(Identity, SalesforceClient), ConnectError> {
    let client = SalesforceClient::connect(state.http.clone(), &token.instance_url, token.access_token()).await?;
    let mut identity = client.identity(&token.id).await?;
    identity.organization_id = SalesforceId::parse(&identity.organization_id)
        .map_err(|_| ConnectError::BadIdentity { what: "organization", value: identity.organization_id.clone() })?
        .to_string();
    identity.user_id = SalesforceId::parse(&identity.user_id)
        .map_err(|_| ConnectError::BadIdentity { what: "user", value: identity.user_id.clone() })?
        .to_string();
    Ok((identity, client))
}

/// Revokes a token the relay will not keep (best effort: it was refused anyway).
async fn discard(state: &AppState, login_url: &str, token: &TokenResponse) {
    let _ = oauth::revoke(&state.http, login_url, &token.access_token()).await;
    if let Some(refresh) = token.refresh_token() {
        let _ = oauth::revoke(&state.http, login_url, &refresh).await;
    }
}

/// Negotiates the version, reads the identity and stores the connection sealed. Refuses
/// (and revokes the new token) when the store holds another org's data, or when
/// `required_username` is set and someone else logged in. A connection to a new org ends
/// every session and uses the setup code up.
async fn store_connection(
    state: &AppState,
    auth_flow: AuthFlow,
    login_url: &str,
    token: &TokenResponse,
    required_username: Option<&str>,
) -> Result<StoredConnection, ConnectError> {
    let (identity, client) = whoami(state, token).await?;
    if let Some(expected) = required_username {
        if !identity.username.eq_ignore_ascii_case(expected) {
            discard(state, login_url, token).await;
            return Err(ConnectError::NotTheAdmin { expected: expected.to_string(), actual: identity.username });
        }
    }
    let previous = state.store.connection().await?;
    let data_org = match state.store.fact(DATA_ORG_ID).await? {
        Some(org) => Some(org),
        // Stores from before the fact existed: the connection says whose data it is.
        None => previous.as_ref().map(|c| c.org_id.clone()),
    };
    if let Some(stored) = data_org.as_ref().filter(|org| **org != identity.organization_id) {
        discard(state, login_url, token).await;
        return Err(ConnectError::OtherOrg { stored: stored.clone(), new: identity.organization_id });
    }
    let connection = StoredConnection {
        auth_flow,
        login_url: login_url.to_string(),
        instance_url: token.instance_url.trim_end_matches('/').to_string(),
        org_id: identity.organization_id.clone(),
        user_id: identity.user_id.clone(),
        username: identity.username.clone(),
        api_version: client.api_version().to_string(),
        access_token_sealed: state.secrets.seal(&token.access_token()),
        refresh_token_sealed: token.refresh_token().map(|t| state.secrets.seal(&t)),
        connected_at_ms: now_ms(),
    };
    if data_org.is_none() {
        // A new org (first connect, or after a clean-up): no session of before stays valid.
        state.store.delete_all_sessions().await?;
    }
    state.store.save_connection(&connection).await?;
    state.store.set_fact(DATA_ORG_ID, &connection.org_id).await?;
    match identity.urls.custom_domain.as_deref().filter(|u| !org_frame_origins(u).is_empty()) {
        Some(url) => state.store.set_fact(MY_DOMAIN_URL, url.trim_end_matches('/')).await?,
        None => {
            state.store.delete_fact(MY_DOMAIN_URL).await?;
        }
    }
    state.store.delete_fact(SETUP_CODE).await?;
    state.set_api_usage(client.api_usage());
    state.set_failure(None);
    tracing::info!(
        org = %connection.org_id,
        user = %connection.username,
        instance = %connection.instance_url,
        api_version = %connection.api_version,
        flow = auth_flow.as_str(),
        token = %token.fingerprint(),
        "obtained an access token from Salesforce and stored it sealed"
    );
    Ok(connection)
}

/// Renews the stored connection's access token the way it was obtained, stores it, and
/// returns a client with it. Called once after a 401 `INVALID_SESSION_ID`.
pub async fn renew(state: &AppState) -> Result<SalesforceClient, ConnectError> {
    let c = state.store.connection().await?.ok_or(ConnectError::NotConnected)?;
    let settings = salesforce_settings(state)?;
    let token = match c.auth_flow {
        AuthFlow::ClientCredentials => oauth::client_credentials(&state.http, settings).await?,
        AuthFlow::Jwt => {
            let key = state
                .settings
                .jwt_key
                .as_deref()
                .ok_or(ConnectError::JwtNotConfigured { missing: "CRMSYNC_SALESFORCE_JWT_KEY" })?;
            jwt_token(state, settings, &c.login_url, &c.username, key).await?
        }
        AuthFlow::WebServer => {
            let sealed = c.refresh_token_sealed.as_deref().ok_or(ConnectError::NoRefreshToken)?;
            oauth::refresh(&state.http, settings, &c.login_url, &state.secrets.open(sealed)?).await?
        }
    };
    state.store.update_access_token(&state.secrets.seal(&token.access_token())).await?;
    tracing::info!(flow = c.auth_flow.as_str(), token = %token.fingerprint(), "renewed the Salesforce session");
    Ok(SalesforceClient::resume(state.http.clone(), &c.instance_url, token.access_token(), &c.api_version)?)
}

/// Revokes the stored tokens at Salesforce and forgets the connection (and every browser
/// session) even when Salesforce cannot be reached or the tokens cannot be opened
/// (`revoked: false` then); with `clean_up`, also deletes every imported row and what
/// derives from it, so a later connect (of any org) starts from a full import. Expired
/// sessions are deleted, and a new setup code guards the next connect from the console.
pub async fn disconnect(state: &AppState, clean_up: bool) -> Result<DisconnectReport, ConnectError> {
    let _import = state.import_lock.lock().await;
    let _matching = state.match_lock.lock().await;
    // No import nor matching pass (of this relay or another on the store) may write while
    // the data goes; the import's lease first, as an import that matches takes both.
    use crate::jobs::lease::{StoreLease, IMPORT_LEASE, MATCHING_LEASE};
    let import = StoreLease::take(state, IMPORT_LEASE).await?;
    let matching = StoreLease::take(state, MATCHING_LEASE).await?;
    let report = disconnect_holding(state, clean_up).await;
    matching.release().await?;
    import.release().await?;
    report
}

async fn disconnect_holding(state: &AppState, clean_up: bool) -> Result<DisconnectReport, ConnectError> {
    let connection = state.store.connection().await?.ok_or(ConnectError::NotConnected)?;
    let mut revoked = false;
    let mut tokens = vec![connection.access_token_sealed.clone()];
    tokens.extend(connection.refresh_token_sealed.clone());
    for sealed in &tokens {
        match state.secrets.open(sealed) {
            Ok(token) => match oauth::revoke(&state.http, &connection.login_url, &token).await {
                Ok(done) => revoked |= done,
                Err(e) => {
                    tracing::warn!(error = %e, "Salesforce did not confirm the revoke; the relay forgets the token anyway")
                }
            },
            Err(e) => tracing::warn!(error = %e, "a stored token cannot be opened; the relay forgets it anyway"),
        }
    }
    state.store.delete_connection().await?;
    state.store.delete_all_sessions().await?;
    // Record type ids and the like belong to this org; a later connect may be another.
    let org_settings = state.store.clear_org_settings().await?;
    let mut purged = if clean_up { state.store.purge_crm_data().await? } else { Vec::new() };
    state.badge_index.clear().await;
    if clean_up {
        purged.push(("org_settings".to_string(), org_settings));
    }
    let expired = state.store.delete_expired_sessions(now_ms()).await?;
    tracing::debug!(expired, "expired sessions deleted");
    state.set_failure(None);
    if let Err(e) = crate::security::setup_code::rotate(state).await {
        tracing::error!(error = %e, "cannot make a new setup code; `crmsync setup-code` makes one");
    } else {
        tracing::info!("a new setup code guards the next connect from the console; `crmsync setup-code` prints it");
    }
    tracing::info!(org = %connection.org_id, revoked, clean_up, "disconnected from Salesforce");
    Ok(DisconnectReport { revoked, purged })
}

/// A REST client for the stored connection (token unsealed, version as negotiated).
pub async fn stored_client(state: &AppState) -> Result<SalesforceClient, ConnectError> {
    let c = state.store.connection().await?.ok_or(ConnectError::NotConnected)?;
    let token = state.secrets.open(&c.access_token_sealed)?;
    Ok(SalesforceClient::resume(state.http.clone(), &c.instance_url, token, &c.api_version)?)
}

/// Start-up: a stored connection is kept as it is (its session is renewed when a call
/// finds it expired); without one, connect as `CRMSYNC_CONNECT_ON_START` says. A failure
/// is logged and shown to admins, and the relay keeps serving so they can see it.
pub async fn connect_at_start_up(state: &AppState) {
    match state.store.connection().await {
        Ok(Some(c)) => {
            tracing::info!(org = %c.org_id, flow = c.auth_flow.as_str(), "using the stored Salesforce connection");
        }
        Ok(None) => {
            if let Err(e) = connect_unattended(state).await {
                if !matches!(e, ConnectError::NotConnected) {
                    tracing::error!(error = %e, "cannot connect to Salesforce");
                    state.set_failure(Some(ConnectFailure { error: e.to_string(), at_ms: now_ms() }));
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot read the stored connection"),
    }
}

/// Connects without a person, as `CRMSYNC_CONNECT_ON_START` says; `NotConnected` when
/// that is `none` or Salesforce is not configured (an admin must connect).
pub async fn connect_unattended(state: &AppState) -> Result<StoredConnection, ConnectError> {
    use crate::config::ConnectOnStart;
    if state.settings.salesforce.is_none() {
        return Err(ConnectError::NotConnected);
    }
    match state.settings.connect_on_start {
        ConnectOnStart::None => Err(ConnectError::NotConnected),
        ConnectOnStart::ClientCredentials => connect_client_credentials(state).await,
        ConnectOnStart::Jwt => connect_jwt(state, None, None).await,
    }
}
