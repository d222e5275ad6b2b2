//! Client-secret rotation in the console: the Developer Console fields of Create and
//! Properties, the credential's secrets on Properties of an OAuth configuration (age, last
//! use, which one imsbridge holds, the next rotation) and the Rotate Secret form.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use imsbridge_domain::IntegrationConfig;
use imsbridge_service::rotation::{RotateSecret, SecretsView};
use imsbridge_service::{FieldError, FieldErrorKind, ServiceError};
use serde::Deserialize;

use super::super::errors;
use super::super::i18n::Texts;
use super::super::view::{FieldView, OptionView, format_time};
use super::super::{Console, see_other};
use super::form::{Errors, Input};
use super::load;
use crate::extract::Path;
use crate::state::AppState;

/// The Developer Console fields (ids and rotation period) of Create and Properties.
pub(super) fn console_fields(
    console: &Console,
    input: &Input,
    errors: &mut Errors,
) -> Vec<FieldView> {
    let t = console.t();
    vec![
        FieldView::text(
            t,
            "console_org_id",
            t.get("console_org_id"),
            input.console_org_id.clone(),
        )
        .mono()
        .hint(t.get("console_org_id_hint"))
        .error(errors.remove("console_org_id")),
        FieldView::text(
            t,
            "credential_id",
            t.get("credential_id"),
            input.credential_id.clone(),
        )
        .mono()
        .hint(t.get("credential_id_hint"))
        .error(errors.remove("credential_id")),
        FieldView::text(
            t,
            "rotate_every_days",
            t.get("rotate_every_days"),
            input.rotate_every_days.clone(),
        )
        .hint(t.get("rotate_every_days_hint"))
        .error(errors.remove("rotate_every_days")),
    ]
}

/// The form values of a configuration's Developer Console fields.
pub(super) fn fill_console_input(input: &mut Input, config: &IntegrationConfig) {
    let text = |v: Option<String>| v.unwrap_or_default();
    let link = &config.console;
    input.console_org_id = text(link.console_org_id.as_ref().map(ToString::to_string));
    input.credential_id = text(link.credential_id.as_ref().map(ToString::to_string));
    input.rotate_every_days = text(link.rotate_every_days.map(|d| d.to_string()));
}

/// A row of the secrets table.
#[derive(Debug)]
pub struct SecretRow {
    /// Adobe's uuid.
    pub uuid: String,
    /// When it was made.
    pub created: String,
    /// When IMS last accepted it.
    pub last_used: String,
    /// Its age.
    pub age: String,
    /// Whether imsbridge holds it.
    pub held: bool,
}

/// The secrets panel of Properties.
#[derive(Debug)]
pub struct SecretsPanel {
    /// The page's words.
    pub t: Texts,
    /// The table.
    pub rows: Vec<SecretRow>,
    /// Why the table is empty.
    pub problem: Option<String>,
    /// The next rotation, or "only when asked".
    pub next_rotation: String,
    /// The last rotation: state key, state name, reason.
    pub last_rotation: Option<(String, &'static str, String)>,
    /// Where the Rotate Secret form posts; empty when it cannot be offered.
    pub action: String,
    /// The old secret's fate.
    pub delete_old: FieldView,
    /// The grace period.
    pub grace_hours: FieldView,
}

fn rows(t: Texts, view: &SecretsView) -> Vec<SecretRow> {
    view.secrets
        .iter()
        .map(|s| SecretRow {
            uuid: s.uuid.clone(),
            created: s.created_at.map(format_time).unwrap_or_default(),
            last_used: s
                .last_used_at
                .map_or_else(|| t.get("secret_never_used").to_owned(), format_time),
            age: s
                .age_days
                .map(|d| t.fmt1("secret_age_days", "days", d))
                .unwrap_or_default(),
            held: s.held,
        })
        .collect()
}

/// The panel for an OAuth configuration: Adobe's list through the service, or why not.
pub(super) async fn secrets_panel(
    state: &AppState,
    console: &Console,
    config: &IntegrationConfig,
) -> SecretsPanel {
    let t = console.t();
    let configured = config.console.ids().is_some();
    let (rows, problem, latest) = if configured {
        match state
            .services
            .list_secrets(&console.caller, config.name.as_str())
            .await
        {
            Ok(view) => (rows(t, &view), None, view.rotation),
            Err(e) => {
                let reason = errors::error_text(t, crate::error::ApiError::from(e).body());
                let problem = t.fmt1("secrets_list_failed", "reason", reason);
                (Vec::new(), Some(problem), None)
            }
        }
    } else {
        (
            Vec::new(),
            Some(t.get("secrets_not_configured").to_owned()),
            None,
        )
    };
    let options = vec![
        OptionView::new(
            "after_unused",
            t.get("delete_old_after_unused"),
            "after_unused",
        ),
        OptionView::new("now", t.get("delete_old_now"), "after_unused"),
        OptionView::new("never", t.get("delete_old_never"), "after_unused"),
    ];
    SecretsPanel {
        t,
        rows,
        problem,
        next_rotation: config
            .rotation_due_at()
            .map_or_else(|| t.get("rotation_no_schedule").to_owned(), format_time),
        last_rotation: latest.map(|l| {
            let name = t.get(state_key(&l.state));
            (l.state, name, l.reason.unwrap_or_default())
        }),
        action: if configured && console.chrome("integrations").can_write() {
            format!("/console/integrations/{}/rotate-secret", config.name)
        } else {
            String::new()
        },
        delete_old: FieldView::select(t, "delete_old", t.get("delete_old"), options)
            .in_form("rotate-form"),
        grace_hours: FieldView::text(t, "grace_hours", t.get("grace_hours"), "24")
            .hint(t.get("grace_hours_hint"))
            .in_form("rotate-form"),
    }
}

/// A rotation state's message key; an unknown state reads as "added".
fn state_key(state: &str) -> &'static str {
    match state {
        "switched" => "rotation_state_switched",
        "pending_delete" => "rotation_state_pending_delete",
        "completed" => "rotation_state_completed",
        "failed" => "rotation_state_failed",
        "started" => "rotation_state_started",
        _ => "rotation_state_added",
    }
}

/// The Rotate Secret form.
#[derive(Debug, Deserialize)]
pub struct RotateForm {
    csrf_token: Option<String>,
    delete_old: Option<String>,
    grace_hours: Option<String>,
}

/// `POST /console/integrations/{name}/rotate-secret` → the service's rotation, then back to
/// Properties, whose panel shows its state.
pub async fn rotate_secret(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Form(form): Form<RotateForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let config = match load(&state, &console, &raw).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let grace = form
        .grace_hours
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let grace_hours = match grace.map(str::parse::<i64>) {
        None => None,
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => {
            return console.service_error_page(ServiceError::invalid(FieldError::new(
                "grace_hours",
                FieldErrorKind::Invalid,
                "grace_hours: enter a whole number of hours from 0 to 2160, such as 24",
            )));
        }
    };
    let body = RotateSecret {
        delete_old: form.delete_old.filter(|d| !d.trim().is_empty()),
        grace_hours,
    };
    match state
        .services
        .rotate_secret(&console.caller, config.name.as_str(), &body)
        .await
    {
        Ok(_) => see_other(&format!("/console/integrations/{}#secrets", config.name)),
        Err(e) => console.service_error_page(e),
    }
}
