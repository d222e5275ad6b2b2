//! The configuration rules, exercised as a user of the crate would.

use chrono::{Duration, TimeZone, Utc};
use imsbridge_domain::*;
use proptest::prelude::*;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn oauth_creds(secret: &str) -> OAuthCredentials {
    OAuthCredentials {
        client_id: ClientId::parse("a1b2c3d4e5f60718293a4b5c6d7e8f90").unwrap(),
        client_secret: SecretString::from(secret.to_owned()),
        scopes: Scopes::parse("openid,AdobeID,target_sdk").unwrap(),
        org_id: OrgId::parse("12345678ABCDEF1234567890@AdobeOrg").unwrap(),
        technical_account_id: None,
    }
}

fn jwt_creds() -> JwtCredentials {
    let cert = rcgen::generate_simple_self_signed(vec!["imsbridge-test".into()]).unwrap();
    JwtCredentials {
        api_key: ClientId::parse("f0e1d2c3b4a5968778695a4b3c2d1e0f").unwrap(),
        client_secret: SecretString::from("p8e-jwt-secret-value-1234".to_owned()),
        org_id: OrgId::parse("12345678ABCDEF1234567890@AdobeOrg").unwrap(),
        technical_account_id: TechnicalAccountId::parse(
            "A1B2C3D4E5F6A7B8C9D0E1F2@techacct.adobe.com",
        )
        .unwrap(),
        metascopes: Metascopes::parse("ent_marketing_sdk").unwrap(),
        private_key: SecretString::from(cert.key_pair.serialize_pem()),
        certificate: Certificate::parse_pem(&cert.cert.pem()).unwrap(),
    }
}

fn draft(credentials: DraftCredentials) -> ConfigDraft {
    ConfigDraft {
        name: Name::parse("target-prod").unwrap(),
        title: Title::parse("Adobe Target (production)").unwrap(),
        cloud_solution: CloudSolution::Target,
        authorization_server: AuthorizationServer::default(),
        credentials,
    }
}

fn jwt_config(origin: Origin) -> IntegrationConfig {
    IntegrationConfig::import(
        draft(DraftCredentials::Jwt(jwt_creds())),
        origin,
        ConfigId::new(),
        now(),
    )
}

#[test]
fn creating_an_oauth_configuration_starts_at_revision_one() {
    let cfg = IntegrationConfig::create(
        draft(DraftCredentials::OAuth(oauth_creds("s3cret-s3cret"))),
        ConfigId::new(),
        now(),
    )
    .unwrap();
    assert_eq!(cfg.revision, Revision::FIRST);
    assert_eq!(cfg.auth_type(), AuthType::OAuth);
    assert_eq!(cfg.origin, Origin::Customer);
    assert!(!cfg.is_deprecated());
}

