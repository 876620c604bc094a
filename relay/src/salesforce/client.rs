//! The REST client: one org, one access token, one negotiated API version. It reads
//! Salesforce's error array into [`SalesforceError::Rest`] and tracks `Sforce-Limit-Info`.

use std::sync::Mutex;

use crmsync::core::api::ApiUsage;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::{SalesforceError, MAX_API_VERSION, MIN_API_VERSION};
use crate::config::checked_base_url;
use crate::secrets::Secret;

/// A REST client for one org.
pub struct SalesforceClient {
    http: reqwest::Client,
    instance_url: String,
    access_token: Secret,
    api_version: String,
    usage: Mutex<Option<ApiUsage>>,
    /// Requests this client sent (each one counts against the org's allowance).
    calls: std::sync::atomic::AtomicU64,
}

/// Who the token belongs to, from the identity URL.
#[derive(Debug, Clone, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub organization_id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub urls: IdentityUrls,
}

/// The identity's `urls` that the relay reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdentityUrls {
    /// The org's My Domain (`https://acme.my.salesforce.com`), when it has one.
    #[serde(default)]
    pub custom_domain: Option<String>,
}

/// One entry of `GET /services/data/`.
#[derive(Deserialize)]
struct ApiVersion {
    version: String,
}

/// One element of a REST error array.
#[derive(Deserialize)]
struct RestErrorItem {
    message: String,
    #[serde(rename = "errorCode")]
    error_code: String,
    #[serde(default)]
    fields: Vec<String>,
}

/// Refuses URLs that would carry a token in clear text off this machine.
pub fn check_secure(url: &str) -> Result<(), SalesforceError> {
    checked_base_url(url).map(|_| ()).map_err(|_| SalesforceError::InsecureUrl(url.to_string()))
}

/// Turns a non-success answer into the most precise error its body allows.
pub fn read_error(url: &str, status: u16, body: &[u8]) -> SalesforceError {
    if let Ok(items) = serde_json::from_slice::<Vec<RestErrorItem>>(body) {
        if let Some(first) = items.into_iter().next() {
            return SalesforceError::Rest {
                status,
                code: first.error_code,
                message: first.message,
                fields: first.fields,
            };
        }
    }
    let snippet: String = String::from_utf8_lossy(body).chars().take(200).collect();
    SalesforceError::Unexpected { url: url.to_string(), status, snippet }
}

impl SalesforceClient {
    /// Negotiates the API version with the org and returns a client that uses it.
    pub async fn connect(
        http: reqwest::Client,
        instance_url: &str,
        access_token: Secret,
    ) -> Result<Self, SalesforceError> {
        check_secure(instance_url)?;
        let mut client = Self {
            http,
            instance_url: instance_url.trim_end_matches('/').to_string(),
            access_token,
            api_version: String::new(),
            usage: Mutex::new(None),
            calls: Default::default(),
        };
        let versions: Vec<ApiVersion> = client.get_json("/services/data/").await?;
        client.api_version = pick_version(&versions)?;
        Ok(client)
    }

    /// A client for a connection whose API version was negotiated before (no extra call).
    pub fn resume(
        http: reqwest::Client,
        instance_url: &str,
        access_token: Secret,
        api_version: &str,
    ) -> Result<Self, SalesforceError> {
        check_secure(instance_url)?;
        Ok(Self {
            http,
            instance_url: instance_url.trim_end_matches('/').to_string(),
            access_token,
            api_version: api_version.to_string(),
            usage: Mutex::new(None),
            calls: Default::default(),
        })
    }

    /// The negotiated version, e.g. `66.0`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// How many requests this client has sent, retries included.
    pub fn calls(&self) -> u64 {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The last `Sforce-Limit-Info` seen.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.usage.lock().ok().and_then(|u| *u)
    }

    /// `GET` on the identity URL from the token response.
    pub async fn identity(&self, identity_url: &str) -> Result<Identity, SalesforceError> {
        check_secure(identity_url)?;
        self.get_json(identity_url).await
    }

    /// `GET /services/data/vNN.N/<path>`.
    pub async fn get_versioned<T: DeserializeOwned>(&self, path: &str) -> Result<T, SalesforceError> {
        self.get_json(&self.versioned(path)).await
    }

    /// `GET` an absolute URL or an instance-relative path (a `nextRecordsUrl`), with the
    /// bearer token.
    pub async fn get_json<T: DeserializeOwned>(&self, path_or_url: &str) -> Result<T, SalesforceError> {
        let (body, _) = self.send(reqwest::Method::GET, path_or_url, None).await?;
        serde_json::from_slice(&body).map_err(|source| SalesforceError::Decode { what: "REST response", source })
    }

    /// `POST` JSON to a versioned path and read JSON back.
    pub async fn post_versioned<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, SalesforceError> {
        let (bytes, _) = self.send(reqwest::Method::POST, &self.versioned(path), Some(body)).await?;
        serde_json::from_slice(&bytes).map_err(|source| SalesforceError::Decode { what: "REST response", source })
    }

