//! aio-lib-java's workspace configuration: the OSGi configuration of its AEM bundle
//! (`com.adobe.aio.aem.workspace.internal.WorkspaceSupplierImpl`, properties `aio.api.key`,
//! `aio.client.secret`, `aio.oauth.scopes`, …) or its `.properties` workspace files (the same
//! keys with underscores: `aio_api_key`, …).

use std::path::{Path, PathBuf};

use imsbridge_domain::{
    AuthorizationServer, ClientId, Metascopes, Name, OAuthCredentials, OrgId, Scopes,
    TechnicalAccountId, Title,
};

use crate::fields::{FieldReader, Lookup};
use crate::osgi::{FileFormat, OsgiValue, Properties, SourceRef, factory_subname, properties};
use crate::report::{
    CandidateCredential, ImportCandidate, ImportReport, JwtSummary, PartialOAuth, Problem,
    ProblemKind,
};
use crate::vars::Vars;
use crate::{merge, solution};

/// The PID of aio-lib-java's workspace configuration in AEM.
pub const WORKSPACE_PID: &str = "com.adobe.aio.aem.workspace.internal.WorkspaceSupplierImpl";

/// The workspace properties, as the OSGi configuration spells them.
pub mod keys {
    /// The IMS base URL.
    pub const IMS_URL: &str = "aio.ims.url";
    /// The organization.
    pub const IMS_ORG_ID: &str = "aio.ims.org.id";
    /// The client id.
    pub const API_KEY: &str = "aio.api.key";
    /// The client secret.
    pub const CLIENT_SECRET: &str = "aio.client.secret";
    /// OAuth scopes, comma-separated.
    pub const OAUTH_SCOPES: &str = "aio.oauth.scopes";
    /// JWT metascopes, comma-separated.
    pub const META_SCOPES: &str = "aio.meta.scopes";
    /// The JWT technical account.
    pub const TECHNICAL_ACCOUNT_ID: &str = "aio.technical.account.id";
    /// The JWT private key (base64 PKCS#8).
    pub const ENCODED_PKCS8: &str = "aio.encoded.pkcs8";
    /// The Developer Console workspace id.
    pub const WORKSPACE_ID: &str = "aio.workspace.id";
    /// The Developer Console project id.
    pub const PROJECT_ID: &str = "aio.project.id";
}

/// Whether `path` is a file this format may read.
pub fn accepts_path(path: &Path) -> bool {
    FileFormat::of(path).is_some() || path.extension().is_some_and(|e| e == "properties")
}

