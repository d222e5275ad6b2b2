//! Tools › Security › Adobe IMS Integrations: the list, Create, Properties (OAuth editable,
//! JWT read-only with the Authentication Type switch), Save & Close, Check Health, Delete.
//!
//! Changes are made by the admin API's handlers and the shared migration function; this file
//! only turns forms into their inputs and their errors back into forms.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, Credentials, HealthStatus,
    IntegrationConfig, MigrationActor, Name, OrgId, Origin, Revision, RuleError, Scopes,
    SecretString, TechnicalAccountId, Title, secret_hint,
};
use imsbridge_store::{ConfigFilter, ConfigSummary, HealthFilter, PageRequest};
use serde::Deserialize;

use super::flash::Flash;
use super::i18n::Texts;
use super::pages::{
    AlertView, AuthSwitchView, ConfigFormPage, ConflictRow, DeletePage, FiltersView, ListPage,
    PagerView, RowView,
};
use super::view::{FieldView, OptionView, encode_query, format_time, is_local_path, iso_time};
use super::{Console, see_other, see_other_with};
use crate::api::StringList;
use crate::api::integrations::{
    self as api, CreateIntegration, OAuthDefaults, OAuthInput, UpdateIntegration,
};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::migration::{self, MigrationError, MigrationRequest};
use crate::project_json;
use crate::state::AppState;

/// Rows per page of the list.
const PAGE_SIZE: u32 = 50;

// ---------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------

/// The list's query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    auth_type: Option<String>,
    solution: Option<String>,
    origin: Option<String>,
    health: Option<String>,
    page: Option<u64>,
    selected: Option<String>,
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl ListQuery {
    /// The store filter; unknown values are ignored rather than refused (a hand-edited URL
    /// shows everything instead of an error).
    fn filter(&self) -> ConfigFilter {
        ConfigFilter {
            auth_type: non_empty(self.auth_type.as_ref()).and_then(|a| AuthType::parse(a).ok()),
            cloud_solution: non_empty(self.solution.as_ref())
                .filter(|s| *s == "other" || CloudSolution::KNOWN.iter().any(|k| k.key() == *s))
                .map(str::to_owned),
            origin: non_empty(self.origin.as_ref()).and_then(|o| Origin::parse(o).ok()),
            health: match non_empty(self.health.as_ref()) {
                Some("healthy") => Some(HealthFilter::Healthy),
                Some("unhealthy") => Some(HealthFilter::Unhealthy),
                Some("unchecked") => Some(HealthFilter::Unchecked),
                _ => None,
            },
            search: non_empty(self.q.as_ref())
                .filter(|q| q.chars().count() <= 128 && !q.chars().any(char::is_control))
                .map(str::to_owned),
        }
    }

    /// The list URL with these filters and page `page`.
    fn url(&self, page: u64) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", &self.q),
            ("auth_type", &self.auth_type),
            ("solution", &self.solution),
            ("origin", &self.origin),
            ("health", &self.health),
        ] {
            if let Some(v) = non_empty(value.as_ref()) {
                parts.push(format!("{key}={}", encode_query(v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/console/integrations".to_owned()
        } else {
            format!("/console/integrations?{}", parts.join("&"))
        }
    }
}

fn auth_label(t: &Texts, auth: AuthType) -> &'static str {
    match auth {
        AuthType::OAuth => t.auth_oauth,
        AuthType::Jwt => t.auth_jwt,
    }
}

fn row(t: &Texts, s: &ConfigSummary, selected: Option<&str>) -> RowView {
    let (health_key, health_label) = match s.health.as_ref().map(|h| h.status) {
        Some(HealthStatus::Healthy) => ("healthy", t.health_healthy),
        Some(HealthStatus::Unhealthy) => ("unhealthy", t.health_unhealthy),
        None => ("unknown", t.health_unknown),
    };
    RowView {
        id: s.id.to_string(),
        title: s.title.to_string(),
        name: s.name.to_string(),
        solution: s.cloud_solution.label().to_owned(),
        auth_key: s.auth_type.key(),
        auth_label: auth_label(t, s.auth_type),
        is_jwt: s.auth_type == AuthType::Jwt,
        is_auto: s.origin == Origin::AutoProvisioned,
        health_key,
        health_label,
        health_message: s
            .health
            .as_ref()
            .map(|h| h.message.clone())
            .unwrap_or_default(),
        health_time: s
            .health
            .as_ref()
            .map(|h| format_time(h.checked_at))
            .unwrap_or_default(),
        health_time_iso: s
            .health
            .as_ref()
            .map(|h| iso_time(h.checked_at))
            .unwrap_or_default(),
        selected: selected == Some(s.name.as_str()),
    }
}

fn filters_view(t: &Texts, q: &ListQuery) -> FiltersView {
    let cur = |v: &Option<String>| non_empty(v.as_ref()).unwrap_or("").to_owned();
    let auth = cur(&q.auth_type);
    let solution = cur(&q.solution);
    let origin = cur(&q.origin);
    let health = cur(&q.health);
    let mut solutions = vec![OptionView::new("", t.all, &solution)];
    solutions.extend(
        CloudSolution::KNOWN
            .iter()
            .map(|s| OptionView::new(s.key(), s.label(), &solution)),
    );
    solutions.push(OptionView::new("other", t.other_solution, &solution));
    FiltersView {
        q: cur(&q.q),
        auth_types: vec![
            OptionView::new("", t.all, &auth),
            OptionView::new("oauth", t.auth_oauth, &auth),
            OptionView::new("jwt", t.auth_jwt, &auth),
        ],
        solutions,
        origins: vec![
            OptionView::new("", t.all, &origin),
            OptionView::new("customer", t.origin_customer, &origin),
            OptionView::new("auto-provisioned", t.origin_auto, &origin),
        ],
        healths: vec![
            OptionView::new("", t.all, &health),
            OptionView::new("healthy", t.health_healthy, &health),
            OptionView::new("unhealthy", t.health_unhealthy, &health),
            OptionView::new("unchecked", t.health_unknown, &health),
        ],
        active: [&q.q, &q.auth_type, &q.solution, &q.origin, &q.health]
            .iter()
            .any(|v| non_empty(v.as_ref()).is_some()),
    }
}

/// `GET /console/integrations`: one page of the store's paged list (never all of it).
pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<ListQuery>,
) -> Response {
    let t = console.t();
    let page_no = q.page.unwrap_or(1).max(1);
    let request = PageRequest {
        offset: (page_no - 1).saturating_mul(u64::from(PAGE_SIZE)),
        limit: PAGE_SIZE,
    };
    let page = match state.store.list_configs(&q.filter(), request).await {
        Ok(page) => page,
        Err(e) => return console.api_error_page(&ApiError::from(e)),
    };
    let selected = non_empty(q.selected.as_ref());
    let rows: Vec<RowView> = page.items.iter().map(|s| row(t, s, selected)).collect();
    let selected_title = rows.iter().find(|r| r.selected).map(|r| r.title.clone());
    let first = page.offset + 1;
    let last = page.offset + page.items.len() as u64;
    let pager = PagerView {
        range: if page.items.is_empty() {
            format!("0 {} {}", t.of, page.total)
        } else {
            format!("{first}–{last} {} {}", t.of, page.total)
        },
        prev: (page_no > 1).then(|| q.url(page_no - 1)),
        next: page.has_more().then(|| q.url(page_no + 1)),
    };
    let flash = console.flash_view(&state).await;
    let view = ListPage {
        page: console
            .chrome("integrations")
            .titled(t.ims_integrations)
            .with_flash(flash),
        filters: filters_view(t, &q),
        rows,
        selected_title,
        pager,
        back: q.url(page_no),
    };
    console.page(&view)
}