    /// `PATCH` JSON to a versioned path and read JSON back: for idempotent writes (an
    /// upsert by external id), so transient failures are retried like reads.
    pub async fn patch_versioned<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, SalesforceError> {
        let (bytes, _) = self.send(reqwest::Method::PATCH, &self.versioned(path), Some(body)).await?;
        serde_json::from_slice(&bytes).map_err(|source| SalesforceError::Decode { what: "REST response", source })
    }

    /// `POST` JSON once, for creates that are not idempotent: a failure that may have
    /// landed is returned to the caller, never retried here.
    pub async fn post_versioned_once<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, SalesforceError> {
        let (bytes, _) = self.send_once(reqwest::Method::POST, &self.versioned(path), Some(body)).await?;
        serde_json::from_slice(&bytes).map_err(|source| SalesforceError::Decode { what: "REST response", source })
    }

    /// `GET` a versioned path as text, with the response headers (for Bulk results).
    pub async fn get_text_versioned(
        &self,
        path: &str,
    ) -> Result<(String, reqwest::header::HeaderMap), SalesforceError> {
        let (bytes, headers) = self.send(reqwest::Method::GET, &self.versioned(path), None).await?;
        // Valid UTF-8 (always, from Salesforce) is taken as it is, without a copy.
        let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok((text, headers))
    }

    /// `DELETE` a versioned path.
    pub async fn delete_versioned(&self, path: &str) -> Result<(), SalesforceError> {
        self.send(reqwest::Method::DELETE, &self.versioned(path), None).await.map(|_| ())
    }

    fn versioned(&self, path: &str) -> String {
        format!("/services/data/v{}/{}", self.api_version, path.trim_start_matches('/'))
    }

    /// One authenticated request, retried with exponential backoff while the failure is
    /// transient (dropped connection, timeout, 500/502/503/504, `REQUEST_LIMIT_EXCEEDED`,
    /// `UNABLE_TO_LOCK_ROW`); the last error is returned when retries run out.
    async fn send(
        &self,
        method: reqwest::Method,
        path_or_url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(Vec<u8>, reqwest::header::HeaderMap), SalesforceError> {
        let mut pause = RETRY_BASE;
        let mut attempt = 0;
        loop {
            match self.send_once(method.clone(), path_or_url, body).await {
                Err(e) if attempt < RETRIES && is_transient(&e) => {
                    tracing::warn!(error = %e, attempt = attempt + 1, "transient Salesforce error; retrying");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One authenticated request: tracks `Sforce-Limit-Info`, turns failures into errors.
    async fn send_once(
        &self,
        method: reqwest::Method,
        path_or_url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(Vec<u8>, reqwest::header::HeaderMap), SalesforceError> {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.instance_url)
        };
        let transport = |source| SalesforceError::Transport { url: url.clone(), source };
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(self.access_token.expose())
            .header("accept", "application/json, text/csv");
        if let Some(body) = body {
            request = request.json(body);
        }
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let response = request.send().await.map_err(transport)?;
        if let Some(usage) = response
            .headers()
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::from_limit_info)
        {
            if let Ok(mut slot) = self.usage.lock() {
                *slot = Some(usage);
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(transport)?.to_vec();
        if !(200..300).contains(&status) {
            return Err(read_error(&url, status, &bytes));
        }
        Ok((bytes, headers))
    }
}

/// Retries after the first attempt, and the first pause (doubling each time).
const RETRIES: u32 = 4;
const RETRY_BASE: std::time::Duration = std::time::Duration::from_millis(200);

/// True for failures that a later attempt can cure.
pub fn is_transient(e: &SalesforceError) -> bool {
    match e {
        SalesforceError::Transport { source, .. } => {
            source.is_connect() || source.is_timeout() || source.is_request() || source.is_body() || source.is_decode()
        }
        SalesforceError::Rest { status, code, .. } => {
            matches!(status, 500 | 502 | 503 | 504) || code == "REQUEST_LIMIT_EXCEEDED" || code == "UNABLE_TO_LOCK_ROW"
        }
        SalesforceError::Unexpected { status, .. } => matches!(status, 502..=504),
        _ => false,
    }
}

/// The newest offered version within crmsync's supported range.
fn pick_version(versions: &[ApiVersion]) -> Result<String, SalesforceError> {
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u32>().ok());
    versions
        .iter()
        .filter_map(|v| major(&v.version).map(|m| (m, &v.version)))
        .filter(|(m, _)| (MIN_API_VERSION..=MAX_API_VERSION).contains(m))
        .max_by_key(|(m, _)| *m)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| SalesforceError::NoCommonVersion {
            offered: versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>().join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[&str]) -> Vec<ApiVersion> {
        list.iter().map(|v| ApiVersion { version: v.to_string() }).collect()
    }

    #[test]
    fn pick_version_takes_newest_supported() {
        assert_eq!(pick_version(&versions(&["46.0", "60.0", "66.0", "99.0"])).unwrap(), "66.0");
        assert!(matches!(pick_version(&versions(&["20.0", "46.0"])), Err(SalesforceError::NoCommonVersion { .. })));
    }

    #[test]
    fn read_error_parses_recorded_401_and_falls_back() {
        let body = br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        let err = read_error("u", 401, body);
        assert!(err.is_invalid_session());
        let err = read_error("u", 502, b"<html>Bad gateway</html>");
        assert!(matches!(err, SalesforceError::Unexpected { status: 502, .. }));
    }
}
