//! Reading the OAuth Server-to-Server details out of a Developer Console project JSON (the
//! file the Developer Console offers as "Download JSON" for a project or workspace):
//! `project.org.ims_org_id` and `project.workspace.details.credentials[].oauth_server_to_server
//! { client_id, client_secrets[], scopes[], technical_account_id }`, and the numeric ids the
//! I/O Management API addresses: `project.org.id` and the credential's `id`.

use imsbridge_domain::{
    ClientId, ConsoleOrgId, CredentialId, OrgId, ParseError, Scopes, SecretString,
    TechnicalAccountId,
};
use serde_json::Value;

/// The OAuth fields found in a project JSON.
#[derive(Debug, Clone)]
pub struct ProjectOAuth {
    /// The project's title or name, when present.
    pub project_title: Option<String>,
    /// The credential's client id.
    pub client_id: ClientId,
    /// The credential's client secrets (a credential has up to two); the first is used.
    pub client_secrets: Vec<SecretString>,
    /// The credential's scopes.
    pub scopes: Scopes,
    /// The project's organization.
    pub org_id: OrgId,
    /// The credential's technical account, when present.
    pub technical_account_id: Option<TechnicalAccountId>,
    /// The Developer Console's numeric organization id (`project.org.id`), when present.
    pub console_org_id: Option<ConsoleOrgId>,
    /// The Developer Console's numeric credential id (the credential's `id`), when present.
    pub credential_id: Option<CredentialId>,
}

/// A numeric Developer Console id, given as text or as a number; anything else is absent.
fn console_id(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Why a project JSON could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("project_json: {0}")]
pub struct ProjectJsonError(pub String);

fn field(e: &ParseError) -> ProjectJsonError {
    ProjectJsonError(format!("the credential's {e}"))
}