/// Reads aio-lib-java workspace configurations (OSGi files of its AEM bundle, or
/// `.properties` workspace files) and resolves their placeholders.
pub fn parse_aio_lib_java(files: &[(PathBuf, String)], vars: &Vars) -> ImportReport {
    let mut report = ImportReport::default();
    let mut found = Vec::new();
    for (path, content) in files {
        let (props, base) = if path.extension().is_some_and(|e| e == "properties") {
            match properties::read(content) {
                Ok(map)
                    if map
                        .keys()
                        .any(|k| k.starts_with("aio_") || k.starts_with("aio.")) =>
                {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    let base = Name::slugify(stem)
                        .map_or_else(|| "aio-workspace".to_owned(), |n| n.to_string());
                    let props: Properties = map
                        .into_iter()
                        .map(|(k, v)| (k.replace('_', "."), OsgiValue::string(v)))
                        .collect();
                    (props, base)
                }
                Ok(_) => {
                    report.ignored.push(path.clone());
                    continue;
                }
                Err(e) => {
                    report
                        .problems
                        .push(Problem::new(path, ProblemKind::Syntax, e.message).line(e.line));
                    continue;
                }
            }
        } else {
            let Some((format, stem)) = FileFormat::of(path) else {
                report.ignored.push(path.clone());
                continue;
            };
            if factory_subname(&stem, WORKSPACE_PID).is_none() {
                report.ignored.push(path.clone());
                continue;
            }
            match format.read(content) {
                Ok(props) => (props, "aio-workspace".to_owned()),
                Err(e) => {
                    report
                        .problems
                        .push(Problem::new(path, ProblemKind::Syntax, e.message).line(e.line));
                    continue;
                }
            }
        };
        let mut f = FieldReader::new(path, vars);
        let candidate = workspace(&mut f, path, &props, &base);
        let failed = !f.problems.is_empty();
        report.problems.append(&mut f.problems);
        if let Some(c) = candidate.filter(|_| !failed) {
            found.push(c);
        }
    }
    report.candidates = merge::settle(found, &mut report.problems);
    report
}

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
fn workspace(
    f: &mut FieldReader<'_>,
    path: &Path,
    props: &Properties,
    base: &str,
) -> Option<ImportCandidate> {
    let mut get = |key: &str| -> Lookup { f.resolve(key, props.get(key).map(OsgiValue::text)) };
    let ims_url = get(keys::IMS_URL);
    let api_key = get(keys::API_KEY);
    let org = get(keys::IMS_ORG_ID);
    let secret = get(keys::CLIENT_SECRET);
    let oauth_scopes = get(keys::OAUTH_SCOPES);
    let meta_scopes = get(keys::META_SCOPES);
    let technical = get(keys::TECHNICAL_ACCOUNT_ID);
    let workspace_id = get(keys::WORKSPACE_ID).text();
    let has_key = |k: &str| props.contains_key(k);
    let jwt = !has_key(keys::OAUTH_SCOPES)
        && (has_key(keys::META_SCOPES) || has_key(keys::ENCODED_PKCS8));

    let name = Name::parse(base).ok()?;
    let title = Title::parse(&match &workspace_id {
        Some(id) => format!("Adobe I/O workspace {id}"),
        None => "Adobe I/O workspace".to_owned(),
    })
    .ok()?;
    let server = match ims_url.text() {
        Some(u) => f.parse(keys::IMS_URL, Some(u), AuthorizationServer::parse)?,
        None => AuthorizationServer::default(),
    };
    if matches!(api_key, Lookup::Absent) {
        f.absent(keys::API_KEY);
    }
    let client_id = f.parse(keys::API_KEY, api_key.text(), ClientId::parse);
    if matches!(org, Lookup::Absent) {
        f.absent(keys::IMS_ORG_ID);
    }
    let org_id = f.parse(keys::IMS_ORG_ID, org.text(), OrgId::parse);
    let technical_account_id = f.parse(
        keys::TECHNICAL_ACCOUNT_ID,
        technical.text(),
        TechnicalAccountId::parse,
    );
    let fallback = Title::parse("Adobe I/O").expect("a valid title");
    if jwt {
        let metascopes = meta_scopes.text().and_then(|m| {
            let codes: Vec<&str> = m
                .split(',')
                .map(|s| s.trim().rsplit('/').next().unwrap_or(s))
                .collect();
            f.parse(keys::META_SCOPES, Some(codes.join(",")), Metascopes::parse)
        });
        let cloud_solution = solution::guess(
            [],
            metascopes
                .iter()
                .flat_map(|m| m.iter().map(imsbridge_domain::Metascope::as_str)),
            &[base],
            &fallback,
        );
        return Some(ImportCandidate {
            name,
            title,
            cloud_solution,
            authorization_server: server,
            credential: CandidateCredential::NeedsCertificate(JwtSummary {
                client_id: client_id?,
                org_id,
                technical_account_id,
                metascopes,
                reason: "a Service Account (JWT) workspace: its private key (aio.encoded.pkcs8) comes without the certificate the Developer Console binds to it; migrate the credential to OAuth Server-to-Server and set aio.oauth.scopes".into(),
            }),
            sources: vec![SourceRef::of(path)],
            notes: Vec::new(),
        });
    }
    if matches!(oauth_scopes, Lookup::Absent) {
        f.absent(keys::OAUTH_SCOPES);
    }
    let scopes = f.parse(keys::OAUTH_SCOPES, oauth_scopes.text(), Scopes::parse);
    let client_secret = f.secret(keys::CLIENT_SECRET, secret);
    let cloud_solution =
        solution::guess(scopes.iter().flat_map(Scopes::iter), [], &[base], &fallback);
    let credential = match (&client_id, &scopes, &org_id, client_secret) {
        (Some(c), Some(s), Some(o), Some(secret)) if f.missing.is_empty() => {
            CandidateCredential::Ready(OAuthCredentials {
                client_id: c.clone(),
                client_secret: secret,
                scopes: s.clone(),
                org_id: o.clone(),
                technical_account_id,
            })
        }
        _ => CandidateCredential::NeedsSecret(PartialOAuth {
            client_id,
            scopes,
            org_id,
            technical_account_id,
            missing: std::mem::take(&mut f.missing),
        }),
    };
    Some(ImportCandidate {
        name,
        title,
        cloud_solution,
        authorization_server: server,
        credential,
        sources: vec![SourceRef::of(path)],
        notes: Vec::new(),
    })
}
