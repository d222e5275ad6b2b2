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

    /// The language of a request: the switch's cookie, else `Accept-Language`, else English.
    pub fn of_request(parts: &Parts) -> Self {
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Self::parse(value));
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

/// English.
pub static EN: Texts = Texts {
    app_name: "imsbridge",
    skip_to_content: "Skip to content",
    main_nav: "Main navigation",
    breadcrumb: "Breadcrumb",
    tools: "Tools",
    security: "Security",
    ims_integrations: "Adobe IMS Integrations",
    readiness: "Migration readiness",
    audit_trail: "Audit trail",
    users: "Users",
    api_tokens: "API tokens",
    language: "Language",
    change_language: "Change",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    sign_in: "Sign in",
    sign_in_intro: "Sign in to manage Adobe IMS integration configurations.",
    username: "User name",
    password: "Password",
    login_failed: "The user name or password is not correct.",
    login_throttled: "Too many sign-in attempts right now. Please wait a moment ({seconds} s) and try again.",
    signed_out: "You have been signed out.",
    create: "Create",
    properties: "Properties",
    check_health: "Check Health",
    delete: "Delete",
    cancel: "Cancel",
    save: "Save",
    save_close: "Save & Close",
    close: "Close",
    search: "Search",
    search_placeholder: "Title or name",
    filters: "Filters",
    apply: "Apply",
    clear_filters: "Clear",
    all: "All",
    title: "Title",
    name: "Name",
    cloud_solution: "Cloud Solution",
    auth_type: "Authentication Type",
    origin: "Origin",
    health: "Health",
    last_check: "Last check",
    select: "Select",
    origin_customer: "Customer",
    origin_auto: "Auto-generated",
    health_healthy: "Healthy",
    health_unhealthy: "Unhealthy",
    health_unknown: "Not checked",
    jwt_deprecated: "JWT Credentials (deprecated)",
    auth_oauth: "OAuth",
    auth_jwt: "JWT",
    list_caption: "Adobe IMS integration configurations",
    no_results: "No configuration matches this search.",
    no_configs: "There are no configurations yet. Create one to get started.",
    pagination: "Pages",
    previous: "Previous",
    next: "Next",
    of: "of",
    select_hint: "Select a configuration to see its properties, check its health or delete it.",
    actions: "Actions",
    create_heading: "Create Adobe IMS Configuration",
    create_intro: "Complete the configuration with the details of the OAuth Server-to-Server credential from the Adobe Developer Console.",
    authorization_server: "Authorization Server",
    client_id: "Client ID",
    client_secret: "Client Secret",
    scopes: "Scopes",
    org_id: "Org ID",
    technical_account_id: "Technical Account ID",
    api_key: "API Key (Client ID)",
    metascopes: "Metascopes",
    certificate_fingerprint: "Certificate fingerprint (SHA-256)",
    certificate_expiry: "Certificate expires",
    name_hint: "Lowercase letters, digits and hyphens. Integrations refer to this name; it cannot be changed later.",
    scopes_hint: "As listed in the Developer Console, separated by commas.",
    org_id_hint: "24 hexadecimal characters followed by @AdobeOrg.",
    authorization_server_hint: "Adobe IMS production is https://ims-na1.adobelogin.com.",
    secret_keep_hint: "Leave empty to keep the current secret, ending in",
    secret_keep_hint_short: "Leave empty to keep the current secret.",
    secret_keep_jwt_hint: "Leave empty to use the JWT credential's client secret: the Developer Console keeps it when it migrates a credential. It is checked with IMS before saving. Ends in",
    secret_reenter: "For your safety the secret was not kept. Enter it again.",
    other_solution: "Other",
    other_solution_name: "Other solution name",
    dc_json_heading: "Fill from the Developer Console",
    dc_json_help: "In the Adobe Developer Console, open the project and choose Download JSON. Paste the file here or upload it; the form is filled from its OAuth Server-to-Server credential.",
    dc_json_paste: "Project JSON",
    dc_json_upload: "Upload JSON file",
    dc_json_fill: "Fill form",
    dc_json_filled: "The form was filled from the project JSON. Check the values and save.",
    dc_json_invalid: "This is not a Developer Console project JSON with an OAuth Server-to-Server credential.",
    fix_errors: "Correct the fields marked below.",
    required: "required",
    properties_heading: "Properties",
    general: "General",
    credential: "Credential",
    jwt_read_only: "This configuration uses JWT credentials, which are deprecated. It is read-only and can only be migrated to OAuth.",
    jwt_migrate_hint: "To migrate it, create the OAuth Server-to-Server credential in the Developer Console, then choose OAuth in the Authentication Type drop-down.",
    migrate_heading: "OAuth Server-to-Server details",
    migrate_intro: "Complete these with the details from the Developer Console. Client ID and Org ID stay the same after migration; the scopes are suggested from the JWT metascopes. Save & Close fetches a token with the new credential before anything changes.",
    auto_provisioned_note: "Auto-provisioned JWT configurations are handled automatically by Adobe and must not be migrated manually.",
    switch_auth_type: "Switch",
    revision: "Revision",
    conflict_heading: "Someone else changed this configuration",
    conflict_body: "It was changed after you opened it, so your changes were not saved. Your input is kept below; compare it with the current values and save again.",
    conflict_field: "Field",
    conflict_yours: "Your value",
    conflict_theirs: "Current value",
    verification_failed: "Adobe IMS refused the new credential",
    verification_failed_body: "Nothing was changed: the configuration still uses its JWT credential. Check the details against the Developer Console and try again.",
    ims_error: "IMS error",
    debug_id: "Debug ID",
    health_result: "Health check",
    health_success: "Token is retrieved successfully",
    health_failed: "No token could be retrieved",
    delete_heading: "Delete configuration",
    delete_confirm: "Delete this configuration?",
    delete_warning: "Integrations that use it will no longer get access tokens. This cannot be undone.",
    flash_created: "The configuration was created.",
    flash_saved: "The configuration was saved.",
    flash_migrated: "The configuration now uses OAuth Server-to-Server credentials.",
    flash_deleted: "The configuration was deleted.",
    flash_health_ok: "Token is retrieved successfully",
    flash_health_failed: "The health check failed",
    flash_unchanged: "Nothing was changed.",
    audit_intro: "Every change to configurations, users and API tokens, newest first.",
    audit_at: "Time",
    audit_actor: "Actor",
    audit_action: "Action",
    audit_target: "Target",
    audit_details: "Details",
    audit_empty: "Nothing has been recorded yet.",
    audit_no_match: "No entries match these filters.",
    audit_filter: "Filter",
    audit_clear: "Clear",
    audit_from: "From",
    audit_to: "To",
    audit_days_utc: "Whole days, UTC.",
    audit_bad_date: "Enter a date as YYYY-MM-DD.",
    audit_to_before_from: "The last day must not be before the first.",
    older: "Older",
    newer: "Newer",
    users_intro: "People who can sign in to this console. Admins can change configurations; viewers can only read.",
    role: "Role",
    role_admin: "Admin",
    role_viewer: "Viewer",
    created: "Created",
    status: "Status",
    active: "Active",
    disabled: "Disabled",
    add_user: "Add user",
    flash_user_added: "The user was added.",
    flash_user_removed: "The user was removed.",
    flash_user_updated: "The user was changed; their open sessions were ended.",
    make_admin: "Make admin",
    make_viewer: "Make viewer",
    disable_user: "Disable",
    enable_user: "Enable",
    tokens_intro: "API tokens let scripts and integrations call the admin and token APIs.",
    new_token: "New API token",
    token_name: "Token name",
    token_scope: "Scope",
    token_expires: "Expires in",
    never: "Never",
    token_prefix: "Prefix",
    last_used: "Last used",
    revoke: "Revoke",
    revoked: "Revoked",
    token_once_heading: "Copy your new token now",
    token_once_body: "This is the only time the token is shown. Store it somewhere safe.",
    copy: "Copy",
    copied: "Copied",
    tokens_empty: "There are no API tokens.",
    flash_token_revoked: "The token was revoked.",
    days: "days",
    error_heading: "Something went wrong",
    not_found: "This page or configuration does not exist.",
    csrf_failed: "The form had expired. Reload the page and submit it again.",
    back_to_list: "Back to Adobe IMS Integrations",
    forbidden: "Your role does not allow this action.",
    internal_error: "The server could not complete the request. It has been logged; try again later.",
    info: "Information",
    success: "Success",
    warning: "Warning",
    error: "Error",
    dismiss: "Dismiss",
    never_checked: "Never",
    read_only: "Read-only",
    details: "Details",
    invalid_value: "This value is not valid:",
    missing_value: "Enter a value.",
    ims_reason: "Reason",
    not_saved: "The configuration was not saved",
    auto_provisioned_heading: "Auto-provisioned configuration",
};

