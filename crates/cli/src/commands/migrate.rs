//! `imsbridge migrate …`: plan, apply, auto and status — the bulk migration of JWT
//! configurations. Everything happens in `imsbridge_server::bulk` and
//! `imsbridge_server::readiness`; this only reads files, draws progress and prints.

use crate::say;
use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use imsbridge_domain::SystemClock;
use imsbridge_server::bulk::lock::{AUTO_MIGRATION_LOCK, JobLock};
use imsbridge_server::bulk::report::table;
use imsbridge_server::bulk::{
    ApplyError, ApplyOptions, AutoMigration, Backoff, CredentialSource, Observer, Plan, PlanFormat,
    PlanOptions, RowReport,
};
use imsbridge_server::readiness::{self, Readiness};
use imsbridge_store::DatabaseUrl;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::open;
use crate::settings::Settings;

/// `imsbridge migrate …`
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Write a plan listing every JWT configuration that may be migrated by hand.
    Plan(PlanArgs),
    /// Validate a plan, then verify (--dry-run) or migrate every row, and report.
    Apply(ApplyArgs),
    /// Migrate the auto-provisioned JWT configurations now (what `serve` does in the background).
    Auto(AutoArgs),
    /// Show migration readiness: counts, the JWT configurations left, days to end of life.
    Status(StatusArgs),
}

/// Plan file formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// JSON (the default).
    Json,
    /// CSV, for spreadsheets.
    Csv,
}

/// Options of `imsbridge migrate plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Write the plan here (standard output when absent).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// json or csv; default: from the output file's extension, else json.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Pre-set keep_jwt_secret on every row (for credentials the Developer Console has
    /// migrated, which keeps the client secret).
    #[arg(long)]
    pub keep_jwt_secret: bool,
}

/// Options of `imsbridge migrate apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file (JSON or CSV).
    pub plan: PathBuf,
    /// Verify every new credential with IMS and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How many configurations to verify or migrate at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Write the JSON report here (default: next to the plan, `<plan>.report.json`).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// Options of `imsbridge migrate auto`.
#[derive(Debug, Args)]
pub struct AutoArgs {
    /// The Developer Console–compatible API that migrates credentials, such as
    /// `http://127.0.0.1:8181/console` for the emulator. Default: the
    /// `migration.credential_source` setting.
    #[arg(long, value_name = "URL")]
    pub credential_source: Option<String>,
}

/// Output formats of `imsbridge migrate status`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputArg {
    /// Human-readable tables.
    Table,
    /// The readiness document as JSON.
    Json,
}

/// Options of `imsbridge migrate status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// table or json.
    #[arg(long, value_enum, default_value = "table")]
    pub output: OutputArg,
    /// The JWT end-of-life date (YYYY-MM-DD). Default: the `jwt_eol` setting.
    #[arg(long, value_name = "DATE")]
    pub eol: Option<String>,
    /// Write an SVG chart of the migration's progress to this file.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// Runs `imsbridge migrate …`.
pub async fn run(command: MigrateCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        MigrateCommand::Plan(args) => plan(args, settings).await,
        MigrateCommand::Apply(args) => apply(args, settings).await,
        MigrateCommand::Auto(args) => auto(args, settings).await,
        MigrateCommand::Status(args) => status(args, settings).await,
    }
}

async fn plan(args: PlanArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open::store(settings).await?;
    let csv_file = args
        .output
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
    let format = match args.format {
        Some(FormatArg::Csv) => PlanFormat::Csv,
        None if csv_file => PlanFormat::Csv,
        Some(FormatArg::Json) | None => PlanFormat::Json,
    };
    let plan = Plan::generate(
        &store,
        chrono::Utc::now(),
        PlanOptions {
            keep_jwt_secret: args.keep_jwt_secret,
        },
    )
    .await?;
    let text = plan.render(format);
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("could not write the plan to {}", path.display()))?;
            eprintln!(
                "{}",
                say::fmt(
                    "cli_plan_written",
                    &[
                        ("rows", plan.rows.len().into()),
                        ("path", path.display().to_string().into()),
                    ],
                )
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// The progress bar on standard error; hidden when that is not a terminal.
struct Progress(ProgressBar);

impl Observer for Progress {
    fn row_done(&self, row: &RowReport) {
        self.0.set_message(row.name.clone());
        self.0.inc(1);
    }
}

fn default_report_path(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().unwrap_or_default().to_os_string();
    name.push(".report.json");
    plan.with_file_name(name)
}

async fn apply(args: ApplyArgs, settings: &Settings) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.plan)
        .with_context(|| format!("could not read the plan {}", args.plan.display()))?;
    let plan = Plan::parse(&text)?;
    let store = open::store(settings).await?;
    let provider = open::provider(settings, &store)?;
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(plan.rows.len() as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = ApplyOptions {
        dry_run: args.dry_run,
        concurrency: usize::from(args.concurrency),
        base_dir: args
            .plan
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        actor: format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        ),
        ..ApplyOptions::default()
    };
    let progress = Progress(bar);
    let result =
        imsbridge_server::bulk::apply(&store, &provider, &SystemClock, &plan, &options, &progress)
            .await;
    progress.0.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e @ ApplyError::Refused(_)) => anyhow::bail!("{e}"),
        Err(e) => return Err(e.into()),
    };
    let path = args
        .report
        .clone()
        .unwrap_or_else(|| default_report_path(&args.plan));
    std::fs::write(&path, report.to_json())
        .with_context(|| format!("could not write the report to {}", path.display()))?;
    print!("{}", report.to_table());
    println!(
        "{}",
        say::fmt(
            "cli_report_written",
            &[("path", path.display().to_string().into())]
        )
    );
    anyhow::ensure!(
        report.succeeded(),
        "{} configuration(s) failed; fix them (see the report) and run the same plan again: finished rows are skipped",
        report.failed
    );
    Ok(())
}

