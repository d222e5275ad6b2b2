//! The Import page (`/console/import`), for admins: upload AEM OSGi configurations, aio CLI
//! contexts or aio-lib-java workspaces, review the preview, then import exactly what was
//! previewed. The uploaded files stay on the server between the two steps (in the bounded,
//! session-bound [`Staging`](crate::import_upload::Staging) area), so their secrets are
//! never sent back to the browser. Both steps run the shared
//! [`Services::import_files`](imsbridge_service::Services::import_files).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::SecretString;
use imsbridge_interop::{ImportFormat, ImportPreview, Vars};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::i18n::Texts;
use super::view::Chrome;
use super::{Console, see_other};
use crate::import_upload::{Staged, StagingFull, check_files};
use crate::state::AppState;
use imsbridge_service::file_import::{FileImport, FileImportOutcome};

/// The Import page: the upload form, a preview, or what an import did.
#[derive(Template)]
#[template(path = "console/import.html")]
pub struct ImportPage {
    /// Chrome.
    pub page: Chrome,
    /// Its words.
    pub s: Texts,
    /// The formats, with the chosen one selected.
    pub formats: Vec<(&'static str, &'static str, bool)>,
    /// Whether "update existing" is ticked.
    pub update: bool,
    /// Why the upload was refused.
    pub error: Option<String>,
    /// The preview of a staged upload, and its id.
    pub preview: Option<(PreviewView, String)>,
    /// What an import did.
    pub done: Option<DoneView>,
}

/// A preview as the page shows it (no value of any file, only names and places).
pub struct PreviewView {
    /// One row per configuration.
    pub rows: Vec<RowView>,
    /// Files or parts that could not be used.
    pub problems: Vec<String>,
    /// Files that hold nothing to import.
    pub ignored: Vec<String>,
    /// Whether any row would be written.
    pub writes: bool,
}

/// One row of the preview.
pub struct RowView {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// The solution.
    pub solution: String,
    /// `create`, `update`, …
    pub action: &'static str,
    /// Its label.
    pub action_label: &'static str,
    /// The badge's class.
    pub badge: &'static str,
    /// The reason and notes.
    pub detail: Vec<String>,
    /// `(file, property, message)` of each value missing.
    pub missing: Vec<(String, String, String)>,
    /// The run modes.
    pub run_modes: String,
    /// The files it was read from.
    pub sources: Vec<String>,
}

/// What an import did.
pub struct DoneView {
    /// `(name, status, status label, revision, reason)`.
    pub results: Vec<(String, String, &'static str, String, String)>,
    /// The preview the import ran against (rows changed meanwhile show as skipped).
    pub preview: PreviewView,
}

fn preview_view(s: Texts, p: &ImportPreview) -> PreviewView {
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let action = r.action.key();
            RowView {
                name: r.name.clone(),
                title: r.title.clone(),
                solution: r.cloud_solution.clone(),
                action,
                action_label: super::i18n::import_action_label(s, action),
                badge: match action {
                    "create" => "badge-healthy",
                    "update" => "badge-oauth",
                    "skip" => "badge-unknown",
                    _ => "badge-unhealthy",
                },
                detail: r.reason.iter().chain(&r.notes).cloned().collect(),
                missing: r
                    .missing
                    .iter()
                    .map(|m| (m.file.clone(), m.property.clone(), m.message.clone()))
                    .collect(),
                run_modes: r.run_modes.join(", "),
                sources: r.sources.clone(),
            }
        })
        .collect();
    PreviewView {
        rows,
        problems: p
            .problems
            .iter()
            .map(|pr| {
                let line = pr.line.map(|l| format!(":{l}")).unwrap_or_default();
                let property = pr
                    .property
                    .as_ref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default();
                format!("{}{line}{property}: {}", pr.file, pr.message)
            })
            .collect(),
        ignored: p.ignored.clone(),
        writes: p.writes().next().is_some(),
    }
}