#[test]
fn creating_a_jwt_configuration_is_refused() {
    let err = IntegrationConfig::create(
        draft(DraftCredentials::Jwt(jwt_creds())),
        ConfigId::new(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err, RuleError::JwtCreationRefused);
    assert!(err.to_string().contains("OAuth Server-to-Server"));
}

#[test]
fn a_jwt_configuration_cannot_be_edited() {
    let cfg = jwt_config(Origin::Customer);
    assert!(cfg.is_deprecated());
    let patch = OAuthPatch {
        title: Some(Title::parse("new").unwrap()),
        ..OAuthPatch::default()
    };
    assert_eq!(
        cfg.update(patch, cfg.revision, now()).unwrap_err(),
        RuleError::JwtReadOnly
    );
}

#[test]
fn migrating_a_jwt_config_keeps_its_identity_and_bumps_the_revision() {
    let cfg = jwt_config(Origin::Customer);
    let later = now() + Duration::hours(1);
    let migrated = cfg
        .migrate_to_oauth(
            oauth_creds("new-oauth-secret"),
            cfg.revision,
            MigrationActor::Manual,
            later,
        )
        .unwrap();
    assert_eq!(migrated.id, cfg.id);
    assert_eq!(migrated.name, cfg.name);
    assert_eq!(migrated.title, cfg.title);
    assert_eq!(migrated.cloud_solution, cfg.cloud_solution);
    assert_eq!(migrated.origin, cfg.origin);
    assert_eq!(migrated.created_at, cfg.created_at);
    assert_eq!(migrated.updated_at, later);
    assert_eq!(migrated.revision, cfg.revision.next());
    assert_eq!(migrated.auth_type(), AuthType::OAuth);
    assert!(!migrated.is_deprecated());
    let Credentials::OAuth(o) = &migrated.credentials else {
        panic!("not oauth")
    };
    assert_eq!(
        o.technical_account_id
            .as_ref()
            .map(TechnicalAccountId::as_str),
        Some("A1B2C3D4E5F6A7B8C9D0E1F2@techacct.adobe.com"),
        "the technical account is kept from the JWT credential"
    );
    let fields: Vec<_> = cfg.diff(&migrated).into_iter().map(|c| c.field).collect();
    assert!(fields.contains(&"auth_type".to_owned()));
    assert!(fields.contains(&"private_key".to_owned()));
}

#[test]
fn an_auto_provisioned_jwt_config_refuses_manual_migration_but_not_the_automatic_one() {
    let cfg = jwt_config(Origin::AutoProvisioned);
    assert_eq!(
        cfg.check_manual_migration().unwrap_err(),
        RuleError::AutoProvisioned
    );
    let err = cfg
        .migrate_to_oauth(
            oauth_creds("x-secret-value"),
            cfg.revision,
            MigrationActor::Manual,
            now(),
        )
        .unwrap_err();
    assert_eq!(err, RuleError::AutoProvisioned);
    assert!(err.to_string().contains("automatically"));
    assert!(
        cfg.migrate_to_oauth(
            oauth_creds("x-secret-value"),
            cfg.revision,
            MigrationActor::Automatic,
            now()
        )
        .is_ok()
    );
}

#[test]
fn an_oauth_config_cannot_be_migrated_again() {
    let cfg = jwt_config(Origin::Customer);
    let migrated = cfg
        .migrate_to_oauth(
            oauth_creds("x-secret-value"),
            cfg.revision,
            MigrationActor::Manual,
            now(),
        )
        .unwrap();
    let err = migrated
        .migrate_to_oauth(
            oauth_creds("y-secret-value"),
            migrated.revision,
            MigrationActor::Manual,
            now(),
        )
        .unwrap_err();
    assert_eq!(err, RuleError::NotJwt(AuthType::OAuth));
}

#[test]
fn a_stale_revision_is_refused_and_names_the_current_one() {
    let cfg = IntegrationConfig::create(
        draft(DraftCredentials::OAuth(oauth_creds("s3cret-s3cret"))),
        ConfigId::new(),
        now(),
    )
    .unwrap();
    let v2 = cfg
        .update(
            OAuthPatch {
                title: Some(Title::parse("two").unwrap()),
                ..Default::default()
            },
            cfg.revision,
            now(),
        )
        .unwrap();
    let err = v2
        .update(
            OAuthPatch {
                title: Some(Title::parse("three").unwrap()),
                ..Default::default()
            },
            Revision::FIRST,
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        RuleError::StaleRevision {
            expected: Revision::FIRST,
            current: Revision::new(2)
        }
    );
}

#[test]
fn changing_the_credential_clears_the_last_health_result() {
    let mut cfg = IntegrationConfig::create(
        draft(DraftCredentials::OAuth(oauth_creds("s3cret-s3cret"))),
        ConfigId::new(),
        now(),
    )
    .unwrap();
    cfg.health = Some(Health::healthy(now()));
    let retitled = cfg
        .update(
            OAuthPatch {
                title: Some(Title::parse("t").unwrap()),
                ..Default::default()
            },
            cfg.revision,
            now(),
        )
        .unwrap();
    assert!(retitled.health.is_some());
    let rekeyed = cfg
        .update(
            OAuthPatch {
                client_secret: Some(SecretString::from("another-secret".to_owned())),
                ..Default::default()
            },
            cfg.revision,
            now(),
        )
        .unwrap();
    assert!(rekeyed.health.is_none());
    let diff = cfg.diff(&rekeyed);
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].field, "client_secret");
    assert_eq!(diff[0].to.as_deref(), Some("(changed)"));
}

