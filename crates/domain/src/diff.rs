//! What a change altered, for the audit log: non-secret fields by value, secrets only as
//! "(changed)".

use secrecy::ExposeSecret;

use crate::config::{Credentials, FieldChange, IntegrationConfig};

impl IntegrationConfig {
    /// The non-secret fields that differ between `self` and `after`, and whether secrets changed.
    pub fn diff(&self, after: &Self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let mut push = |field: &str, from: Option<String>, to: Option<String>| {
            if from != to {
                changes.push(FieldChange {
                    field: field.to_owned(),
                    from,
                    to,
                });
            }
        };
        push(
            "title",
            Some(self.title.to_string()),
            Some(after.title.to_string()),
        );
        push(
            "cloud_solution",
            Some(self.cloud_solution.to_stored()),
            Some(after.cloud_solution.to_stored()),
        );
        push(
            "authorization_server",
            Some(self.authorization_server.to_string()),
            Some(after.authorization_server.to_string()),
        );
        push(
            "auth_type",
            Some(self.auth_type().key().into()),
            Some(after.auth_type().key().into()),
        );
        let view = |c: &Credentials| -> [(&'static str, Option<String>); 5] {
            match c {
                Credentials::OAuth(o) => [
                    ("client_id", Some(o.client_id.to_string())),
                    ("org_id", Some(o.org_id.to_string())),
                    ("scopes", Some(o.scopes.to_string())),
                    (
                        "technical_account_id",
                        o.technical_account_id.as_ref().map(ToString::to_string),
                    ),
                    ("metascopes", None),
                ],
                Credentials::Jwt(j) => [
                    ("client_id", Some(j.api_key.to_string())),
                    ("org_id", Some(j.org_id.to_string())),
                    ("scopes", None),
                    (
                        "technical_account_id",
                        Some(j.technical_account_id.to_string()),
                    ),
                    ("metascopes", Some(j.metascopes.to_string())),
                ],
            }
        };
        for ((field, from), (_, to)) in view(&self.credentials)
            .into_iter()
            .zip(view(&after.credentials))
        {
            push(field, from, to);
        }
        for ((field, from), (_, to)) in console_view(self).into_iter().zip(console_view(after)) {
            push(field, from, to);
        }
        let secret = |c: &Credentials| match c {
            Credentials::OAuth(o) => o.client_secret.expose_secret().to_owned(),
            Credentials::Jwt(j) => j.client_secret.expose_secret().to_owned(),
        };
        if secret(&self.credentials) != secret(&after.credentials) {
            changes.push(FieldChange {
                field: "client_secret".into(),
                from: Some("(set)".into()),
                to: Some("(changed)".into()),
            });
        }
        if matches!(self.credentials, Credentials::Jwt(_))
            && matches!(after.credentials, Credentials::OAuth(_))
        {
            changes.push(FieldChange {
                field: "private_key".into(),
                from: Some("(set)".into()),
                to: Some("(destroyed)".into()),
            });
        }
        changes
    }
}

/// The Developer Console link and rotation fields of a configuration, for the diff.
fn console_view(c: &IntegrationConfig) -> [(&'static str, Option<String>); 4] {
    [
        (
            "console_org_id",
            c.console.console_org_id.as_ref().map(ToString::to_string),
        ),
        (
            "credential_id",
            c.console.credential_id.as_ref().map(ToString::to_string),
        ),
        (
            "rotate_every_days",
            c.console.rotate_every_days.map(|d| d.to_string()),
        ),
        (
            "secret_uuid",
            c.secret_uuid.as_ref().map(ToString::to_string),
        ),
    ]
}
