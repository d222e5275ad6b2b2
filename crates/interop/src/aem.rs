//! AEM's OSGi configurations of OAuth Server-to-Server credentials: a token provider
//! (`com.adobe.granite.auth.oauth.accesstoken.provider-<id>`) paired with a request
//! customizer (`com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl-<id>`)
//! that holds the client secret, linked by the customizer type.

use std::path::{Path, PathBuf};

use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, Name, OAuthCredentials, OrgId, Scopes,
    TechnicalAccountId, Title,
};

use crate::fields::{FieldReader, Lookup, server_of_token_url};
use crate::osgi::{FileFormat, Properties, SourceRef, factory_subname};
use crate::report::{
    CandidateCredential, ImportCandidate, ImportReport, JwtSummary, MissingReason, MissingValue,
    PartialOAuth, Problem, ProblemKind,
};
use crate::vars::Vars;
use crate::{merge, solution};

/// The factory PID of AEM's OAuth access token provider.
pub const PROVIDER_PID: &str = "com.adobe.granite.auth.oauth.accesstoken.provider";
/// The factory PID of AEM's IMS token request customizer, which holds the client secret.
pub const CUSTOMIZER_PID: &str =
    "com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl";

/// Provider properties.
pub mod props {
    /// The configuration's name.
    pub const NAME: &str = "name";
    /// Its title.
    pub const TITLE: &str = "auth.token.provider.title";
    /// The client id.
    pub const CLIENT_ID: &str = "auth.token.provider.client.id";
    /// The scopes, comma-separated (or a list).
    pub const SCOPE: &str = "auth.token.provider.scope";
    /// The organization.
    pub const ORG_ID: &str = "auth.token.provider.orgId";
    /// `client_credentials` for OAuth Server-to-Server.
    pub const GRANTS: &str = "auth.token.provider.authorization.grants";
    /// Default claims, such as `"iss" : "<org id>"`.
    pub const DEFAULT_CLAIMS: &str = "auth.token.provider.default.claims";
    /// The IMS token URL.
    pub const TOKEN_REQUEST: &str = "auth.access.token.request";
    /// The IMS endpoint of older (JWT) configurations.
    pub const ENDPOINT: &str = "auth.token.provider.endpoint";
    /// Whether AEM reuses tokens.
    pub const REUSE: &str = "auth.token.provider.reuse.access.token";
    /// The key pair a JWT provider signs with.
    pub const KEYPAIR_ALIAS: &str = "auth.token.provider.keypair.alias";
    /// The customizer type that links the provider to its customizer.
    pub const CUSTOMIZER_TYPE: &str = "token.request.customizer.type";
    /// The customizer's own type.
    pub const CUSTOMIZER_OWN_TYPE: &str = "customizer.type";
    /// The customizer's client secret.
    pub const CLIENT_SECRET: &str = "auth.ims.client.secret";
    /// imsbridge's own record of the solution, so that an export imports back the same.
    pub const IMSBRIDGE_SOLUTION: &str = "imsbridge.cloud.solution";
    /// imsbridge's own record of the technical account.
    pub const IMSBRIDGE_TECHNICAL_ACCOUNT: &str = "imsbridge.technical.account.id";
}

struct Parsed {
    source: SourceRef,
    subname: Option<String>,
    props: Properties,
}

fn raw(props: &Properties, key: &str) -> Option<String> {
    props.get(key).map(crate::osgi::OsgiValue::text)
}

/// Whether `path` is a file this format may read (so a directory walk can skip the rest).
pub fn accepts_path(path: &Path) -> bool {
    FileFormat::of(path).is_some()
}