/// Extracts the OAuth Server-to-Server credential. When the project has several, `client_id`
/// chooses one.
pub fn parse(json: &Value, client_id: Option<&ClientId>) -> Result<ProjectOAuth, ProjectJsonError> {
    let project = json.get("project").unwrap_or(json);
    if !project.is_object() {
        return Err(ProjectJsonError(
            "is not a Developer Console project JSON: expected an object with a \"project\" member (download it from the project's page in the Adobe Developer Console)".into(),
        ));
    }
    let credentials = project
        .pointer("/workspace/details/credentials")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ProjectJsonError(
                "has no project.workspace.details.credentials list; download the JSON of the workspace that holds the credential".into(),
            )
        })?;
    let oauth: Vec<(&Value, &Value)> = credentials
        .iter()
        .filter_map(|c| c.get("oauth_server_to_server").map(|o| (c, o)))
        .filter(|(_, o)| o.is_object())
        .collect();
    let chosen = match (oauth.as_slice(), client_id) {
        ([], _) => {
            return Err(ProjectJsonError(
                "holds no OAuth Server-to-Server credential; add one to the project in the Adobe Developer Console (or migrate its JWT credential there) and download the JSON again".into(),
            ));
        }
        ([one], None) => *one,
        (many, Some(wanted)) => many
            .iter()
            .find(|(_, c)| c.get("client_id").and_then(Value::as_str) == Some(wanted.as_str()))
            .copied()
            .ok_or_else(|| {
                ProjectJsonError(format!(
                    "holds no OAuth Server-to-Server credential with client id {wanted}"
                ))
            })?,
        (_, None) => {
            return Err(ProjectJsonError(
                "holds several OAuth Server-to-Server credentials; also send client_id to choose one".into(),
            ));
        }
    };
    let (credential, chosen) = chosen;
    let client_id = ClientId::parse(
        chosen
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )
    .map_err(|e| field(&e))?;
    let client_secrets: Vec<SecretString> = chosen
        .get("client_secrets")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(|s| SecretString::from(s.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let scopes = match chosen.get("scopes") {
        Some(Value::Array(items)) => {
            Scopes::from_items(items.iter().filter_map(Value::as_str)).map_err(|e| field(&e))?
        }
        Some(Value::String(s)) => Scopes::parse(s).map_err(|e| field(&e))?,
        _ => {
            return Err(ProjectJsonError("the credential lists no scopes".into()));
        }
    };
    let org_raw = project
        .pointer("/org/ims_org_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ProjectJsonError("has no project.org.ims_org_id".into()))?;
    let org_id = OrgId::parse(org_raw).map_err(|e| field(&e))?;
    let technical_account_id = chosen
        .get("technical_account_id")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(TechnicalAccountId::parse)
        .transpose()
        .map_err(|e| field(&e))?;
    let project_title = ["title", "name"]
        .iter()
        .filter_map(|k| project.get(*k).and_then(Value::as_str))
        .find(|s| !s.trim().is_empty())
        .map(str::to_owned);
    // Older downloads and hand-made files may carry other ids; only numeric ones address the
    // I/O Management API, so anything else is left for the admin to fill in.
    let console_org_id =
        console_id(project.pointer("/org/id")).and_then(|s| ConsoleOrgId::parse(&s).ok());
    let credential_id = console_id(credential.get("id")).and_then(|s| CredentialId::parse(&s).ok());
    Ok(ProjectOAuth {
        project_title,
        client_id,
        client_secrets,
        scopes,
        org_id,
        technical_account_id,
        console_org_id,
        credential_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use imsbridge_domain::ExposeSecret;
    use serde_json::json;

    fn sample() -> Value {
        json!({"project": {
            "id": "1", "name": "proj", "title": "Target prod",
            "org": {"id": "x", "name": "Org", "ims_org_id": "12345678ABCDEF1234567890@AdobeOrg"},
            "workspace": {"details": {"credentials": [
                {"id": "c1", "integration_type": "service", "jwt": {"client_id": "old"}},
                {"id": "c2", "integration_type": "oauth_server_to_server", "oauth_server_to_server": {
                    "client_id": "abc123", "client_secrets": ["p8e-secret-one-xyz", "p8e-secret-two"],
                    "technical_account_id": "A1B2@techacct.adobe.com",
                    "scopes": ["openid", "AdobeID", "target_sdk"]}}
            ]}}
        }})
    }

    #[test]
    fn the_oauth_credential_of_a_project_json_is_found() {
        let p = parse(&sample(), None).unwrap();
        assert_eq!(p.client_id.as_str(), "abc123");
        assert_eq!(p.client_secrets[0].expose_secret(), "p8e-secret-one-xyz");
        assert_eq!(p.scopes.to_string(), "openid,AdobeID,target_sdk");
        assert_eq!(p.org_id.as_str(), "12345678ABCDEF1234567890@AdobeOrg");
        assert_eq!(p.project_title.as_deref(), Some("Target prod"));
        assert_eq!(
            p.console_org_id, None,
            "\"x\" is not a Developer Console id"
        );
        assert_eq!(p.credential_id, None);
    }

    #[test]
    fn numeric_console_ids_of_a_project_json_are_kept() {
        let mut v = sample();
        v["project"]["org"]["id"] = json!("1234567");
        v["project"]["workspace"]["details"]["credentials"][1]["id"] = json!(445_566);
        let p = parse(&v, None).unwrap();
        assert_eq!(p.console_org_id.unwrap().as_str(), "1234567");
        assert_eq!(p.credential_id.unwrap().as_str(), "445566");
    }

    #[test]
    fn a_project_without_oauth_credentials_is_explained() {
        let mut v = sample();
        v["project"]["workspace"]["details"]["credentials"] = json!([]);
        let e = parse(&v, None).unwrap_err();
        assert!(e.to_string().contains("OAuth Server-to-Server"), "{e}");
        assert!(parse(&json!(42), None).is_err());
        assert!(parse(&json!({"project": {}}), None).is_err());
    }
}
