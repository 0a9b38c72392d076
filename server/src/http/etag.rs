//! Entity tags: a version (of the menu, of an order, of a screen file) as a quoted `ETag`,
//! and whether a request's `If-None-Match` already has it (a 304).

use axum::http::{header, HeaderMap, HeaderValue};

/// `"<version>"` as a header value.
pub fn etag(version: impl std::fmt::Display) -> HeaderValue {
    let quoted = format!("\"{version}\"");
    // A version is digits or hex: always a valid header value.
    HeaderValue::from_str(&quoted).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether `If-None-Match` lists `etag` (weak or strong) or `*`.
pub fn unchanged(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else { return false };
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn a_listed_tag_weak_or_strong_or_a_star_is_unchanged() {
        let tag = etag(7);
        assert_eq!(tag, "\"7\"");
        for value in ["\"7\"", "W/\"7\"", "\"3\", \"7\"", "*"] {
            assert!(unchanged(&asking(value), &tag), "{value}");
        }
        for value in ["\"8\"", "7", "\"70\""] {
            assert!(!unchanged(&asking(value), &tag), "{value}");
        }
        assert!(!unchanged(&HeaderMap::new(), &tag));
    }
}
