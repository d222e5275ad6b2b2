//! `GET /console/tools`: Tools › Security, the parents in every page's breadcrumb, as a page
//! that lists the console's security tools (those the caller may use).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::Console;
use super::view::Chrome;
use crate::state::AppState;

/// The Tools page.
#[derive(Template)]
#[template(path = "console/tools.html")]
pub struct ToolsPage {
    /// Chrome.
    pub page: Chrome,
}

/// `GET /console/tools`.
pub async fn page(State(state): State<AppState>, console: Console) -> Response {
    let view = ToolsPage {
        page: console
            .chrome("tools")
            .titled(console.t().get("tools"))
            .with_flash(console.flash_view(&state).await),
    };
    console.page(&view)
}
