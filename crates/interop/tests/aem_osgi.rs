//! Importing AEM OSGi configurations: AMS `.config` files and AEM as a Cloud Service
//! `.cfg.json` files, run-mode folders, placeholders, encrypted values and broken files.

mod common;

use imsbridge_domain::{AuthType, CloudSolution, ExposeSecret};
use imsbridge_interop::{
    CandidateCredential, CandidateStatus, ImportFormat, MissingReason, ProblemKind, Vars,
    parse_aem_osgi,
};

#[test]
fn an_ams_folder_gives_ready_encrypted_and_jwt_rows_and_ignores_other_configurations() {
    let files = common::walk("aem-osgi/ams");
    let report = parse_aem_osgi(&files, &Vars::new());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let names: Vec<&str> = report.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["analytics-legacy", "smart-content-service", "target"]
    );

    // Adobe's documented Smart Content Service shape, with a secret in plain text.
    let smart = report.candidate("smart-content-service").unwrap();
    assert_eq!(smart.status(), CandidateStatus::Ready);
    assert_eq!(smart.title.as_str(), "Smart Content Service");
    assert_eq!(
        smart.cloud_solution,
        CloudSolution::Other("Smart Content Service".into())
    );
    assert_eq!(
        smart.authorization_server.as_str(),
        "https://ims-na1.adobelogin.com",
        "auth.access.token.request wins over the old JWT endpoint"
    );
    let draft = smart.draft().expect("a ready candidate has a draft");
    let imsbridge_domain::DraftCredentials::OAuth(oauth) = draft.credentials else {
        panic!("OAuth")
    };
    assert_eq!(oauth.client_id.as_str(), "7f3c9a1e5b2d4c6e8a0f1b3d5c7e9a2b");
    assert_eq!(
        oauth.scopes.to_string(),
        "read_pc.dma_smart_content,openid,AdobeID,additional_info.projectedProductContext"
    );
    assert_eq!(oauth.org_id.as_str(), "0F1E2D3C4B5A69788796A5B4@AdobeOrg");
    assert_eq!(
        oauth.client_secret.expose_secret(),
        "p8e-Fixture-SmartContent-0123456789abcdef"
    );
    assert_eq!(smart.sources.len(), 2, "provider and customizer files");

    // No name property: the PID suffix names it; the run modes come from its folder.
    let target = report.candidate("target").unwrap();
    assert!(
        target.notes.iter().any(|n| n.contains("PID suffix")),
        "{:?}",
        target.notes
    );
    assert_eq!(target.cloud_solution, CloudSolution::Target);
    assert_eq!(target.sources[0].run_modes.as_slice(), ["author", "prod"]);
    assert_eq!(target.status(), CandidateStatus::NeedsSecret);
    let missing = target.missing();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].reason, MissingReason::Encrypted);
    assert_eq!(missing[0].property, "auth.ims.client.secret");
    assert!(
        missing[0].file.ends_with(
            "config.author.prod/com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl-target.config"
        ),
        "{:?}",
        missing[0].file
    );
    let said = missing[0].to_string();
    assert!(
        said.contains("encrypted with an AEM instance's key"),
        "{said}"
    );
    assert!(
        !said.contains("4a1d7c2e"),
        "the ciphertext is not repeated: {said}"
    );

    // A JWT provider is reported, not half imported.
    let jwt = report.candidate("analytics-legacy").unwrap();
    assert_eq!(jwt.status(), CandidateStatus::NeedsCertificate);
    assert_eq!(jwt.auth_type(), AuthType::Jwt);
    assert!(jwt.draft().is_none());
    let CandidateCredential::NeedsCertificate(summary) = &jwt.credential else {
        panic!("JWT")
    };
    assert!(
        summary.reason.contains("analytics-jwt"),
        "{}",
        summary.reason
    );

    assert_eq!(report.ignored.len(), 2, "{:?}", report.ignored);
}

