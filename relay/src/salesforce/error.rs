//! Salesforce failures as one enum, each carrying what Salesforce said and what to do.

/// Why a call to Salesforce failed.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// The request never got an HTTP answer (DNS, TLS, refused, timeout, dropped).
    #[error("cannot reach Salesforce at {url}: {source}")]
    Transport { url: String, source: reqwest::Error },
    /// The token endpoint refused (`{"error", "error_description"}`).
    #[error("Salesforce refused the login ({error}: {description}){}", oauth_hint(.error))]
    OAuth { status: u16, error: String, description: String },
    /// A REST call failed with Salesforce's error array.
    #[error("Salesforce answered {status} {code}: {message}{}", fields_note(.fields))]
    Rest { status: u16, code: String, message: String, fields: Vec<String> },
    /// An answer that is neither success nor a Salesforce error body.
    #[error("unexpected answer from {url}: HTTP {status}: {snippet}")]
    Unexpected { url: String, status: u16, snippet: String },
    /// A success body that does not have the documented shape.
    #[error("cannot read the {what} from Salesforce: {source}")]
    Decode { what: &'static str, source: serde_json::Error },
    /// The token's signature does not verify with our client secret.
    #[error("the token response signature does not match the client secret; the login host may not be the org's")]
    BadSignature,
    /// A URL from Salesforce would send a token in clear text off this machine.
    #[error("refusing to use {0}: Salesforce URLs must be https")]
    InsecureUrl(String),
    /// No API version between crmsync's minimum and maximum is offered.
    #[error("the org offers API versions {offered}; crmsync needs one from {min}.0 to {max}.0", min = super::MIN_API_VERSION, max = super::MAX_API_VERSION)]
    NoCommonVersion { offered: String },
}

fn oauth_hint(error: &str) -> &'static str {
    match error {
        "invalid_client_id" => "; check CRMSYNC_SALESFORCE_CLIENT_ID is the connected app's consumer key",
        "invalid_client" => "; check CRMSYNC_SALESFORCE_CLIENT_SECRET is the connected app's consumer secret",
        "invalid_grant" => "; check the connected app's OAuth policies (client credentials need a Run As user)",
        "unsupported_grant_type" => "; enable this flow on the connected app",
        _ => "",
    }
}

fn fields_note(fields: &[String]) -> String {
    if fields.is_empty() {
        String::new()
    } else {
        format!(" (fields: {})", fields.join(", "))
    }
}

impl SalesforceError {
    /// True for a 401 `INVALID_SESSION_ID`, the one error a token refresh can cure.
    pub fn is_invalid_session(&self) -> bool {
        matches!(self, Self::Rest { code, .. } if code == "INVALID_SESSION_ID")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_code_message_fields_and_hint() {
        let e = SalesforceError::Rest {
            status: 400,
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [Subject]".into(),
            fields: vec!["Subject".into()],
        };
        assert_eq!(
            e.to_string(),
            "Salesforce answered 400 REQUIRED_FIELD_MISSING: Required fields are missing: [Subject] (fields: Subject)"
        );
        let e = SalesforceError::OAuth {
            status: 400,
            error: "invalid_client_id".into(),
            description: "client identifier invalid".into(),
        };
        assert!(e.to_string().contains("CRMSYNC_SALESFORCE_CLIENT_ID"));
    }
}
