//! Verify before saving: Create, Update and migration fetch a token with the new OAuth
//! details before they commit, unless the admin explicitly saves without verifying and the
//! server allows it (`server.allow_unverified_migration`).

use imsbridge_domain::{Credentials, ExposeSecret, IntegrationConfig};
use imsbridge_ims::{ImsError, TokenError};

use crate::Services;
use crate::error::ServiceError;

/// The refusal of `verify: false` when the server requires verification.
pub(crate) const UNVERIFIED_REFUSED: &str = "this server requires OAuth details to be verified with IMS before they are saved (the setting server.allow_unverified_migration is false); leave verify at true, or ask the operator to allow unverified saves";

impl Services {
    /// Whether a save verifies: `verify` as the caller asked (default true), refused when
    /// the caller asks not to and the server does not allow it.
    pub(crate) fn wants_verification(&self, verify: Option<bool>) -> Result<bool, ServiceError> {
        let verify = verify.unwrap_or(true);
        if !verify && !self.policy.allow_unverified_migration {
            return Err(ServiceError::Forbidden(UNVERIFIED_REFUSED.to_owned()));
        }
        Ok(verify)
    }

    /// Fetches a token with `config`'s OAuth details, as a migration does; IMS's refusal
    /// becomes an error beside the field it concerns, an unreachable IMS an error of its own.
    pub(crate) async fn verify_oauth(
        &self,
        config: &IntegrationConfig,
    ) -> Result<(), ServiceError> {
        let Credentials::OAuth(oauth) = &config.credentials else {
            return Ok(());
        };
        match self
            .provider
            .verify(&config.authorization_server, oauth)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(verification_error(
                e,
                self.policy.allow_unverified_migration,
            )),
        }
    }

    /// `e`, saying that saving without verifying is allowed when this server allows it.
    pub(crate) fn offer_skip(&self, mut e: ServiceError) -> ServiceError {
        if let ServiceError::VerificationFailed { skippable, .. }
        | ServiceError::VerificationUnavailable { skippable, .. } = &mut e
        {
            *skippable = self.policy.allow_unverified_migration;
        }
        e
    }
}

/// Whether `after` asks IMS for a token with other details than `before`: another IMS, client
/// id, secret, scopes or org. A title, solution or technical account change does not.
pub(crate) fn credential_changed(before: &IntegrationConfig, after: &IntegrationConfig) -> bool {
    if before.authorization_server != after.authorization_server {
        return true;
    }
    match (&before.credentials, &after.credentials) {
        (Credentials::OAuth(b), Credentials::OAuth(a)) => {
            b.client_id != a.client_id
                || b.org_id != a.org_id
                || b.scopes.to_string() != a.scopes.to_string()
                || b.client_secret.expose_secret() != a.client_secret.expose_secret()
        }
        _ => true,
    }
}

/// IMS's refusal as a service error: permanent refusals point at a field; a failing,
/// throttling or unreachable IMS says so, and whether saving without verifying is allowed.
pub(crate) fn verification_error(error: TokenError, skippable: bool) -> ServiceError {
    if error.is_permanent() {
        let message = error
            .ims_error()
            .and_then(ImsError::description)
            .map_or_else(|| error.to_string(), ToOwned::to_owned);
        ServiceError::VerificationFailed {
            message,
            field: refused_field(&error),
            skippable,
            error: Box::new(error),
        }
    } else {
        ServiceError::VerificationUnavailable {
            skippable,
            error: Box::new(error),
        }
    }
}

/// The request field IMS's refusal points at: `scopes` for `invalid_scope`; for a refused
/// client, the field IMS's description names (`org_id`, `client_id`), else `client_secret`,
/// the detail most often mistyped.
pub(crate) fn refused_field(e: &TokenError) -> &'static str {
    let Some(ims) = e.ims_error() else {
        return "client_secret";
    };
    let code = ims.ims_code().unwrap_or_default();
    let description = ims.description().unwrap_or_default().to_ascii_lowercase();
    if code == "invalid_scope" {
        "scopes"
    } else if code.contains("org") || description.contains("org") {
        "org_id"
    } else if description.contains("secret") {
        "client_secret"
    } else if description.contains("client_id") || description.contains("client id") {
        "client_id"
    } else {
        "client_secret"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, description: &str) -> TokenError {
        TokenError::Upstream {
            error: ImsError::Rejected {
                endpoint: "https://ims.example/ims/token/v3".to_owned(),
                status: 400,
                code: Some(code.to_owned()),
                description: Some(description.to_owned()),
                debug_id: None,
                retry_after: None,
            },
            attempts: 1,
        }
    }

    #[test]
    fn each_refusal_of_ims_points_at_the_field_it_concerns() {
        let cases = [
            (
                "invalid_client",
                "invalid client_secret parameter",
                "client_secret",
            ),
            ("invalid_client", "invalid client_id parameter", "client_id"),
            ("invalid_scope", "invalid scope(s): nope", "scopes"),
            (
                "invalid_client",
                "org_id does not match the client's organization",
                "org_id",
            ),
            ("invalid_org", "no such organization", "org_id"),
            ("unauthorized_client", "not allowed", "client_secret"),
        ];
        for (code, description, field) in cases {
            assert_eq!(
                refused_field(&refused(code, description)),
                field,
                "{code}: {description}"
            );
        }
    }
}
