//! `/api/v1/integrations/{name}/secrets` and `/rotate-secret`: the credential's client
//! secrets through Adobe's I/O Management API, and rotating them without downtime.

use axum::extract::State;
use imsbridge_service::rotation::{RotateSecret, RotationPassReport, RotationView, SecretsView};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, OptionalJson, Path};
use crate::state::AppState;

/// Lists the credential's client secrets: uuid, creation, last use and which one imsbridge
/// holds; never a value. Needs `console_org_id` and `credential_id` on the configuration.
#[utoipa::path(
    get, path = "/api/v1/integrations/{name}/secrets", tag = "rotation",
    params(("name" = String, Path, description = "Configuration name")),
    responses(
        (status = 200, description = "The credential's secrets", body = SecretsView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Not OAuth (`not_oauth`), or no Developer Console ids (`rotation_not_configured`)", body = ErrorBody),
        (status = 422, description = "The name is not a valid configuration name", body = ErrorBody),
        (status = 502, description = "Adobe's I/O Management API refused (`io_management_refused`), with what to fix", body = ErrorBody),
        (status = 503, description = "Adobe's I/O Management API is unavailable (`io_management_unavailable`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<SecretsView>, ApiError> {
    Ok(Json(state.services.list_secrets(&caller, &name).await?))
}

/// Rotates the client secret: adds a new one, verifies it with IMS, switches the
/// configuration to it (a new revision; tokens already served stay valid), then retires
/// the old one per `delete_old`. Answers once switched (or failed); an interrupted rotation
/// of the configuration is resumed instead.
#[utoipa::path(
    post, path = "/api/v1/integrations/{name}/rotate-secret", tag = "rotation",
    params(("name" = String, Path, description = "Configuration name")),
    request_body = RotateSecret,
    responses(
        (status = 200, description = "The rotation's state: `switched`, `pending_delete`, `completed` or `failed` (with `reason`)", body = RotationView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Two secrets already (`two_secrets`, naming them and their last use), not OAuth, no Developer Console ids, or the configuration changed meanwhile", body = ErrorBody),
        (status = 422, description = "Bad `delete_old` or `grace_hours`, or a name that is not a valid configuration name", body = ErrorBody),
        (status = 502, description = "Adobe's I/O Management API refused", body = ErrorBody),
        (status = 503, description = "Adobe's I/O Management API or IMS unavailable; run it again to resume", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    OptionalJson(body): OptionalJson<RotateSecret>,
) -> Result<Json<RotationView>, ApiError> {
    Ok(Json(
        state.services.rotate_secret(&caller, &name, &body).await?,
    ))
}

/// Runs the rotation pass now (as the background job does): advances unfinished
/// rotations, then rotates every configuration whose `rotate_every_days` is due.
#[utoipa::path(
    post, path = "/api/v1/rotations/run-due", tag = "rotation",
    responses(
        (status = 200, description = "What the pass did", body = RotationPassReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn run_due(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RotationPassReport>, ApiError> {
    Ok(Json(state.services.rotate_all_due(&caller).await?))
}
