//! The console's calls to the relay: JSON in, JSON out, and the relay's
//! `{"error": {"message"}}` as the error text (the HTTP status when there is none).

use gloo::net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The relay's error message of a refused call.
pub async fn error_of(response: Response) -> String {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Inner,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        message: String,
    }
    match response.json::<Body>().await {
        Ok(body) => body.error.message,
        Err(_) => format!("HTTP {}", response.status()),
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, String> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response.json::<T>().await.map_err(|e| e.to_string())
}

/// `GET path` as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, String> {
    read(Request::get(path).send().await.map_err(|e| e.to_string())?).await
}

/// `POST path` without a body, answered as `T`.
pub async fn post_empty<T: DeserializeOwned>(path: &str) -> Result<T, String> {
    read(Request::post(path).send().await.map_err(|e| e.to_string())?).await
}

/// `POST`/`PUT`/`DELETE` `path` with a JSON body (none for `DELETE`), answered as `T`.
pub async fn send<B: Serialize, T: DeserializeOwned>(method: &str, path: &str, body: Option<&B>) -> Result<T, String> {
    let builder = match method {
        "PUT" => Request::put(path),
        "DELETE" => Request::delete(path),
        _ => Request::post(path),
    };
    let response = match body {
        Some(body) => builder.json(body).map_err(|e| e.to_string())?.send().await,
        None => builder.send().await,
    };
    read(response.map_err(|e| e.to_string())?).await
}

/// `POST path` that answers no body worth reading (202, 204).
pub async fn post_no_answer(path: &str) -> Result<(), String> {
    let response = Request::post(path).send().await.map_err(|e| e.to_string())?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}
