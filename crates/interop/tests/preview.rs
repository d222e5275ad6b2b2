//! The dry run against a store's configurations: what each row does, the report read back, and
//! `--expect` applying only what is still at the previewed revision.

mod common;

use std::collections::BTreeMap;

use imsbridge_domain::{AuthType, Name};
use imsbridge_interop::{Existing, ImportPreview, RowAction, Vars, parse_aem_osgi, preview};

fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}

fn actions(p: &ImportPreview) -> Vec<(&str, RowAction, Option<u64>)> {
    p.rows
        .iter()
        .map(|r| (r.name.as_str(), r.action, r.revision))
        .collect()
}

#[test]
fn each_row_is_created_updated_skipped_or_blocked_by_what_the_store_holds() {
    let report = parse_aem_osgi(&common::walk("aem-osgi/ams"), &Vars::new());
    let empty = BTreeMap::new();
    let fresh = preview("aem-osgi", &report, &empty, false);
    assert_eq!(
        actions(&fresh),
        [
            ("analytics-legacy", RowAction::NeedsCertificate, None),
            ("smart-content-service", RowAction::Create, None),
            ("target", RowAction::NeedsSecret, None),
        ]
    );
    let target = &fresh.rows[2];
    assert!(
        target
            .missing
            .iter()
            .any(|m| m.property == "auth.ims.client.secret"
                && m.file
                    .ends_with("IMSAccessTokenRequestCustomizerImpl-target.config")
                && m.message.contains("encrypted")),
        "{:?}",
        target.missing
    );
    assert_eq!(target.run_modes, ["author", "prod"]);
    assert!(
        fresh.rows[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("key pair")
    );

    let oauth = |revision| Existing {
        revision,
        auth_type: AuthType::OAuth,
    };
    let existing = BTreeMap::from([(name("smart-content-service"), oauth(3))]);
    let kept = preview("aem-osgi", &report, &existing, false);
    assert_eq!(kept.rows[1].action, RowAction::Skip);
    assert!(
        kept.rows[1].reason.as_deref().unwrap().contains("--update"),
        "{:?}",
        kept.rows[1].reason
    );
    let updated = preview("aem-osgi", &report, &existing, true);
    assert_eq!(
        (updated.rows[1].action, updated.rows[1].revision),
        (RowAction::Update, Some(3))
    );

    let jwt = BTreeMap::from([(
        name("smart-content-service"),
        Existing {
            revision: 1,
            auth_type: AuthType::Jwt,
        },
    )]);
    let over_jwt = preview("aem-osgi", &report, &jwt, true);
    assert_eq!(over_jwt.rows[1].action, RowAction::Skip);
    assert!(over_jwt.rows[1].reason.as_deref().unwrap().contains("JWT"));

    let table = updated.to_table();
    assert!(table.starts_with("ACTION"), "{table}");
    assert!(
        table.contains(
            "0 to create, 1 to update, 0 skipped, 1 need a secret, 1 need a certificate, 0 problem(s)"
        ),
        "{table}"
    );
}

#[test]
fn expect_applies_only_rows_still_at_the_previewed_revision() {
    let report = parse_aem_osgi(&common::walk("aem-osgi/ams"), &Vars::new());
    let at = |revision| {
        BTreeMap::from([(
            name("smart-content-service"),
            Existing {
                revision,
                auth_type: AuthType::OAuth,
            },
        )])
    };
    let dry_run = preview("aem-osgi", &report, &at(3), true);
    let expected = ImportPreview::from_json(&dry_run.to_json()).unwrap();
    assert_eq!(expected, dry_run, "the report reads back as written");

    let mut same = preview("aem-osgi", &report, &at(3), true);
    same.restrict_to(&expected);
    assert_eq!(
        same.writes().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["smart-content-service"]
    );

    let mut moved = preview("aem-osgi", &report, &at(4), true);
    moved.restrict_to(&expected);
    assert_eq!(moved.writes().count(), 0);
    let reason = moved.rows[1].reason.as_deref().unwrap();
    assert!(reason.contains("revision 3, now 4"), "{reason}");

    let mut created_since = preview("aem-osgi", &report, &BTreeMap::new(), true);
    created_since.restrict_to(&expected);
    assert!(
        created_since.rows[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("deleted since"),
        "{:?}",
        created_since.rows[1]
    );

    let err = ImportPreview::from_json("{\"format\": \"imsbridge-export/1\"}").unwrap_err();
    assert!(err.contains("not an import report"), "{err}");
}