fn page(console: &Console, format: ImportFormat, update: bool) -> ImportPage {
    let s = Texts(console.lang);
    ImportPage {
        page: console.chrome("import").titled(s.get("import_nav")),
        s,
        formats: [
            (ImportFormat::AemOsgi, s.get("import_format_aem_osgi")),
            (ImportFormat::Aio, s.get("import_format_aio")),
            (
                ImportFormat::AioLibJava,
                s.get("import_format_aio_lib_java"),
            ),
        ]
        .into_iter()
        .map(|(f, label)| (f.key(), label, f == format))
        .collect(),
        update,
        error: None,
        preview: None,
        done: None,
    }
}

fn require_admin(console: &Console) -> Result<(), Response> {
    if console.caller.principal.is_admin() {
        Ok(())
    } else {
        Err(console.error_page(
            StatusCode::FORBIDDEN,
            console.t().get("forbidden").to_owned(),
        ))
    }
}

fn refused(console: &Console, mut page: ImportPage, message: String) -> Response {
    page.error = Some(message);
    let mut response = console.page(&page);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// `?stage=`: the upload whose preview to show.
#[derive(Debug, Deserialize)]
pub struct StageQuery {
    stage: Option<String>,
}

/// `GET /console/import`: the upload form, or with `?stage=` the preview of this session's
/// staged upload.
pub async fn form(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<StageQuery>,
) -> Result<Response, Response> {
    require_admin(&console)?;
    let Some(id) = query.stage else {
        return Ok(console.page(&page(&console, ImportFormat::AemOsgi, false)));
    };
    let s = Texts(console.lang);
    let staged = state.import_staging.peek(
        &id,
        console.session.user_id,
        console.session.created_at,
        state.clock.now(),
    );
    let Some((format, update, preview)) = staged else {
        let form = page(&console, ImportFormat::AemOsgi, false);
        return Ok(refused(&console, form, s.get("import_expired").to_owned()));
    };
    let mut shown = page(&console, format, update);
    shown.preview = Some((preview_view(s, &preview), id));
    Ok(console.page(&shown))
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf_token: Option<String>,
    format: Option<String>,
    files: Vec<(String, SecretString)>,
    vars: Option<SecretString>,
    update: bool,
}

/// Why an upload could not be read.
enum UploadFailure {
    /// Larger than the request limit.
    TooLarge,
    /// Broken multipart.
    Unreadable,
    /// This file is not UTF-8 text.
    NotText(String),
}

fn failure(e: &axum::extract::multipart::MultipartError) -> UploadFailure {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadFailure::TooLarge
    } else {
        UploadFailure::Unreadable
    }
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, UploadFailure> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| failure(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| failure(&e))?;
        let label = file_name.clone().unwrap_or_else(|| name.clone());
        let text = || String::from_utf8(bytes.to_vec()).map_err(|_| UploadFailure::NotText(label));
        match name.as_str() {
            "csrf_token" => upload.csrf_token = Some(text()?),
            "format" => upload.format = Some(text()?),
            "update" => upload.update = true,
            "files" | "folder" => {
                // An empty file input still sends one part without a name.
                if let Some(path) = file_name.filter(|n| !n.is_empty()) {
                    upload.files.push((path, SecretString::from(text()?)));
                }
            }
            "vars" if file_name.is_some_and(|n| !n.is_empty()) => {
                upload.vars = Some(SecretString::from(text()?));
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /console/import`: reads the upload, previews it, stages it, and answers 303 to
/// its preview.
pub async fn preview(
    State(state): State<AppState>,
    console: Console,
    multipart: Multipart,
) -> Result<Response, Response> {
    require_admin(&console)?;
    let s = Texts(console.lang);
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(e) => {
            let message = match e {
                UploadFailure::TooLarge => s.fmt(
                    "import_too_large",
                    &[("limit", state.settings.body_limit_bytes.into())],
                ),
                UploadFailure::Unreadable => s.get("import_unreadable").to_owned(),
                UploadFailure::NotText(file) => s.fmt("import_not_text", &[("file", file.into())]),
            };
            let form = page(&console, ImportFormat::AemOsgi, false);
            return Ok(refused(&console, form, message));
        }
    };
    console.check_csrf(upload.csrf_token.as_deref())?;
    let format = upload
        .format
        .as_deref()
        .and_then(ImportFormat::parse)
        .unwrap_or(ImportFormat::AemOsgi);
    let form = page(&console, format, upload.update);
    if upload.files.is_empty() {
        return Ok(refused(&console, form, s.get("import_no_files").to_owned()));
    }
    let files = match check_files(upload.files, state.settings.body_limit_bytes) {
        Ok(files) => files,
        Err(e) => return Ok(refused(&console, form, e.message)),
    };
    let vars = match &upload.vars {
        None => Vars::new(),
        Some(text) => match Vars::parse(text.expose_secret()) {
            Ok(vars) => vars,
            Err(e) => {
                return Ok(refused(
                    &console,
                    form,
                    s.fmt("import_bad_vars", &[("problem", e.to_string().into())]),
                ));
            }
        },
    };
    let outcome = state
        .services
        .import_files(
            &console.caller,
            FileImport {
                format,
                // The staging area keeps the files for the import.
                files: files.clone(),
                vars,
                update: upload.update,
                expect: None,
                dry_run: true,
            },
        )
        .await
        .map_err(|e| console.api_error_page(&crate::error::ApiError::from(e)))?;
    let staged = Staged {
        user_id: console.session.user_id,
        session_started: console.session.created_at,
        format,
        files,
        vars: upload.vars,
        update: upload.update,
        preview: outcome.preview,
        staged_at: state.clock.now(),
    };
    match state.import_staging.put(staged, state.clock.now()) {
        Ok(id) => Ok(see_other(&super::view::link(
            "/console/import",
            [("stage", id)],
        ))),
        Err(StagingFull::Entries | StagingFull::Bytes) => Ok(refused(
            &console,
            form,
            s.get("import_staging_full").to_owned(),
        )),
    }
}

/// The Import button's form.
#[derive(Debug, Deserialize)]
pub struct ApplyForm {
    csrf_token: Option<String>,
    stage: Option<String>,
}

/// `POST /console/import/apply`: imports exactly what the staged preview showed.
pub async fn apply(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<ApplyForm>,
) -> Result<Response, Response> {
    require_admin(&console)?;
    console.check_csrf(form.csrf_token.as_deref())?;
    let s = Texts(console.lang);
    let now = state.clock.now();
    let Some(staged) = form.stage.as_deref().and_then(|id| {
        state
            .import_staging
            .take(id, console.session.user_id, console.session.created_at, now)
    }) else {
        return Ok(refused(
            &console,
            page(&console, ImportFormat::AemOsgi, false),
            s.get("import_expired").to_owned(),
        ));
    };
    let format = staged.format;
    let update = staged.update;
    let vars = match &staged.vars {
        None => Vars::new(),
        Some(text) => match Vars::parse(text.expose_secret()) {
            Ok(vars) => vars,
            Err(e) => {
                let form = page(&console, format, update);
                return Ok(refused(
                    &console,
                    form,
                    s.fmt("import_bad_vars", &[("problem", e.to_string().into())]),
                ));
            }
        },
    };
    let outcome: FileImportOutcome = state
        .services
        .import_files(
            &console.caller,
            FileImport {
                format,
                files: staged.files,
                vars,
                update,
                expect: Some(staged.preview),
                dry_run: false,
            },
        )
        .await
        .map_err(|e| console.api_error_page(&crate::error::ApiError::from(e)))?;
    let mut shown = page(&console, format, update);
    shown.done = Some(DoneView {
        results: outcome
            .results
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.status.clone(),
                    super::i18n::import_status_label(s, &r.status),
                    r.revision.map(|v| v.to_string()).unwrap_or_default(),
                    r.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        preview: preview_view(s, &outcome.preview),
    });
    Ok(console.page(&shown))
}
