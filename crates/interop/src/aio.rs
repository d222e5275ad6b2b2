//! The aio CLI's configuration: `ims.contexts.<name>` objects in its JSON (Hjson) config
//! files (`~/.config/aio`, a project's `.aio`), or `AIO_IMS_CONTEXTS_…` lines of a `.env`.
//!
//! An OAuth Server-to-Server context holds `client_id`, `client_secrets`, `scopes`,
//! `ims_org_id`, `technical_account_id` and `technical_account_email`; a JWT one holds
//! `client_id`, `client_secret`, `technical_account_id`, `meta_scopes`, `ims_org_id` and
//! `private_key`, but never the certificate imsbridge keeps with it.

use std::path::{Path, PathBuf};

use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, Credentials, ExposeSecret, IntegrationConfig,
    Metascopes, Name, OAuthCredentials, OrgId, Scopes, SecretString, TechnicalAccountId, Title,
};
use serde_json::{Map, Value, json};

use crate::export::{AIO_CONFIG_FILE, ExportBundle, ExportFile, ExportOptions, Skipped};
use crate::fields::FieldReader;
use crate::report::{
    CandidateCredential, ImportCandidate, ImportReport, JwtSummary, MissingReason, MissingValue,
    PartialOAuth, Problem, ProblemKind,
};
use crate::vars::Vars;
use crate::{dotenv, merge, solution};

/// IMS's stage environment, which a context's `env: "stage"` selects.
pub const STAGE_SERVER: &str = "https://ims-na1-stg1.adobelogin.com";

