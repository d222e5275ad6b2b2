## Single sign-on: the button, the callback page, the provider's refusals, the Users page's column.

# The button when `sso.label` is not set.
sso_button = 싱글 사인온으로 로그인
# Between the button and the password form.
sso_or = 또는
# Under the password form when local sign-in is off.
sso_break_glass_only = 암호 로그인은 비상용(break-glass) 계정 전용입니다.
# The provider cannot be reached or answered something unusable.
sso_unavailable = 지금은 ID 공급자에 연결할 수 없습니다. 잠시 후 다시 시도하십시오. 문제가 계속되면 관리자에게 문의하십시오.
# The provider sent the person back with an error.
sso_refused = ID 공급자가 로그인을 완료하지 않았습니다(로그인이 취소되었을 수 있습니다). 다시 시도하십시오.
# The flow cookie is missing, expired or its state differs.
sso_expired = 로그인이 만료되었거나 다른 브라우저 창에서 시작되었습니다. 다시 로그인하십시오.
# The code or the ID token failed a check.
sso_invalid = ID 공급자의 응답을 확인할 수 없어 로그인되지 않았습니다. 다시 시도하십시오. 문제가 계속되면 관리자에게 문의하십시오.
# The claims map to no role.
sso_no_role = 계정이 imsbridge에 액세스할 수 있는 그룹에 속해 있지 않습니다. 관리자에게 액세스 권한을 요청하십시오.
# The SSO user is disabled here.
sso_disabled = imsbridge 계정이 비활성화되어 있습니다. 관리자에게 활성화를 요청하십시오.
# `/auth/sso` on a server without `[sso]`.
sso_not_configured = 이 서버에는 싱글 사인온이 설정되어 있지 않습니다. 사용자 이름과 암호로 로그인하십시오.
# A password sign-in of a user who is not break-glass while local sign-in is off.
sso_local_login_off = 이 서버에서는 암호 로그인이 꺼져 있습니다. 싱글 사인온을 사용하십시오.
# The callback page's heading.
sso_done_title = 로그인됨
# The callback page's text.
sso_done_message = 로그인되었습니다. 콘솔을 여는 중…
# The callback page's link.
sso_continue_link = 콘솔로 계속
# The Users page's column.
sso_sign_in_column = 로그인 방식
# A local user.
sso_local = 암호
# A break-glass local user.
sso_break_glass = 암호(비상용)
# An SSO user.
sso_sso = 싱글 사인온