/// The toolbar form of the list.
#[derive(Debug, Deserialize)]
pub struct SelectionForm {
    csrf_token: Option<String>,
    action: Option<String>,
    id: Option<String>,
    back: Option<String>,
}

/// `back` (a list URL) with `selected=<name>`.
fn back_to(back: Option<&str>, name: Option<&str>) -> String {
    let back = back
        .filter(|b| is_local_path(b) && b.starts_with("/console/integrations"))
        .unwrap_or("/console/integrations");
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("selected="))
        .map(str::to_owned)
        .collect();
    if let Some(name) = name {
        parts.push(format!("selected={}", encode_query(name)));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// `POST /console/integrations/_selection`: the toolbar's Properties, Check Health and
/// Delete for the selected row (so that selection works without JavaScript).
pub async fn selection(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<SelectionForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let Some(name) = form.id.as_deref().and_then(|n| Name::parse(n).ok()) else {
        return see_other_with(&back_to(form.back.as_deref(), None), &Flash::SelectFirst);
    };
    match form.action.as_deref() {
        Some("health") => run_health(&state, &console, &name, form.back.as_deref()).await,
        Some("delete") => see_other(&format!("/console/integrations/{name}/delete")),
        _ => see_other(&format!("/console/integrations/{name}")),
    }
}

async fn run_health(
    state: &AppState,
    console: &Console,
    name: &Name,
    back: Option<&str>,
) -> Response {
    match crate::api::tokens::health(
        State(state.clone()),
        console.caller.clone(),
        Path(name.to_string()),
    )
    .await
    {
        Ok(_) => see_other_with(
            &back_to(back, Some(name.as_str())),
            &Flash::Health(name.to_string()),
        ),
        Err(e) => console.api_error_page(&e),
    }
}

/// The Check Health form.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf_token: Option<String>,
    back: Option<String>,
}

/// `POST /console/integrations/{name}/health`.
pub async fn check_health(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    match Name::parse(&raw) {
        Ok(name) => run_health(&state, &console, &name, form.back.as_deref()).await,
        Err(_) => console.error_page(StatusCode::NOT_FOUND, console.t().not_found.to_owned()),
    }
}

// ---------------------------------------------------------------------------------------
// Form input
// ---------------------------------------------------------------------------------------

/// What a configuration form posted. The secret is kept as a secret and never rendered.
#[derive(Default)]
struct Input {
    csrf_token: Option<String>,
    mode: String,
    revision: String,
    cloud_solution: String,
    other_solution: String,
    title: String,
    name: String,
    authorization_server: String,
    client_id: String,
    client_secret: Option<SecretString>,
    scopes: String,
    org_id: String,
    technical_account_id: String,
    project_json: String,
}

impl Input {
    /// Reads the multipart form (text fields and the uploaded project JSON file).
    async fn read(mut multipart: Multipart) -> Result<Self, String> {
        let mut input = Self::default();
        while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
            let name = field.name().unwrap_or("").to_owned();
            let text = field.text().await.map_err(|e| e.body_text())?;
            match name.as_str() {
                "csrf_token" => input.csrf_token = Some(text),
                "mode" => input.mode = text,
                "revision" => input.revision = text,
                "cloud_solution" => input.cloud_solution = text,
                "other_solution" => input.other_solution = text,
                "title" => input.title = text,
                "name" => input.name = text,
                "authorization_server" => input.authorization_server = text,
                "client_id" => input.client_id = text,
                "client_secret" if !text.is_empty() => {
                    input.client_secret = Some(SecretString::from(text));
                }
                "scopes" => input.scopes = text,
                "org_id" => input.org_id = text,
                "technical_account_id" => input.technical_account_id = text,
                "project_json" | "project_file" if !text.trim().is_empty() => {
                    input.project_json = text;
                }
                _ => {}
            }
        }
        Ok(input)
    }

    /// The values a configuration shows, as a form would post them.
    fn of_config(config: &IntegrationConfig) -> Self {
        let (solution, other) = solution_parts(&config.cloud_solution);
        let mut input = Self {
            mode: String::new(),
            revision: config.revision.to_string(),
            cloud_solution: solution,
            other_solution: other,
            title: config.title.to_string(),
            name: config.name.to_string(),
            authorization_server: config.authorization_server.to_string(),
            client_id: config.client_id().to_string(),
            org_id: config.org_id().to_string(),
            ..Self::default()
        };
        if let Credentials::OAuth(o) = &config.credentials {
            input.scopes = o.scopes.to_string();
            input.technical_account_id = o
                .technical_account_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
        }
        input
    }

    /// The solution the form names (`other` takes its name from `other_solution`).
    fn solution(&self) -> Result<CloudSolution, (&'static str, imsbridge_domain::ParseError)> {
        if self.cloud_solution.trim() == "other" {
            CloudSolution::parse(&self.other_solution).map_err(|e| ("other_solution", e))
        } else {
            CloudSolution::parse(&self.cloud_solution).map_err(|e| ("cloud_solution", e))
        }
    }
}

