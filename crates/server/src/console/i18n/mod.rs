//! The console's languages. Every word comes from the Fluent catalogues of
//! [`imsbridge_i18n`] (`crates/i18n/locales/{en,ko}/*.ftl`); pages look messages up by key
//! through [`Texts`], with their arguments placed by each language's own sentence.
//!
//! The page's language is the reader's choice (the switch's cookie), else the best of their
//! browser's `Accept-Language`, else English; never a guess from the text.

use std::fmt::Display;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
pub use imsbridge_i18n::{FluentValue, Lang};

/// The cookie that remembers the language chosen with the switch.
pub const LANG_COOKIE: &str = "imsbridge_lang";

/// The language of a request: the switch's cookie, else `Accept-Language`, else English.
pub fn lang_of_request(parts: &Parts) -> Lang {
    let from_cookie = crate::http::cookies::read(&parts.headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::parse);
    from_cookie.unwrap_or_else(|| {
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, Lang::from_accept_language)
    })
}

/// The cookie that remembers the switch's choice for a year: a preference, so `Lax` and
/// readable by scripts is fine.
pub fn lang_cookie(lang: Lang) -> axum_extra::extract::cookie::Cookie<'static> {
    crate::http::cookies::build(
        LANG_COOKIE,
        lang.code().to_owned(),
        31_536_000,
        crate::http::cookies::Attrs {
            path: "/",
            same_site: axum_extra::extract::cookie::SameSite::Lax,
            http_only: false,
            secure: false,
        },
    )
}

/// The language of a console request, as an extractor.
#[derive(Clone, Copy, Debug)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(lang_of_request(parts)))
    }
}

/// The messages of one language, as pages and templates look them up:
/// `t.get("create")`, or with arguments `t.fmt1("readiness_days_left", "days", 30)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts(pub Lang);

impl Texts {
    /// A message without arguments.
    pub fn get(&self, key: &str) -> &'static str {
        self.0.get(key)
    }

    /// A message with arguments.
    pub fn fmt(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.0.fmt(key, args)
    }

    /// A message with one argument (for templates).
    pub fn fmt1(&self, key: &str, name: &str, value: impl Display) -> String {
        self.fmt(key, &[(name, arg(value))])
    }
}

/// A template's argument: a plain integer is a Fluent number (so that plural rules apply),
/// anything else is text.
fn arg(value: impl Display) -> FluentValue<'static> {
    let text = value.to_string();
    match text.parse::<i64>() {
        Ok(n) if n.to_string() == text => FluentValue::from(n),
        _ => FluentValue::from(text),
    }
}

/// The label of an import preview row's action (`create`, `update`, …).
pub fn import_action_label(t: Texts, action: &str) -> &'static str {
    t.get(match action {
        "create" => "import_action_create",
        "update" => "import_action_update",
        "needs-secret" => "import_action_needs_secret",
        "needs-certificate" => "import_action_needs_certificate",
        _ => "import_action_skip",
    })
}

/// The label of an import result's status.
pub fn import_status_label(t: Texts, status: &str) -> &'static str {
    t.get(match status {
        "created" => "import_status_created",
        "updated" => "import_status_updated",
        _ => "import_status_failed",
    })
}

/// The message for an error kind of `?sso_error=`; `None` for unknown kinds, which are not
/// shown at all rather than shown raw.
pub fn sso_error(t: Texts, kind: &str) -> Option<&'static str> {
    let key = match kind {
        "unavailable" => "sso_unavailable",
        "refused" => "sso_refused",
        "expired" => "sso_expired",
        "invalid" => "sso_invalid",
        "no_role" => "sso_no_role",
        "disabled" => "sso_disabled",
        "not_configured" => "sso_not_configured",
        "local_login_off" => "sso_local_login_off",
        _ => return None,
    };
    Some(t.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_supported_language_with_the_highest_quality() {
        assert_eq!(
            Lang::from_accept_language("ko-KR,ko;q=0.9,en;q=0.8"),
            Lang::Ko
        );
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, ko;q=0.4"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0.1, ko;q=0.2"), Lang::Ko);
    }

    #[test]
    fn korean_labels_of_the_seed_workflow_are_the_seeds_own() {
        let ko = Texts(Lang::Ko);
        assert_eq!(ko.get("ims_integrations"), "Adobe IMS 통합");
        assert_eq!(ko.get("create"), "만들기");
        assert_eq!(ko.get("properties"), "속성");
        assert_eq!(ko.get("auth_type"), "인증 유형");
        assert_eq!(ko.get("save_close"), "저장 및 닫기");
        assert_eq!(ko.get("jwt_deprecated"), "JWT 자격 증명(사용 안 함)");
        assert_eq!(ko.get("tools"), "도구");
        assert_eq!(ko.get("security"), "보안");
        assert_eq!(ko.get("origin_auto"), "자동 프로비저닝된");
    }

    #[test]
    fn every_sso_error_kind_has_words_in_both_languages_and_unknown_ones_none() {
        for lang in Lang::ALL {
            let t = Texts(lang);
            for kind in [
                "unavailable",
                "refused",
                "expired",
                "invalid",
                "no_role",
                "disabled",
                "not_configured",
                "local_login_off",
            ] {
                assert!(sso_error(t, kind).is_some_and(|m| !m.is_empty()), "{kind}");
            }
            assert_eq!(sso_error(t, "<script>"), None);
        }
        assert_ne!(
            sso_error(Texts(Lang::En), "no_role"),
            sso_error(Texts(Lang::Ko), "no_role")
        );
    }
}
