//! Importing aio CLI contexts and aio-lib-java workspaces.

mod common;

use imsbridge_domain::{CloudSolution, ExposeSecret};
use imsbridge_interop::{
    CandidateCredential, CandidateStatus, ImportFormat, MissingReason, ProblemKind, Vars,
    parse_aio, parse_aio_lib_java,
};

fn secret(c: &imsbridge_interop::ImportCandidate) -> String {
    match &c.credential {
        CandidateCredential::Ready(o) => o.client_secret.expose_secret().to_owned(),
        other => panic!("{} is not ready: {other:?}", c.name),
    }
}

#[test]
fn aio_config_files_give_one_row_per_credential_context() {
    let files = common::walk("aio");
    let report = parse_aio(&files);
    let names: Vec<&str> = report.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "analytics-ci",
            "brand-portal-sync",
            "campaign-no-secret",
            "cloudmanager-jwt",
            "stock-stage",
            "target-production"
        ],
        "the cli login context holds no credential"
    );

    let target = report.candidate("target-production").unwrap();
    assert_eq!(secret(target), "p8e-Fixture-Aio-Target-00112233445566");
    assert_eq!(target.cloud_solution, CloudSolution::Target);
    assert_eq!(target.title.as_str(), "target_production");
    let CandidateCredential::Ready(oauth) = &target.credential else {
        unreachable!()
    };
    assert_eq!(
        oauth.technical_account_id.as_ref().unwrap().as_str(),
        "5C3A1E9D7B0F2468ACE13579@techacct.adobe.com"
    );
    assert_eq!(oauth.scopes.iter().count(), 5);

    let stock = report.candidate("stock-stage").unwrap();
    assert_eq!(
        stock.authorization_server.as_str(),
        "https://ims-na1-stg1.adobelogin.com"
    );
    assert_eq!(secret(stock), "p8e-Fixture-Aio-Stock-One-1234567890");
    assert!(stock.notes.iter().any(|n| n.contains("two client secrets")));
    assert_eq!(stock.cloud_solution, CloudSolution::Stock);

    let jwt = report.candidate("cloudmanager-jwt").unwrap();
    assert_eq!(jwt.status(), CandidateStatus::NeedsCertificate);
    let CandidateCredential::NeedsCertificate(summary) = &jwt.credential else {
        unreachable!()
    };
    assert!(
        summary.reason.contains("no certificate"),
        "{}",
        summary.reason
    );
    assert_eq!(
        summary.metascopes.as_ref().unwrap().to_string(),
        "ent_cloudmgr_sdk"
    );

    let nosecret = report.candidate("campaign-no-secret").unwrap();
    assert_eq!(nosecret.status(), CandidateStatus::NeedsSecret);
    assert_eq!(nosecret.missing()[0].reason, MissingReason::Absent);
    assert_eq!(
        nosecret.missing()[0].property,
        "ims.contexts.campaign-no-secret.client_secrets"
    );
    assert_eq!(nosecret.cloud_solution, CloudSolution::Campaign);

    // From a project's .aio file and from a CI job's environment lines.
    assert_eq!(
        secret(report.candidate("brand-portal-sync").unwrap()),
        "p8e-Fixture-Aio-BrandPortal-5566778899"
    );
    assert_eq!(
        report
            .candidate("brand-portal-sync")
            .unwrap()
            .cloud_solution,
        CloudSolution::BrandPortal
    );
    let ci = report.candidate("analytics-ci").unwrap();
    assert_eq!(secret(ci), "p8e-Fixture-Aio-Ci-Analytics-4455");
    assert_eq!(ci.cloud_solution, CloudSolution::Analytics);

    // The web (user) context is reported, not imported.
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    assert_eq!(report.problems[0].kind, ProblemKind::Unsupported);
    assert!(report.problems[0].message.contains("web_login"));
}

#[test]
fn a_yaml_or_broken_aio_file_is_a_problem_and_the_rest_imports() {
    let files = vec![
        ("yaml/aio".into(), "ims:\n  contexts:\n    x:\n      client_id: abc\n".into()),
        ("broken/aio".into(), "{ ims: { contexts: [ }".into()),
        (
            "ok/.aio".into(),
            r#"{"ims":{"contexts":{"ok":{"client_id":"abc","client_secrets":["s3cret-value-1"],"scopes":["openid"],"ims_org_id":"0F1E2D3C4B5A69788796A5B4@AdobeOrg","technical_account_id":"nope"}}}}"#.into(),
        ),
    ];
    let report = ImportFormat::Aio.parse_files(&files, &Vars::new());
    let kinds: Vec<ProblemKind> = report.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::Unsupported,
            ProblemKind::Syntax,
            ProblemKind::InvalidValue
        ],
        "{:#?}",
        report.problems
    );
    assert!(
        report.problems[0]
            .message
            .contains("save the configuration as JSON")
    );
    assert_eq!(
        report.problems[2].property.as_deref(),
        Some("ims.contexts.ok.technical_account_id")
    );
    assert!(report.candidates.is_empty());
}

#[test]
fn aio_lib_java_workspaces_import_from_osgi_and_properties_files() {
    let files = common::walk("aio-lib-java");
    let vars = Vars::parse(&common::read("aio-lib-java/workspace.env")).unwrap();
    let report = parse_aio_lib_java(&files, &vars);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let names: Vec<&str> = report.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["aio-workspace", "aio-workspace-publish", "workspace-oauth"]
    );

    let osgi = report.candidate("aio-workspace").unwrap();
    assert_eq!(secret(osgi), "p8e-Fixture-AioLibJava-Events-6655");
    assert_eq!(
        osgi.title.as_str(),
        "Adobe I/O workspace 4566206088344859372"
    );
    assert_eq!(
        osgi.cloud_solution,
        CloudSolution::Other("Adobe I/O".into())
    );

    let jwt = report.candidate("aio-workspace-publish").unwrap();
    assert_eq!(jwt.status(), CandidateStatus::NeedsCertificate);
    assert_eq!(jwt.sources[0].run_modes.as_slice(), ["publish"]);

    let props = report.candidate("workspace-oauth").unwrap();
    assert_eq!(secret(props), "p8e-Fixture-AioLibJava-Properties-7788");
    assert_eq!(props.cloud_solution, CloudSolution::Target);
}

#[test]
fn an_aio_lib_java_secret_placeholder_without_a_value_needs_a_secret() {
    let files = common::walk("aio-lib-java/osgiconfig/config");
    let vars = Vars::from_pairs([
        ("aio_ims_org_id", "0F1E2D3C4B5A69788796A5B4@AdobeOrg"),
        ("aio_api_key", "d4e5f60718293a4b5c6d7e8f90a1b2c3"),
    ]);
    let report = parse_aio_lib_java(&files, &vars);
    let c = report.candidate("aio-workspace").unwrap();
    assert_eq!(c.status(), CandidateStatus::NeedsSecret);
    let properties: Vec<&str> = c.missing().iter().map(|m| m.property.as_str()).collect();
    assert!(properties.contains(&"aio.client.secret"), "{properties:?}");
    assert!(properties.contains(&"aio.workspace.id"), "{properties:?}");
}