fn solution_parts(s: &CloudSolution) -> (String, String) {
    match s {
        CloudSolution::Other(name) => ("other".to_owned(), name.clone()),
        known => (known.key().to_owned(), String::new()),
    }
}

/// Field errors, by form field name.
type Errors = HashMap<&'static str, String>;

/// A field's problem in the page language. The domain's message says what is wrong and
/// gives an example; Korean pages put a Korean lead before it.
fn problem_text(t: &Texts, message: &str, field: &str) -> String {
    let detail = message
        .strip_prefix(field)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(message);
    if t.invalid_value.starts_with("This") {
        let mut d = detail.to_owned();
        if let Some(first) = d.get(0..1) {
            d.replace_range(0..1, &first.to_uppercase());
        }
        d
    } else {
        format!("{} {detail}", t.invalid_value)
    }
}

const FORM_FIELDS: [&str; 11] = [
    "cloud_solution",
    "other_solution",
    "title",
    "name",
    "authorization_server",
    "client_id",
    "client_secret",
    "scopes",
    "org_id",
    "technical_account_id",
    "project_json",
];

fn field_key(field: &str) -> Option<&'static str> {
    FORM_FIELDS.iter().copied().find(|f| *f == field)
}

fn record(errors: &mut Errors, t: &Texts, field: &'static str, e: &imsbridge_domain::ParseError) {
    errors
        .entry(field)
        .or_insert_with(|| problem_text(t, &e.to_string(), e.field));
}

/// Records an API error against its field; `Err` if it names none of the form's fields.
fn record_api(errors: &mut Errors, t: &Texts, e: &ApiError) -> Result<(), ApiError> {
    match e.body().field.as_deref().and_then(field_key) {
        Some(field) => {
            errors
                .entry(field)
                .or_insert_with(|| problem_text(t, &e.body().message, field));
            Ok(())
        }
        None => Err(e.clone()),
    }
}

/// Checks every OAuth field with the domain's parsers, so that all errors show at once.
fn check_oauth_fields(t: &Texts, input: &Input, errors: &mut Errors, secret_required: bool) {
    let required = |errors: &mut Errors, field: &'static str, value: &str| {
        if value.trim().is_empty() {
            errors
                .entry(field)
                .or_insert_with(|| t.missing_value.to_owned());
            false
        } else {
            true
        }
    };
    if required(errors, "client_id", &input.client_id)
        && let Err(e) = ClientId::parse(&input.client_id)
    {
        record(errors, t, "client_id", &e);
    }
    match &input.client_secret {
        Some(secret) => {
            if let Err(e) = api::check_secret(secret) {
                let _ = record_api(errors, t, &e);
            }
        }
        None if secret_required => {
            errors
                .entry("client_secret")
                .or_insert_with(|| t.missing_value.to_owned());
        }
        None => {}
    }
    if required(errors, "scopes", &input.scopes)
        && let Err(e) = Scopes::parse(&input.scopes)
    {
        record(errors, t, "scopes", &e);
    }
    if required(errors, "org_id", &input.org_id)
        && let Err(e) = OrgId::parse(&input.org_id)
    {
        record(errors, t, "org_id", &e);
    }
    if !input.technical_account_id.trim().is_empty()
        && let Err(e) = TechnicalAccountId::parse(&input.technical_account_id)
    {
        record(errors, t, "technical_account_id", &e);
    }
}

fn check_general_fields(t: &Texts, input: &Input, errors: &mut Errors, with_name: bool) {
    if let Err((field, e)) = input.solution() {
        if input.other_solution.trim().is_empty() && field == "other_solution" {
            errors
                .entry(field)
                .or_insert_with(|| t.missing_value.to_owned());
        } else {
            record(errors, t, field, &e);
        }
    }
    if input.title.trim().is_empty() {
        errors
            .entry("title")
            .or_insert_with(|| t.missing_value.to_owned());
    } else if let Err(e) = Title::parse(&input.title) {
        record(errors, t, "title", &e);
    }
    if with_name {
        if input.name.trim().is_empty() {
            errors
                .entry("name")
                .or_insert_with(|| t.missing_value.to_owned());
        } else if let Err(e) = Name::parse(&input.name) {
            record(errors, t, "name", &e);
        }
    }
    if !input.authorization_server.trim().is_empty()
        && let Err(e) = AuthorizationServer::parse(&input.authorization_server)
    {
        record(errors, t, "authorization_server", &e);
    }
}

