//! Deleting a configuration: the confirmation page and its form.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use imsbridge_domain::Revision;
use serde::Deserialize;

use super::super::flash::Flash;
use super::super::pages::DeletePage;
use super::super::{Console, see_other_with};
use super::list::auth_label;
use super::load;
use crate::extract::Path;
use crate::state::AppState;

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
        page: console.chrome("integrations").titled(format!(
            "{} · {}",
            t.get("delete_heading"),
            config.title
        )),
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

/// `POST /console/integrations/{name}/delete` → the service's delete, only at the revision
/// seen.
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
    let expected = form
        .revision
        .as_deref()
        .and_then(|r| Revision::parse(r).ok());
    match state
        .services
        .delete_integration(&console.caller, config.name.as_str(), expected)
        .await
    {
        Ok(()) => see_other_with(
            "/console/integrations",
            &Flash::Deleted(config.title.to_string()),
        ),
        Err(e) => console.service_error_page(e),
    }
}
