//! Exporting to AEM OSGi files with Cloud Manager variables, and to aio contexts: the shape
//! of the files, the limits, and round trips through import.

use std::path::PathBuf;

use chrono::Utc;
use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OrgId, Scopes, SecretString,
    TechnicalAccountId, Title,
};
use imsbridge_interop::{
    CLOUD_MANAGER_VARIABLES_FILE, CandidateCredential, CandidateStatus, ExportError, ExportFormat,
    ExportOptions, MissingReason, Vars, export_aem_osgi, export_aio, parse_aem_osgi, parse_aio,
    secret_variable,
};
use proptest::prelude::*;
use serde_json::Value;

#[derive(Debug)]
struct Spec {
    name: String,
    title: String,
    solution: CloudSolution,
    server: String,
    client_id: String,
    secret: String,
    scopes: Vec<String>,
    org: String,
    technical: Option<String>,
}

fn config(s: &Spec) -> IntegrationConfig {
    let draft = ConfigDraft {
        name: Name::parse(&s.name).unwrap(),
        title: Title::parse(&s.title).unwrap(),
        cloud_solution: s.solution.clone(),
        authorization_server: AuthorizationServer::parse(&s.server).unwrap(),
        credentials: DraftCredentials::OAuth(OAuthCredentials {
            client_id: ClientId::parse(&s.client_id).unwrap(),
            client_secret: SecretString::from(s.secret.clone()),
            scopes: Scopes::from_items(s.scopes.iter().map(String::as_str)).unwrap(),
            org_id: OrgId::parse(&s.org).unwrap(),
            technical_account_id: s
                .technical
                .as_deref()
                .map(|t| TechnicalAccountId::parse(t).unwrap()),
        }),
    };
    IntegrationConfig::create(draft, ConfigId::new(), Utc::now()).unwrap()
}

fn simple(name: &str, secret: &str) -> IntegrationConfig {
    config(&Spec {
        name: name.into(),
        title: format!("Title of {name}"),
        solution: CloudSolution::Target,
        server: "https://ims-na1.adobelogin.com".into(),
        client_id: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        secret: secret.into(),
        scopes: vec!["openid".into(), "AdobeID".into()],
        org: "0F1E2D3C4B5A69788796A5B4@AdobeOrg".into(),
        technical: None,
    })
}

fn pairs(bundle: &imsbridge_interop::ExportBundle) -> Vec<(PathBuf, String)> {
    bundle
        .files
        .iter()
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect()
}

#[test]
fn an_aem_export_writes_two_cfg_json_files_per_configuration_and_the_variables_list() {
    let configs = [simple("target-prod", "p8e-secret-value-0001")];
    let bundle = export_aem_osgi(&configs, ExportOptions::default()).unwrap();
    let paths: Vec<String> = bundle
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "com.adobe.granite.auth.oauth.accesstoken.provider~target-prod.cfg.json",
            "com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl~target-prod.cfg.json",
            CLOUD_MANAGER_VARIABLES_FILE,
        ]
    );
    let provider: Value = serde_json::from_str(&bundle.files[0].contents).unwrap();
    assert_eq!(provider["name"], "target-prod");
    assert_eq!(
        provider["auth.token.provider.title"],
        "Title of target-prod"
    );
    assert_eq!(provider["auth.token.provider.scope"], "openid,AdobeID");
    assert_eq!(
        provider["auth.token.provider.authorization.grants"],
        "client_credentials"
    );
    assert_eq!(
        provider["auth.access.token.request"],
        "https://ims-na1.adobelogin.com/ims/token/v3"
    );
    assert_eq!(provider["auth.token.provider.reuse.access.token"], true);
    assert_eq!(provider["token.request.customizer.type"], "target-prod");
    let customizer: Value = serde_json::from_str(&bundle.files[1].contents).unwrap();
    assert_eq!(customizer["customizer.type"], "target-prod");
    assert_eq!(
        customizer["auth.ims.client.secret"],
        "$[secret:IMSBRIDGE_TARGET_PROD_CLIENT_SECRET]"
    );
    let variables: Value = serde_json::from_str(&bundle.files[2].contents).unwrap();
    assert_eq!(
        variables,
        serde_json::json!([{"name": "IMSBRIDGE_TARGET_PROD_CLIENT_SECRET", "type": "secretString"}])
    );
    assert!(bundle.files.iter().all(|f| !f.private));
    assert!(
        bundle
            .files
            .iter()
            .all(|f| !f.contents.contains("p8e-secret-value-0001"))
    );

    let with = export_aem_osgi(
        &configs,
        ExportOptions {
            include_secrets: true,
        },
    )
    .unwrap();
    let vars_file = with.files.last().unwrap();
    assert!(vars_file.private, "values go into a private file");
    assert!(vars_file.contents.contains("p8e-secret-value-0001"));
    assert!(!format!("{vars_file:?}").contains("p8e-secret-value-0001"));
    assert!(with.files[..2].iter().all(|f| !f.private));
}

