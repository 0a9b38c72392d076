//! The screens (POS, kitchen display, pickup board, manager), embedded in the binary at
//! build time (see `build.rs`) and served from `/`.
//!
//! Every screen path answers the same `index.html`; the wasm app reads the path and shows
//! that screen. Files are served pre-compressed when the browser takes gzip, revalidated by
//! `ETag` (`Cache-Control: no-cache`), so a new server version is picked up on reload.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub struct Asset {
    pub name: &'static str,
    pub bytes: &'static [u8],
    pub gzip: Option<&'static [u8]>,
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// The paths a screen is opened at (the desktop app and bookmarks use them).
pub const SCREEN_PATHS: &[&str] = &["/", "/sign-in", "/pos", "/kds", "/board", "/manage"];

/// Where the screens' files are served.
pub const ASSETS_PATH: &str = "/assets/{file}";

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for path in SCREEN_PATHS {
        router = router.route(path, get(index));
    }
    router.route(ASSETS_PATH, get(asset))
}

/// Whether the screens were built into this binary.
pub fn built() -> bool {
    find("index.html").is_some()
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

async fn index(headers: HeaderMap) -> Response {
    match find("index.html") {
        Some(asset) => serve(asset, &headers),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))],
            NOT_BUILT,
        )
            .into_response(),
    }
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match find(&file).filter(|a| a.name != "index.html") {
        Some(asset) => serve(asset, &headers),
        None => super::ApiError::NotFound("file".into()).into_response(),
    }
}

fn serve(asset: &'static Asset, request: &HeaderMap) -> Response {
    let etag = HeaderValue::from_static(asset.etag);
    let fresh = super::etag::unchanged(request, &etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let takes_gzip = request
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        match asset.gzip.filter(|_| takes_gzip) {
            Some(gz) => ([(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))], gz).into_response(),
            None => asset.bytes.into_response(),
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(asset.name)));
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Crema</title>
<h1>Crema's screens are not in this build</h1>
<p>This server was compiled before the screens were built. Run <code>scripts/run</code> (it builds
the screens, then the server), or <code>scripts/build-ui</code> and rebuild the server.
The API is running: see <a href=/api/v1/docs>/api/v1/docs</a>.</p>";
