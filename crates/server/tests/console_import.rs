//! The console's Import page without a browser: the upload is staged on the server for the
//! session that made it, imported once, never shown back, behind CSRF and the admin role.

use std::path::{Path, PathBuf};

use imsbridge_testkit::{ADMIN_PASSWORD, Backend, Session, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use scraper::{Html, Selector};

const SECRET: &str = "p8e-Fixture-SmartContent-0123456789abcdef";

fn ams_files() -> Vec<(String, String)> {
    fn visit(root: &Path, at: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, out);
            } else {
                let content = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), content));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/tests/fixtures/aem-osgi/ams");
    let mut files = Vec::new();
    visit(&root, &root, &mut files);
    files
        .into_iter()
        .map(|(p, c)| (p.to_string_lossy().into_owned(), c))
        .collect()
}

fn upload(csrf: Option<&str>) -> Form {
    let mut form = Form::new().text("format", "aem-osgi");
    if let Some(csrf) = csrf {
        form = form.text("csrf_token", csrf.to_owned());
    }
    for (path, content) in ams_files() {
        form = form.part("files", Part::text(content).file_name(path));
    }
    form
}

fn page(app: &TestApp, session: &Session, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.anonymous(method, path)
        .header("cookie", &session.cookie)
}

async fn apply(app: &TestApp, session: &Session, stage: &str) -> (StatusCode, String) {
    let r = page(app, session, Method::POST, "/console/import/apply")
        .form(&[("csrf_token", session.csrf.as_str()), ("stage", stage)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// How many elements of `html` match `selector`.
fn count(html: &str, selector: &str) -> usize {
    Html::parse_document(html)
        .select(&Selector::parse(selector).unwrap())
        .count()
}

/// The text of the first element matching `selector`.
fn text(html: &str, selector: &str) -> String {
    Html::parse_document(html)
        .select(&Selector::parse(selector).unwrap())
        .next()
        .unwrap_or_else(|| panic!("no {selector}: {html}"))
        .text()
        .collect()
}

/// Follows the 303 of an upload to its preview page.
async fn follow(app: &TestApp, session: &Session, r: reqwest::Response) -> (StatusCode, String) {
    if r.status() != StatusCode::SEE_OTHER {
        return (r.status(), r.text().await.unwrap());
    }
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/console/import?stage="), "{location}");
    let r = page(app, session, Method::GET, &location)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn stage_of(html: &str) -> String {
    let at = html
        .find(r#"name="stage" value=""#)
        .expect("the preview's Import form")
        + 20;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_upload_is_previewed_then_imported_once_by_its_own_session() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = app.login("admin", ADMIN_PASSWORD).await;

    let r = page(&app, &admin, Method::GET, "/console/import")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(
        count(&html, r#"form#import-form[enctype="multipart/form-data"]"#),
        1
    );
    assert_eq!(count(&html, "input#f-folder[webkitdirectory]"), 1);

    // Without the session's CSRF token nothing is read or staged.
    let r = page(&app, &admin, Method::POST, "/console/import")
        .multipart(upload(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.state.import_staging.is_empty());

    let r = page(&app, &admin, Method::POST, "/console/import")
        .multipart(upload(Some(&admin.csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = follow(&app, &admin, r).await;
    assert_eq!(status, StatusCode::OK);
    for (name, action) in [
        ("smart-content-service", "create"),
        ("target", "needs-secret"),
        ("analytics-legacy", "needs-certificate"),
    ] {
        assert_eq!(
            count(
                &html,
                &format!(r#"#import-rows tr[data-name="{name}"][data-action="{action}"]"#)
            ),
            1,
            "{name} {action}: {html}"
        );
    }
    assert!(text(&html, r#"tr[data-name="target"] .missing"#).contains("auth.ims.client.secret"));
    assert!(
        !html.contains(SECRET),
        "the preview shows an uploaded secret"
    );
    assert_eq!(app.state.import_staging.len(), 1);
    let stage = stage_of(&html);

    // Another admin's session can neither see nor use it.
    let other = app.user_session("second-admin", "admin").await;
    let r = page(
        &app,
        &other,
        Method::GET,
        &format!("/console/import?stage={stage}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, html) = apply(&app, &other, &stage).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#import-error").contains("expired or was imported already"));
    let (status, _) = app
        .get_json("/api/v1/integrations/smart-content-service")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, html) = apply(&app, &admin, &stage).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        count(
            &html,
            r#"#import-results tr[data-name="smart-content-service"][data-status="created"]"#
        ),
        1,
        "{html}"
    );
    assert!(!html.contains(SECRET));
    let (status, cfg) = app
        .get_json("/api/v1/integrations/smart-content-service")
        .await;
    assert_eq!(status, StatusCode::OK, "{cfg}");
    assert!(app.state.import_staging.is_empty());

    // Used up.
    let (status, _) = apply(&app, &admin, &stage).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn the_page_is_for_admins_and_refuses_an_empty_upload_in_words() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let viewer = app.user_session("viewer-one", "viewer").await;
    let r = page(&app, &viewer, Method::GET, "/console/import")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = page(&app, &viewer, Method::GET, "/console/integrations")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert_eq!(count(&html, r#"a[href="/console/import"]"#), 0, "{html}");

    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let r = page(&app, &admin, Method::GET, "/console/integrations")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert_eq!(
        count(&html, r#"a#action-import[href="/console/import"]"#),
        1
    );

    let empty = Form::new()
        .text("csrf_token", admin.csrf.clone())
        .text("format", "aem-osgi")
        .part("files", Part::text("").file_name(""));
    let r = page(&app, &admin, Method::POST, "/console/import")
        .header("accept-language", "ko")
        .multipart(empty)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        text(&html, "#import-error").trim(),
        "파일 또는 폴더를 하나 이상 선택하십시오."
    );
    assert!(app.state.import_staging.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_variables_file_resolves_placeholders_and_a_binary_file_is_named() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let cloud =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/tests/fixtures/aem-osgi/cloud");
    let folder = "ui.config/src/main/content/jcr_root/apps/mysite/osgiconfig/config.author";
    let form = |vars: bool| {
        let mut form = Form::new()
            .text("csrf_token", admin.csrf.clone())
            .text("format", "aem-osgi");
        for pid in [
            "com.adobe.granite.auth.oauth.accesstoken.provider~analytics.cfg.json",
            "com.adobe.granite.auth.ims.impl.IMSAccessTokenRequestCustomizerImpl~analytics.cfg.json",
        ] {
            let path = format!("{folder}/{pid}");
            let content = std::fs::read_to_string(cloud.join(&path)).unwrap();
            form = form.part("folder", Part::text(content).file_name(path));
        }
        if vars {
            let env = std::fs::read_to_string(cloud.join("local.env")).unwrap();
            form = form.part("vars", Part::text(env).file_name("local.env"));
        }
        form
    };
    let preview = |form: Form| async {
        let r = page(&app, &admin, Method::POST, "/console/import")
            .multipart(form)
            .send()
            .await
            .unwrap();
        follow(&app, &admin, r).await
    };
    let (status, html) = preview(form(false)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        count(
            &html,
            r#"tr[data-name="analytics-reporting"][data-action="needs-secret"]"#
        ),
        1,
        "{html}"
    );
    let (status, html) = preview(form(true)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        count(
            &html,
            r#"tr[data-name="analytics-reporting"][data-action="create"]"#
        ),
        1,
        "{html}"
    );
    assert!(!html.contains("p8e-Fixture-Analytics-fedcba9876543210"));

    let binary = Form::new()
        .text("csrf_token", admin.csrf.clone())
        .text("format", "aem-osgi")
        .part(
            "files",
            Part::bytes(vec![0xff, 0xfe, 0x00]).file_name("logo.png"),
        );
    let (status, html) = preview(binary).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = text(&html, "#import-error");
    assert!(
        error.contains("is not UTF-8 text") && error.contains("logo.png"),
        "{error}"
    );
    app.stop().await;
}
