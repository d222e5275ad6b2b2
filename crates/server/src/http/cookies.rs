//! The server's cookies, read and written through axum-extra's [`CookieJar`]: the session,
//! the console's flash message and language, and a single sign-on in progress. Each has one
//! builder here, so that its attributes are set in one place.

use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use time::Duration;

/// The attributes of one of our cookies.
#[derive(Debug, Clone, Copy)]
pub struct Attrs {
    /// The path it is sent to.
    pub path: &'static str,
    /// Its `SameSite` policy.
    pub same_site: SameSite,
    /// Whether scripts cannot read it.
    pub http_only: bool,
    /// Whether it is sent over HTTPS only.
    pub secure: bool,
}

/// A cookie `name=value` that lives `max_age_secs` seconds (0 deletes it).
pub fn build(name: &str, value: String, max_age_secs: i64, attrs: Attrs) -> Cookie<'static> {
    Cookie::build((name.to_owned(), value))
        .path(attrs.path)
        .same_site(attrs.same_site)
        .http_only(attrs.http_only)
        .secure(attrs.secure)
        .max_age(Duration::seconds(max_age_secs))
        .build()
}

/// The value of the cookie `name` a request carries, if any.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value_trimmed().to_owned())
}

/// `response` with `cookie` set on it (after any cookies it already sets).
pub fn with(response: Response, cookie: Cookie<'static>) -> Response {
    (CookieJar::new().add(cookie), response).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, StatusCode, header};

    use super::*;

    const ATTRS: Attrs = Attrs {
        path: "/console",
        same_site: SameSite::Lax,
        http_only: true,
        secure: true,
    };

    #[test]
    fn a_cookie_carries_every_attribute_and_is_read_back_by_name() {
        let response = with(
            StatusCode::SEE_OTHER.into_response(),
            build("a", "x y;z".into(), 60, ATTRS),
        );
        let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
        for part in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/console",
            "Max-Age=60",
        ] {
            assert!(set.contains(part), "{part} missing from {set}");
        }
        let pair = set.split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        assert_eq!(read(&headers, "a").as_deref(), Some("x y;z"));
        assert_eq!(read(&headers, "b"), None);
    }

    #[test]
    fn setting_a_cookie_keeps_the_ones_already_set() {
        let first = with(
            StatusCode::OK.into_response(),
            build("a", "1".into(), 0, ATTRS),
        );
        let both = with(first, build("b", "2".into(), 0, ATTRS));
        assert_eq!(both.headers().get_all(header::SET_COOKIE).iter().count(), 2);
    }
}
