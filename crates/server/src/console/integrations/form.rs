//! The configuration form: what it posted, its field errors, and the page that shows it
//! (Create, Properties of OAuth and JWT configurations, the migration form).

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::{
    AuthType, ClientId, CloudSolution, Credentials, IntegrationConfig, Origin, SecretString,
    secret_hint,
};
use imsbridge_service::integrations::jwt_client_secret;
use imsbridge_service::project_json;
use imsbridge_service::{FieldErrorKind, FieldErrors};

use super::super::Console;
use super::super::errors::field_error_text;
use super::super::i18n::Texts;
use super::super::pages::{AlertView, AuthSwitchView, BadgeView, ConfigFormPage};
use super::super::view::{FieldView, OptionView, format_time};
use super::list::auth_label;

/// What a configuration form posted. The secret is kept as a secret and never rendered.
#[derive(Default)]
pub(super) struct Input {
    pub(super) csrf_token: Option<String>,
    pub(super) mode: String,
    pub(super) revision: String,
    pub(super) cloud_solution: String,
    pub(super) other_solution: String,
    pub(super) title: String,
    pub(super) name: String,
    pub(super) authorization_server: String,
    pub(super) client_id: String,
    pub(super) client_secret: Option<SecretString>,
    pub(super) scopes: String,
    pub(super) org_id: String,
    pub(super) technical_account_id: String,
    pub(super) console_org_id: String,
    pub(super) credential_id: String,
    pub(super) rotate_every_days: String,
    pub(super) project_json: String,
    /// "Save without verifying" was chosen.
    pub(super) skip_verify: bool,
}

impl Input {
    /// Reads the multipart form (text fields and the uploaded project JSON file).
    pub(super) async fn read(mut multipart: Multipart) -> Result<Self, String> {
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
                "console_org_id" => input.console_org_id = text,
                "credential_id" => input.credential_id = text,
                "rotate_every_days" => input.rotate_every_days = text,
                "verify" => input.skip_verify = text == "false",
                "project_json" | "project_file" if !text.trim().is_empty() => {
                    input.project_json = text;
                }
                _ => {}
            }
        }
        Ok(input)
    }

    /// The values a configuration shows, as a form would post them.
    pub(super) fn of_config(config: &IntegrationConfig) -> Self {
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
        super::rotation::fill_console_input(&mut input, config);
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

    /// The save's `verify`: false only when "Save without verifying" was chosen.
    pub(super) fn verify(&self) -> bool {
        !self.skip_verify
    }

    /// The solution as the service reads it: `other` takes its name from `other_solution`.
    pub(super) fn raw_solution(&self) -> String {
        if self.cloud_solution.trim() == "other" {
            self.other_solution.clone()
        } else {
            self.cloud_solution.clone()
        }
    }

    /// The posted project JSON as the service reads it (text that is not JSON is passed on
    /// as a string, for the service to refuse with its reason).
    pub(super) fn project_json_value(&self) -> Option<serde_json::Value> {
        let text = self.project_json.trim();
        (!text.is_empty()).then(|| {
            serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
        })
    }

    /// The solution the form names (`other` takes its name from `other_solution`).
    pub(super) fn solution(
        &self,
    ) -> Result<CloudSolution, (&'static str, imsbridge_domain::ParseError)> {
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
pub(super) type Errors = HashMap<&'static str, String>;

const FORM_FIELDS: [&str; 14] = [
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
    "console_org_id",
    "credential_id",
    "rotate_every_days",
    "project_json",
];

pub(super) fn field_key(field: &str) -> Option<&'static str> {
    FORM_FIELDS.iter().copied().find(|f| *f == field)
}

/// Puts each field error of an operation beside its form field, in the page language;
/// returns the messages of those that name none of the form's fields.
pub(super) fn record_fields(
    errors: &mut Errors,
    t: Texts,
    input: &Input,
    fields: FieldErrors,
) -> Vec<String> {
    let mut other = Vec::new();
    for e in fields {
        let key = if e.field == "cloud_solution" && input.cloud_solution.trim() == "other" {
            Some("other_solution")
        } else {
            field_key(&e.field)
        };
        match key {
            Some(key) => {
                errors.entry(key).or_insert_with(|| {
                    let problem = field_error_text(t, &e);
                    if key == "project_json" && e.kind != FieldErrorKind::Missing {
                        t.fmt("dc_json_problem", &[("problem", problem.into())])
                    } else {
                        problem
                    }
                });
            }
            None => other.push(field_error_text(t, &e)),
        }
    }
    other
}

/// Fills empty fields from a pasted or uploaded Developer Console project JSON, so that the
/// form shows what will be saved. Whether the JSON is usable is the service's to say.
pub(super) fn apply_project_json(input: &mut Input) {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&input.project_json) else {
        return;
    };
    let wanted = ClientId::parse(&input.client_id).ok();
    let Ok(p) = project_json::parse(&json, wanted.as_ref()) else {
        return;
    };
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
    if let Some(org) = p.console_org_id {
        fill(&mut input.console_org_id, org.to_string());
    }
    if let Some(credential) = p.credential_id {
        fill(&mut input.credential_id, credential.to_string());
    }
    if input.client_secret.is_none() {
        input.client_secret = p.client_secrets.into_iter().next();
    }
}

