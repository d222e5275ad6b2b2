//! The console's words for importing files (AEM OSGi configurations, aio CLI contexts,
//! aio-lib-java workspaces), in both languages. A table of its own, so that the import
//! feature keeps its words in one place.

use super::i18n::Lang;

/// Labels and messages of the Import page.
#[derive(Debug)]
pub struct ImportTexts {
    /// The navigation item, the toolbar button and the page heading.
    pub nav: &'static str,
    /// Under the heading.
    pub intro: &'static str,
    /// The format choice.
    pub format: &'static str,
    /// `aem-osgi`.
    pub format_aem_osgi: &'static str,
    /// `aio`.
    pub format_aio: &'static str,
    /// `aio-lib-java`.
    pub format_aio_lib_java: &'static str,
    /// The files input.
    pub files: &'static str,
    /// Under the files input.
    pub files_help: &'static str,
    /// The folder input.
    pub folder: &'static str,
    /// Under the folder input.
    pub folder_help: &'static str,
    /// The variables file input.
    pub vars: &'static str,
    /// Under the variables file input.
    pub vars_help: &'static str,
    /// The update checkbox.
    pub update: &'static str,
    /// Under the update checkbox.
    pub update_help: &'static str,
    /// The preview button and the preview heading.
    pub preview: &'static str,
    /// Under the preview heading.
    pub preview_intro: &'static str,
    /// The import button.
    pub import: &'static str,
    /// Nothing the preview shows would be written.
    pub nothing_to_import: &'static str,
    /// The action column.
    pub action: &'static str,
    /// The detail column.
    pub detail: &'static str,
    /// The missing values column.
    pub missing: &'static str,
    /// The problems heading.
    pub problems: &'static str,
    /// The ignored files heading.
    pub ignored: &'static str,
    /// The run modes label.
    pub run_modes: &'static str,
    /// The files a row was read from.
    pub sources: &'static str,
    /// No configuration found.
    pub no_rows: &'static str,
    /// `create`.
    pub action_create: &'static str,
    /// `update`.
    pub action_update: &'static str,
    /// `skip`.
    pub action_skip: &'static str,
    /// `needs-secret`.
    pub action_needs_secret: &'static str,
    /// `needs-certificate`.
    pub action_needs_certificate: &'static str,
    /// The result heading.
    pub done_heading: &'static str,
    /// `created`.
    pub status_created: &'static str,
    /// `updated`.
    pub status_updated: &'static str,
    /// `failed`.
    pub status_failed: &'static str,
    /// Nothing was written.
    pub nothing_written: &'static str,
    /// Back to the list.
    pub to_list: &'static str,
    /// Start another import.
    pub again: &'static str,
    /// The staged upload is gone (expired, imported already, or another session's).
    pub expired: &'static str,
    /// Too many uploads wait.
    pub staging_full: &'static str,
    /// The upload could not be read.
    pub unreadable: &'static str,
    /// The upload is larger than the request limit (`{limit}` is replaced).
    pub too_large: &'static str,
    /// A file is not text.
    pub not_text: &'static str,
    /// No file was chosen.
    pub no_files: &'static str,
    /// The variables file could not be read.
    pub bad_vars: &'static str,
}

static EN: ImportTexts = ImportTexts {
    nav: "Import",
    intro: "Bring in configurations from where they already live: AEM OSGi configurations (.config, .cfg.json), aio CLI contexts, or aio-lib-java workspaces. Nothing is written until you review the preview and choose Import.",
    format: "Format",
    format_aem_osgi: "AEM OSGi configurations (aem-osgi)",
    format_aio: "aio CLI configuration (aio)",
    format_aio_lib_java: "aio-lib-java workspace (aio-lib-java)",
    files: "Files",
    files_help: "Choose one or more files; at most 1,000 files of at most 1 MiB each.",
    folder: "Or a folder",
    folder_help: "Every file under the folder is read; folder names such as config.author.prod give the run modes.",
    vars: "Variables file (optional)",
    vars_help: "A Cloud Manager variables JSON or a .env file with the values of $[secret:NAME] and $[env:NAME] placeholders.",
    update: "Update existing configurations",
    update_help: "Without this, a configuration whose name exists already is skipped.",
    preview: "Preview",
    preview_intro: "What the import would do with each configuration found. Import applies exactly this: a configuration changed since the preview is skipped.",
    import: "Import",
    nothing_to_import: "Nothing in this preview would be created or updated.",
    action: "Action",
    detail: "Detail",
    missing: "Missing values",
    problems: "Problems",
    ignored: "Files ignored",
    run_modes: "Run modes",
    sources: "Files",
    no_rows: "No configuration was found in these files.",
    action_create: "Create",
    action_update: "Update",
    action_skip: "Skip",
    action_needs_secret: "Needs a secret",
    action_needs_certificate: "Needs a certificate",
    done_heading: "Import finished",
    status_created: "Created",
    status_updated: "Updated",
    status_failed: "Failed",
    nothing_written: "Nothing was written.",
    to_list: "Go to Adobe IMS Integrations",
    again: "Import more files",
    expired: "This preview has expired or was imported already (previews are kept for 10 minutes). Upload the files again.",
    staging_full: "Too many imports are waiting for review right now. Try again in a few minutes.",
    unreadable: "The upload could not be read. Choose the files again.",
    too_large: "The upload is larger than this server accepts ({limit} bytes in all). Import fewer files at a time, or ask the administrator to raise body_limit_bytes.",
    not_text: "This file is not UTF-8 text, so it is no configuration; leave it out",
    no_files: "Choose at least one file or a folder.",
    bad_vars: "The variables file could not be read",
};