/// Fills empty fields from a pasted or uploaded Developer Console project JSON, with the
/// server's own reader of that file.
fn apply_project_json(t: &Texts, input: &mut Input, errors: &mut Errors) {
    if input.project_json.trim().is_empty() {
        return;
    }
    let parsed = serde_json::from_str::<serde_json::Value>(&input.project_json)
        .map_err(|e| format!("project_json: {e}"))
        .and_then(|v| {
            let wanted = ClientId::parse(&input.client_id).ok();
            project_json::parse(&v, wanted.as_ref()).map_err(|e| e.to_string())
        });
    // The JSON holds the secret: it is never sent back to the page.
    input.project_json.clear();
    match parsed {
        Ok(p) => {
            let fill = |field: &mut String, value: String| {
                if field.trim().is_empty() {
                    *field = value;
                }
            };
            fill(&mut input.client_id, p.client_id.to_string());
            fill(&mut input.scopes, p.scopes.to_string());
            fill(&mut input.org_id, p.org_id.to_string());
            if let Some(ta) = p.technical_account_id {
                fill(&mut input.technical_account_id, ta.to_string());
            }
            if let Some(title) = p.project_title {
                fill(&mut input.title, title);
            }
            if input.client_secret.is_none() {
                input.client_secret = p.client_secrets.into_iter().next();
            }
        }
        Err(problem) => {
            errors.insert(
                "project_json",
                format!(
                    "{} {}",
                    t.dc_json_invalid,
                    problem_text(t, &problem, "project_json")
                ),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The form page
// ---------------------------------------------------------------------------------------

/// What the form page is about to show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Create (OAuth only).
    Create,
    /// Properties of an OAuth configuration.
    Edit,
    /// Properties of a JWT configuration: read-only.
    Jwt,
    /// A JWT configuration with OAuth chosen in Authentication Type.
    Migrate,
    /// An auto-provisioned JWT configuration: read-only, nothing to migrate.
    Auto,
}

impl Mode {
    fn key(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Edit => "edit",
            Self::Jwt => "jwt",
            Self::Migrate => "migrate",
            Self::Auto => "auto",
        }
    }

    fn of(config: &IntegrationConfig, want_oauth: bool) -> Self {
        match (config.auth_type(), config.origin) {
            (AuthType::OAuth, _) => Self::Edit,
            (AuthType::Jwt, Origin::AutoProvisioned) => Self::Auto,
            (AuthType::Jwt, Origin::Customer) if want_oauth => Self::Migrate,
            (AuthType::Jwt, Origin::Customer) => Self::Jwt,
        }
    }
}

fn solution_options(t: &Texts, current: &str) -> Vec<OptionView> {
    let mut options: Vec<OptionView> = CloudSolution::KNOWN
        .iter()
        .map(|s| OptionView::new(s.key(), s.label(), current))
        .collect();
    options.push(OptionView::new("other", t.other_solution, current));
    options
}

struct FormParts<'a> {
    console: &'a Console,
    mode: Mode,
    config: Option<&'a IntegrationConfig>,
    input: &'a Input,
    errors: Errors,
    alerts: Vec<AlertView>,
    /// The posted secret was dropped (an error), so ask for it again.
    secret_dropped: bool,
    dc_json_open: bool,
}

fn build_form(parts: FormParts<'_>) -> ConfigFormPage {
    let FormParts {
        console,
        mode,
        config,
        input,
        mut errors,
        alerts,
        secret_dropped,
        dc_json_open,
    } = parts;
    let t = console.t();
    let err = |errors: &mut Errors, f: &'static str| errors.remove(f);
    let general_disabled = matches!(mode, Mode::Jwt | Mode::Migrate | Mode::Auto);

    // The error summary lists errors in form order, each linking to its field.
    let label_of = |f: &str| -> &'static str {
        match f {
            "cloud_solution" => t.cloud_solution,
            "other_solution" => t.other_solution_name,
            "title" => t.title,
            "name" => t.name,
            "authorization_server" => t.authorization_server,
            "client_id" => t.client_id,
            "client_secret" => t.client_secret,
            "scopes" => t.scopes,
            "org_id" => t.org_id,
            "technical_account_id" => t.technical_account_id,
            _ => t.dc_json_paste,
        }
    };
    let summary: Vec<(&'static str, &'static str, String)> = FORM_FIELDS
        .iter()
        .filter_map(|f| errors.get(f).map(|m| (*f, label_of(f), m.clone())))
        .collect();

    let mut general = vec![
        FieldView::select(
            t,
            "cloud_solution",
            t.cloud_solution,
            solution_options(t, &input.cloud_solution),
        )
        .required()
        .disabled(general_disabled)
        .error(err(&mut errors, "cloud_solution")),
    ];
    if !general_disabled || input.cloud_solution == "other" {
        general.push(
            FieldView::text(
                t,
                "other_solution",
                t.other_solution_name,
                input.other_solution.clone(),
            )
            .disabled(general_disabled)
            .error(err(&mut errors, "other_solution")),
        );
    }
    general.push(
        FieldView::text(t, "title", t.title, input.title.clone())
            .required()
            .disabled(general_disabled)
            .error(err(&mut errors, "title")),
    );
    general.push(
        FieldView::text(t, "name", t.name, input.name.clone())
            .required()
            .mono()
            .disabled(mode != Mode::Create)
            .hint(if mode == Mode::Create {
                t.name_hint
            } else {
                ""
            })
            .error(err(&mut errors, "name")),
    );
    general.push(
        FieldView::text(
            t,
            "authorization_server",
            t.authorization_server,
            if input.authorization_server.is_empty() {
                imsbridge_domain::DEFAULT_AUTHORIZATION_SERVER.to_owned()
            } else {
                input.authorization_server.clone()
            },
        )
        .required()
        .mono()
        .disabled(general_disabled)
        .hint(if general_disabled {
            ""
        } else {
            t.authorization_server_hint
        })
        .error(err(&mut errors, "authorization_server")),
    );

    // Authentication Type: live only on a customer's JWT configuration.
    let auth_current = if matches!(mode, Mode::Jwt | Mode::Auto) {
        "jwt"
    } else {
        "oauth"
    };
    let auth_options = match mode {
        Mode::Jwt | Mode::Migrate => vec![
            OptionView::new("jwt", t.auth_jwt, auth_current),
            OptionView::new("oauth", t.auth_oauth, auth_current),
        ],
        Mode::Auto => vec![OptionView::new("jwt", t.auth_jwt, auth_current)],
        Mode::Create | Mode::Edit => vec![OptionView::new("oauth", t.auth_oauth, auth_current)],
    };
    let live = matches!(mode, Mode::Jwt | Mode::Migrate);
    let name = config.map(|c| c.name.to_string()).unwrap_or_default();
    let auth_switch = AuthSwitchView {
        field: FieldView::select(t, "auth_type", t.auth_type, auth_options)
            .disabled(!live)
            .in_form(if live { "switch-form" } else { "" }),
        live,
        action: format!("/console/integrations/{name}"),
    };

    // The JWT credential, read-only; never its key or secret.
    let mut jwt_fields = Vec::new();
    if let Some(Credentials::Jwt(jwt)) = config.map(|c| &c.credentials) {
        jwt_fields = vec![
            FieldView::text(t, "api_key", t.api_key, jwt.api_key.to_string())
                .mono()
                .disabled(true),
            FieldView::text(t, "jwt_org_id", t.org_id, jwt.org_id.to_string())
                .mono()
                .disabled(true),
            FieldView::text(
                t,
                "jwt_technical_account_id",
                t.technical_account_id,
                jwt.technical_account_id.to_string(),
            )
            .mono()
            .disabled(true),
            FieldView::text(t, "metascopes", t.metascopes, jwt.metascopes.to_string())
                .mono()
                .disabled(true),
            FieldView::text(
                t,
                "certificate_fingerprint",
                t.certificate_fingerprint,
                jwt.certificate.fingerprint().to_owned(),
            )
            .mono()
            .wide()
            .disabled(true),
            FieldView::text(
                t,
                "certificate_expiry",
                t.certificate_expiry,
                format_time(jwt.certificate.not_after()),
            )
            .disabled(true),
        ];
    }

    // The OAuth credential: editable on Create, Edit and Migrate (hidden until chosen on a
    // JWT configuration); absent on an auto-provisioned one, which offers nothing to migrate.
    let mut credential = Vec::new();
    if mode != Mode::Auto {
        let stored_hint = match config.map(|c| &c.credentials) {
            Some(Credentials::OAuth(o)) => Some(secret_hint(&o.client_secret)),
            _ => None,
        };
        let secret_hint_text = match (secret_dropped, stored_hint, mode) {
            (true, _, _) => t.secret_reenter.to_owned(),
            (false, _, Mode::Migrate | Mode::Jwt) => {
                let last4 = config
                    .and_then(api::jwt_client_secret)
                    .and_then(|s| secret_hint(&s))
                    .unwrap_or_default();
                format!("{} …{last4}", t.secret_keep_jwt_hint)
            }
            (false, Some(Some(last4)), _) => format!("{} …{last4}", t.secret_keep_hint),
            (false, Some(None), _) => t.secret_keep_hint_short.to_owned(),
            (false, None, _) => String::new(),
        };
        let mut secret = FieldView::secret(t, "client_secret", t.client_secret)
            .hint(secret_hint_text)
            .error(err(&mut errors, "client_secret"));
        // Editing keeps the stored secret and migrating the JWT credential's when left empty.
        if mode == Mode::Create {
            secret = secret.required();
        }
        credential = vec![
            FieldView::text(t, "client_id", t.client_id, input.client_id.clone())
                .required()
                .mono()
                .error(err(&mut errors, "client_id")),
            secret,
            FieldView::text(t, "scopes", t.scopes, input.scopes.clone())
                .required()
                .mono()
                .wide()
                .hint(t.scopes_hint)
                .error(err(&mut errors, "scopes")),
            FieldView::text(t, "org_id", t.org_id, input.org_id.clone())
                .required()
                .mono()
                .hint(t.org_id_hint)
                .error(err(&mut errors, "org_id")),
        ];
        if mode == Mode::Migrate || mode == Mode::Jwt {
            credential.push(
                FieldView::text(
                    t,
                    "technical_account_id",
                    t.technical_account_id,
                    input.technical_account_id.clone(),
                )
                .mono()
                .disabled(true),
            );
        }
    }

    let (heading, crumb, intro) = match (mode, config) {
        (Mode::Create, _) | (_, None) => (
            t.create_heading.to_owned(),
            t.create.to_owned(),
            t.create_intro.to_owned(),
        ),
        (_, Some(c)) => (c.title.to_string(), t.properties.to_owned(), String::new()),
    };
    let mut badges = Vec::new();
    if let Some(c) = config {
        badges.push((c.auth_type().key(), auth_label(t, c.auth_type()).to_owned()));
        if c.origin == Origin::AutoProvisioned {
            badges.push(("auto", t.origin_auto.to_owned()));
        }
        if c.is_deprecated() {
            badges.push(("readonly", t.read_only.to_owned()));
        }
    }
    let meta = config.map_or_else(String::new, |c| {
        format!(
            "{} {} · {}",
            t.revision,
            c.revision,
            format_time(c.updated_at)
        )
    });

    let (submit_label, submit_enabled) = match mode {
        Mode::Create => (t.save.to_owned(), true),
        Mode::Edit | Mode::Migrate => (t.save_close.to_owned(), true),
        Mode::Jwt => (t.save_close.to_owned(), false),
        Mode::Auto => (String::new(), false),
    };
    let dc_json_error = err(&mut errors, "project_json");
    ConfigFormPage {
        page: console
            .chrome("integrations")
            .titled(format!("{heading} · {}", t.ims_integrations)),
        mode: mode.key(),
        id: name.clone(),
        heading,
        crumb,
        intro,
        badges,
        meta,
        action: if mode == Mode::Create {
            "/console/integrations".to_owned()
        } else {
            format!("/console/integrations/{name}")
        },
        revision: if mode == Mode::Create {
            String::new()
        } else {
            input.revision.clone()
        },
        errors: summary,
        alerts,
        general,
        auth_switch: Some(auth_switch),
        jwt_fields,
        credential,
        migration_visible: matches!(mode, Mode::Create | Mode::Edit | Mode::Migrate),
        show_dc_json: matches!(mode, Mode::Create | Mode::Migrate | Mode::Jwt),
        dc_json_open: dc_json_open || dc_json_error.is_some(),
        dc_json_error,
        submit_label,
        submit_enabled,
    }
}