#[test]
fn cloud_service_files_resolve_placeholders_from_a_cloud_manager_export_and_the_environment() {
    let files = common::walk("aem-osgi/cloud");
    let exported =
        Vars::parse(&common::read("aem-osgi/cloud/cloudmanager-variables.json")).unwrap();
    // Cloud Manager never exports secret values: the analytics secret comes from the
    // environment, the launch one from nowhere.
    let env = Vars::from_pairs([("ANALYTICS_CLIENT_SECRET", "p8e-from-the-environment-1234")]);
    let report = parse_aem_osgi(&files, &exported.or(env));

    let analytics = report.candidate("analytics-reporting").unwrap();
    assert_eq!(
        analytics.status(),
        CandidateStatus::Ready,
        "{:?}",
        analytics.missing()
    );
    let CandidateCredential::Ready(oauth) = &analytics.credential else {
        panic!("ready")
    };
    assert_eq!(oauth.client_id.as_str(), "c1d2e3f4a5b60718293a4b5c6d7e8f90");
    assert_eq!(
        oauth.client_secret.expose_secret(),
        "p8e-from-the-environment-1234"
    );
    assert_eq!(analytics.cloud_solution, CloudSolution::Analytics);
    assert_eq!(analytics.sources[0].run_modes.as_slice(), ["author"]);

    let launch = report.candidate("launch-tags").unwrap();
    assert_eq!(
        launch.title.as_str(),
        "Adobe Launch / Tags (dev)",
        "the default"
    );
    assert_eq!(
        launch.authorization_server.as_str(),
        "https://ims-na1-stg1.adobelogin.com"
    );
    assert_eq!(launch.cloud_solution, CloudSolution::Launch);
    assert_eq!(launch.status(), CandidateStatus::NeedsSecret);
    let m = &launch.missing()[0];
    assert_eq!(
        m.reason,
        MissingReason::Unresolved {
            placeholder: "$[secret:LAUNCH_CLIENT_SECRET]".into(),
            variable: "LAUNCH_CLIENT_SECRET".into(),
            listed_without_value: true,
        }
    );
    let said = m.to_string();
    assert!(said.contains("auth.ims.client.secret"), "{said}");
    assert!(said.contains("never exports secret values"), "{said}");
    assert!(said.contains("config.author.dev"), "{said}");

    // The broken file and the orphan customizer are reported; the rest went on.
    let syntax: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Syntax)
        .collect();
    assert_eq!(syntax.len(), 1, "{:#?}", report.problems);
    assert_eq!(syntax[0].line, Some(4));
    assert!(syntax[0].file.to_string_lossy().contains("provider~broken"));
    let unpaired: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Unpaired)
        .collect();
    assert_eq!(unpaired.len(), 1);
    assert!(
        unpaired[0].message.contains("retired-integration"),
        "{}",
        unpaired[0]
    );
    assert_eq!(report.problems.len(), 2);
    assert_eq!(report.candidates.len(), 2);
}

#[test]
fn a_dotenv_file_resolves_the_same_placeholders() {
    let files = common::walk("aem-osgi/cloud");
    let vars = Vars::parse(&common::read("aem-osgi/cloud/local.env")).unwrap();
    let report = ImportFormat::AemOsgi.parse_files(&files, &vars);
    let analytics = report.candidate("analytics-reporting").unwrap();
    let CandidateCredential::Ready(oauth) = &analytics.credential else {
        panic!("ready: {:?}", analytics.missing())
    };
    assert_eq!(
        oauth.client_secret.expose_secret(),
        "p8e-Fixture-Analytics-fedcba9876543210"
    );
}

#[test]
fn an_unresolved_client_id_makes_the_row_need_a_value_and_names_the_variable() {
    let files = common::walk("aem-osgi/cloud");
    let report = parse_aem_osgi(&files, &Vars::new());
    let analytics = report.candidate("analytics-reporting").unwrap();
    let CandidateCredential::NeedsSecret(partial) = &analytics.credential else {
        panic!("needs values")
    };
    assert!(partial.client_id.is_none());
    let props: Vec<&str> = partial
        .missing
        .iter()
        .map(|m| m.property.as_str())
        .collect();
    assert_eq!(
        props,
        ["auth.token.provider.client.id", "auth.ims.client.secret"]
    );
    assert!(
        partial.missing[0]
            .to_string()
            .contains("ANALYTICS_CLIENT_ID")
    );
}

