//! The console's pages as askama templates: plain data, no logic beyond display. Handlers
//! fill them; `templates/console/*.html` lay them out (auto-escaped).

use askama::Template;

use super::view::{Chrome, FieldView, OptionView};

/// The list's filters, as the form shows them.
#[derive(Clone, Debug, Default)]
pub struct FiltersView {
    /// The search text.
    pub q: String,
    /// Authentication type options.
    pub auth_types: Vec<OptionView>,
    /// Cloud solution options.
    pub solutions: Vec<OptionView>,
    /// Origin options.
    pub origins: Vec<OptionView>,
    /// Health options.
    pub healths: Vec<OptionView>,
    /// Whether any filter or search is set.
    pub active: bool,
}

/// One row of the configuration list.
#[derive(Clone, Debug)]
pub struct RowView {
    /// The configuration id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Name.
    pub name: String,
    /// Cloud solution label.
    pub solution: String,
    /// `oauth` or `jwt`.
    pub auth_key: &'static str,
    /// `OAuth` or `JWT`.
    pub auth_label: &'static str,
    /// Whether it is JWT (shows the deprecation warning).
    pub is_jwt: bool,
    /// Whether it is auto-provisioned (lock, "Auto-provisioned").
    pub is_auto: bool,
    /// `healthy`, `unhealthy` or `unknown`.
    pub health_key: &'static str,
    /// The health label.
    pub health_label: &'static str,
    /// The last check's message.
    pub health_message: String,
    /// When the last check ran, for people.
    pub health_time: String,
    /// When the last check ran, ISO 8601.
    pub health_time_iso: String,
    /// Whether this row is selected.
    pub selected: bool,
}

/// Previous/next links and the range shown.
#[derive(Clone, Debug, Default)]
pub struct PagerView {
    /// "1–50 of 120".
    pub range: String,
    /// The previous page's URL.
    pub prev: Option<String>,
    /// The next page's URL.
    pub next: Option<String>,
}

/// Tools › Security › Adobe IMS Integrations.
#[derive(Template)]
#[template(path = "console/integrations.html")]
pub struct ListPage {
    /// Chrome.
    pub page: Chrome,
    /// Filters.
    pub filters: FiltersView,
    /// Rows of this page.
    pub rows: Vec<RowView>,
    /// The selected row's title.
    pub selected_title: Option<String>,
    /// Paging.
    pub pager: PagerView,
    /// This list's URL, where toolbar actions return to.
    pub back: String,
}

/// An alert above a form.
#[derive(Clone, Debug)]
pub struct AlertView {
    /// `error`, `warning` or `info`.
    pub kind: &'static str,
    /// The element id (tests and links find it by this).
    pub id: &'static str,
    /// Headline.
    pub title: String,
    /// Paragraphs.
    pub messages: Vec<String>,
    /// Label, value and a machine key (`ims_error`, `debug_id`).
    pub details: Vec<(String, String, &'static str)>,
    /// Conflict rows: yours against the current values.
    pub conflict: Vec<ConflictRow>,
    /// The Authentication Type it belongs to (`jwt`, `oauth`), when the form can switch:
    /// the switch shows only that type's alerts. Empty for the rest.
    pub auth: &'static str,
    /// Whether it starts hidden (it belongs to the type not chosen).
    pub hidden: bool,
}

impl AlertView {
    /// An alert with a title.
    pub fn new(kind: &'static str, id: &'static str, title: impl Into<String>) -> Self {
        Self {
            kind,
            id,
            title: title.into(),
            messages: Vec::new(),
            details: Vec::new(),
            conflict: Vec::new(),
            auth: "",
            hidden: false,
        }
    }

    /// Shown only while the Authentication Type is `auth`; `hidden` when it is not now.
    #[must_use]
    pub fn for_auth(mut self, auth: &'static str, hidden: bool) -> Self {
        self.auth = auth;
        self.hidden = hidden;
        self
    }

    /// Adds a paragraph.
    #[must_use]
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.messages.push(m.into());
        self
    }
}

/// A badge beside a heading.
#[derive(Clone, Debug)]
pub struct BadgeView {
    /// Its CSS key (`jwt`, `oauth`, `auto`, `readonly`).
    pub key: &'static str,
    /// What it says.
    pub label: String,
    /// The Authentication Type it belongs to when the form can switch (see
    /// [`AlertView::auth`]); empty for the rest.
    pub auth: &'static str,
    /// Whether it starts hidden.
    pub hidden: bool,
}

impl BadgeView {
    /// A badge that is always shown.
    pub fn new(key: &'static str, label: impl Into<String>) -> Self {
        Self {
            key,
            label: label.into(),
            auth: "",
            hidden: false,
        }
    }

    /// Shown only while the Authentication Type is `auth`; `hidden` when it is not now.
    #[must_use]
    pub fn for_auth(mut self, auth: &'static str, hidden: bool) -> Self {
        self.auth = auth;
        self.hidden = hidden;
        self
    }
}

/// One field of a conflict.
#[derive(Clone, Debug)]
pub struct ConflictRow {
    /// The field's form name.
    pub field: &'static str,
    /// Its label.
    pub label: &'static str,
    /// What the user entered.
    pub yours: String,
    /// What is stored now.
    pub theirs: String,
    /// Whether they differ.
    pub changed: bool,
}

/// The Authentication Type dropdown of Properties.
#[derive(Clone, Debug)]
pub struct AuthSwitchView {
    /// The dropdown (`f-auth_type`).
    pub field: FieldView,
    /// Whether it can be used (a customer JWT configuration).
    pub live: bool,
    /// Where the switch form reloads the page (without JavaScript).
    pub action: String,
}

