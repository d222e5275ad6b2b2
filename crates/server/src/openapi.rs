//! The OpenAPI document, generated from the handlers' annotations (utoipa), served at
//! `/api/openapi.json`.

use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "imsbridge",
        description = "Adobe IMS integration configurations: create OAuth Server-to-Server ones, migrate deprecated JWT ones, check health, and serve IMS access tokens to integrations.\n\nErrors are JSON `{\"error\", \"message\"}` (plus `field`, `current_revision`, `ims_error`, `debug_id` where they apply). Changes need the `admin` role or an API token with scope `admin`; a session cookie needs the `X-CSRF-Token` header on changes.",
        license(name = "Apache-2.0"),
    ),
    paths(
        api::integrations::list,
        api::integrations::get,
        api::integrations::create,
        api::integrations::update,
        api::integrations::delete,
        api::integrations::migration_prefill,
        api::integrations::migrate,
        api::integrations::parse_project_json,
        api::rotation::secrets,
        api::rotation::rotate,
        api::rotation::run_due,
        api::import::import,
        api::tokens::token,
        api::tokens::health,
        api::session::login,
        api::session::current,
        api::session::logout,
        api::users::me,
        api::users::change_own_password,
        api::users::list,
        api::users::get,
        api::users::create,
        api::users::update,
        api::users::delete,
        api::api_tokens::list,
        api::api_tokens::get,
        api::api_tokens::create,
        api::api_tokens::revoke,
        api::audit::list,
        api::ops::healthz,
        api::ops::readyz,
        api::ops::metrics,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Security, &BodyErrors),
    tags(
        (name = "integrations", description = "IMS integration configurations"),
        (name = "migration", description = "JWT → OAuth Server-to-Server"),
        (name = "rotation", description = "Client secrets through Adobe's I/O Management API"),
        (name = "tokens", description = "IMS access tokens and health checks"),
        (name = "session", description = "Log in and out"),
        (name = "users", description = "People and roles"),
        (name = "api-tokens", description = "Tokens for automation and integrations"),
        (name = "audit", description = "Who changed what"),
        (name = "operations", description = "Probes and metrics"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ibt_…")
                    .description(Some("An imsbridge API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("imsbridge_session"))),
        );
    }
}

/// Every operation that takes a body can also answer 400 (malformed JSON), 413 (too large)
/// and 415 (not JSON); saying so once here keeps the handlers' annotations short.
struct BodyErrors;

impl Modify for BodyErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
                &mut item.get,
            ]
            .into_iter()
            .flatten()
            {
                if op.request_body.is_none() {
                    continue;
                }
                for (code, description) in [
                    ("400", "Malformed JSON"),
                    ("413", "Body too large"),
                    ("415", "Body is not JSON"),
                ] {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

/// The document as JSON text, built once.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

/// `GET /api/openapi.json`.
pub async fn serve() -> Response {
    let mut response = json().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
