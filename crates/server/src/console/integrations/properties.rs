//! Properties of a configuration (OAuth editable, JWT read-only with the Authentication Type
//! switch), and the page shown when someone else changed it meanwhile.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::{IntegrationConfig, Name};
use serde::Deserialize;

use super::super::Console;
use super::super::i18n::Texts;
use super::super::pages::{AlertView, ConflictRow};
use super::form::{Errors, FormParts, Input, Mode, build_form, form_response, jwt_alerts};
use super::list::auth_label;
use super::load;
use crate::extract::Path;
use crate::state::AppState;

/// `?auth_type=oauth` on Properties: the Authentication Type switch without JavaScript.
#[derive(Debug, Default, Deserialize)]
pub struct PropertiesQuery {
    auth_type: Option<String>,
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
                auth: "",
                hidden: false,
            },
        );
    }
    let mut page = build_form(FormParts {
        console: &console,
        mode,
        config: Some(&config),
        input: &input,
        errors: Errors::new(),
        alerts,
        secret_dropped: false,
        dc_json_open: false,
    });
    if mode == Mode::Edit {
        page.secrets = Some(super::rotation::secrets_panel(&state, &console, &config).await);
    }
    console.page(&page)
}

/// The rows of a conflict: what the user entered against what is stored now.
fn conflict_rows(t: Texts, input: &Input, current: &IntegrationConfig) -> Vec<ConflictRow> {
    let now = Input::of_config(current);
    let solution_label = |i: &Input| {
        i.solution()
            .map_or_else(|_| i.cloud_solution.clone(), |s| s.label().to_owned())
    };
    let yours_auth = if input.mode == "migrate" || input.mode == "edit" {
        t.get("auth_oauth")
    } else {
        t.get("auth_jwt")
    };
    let mut rows = vec![(
        "auth_type",
        t.get("auth_type"),
        yours_auth.to_owned(),
        auth_label(t, current.auth_type()).to_owned(),
    )];
    if input.mode == "edit" {
        rows.push((
            "title",
            t.get("title"),
            input.title.clone(),
            now.title.clone(),
        ));
        rows.push((
            "cloud_solution",
            t.get("cloud_solution"),
            solution_label(input),
            solution_label(&now),
        ));
        rows.push((
            "authorization_server",
            t.get("authorization_server"),
            input.authorization_server.clone(),
            now.authorization_server.clone(),
        ));
    }
    rows.extend([
        (
            "client_id",
            t.get("client_id"),
            input.client_id.clone(),
            now.client_id.clone(),
        ),
        (
            "scopes",
            t.get("scopes"),
            input.scopes.clone(),
            now.scopes.clone(),
        ),
        (
            "org_id",
            t.get("org_id"),
            input.org_id.clone(),
            now.org_id.clone(),
        ),
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
pub(super) async fn conflict_page(
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
    let mut alert = AlertView::new("error", "conflict", t.get("conflict_heading"))
        .message(t.get("conflict_body"));
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
