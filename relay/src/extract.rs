//! Typed request extractors that refuse in the project's `{"error": {"code", "message"}}`
//! shape (axum's own answer 422 or 400 in plain text): a JSON body as `T`, a query string
//! as `T`. A handler names what it reads in its signature instead of parsing by hand.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body read as `T`; a malformed one is a 400 saying what and where, one
/// over the size limit a 413.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::BadRequest(format!("the body could not be read: {}", rejection.body_text()))
            }
        })?;
        crate::error::json_body(&bytes).map(JsonBody)
    }
}

/// The query string read as `T`; a repeated or unknown parameter, or a value of the wrong
/// type, is a 400 saying which.
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        crate::error::query(parts.uri.query()).map(QueryOf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[derive(Debug, serde::Deserialize)]
    struct Named {
        name: String,
    }

    fn request(uri: &str, body: &'static str) -> Request {
        Request::builder().uri(uri).body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn a_body_is_read_as_its_type_or_refused_in_the_error_shape() {
        let JsonBody(named) = JsonBody::<Named>::from_request(request("/", r#"{"name":"Ada"}"#), &()).await.unwrap();
        assert_eq!(named.name, "Ada");
        let refused = JsonBody::<Named>::from_request(request("/", r#"{"nam":"Ada"}"#), &()).await.unwrap_err();
        assert!(matches!(&refused, ApiError::BadRequest(m) if m.contains("missing field `name`")), "{refused:?}");
    }

    #[tokio::test]
    async fn a_query_is_read_as_its_type_or_refused_in_the_error_shape() {
        let (mut parts, _) = request("/x?name=Ada", "").into_parts();
        let QueryOf(named) = QueryOf::<Named>::from_request_parts(&mut parts, &()).await.unwrap();
        assert_eq!(named.name, "Ada");
        let (mut parts, _) = request("/x", "").into_parts();
        let refused = QueryOf::<Named>::from_request_parts(&mut parts, &()).await.unwrap_err();
        assert!(matches!(&refused, ApiError::BadRequest(m) if m.contains("query string")), "{refused:?}");
    }
}