static KO: ImportTexts = ImportTexts {
    nav: "가져오기",
    intro: "구성이 이미 있는 곳에서 가져옵니다: AEM OSGi 구성(.config, .cfg.json), aio CLI 컨텍스트 또는 aio-lib-java 작업 영역. 미리 보기를 확인하고 가져오기를 선택하기 전에는 아무것도 기록되지 않습니다.",
    format: "형식",
    format_aem_osgi: "AEM OSGi 구성(aem-osgi)",
    format_aio: "aio CLI 구성(aio)",
    format_aio_lib_java: "aio-lib-java 작업 영역(aio-lib-java)",
    files: "파일",
    files_help: "파일을 하나 이상 선택하십시오. 최대 1,000개, 파일당 최대 1MiB입니다.",
    folder: "또는 폴더",
    folder_help: "폴더 아래의 모든 파일을 읽습니다. config.author.prod 같은 폴더 이름이 실행 모드가 됩니다.",
    vars: "변수 파일(선택 사항)",
    vars_help: "$[secret:NAME] 및 $[env:NAME] 자리 표시자의 값이 든 Cloud Manager 변수 JSON 또는 .env 파일입니다.",
    update: "기존 구성 업데이트",
    update_help: "선택하지 않으면 이름이 이미 있는 구성은 건너뜁니다.",
    preview: "미리 보기",
    preview_intro: "찾은 각 구성에 대해 가져오기가 수행할 작업입니다. 가져오기는 정확히 이 내용을 적용하며, 미리 보기 이후 변경된 구성은 건너뜁니다.",
    import: "가져오기",
    nothing_to_import: "이 미리 보기에는 만들거나 업데이트할 항목이 없습니다.",
    action: "작업",
    detail: "세부 정보",
    missing: "누락된 값",
    problems: "문제",
    ignored: "무시된 파일",
    run_modes: "실행 모드",
    sources: "파일",
    no_rows: "이 파일에서 구성을 찾지 못했습니다.",
    action_create: "만들기",
    action_update: "업데이트",
    action_skip: "건너뛰기",
    action_needs_secret: "비밀 필요",
    action_needs_certificate: "인증서 필요",
    done_heading: "가져오기 완료",
    status_created: "만들어짐",
    status_updated: "업데이트됨",
    status_failed: "실패",
    nothing_written: "아무것도 기록되지 않았습니다.",
    to_list: "Adobe IMS 통합으로 이동",
    again: "파일 더 가져오기",
    expired: "이 미리 보기는 만료되었거나 이미 가져왔습니다(미리 보기는 10분 동안 보관됩니다). 파일을 다시 업로드하십시오.",
    staging_full: "지금은 검토를 기다리는 가져오기가 너무 많습니다. 몇 분 후에 다시 시도하십시오.",
    unreadable: "업로드를 읽을 수 없습니다. 파일을 다시 선택하십시오.",
    too_large: "업로드가 이 서버에서 허용하는 크기(전체 {limit}바이트)보다 큽니다. 한 번에 더 적은 파일을 가져오거나 관리자에게 body_limit_bytes를 늘려 달라고 요청하십시오.",
    not_text: "이 파일은 UTF-8 텍스트가 아니므로 구성이 아닙니다. 제외하십시오",
    no_files: "파일 또는 폴더를 하나 이상 선택하십시오.",
    bad_vars: "변수 파일을 읽을 수 없습니다",
};

/// The words of the Import page in `lang`.
pub fn texts(lang: Lang) -> &'static ImportTexts {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

impl ImportTexts {
    /// The label of a preview row's action.
    pub fn action_label(&self, key: &str) -> &'static str {
        match key {
            "create" => self.action_create,
            "update" => self.action_update,
            "needs-secret" => self.action_needs_secret,
            "needs-certificate" => self.action_needs_certificate,
            _ => self.action_skip,
        }
    }

    /// The label of a result's status.
    pub fn status_label(&self, key: &str) -> &'static str {
        match key {
            "created" => self.status_created,
            "updated" => self.status_updated,
            _ => self.status_failed,
        }
    }
}

impl Lang {
    /// The Import page's words in this language (the navigation reads its label here).
    pub fn import_texts(self) -> &'static ImportTexts {
        texts(self)
    }
}