/// Reads AEM OSGi configuration files (`.config`, `.cfg.json`, `.cfg`), as `(path, content)`
/// pairs from one or more directories, and pairs providers with customizers.
#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub fn parse_aem_osgi(files: &[(PathBuf, String)], vars: &Vars) -> ImportReport {
    let mut report = ImportReport::default();
    let mut providers = Vec::new();
    let mut customizers = Vec::new();
    for (path, content) in files {
        let Some((format, stem)) = FileFormat::of(path) else {
            report.ignored.push(path.clone());
            continue;
        };
        let (list, sub) = if let Some(sub) = factory_subname(&stem, PROVIDER_PID) {
            (&mut providers, sub)
        } else if let Some(sub) = factory_subname(&stem, CUSTOMIZER_PID) {
            (&mut customizers, sub)
        } else {
            report.ignored.push(path.clone());
            continue;
        };
        match format.read(content) {
            Ok(props) => list.push(Parsed {
                source: SourceRef::of(path),
                subname: sub.map(str::to_owned),
                props,
            }),
            Err(e) => report
                .problems
                .push(Problem::new(path, ProblemKind::Syntax, e.message.clone()).line(e.line)),
        }
    }
    let types: Vec<Option<String>> = customizers
        .iter()
        .map(|c| raw(&c.props, props::CUSTOMIZER_OWN_TYPE))
        .collect();
    let mut used = vec![false; customizers.len()];
    let mut found = Vec::new();
    for provider in &providers {
        let wanted = raw(&provider.props, props::CUSTOMIZER_TYPE);
        let matching = |exact: bool| -> Vec<usize> {
            customizers
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    wanted.is_some()
                        && types[*i] == wanted
                        && if exact {
                            c.source.run_modes == provider.source.run_modes
                        } else {
                            c.source.run_modes.is_subset_of(&provider.source.run_modes)
                        }
                })
                .map(|(i, _)| i)
                .collect()
        };
        let mut paired = matching(true);
        if paired.is_empty() {
            // The most specific folder that AEM would also apply.
            let wider = matching(false);
            let best = wider
                .iter()
                .map(|&i| customizers[i].source.run_modes.as_slice().len())
                .max();
            paired = wider
                .into_iter()
                .filter(|&i| Some(customizers[i].source.run_modes.as_slice().len()) == best)
                .collect();
        }
        for &i in &paired {
            used[i] = true;
        }
        let customizer = match paired.as_slice() {
            [one] => Ok(&customizers[*one]),
            [] => Err(MissingReason::NoCustomizer {
                customizer_type: wanted.clone(),
            }),
            many => Err(MissingReason::AmbiguousCustomizer {
                files: many
                    .iter()
                    .map(|&i| customizers[i].source.path.clone())
                    .collect(),
            }),
        };
        if let Some(c) = candidate(provider, customizer, vars, &mut report.problems) {
            found.push(c);
        }
    }
    for (i, c) in customizers.iter().enumerate() {
        if !used[i] {
            let message = match &types[i] {
                Some(t) => format!(
                    "no {PROVIDER_PID} configuration names token.request.customizer.type {t:?}; its client secret is not imported"
                ),
                None => format!(
                    "{} is missing, so no provider can use this client secret",
                    props::CUSTOMIZER_OWN_TYPE
                ),
            };
            report.problems.push(Problem::new(
                c.source.path.clone(),
                ProblemKind::Unpaired,
                message,
            ));
        }
    }
    report.candidates = merge::settle(found, &mut report.problems);
    report
}