#[test]
fn variable_names_are_valid_for_cloud_manager_and_stable() {
    let longest = Name::parse(&format!("a{}", "-b".repeat(31))).unwrap();
    for name in [
        Name::parse("x").unwrap(),
        Name::parse("target-prod-2").unwrap(),
        longest,
    ] {
        let v = secret_variable(&name);
        assert!((2..=100).contains(&v.len()), "{v}");
        assert!(v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
        assert!(
            v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{v}"
        );
        assert_eq!(v, secret_variable(&name));
    }
}

#[test]
fn an_aem_export_refuses_more_than_200_variables_naming_those_past_the_limit() {
    let configs: Vec<_> = (0..202)
        .map(|i| simple(&format!("cfg-{i:03}"), "p8e-secret-value-0002"))
        .collect();
    let err = export_aem_osgi(&configs, ExportOptions::default()).unwrap_err();
    let ExportError::TooManyVariables { count, max, over } = &err else {
        panic!("{err}")
    };
    assert_eq!((*count, *max), (202, 200));
    assert_eq!(over, &["cfg-200", "cfg-201"]);
    assert!(err.to_string().contains("cfg-201"), "{err}");
    assert!(export_aem_osgi(&configs[..200], ExportOptions::default()).is_ok());
}

#[test]
fn an_aem_export_refuses_secrets_over_2048_characters_naming_them_not_showing_them() {
    let long = "s".repeat(2049);
    let configs = [simple("fine", &"s".repeat(2048)), simple("too-long", &long)];
    let err = export_aem_osgi(&configs, ExportOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("too-long (IMSBRIDGE_TOO_LONG_CLIENT_SECRET, 2049 characters)"),
        "{text}"
    );
    assert!(!text.contains("fine ("), "{text}");
    assert!(!text.contains(&long));
}

#[test]
fn an_export_without_secrets_imports_back_as_needing_them() {
    let configs = [simple("target-prod", "p8e-secret-value-0003")];
    let bundle = export_aem_osgi(&configs, ExportOptions::default()).unwrap();
    let vars = Vars::parse(&bundle.files.last().unwrap().contents).unwrap();
    let report = parse_aem_osgi(&pairs(&bundle), &vars);
    let c = report.candidate("target-prod").unwrap();
    assert_eq!(c.status(), CandidateStatus::NeedsSecret);
    assert!(matches!(
        &c.missing()[0].reason,
        MissingReason::Unresolved { variable, listed_without_value: true, .. }
            if variable == "IMSBRIDGE_TARGET_PROD_CLIENT_SECRET"
    ));

    let aio = export_aio(&configs, ExportOptions::default());
    assert!(!aio.files[0].contents.contains("p8e-secret-value-0003"));
    let report = parse_aio(&pairs(&aio));
    let c = report.candidate("target-prod").unwrap();
    assert_eq!(c.status(), CandidateStatus::NeedsSecret);
    assert_eq!(
        c.missing()[0].property,
        "ims.contexts.target-prod.client_secrets"
    );
}

#[test]
fn jwt_configurations_are_left_out_of_both_exports_with_the_reason() {
    // Built through the import path, as JWT configurations only ever are.
    let jwt = {
        let mut c = simple("legacy", "p8e-secret-value-0004");
        let imsbridge_domain::Credentials::OAuth(o) = c.credentials.clone() else {
            unreachable!()
        };
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["legacy".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        c.credentials = imsbridge_domain::Credentials::Jwt(imsbridge_domain::JwtCredentials {
            api_key: o.client_id,
            client_secret: o.client_secret,
            org_id: o.org_id,
            technical_account_id: TechnicalAccountId::parse(
                "5C3A1E9D7B0F2468ACE13579@techacct.adobe.com",
            )
            .unwrap(),
            metascopes: imsbridge_domain::Metascopes::parse("ent_marketing_sdk").unwrap(),
            private_key: SecretString::from(key.serialize_pem()),
            certificate: imsbridge_domain::Certificate::parse_pem(&cert.pem()).unwrap(),
        });
        c
    };
    for format in [ExportFormat::AemOsgi, ExportFormat::Aio] {
        let bundle = format
            .export(
                std::slice::from_ref(&jwt),
                ExportOptions {
                    include_secrets: true,
                },
            )
            .unwrap();
        assert_eq!(bundle.skipped.len(), 1, "{}", format.key());
        assert!(bundle.skipped[0].reason.contains("migrate it"));
        assert!(
            bundle
                .files
                .iter()
                .all(|f| !f.contents.contains("PRIVATE KEY"))
        );
    }
}

fn solution() -> impl Strategy<Value = CloudSolution> {
    prop_oneof![
        proptest::sample::select(CloudSolution::KNOWN.to_vec()),
        "[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]".prop_filter_map("a usable name", |n| {
            match CloudSolution::parse(&format!("other:{n}")) {
                Ok(s @ CloudSolution::Other(_)) => Some(s),
                _ => None,
            }
        }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        "[a-z][a-z0-9-]{0,30}[a-z0-9]",
        "\\PC{1,60}".prop_filter_map("a title", |t| Title::parse(&t).ok().map(|t| t.to_string())),
        solution(),
        proptest::sample::select(vec![
            "https://ims-na1.adobelogin.com",
            "https://ims-na1-stg1.adobelogin.com",
            "http://127.0.0.1:8181",
            "https://ims.example.com/base",
        ]),
        "[A-Za-z0-9._-]{1,40}",
        "[^\\p{Cc}{}]\\PC{0,80}",
        proptest::collection::vec("[A-Za-z0-9_.:/-]{1,20}", 1..5),
        "[0-9A-F]{24}",
        proptest::option::of("[A-Z0-9]{24}"),
    )
        .prop_map(
            |(name, title, solution, server, client_id, secret, scopes, org, technical)| Spec {
                name,
                title,
                solution,
                server: server.to_owned(),
                client_id,
                secret,
                scopes,
                org: format!("{org}@AdobeOrg"),
                technical: technical.map(|t| format!("{t}@techacct.adobe.com")),
            },
        )
}

fn configs() -> impl Strategy<Value = Vec<IntegrationConfig>> {
    proptest::collection::vec(spec(), 1..4).prop_map(|specs| {
        let mut seen = std::collections::BTreeSet::new();
        specs
            .iter()
            .filter(|s| seen.insert(s.name.clone()))
            .map(config)
            .collect()
    })
}

fn assert_same(configs: &[IntegrationConfig], report: &imsbridge_interop::ImportReport) {
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.candidates.len(), configs.len());
    for c in configs {
        let got = report.candidate(c.name.as_str()).expect("imported back");
        assert_eq!(got.title, c.title);
        assert_eq!(got.cloud_solution, c.cloud_solution);
        assert_eq!(got.authorization_server, c.authorization_server);
        let (CandidateCredential::Ready(g), imsbridge_domain::Credentials::OAuth(w)) =
            (&got.credential, &c.credentials)
        else {
            panic!("{} is not ready: {:?}", c.name, got.credential)
        };
        assert_eq!(g.client_id, w.client_id);
        assert_eq!(
            g.client_secret.expose_secret(),
            w.client_secret.expose_secret()
        );
        assert_eq!(g.scopes, w.scopes);
        assert_eq!(g.org_id, w.org_id);
        assert_eq!(g.technical_account_id, w.technical_account_id);
        let draft = got.draft().unwrap();
        assert_eq!(draft.name, c.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn aem_osgi_export_then_import_gives_back_the_same_configurations(configs in configs()) {
        let bundle = export_aem_osgi(&configs, ExportOptions { include_secrets: true }).unwrap();
        let vars = Vars::parse(&bundle.files.last().unwrap().contents).unwrap();
        assert_same(&configs, &parse_aem_osgi(&pairs(&bundle), &vars));
    }

    #[test]
    fn aio_export_then_import_gives_back_the_same_configurations(configs in configs()) {
        let bundle = export_aio(&configs, ExportOptions { include_secrets: true });
        assert_same(&configs, &parse_aio(&pairs(&bundle)));
    }
}