/// Korean; the seed's workflow labels are the seed's own.
pub static KO: Texts = Texts {
    app_name: "imsbridge",
    skip_to_content: "본문으로 건너뛰기",
    main_nav: "주 탐색",
    breadcrumb: "이동 경로",
    tools: "도구",
    security: "보안",
    ims_integrations: "Adobe IMS 통합",
    readiness: "마이그레이션 준비 상태",
    audit_trail: "감사 추적",
    users: "사용자",
    api_tokens: "API 토큰",
    language: "언어",
    change_language: "변경",
    signed_in_as: "로그인 사용자",
    sign_out: "로그아웃",
    sign_in: "로그인",
    sign_in_intro: "로그인하여 Adobe IMS 통합 구성을 관리합니다.",
    username: "사용자 이름",
    password: "암호",
    login_failed: "사용자 이름 또는 암호가 올바르지 않습니다.",
    login_throttled: "지금은 로그인 시도가 너무 많습니다. 잠시({seconds}초) 기다린 후 다시 시도하십시오.",
    signed_out: "로그아웃되었습니다.",
    create: "만들기",
    properties: "속성",
    check_health: "상태 확인",
    delete: "삭제",
    cancel: "취소",
    save: "저장",
    save_close: "저장 및 닫기",
    close: "닫기",
    search: "검색",
    search_placeholder: "제목 또는 이름",
    filters: "필터",
    apply: "적용",
    clear_filters: "지우기",
    all: "모두",
    title: "제목",
    name: "이름",
    cloud_solution: "클라우드 솔루션",
    auth_type: "인증 유형",
    origin: "출처",
    health: "상태",
    last_check: "마지막 확인",
    select: "선택",
    origin_customer: "고객",
    origin_auto: "자동 생성됨",
    health_healthy: "정상",
    health_unhealthy: "비정상",
    health_unknown: "확인 안 됨",
    jwt_deprecated: "JWT 자격 증명(사용 안 함)",
    auth_oauth: "OAuth",
    auth_jwt: "JWT",
    list_caption: "Adobe IMS 통합 구성",
    no_results: "이 검색과 일치하는 구성이 없습니다.",
    no_configs: "아직 구성이 없습니다. 구성을 만들어 시작하십시오.",
    pagination: "페이지",
    previous: "이전",
    next: "다음",
    of: "/",
    select_hint: "구성을 선택하면 속성을 보거나 상태를 확인하거나 삭제할 수 있습니다.",
    actions: "작업",
    create_heading: "Adobe IMS 구성 만들기",
    create_intro: "Adobe Developer Console의 OAuth 서버 간 자격 증명 세부 정보에 따라 구성을 완료합니다.",
    authorization_server: "인증 서버",
    client_id: "클라이언트 ID",
    client_secret: "클라이언트 암호",
    scopes: "범위",
    org_id: "조직 ID",
    technical_account_id: "기술 계정 ID",
    api_key: "API 키(클라이언트 ID)",
    metascopes: "메타스코프",
    certificate_fingerprint: "인증서 지문(SHA-256)",
    certificate_expiry: "인증서 만료",
    name_hint: "소문자, 숫자, 하이픈만 사용할 수 있습니다. 통합에서 이 이름으로 참조하며 나중에 변경할 수 없습니다.",
    scopes_hint: "Developer Console에 표시된 범위를 쉼표로 구분하여 입력합니다.",
    org_id_hint: "16진수 24자 뒤에 @AdobeOrg가 붙습니다.",
    authorization_server_hint: "Adobe IMS 프로덕션은 https://ims-na1.adobelogin.com입니다.",
    secret_keep_hint: "비워 두면 현재 암호가 유지됩니다. 끝자리:",
    secret_keep_hint_short: "비워 두면 현재 암호가 유지됩니다.",
    secret_keep_jwt_hint: "비워 두면 JWT 자격 증명의 클라이언트 암호를 사용합니다. Developer Console은 자격 증명을 마이그레이션할 때 이 암호를 유지합니다. 저장하기 전에 IMS에서 확인합니다. 끝자리:",
    secret_reenter: "보안을 위해 암호는 유지되지 않았습니다. 다시 입력하십시오.",
    other_solution: "기타",
    other_solution_name: "기타 솔루션 이름",
    dc_json_heading: "Developer Console에서 채우기",
    dc_json_help: "Adobe Developer Console에서 프로젝트를 열고 JSON 다운로드를 선택합니다. 파일을 여기에 붙여넣거나 업로드하면 OAuth 서버 간 자격 증명으로 양식이 채워집니다.",
    dc_json_paste: "프로젝트 JSON",
    dc_json_upload: "JSON 파일 업로드",
    dc_json_fill: "양식 채우기",
    dc_json_filled: "프로젝트 JSON으로 양식을 채웠습니다. 값을 확인한 후 저장하십시오.",
    dc_json_invalid: "OAuth 서버 간 자격 증명이 포함된 Developer Console 프로젝트 JSON이 아닙니다.",
    fix_errors: "아래 표시된 필드를 수정하십시오.",
    required: "필수",
    properties_heading: "속성",
    general: "일반",
    credential: "자격 증명",
    jwt_read_only: "이 구성은 더 이상 사용되지 않는 JWT 자격 증명을 사용합니다. 읽기 전용이며 OAuth로 마이그레이션만 할 수 있습니다.",
    jwt_migrate_hint: "마이그레이션하려면 Developer Console에서 OAuth 서버 간 자격 증명을 만든 다음 인증 유형 드롭다운에서 OAuth를 선택하십시오.",
    migrate_heading: "OAuth 서버 간 세부 정보",
    migrate_intro: "Developer Console의 세부 정보를 사용하여 작성합니다. 클라이언트 ID와 조직 ID는 마이그레이션 후에도 동일하며, 범위는 JWT 메타스코프에서 제안됩니다. 저장 및 닫기를 선택하면 변경 전에 새 자격 증명으로 토큰을 가져와 확인합니다.",
    auto_provisioned_note: "자동 프로비저닝된 JWT 구성은 Adobe에서 자동으로 처리되므로 수동으로 마이그레이션해서는 안 됩니다.",
    switch_auth_type: "전환",
    revision: "개정",
    conflict_heading: "다른 사용자가 이 구성을 변경했습니다",
    conflict_body: "구성을 연 후에 변경되었으므로 변경 내용이 저장되지 않았습니다. 입력한 내용은 아래에 유지됩니다. 현재 값과 비교한 후 다시 저장하십시오.",
    conflict_field: "필드",
    conflict_yours: "입력한 값",
    conflict_theirs: "현재 값",
    verification_failed: "Adobe IMS에서 새 자격 증명을 거부했습니다",
    verification_failed_body: "변경된 내용이 없습니다. 구성은 계속 JWT 자격 증명을 사용합니다. Developer Console의 세부 정보를 확인한 후 다시 시도하십시오.",
    ims_error: "IMS 오류",
    debug_id: "디버그 ID",
    health_result: "상태 확인",
    health_success: "토큰을 성공적으로 가져왔습니다",
    health_failed: "토큰을 가져올 수 없습니다",
    delete_heading: "구성 삭제",
    delete_confirm: "이 구성을 삭제하시겠습니까?",
    delete_warning: "이 구성을 사용하는 통합은 더 이상 액세스 토큰을 받을 수 없습니다. 이 작업은 취소할 수 없습니다.",
    flash_created: "구성을 만들었습니다.",
    flash_saved: "구성을 저장했습니다.",
    flash_migrated: "이제 구성에서 OAuth 서버 간 자격 증명을 사용합니다.",
    flash_deleted: "구성을 삭제했습니다.",
    flash_health_ok: "토큰을 성공적으로 가져왔습니다",
    flash_health_failed: "상태 확인에 실패했습니다",
    flash_unchanged: "변경된 내용이 없습니다.",
    audit_intro: "구성, 사용자, API 토큰에 대한 모든 변경 내용(최신순)입니다.",
    audit_at: "시간",
    audit_actor: "수행자",
    audit_action: "작업",
    audit_target: "대상",
    audit_details: "세부 정보",
    audit_empty: "아직 기록된 내용이 없습니다.",
    audit_no_match: "이 필터와 일치하는 항목이 없습니다.",
    audit_filter: "필터",
    audit_clear: "지우기",
    audit_from: "시작일",
    audit_to: "종료일",
    audit_days_utc: "UTC 기준 날짜입니다.",
    audit_bad_date: "날짜를 YYYY-MM-DD 형식으로 입력하십시오.",
    audit_to_before_from: "종료일은 시작일보다 앞설 수 없습니다.",
    older: "이전 항목",
    newer: "최근 항목",
    users_intro: "이 콘솔에 로그인할 수 있는 사용자입니다. 관리자는 구성을 변경할 수 있고 뷰어는 읽기만 할 수 있습니다.",
    role: "역할",
    role_admin: "관리자",
    role_viewer: "뷰어",
    created: "만든 날짜",
    status: "상태",
    active: "활성",
    disabled: "비활성",
    add_user: "사용자 추가",
    flash_user_added: "사용자를 추가했습니다.",
    flash_user_removed: "사용자를 제거했습니다.",
    flash_user_updated: "사용자를 변경했습니다. 열려 있던 세션은 종료되었습니다.",
    make_admin: "관리자로 지정",
    make_viewer: "뷰어로 지정",
    disable_user: "비활성화",
    enable_user: "활성화",
    tokens_intro: "API 토큰을 사용하면 스크립트와 통합에서 관리 API와 토큰 API를 호출할 수 있습니다.",
    new_token: "새 API 토큰",
    token_name: "토큰 이름",
    token_scope: "범위",
    token_expires: "만료 기간",
    never: "없음",
    token_prefix: "접두사",
    last_used: "마지막 사용",
    revoke: "해지",
    revoked: "해지됨",
    token_once_heading: "지금 새 토큰을 복사하십시오",
    token_once_body: "토큰은 이번 한 번만 표시됩니다. 안전한 곳에 보관하십시오.",
    copy: "복사",
    copied: "복사됨",
    tokens_empty: "API 토큰이 없습니다.",
    flash_token_revoked: "토큰을 해지했습니다.",
    days: "일",
    error_heading: "문제가 발생했습니다",
    not_found: "이 페이지 또는 구성이 존재하지 않습니다.",
    csrf_failed: "양식이 만료되었습니다. 페이지를 새로 고친 후 다시 제출하십시오.",
    back_to_list: "Adobe IMS 통합으로 돌아가기",
    forbidden: "현재 역할로는 이 작업을 수행할 수 없습니다.",
    internal_error: "서버에서 요청을 완료할 수 없습니다. 기록되었으니 나중에 다시 시도하십시오.",
    info: "정보",
    success: "성공",
    warning: "경고",
    error: "오류",
    dismiss: "닫기",
    never_checked: "없음",
    read_only: "읽기 전용",
    details: "세부 정보",
    invalid_value: "올바르지 않은 값입니다:",
    missing_value: "값을 입력하십시오.",
    ims_reason: "이유",
    not_saved: "구성을 저장하지 못했습니다",
    auto_provisioned_heading: "자동 프로비저닝된 구성",
};

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