// ---------------------------------------------------------------------------------------
// The form page
// ---------------------------------------------------------------------------------------

/// What the form page is about to show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Mode {
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
    pub(super) fn key(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Edit => "edit",
            Self::Jwt => "jwt",
            Self::Migrate => "migrate",
            Self::Auto => "auto",
        }
    }

    pub(super) fn of(config: &IntegrationConfig, want_oauth: bool) -> Self {
        match (config.auth_type(), config.origin) {
            (AuthType::OAuth, _) => Self::Edit,
            (AuthType::Jwt, Origin::AutoProvisioned) => Self::Auto,
            (AuthType::Jwt, Origin::Customer) if want_oauth => Self::Migrate,
            (AuthType::Jwt, Origin::Customer) => Self::Jwt,
        }
    }
}

fn solution_options(t: Texts, current: &str) -> Vec<OptionView> {
    let mut options: Vec<OptionView> = CloudSolution::KNOWN
        .iter()
        .map(|s| OptionView::new(s.key(), s.label(), current))
        .collect();
    options.push(OptionView::new("other", t.get("other_solution"), current));
    options
}

pub(super) struct FormParts<'a> {
    pub(super) console: &'a Console,
    pub(super) mode: Mode,
    pub(super) config: Option<&'a IntegrationConfig>,
    pub(super) input: &'a Input,
    pub(super) errors: Errors,
    pub(super) alerts: Vec<AlertView>,
    /// The posted secret was dropped (an error), so ask for it again.
    pub(super) secret_dropped: bool,
    pub(super) dc_json_open: bool,
}

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub(super) fn build_form(parts: FormParts<'_>) -> ConfigFormPage {
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
            "cloud_solution" => t.get("cloud_solution"),
            "other_solution" => t.get("other_solution_name"),
            "title" => t.get("title"),
            "name" => t.get("name"),
            "authorization_server" => t.get("authorization_server"),
            "client_id" => t.get("client_id"),
            "client_secret" => t.get("client_secret"),
            "scopes" => t.get("scopes"),
            "org_id" => t.get("org_id"),
            "technical_account_id" => t.get("technical_account_id"),
            "console_org_id" => t.get("console_org_id"),
            "credential_id" => t.get("credential_id"),
            "rotate_every_days" => t.get("rotate_every_days"),
            _ => t.get("dc_json_paste"),
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
            t.get("cloud_solution"),
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
                t.get("other_solution_name"),
                input.other_solution.clone(),
            )
            .disabled(general_disabled)
            .error(err(&mut errors, "other_solution")),
        );
    }
    general.push(
        FieldView::text(t, "title", t.get("title"), input.title.clone())
            .required()
            .disabled(general_disabled)
            .error(err(&mut errors, "title")),
    );
    general.push(
        FieldView::text(t, "name", t.get("name"), input.name.clone())
            .required()
            .mono()
            .disabled(mode != Mode::Create)
            .hint(if mode == Mode::Create {
                t.get("name_hint")
            } else {
                ""
            })
            .error(err(&mut errors, "name")),
    );
    general.push(
        FieldView::text(
            t,
            "authorization_server",
            t.get("authorization_server"),
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
            t.get("authorization_server_hint")
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
            OptionView::new("jwt", t.get("auth_jwt"), auth_current),
            OptionView::new("oauth", t.get("auth_oauth"), auth_current),
        ],
        Mode::Auto => vec![OptionView::new("jwt", t.get("auth_jwt"), auth_current)],
        Mode::Create | Mode::Edit => {
            vec![OptionView::new("oauth", t.get("auth_oauth"), auth_current)]
        }
    };
    let live = matches!(mode, Mode::Jwt | Mode::Migrate);
    let name = config.map(|c| c.name.to_string()).unwrap_or_default();
    let auth_switch = AuthSwitchView {
        field: FieldView::select(t, "auth_type", t.get("auth_type"), auth_options)
            .disabled(!live)
            .in_form(if live { "switch-form" } else { "" }),
        live,
        action: format!("/console/integrations/{name}"),
    };

    // The JWT credential, read-only; never its key or secret.
    let mut jwt_fields = Vec::new();
    if let Some(Credentials::Jwt(jwt)) = config.map(|c| &c.credentials) {
        jwt_fields = vec![
            FieldView::text(t, "api_key", t.get("api_key"), jwt.api_key.to_string())
                .mono()
                .disabled(true),
            FieldView::text(t, "jwt_org_id", t.get("org_id"), jwt.org_id.to_string())
                .mono()
                .disabled(true),
            FieldView::text(
                t,
                "jwt_technical_account_id",
                t.get("technical_account_id"),
                jwt.technical_account_id.to_string(),
            )
            .mono()
            .disabled(true),
            FieldView::text(
                t,
                "metascopes",
                t.get("metascopes"),
                jwt.metascopes.to_string(),
            )
            .mono()
            .disabled(true),
            FieldView::text(
                t,
                "certificate_fingerprint",
                t.get("certificate_fingerprint"),
                jwt.certificate.fingerprint().to_owned(),
            )
            .mono()
            .wide()
            .disabled(true),
            FieldView::text(
                t,
                "certificate_expiry",
                t.get("certificate_expiry"),
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
            (true, _, _) => t.get("secret_reenter").to_owned(),
            (false, _, Mode::Migrate | Mode::Jwt) => {
                let last4 = config
                    .and_then(jwt_client_secret)
                    .and_then(|s| secret_hint(&s))
                    .unwrap_or_default();
                t.fmt("secret_keep_jwt_hint", &[("last4", last4.into())])
            }
            (false, Some(Some(last4)), _) => {
                t.fmt("secret_keep_hint", &[("last4", last4.as_str().into())])
            }
            (false, Some(None), _) => t.get("secret_keep_hint_short").to_owned(),
            (false, None, _) => String::new(),
        };
        let mut secret = FieldView::secret(t, "client_secret", t.get("client_secret"))
            .hint(secret_hint_text)
            .error(err(&mut errors, "client_secret"));
        // Editing keeps the stored secret and migrating the JWT credential's when left empty.
        if mode == Mode::Create {
            secret = secret.required();
        }
        credential = vec![
            FieldView::text(t, "client_id", t.get("client_id"), input.client_id.clone())
                .required()
                .mono()
                .error(err(&mut errors, "client_id")),
            secret,
            FieldView::text(t, "scopes", t.get("scopes"), input.scopes.clone())
                .required()
                .mono()
                .wide()
                .hint(t.get("scopes_hint"))
                .error(err(&mut errors, "scopes")),
            FieldView::text(t, "org_id", t.get("org_id"), input.org_id.clone())
                .required()
                .mono()
                .hint(t.get("org_id_hint"))
                .error(err(&mut errors, "org_id")),
        ];
        if mode == Mode::Migrate || mode == Mode::Jwt {
            credential.push(
                FieldView::text(
                    t,
                    "technical_account_id",
                    t.get("technical_account_id"),
                    input.technical_account_id.clone(),
                )
                .mono()
                .disabled(true),
            );
        }
    }

    let (heading, crumb, intro) = match (mode, config) {
        (Mode::Create, _) | (_, None) => (
            t.get("create_heading").to_owned(),
            t.get("create").to_owned(),
            t.get("create_intro").to_owned(),
        ),
        (_, Some(c)) => (
            c.title.to_string(),
            t.get("properties").to_owned(),
            String::new(),
        ),
    };
    let badges = config.map_or_else(Vec::new, |c| badges(t, c, mode));
    let meta = config.map_or_else(String::new, |c| {
        format!(
            "{} {} · {}",
            t.get("revision"),
            c.revision,
            format_time(c.updated_at)
        )
    });

    let (submit_label, submit_enabled) = match mode {
        Mode::Create => (t.get("save").to_owned(), true),
        Mode::Edit | Mode::Migrate => (t.get("save_close").to_owned(), true),
        Mode::Jwt => (t.get("save_close").to_owned(), false),
        Mode::Auto => (String::new(), false),
    };
    let console_fields = if matches!(mode, Mode::Create | Mode::Edit) {
        super::rotation::console_fields(console, input, &mut errors)
    } else {
        Vec::new()
    };
    let save_unverified_label =
        if matches!(mode, Mode::Create | Mode::Edit) && console.allow_unverified {
            t.get("save_unverified").to_owned()
        } else {
            String::new()
        };
    let dc_json_error = err(&mut errors, "project_json");
    ConfigFormPage {
        page: console
            .chrome("integrations")
            .titled(format!("{heading} · {}", t.get("ims_integrations"))),
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
        console_fields,
        secrets: None,
        migration_visible: matches!(mode, Mode::Create | Mode::Edit | Mode::Migrate),
        show_dc_json: matches!(mode, Mode::Create | Mode::Migrate | Mode::Jwt),
        dc_json_open: dc_json_open || dc_json_error.is_some(),
        dc_json_error,
        submit_label,
        submit_enabled,
        save_unverified_label,
    }
}

