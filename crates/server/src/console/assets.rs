//! The console's CSS, JavaScript and icon, compiled into the binary.
//!
//! Pages link `console-<hash>.css` and `console-<hash>.js`, where the hash is of the file's
//! content, so these can be cached for a year and still change with every release.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    hasher.update(CSS.as_bytes());
    hasher.update(JS.as_bytes());
    hex::encode(&hasher.finalize()[..6])
});

/// The content hash that versions the asset URLs.
pub fn version() -> &'static str {
    VERSION.as_str()
}

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

/// `GET /console/assets/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    const IMMUTABLE: &str = "public, max-age=31536000, immutable";
    const SHORT: &str = "public, max-age=300";
    let versioned = |stem: &str, ext: &str| file == format!("{stem}-{}.{ext}", version());
    if versioned("console", "css") {
        asset(CSS, "text/css; charset=utf-8", IMMUTABLE)
    } else if versioned("console", "js") {
        asset(JS, "text/javascript; charset=utf-8", IMMUTABLE)
    } else if file == "console.css" {
        asset(CSS, "text/css; charset=utf-8", SHORT)
    } else if file == "console.js" {
        asset(JS, "text/javascript; charset=utf-8", SHORT)
    } else if file == "favicon.svg" {
        asset(FAVICON, "image/svg+xml", SHORT)
    } else {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such asset",
        )
            .into_response()
    }
}