/// Create and Properties.
#[derive(Template)]
#[template(path = "console/config_form.html")]
pub struct ConfigFormPage {
    /// Chrome.
    pub page: Chrome,
    /// `create`, `edit`, `jwt`, `migrate` or `auto`.
    pub mode: &'static str,
    /// The configuration id (empty on Create).
    pub id: String,
    /// Heading.
    pub heading: String,
    /// Last breadcrumb.
    pub crumb: String,
    /// Introductory text.
    pub intro: String,
    /// Badges beside the heading.
    pub badges: Vec<BadgeView>,
    /// Revision and last change, small.
    pub meta: String,
    /// Where the form posts.
    pub action: String,
    /// The revision the form was read at.
    pub revision: String,
    /// Error summary: (field, label, message).
    pub errors: Vec<(&'static str, &'static str, String)>,
    /// Alerts.
    pub alerts: Vec<AlertView>,
    /// General fields.
    pub general: Vec<FieldView>,
    /// The Authentication Type dropdown.
    pub auth_switch: Option<AuthSwitchView>,
    /// The read-only JWT credential fields.
    pub jwt_fields: Vec<FieldView>,
    /// The OAuth credential fields.
    pub credential: Vec<FieldView>,
    /// The Developer Console ids and rotation period (Create and OAuth Properties).
    pub console_fields: Vec<FieldView>,
    /// The credential's secrets and Rotate Secret (Properties of an OAuth configuration).
    pub secrets: Option<super::integrations::SecretsPanel>,
    /// Whether the OAuth fields are shown (always on Create and for OAuth).
    pub migration_visible: bool,
    /// Whether to offer the Developer Console JSON.
    pub show_dc_json: bool,
    /// Whether that section starts open.
    pub dc_json_open: bool,
    /// What was wrong with the JSON.
    pub dc_json_error: Option<String>,
    /// The submit button's label; empty for none.
    pub submit_label: String,
    /// Whether the submit button starts enabled.
    pub submit_enabled: bool,
    /// The "Save without verifying" button's label; empty when this server requires
    /// verification or the form saves no OAuth credential of its own (Create and
    /// Properties of an OAuth configuration only).
    pub save_unverified_label: String,
}

/// Delete confirmation.
#[derive(Template)]
#[template(path = "console/delete.html")]
pub struct DeletePage {
    /// Chrome.
    pub page: Chrome,
    /// Configuration id.
    pub id: String,
    /// Revision read.
    pub revision: String,
    /// Title.
    pub title: String,
    /// Name.
    pub name: String,
    /// Solution.
    pub solution: String,
    /// Auth type label.
    pub auth_label: &'static str,
}

/// Sign in.
#[derive(Template)]
#[template(path = "console/login.html")]
pub struct LoginPage {
    /// Chrome (no user).
    pub page: Chrome,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The user name typed.
    pub username: String,
    /// Where to go after signing in.
    pub next: String,
    /// Single sign-on's button, when it is configured.
    pub sso: Option<super::sso::SsoLogin>,
}

/// An error.
#[derive(Template)]
#[template(path = "console/error.html")]
pub struct ErrorPage {
    /// Chrome.
    pub page: Chrome,
    /// What went wrong.
    pub message: String,
}

/// One audit entry.
#[derive(Clone, Debug)]
pub struct AuditRowView {
    /// When, for people.
    pub at: String,
    /// When, ISO 8601.
    pub at_iso: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub target: String,
    /// Details (JSON, without secrets: the store never records them).
    pub details: String,
}

/// The audit trail.
#[derive(Template)]
#[template(path = "console/audit.html")]
pub struct AuditPage {
    /// Chrome.
    pub page: Chrome,
    /// Entries, newest first.
    pub entries: Vec<AuditRowView>,
    /// Paging.
    pub pager: PagerView,
    /// The filter form's fields.
    pub filters: Vec<FieldView>,
    /// Whether any filter is set.
    pub filtered: bool,
}

/// One user.
#[derive(Clone, Debug)]
pub struct UserRowView {
    /// Id.
    pub id: String,
    /// Name.
    pub username: String,
    /// Role label.
    pub role: &'static str,
    /// Whether the role is admin.
    pub is_admin: bool,
    /// Whether disabled.
    pub disabled: bool,
    /// Created, for people.
    pub created: String,
    /// Created, ISO 8601.
    pub created_iso: String,
    /// Whether it is the signed-in user (cannot remove themself).
    pub is_self: bool,
    /// How they sign in: password, password (break-glass) or single sign-on.
    pub sign_in: &'static str,
    /// Whether they are a break-glass user.
    pub break_glass: bool,
}

/// Users (admins).
#[derive(Template)]
#[template(path = "console/users.html")]
pub struct UsersPage {
    /// Chrome.
    pub page: Chrome,
    /// Users.
    pub users: Vec<UserRowView>,
    /// The add-user form.
    pub fields: Vec<FieldView>,
    /// The sign-in column's heading.
    pub sign_in_column: &'static str,
}

/// One API token.
#[derive(Clone, Debug)]
pub struct TokenRowView {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// Public prefix.
    pub prefix: String,
    /// Scope.
    pub scope: String,
    /// Created.
    pub created: String,
    /// Last used.
    pub last_used: String,
    /// Whether revoked.
    pub revoked: bool,
}

/// API tokens (admins).
#[derive(Template)]
#[template(path = "console/tokens.html")]
pub struct TokensPage {
    /// Chrome.
    pub page: Chrome,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    /// Tokens.
    pub tokens: Vec<TokenRowView>,
    /// The new-token form.
    pub fields: Vec<FieldView>,
}
