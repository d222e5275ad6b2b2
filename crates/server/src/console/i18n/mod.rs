//! The console's two languages. Every label lives in one [`Texts`] table per language; a label
//! missing from a table is a compile error, so no page can fall back to English by accident.
//!
//! The Korean labels of the seed's workflow are the seed's own words (AEM's Korean admin
//! guide): 도구, 보안, Adobe IMS 통합, 만들기, 속성, 인증 유형, 저장 및 닫기,
//! JWT 자격 증명(사용 안 함).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// The cookie that remembers the language chosen with the switch.
pub const LANG_COOKIE: &str = "imsbridge_lang";

/// A language of the console.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Self; 2] = [Self::En, Self::Ko];

    /// The BCP 47 tag, used in `lang` attributes and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ko => "한국어",
        }
    }

    /// The labels in this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Self::En => &EN,
            Self::Ko => &KO,
        }
    }

    /// Parses a language code (`ko`, `ko-KR`, `en-GB`, …); unknown codes give `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "ko" => Some(Self::Ko),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the supported one with the highest
    /// quality, English when none is supported.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::En, |(_, lang)| lang)
    }

    /// The cookie that remembers this choice for a year: a preference, so `Lax` and readable
    /// by scripts is fine.
    pub fn cookie(self) -> axum_extra::extract::cookie::Cookie<'static> {
        crate::http::cookies::build(
            LANG_COOKIE,
            self.code().to_owned(),
            31_536_000,
            crate::http::cookies::Attrs {
                path: "/",
                same_site: axum_extra::extract::cookie::SameSite::Lax,
                http_only: false,
                secure: false,
            },
        )
    }

    /// The language of a request: the switch's cookie, else `Accept-Language`, else English.
    pub fn of_request(parts: &Parts) -> Self {
        let from_cookie = crate::http::cookies::read(&parts.headers, LANG_COOKIE)
            .as_deref()
            .and_then(Self::parse);
        from_cookie.unwrap_or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Self::En, Self::from_accept_language)
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of_request(parts))
    }
}

