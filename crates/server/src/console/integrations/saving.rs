//! Saving the configuration form: Create, Save & Close of an OAuth configuration, and the
//! migration of a JWT one. Each turns the form into an operation's input, calls the service
//! layer, and turns its errors back into the form.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::{AuthType, IntegrationConfig, Name, Revision, Scopes};
use imsbridge_ims::TokenError;
use imsbridge_service::integrations::{
    CreateIntegration, MigrateIntegration, StringList, UpdateIntegration,
};
use imsbridge_service::{ErrorCode, ServiceError};

use super::super::flash::Flash;
use super::super::i18n::Texts;
use super::super::pages::AlertView;
use super::super::view::link;
use super::super::{Console, see_other_with};
use super::form::{
    Errors, FormParts, Input, Mode, apply_project_json, build_form, field_key, form_response,
    jwt_alerts, record_fields,
};
use super::load;
use super::properties::conflict_page;
use crate::extract::Path;
use crate::state::AppState;

/// What became of a refused save: a page to answer at once, or errors for the form.
enum Refusal {
    Page(Response),
    Conflict,
    Form(Vec<AlertView>),
}

/// Sorts a service error into the form's field errors, an alert, a conflict, or an error
/// page (not found, forbidden, server side).
fn refusal(console: &Console, input: &Input, errors: &mut Errors, e: ServiceError) -> Refusal {
    let t = console.t();
    match e {
        ServiceError::Invalid(fields) => Refusal::Form(
            record_fields(errors, t, input, fields)
                .into_iter()
                .map(|m| AlertView::new("error", "save-error", t.get("not_saved")).message(m))
                .collect(),
        ),
        ServiceError::StaleRevision { .. }
        | ServiceError::Conflict {
            code: ErrorCode::NotJwt,
            ..
        } => Refusal::Conflict,
        ServiceError::Conflict {
            field: Some(field),
            code,
            message,
            ..
        } => {
            let fields = vec![
                imsbridge_service::FieldError::new(
                    field,
                    imsbridge_service::FieldErrorKind::NotAllowed,
                    message,
                )
                .arg("code", code),
            ];
            Refusal::Form(
                record_fields(errors, t, input, fields.into())
                    .into_iter()
                    .map(|m| AlertView::new("error", "save-error", t.get("not_saved")).message(m))
                    .collect(),
            )
        }
        ServiceError::VerificationFailed {
            message,
            field,
            error,
            ..
        } => {
            // IMS's own words, beside the field they concern.
            if let Some(key) = field_key(field) {
                errors.insert(key, format!("Adobe IMS: {message}"));
            }
            let mut alert = ims_alert(
                AlertView::new("error", "verification-failed", t.get("verification_failed"))
                    .message(t.get("verification_failed_save")),
                t,
                &error,
            );
            alert
                .details
                .insert(0, (t.get("ims_reason").to_owned(), message, "reason"));
            Refusal::Form(vec![offer_skip(console, input, alert)])
        }
        ServiceError::VerificationUnavailable { error, .. } => {
            let alert = ims_alert(
                AlertView::new("error", "ims-unreachable", t.get("ims_unreachable"))
                    .message(t.get("ims_unreachable_body")),
                t,
                &error,
            );
            Refusal::Form(vec![offer_skip(console, input, alert)])
        }
        e @ (ServiceError::NotFound(_)
        | ServiceError::Forbidden(_)
        | ServiceError::Unavailable(_)
        | ServiceError::Internal(_)) => Refusal::Page(console.service_error_page(e)),
        other => Refusal::Form(vec![
            AlertView::new("error", "save-error", t.get("not_saved")).message(
                super::super::errors::error_text(t, crate::error::ApiError::from(other).body()),
            ),
        ]),
    }
}

/// `alert` with IMS's error code and debug id.
fn ims_alert(mut alert: AlertView, t: Texts, error: &TokenError) -> AlertView {
    alert.details.push((
        t.get("ims_error").to_owned(),
        error.error_code(),
        "ims_error",
    ));
    if let Some(id) = error.debug_id() {
        alert
            .details
            .push((t.get("debug_id").to_owned(), id.to_owned(), "debug_id"));
    }
    alert
}

/// `alert`, pointing at "Save without verifying" where the form offers it.
fn offer_skip(console: &Console, input: &Input, alert: AlertView) -> AlertView {
    if console.allow_unverified && input.mode != "migrate" {
        alert.message(console.t().get("save_unverified_hint"))
    } else {
        alert
    }
}

