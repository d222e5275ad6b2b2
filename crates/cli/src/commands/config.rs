//! `imsbridge config …`: integration configurations, over the admin API (list, show, create,
//! update, migrate, delete, health) or directly on the store (export, import).

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::cli::{ConfigCommand, ConsoleArgs, OAuthArgs, OutputFormat, SecretArgs};
use crate::commands::remote::{Remote, cell, print_table};
use crate::commands::{interop, rotate, transfer};
use crate::say;
use crate::settings::Settings;

/// Runs a `config` subcommand.
#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub async fn run(command: ConfigCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Export(args) => match (args.to, args.dir.clone()) {
            (Some(format), Some(dir)) => interop::export(format, &dir, &args, settings).await,
            _ => transfer::export(args, settings).await,
        },
        ConfigCommand::Import(args) => match args.from {
            Some(format) => interop::import(format, args, settings).await,
            None => transfer::import(args, settings).await,
        },
        ConfigCommand::List {
            remote,
            output,
            auth_type,
            cloud_solution,
            origin,
            health,
            search,
            limit,
            offset,
        } => {
            let api = Remote::new(&remote)?;
            let mut query = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
            for (k, v) in [
                ("auth_type", auth_type),
                ("cloud_solution", cloud_solution),
                ("origin", origin),
                ("health", health),
                ("q", search),
            ] {
                if let Some(v) = v {
                    query.push((k, v));
                }
            }
            let page = api
                .call(Method::GET, "/api/v1/integrations", &query, None, None)
                .await?;
            if output == OutputFormat::Json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page["items"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|i| {
                    vec![
                        cell(&i["name"]),
                        cell(&i["title"]),
                        cell(&i["cloud_solution_label"]),
                        if i["deprecated"].as_bool() == Some(true) {
                            "JWT (deprecated)".to_owned()
                        } else {
                            "OAuth".to_owned()
                        },
                        cell(&i["origin"]),
                        i["health"]
                            .get("status")
                            .map_or_else(|| "unchecked".to_owned(), cell),
                        cell(&i["revision"]),
                    ]
                })
                .collect();
            print_table(
                &[
                    "NAME",
                    "TITLE",
                    "CLOUD SOLUTION",
                    "AUTH TYPE",
                    "ORIGIN",
                    "HEALTH",
                    "REV",
                ],
                &rows,
            );
            let total = page["total"].as_u64().unwrap_or(rows.len() as u64);
            if total > rows.len() as u64 {
                eprintln!(
                    "{}",
                    say::fmt(
                        "cli_list_partial",
                        &[("shown", rows.len().into()), ("total", total.into())],
                    )
                );
            }
            Ok(())
        }
        ConfigCommand::Show {
            remote,
            output,
            name,
        } => {
            let api = Remote::new(&remote)?;
            let cfg = api
                .call(Method::GET, &path(&name, ""), &[], None, None)
                .await?;
            if output == OutputFormat::Json {
                return print_json(&cfg);
            }
            print_details(&cfg);
            Ok(())
        }
        ConfigCommand::Create {
            remote,
            output,
            name,
            title,
            cloud_solution,
            authorization_server,
            no_verify,
            oauth,
            console,
        } => {
            let api = Remote::new(&remote)?;
            let mut body = oauth_body(&oauth)?;
            console_body(&mut body, &console);
            body.insert("name".into(), json!(name));
            if no_verify {
                body.insert("verify".into(), json!(false));
            }
            body.insert("cloud_solution".into(), json!(cloud_solution));
            insert_opt(&mut body, "title", title);
            insert_opt(&mut body, "authorization_server", authorization_server);
            let cfg = api
                .call(
                    Method::POST,
                    "/api/v1/integrations",
                    &[],
                    Some(&Value::Object(body)),
                    None,
                )
                .await?;
            done(output, &cfg, "cli_config_created")
        }
        ConfigCommand::Update {
            remote,
            output,
            name,
            revision,
            title,
            cloud_solution,
            authorization_server,
            no_verify,
            oauth,
            console,
        } => {
            let api = Remote::new(&remote)?;
            let mut body = oauth_body(&oauth)?;
            console_body(&mut body, &console);
            insert_opt(&mut body, "title", title);
            insert_opt(&mut body, "cloud_solution", cloud_solution);
            insert_opt(&mut body, "authorization_server", authorization_server);
            if body.is_empty() {
                bail!(
                    "nothing to change: give at least one field, for example --title or --scopes"
                );
            }
            if no_verify {
                body.insert("verify".into(), json!(false));
            }
            let cfg = api
                .call(
                    Method::PATCH,
                    &path(&name, ""),
                    &[],
                    Some(&Value::Object(body)),
                    Some(revision),
                )
                .await?;
            done(output, &cfg, "cli_config_updated")
        }
        ConfigCommand::Migrate {
            remote,
            output,
            name,
            revision,
            no_verify,
            oauth,
        } => {
            let api = Remote::new(&remote)?;
            let mut body = oauth_body(&oauth)?;
            body.insert("revision".into(), json!(revision));
            body.insert("verify".into(), json!(!no_verify));
            let cfg = api
                .call(
                    Method::POST,
                    &path(&name, "/migrate"),
                    &[],
                    Some(&Value::Object(body)),
                    None,
                )
                .await?;
            done(output, &cfg, "cli_config_migrated")
        }
        ConfigCommand::Secrets {
            remote,
            output,
            name,
        } => rotate::secrets(&Remote::new(&remote)?, output, &name).await,
        ConfigCommand::RotateSecret {
            remote,
            output,
            name,
            delete_old,
            grace_hours,
            all_due,
        } => {
            let api = Remote::new(&remote)?;
            match name.filter(|_| !all_due) {
                Some(name) => {
                    rotate::rotate_secret(&api, output, &name, delete_old, grace_hours).await
                }
                None => rotate::all_due(&api, output).await,
            }
        }
        ConfigCommand::Delete {
            remote,
            name,
            revision,
        } => {
            let api = Remote::new(&remote)?;
            api.call(Method::DELETE, &path(&name, ""), &[], None, revision)
                .await?;
            say::print("cli_config_deleted", &[("name", name.as_str().into())]);
            Ok(())
        }
        ConfigCommand::Health {
            remote,
            output,
            name,
        } => {
            let api = Remote::new(&remote)?;
            let health = api
                .call(Method::POST, &path(&name, "/health"), &[], None, None)
                .await?;
            if output == OutputFormat::Json {
                return print_json(&health);
            }
            let ok = health["status"].as_str() == Some("healthy");
            let key = if ok { "cli_healthy" } else { "cli_unhealthy" };
            say::print(key, &[("message", cell(&health["message"]).into())]);
            for key in ["error_code", "debug_id"] {
                if let Some(v) = health.get(key).filter(|v| !v.is_null()) {
                    println!("  {key}: {}", cell(v));
                }
            }
            if ok {
                Ok(())
            } else {
                bail!("the health check failed")
            }
        }
    }
}

