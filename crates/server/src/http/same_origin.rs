//! Refuses changes that a browser sends on behalf of another site.
//!
//! Session cookies are `SameSite=Strict`, but a login form has no session yet: another site
//! could post its own credentials to `/console/login` and sign a victim's browser into the
//! attacker's account. Browsers say where a request comes from, in `Sec-Fetch-Site` (on
//! HTTPS and loopback) and in `Origin` (on every POST); a request that changes something is
//! refused when either names another site. Programs (the CLI, curl, integrations) send
//! neither header and pass.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use imsbridge_service::ErrorCode;

use crate::error::ApiError;

/// The authority (`host[:port]`) users reach the server at when it differs from the `Host`
/// header (behind a proxy that rewrites it), from `public_base_url`.
#[derive(Debug, Clone, Default)]
pub struct PublicAuthority(pub Option<String>);

impl PublicAuthority {
    /// From the configured public URL.
    pub fn from_url(url: Option<&url::Url>) -> Self {
        Self(url.and_then(authority_of))
    }
}

fn authority_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Why a request looks cross-site, if it does.
fn refusal(headers: &HeaderMap, public: &PublicAuthority) -> Option<&'static str> {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => None,
            _ => Some("the browser says this request comes from another site"),
        };
    }
    let origin = value(header::ORIGIN.as_str())?;
    let Some(origin) = url::Url::parse(origin).ok().and_then(|u| authority_of(&u)) else {
        return Some("the request's Origin is opaque (null), so it cannot be trusted");
    };
    let host = value(header::HOST.as_str());
    let same = host.is_some_and(|h| h.eq_ignore_ascii_case(&origin))
        || public
            .0
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(&origin));
    (!same).then_some("the request's Origin is another site")
}

/// Middleware: 403 for a cross-site request whose method may change something.
pub async fn refuse_cross_site(
    State(public): State<PublicAuthority>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if !safe && let Some(why) = refusal(req.headers(), &public) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossSite,
            format!(
                "{why}; changes are accepted only from this server's own pages or from programs (which send no Origin header). Behind a proxy that rewrites Host, set public_base_url"
            ),
        )
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn programs_and_same_origin_pages_pass() {
        let none = PublicAuthority::default();
        assert_eq!(
            refusal(&headers(&[("host", "127.0.0.1:8080")]), &none),
            None
        );
        for site in ["same-origin", "none"] {
            assert_eq!(refusal(&headers(&[("sec-fetch-site", site)]), &none), None);
        }
        let same = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert_eq!(refusal(&same, &none), None);
        let https = headers(&[
            ("host", "ims.example.com"),
            ("origin", "https://ims.example.com"),
        ]);
        assert_eq!(refusal(&https, &none), None);
    }

    #[test]
    fn other_sites_and_opaque_origins_are_refused() {
        let none = PublicAuthority::default();
        for site in ["cross-site", "same-site"] {
            assert!(refusal(&headers(&[("sec-fetch-site", site)]), &none).is_some());
        }
        let evil = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(refusal(&evil, &none).is_some());
        let port = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9090"),
        ]);
        assert!(refusal(&port, &none).is_some());
        let opaque = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(refusal(&opaque, &none).is_some());
    }

    #[test]
    fn the_public_url_counts_as_this_site_behind_a_proxy() {
        let public = PublicAuthority::from_url(Some(&"https://ims.example.com/".parse().unwrap()));
        let proxied = headers(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "https://ims.example.com"),
        ]);
        assert_eq!(refusal(&proxied, &public), None);
        let evil = headers(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(refusal(&evil, &public).is_some());
    }
}