/// `GET /console/integrations/_new`.
pub async fn new_form(console: Console) -> Response {
    if !console.caller.principal.is_admin() {
        return console.error_page(
            StatusCode::FORBIDDEN,
            console.t().get("forbidden").to_owned(),
        );
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

/// `POST /console/integrations`: Create → the service's create.
pub async fn create(
    State(state): State<AppState>,
    console: Console,
    multipart: Multipart,
) -> Response {
    let Ok(mut input) = Input::read(multipart).await else {
        // A form the browser could not have sent (cut short, not multipart).
        return console.error_page(
            StatusCode::BAD_REQUEST,
            console.t().get("error_bad_body").to_owned(),
        );
    };
    if let Err(refused) = console.check_csrf(input.csrf_token.as_deref()) {
        return refused;
    }
    let mut errors = Errors::new();
    let project_json = input.project_json_value();
    apply_project_json(&mut input);
    // The JSON holds the secret: it is never sent back to the page.
    input.project_json.clear();
    if input.name.trim().is_empty()
        && let Some(slug) = Name::slugify(&input.title)
    {
        input.name = slug.to_string();
    }
    let body = CreateIntegration {
        name: input.name.trim().to_owned(),
        title: Some(input.title.clone()),
        cloud_solution: input.raw_solution(),
        authorization_server: Some(input.authorization_server.clone())
            .filter(|s| !s.trim().is_empty()),
        auth_type: Some("oauth".to_owned()),
        client_id: Some(input.client_id.clone()),
        client_secret: input.client_secret.clone(),
        scopes: Some(StringList::One(input.scopes.clone())),
        org_id: Some(input.org_id.clone()),
        technical_account_id: Some(input.technical_account_id.clone())
            .filter(|s| !s.trim().is_empty()),
        project_json: project_json.clone(),
        console_org_id: Some(input.console_org_id.clone()),
        credential_id: Some(input.credential_id.clone()),
        rotate_every_days: Some(serde_json::Value::String(input.rotate_every_days.clone())),
        verify: Some(input.verify()),
        ..CreateIntegration::default()
    };
    let alerts = match state
        .services
        .create_integration(&console.caller, &body)
        .await
    {
        Ok(created) => {
            return see_other_with(
                &link(
                    "/console/integrations",
                    [("selected", created.name.as_str())],
                ),
                &Flash::Created(created.title.to_string()),
            );
        }
        Err(e) => match refusal(&console, &input, &mut errors, e) {
            Refusal::Page(page) => return page,
            Refusal::Form(alerts) => alerts,
            Refusal::Conflict => Vec::new(),
        },
    };
    let secret_dropped = input.client_secret.is_some();
    let page = build_form(FormParts {
        console: &console,
        mode: Mode::Create,
        config: None,
        input: &input,
        errors,
        alerts,
        secret_dropped,
        dc_json_open: project_json.is_some(),
    });
    form_response(&console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /console/integrations/{name}`: Save & Close (an OAuth edit, or a migration).
pub async fn save(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    multipart: Multipart,
) -> Response {
    let Ok(mut input) = Input::read(multipart).await else {
        // A form the browser could not have sent (cut short, not multipart).
        return console.error_page(
            StatusCode::BAD_REQUEST,
            console.t().get("error_bad_body").to_owned(),
        );
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

/// The changes the form makes to `current`: only the fields that differ from it.
fn changes(input: &Input, current: &IntegrationConfig) -> UpdateIntegration {
    let was = Input::of_config(current);
    let changed = |new: &str, old: &str| (new.trim() != old.trim()).then(|| new.trim().to_owned());
    let same_solution = input
        .solution()
        .is_ok_and(|s| s.to_stored() == current.cloud_solution.to_stored());
    let same_scopes = Scopes::parse(&input.scopes).is_ok_and(|s| s.to_string() == was.scopes);
    UpdateIntegration {
        title: changed(&input.title, &was.title),
        cloud_solution: (!same_solution).then(|| input.raw_solution()),
        authorization_server: changed(&input.authorization_server, &was.authorization_server)
            .filter(|s| !s.is_empty()),
        client_id: changed(&input.client_id, &was.client_id),
        client_secret: input.client_secret.clone(),
        scopes: (!same_scopes).then(|| StringList::One(input.scopes.clone())),
        org_id: changed(&input.org_id, &was.org_id),
        console_org_id: cleared_or_changed(&input.console_org_id, &was.console_org_id),
        credential_id: cleared_or_changed(&input.credential_id, &was.credential_id),
        rotate_every_days: cleared_or_changed(&input.rotate_every_days, &was.rotate_every_days)
            .map(|v| v.map_or(serde_json::Value::Null, serde_json::Value::String)),
        verify: Some(input.verify()),
        ..UpdateIntegration::default()
    }
}

/// An optional field's change: absent when the same, `Some(None)` when emptied.
#[allow(clippy::option_option)] // keep, clear, or set
fn cleared_or_changed(new: &str, old: &str) -> Option<Option<String>> {
    let new = new.trim();
    (new != old.trim()).then(|| (!new.is_empty()).then(|| new.to_owned()))
}

async fn save_edit(
    state: &AppState,
    console: &Console,
    current: IntegrationConfig,
    mut input: Input,
) -> Response {
    let mut errors = Errors::new();
    let Ok(expected) = Revision::parse(&input.revision) else {
        // The form's hidden revision was changed by hand.
        return console.error_page(
            StatusCode::BAD_REQUEST,
            console.t().get("error_invalid_body").to_owned(),
        );
    };
    if current.auth_type() == AuthType::OAuth && current.revision != expected {
        return conflict_page(state, console, &current.name, &mut input).await;
    }
    let body = changes(&input, &current);
    let back = link(
        "/console/integrations",
        [("selected", current.name.as_str())],
    );
    if body.is_empty() {
        return see_other_with(&back, &Flash::Unchanged);
    }
    let alerts = match state
        .services
        .update_integration(&console.caller, current.name.as_str(), expected, &body)
        .await
    {
        Ok(saved) => return see_other_with(&back, &Flash::Saved(saved.title.to_string())),
        Err(e) => match refusal(console, &input, &mut errors, e) {
            Refusal::Page(page) => return page,
            Refusal::Conflict => {
                return conflict_page(state, console, &current.name, &mut input).await;
            }
            Refusal::Form(alerts) => alerts,
        },
    };
    let secret_dropped = input.client_secret.is_some();
    let page = build_form(FormParts {
        console,
        mode: Mode::of(&current, true),
        config: Some(&current),
        input: &input,
        errors,
        alerts,
        secret_dropped,
        dc_json_open: false,
    });
    form_response(console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// What IMS said when it refused the new OAuth details: its reason, error and debug id.
fn verification_alert(
    t: super::super::i18n::Texts,
    message: String,
    error: &imsbridge_ims::TokenError,
) -> AlertView {
    let mut alert = AlertView::new("error", "verification-failed", t.get("verification_failed"))
        .message(t.get("verification_failed_body"));
    alert
        .details
        .push((t.get("ims_reason").to_owned(), message, "reason"));
    alert.details.push((
        t.get("ims_error").to_owned(),
        error.error_code(),
        "ims_error",
    ));
    if let Some(id) = error.debug_id() {
        alert
            .details
            .push((t.get("debug_id").to_owned(), id.to_owned(), "debug_id"));
    }
    alert
}

async fn save_migration(
    state: &AppState,
    console: &Console,
    config: IntegrationConfig,
    mut input: Input,
) -> Response {
    let t = console.t();
    let mut errors = Errors::new();
    let Ok(expected) = Revision::parse(&input.revision) else {
        // The form's hidden revision was changed by hand.
        return console.error_page(
            StatusCode::BAD_REQUEST,
            console.t().get("error_invalid_body").to_owned(),
        );
    };
    // A stale form is a conflict before its fields are read; an auto-provisioned or already
    // migrated configuration is the service's to refuse.
    if config.revision != expected && config.check_manual_migration().is_ok() {
        return conflict_page(state, console, &config.name, &mut input).await;
    }
    let project_json = input.project_json_value();
    apply_project_json(&mut input);
    input.project_json.clear();
    let body = MigrateIntegration {
        revision: None,
        client_id: Some(input.client_id.clone()),
        client_secret: input.client_secret.clone(),
        scopes: Some(StringList::One(input.scopes.clone())),
        org_id: Some(input.org_id.clone()),
        technical_account_id: Some(input.technical_account_id.clone()),
        project_json: project_json.clone(),
        // The console always verifies, so a kept secret is proven before saving.
        verify: Some(true),
    };
    let result = state
        .services
        .migrate_integration(&console.caller, config.name.as_str(), expected, &body)
        .await;
    let mut alerts = jwt_alerts(t, Mode::Migrate);
    match result {
        Ok(migrated) => {
            return see_other_with(
                &link(
                    "/console/integrations",
                    [("selected", migrated.name.as_str())],
                ),
                &Flash::Migrated(migrated.title.to_string()),
            );
        }
        Err(ServiceError::Conflict {
            code: ErrorCode::AutoProvisioned,
            ..
        }) => {
            let mut alerts = jwt_alerts(t, Mode::Auto);
            alerts.insert(
                0,
                AlertView::new("error", "save-error", t.get("not_saved"))
                    .message(t.get("auto_provisioned_note")),
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
        Err(ServiceError::VerificationFailed { message, error, .. }) => {
            alerts.insert(0, verification_alert(t, message, &error));
        }
        Err(e) => match refusal(console, &input, &mut errors, e) {
            Refusal::Page(page) => return page,
            Refusal::Conflict => {
                return conflict_page(state, console, &config.name, &mut input).await;
            }
            Refusal::Form(more) => {
                for (i, alert) in more.into_iter().enumerate() {
                    alerts.insert(i, alert);
                }
            }
        },
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
        dc_json_open: project_json.is_some(),
    });
    form_response(console, StatusCode::UNPROCESSABLE_ENTITY, &page)
}