fn path(name: &str, suffix: &str) -> String {
    // Names are slugs, so they need no escaping; anything else is refused by the server.
    format!("/api/v1/integrations/{name}{suffix}")
}

fn insert_opt(body: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        body.insert(key.into(), json!(v));
    }
}

/// Adds the Developer Console ids and rotation period given on the command line.
fn console_body(body: &mut Map<String, Value>, args: &ConsoleArgs) {
    insert_opt(body, "console_org_id", args.console_org_id.clone());
    insert_opt(body, "credential_id", args.credential_id.clone());
    if let Some(days) = args.rotate_every_days {
        body.insert("rotate_every_days".into(), json!(days));
    }
}

/// The OAuth fields given on the command line as a JSON object.
fn oauth_body(args: &OAuthArgs) -> anyhow::Result<Map<String, Value>> {
    let mut body = Map::new();
    insert_opt(&mut body, "client_id", args.client_id.clone());
    insert_opt(&mut body, "scopes", args.scopes.clone());
    insert_opt(&mut body, "org_id", args.org_id.clone());
    insert_opt(
        &mut body,
        "technical_account_id",
        args.technical_account_id.clone(),
    );
    if let Some(secret) = read_secret(&args.secret)? {
        body.insert("client_secret".into(), json!(secret));
    }
    if let Some(file) = &args.project_json {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read the project JSON {}", file.display()))?;
        let value: Value = serde_json::from_str(&text).with_context(|| {
            format!("{} is not JSON; download the project JSON from the Developer Console's project page", file.display())
        })?;
        body.insert("project_json".into(), value);
    }
    Ok(body)
}