/// The standing notes of a JWT configuration.
fn jwt_alerts(t: &Texts, mode: Mode) -> Vec<AlertView> {
    match mode {
        Mode::Jwt => vec![
            AlertView::new("warning", "jwt-read-only", t.jwt_deprecated)
                .message(t.jwt_read_only)
                .message(t.jwt_migrate_hint),
        ],
        Mode::Migrate => vec![
            AlertView::new("warning", "jwt-read-only", t.jwt_deprecated).message(t.jwt_read_only),
        ],
        Mode::Auto => vec![
            AlertView::new("info", "auto-provisioned-note", t.auto_provisioned_heading)
                .message(t.auto_provisioned_note),
        ],
        Mode::Create | Mode::Edit => Vec::new(),
    }
}

fn form_response(console: &Console, status: StatusCode, page: &ConfigFormPage) -> Response {
    let mut response = console.page(page);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

// ---------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------

/// `GET /console/integrations/_new`.
pub async fn new_form(console: Console) -> Response {
    if !console.caller.principal.is_admin() {
        return console.error_page(StatusCode::FORBIDDEN, console.t().forbidden.to_owned());
    }
    let input = Input {
        cloud_solution: "target".to_owned(),
        authorization_server: imsbridge_domain::DEFAULT_AUTHORIZATION_SERVER.to_owned(),
        ..Input::default()
    };
    let page = build_form(FormParts {
        console: &console,
        mode: Mode::Create,
        config: None,
        input: &input,
        errors: Errors::new(),
        alerts: Vec::new(),
        secret_dropped: false,
        dc_json_open: false,
    });
    console.page(&page)
}

/// `POST /console/integrations`: Create → the API's create.
pub async fn create(
    State(state): State<AppState>,
    console: Console,
    multipart: Multipart,
) -> Response {
    let t = console.t();
    let mut input = match Input::read(multipart).await {
        Ok(input) => input,
        Err(e) => return console.error_page(StatusCode::BAD_REQUEST, e),
    };
    if let Err(refused) = console.check_csrf(input.csrf_token.as_deref()) {
        return refused;
    }
    let mut errors = Errors::new();
    let had_json = !input.project_json.trim().is_empty();
    apply_project_json(t, &mut input, &mut errors);
    if input.name.trim().is_empty()
        && let Some(slug) = Name::slugify(&input.title)
    {
        input.name = slug.to_string();
    }
    check_general_fields(t, &input, &mut errors, true);
    check_oauth_fields(t, &input, &mut errors, true);

    let mut alerts = Vec::new();
    if errors.is_empty() {
        let body = CreateIntegration {
            name: input.name.trim().to_owned(),
            title: Some(input.title.clone()),
            cloud_solution: match input.solution() {
                Ok(s) => s.to_stored(),
                Err(_) => input.cloud_solution.clone(),
            },
            authorization_server: Some(input.authorization_server.clone())
                .filter(|s| !s.trim().is_empty()),
            auth_type: Some("oauth".to_owned()),
            client_id: Some(input.client_id.clone()),
            client_secret: input.client_secret.clone(),
            scopes: Some(StringList::One(input.scopes.clone())),
            org_id: Some(input.org_id.clone()),
            technical_account_id: Some(input.technical_account_id.clone())
                .filter(|s| !s.trim().is_empty()),
            project_json: None,
            private_key: None,
            certificate: None,
            metascopes: None,
            api_key: None,
        };
        match api::create(State(state.clone()), console.caller.clone(), Json(body)).await {
            Ok(_) => {
                return see_other_with(
                    &format!(
                        "/console/integrations?selected={}",
                        encode_query(input.name.trim())
                    ),
                    &Flash::Created(input.title.trim().to_owned()),
                );
            }
            Err(e) => {
                if let Err(other) = record_api(&mut errors, t, &e) {
                    if other.status() == StatusCode::FORBIDDEN || other.status().is_server_error() {
                        return console.api_error_page(&other);
                    }
                    alerts.push(
                        AlertView::new("error", "save-error", t.not_saved)
                            .message(other.body().message.clone()),
                    );
                }
            }
        }
    }
    let secret_dropped = input.client_secret.is_some();
    let page = build_form(FormParts {
        console: &console,
        mode: Mode::Create,
        config: None,
        input: &input,
        errors,
        alerts,
        secret_dropped,
        dc_json_open: had_json,
    });
    form_response(&console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// `?auth_type=oauth` on Properties: the Authentication Type switch without JavaScript.
#[derive(Debug, Default, Deserialize)]
pub struct PropertiesQuery {
    auth_type: Option<String>,
}

async fn load(
    state: &AppState,
    console: &Console,
    raw: &str,
) -> Result<IntegrationConfig, Response> {
    api::load(state, raw).await.map_err(|e| {
        if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
            console.error_page(StatusCode::NOT_FOUND, console.t().not_found.to_owned())
        } else {
            console.api_error_page(&e)
        }
    })
}

/// `GET /console/integrations/{name}`: Properties.
pub async fn properties(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Query(q): Query<PropertiesQuery>,
) -> Response {
    let config = match load(&state, &console, &raw).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let want_oauth = q.auth_type.as_deref() == Some("oauth");
    let mode = Mode::of(&config, want_oauth);
    let mut input = Input::of_config(&config);
    if let Some(prefill) = config.migration_prefill() {
        input.client_id = prefill.client_id.to_string();
        input.org_id = prefill.org_id.to_string();
        input.scopes = prefill.scopes.to_string();
        input.technical_account_id = prefill.technical_account_id.to_string();
    }
    let mut alerts = jwt_alerts(console.t(), mode);
    if let Some(flash) = console.flash_view(&state).await {
        alerts.insert(
            0,
            AlertView {
                kind: flash.kind,
                id: "flash",
                title: flash.title,
                messages: vec![flash.message]
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect(),
                details: Vec::new(),
                conflict: Vec::new(),
            },
        );
    }
    let page = build_form(FormParts {
        console: &console,
        mode,
        config: Some(&config),
        input: &input,
        errors: Errors::new(),
        alerts,
        secret_dropped: false,
        dc_json_open: false,
    });
    console.page(&page)
}

/// The rows of a conflict: what the user entered against what is stored now.
fn conflict_rows(t: &Texts, input: &Input, current: &IntegrationConfig) -> Vec<ConflictRow> {
    let now = Input::of_config(current);
    let solution_label = |i: &Input| {
        i.solution()
            .map_or_else(|_| i.cloud_solution.clone(), |s| s.label().to_owned())
    };
    let yours_auth = if input.mode == "migrate" || input.mode == "edit" {
        t.auth_oauth
    } else {
        t.auth_jwt
    };
    let mut rows = vec![(
        "auth_type",
        t.auth_type,
        yours_auth.to_owned(),
        auth_label(t, current.auth_type()).to_owned(),
    )];
    if input.mode == "edit" {
        rows.push(("title", t.title, input.title.clone(), now.title.clone()));
        rows.push((
            "cloud_solution",
            t.cloud_solution,
            solution_label(input),
            solution_label(&now),
        ));
        rows.push((
            "authorization_server",
            t.authorization_server,
            input.authorization_server.clone(),
            now.authorization_server.clone(),
        ));
    }
    rows.extend([
        (
            "client_id",
            t.client_id,
            input.client_id.clone(),
            now.client_id.clone(),
        ),
        ("scopes", t.scopes, input.scopes.clone(), now.scopes.clone()),
        ("org_id", t.org_id, input.org_id.clone(), now.org_id.clone()),
    ]);
    rows.into_iter()
        .map(|(field, label, yours, theirs)| ConflictRow {
            field,
            label,
            changed: yours.trim() != theirs.trim(),
            yours,
            theirs,
        })
        .collect()
}

/// Someone else changed the configuration: show it as it is now, with the user's input
/// still in the form (minus the secret), the differences side by side, and the current
/// revision, so that saving again is a deliberate choice.
async fn conflict_page(
    state: &AppState,
    console: &Console,
    name: &Name,
    input: &mut Input,
) -> Response {
    let t = console.t();
    let current = match load(state, console, name.as_str()).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let mode = match Mode::of(&current, true) {
        Mode::Jwt => Mode::Migrate,
        m => m,
    };
    let rows = conflict_rows(t, input, &current);
    let fresh = Input::of_config(&current);
    input.revision = current.revision.to_string();
    mode.key().clone_into(&mut input.mode);
    if mode != Mode::Edit || input.title.trim().is_empty() {
        input.title = fresh.title;
        input.cloud_solution = fresh.cloud_solution;
        input.other_solution = fresh.other_solution;
        input.authorization_server = fresh.authorization_server;
    }
    input.name = fresh.name;
    let mut alert =
        AlertView::new("error", "conflict", t.conflict_heading).message(t.conflict_body);
    alert.conflict = rows;
    let mut alerts = vec![alert];
    alerts.extend(jwt_alerts(t, mode));
    let page = build_form(FormParts {
        console,
        mode,
        config: Some(&current),
        input,
        errors: Errors::new(),
        alerts,
        secret_dropped: input.client_secret.is_some(),
        dc_json_open: false,
    });
    form_response(console, StatusCode::CONFLICT, &page)
}

/// `POST /console/integrations/{name}`: Save & Close (an OAuth edit, or a migration).
pub async fn save(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    multipart: Multipart,
) -> Response {
    let mut input = match Input::read(multipart).await {
        Ok(input) => input,
        Err(e) => return console.error_page(StatusCode::BAD_REQUEST, e),
    };
    if let Err(refused) = console.check_csrf(input.csrf_token.as_deref()) {
        return refused;
    }
    let config = match load(&state, &console, &raw).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    // Disabled fields are not posted: show them as stored when the form comes back.
    let stored = Input::of_config(&config);
    input.name = stored.name;
    if let Some(prefill) = config.migration_prefill() {
        input.title = stored.title;
        input.cloud_solution = stored.cloud_solution;
        input.other_solution = stored.other_solution;
        input.authorization_server = stored.authorization_server;
        input.technical_account_id = prefill.technical_account_id.to_string();
    }
    // The JWT page posts `jwt` when JavaScript switched it in place without updating the
    // mode; only a migration can change a JWT configuration anyway.
    if input.mode == "migrate" || (input.mode == "jwt" && config.auth_type() == AuthType::Jwt) {
        save_migration(&state, &console, config, input).await
    } else {
        "edit".clone_into(&mut input.mode);
        save_edit(&state, &console, config, input).await
    }
}

async fn save_edit(
    state: &AppState,
    console: &Console,
    current: IntegrationConfig,
    mut input: Input,
) -> Response {
    let t = console.t();
    let mut errors = Errors::new();
    let expected = match Revision::parse(&input.revision) {
        Ok(r) => r,
        Err(e) => return console.error_page(StatusCode::BAD_REQUEST, e.to_string()),
    };
    if current.auth_type() == AuthType::OAuth && current.revision != expected {
        return conflict_page(state, console, &current.name, &mut input).await;
    }
    check_general_fields(t, &input, &mut errors, false);
    check_oauth_fields(t, &input, &mut errors, false);
    let mut alerts = Vec::new();
    if errors.is_empty() {
        let was = Input::of_config(&current);
        let changed =
            |new: &str, old: &str| (new.trim() != old.trim()).then(|| new.trim().to_owned());
        let new_solution = input.solution().ok().map(|s| s.to_stored());
        let body = UpdateIntegration {
            title: changed(&input.title, &was.title),
            cloud_solution: new_solution.filter(|s| *s != current.cloud_solution.to_stored()),
            authorization_server: changed(&input.authorization_server, &was.authorization_server)
                .filter(|s| !s.is_empty()),
            auth_type: None,
            client_id: changed(&input.client_id, &was.client_id),
            client_secret: input.client_secret.clone(),
            scopes: Scopes::parse(&input.scopes)
                .ok()
                .filter(|s| s.to_string() != was.scopes)
                .map(|s| StringList::One(s.to_string())),
            org_id: changed(&input.org_id, &was.org_id),
            technical_account_id: None,
            private_key: None,
            certificate: None,
            metascopes: None,
        };
        let nothing = body.title.is_none()
            && body.cloud_solution.is_none()
            && body.authorization_server.is_none()
            && body.client_id.is_none()
            && body.client_secret.is_none()
            && body.scopes.is_none()
            && body.org_id.is_none();
        let back = format!("/console/integrations?selected={}", current.name);
        if nothing {
            return see_other_with(&back, &Flash::Unchanged);
        }
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{expected}\"")) {
            headers.insert(header::IF_MATCH, v);
        }
        match api::update(
            State(state.clone()),
            console.caller.clone(),
            Path(current.name.to_string()),
            headers,
            Json(body),
        )
        .await
        {
            Ok(_) => {
                let title = input.title.trim();
                return see_other_with(&back, &Flash::Saved(title.to_owned()));
            }
            Err(e) if e.body().error == "stale_revision" => {
                return conflict_page(state, console, &current.name, &mut input).await;
            }
            Err(e) => {
                if let Err(other) = record_api(&mut errors, t, &e) {
                    if other.status() == StatusCode::FORBIDDEN || other.status().is_server_error() {
                        return console.api_error_page(&other);
                    }
                    alerts.push(
                        AlertView::new("error", "save-error", t.not_saved)
                            .message(other.body().message.clone()),
                    );
                }
            }
        }
    }
    let mode = Mode::of(&current, true);
    let secret_dropped = input.client_secret.is_some();
    let page = build_form(FormParts {
        console,
        mode,
        config: Some(&current),
        input: &input,
        errors,
        alerts,
        secret_dropped,
        dc_json_open: false,
    });
    form_response(console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn save_migration(
    state: &AppState,
    console: &Console,
    config: IntegrationConfig,
    mut input: Input,
) -> Response {
    let t = console.t();
    let mut errors = Errors::new();
    let expected = match Revision::parse(&input.revision) {
        Ok(r) => r,
        Err(e) => return console.error_page(StatusCode::BAD_REQUEST, e.to_string()),
    };
    // Refuse before asking IMS anything, as the API does.
    match config.check_manual_migration() {
        Ok(()) => {}
        Err(RuleError::AutoProvisioned) => {
            let mut alerts = jwt_alerts(t, Mode::Auto);
            alerts.insert(
                0,
                AlertView::new("error", "save-error", t.not_saved).message(t.auto_provisioned_note),
            );
            let page = build_form(FormParts {
                console,
                mode: Mode::Auto,
                config: Some(&config),
                input: &Input::of_config(&config),
                errors,
                alerts,
                secret_dropped: false,
                dc_json_open: false,
            });
            return form_response(console, StatusCode::CONFLICT, &page);
        }
        Err(_) => return conflict_page(state, console, &config.name, &mut input).await,
    }
    if config.revision != expected {
        return conflict_page(state, console, &config.name, &mut input).await;
    }
    let had_json = !input.project_json.trim().is_empty();
    apply_project_json(t, &mut input, &mut errors);
    check_oauth_fields(t, &input, &mut errors, false);
    let mut alerts = jwt_alerts(t, Mode::Migrate);
    if errors.is_empty() {
        let prefill = config.migration_prefill();
        let oauth = api::oauth_from_input(
            &OAuthInput {
                client_id: Some(input.client_id.as_str()),
                client_secret: input.client_secret.as_ref(),
                scopes: Some(&StringList::One(input.scopes.clone())),
                org_id: Some(input.org_id.as_str()),
                technical_account_id: Some(input.technical_account_id.as_str()),
                project_json: None,
            },
            OAuthDefaults {
                client_id: prefill.as_ref().map(|p| p.client_id.clone()),
                scopes: prefill.as_ref().map(|p| p.scopes.clone()),
                org_id: prefill.as_ref().map(|p| p.org_id.clone()),
                technical_account_id: prefill.as_ref().map(|p| p.technical_account_id.clone()),
                // The console always verifies, so a kept secret is proven before saving.
                client_secret: api::jwt_client_secret(&config),
            },
        );
        match oauth {
            Err(e) => {
                if let Err(other) = record_api(&mut errors, t, &e) {
                    alerts.insert(
                        0,
                        AlertView::new("error", "save-error", t.not_saved)
                            .message(other.body().message.clone()),
                    );
                }
            }
            Ok((oauth, _)) => {
                let result = migration::migrate(
                    &state.store,
                    &state.provider,
                    state.clock.as_ref(),
                    MigrationRequest {
                        name: config.name.clone(),
                        expected,
                        oauth,
                        verify: true,
                        actor: MigrationActor::Manual,
                    },
                    &console.caller.audit,
                )
                .await;
                match result {
                    Ok(migrated) => {
                        return see_other_with(
                            &format!("/console/integrations?selected={}", migrated.name),
                            &Flash::Migrated(migrated.title.to_string()),
                        );
                    }
                    Err(MigrationError::Verification(e)) => {
                        let mut alert =
                            AlertView::new("error", "verification-failed", t.verification_failed)
                                .message(t.verification_failed_body);
                        let reason = e
                            .ims_error()
                            .and_then(|i| i.description())
                            .map_or_else(|| e.to_string(), ToOwned::to_owned);
                        alert
                            .details
                            .push((t.ims_reason.to_owned(), reason, "reason"));
                        alert
                            .details
                            .push((t.ims_error.to_owned(), e.error_code(), "ims_error"));
                        if let Some(id) = e.debug_id() {
                            alert
                                .details
                                .push((t.debug_id.to_owned(), id.to_owned(), "debug_id"));
                        }
                        alerts.insert(0, alert);
                    }
                    Err(
                        MigrationError::Rule(
                            RuleError::StaleRevision { .. } | RuleError::NotJwt(_),
                        )
                        | MigrationError::Store(imsbridge_store::StoreError::StaleRevision {
                            ..
                        }),
                    ) => return conflict_page(state, console, &config.name, &mut input).await,
                    Err(other) => {
                        let e = ApiError::from(other);
                        if e.status().is_server_error() || e.status() == StatusCode::NOT_FOUND {
                            return console.api_error_page(&e);
                        }
                        alerts.insert(
                            0,
                            AlertView::new("error", "save-error", t.not_saved)
                                .message(e.body().message.clone()),
                        );
                    }
                }
            }
        }
    }
    let secret_dropped = input.client_secret.is_some();
    let page = build_form(FormParts {
        console,
        mode: Mode::Migrate,
        config: Some(&config),
        input: &input,
        errors,
        alerts,
        secret_dropped,
        dc_json_open: had_json,
    });
    form_response(console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------

/// `GET /console/integrations/{name}/delete`: the confirmation.
pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
) -> Response {
    let t = console.t();
    let config = match load(&state, &console, &raw).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let page = DeletePage {
        page: console
            .chrome("integrations")
            .titled(format!("{} · {}", t.delete_heading, config.title)),
        id: config.name.to_string(),
        revision: config.revision.to_string(),
        title: config.title.to_string(),
        name: config.name.to_string(),
        solution: config.cloud_solution.label().to_owned(),
        auth_label: auth_label(t, config.auth_type()),
    };
    console.page(&page)
}

/// The delete form.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    csrf_token: Option<String>,
    revision: Option<String>,
}

/// `POST /console/integrations/{name}/delete` → the API's delete, only at the revision seen.
pub async fn delete(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let config = match load(&state, &console, &raw).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let mut headers = HeaderMap::new();
    if let Some(rev) = form
        .revision
        .as_deref()
        .and_then(|r| Revision::parse(r).ok())
        && let Ok(v) = HeaderValue::from_str(&format!("\"{rev}\""))
    {
        headers.insert(header::IF_MATCH, v);
    }
    match api::delete(
        State(state.clone()),
        console.caller.clone(),
        Path(config.name.to_string()),
        headers,
    )
    .await
    {
        Ok(_) => see_other_with(
            "/console/integrations",
            &Flash::Deleted(config.title.to_string()),
        ),
        Err(e) => console.api_error_page(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_to_keeps_filters_and_replaces_the_selection() {
        assert_eq!(
            back_to(
                Some("/console/integrations?q=a&selected=x&page=2"),
                Some("y")
            ),
            "/console/integrations?q=a&page=2&selected=y"
        );
        assert_eq!(
            back_to(Some("https://evil.example/"), None),
            "/console/integrations"
        );
        assert_eq!(
            back_to(Some("//evil.example/console/integrations"), Some("a")),
            "/console/integrations?selected=a"
        );
    }

    #[test]
    fn a_field_problem_loses_its_field_prefix() {
        let t = super::super::i18n::Lang::En.texts();
        assert_eq!(
            problem_text(t, "org_id: is not an org id (for example: x)", "org_id"),
            "Is not an org id (for example: x)"
        );
    }
}