#[test]
fn the_migration_prefill_keeps_client_and_org_and_suggests_scopes() {
    let cfg = jwt_config(Origin::Customer);
    let pre = cfg.migration_prefill().unwrap();
    assert_eq!(pre.client_id.as_str(), "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    assert_eq!(pre.org_id.as_str(), "12345678ABCDEF1234567890@AdobeOrg");
    assert!(pre.scopes.contains("additional_info.roles"));
}

#[test]
fn debug_output_never_shows_a_secret() {
    let cfg = jwt_config(Origin::Customer);
    let text = format!("{cfg:?}");
    assert!(!text.contains("p8e-jwt-secret-value-1234"));
    assert!(!text.contains("BEGIN PRIVATE KEY"));
    let oauth = IntegrationConfig::create(
        draft(DraftCredentials::OAuth(oauth_creds("visible-if-leaked"))),
        ConfigId::new(),
        now(),
    )
    .unwrap();
    assert!(!format!("{oauth:?}").contains("visible-if-leaked"));
}

#[test]
fn a_secret_hint_shows_four_characters_of_long_secrets_only() {
    assert_eq!(
        secret_hint(&SecretString::from("p8e-abcdefghijkl".to_owned())).as_deref(),
        Some("ijkl")
    );
    assert_eq!(secret_hint(&SecretString::from("short".to_owned())), None);
}

#[test]
fn a_generated_certificate_reports_its_fingerprint_and_expiry() {
    let jwt = jwt_creds();
    assert_eq!(jwt.certificate.fingerprint().len(), 32 * 3 - 1);
    assert!(jwt.certificate.not_after() > now());
    assert!(jwt.certificate.subject().contains("rcgen") || !jwt.certificate.subject().is_empty());
    assert!(JwtCredentials::check_private_key(&jwt.private_key).is_ok());
    assert!(JwtCredentials::check_private_key(&SecretString::from("nope".to_owned())).is_err());
}

#[test]
fn revisions_parse_from_etags() {
    assert_eq!(Revision::parse("\"3\"").unwrap(), Revision::new(3));
    assert_eq!(Revision::parse("W/\"3\"").unwrap(), Revision::new(3));
    assert!(Revision::parse("0").is_err());
    assert!(Revision::parse("x").is_err());
}

proptest! {
    #[test]
    fn no_sequence_of_updates_from_stale_revisions_succeeds(stale_by in 1u64..5, steps in 1usize..6) {
        let mut cfg = IntegrationConfig::create(draft(DraftCredentials::OAuth(oauth_creds("s3cret-s3cret"))), ConfigId::new(), now()).unwrap();
        for i in 0..steps {
            let patch = OAuthPatch { title: Some(Title::parse(&format!("t{i}")).unwrap()), ..Default::default() };
            cfg = cfg.update(patch, cfg.revision, now()).unwrap();
        }
        prop_assert_eq!(cfg.revision.get(), 1 + steps as u64);
        let stale = Revision::new(cfg.revision.get().saturating_sub(stale_by).max(1));
        if stale != cfg.revision {
            let r = cfg.update(OAuthPatch::default(), stale, now());
            let is_stale = matches!(r, Err(RuleError::StaleRevision { .. }));
            prop_assert!(is_stale);
        }
    }
}