/// Reads a client secret from a file, an environment variable or standard input — never
/// from the command line, where it would land in the shell history and the process list.
fn read_secret(args: &SecretArgs) -> anyhow::Result<Option<String>> {
    if args.client_secret.is_some() {
        bail!(
            "a client secret is not accepted on the command line, where the process list and the shell history would keep it; use --client-secret-file FILE, --client-secret-env VAR or --client-secret-stdin"
        );
    }
    let raw = if let Some(file) = &args.client_secret_file {
        Some(read_file(file)?)
    } else if let Some(var) = &args.client_secret_env {
        Some(
            std::env::var(var)
                .with_context(|| format!("the environment variable {var} is not set"))?,
        )
    } else if args.client_secret_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("could not read the client secret from standard input")?;
        Some(s)
    } else {
        None
    };
    match raw.map(|s| s.trim().to_owned()) {
        Some(s) if s.is_empty() => bail!("the client secret given is empty"),
        other => Ok(other),
    }
}

fn read_file(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))
}

pub(crate) fn print_json(v: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Says what happened to a configuration (`key`: its message), or prints it as JSON.
fn done(output: OutputFormat, cfg: &Value, key: &str) -> anyhow::Result<()> {
    if output == OutputFormat::Json {
        return print_json(cfg);
    }
    say::print(
        key,
        &[
            ("name", cell(&cfg["name"]).into()),
            ("revision", cell(&cfg["revision"]).into()),
        ],
    );
    Ok(())
}

fn print_details(cfg: &Value) {
    let mut rows = vec![
        ("Name", cell(&cfg["name"])),
        ("Title", cell(&cfg["title"])),
        ("Cloud solution", cell(&cfg["cloud_solution_label"])),
        (
            "Authentication type",
            cell(&cfg["auth_type"]).to_uppercase(),
        ),
        ("Origin", cell(&cfg["origin"])),
        ("Authorization server", cell(&cfg["authorization_server"])),
        ("Revision", cell(&cfg["revision"])),
        ("Updated", cell(&cfg["updated_at"])),
    ];
    if let Some(w) = cfg["warning"].as_str() {
        rows.push(("Warning", w.to_owned()));
    }
    if let Some(h) = cfg["health"].as_object() {
        rows.push((
            "Health",
            format!(
                "{} at {}: {}",
                cell(&h["status"]),
                cell(&h["checked_at"]),
                cell(&h["message"])
            ),
        ));
    }
    for (k, v) in rows {
        println!("{:<22}{v}", format!("{k}:"));
    }
    for section in ["oauth", "jwt"] {
        if let Some(obj) = cfg[section].as_object() {
            for (k, v) in obj {
                let text = match v {
                    Value::Object(o) if o.contains_key("set") => {
                        match o.get("last4").and_then(Value::as_str) {
                            Some(l4) => format!("set (…{l4})"),
                            None if o["set"].as_bool() == Some(true) => "set".to_owned(),
                            None => "not set".to_owned(),
                        }
                    }
                    Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(","),
                    Value::Object(o) => o
                        .iter()
                        .map(|(k, v)| format!("{k}={}", cell(v)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => cell(other),
                };
                println!("{:<22}{text}", format!("{k}:"));
            }
        }
    }
}
