//! What single sign-on changes for password sign-ins: with `allow_local_login = false` only
//! break-glass users may use a password, and SSO users never may (they have none; one set
//! through the API must not turn them into a local user).

use axum::http::StatusCode;
use imsbridge_store::User;

use crate::error::ApiError;
use crate::state::AppState;

/// Why `user`, whose password was right, may still not sign in with it: the audit reason
/// and the answer.
pub async fn local_login_refusal(
    state: &AppState,
    user: &User,
) -> Result<Option<(&'static str, ApiError)>, ApiError> {
    let how = state.store.user_sign_in(user.id).await?;
    if how.sso_issuer.is_some() {
        return Ok(Some((
            "sso_user",
            ApiError::unauthenticated(
                "the user name or password is wrong (or the user is disabled)",
            ),
        )));
    }
    let allowed = state
        .sso
        .as_ref()
        .is_none_or(|s| s.config().allow_local_login);
    if allowed || how.break_glass {
        return Ok(None);
    }
    Ok(Some((
        "local_login_disabled",
        ApiError::new(
            StatusCode::FORBIDDEN,
            imsbridge_service::ErrorCode::LocalLoginDisabled,
            "signing in with a password is turned off here (sso.allow_local_login = false); sign in through single sign-on at /auth/sso, or with a break-glass user (imsbridge users add --break-glass)",
        ),
    )))
}