fn database_url(settings: &Settings) -> anyhow::Result<Option<DatabaseUrl>> {
    settings
        .database_url
        .as_deref()
        .map(DatabaseUrl::parse)
        .transpose()
        .context("the database_url setting is not usable")
}

async fn auto(args: AutoArgs, settings: &Settings) -> anyhow::Result<()> {
    let Some(source) = args
        .credential_source
        .as_deref()
        .or(settings.migration.credential_source.as_deref())
    else {
        anyhow::bail!(
            "no credential source: pass --credential-source URL or set migration.credential_source (IMSBRIDGE_MIGRATION__CREDENTIAL_SOURCE), such as http://127.0.0.1:8181/console for the emulator"
        );
    };
    let source = CredentialSource::new(source)?;
    let store = open::store(settings).await?;
    let provider = open::provider(settings, &store)?;
    let url = database_url(settings)?;
    let Some(lock) = JobLock::try_acquire(url.as_ref(), AUTO_MIGRATION_LOCK).await? else {
        println!("{}", say::text("cli_auto_busy"));
        return Ok(());
    };
    let job = AutoMigration::new(
        store,
        provider,
        Arc::new(SystemClock),
        source,
        Backoff {
            base: Duration::from_secs(60),
            max: Duration::from_secs(6 * 3600),
        },
    );
    let report = job.run_once().await?;
    lock.release().await;
    for name in &report.migrated {
        println!(
            "{}",
            say::fmt("cli_auto_migrated", &[("name", name.as_str().into())])
        );
    }
    for (name, reason) in &report.failed {
        println!(
            "{}",
            say::fmt(
                "cli_auto_failed",
                &[
                    ("name", name.as_str().into()),
                    ("reason", reason.as_str().into()),
                ],
            )
        );
    }
    println!(
        "{}",
        say::fmt(
            "cli_auto_summary",
            &[
                ("migrated", report.migrated.len().into()),
                ("failed", report.failed.len().into()),
            ],
        )
    );
    anyhow::ensure!(
        report.failed.is_empty(),
        "{} automatic migration(s) failed",
        report.failed.len()
    );
    Ok(())
}

async fn status(args: StatusArgs, settings: &Settings) -> anyhow::Result<()> {
    let eol = match &args.eol {
        Some(raw) => readiness::parse_eol(raw).map_err(|e| anyhow::anyhow!("--eol: {e}"))?,
        None => settings.jwt_eol,
    };
    let store = open::store(settings).await?;
    let r = readiness::compute(&store, chrono::Utc::now(), eol).await?;
    if let Some(path) = &args.chart {
        let svg = imsbridge_server::readiness_chart::svg(
            &r,
            imsbridge_server::readiness_chart::ChartLabels::in_lang(crate::say::lang()),
        );
        std::fs::write(path, svg)
            .with_context(|| format!("could not write the chart to {}", path.display()))?;
    }
    match args.output {
        OutputArg::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        OutputArg::Table => print!("{}", status_table(&r)),
    }
    Ok(())
}

fn status_table(r: &Readiness) -> String {
    let mut out = String::new();
    let jwt = r.remaining.len();
    let _ = write!(
        out,
        "{} configuration(s); {jwt} still JWT. JWT end of life: {} ({}).\n\n",
        r.total,
        r.jwt_eol,
        match r.days_to_eol {
            d if d > 0 => format!("{d} days left"),
            0 => "today".to_owned(),
            d => format!("passed {} days ago", -d),
        }
    );
    for (title, counts) in [
        ("AUTHENTICATION TYPE", &r.by_auth_type),
        ("ORIGIN", &r.by_origin),
        ("CLOUD SOLUTION", &r.by_cloud_solution),
        ("HEALTH", &r.by_health),
    ] {
        let rows: Vec<[String; 2]> = counts
            .iter()
            .map(|c| [c.label.clone(), c.count.to_string()])
            .collect();
        out.push_str(&table(&[title, "COUNT"], &rows));
        out.push('\n');
    }
    if jwt > 0 {
        let rows: Vec<[String; 4]> = r
            .remaining
            .iter()
            .map(|c| {
                let users = if c.used_by.is_empty() {
                    "-".to_owned()
                } else {
                    c.used_by
                        .iter()
                        .map(|u| format!("{} ({})", u.caller, u.requests))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let note = c.auto_failure.as_ref().map_or_else(
                    || {
                        if c.origin == "auto-provisioned" {
                            "migrated automatically".to_owned()
                        } else {
                            "migrate with a plan".to_owned()
                        }
                    },
                    |f| format!("automatic attempt {} failed: {}", f.attempt, f.reason),
                );
                [c.name.clone(), c.origin.clone(), users, note]
            })
            .collect();
        out.push_str(&table(
            &["JWT LEFT", "ORIGIN", "USED BY (REQUESTS)", "NEXT STEP"],
            &rows,
        ));
    }
    out
}