fn candidate(
    provider: &Parsed,
    customizer: Result<&Parsed, MissingReason>,
    vars: &Vars,
    problems: &mut Vec<Problem>,
) -> Option<ImportCandidate> {
    let mut f = FieldReader::new(&provider.source.path, vars);
    let found = read_candidate(&mut f, provider, customizer, vars);
    let failed = !f.problems.is_empty();
    problems.append(&mut f.problems);
    found.filter(|_| !failed)
}

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
fn read_candidate(
    f: &mut FieldReader<'_>,
    provider: &Parsed,
    customizer: Result<&Parsed, MissingReason>,
    vars: &Vars,
) -> Option<ImportCandidate> {
    let path = provider.source.path.as_path();
    let p = &provider.props;
    let mut notes = Vec::new();

    let given_name = f.resolve(props::NAME, raw(p, props::NAME)).text();
    let name = match (&given_name, &provider.subname) {
        (Some(n), _) => Name::parse(n).ok().or_else(|| Name::slugify(n)),
        (None, Some(sub)) => {
            let n = Name::parse(sub).ok().or_else(|| Name::slugify(sub));
            if let Some(n) = &n {
                notes.push(format!(
                    "named {n} after the file's PID suffix, since it has no name property"
                ));
            }
            n
        }
        (None, None) => None,
    };
    let Some(name) = name else {
        f.problems.push(
            Problem::new(path, ProblemKind::MissingProperty, "no usable name: give the configuration a name property (lowercase letters, digits and '-')").at(props::NAME),
        );
        return None;
    };
    let title = f
        .resolve(props::TITLE, raw(p, props::TITLE))
        .text()
        .or(given_name)
        .and_then(|t| Title::parse(&t).ok())
        .unwrap_or_else(|| Title::parse(name.as_str()).expect("a name is a valid title"));

    let token_url = f
        .resolve(props::TOKEN_REQUEST, raw(p, props::TOKEN_REQUEST))
        .text()
        .or_else(|| f.resolve(props::ENDPOINT, raw(p, props::ENDPOINT)).text());
    let grants = raw(p, props::GRANTS).unwrap_or_default();
    let is_jwt = grants.contains("jwt-bearer")
        || (!grants.contains("client_credentials")
            && token_url
                .as_deref()
                .is_some_and(|u| u.contains("/exchange/")));
    let authorization_server = if let Some(url) = &token_url {
        f.parse(props::TOKEN_REQUEST, Some(url.clone()), server_of_token_url)
            .unwrap_or_default()
    } else {
        notes.push(format!(
            "no {} given: Adobe IMS production is assumed",
            props::TOKEN_REQUEST
        ));
        AuthorizationServer::default()
    };

    let client_lookup = f.resolve(props::CLIENT_ID, raw(p, props::CLIENT_ID));
    if matches!(client_lookup, Lookup::Absent) {
        f.absent(props::CLIENT_ID);
    }
    let client_id = f.parse(props::CLIENT_ID, client_lookup.text(), ClientId::parse);
    let org_raw = raw(p, props::ORG_ID).or_else(|| {
        p.get(props::DEFAULT_CLAIMS)
            .into_iter()
            .flat_map(crate::osgi::OsgiValue::texts)
            .find_map(|claim| {
                let (k, v) = claim.split_once(':')?;
                (k.trim().trim_matches('"') == "iss").then(|| v.trim().trim_matches('"').to_owned())
            })
    });
    let org_lookup = f.resolve(props::ORG_ID, org_raw);
    if matches!(org_lookup, Lookup::Absent) {
        f.absent(props::ORG_ID);
    }
    let org_id = f.parse(props::ORG_ID, org_lookup.text(), OrgId::parse);
    let technical_account_id = f.parse(
        props::IMSBRIDGE_TECHNICAL_ACCOUNT,
        raw(p, props::IMSBRIDGE_TECHNICAL_ACCOUNT),
        TechnicalAccountId::parse,
    );
    let scope_lookup = f.resolve(props::SCOPE, raw(p, props::SCOPE));
    if matches!(scope_lookup, Lookup::Absent) && !is_jwt {
        f.absent(props::SCOPE);
    }
    let scopes = if is_jwt {
        None
    } else {
        f.parse(props::SCOPE, scope_lookup.text(), Scopes::parse)
    };
    let solution = match raw(p, props::IMSBRIDGE_SOLUTION) {
        Some(s) => f.parse(props::IMSBRIDGE_SOLUTION, Some(s), CloudSolution::parse),
        None => Some(solution::guess(
            scopes.iter().flat_map(Scopes::iter),
            [],
            &[
                name.as_str(),
                title.as_str(),
                provider.subname.as_deref().unwrap_or(""),
            ],
            &title,
        )),
    };

    let mut customizer_source = None;
    let credential = if is_jwt {
        let alias = raw(p, props::KEYPAIR_ALIAS).unwrap_or_else(|| "(unnamed)".into());
        client_id.clone().map(|client_id| {
            CandidateCredential::NeedsCertificate(JwtSummary {
                client_id,
                org_id: org_id.clone(),
                technical_account_id: technical_account_id.clone(),
                metascopes: None,
                reason: format!(
                    "a Service Account (JWT) provider: it signs with the key pair {alias} of AEM's keystore, which is not in these files; migrate it to OAuth Server-to-Server in AEM first, or import the credential from the Developer Console"
                ),
            })
        })
    } else {
        let secret = match customizer {
            Ok(c) => {
                customizer_source = Some(c.source.clone());
                let mut cf = FieldReader::new(&c.source.path, vars);
                let lookup = cf.resolve(props::CLIENT_SECRET, raw(&c.props, props::CLIENT_SECRET));
                let secret = cf.secret(props::CLIENT_SECRET, lookup);
                f.missing.append(&mut cf.missing);
                secret
            }
            Err(reason) => {
                f.missing.push(MissingValue {
                    file: path.to_path_buf(),
                    property: props::CUSTOMIZER_TYPE.into(),
                    reason,
                });
                None
            }
        };
        if f.missing.is_empty() {
            match (&client_id, &scopes, &org_id, secret) {
                (Some(client_id), Some(scopes), Some(org_id), Some(client_secret)) => {
                    Some(CandidateCredential::Ready(OAuthCredentials {
                        client_id: client_id.clone(),
                        client_secret,
                        scopes: scopes.clone(),
                        org_id: org_id.clone(),
                        technical_account_id: technical_account_id.clone(),
                    }))
                }
                _ => None,
            }
        } else {
            Some(CandidateCredential::NeedsSecret(PartialOAuth {
                client_id: client_id.clone(),
                scopes: scopes.clone(),
                org_id: org_id.clone(),
                technical_account_id: technical_account_id.clone(),
                missing: std::mem::take(&mut f.missing),
            }))
        }
    };
    Some(ImportCandidate {
        name,
        title,
        cloud_solution: solution?,
        authorization_server,
        credential: credential?,
        sources: std::iter::once(provider.source.clone())
            .chain(customizer_source)
            .collect(),
        notes,
    })
}