/// The badges beside a configuration's heading. A JWT configuration that can be migrated
/// carries both types' badges, and shows those of the type chosen in Authentication Type:
/// `JWT` and `Read-only`, or `OAuth` once OAuth is chosen.
fn badges(t: Texts, c: &IntegrationConfig, mode: Mode) -> Vec<BadgeView> {
    let mut badges = Vec::new();
    if matches!(mode, Mode::Jwt | Mode::Migrate) {
        let as_oauth = mode == Mode::Migrate;
        badges.push(BadgeView::new("jwt", t.get("auth_jwt")).for_auth("jwt", as_oauth));
        badges.push(BadgeView::new("oauth", t.get("auth_oauth")).for_auth("oauth", !as_oauth));
    } else {
        badges.push(BadgeView::new(
            c.auth_type().key(),
            auth_label(t, c.auth_type()),
        ));
    }
    if c.origin == Origin::AutoProvisioned {
        badges.push(BadgeView::new("auto", t.get("origin_auto")));
    }
    if c.is_deprecated() {
        badges.push(
            BadgeView::new("readonly", t.get("read_only")).for_auth("jwt", mode == Mode::Migrate),
        );
    }
    badges
}

/// The standing notes of a JWT configuration: the deprecation warning its list row shows
/// (while JWT is the chosen type), and for an auto-provisioned one the seed's note.
pub(super) fn jwt_alerts(t: Texts, mode: Mode) -> Vec<AlertView> {
    match mode {
        Mode::Jwt | Mode::Migrate => vec![
            AlertView::new("warning", "jwt-read-only", t.get("jwt_deprecated"))
                .message(t.get("jwt_read_only"))
                .message(t.get("jwt_migrate_hint"))
                .for_auth("jwt", mode == Mode::Migrate),
        ],
        Mode::Auto => vec![
            AlertView::new("warning", "jwt-deprecated", t.get("jwt_deprecated")),
            AlertView::new(
                "info",
                "auto-provisioned-note",
                t.get("auto_provisioned_heading"),
            )
            .message(t.get("auto_provisioned_note")),
        ],
        Mode::Create | Mode::Edit => Vec::new(),
    }
}

pub(super) fn form_response(
    console: &Console,
    status: StatusCode,
    page: &ConfigFormPage,
) -> Response {
    let mut response = console.page(page);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}
