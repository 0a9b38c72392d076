//! Extractors whose rejections speak problem+json and name the offending field, instead of
//! axum's plain-text defaults.

use super::ApiError;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use crema_shared::FieldError;
use serde::de::DeserializeOwned;

/// A JSON body, plus its canonical form (sorted keys, no whitespace) for idempotency hashing.
#[derive(Debug)]
pub struct ApiJson<T> {
    pub value: T,
    pub canonical: Vec<u8>,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::Malformed(format!("could not read the body: {e}"), vec![]))?;
        let raw: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::Malformed(
                format!("the body is not valid JSON: {e}"),
                vec![FieldError::new("body", e.to_string())],
            )
        })?;
        let canonical = serde_json::to_vec(&raw).unwrap_or_default();
        let value = serde_path_to_error::deserialize(raw).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            ApiError::Validation(vec![FieldError::new(field_of(&path, &message), message)])
        })?;
        Ok(ApiJson { value, canonical })
    }
}

/// The field a serde error is about: its path, or for missing/unknown fields the field named
/// in the message under that path.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()));
    match (path, named) {
        (".", Some(name)) => name.to_string(),
        (".", None) => "body".to_string(),
        // An unknown field's path already ends with its name.
        (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => path.to_string(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_string(),
    }
}

/// Path parameters; a malformed one is a 400 naming the parameter.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                // Crema's path parameters are UUIDs, except numeric `*_id`s of log rows: name
                // the first one that does not parse as what it should be.
                let raw = RawPathParams::from_request_parts(parts, state).await.ok();
                let bad = raw.iter().flat_map(|params| params.iter()).find(|(key, value)| {
                    if key.ends_with("_id") && *key != "line_id" {
                        value.parse::<i64>().is_err()
                    } else {
                        uuid::Uuid::parse_str(value).is_err()
                    }
                });
                let (field, rule) = match bad {
                    Some((key, _)) if key.ends_with("_id") && key != "line_id" => (key.to_string(), "must be a number"),
                    Some((key, _)) => (key.to_string(), "must be a UUID"),
                    None => ("path".to_string(), "is malformed"),
                };
                Err(ApiError::Malformed(
                    format!("path parameter `{field}` is malformed"),
                    vec![FieldError::new(field, rule)],
                ))
            }
            Err(e) => Err(ApiError::Malformed(e.body_text(), vec![])),
        }
    }
}

/// Query parameters; a malformed one is a 400 naming it when possible.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|e| {
            ApiError::Malformed(
                format!("bad query string: {}", e.body_text()),
                vec![FieldError::new("query", e.body_text())],
            )
        })
    }
}

/// `If-Match: <version>` (also `"<version>"` or `W/"<version>"`), optional.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get("if-match") else {
            return Ok(IfMatch(None));
        };
        let text = raw.to_str().unwrap_or("").trim();
        let bare = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
        bare.parse::<i64>().map(|v| IfMatch(Some(v))).map_err(|_| {
            ApiError::Malformed(
                "If-Match must be a version number".into(),
                vec![FieldError::new("If-Match", "must be a version number, e.g. \"3\"")],
            )
        })
    }
}

/// `Idempotency-Key`, optional: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKeyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKeyHeader(None));
        };
        match raw.to_str() {
            Ok(key) if crate::service::idempotency::valid_key(key) => Ok(IdempotencyKeyHeader(Some(key.to_string()))),
            _ => Err(ApiError::Malformed(
                "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
                vec![FieldError::new("Idempotency-Key", "must be 1 to 255 visible ASCII characters")],
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn serde_errors_name_the_field() {
        assert_eq!(field_of(".", "missing field `customer_name`"), "customer_name");
        assert_eq!(field_of("lines[0]", "missing field `item_id`"), "lines[0].item_id");
        assert_eq!(field_of("lines[0].quantity", "invalid type: string \"x\", expected i64"), "lines[0].quantity");
        assert_eq!(field_of(".", "unknown field `price`, expected one of"), "price");
        assert_eq!(field_of(".", "invalid type: integer, expected struct"), "body");
    }
}