/// A key of an object, compared without case as the aio CLI does.
fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    match get(o, key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list given as a JSON list, a JSON list in a string (from a `.env`), or a comma list.
fn list(o: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    match get(o, key)? {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
        ),
        Value::String(s) => match serde_json::from_str::<Vec<String>>(s) {
            Ok(items) => Some(items),
            Err(_) => Some(
                s.split([',', ' '])
                    .filter(|i| !i.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        },
        _ => None,
    }
}

/// `AIO_IMS_CONTEXTS_MY__CTX_CLIENT__ID=…` → `{"ims":{"contexts":{"my_ctx":{"client_id":…}}}}`:
/// a single `_` separates keys, a double one is a literal `_`, as in the aio CLI.
fn from_env_lines(vars: Vec<(String, String)>) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, value) in vars {
        let Some(rest) = key
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("AIO_"))
            .map(|_| &key[4..])
        else {
            continue;
        };
        let path: Vec<String> = rest
            .to_lowercase()
            .replace("__", "\u{0}")
            .split('_')
            .map(|p| p.replace('\u{0}', "_"))
            .collect();
        let mut node = &mut root;
        for (i, part) in path.iter().enumerate() {
            let Value::Object(map) = node else { break };
            if i + 1 == path.len() {
                map.insert(part.clone(), Value::String(value.clone()));
                break;
            }
            node = map
                .entry(part.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

/// Whether `path` is a file this format may read.
pub fn accepts_path(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(name, "aio" | ".aio" | ".env") || matches!(ext.as_str(), "json" | "hjson" | "env")
}

/// Reads aio CLI configuration files and turns their IMS contexts into candidates.
pub fn parse_aio(files: &[(PathBuf, String)]) -> ImportReport {
    let mut report = ImportReport::default();
    let mut found = Vec::new();
    for (path, content) in files {
        let trimmed = content.trim_start_matches('\u{feff}').trim_start();
        let root = if trimmed.starts_with('{') {
            match deser_hjson::from_str::<Value>(trimmed) {
                Ok(v) => v,
                Err(e) => {
                    report.problems.push(Problem::new(
                        path,
                        ProblemKind::Syntax,
                        format!("not an aio configuration file (JSON): {e}"),
                    ));
                    continue;
                }
            }
        } else if trimmed.is_empty() {
            report.ignored.push(path.clone());
            continue;
        } else if let Ok(vars) = dotenv::read(content) {
            from_env_lines(vars)
        } else {
            report.problems.push(Problem::new(
                path,
                ProblemKind::Unsupported,
                "neither JSON nor a .env file; the aio CLI can also keep YAML, which imsbridge does not read: save the configuration as JSON",
            ));
            continue;
        };
        let contexts = root
            .as_object()
            .and_then(|o| get(o, "ims"))
            .and_then(Value::as_object)
            .and_then(|o| get(o, "contexts"))
            .and_then(Value::as_object);
        let Some(contexts) = contexts else {
            report.ignored.push(path.clone());
            continue;
        };
        for (ctx, data) in contexts {
            let Some(data) = data.as_object() else {
                continue;
            };
            // The CLI's own login (`cli`) and other user contexts hold tokens, no credential.
            if text(data, "client_id").is_none() {
                continue;
            }
            if let Some(c) = context(path, ctx, data, &mut report.problems) {
                found.push(c);
            }
        }
    }
    report.candidates = merge::settle(found, &mut report.problems);
    report
}

fn context(
    path: &Path,
    ctx: &str,
    data: &Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Option<ImportCandidate> {
    let vars = Vars::new();
    let mut f = FieldReader::new(path, &vars);
    let candidate = read_context(&mut f, path, ctx, data);
    let failed = !f.problems.is_empty();
    problems.append(&mut f.problems);
    candidate.filter(|_| !failed)
}

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
fn read_context(
    f: &mut FieldReader<'_>,
    path: &Path,
    ctx: &str,
    data: &Map<String, Value>,
) -> Option<ImportCandidate> {
    let key = |k: &str| format!("ims.contexts.{ctx}.{k}");
    if get(data, "redirect_uri").is_some() && get(data, "scopes").is_none() {
        f.problems.push(Problem::new(
            path,
            ProblemKind::Unsupported,
            format!("the context {ctx} is an OAuth web (user) integration; only server-to-server credentials are imported"),
        ));
        return None;
    }
    let mut notes = Vec::new();
    let hint = get(data, "imsbridge").and_then(Value::as_object);
    let Some(name) = Name::parse(ctx).ok().or_else(|| Name::slugify(ctx)) else {
        f.problems.push(Problem::new(
            path,
            ProblemKind::InvalidValue,
            format!("the context name {ctx:?} gives no usable configuration name"),
        ));
        return None;
    };
    if name.as_str() != ctx {
        notes.push(format!("named {name} after the context {ctx}"));
    }
    let title = hint
        .and_then(|h| text(h, "title"))
        .and_then(|t| Title::parse(&t).ok())
        .unwrap_or_else(|| {
            Title::parse(ctx)
                .unwrap_or_else(|_| Title::parse(name.as_str()).expect("a name is a title"))
        });
    let server = match (
        hint.and_then(|h| text(h, "authorization_server")),
        text(data, "env"),
    ) {
        (Some(s), _) => f.parse(
            &key("imsbridge.authorization_server"),
            Some(s),
            AuthorizationServer::parse,
        )?,
        (None, Some(env)) if env.eq_ignore_ascii_case("stage") => {
            AuthorizationServer::parse(STAGE_SERVER).expect("the stage server parses")
        }
        _ => AuthorizationServer::default(),
    };
    let client_id = f.parse(&key("client_id"), text(data, "client_id"), ClientId::parse)?;
    let org_id = if let Some(o) = text(data, "ims_org_id") {
        f.parse(&key("ims_org_id"), Some(o), OrgId::parse)
    } else {
        f.absent(&key("ims_org_id"));
        None
    };
    let technical_account_id = f.parse(
        &key("technical_account_id"),
        text(data, "technical_account_id"),
        TechnicalAccountId::parse,
    );
    let scopes = list(data, "scopes");
    let metascopes = list(data, "meta_scopes");
    let jwt = scopes.is_none() && (metascopes.is_some() || get(data, "private_key").is_some());
    if scopes.is_none() && !jwt {
        f.absent(&key("scopes"));
    }
    let scopes = scopes.and_then(|s| f.parse(&key("scopes"), Some(s.join(",")), Scopes::parse));
    let metascopes = metascopes.and_then(|m| {
        let codes: Vec<String> = m
            .iter()
            .map(|s| s.rsplit('/').next().unwrap_or(s).to_owned())
            .collect();
        f.parse(
            &key("meta_scopes"),
            Some(codes.join(",")),
            Metascopes::parse,
        )
    });
    let cloud_solution = match hint.and_then(|h| text(h, "cloud_solution")) {
        Some(s) => f.parse(
            &key("imsbridge.cloud_solution"),
            Some(s),
            CloudSolution::parse,
        )?,
        None => solution::guess(
            scopes.iter().flat_map(Scopes::iter),
            metascopes
                .iter()
                .flat_map(|m| m.iter().map(imsbridge_domain::Metascope::as_str)),
            &[ctx, title.as_str()],
            &title,
        ),
    };
    let credential = if jwt {
        CandidateCredential::NeedsCertificate(JwtSummary {
            client_id,
            org_id: org_id.clone(),
            technical_account_id: technical_account_id.clone(),
            metascopes,
            reason: format!(
                "the context {ctx} is a Service Account (JWT) credential, and aio contexts carry no certificate; migrate it to OAuth Server-to-Server in the Developer Console and import that context"
            ),
        })
    } else {
        let secrets = list(data, "client_secrets")
            .or_else(|| text(data, "client_secret").map(|s| vec![s]))
            .unwrap_or_default();
        let mut secrets = secrets.into_iter().filter(|s| !s.is_empty());
        let secret = secrets.next();
        if secrets.next().is_some() {
            notes.push("the context lists two client secrets; the first is imported".into());
        }
        match (secret, &scopes, &org_id) {
            (Some(s), Some(scopes), Some(org_id)) => CandidateCredential::Ready(OAuthCredentials {
                client_id,
                client_secret: SecretString::from(s),
                scopes: scopes.clone(),
                org_id: org_id.clone(),
                technical_account_id,
            }),
            (secret, _, _) => CandidateCredential::NeedsSecret(PartialOAuth {
                client_id: Some(client_id),
                scopes,
                org_id,
                technical_account_id,
                missing: if secret.is_none() {
                    vec![MissingValue {
                        file: path.to_path_buf(),
                        property: key("client_secrets"),
                        reason: MissingReason::Absent,
                    }]
                } else {
                    Vec::new()
                },
            }),
        }
    };
    Some(ImportCandidate {
        name,
        title,
        cloud_solution,
        authorization_server: server,
        credential,
        sources: vec![crate::osgi::SourceRef::of(path)],
        notes,
    })
}

/// Writes OAuth configurations as aio CLI contexts in one configuration file (secrets only
/// with [`ExportOptions::include_secrets`]).
pub fn export_aio(configs: &[IntegrationConfig], options: ExportOptions) -> ExportBundle {
    let mut bundle = ExportBundle::default();
    let mut contexts = Map::new();
    for c in configs {
        let Credentials::OAuth(oauth) = &c.credentials else {
            bundle.skipped.push(Skipped {
                name: c.name.clone(),
                reason: "a Service Account (JWT) configuration; migrate it to OAuth Server-to-Server first".into(),
            });
            continue;
        };
        let mut ctx = json!({
            "client_id": oauth.client_id.as_str(),
            "ims_org_id": oauth.org_id.as_str(),
            "scopes": oauth.scopes.iter().collect::<Vec<_>>(),
            "imsbridge": {
                "title": c.title.as_str(),
                "cloud_solution": c.cloud_solution.to_stored(),
                "authorization_server": c.authorization_server.as_str(),
            },
        });
        if let Some(t) = &oauth.technical_account_id {
            ctx["technical_account_id"] = json!(t.as_str());
        }
        if c.authorization_server == AuthorizationServer::default() {
            ctx["env"] = json!("prod");
        } else if c.authorization_server.as_str() == STAGE_SERVER {
            ctx["env"] = json!("stage");
        }
        if options.include_secrets {
            ctx["client_secrets"] = json!([oauth.client_secret.expose_secret()]);
        }
        contexts.insert(c.name.to_string(), ctx);
    }
    let doc = json!({ "ims": { "contexts": contexts } });
    let mut contents = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    contents.push('\n');
    bundle.files.push(ExportFile {
        path: PathBuf::from(AIO_CONFIG_FILE),
        contents,
        private: options.include_secrets,
    });
    bundle
}
