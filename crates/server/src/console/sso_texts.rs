//! The console's words for single sign-on, in both languages: the button, the callback page,
//! the provider's refusals and the Users page's sign-in column. A table of its own, so that
//! the sign-in feature keeps its words in one place.

use super::i18n::Lang;

/// Labels and messages of single sign-on.
#[derive(Debug)]
pub struct SsoTexts {
    /// The button when `sso.label` is not set.
    pub button: &'static str,
    /// Between the button and the password form.
    pub or: &'static str,
    /// Under the password form when local sign-in is off.
    pub break_glass_only: &'static str,
    /// The provider cannot be reached or answered something unusable.
    pub unavailable: &'static str,
    /// The provider sent the person back with an error.
    pub refused: &'static str,
    /// The flow cookie is missing, expired or its state differs.
    pub expired: &'static str,
    /// The code or the ID token failed a check.
    pub invalid: &'static str,
    /// The claims map to no role.
    pub no_role: &'static str,
    /// The SSO user is disabled here.
    pub disabled: &'static str,
    /// `/auth/sso` on a server without `[sso]`.
    pub not_configured: &'static str,
    /// A password sign-in of a user who is not break-glass while local sign-in is off.
    pub local_login_off: &'static str,
    /// The callback page's heading.
    pub done_title: &'static str,
    /// The callback page's text.
    pub done_message: &'static str,
    /// The callback page's link.
    pub continue_link: &'static str,
    /// The Users page's column.
    pub sign_in_column: &'static str,
    /// A local user.
    pub local: &'static str,
    /// A break-glass local user.
    pub break_glass: &'static str,
    /// An SSO user.
    pub sso: &'static str,
}

static EN: SsoTexts = SsoTexts {
    button: "Sign in with single sign-on",
    or: "or",
    break_glass_only: "Signing in with a password is for break-glass accounts only.",
    unavailable: "The identity provider cannot be reached right now. Please try again in a moment; if it keeps happening, ask your administrator.",
    refused: "The identity provider did not sign you in (the sign-in may have been cancelled). Please try again.",
    expired: "The sign-in expired or was started in another browser window. Please sign in again.",
    invalid: "The identity provider's answer could not be verified, so you were not signed in. Please try again; if it keeps happening, ask your administrator.",
    no_role: "Your account is not in a group that has access to imsbridge. Ask your administrator for access.",
    disabled: "Your imsbridge account is disabled. Ask an administrator to enable it.",
    not_configured: "Single sign-on is not set up on this server; sign in with your user name and password.",
    local_login_off: "Signing in with a password is turned off on this server. Use single sign-on.",
    done_title: "Signed in",
    done_message: "You are signed in. Opening the console…",
    continue_link: "Continue to the console",
    sign_in_column: "Sign-in",
    local: "Password",
    break_glass: "Password (break-glass)",
    sso: "Single sign-on",
};

static KO: SsoTexts = SsoTexts {
    button: "싱글 사인온으로 로그인",
    or: "또는",
    break_glass_only: "암호 로그인은 비상용(break-glass) 계정 전용입니다.",
    unavailable: "지금은 ID 공급자에 연결할 수 없습니다. 잠시 후 다시 시도하십시오. 문제가 계속되면 관리자에게 문의하십시오.",
    refused: "ID 공급자가 로그인을 완료하지 않았습니다(로그인이 취소되었을 수 있습니다). 다시 시도하십시오.",
    expired: "로그인이 만료되었거나 다른 브라우저 창에서 시작되었습니다. 다시 로그인하십시오.",
    invalid: "ID 공급자의 응답을 확인할 수 없어 로그인되지 않았습니다. 다시 시도하십시오. 문제가 계속되면 관리자에게 문의하십시오.",
    no_role: "계정이 imsbridge에 액세스할 수 있는 그룹에 속해 있지 않습니다. 관리자에게 액세스 권한을 요청하십시오.",
    disabled: "imsbridge 계정이 비활성화되어 있습니다. 관리자에게 활성화를 요청하십시오.",
    not_configured: "이 서버에는 싱글 사인온이 설정되어 있지 않습니다. 사용자 이름과 암호로 로그인하십시오.",
    local_login_off: "이 서버에서는 암호 로그인이 꺼져 있습니다. 싱글 사인온을 사용하십시오.",
    done_title: "로그인됨",
    done_message: "로그인되었습니다. 콘솔을 여는 중…",
    continue_link: "콘솔로 계속",
    sign_in_column: "로그인 방식",
    local: "암호",
    break_glass: "암호(비상용)",
    sso: "싱글 사인온",
};

/// The single sign-on words in `lang`.
pub fn texts(lang: Lang) -> &'static SsoTexts {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

impl SsoTexts {
    /// The message for an error kind of `?sso_error=`; `None` for unknown kinds, which are
    /// not shown at all rather than shown raw.
    pub fn error(&self, kind: &str) -> Option<&'static str> {
        Some(match kind {
            "unavailable" => self.unavailable,
            "refused" => self.refused,
            "expired" => self.expired,
            "invalid" => self.invalid,
            "no_role" => self.no_role,
            "disabled" => self.disabled,
            "not_configured" => self.not_configured,
            "local_login_off" => self.local_login_off,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_words_in_both_languages_and_unknown_ones_none() {
        for lang in Lang::ALL {
            let t = texts(lang);
            for kind in [
                "unavailable",
                "refused",
                "expired",
                "invalid",
                "no_role",
                "disabled",
                "not_configured",
                "local_login_off",
            ] {
                assert!(t.error(kind).is_some_and(|m| !m.is_empty()), "{kind}");
            }
            assert_eq!(t.error("<script>"), None);
        }
        assert_ne!(texts(Lang::En).no_role, texts(Lang::Ko).no_role);
    }
}
