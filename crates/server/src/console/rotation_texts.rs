//! The console's words for client-secret rotation, in both languages: the Developer Console
//! fields of Create and Properties, the secrets table and the Rotate Secret form. A table of
//! its own, so that rotation keeps its words in one place.

use super::i18n::Lang;

/// Labels and messages of rotation.
#[derive(Debug)]
pub struct RotationTexts {
    /// The fieldset of the Developer Console ids.
    pub section: &'static str,
    /// Under the section's legend.
    pub section_hint: &'static str,
    /// `console_org_id`.
    pub console_org_id: &'static str,
    /// Its hint.
    pub console_org_id_hint: &'static str,
    /// `credential_id`.
    pub credential_id: &'static str,
    /// Its hint.
    pub credential_id_hint: &'static str,
    /// `rotate_every_days`.
    pub rotate_every_days: &'static str,
    /// Its hint.
    pub rotate_every_days_hint: &'static str,
    /// The secrets panel's heading.
    pub secrets_heading: &'static str,
    /// The panel when the ids are not set.
    pub not_configured: &'static str,
    /// Before Adobe's reason when the list could not be read.
    pub list_failed: &'static str,
    /// Column: uuid.
    pub uuid: &'static str,
    /// Column: created.
    pub created: &'static str,
    /// Column: last used.
    pub last_used: &'static str,
    /// Column: age.
    pub age: &'static str,
    /// Column: held by imsbridge.
    pub held: &'static str,
    /// A secret never used.
    pub never: &'static str,
    /// "{days} days".
    pub days: &'static str,
    /// The held secret's mark.
    pub held_mark: &'static str,
    /// "Next rotation".
    pub next_rotation: &'static str,
    /// No schedule.
    pub no_schedule: &'static str,
    /// "Last rotation".
    pub last_rotation: &'static str,
    /// The Rotate Secret button and form heading.
    pub rotate: &'static str,
    /// What the form does.
    pub rotate_intro: &'static str,
    /// The old secret's fate.
    pub delete_old: &'static str,
    /// `after_unused`.
    pub after_unused: &'static str,
    /// `now`.
    pub now: &'static str,
    /// `never`.
    pub keep: &'static str,
    /// Grace hours.
    pub grace_hours: &'static str,
    /// Its hint.
    pub grace_hours_hint: &'static str,
    /// The rotation could not run.
    pub rotate_failed: &'static str,
    /// State names: switched, pending_delete, completed, failed, started, added.
    pub states: [&'static str; 6],
}

static EN: RotationTexts = RotationTexts {
    section: "Developer Console",
    section_hint: "Where the credential lives in the Adobe Developer Console. With both ids, imsbridge can rotate its client secret through Adobe's I/O Management API (the project needs that API).",
    console_org_id: "Organization ID (Developer Console)",
    console_org_id_hint: "The number in the project JSON's project.org.id, not the …@AdobeOrg id.",
    credential_id: "Credential ID",
    credential_id_hint: "The number in the credential's id in the project JSON.",
    rotate_every_days: "Rotate the secret every (days)",
    rotate_every_days_hint: "1 to 730 days; leave empty to rotate only when asked.",
    secrets_heading: "Client secrets",
    not_configured: "Set the Developer Console organization ID and credential ID to see the credential's secrets and rotate them.",
    list_failed: "The secrets could not be read:",
    uuid: "UUID",
    created: "Created",
    last_used: "Last used",
    age: "Age",
    held: "Used by imsbridge",
    never: "never",
    days: "days",
    held_mark: "yes",
    next_rotation: "Next rotation",
    no_schedule: "only when asked",
    last_rotation: "Last rotation",
    rotate: "Rotate Secret",
    rotate_intro: "Adds a new client secret, checks it with IMS, switches this configuration to it (tokens already handed out stay valid), then deals with the old one.",
    delete_old: "Old secret",
    after_unused: "Delete once unused (after the grace period)",
    now: "Delete at once",
    keep: "Keep",
    grace_hours: "Grace period (hours)",
    grace_hours_hint: "How long the old secret may still be used after the switch; 0 to 2160.",
    rotate_failed: "The secret was not rotated",
    states: [
        "switched",
        "waiting to delete the old secret",
        "completed",
        "failed",
        "started, not finished",
        "new secret added, not yet switched",
    ],
};

static KO: RotationTexts = RotationTexts {
    section: "Developer Console",
    section_hint: "Adobe Developer Console에서 자격 증명이 있는 위치입니다. 두 ID가 모두 있으면 imsbridge가 Adobe I/O Management API를 통해 클라이언트 암호를 교체할 수 있습니다(프로젝트에 해당 API가 있어야 합니다).",
    console_org_id: "조직 ID(Developer Console)",
    console_org_id_hint: "프로젝트 JSON의 project.org.id에 있는 숫자입니다. …@AdobeOrg ID가 아닙니다.",
    credential_id: "자격 증명 ID",
    credential_id_hint: "프로젝트 JSON에서 자격 증명의 id에 있는 숫자입니다.",
    rotate_every_days: "암호 교체 주기(일)",
    rotate_every_days_hint: "1~730일. 요청할 때만 교체하려면 비워 두십시오.",
    secrets_heading: "클라이언트 암호",
    not_configured: "자격 증명의 암호를 보고 교체하려면 Developer Console 조직 ID와 자격 증명 ID를 설정하십시오.",
    list_failed: "암호 목록을 읽을 수 없습니다:",
    uuid: "UUID",
    created: "생성",
    last_used: "마지막 사용",
    age: "경과",
    held: "imsbridge 사용 중",
    never: "사용 안 됨",
    days: "일",
    held_mark: "예",
    next_rotation: "다음 교체",
    no_schedule: "요청할 때만",
    last_rotation: "마지막 교체",
    rotate: "암호 교체",
    rotate_intro: "새 클라이언트 암호를 추가하고 IMS로 확인한 뒤 이 구성을 새 암호로 전환합니다(이미 발급된 토큰은 계속 유효합니다). 그런 다음 이전 암호를 처리합니다.",
    delete_old: "이전 암호",
    after_unused: "사용되지 않으면 삭제(유예 기간 후)",
    now: "즉시 삭제",
    keep: "유지",
    grace_hours: "유예 기간(시간)",
    grace_hours_hint: "전환 후 이전 암호를 계속 사용할 수 있는 시간입니다. 0~2160.",
    rotate_failed: "암호가 교체되지 않았습니다",
    states: [
        "전환됨",
        "이전 암호 삭제 대기 중",
        "완료됨",
        "실패",
        "시작됨, 완료되지 않음",
        "새 암호 추가됨, 아직 전환되지 않음",
    ],
};

/// The rotation words in `lang`.
pub fn texts(lang: Lang) -> &'static RotationTexts {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

impl RotationTexts {
    /// A rotation state's name.
    pub fn state(&self, key: &str) -> &'static str {
        let i = match key {
            "switched" => 0,
            "pending_delete" => 1,
            "completed" => 2,
            "failed" => 3,
            "started" => 4,
            _ => 5,
        };
        self.states[i]
    }
}
