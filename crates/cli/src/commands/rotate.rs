//! `imsbridge config secrets` and `config rotate-secret`: a credential's client secrets and
//! their rotation, over the admin API.

use anyhow::bail;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::cli::OutputFormat;
use crate::commands::config::print_json;
use crate::commands::remote::{Remote, cell, print_table};
use crate::say;

/// Lists the credential's secrets: uuid, created, last used, held.
pub async fn secrets(api: &Remote, output: OutputFormat, name: &str) -> anyhow::Result<()> {
    let view = api
        .call(
            Method::GET,
            &format!("/api/v1/integrations/{name}/secrets"),
            &[],
            None,
            None,
        )
        .await?;
    if output == OutputFormat::Json {
        return print_json(&view);
    }
    let rows: Vec<Vec<String>> = view["secrets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            vec![
                cell(&s["uuid"]),
                cell(&s["created_at"]),
                cell(&s["last_used_at"]),
                cell(&s["age_days"]),
                if s["held"].as_bool() == Some(true) {
                    "yes".to_owned()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    print_table(
        &["UUID", "CREATED", "LAST USED", "AGE (DAYS)", "HELD"],
        &rows,
    );
    if let Some(next) = view["next_rotation_at"].as_str() {
        say::print("cli_next_rotation", &[("at", next.into())]);
    }
    if let Some(r) = view["rotation"].as_object() {
        print_rotation(&Value::Object(r.clone()), say::text("cli_last_rotation"));
    }
    Ok(())
}

fn print_rotation(r: &Value, label: &str) {
    say::print(
        "cli_rotation",
        &[
            ("label", label.into()),
            ("state", cell(&r["state"]).into()),
            ("old", cell(&r["old_secret_uuid"]).into()),
            ("new", cell(&r["new_secret_uuid"]).into()),
        ],
    );
    if let Some(reason) = r["reason"].as_str() {
        println!("  {reason}");
    }
}

/// Rotates one configuration's client secret; fails (exit status 1) when the rotation did.
pub async fn rotate_secret(
    api: &Remote,
    output: OutputFormat,
    name: &str,
    delete_old: Option<String>,
    grace_hours: Option<u32>,
) -> anyhow::Result<()> {
    let mut body = Map::new();
    if let Some(d) = delete_old {
        body.insert("delete_old".into(), json!(d));
    }
    if let Some(h) = grace_hours {
        body.insert("grace_hours".into(), json!(h));
    }
    let view = api
        .call(
            Method::POST,
            &format!("/api/v1/integrations/{name}/rotate-secret"),
            &[],
            Some(&Value::Object(body)),
            None,
        )
        .await?;
    if output == OutputFormat::Json {
        print_json(&view)?;
    } else {
        print_rotation(&view, name);
    }
    if view["state"].as_str() == Some("failed") {
        bail!(say::fmt("cli_rotation_failed", &[("name", name.into())]));
    }
    Ok(())
}

/// Runs the rotation pass now on the server.
pub async fn all_due(api: &Remote, output: OutputFormat) -> anyhow::Result<()> {
    let report = api
        .call(Method::POST, "/api/v1/rotations/run-due", &[], None, None)
        .await?;
    if output == OutputFormat::Json {
        return print_json(&report);
    }
    let rotations = report["rotations"].as_array().cloned().unwrap_or_default();
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    if rotations.is_empty() && errors.is_empty() {
        say::print("cli_nothing_due", &[]);
    }
    for r in &rotations {
        print_rotation(&r["rotation"], &cell(&r["name"]));
    }
    for e in &errors {
        eprintln!("{}: {}", cell(&e["name"]), cell(&e["reason"]));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        bail!(say::fmt(
            "cli_rotations_not_run",
            &[("count", errors.len().into())]
        ))
    }
}
