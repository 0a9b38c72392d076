//! Talking to the Crema server: JSON over `fetch`, same origin (the session is an HttpOnly
//! cookie the browser sends by itself), and three kinds of failure a screen must tell apart.
//!
//! No request reads or fills the browser's HTTP cache (`api` below): the browser keeps answers
//! by address, and another database served later at the same address (a server replaced, set
//! up again, restored from a backup) counts its menu from 1 as well — asked "still menu 1?",
//! it would say yes, and the till would sell from a menu that is not there.

use crema_shared::api::Problem;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server could not be reached: the network or the server is down.
    Unreachable,
    /// Not signed in, or the session ended.
    SignedOut,
    /// The server refused, and says why.
    Refused(Problem),
}

impl ApiError {
    /// What to tell the person at the screen.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unreachable => "Can't reach the Crema server. Retrying…".into(),
            ApiError::SignedOut => "Your session ended. Sign in again.".into(),
            ApiError::Refused(problem) => crate::format::problem_text(problem),
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Refused(p) => Some(p),
            _ => None,
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    json(api(Request::get(path)).header("accept", "application/json")).await
}

pub async fn get_text(path: &str) -> Result<String, ApiError> {
    let response = api(Request::get(path)).send().await.map_err(|_| ApiError::Unreachable)?;
    let response = check(response).await?;
    response.text().await.map_err(|_| ApiError::Unreachable)
}

/// `POST`/`PUT`/`PATCH`/`DELETE` with an optional JSON body and extra headers.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
    headers: &[(&str, &str)],
) -> Result<T, ApiError> {
    let mut builder = match method {
        "POST" => Request::post(path),
        "PUT" => Request::put(path),
        "PATCH" => Request::patch(path),
        "DELETE" => Request::delete(path),
        _ => Request::get(path),
    };
    builder = api(builder).header("accept", "application/json");
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    match body {
        Some(body) => {
            let request = builder.json(body).map_err(|e| local_problem(&e.to_string()))?;
            let response = request.send().await.map_err(|_| ApiError::Unreachable)?;
            decode(check(response).await?).await
        }
        None => json(builder).await,
    }
}

/// A `POST` with no body (lifecycle steps).
pub async fn post<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send::<(), T>("POST", path, None, &[]).await
}

/// A request to the API, past the browser's HTTP cache: the answer is always the server's
/// own, and is not kept.
fn api(builder: RequestBuilder) -> RequestBuilder {
    builder.cache(web_sys::RequestCache::NoStore)
}

async fn json<T: DeserializeOwned>(builder: RequestBuilder) -> Result<T, ApiError> {
    let response = builder.send().await.map_err(|_| ApiError::Unreachable)?;
    decode(check(response).await?).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response.text().await.map_err(|_| ApiError::Unreachable)?;
    // `DELETE` answers 204: an empty body reads as JSON `null`.
    let text = if text.trim().is_empty() { "null".to_string() } else { text };
    serde_json::from_str(&text).map_err(|e| local_problem(&format!("unexpected answer from the server: {e}")))
}

async fn check(response: Response) -> Result<Response, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    if status == 401 {
        return Err(ApiError::SignedOut);
    }
    // A proxy or a restarting server may answer without problem details.
    if status == 502 || status == 503 || status == 504 {
        return Err(ApiError::Unreachable);
    }
    let problem = response.json::<Problem>().await.unwrap_or_else(|_| Problem {
        type_uri: "about:blank".into(),
        title: "Error".into(),
        status,
        detail: format!("The server answered {status}."),
        errors: Vec::new(),
        request_id: None,
        current_status: None,
    });
    Err(ApiError::Refused(problem))
}

fn local_problem(detail: &str) -> ApiError {
    ApiError::Refused(Problem {
        type_uri: "about:blank".into(),
        title: "Error".into(),
        status: 0,
        detail: detail.to_string(),
        errors: Vec::new(),
        request_id: None,
        current_status: None,
    })
}