/// Every label of the console, in one language.
#[derive(Debug)]
pub struct Texts {
    /// Product name in the header.
    pub app_name: &'static str,
    /// Skip link for keyboard users.
    pub skip_to_content: &'static str,
    /// Main navigation landmark.
    pub main_nav: &'static str,
    /// Breadcrumb landmark.
    pub breadcrumb: &'static str,
    /// AEM's Tools.
    pub tools: &'static str,
    /// AEM's Security.
    pub security: &'static str,
    /// AEM's Adobe IMS Integrations.
    pub ims_integrations: &'static str,
    /// Migration readiness page.
    pub readiness: &'static str,
    /// Audit trail page.
    pub audit_trail: &'static str,
    /// Users page.
    pub users: &'static str,
    /// API tokens page.
    pub api_tokens: &'static str,
    /// The language switch.
    pub language: &'static str,
    /// Apply the language switch without JavaScript.
    pub change_language: &'static str,
    /// Before the user name in the header.
    pub signed_in_as: &'static str,
    /// Sign out.
    pub sign_out: &'static str,
    /// Sign in (page title and button).
    pub sign_in: &'static str,
    /// Sign in page intro.
    pub sign_in_intro: &'static str,
    /// User name field.
    pub username: &'static str,
    /// Password field.
    pub password: &'static str,
    /// Wrong login.
    pub login_failed: &'static str,
    /// Sign-in refused for now (too many attempts, or the server is busy); `{seconds}` is
    /// replaced by the wait.
    pub login_throttled: &'static str,
    /// Signed out message.
    pub signed_out: &'static str,
    /// AEM's Create.
    pub create: &'static str,
    /// AEM's Properties.
    pub properties: &'static str,
    /// Check Health.
    pub check_health: &'static str,
    /// Delete.
    pub delete: &'static str,
    /// Cancel.
    pub cancel: &'static str,
    /// AEM's Save.
    pub save: &'static str,
    /// AEM's Save & Close.
    pub save_close: &'static str,
    /// Close.
    pub close: &'static str,
    /// Search field.
    pub search: &'static str,
    /// Search placeholder.
    pub search_placeholder: &'static str,
    /// Filters group.
    pub filters: &'static str,
    /// Apply filters.
    pub apply: &'static str,
    /// Clear filters.
    pub clear_filters: &'static str,
    /// Any value in a filter.
    pub all: &'static str,
    /// Column and field: Title.
    pub title: &'static str,
    /// Column and field: Name.
    pub name: &'static str,
    /// Column and field: Cloud Solution.
    pub cloud_solution: &'static str,
    /// Column and field: Authentication Type (seed: 인증 유형).
    pub auth_type: &'static str,
    /// Column: Origin.
    pub origin: &'static str,
    /// Column: Health.
    pub health: &'static str,
    /// Column: Last check.
    pub last_check: &'static str,
    /// Radio label for selecting a row.
    pub select: &'static str,
    /// Origin: customer-created.
    pub origin_customer: &'static str,
    /// Origin: auto-provisioned ("Auto-generated").
    pub origin_auto: &'static str,
    /// Health: healthy.
    pub health_healthy: &'static str,
    /// Health: unhealthy.
    pub health_unhealthy: &'static str,
    /// Health: never checked.
    pub health_unknown: &'static str,
    /// The seed's warning on JWT configurations.
    pub jwt_deprecated: &'static str,
    /// OAuth label.
    pub auth_oauth: &'static str,
    /// JWT label.
    pub auth_jwt: &'static str,
    /// Table caption.
    pub list_caption: &'static str,
    /// No configurations match the search.
    pub no_results: &'static str,
    /// No configurations at all.
    pub no_configs: &'static str,
    /// Paging landmark.
    pub pagination: &'static str,
    /// Previous page.
    pub previous: &'static str,
    /// Next page.
    pub next: &'static str,
    /// "of" in "1–50 of 120".
    pub of: &'static str,
    /// Hint under the toolbar when nothing is selected.
    pub select_hint: &'static str,
    /// Toolbar landmark.
    pub actions: &'static str,
    /// Create page heading.
    pub create_heading: &'static str,
    /// Create page intro.
    pub create_intro: &'static str,
    /// Authorization Server field.
    pub authorization_server: &'static str,
    /// Client ID field.
    pub client_id: &'static str,
    /// Client Secret field.
    pub client_secret: &'static str,
    /// Scopes field.
    pub scopes: &'static str,
    /// Org ID field.
    pub org_id: &'static str,
    /// Technical account field.
    pub technical_account_id: &'static str,
    /// JWT API key field.
    pub api_key: &'static str,
    /// JWT metascopes field.
    pub metascopes: &'static str,
    /// Certificate fingerprint field.
    pub certificate_fingerprint: &'static str,
    /// Certificate expiry field.
    pub certificate_expiry: &'static str,
    /// Name hint.
    pub name_hint: &'static str,
    /// Scopes hint.
    pub scopes_hint: &'static str,
    /// Org id hint.
    pub org_id_hint: &'static str,
    /// Authorization server hint.
    pub authorization_server_hint: &'static str,
    /// Secret hint when a secret is stored: followed by its last four characters.
    pub secret_keep_hint: &'static str,
    /// Secret hint when nothing can be shown of the stored secret.
    pub secret_keep_hint_short: &'static str,
    /// Hint under the client secret when migrating: empty keeps the JWT credential's.
    pub secret_keep_jwt_hint: &'static str,
    /// The secret had to be typed again after an error.
    pub secret_reenter: &'static str,
    /// "Other" cloud solution.
    pub other_solution: &'static str,
    /// Other solution name field.
    pub other_solution_name: &'static str,
    /// Developer Console JSON section heading.
    pub dc_json_heading: &'static str,
    /// Developer Console JSON section help.
    pub dc_json_help: &'static str,
    /// Developer Console JSON textarea label.
    pub dc_json_paste: &'static str,
    /// Developer Console JSON upload label.
    pub dc_json_upload: &'static str,
    /// Fill the form from the JSON.
    pub dc_json_fill: &'static str,
    /// The JSON filled the form.
    pub dc_json_filled: &'static str,
    /// The JSON could not be read.
    pub dc_json_invalid: &'static str,
    /// Error summary heading.
    pub fix_errors: &'static str,
    /// Required field marker for screen readers.
    pub required: &'static str,
    /// Properties page heading.
    pub properties_heading: &'static str,
    /// General section.
    pub general: &'static str,
    /// Credential section.
    pub credential: &'static str,
    /// Read-only JWT explanation.
    pub jwt_read_only: &'static str,
    /// How to migrate.
    pub jwt_migrate_hint: &'static str,
    /// Migration section heading.
    pub migrate_heading: &'static str,
    /// Migration intro.
    pub migrate_intro: &'static str,
    /// The seed's note on auto-provisioned configurations.
    pub auto_provisioned_note: &'static str,
    /// Apply the auth type switch without JavaScript.
    pub switch_auth_type: &'static str,
    /// Revision label.
    pub revision: &'static str,
    /// Conflict heading.
    pub conflict_heading: &'static str,
    /// Conflict explanation.
    pub conflict_body: &'static str,
    /// Conflict table: field.
    pub conflict_field: &'static str,
    /// Conflict table: your value.
    pub conflict_yours: &'static str,
    /// Conflict table: current value.
    pub conflict_theirs: &'static str,
    /// Verification failed heading.
    pub verification_failed: &'static str,
    /// Verification failed explanation.
    pub verification_failed_body: &'static str,
    /// Verification failed explanation on Create and Properties of an OAuth configuration.
    pub verification_failed_save: &'static str,
    /// The button that saves without verifying the credential with IMS.
    pub save_unverified: &'static str,
    /// What "Save without verifying" does, shown when IMS refused or was unreachable.
    pub save_unverified_hint: &'static str,
    /// IMS unreachable while verifying: heading.
    pub ims_unreachable: &'static str,
    /// IMS unreachable while verifying: explanation.
    pub ims_unreachable_body: &'static str,
    /// IMS error code label.
    pub ims_error: &'static str,
    /// IMS debug id label.
    pub debug_id: &'static str,
    /// Health result heading.
    pub health_result: &'static str,
    /// Success message of a health check (AEM's words).
    pub health_success: &'static str,
    /// Health check failed.
    pub health_failed: &'static str,
    /// Delete confirmation heading.
    pub delete_heading: &'static str,
    /// Delete confirmation question.
    pub delete_confirm: &'static str,
    /// Delete warning.
    pub delete_warning: &'static str,
    /// Flash: created.
    pub flash_created: &'static str,
    /// Flash: saved.
    pub flash_saved: &'static str,
    /// Flash: migrated.
    pub flash_migrated: &'static str,
    /// Flash: deleted.
    pub flash_deleted: &'static str,
    /// Flash: healthy.
    pub flash_health_ok: &'static str,
    /// Flash: unhealthy.
    pub flash_health_failed: &'static str,
    /// Flash: no change.
    pub flash_unchanged: &'static str,
    /// Audit page intro.
    pub audit_intro: &'static str,
    /// Audit column: time.
    pub audit_at: &'static str,
    /// Audit column: actor.
    pub audit_actor: &'static str,
    /// Audit column: action.
    pub audit_action: &'static str,
    /// Audit column: target.
    pub audit_target: &'static str,
    /// Audit column: details.
    pub audit_details: &'static str,
    /// No audit entries.
    pub audit_empty: &'static str,
    /// Audit filter: nothing matches.
    pub audit_no_match: &'static str,
    /// Audit filter legend and button.
    pub audit_filter: &'static str,
    /// Audit filter: clear.
    pub audit_clear: &'static str,
    /// Audit filter: first day.
    pub audit_from: &'static str,
    /// Audit filter: last day.
    pub audit_to: &'static str,
    /// Audit filter: days are UTC.
    pub audit_days_utc: &'static str,
    /// Audit filter: a date that does not parse.
    pub audit_bad_date: &'static str,
    /// Audit filter: the last day is before the first.
    pub audit_to_before_from: &'static str,
    /// Older entries.
    pub older: &'static str,
    /// Newer entries.
    pub newer: &'static str,
    /// Users page intro.
    pub users_intro: &'static str,
    /// Role column/field.
    pub role: &'static str,
    /// Admin role.
    pub role_admin: &'static str,
    /// Viewer role.
    pub role_viewer: &'static str,
    /// Created column.
    pub created: &'static str,
    /// Status column.
    pub status: &'static str,
    /// Active user.
    pub active: &'static str,
    /// Disabled user.
    pub disabled: &'static str,
    /// Add user heading and button.
    pub add_user: &'static str,
    /// Flash: user added.
    pub flash_user_added: &'static str,
    /// Flash: user removed.
    pub flash_user_removed: &'static str,
    /// Flash: user's role or status changed.
    pub flash_user_updated: &'static str,
    /// Button: give a viewer the admin role.
    pub make_admin: &'static str,
    /// Button: take the admin role away.
    pub make_viewer: &'static str,
    /// Button: stop a user from signing in.
    pub disable_user: &'static str,
    /// Button: let a disabled user sign in again.
    pub enable_user: &'static str,
    /// Tokens page intro.
    pub tokens_intro: &'static str,
    /// New token heading and button.
    pub new_token: &'static str,
    /// Token name field.
    pub token_name: &'static str,
    /// Token scope field.
    pub token_scope: &'static str,
    /// Token expiry field.
    pub token_expires: &'static str,
    /// Never expires.
    pub never: &'static str,
    /// Token prefix column.
    pub token_prefix: &'static str,
    /// Last used column.
    pub last_used: &'static str,
    /// Revoke.
    pub revoke: &'static str,
    /// Revoked.
    pub revoked: &'static str,
    /// Shown-once token heading.
    pub token_once_heading: &'static str,
    /// Shown-once token explanation.
    pub token_once_body: &'static str,
    /// Copy button.
    pub copy: &'static str,
    /// After copying.
    pub copied: &'static str,
    /// No tokens.
    pub tokens_empty: &'static str,
    /// Flash: token revoked.
    pub flash_token_revoked: &'static str,
    /// Days, after a number.
    pub days: &'static str,
    /// Error page heading.
    pub error_heading: &'static str,
    /// Page not found.
    pub not_found: &'static str,
    /// The form expired (CSRF).
    pub csrf_failed: &'static str,
    /// Back to the list.
    pub back_to_list: &'static str,
    /// Not allowed.
    pub forbidden: &'static str,
    /// Internal error.
    pub internal_error: &'static str,
    /// Information.
    pub info: &'static str,
    /// Success.
    pub success: &'static str,
    /// Warning.
    pub warning: &'static str,
    /// Error.
    pub error: &'static str,
    /// Dismiss a message.
    pub dismiss: &'static str,
    /// Never checked.
    pub never_checked: &'static str,
    /// Read only badge.
    pub read_only: &'static str,
    /// Details link.
    pub details: &'static str,
    /// Before a field's problem.
    pub invalid_value: &'static str,
    /// A required field is empty.
    pub missing_value: &'static str,
    /// IMS's reason.
    pub ims_reason: &'static str,
    /// The form could not be saved (an error not tied to a field).
    pub not_saved: &'static str,
    /// Migration refused for an auto-provisioned configuration.
    pub auto_provisioned_heading: &'static str,
}

mod en;
mod ko;

pub use en::EN;
pub use ko::KO;

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
        assert_eq!(KO.ims_integrations, "Adobe IMS 통합");
        assert_eq!(KO.create, "만들기");
        assert_eq!(KO.properties, "속성");
        assert_eq!(KO.auth_type, "인증 유형");
        assert_eq!(KO.save_close, "저장 및 닫기");
        assert_eq!(KO.jwt_deprecated, "JWT 자격 증명(사용 안 함)");
        assert_eq!(KO.tools, "도구");
        assert_eq!(KO.security, "보안");
    }
}