#[test]
fn providers_pair_with_the_customizer_of_their_run_modes_or_of_a_wider_folder() {
    let provider = |folder: &str, ty: &str| {
        (
            format!("{folder}/com.adobe.granite.auth.oauth.accesstoken.provider~t.cfg.json").into(),
            format!(
                r#"{{"name":"t","auth.token.provider.client.id":"abc","auth.token.provider.scope":"openid",
                "auth.token.provider.orgId":"0F1E2D3C4B5A69788796A5B4@AdobeOrg",
                "auth.token.provider.authorization.grants":"client_credentials",
                "token.request.customizer.type":"{ty}"}}"#
            ),
        )
    };
    let customizer = |folder: &str, ty: &str, secret: &str| {
        (
            format!("{folder}/com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl~{ty}.cfg.json").into(),
            format!(r#"{{"customizer.type":"{ty}","auth.ims.client.secret":"{secret}"}}"#),
        )
    };
    // The same provider in two run modes: each finds its own customizer, the prod one
    // falls back to the generic folder.
    let files = vec![
        provider("config.author.dev", "t"),
        customizer("config.author.dev", "t", "dev-secret-0001"),
        provider("config.author.prod", "t"),
        customizer("config", "t", "generic-secret-0002"),
    ];
    let report = parse_aem_osgi(&files, &Vars::new());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let names: Vec<&str> = report.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["t-author-dev", "t-author-prod"]);
    let secret = |name: &str| match &report.candidate(name).unwrap().credential {
        CandidateCredential::Ready(o) => o.client_secret.expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(secret("t-author-dev"), "dev-secret-0001");
    assert_eq!(secret("t-author-prod"), "generic-secret-0002");
    assert!(
        report.candidates[0]
            .notes
            .iter()
            .any(|n| n.contains("other run modes"))
    );

    // Identical copies in several run modes are one configuration.
    let files = vec![
        provider("config.author", "t"),
        provider("config.publish", "t"),
        customizer("config", "t", "same-secret-0003"),
    ];
    let report = parse_aem_osgi(&files, &Vars::new());
    assert_eq!(report.candidates.len(), 1);
    assert_eq!(report.candidates[0].name.as_str(), "t");
    assert_eq!(report.candidates[0].sources.len(), 3);

    // Two customizers claiming one type: needs a secret, naming both files.
    let files = vec![
        provider("config", "t"),
        customizer("config", "t", "one-secret-0004"),
        (
            "config/com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl~other.cfg.json".into(),
            r#"{"customizer.type":"t","auth.ims.client.secret":"two"}"#.into(),
        ),
    ];
    let report = parse_aem_osgi(&files, &Vars::new());
    let m = report.candidates[0].missing();
    assert!(
        matches!(&m[0].reason, MissingReason::AmbiguousCustomizer { files } if files.len() == 2)
    );

    // No customizer at all.
    let report = parse_aem_osgi(&[provider("config", "nowhere")], &Vars::new());
    assert!(matches!(
        &report.candidates[0].missing()[0].reason,
        MissingReason::NoCustomizer { customizer_type: Some(t) } if t == "nowhere"
    ));
}

#[test]
fn bad_values_are_problems_of_their_file_and_property_and_the_rest_imports() {
    let files = vec![
        (
            "config/com.adobe.granite.auth.oauth.accesstoken.provider~bad.config".into(),
            "name=\"bad\"\nauth.token.provider.client.id=\"abc\"\nauth.token.provider.scope=\"openid\"\nauth.token.provider.orgId=\"not-an-org\"\nauth.token.provider.authorization.grants=\"client_credentials\"\nauth.access.token.request=\"http://ims.example.com/ims/token/v3\"\n".into(),
        ),
        (
            "config/com.adobe.granite.auth.oauth.accesstoken.provider~noclient.config".into(),
            "name=\"noclient\"\nauth.token.provider.scope=\"openid\"\nauth.token.provider.orgId=\"0F1E2D3C4B5A69788796A5B4@AdobeOrg\"\n".into(),
        ),
    ];
    let report = parse_aem_osgi(&files, &Vars::new());
    assert!(report.candidates.is_empty());
    let described: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        described.iter().any(
            |p| p.contains("provider~bad.config: auth.token.provider.orgId:")
                && p.contains("@AdobeOrg")
        ),
        "{described:#?}"
    );
    assert!(
        described
            .iter()
            .any(|p| p.contains("auth.access.token.request") && p.contains("plain http")),
        "{described:#?}"
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::MissingProperty
                && p.property.as_deref() == Some("auth.token.provider.client.id")),
        "{described:#?}"
    );
}
