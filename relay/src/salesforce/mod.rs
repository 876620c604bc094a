//! Talking to Salesforce over its real wire formats (docs/salesforce.md): OAuth, the REST API
//! and its errors. The same code serves a production org, a sandbox and sfsim.

pub mod bulk;
pub mod client;
pub mod error;
pub mod jwt;
pub mod oauth;
pub mod writes;

pub use client::{Identity, SalesforceClient};
pub use error::SalesforceError;
pub use oauth::TokenResponse;

/// Oldest API version crmsync can use (Bulk API 2.0 query arrived in 47.0).
pub const MIN_API_VERSION: u32 = 47;
/// Newest API version crmsync was built and tested against.
pub const MAX_API_VERSION: u32 = 66;

/// The shared HTTP client: TLS by rustls, bounded time per request.
pub fn http_client() -> Result<reqwest::Client, SalesforceError> {
    reqwest::Client::builder()
        .user_agent(concat!("crmsync/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(|e| SalesforceError::Transport { url: String::new(), source: e })
}
