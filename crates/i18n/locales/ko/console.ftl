## The console's pages: navigation, the integrations list, Create, Properties, Delete,
## Check Health, the audit trail, users, API tokens, readiness and sign-in.

## The seed's words (AEM's Korean admin guide) stay as they are: 도구, 보안, Adobe IMS 통합,
## 만들기, 속성, 인증 유형, 저장 및 닫기, JWT 자격 증명(사용 안 함), 자동 프로비저닝된.

# Product name in the header.
app_name = imsbridge
# Skip link for keyboard users.
skip_to_content = 본문으로 건너뛰기
# Main navigation landmark.
main_nav = 주 탐색
# Breadcrumb landmark.
breadcrumb = 이동 경로
# AEM's Tools.
tools = 도구
# AEM's Security.
security = 보안
# AEM's Adobe IMS Integrations.
ims_integrations = Adobe IMS 통합
# Migration readiness page.
readiness = 마이그레이션 준비 상태
# Audit trail page.
audit_trail = 감사 추적
# Users page.
users = 사용자
# API tokens page.
api_tokens = API 토큰
# The language switch.
language = 언어
# Apply the language switch without JavaScript.
change_language = 변경
# Before the user name in the header.
signed_in_as = 로그인 사용자
# Sign out.
sign_out = 로그아웃
# Sign in (page title and button).
sign_in = 로그인
# Sign in page intro.
sign_in_intro = 로그인하여 Adobe IMS 통합 구성을 관리합니다.
# User name field.
username = 사용자 이름
# Password field.
password = 암호
# Wrong login.
login_failed = 사용자 이름 또는 암호가 올바르지 않습니다.
# Sign-in refused for now (too many attempts, or the server is busy); `$seconds` is the wait.
login_throttled = 지금은 로그인 시도가 너무 많습니다. 잠시({ $seconds }초) 기다린 후 다시 시도하십시오.
# Signed out message.
signed_out = 로그아웃되었습니다.
# AEM's Create.
create = 만들기
# AEM's Properties.
properties = 속성
# Check Health.
check_health = 상태 확인
# Delete.
delete = 삭제
# Cancel.
cancel = 취소
# AEM's Save.
save = 저장
# AEM's Save & Close.
save_close = 저장 및 닫기
# Close.
close = 닫기
# Search field.
search = 검색
# Search placeholder.
search_placeholder = 제목 또는 이름
# Filters group.
filters = 필터
# Apply filters.
apply = 적용
# Clear filters.
clear_filters = 지우기
# Any value in a filter.
all = 모두
# Column and field: Title.
title = 제목
# Column and field: Name.
name = 이름
# Column and field: Cloud Solution.
cloud_solution = 클라우드 솔루션
# Column and field: Authentication Type (seed: 인증 유형).
auth_type = 인증 유형
# Column: Origin.
origin = 출처
# Column: Health.
health = 상태
# Radio label for selecting a row.
select = 선택
# Origin: customer-created.
origin_customer = 고객
# Origin: auto-provisioned (the seed's term).
origin_auto = 자동 프로비저닝된
# Health: healthy.
health_healthy = 정상
# Health: unhealthy.
health_unhealthy = 비정상
# Health: never checked.
health_unknown = 확인 안 됨
# The seed's warning on JWT configurations.
jwt_deprecated = JWT 자격 증명(사용 안 함)
# OAuth label.
auth_oauth = OAuth
# JWT label.
auth_jwt = JWT
# Table caption.
list_caption = Adobe IMS 통합 구성
# No configurations match the search.
no_results = 이 검색과 일치하는 구성이 없습니다.
# No configurations at all.
no_configs = 아직 구성이 없습니다. 구성을 만들어 시작하십시오.
# Paging landmark.
pagination = 페이지
# Previous page.
previous = 이전
# Next page.
next = 다음
# Hint under the toolbar when nothing is selected.
select_hint = 구성을 선택하면 속성을 보거나 상태를 확인하거나 삭제할 수 있습니다.
# Toolbar landmark.
actions = 작업
# Create page heading.
create_heading = Adobe IMS 통합 만들기
# Create page intro.
create_intro = Adobe Developer Console의 OAuth 서버 간 자격 증명 세부 정보에 따라 구성을 완료합니다.
# Authorization Server field.
authorization_server = 인증 서버
# Client ID field.
client_id = 클라이언트 ID
# Client Secret field.
client_secret = 클라이언트 암호
# Scopes field.
scopes = 범위
# Org ID field.
org_id = 조직 ID
# Technical account field.
technical_account_id = 기술 계정 ID
# JWT API key field.
api_key = API 키(클라이언트 ID)
# JWT metascopes field.
metascopes = 메타스코프
# Certificate fingerprint field.
certificate_fingerprint = 인증서 지문(SHA-256)
# Certificate expiry field.
certificate_expiry = 인증서 만료
# Name hint.
name_hint = 소문자, 숫자, 하이픈만 사용할 수 있습니다. 통합에서 이 이름으로 참조하며 나중에 변경할 수 없습니다.
# Scopes hint.
scopes_hint = Developer Console에 표시된 범위를 쉼표로 구분하여 입력합니다.
# Org id hint.
org_id_hint = 16진수 24자 뒤에 @AdobeOrg가 붙습니다.
# Authorization server hint.
authorization_server_hint = Adobe IMS 프로덕션은 https://ims-na1.adobelogin.com입니다.
# Secret hint when a secret is stored: `$last4` are its last four characters.
secret_keep_hint = 비워 두면 현재 암호가 유지됩니다. 끝자리: …{ $last4 }
# Secret hint when nothing can be shown of the stored secret.
secret_keep_hint_short = 비워 두면 현재 암호가 유지됩니다.
# Hint under the client secret when migrating: empty keeps the JWT credential's (`$last4`: its last four characters).
secret_keep_jwt_hint = 비워 두면 JWT 자격 증명의 클라이언트 암호를 사용합니다. Developer Console은 자격 증명을 마이그레이션할 때 이 암호를 유지합니다. 저장하기 전에 IMS에서 확인합니다. 끝자리: …{ $last4 }
# The secret had to be typed again after an error.
secret_reenter = 보안을 위해 암호는 유지되지 않았습니다. 다시 입력하십시오.
# "Other" cloud solution.
other_solution = 기타
# Other solution name field.
other_solution_name = 기타 솔루션 이름
# Developer Console JSON section heading.
dc_json_heading = Developer Console에서 채우기
# Developer Console JSON section help.
dc_json_help = Adobe Developer Console에서 프로젝트를 열고 JSON 다운로드를 선택합니다. 파일을 여기에 붙여넣거나 업로드하면 OAuth 서버 간 자격 증명으로 양식이 채워집니다.
# Developer Console JSON textarea label.
dc_json_paste = 프로젝트 JSON
# Developer Console JSON upload label.
dc_json_upload = JSON 파일 업로드
# Fill the form from the JSON.
dc_json_fill = 양식 채우기
# The JSON filled the form.
dc_json_filled = 프로젝트 JSON으로 양식을 채웠습니다. 값을 확인한 후 저장하십시오.
# The JSON could not be read.
dc_json_invalid = OAuth 서버 간 자격 증명이 포함된 Developer Console 프로젝트 JSON이 아닙니다.
# Error summary heading.
fix_errors = 아래 표시된 필드를 수정하십시오.
# Required field marker for screen readers.
required = 필수
# General section.
general = 일반
# Credential section.
credential = 자격 증명
# Read-only JWT explanation.
jwt_read_only = 이 구성은 더 이상 사용되지 않는 JWT 자격 증명을 사용합니다. 읽기 전용이며 OAuth로 마이그레이션만 할 수 있습니다.
# How to migrate.
jwt_migrate_hint = 마이그레이션하려면 Developer Console에서 OAuth 서버 간 자격 증명을 만든 다음 인증 유형 드롭다운에서 OAuth를 선택하십시오.
# Migration section heading.
migrate_heading = OAuth 서버 간 세부 정보
# Migration intro.
migrate_intro = Developer Console의 세부 정보를 사용하여 작성합니다. 클라이언트 ID와 조직 ID는 마이그레이션 후에도 동일하며, 범위는 JWT 메타스코프에서 제안됩니다. 저장 및 닫기를 선택하면 변경 전에 새 자격 증명으로 토큰을 가져와 확인합니다.
# The seed's note on auto-provisioned configurations.
auto_provisioned_note = 자동 프로비저닝된 JWT 구성은 Adobe에서 자동으로 처리되므로 수동으로 마이그레이션해서는 안 됩니다.
# Apply the auth type switch without JavaScript.
switch_auth_type = 전환
# Revision label.
revision = 개정
# Conflict heading.
conflict_heading = 다른 사용자가 이 구성을 변경했습니다
# Conflict explanation.
conflict_body = 구성을 연 후에 변경되었으므로 변경 내용이 저장되지 않았습니다. 입력한 내용은 아래에 유지됩니다. 현재 값과 비교한 후 다시 저장하십시오.
# Conflict table: field.
conflict_field = 필드
# Conflict table: your value.
conflict_yours = 입력한 값
# Conflict table: current value.
conflict_theirs = 현재 값
# Verification failed heading.
verification_failed = Adobe IMS에서 새 자격 증명을 거부했습니다
# Verification failed explanation.
verification_failed_body = 변경된 내용이 없습니다. 구성은 계속 JWT 자격 증명을 사용합니다. Developer Console의 세부 정보를 확인한 후 다시 시도하십시오.
# IMS error code label.
ims_error = IMS 오류
# IMS debug id label.
debug_id = 디버그 ID
# Success message of a health check (AEM's words).
health_success = 토큰을 성공적으로 가져왔습니다
# Delete confirmation heading.
delete_heading = 구성 삭제
# Delete confirmation question.
delete_confirm = 이 구성을 삭제하시겠습니까?
# Delete warning.
delete_warning = 이 구성을 사용하는 통합은 더 이상 액세스 토큰을 받을 수 없습니다. 이 작업은 취소할 수 없습니다.
# Flash: created.
flash_created = 구성을 만들었습니다.
# Flash: saved.
flash_saved = 구성을 저장했습니다.
# Flash: migrated.
flash_migrated = 이제 구성에서 OAuth 서버 간 자격 증명을 사용합니다.
# Flash: deleted.
flash_deleted = 구성을 삭제했습니다.
# Flash: unhealthy.
flash_health_failed = 상태 확인에 실패했습니다
# Flash: no change.
flash_unchanged = 변경된 내용이 없습니다.
# Audit page intro.
audit_intro = 구성, 사용자, API 토큰에 대한 모든 변경 내용(최신순)입니다.
# Audit column: time.
audit_at = 시간
# Audit column: actor.
audit_actor = 수행자
# Audit column: action.
audit_action = 작업
# Audit column: target.
audit_target = 대상
# Audit column: details.
audit_details = 세부 정보
# No audit entries.
audit_empty = 아직 기록된 내용이 없습니다.
# Audit filter: nothing matches.
audit_no_match = 이 필터와 일치하는 항목이 없습니다.
# Audit filter legend and button.
audit_filter = 필터
# Audit filter: clear.
audit_clear = 지우기
# Audit filter: first day.
audit_from = 시작일
# Audit filter: last day.
audit_to = 종료일
# Audit filter: days are UTC.
audit_days_utc = UTC 기준 날짜입니다.
# Audit filter: a date that does not parse.
audit_bad_date = 날짜를 YYYY-MM-DD 형식으로 입력하십시오.
# Audit filter: the last day is before the first.
audit_to_before_from = 종료일은 시작일보다 앞설 수 없습니다.
# Older entries.
older = 이전 항목
# Newer entries.
newer = 최근 항목
# Users page intro.
users_intro = 이 콘솔에 로그인할 수 있는 사용자입니다. 관리자는 구성을 변경할 수 있고 뷰어는 읽기만 할 수 있습니다.
# Role column/field.
role = 역할
# Admin role.
role_admin = 관리자
# Viewer role.
role_viewer = 뷰어
# Created column.
created = 만든 날짜
# Status column.
status = 상태
# Active user.
active = 활성
# Disabled user.
disabled = 비활성
# Add user heading and button.
add_user = 사용자 추가
# Flash: user added.
flash_user_added = 사용자를 추가했습니다.
# Flash: user removed.
flash_user_removed = 사용자를 제거했습니다.
# Flash: user's role or status changed.
flash_user_updated = 사용자를 변경했습니다. 열려 있던 세션은 종료되었습니다.
# Button: give a viewer the admin role.
make_admin = 관리자로 지정
# Button: take the admin role away.
make_viewer = 뷰어로 지정
# Button: stop a user from signing in.
disable_user = 비활성화
# Button: let a disabled user sign in again.
enable_user = 활성화
# Tokens page intro.
tokens_intro = API 토큰을 사용하면 스크립트와 통합에서 관리 API와 토큰 API를 호출할 수 있습니다.
# New token heading and button.
new_token = 새 API 토큰
# Token name field.
token_name = 토큰 이름
# Token scope field.
token_scope = 범위
# Token expiry field.
token_expires = 만료 기간
# Never expires.
never = 없음
# Token prefix column.
token_prefix = 접두사
# Last used column.
last_used = 마지막 사용
# Revoke.
revoke = 해지
# Revoked.
revoked = 해지됨
# Shown-once token heading.
token_once_heading = 지금 새 토큰을 복사하십시오
# Shown-once token explanation.
token_once_body = 토큰은 이번 한 번만 표시됩니다. 안전한 곳에 보관하십시오.
# Copy button.
copy = 복사
# After copying.
copied = 복사됨
# No tokens.
tokens_empty = API 토큰이 없습니다.
# Flash: token revoked.
flash_token_revoked = 토큰을 해지했습니다.
# Days, after a number.
days = 일
# Error page heading.
error_heading = 문제가 발생했습니다
# Page not found.
not_found = 이 페이지 또는 구성이 존재하지 않습니다.
# The form expired (CSRF).
csrf_failed = 양식이 만료되었습니다. 페이지를 새로 고친 후 다시 제출하십시오.
# Back to the list.
back_to_list = Adobe IMS 통합으로 돌아가기
# Not allowed.
forbidden = 현재 역할로는 이 작업을 수행할 수 없습니다.
# Internal error.
internal_error = 서버에서 요청을 완료할 수 없습니다. 기록되었으니 나중에 다시 시도하십시오.
# Information.
info = 정보
# Success.
success = 성공
# Warning.
warning = 경고
# Error.
error = 오류
# Read only badge.
read_only = 읽기 전용
# A required field is empty.
missing_value = 값을 입력하십시오.
# IMS's reason.
ims_reason = 이유
# The form could not be saved (an error not tied to a field).
not_saved = 구성을 저장하지 못했습니다
# Migration refused for an auto-provisioned configuration.
auto_provisioned_heading = 자동 프로비저닝된 구성
# The readiness page, under its heading (the commands follow as code).
readiness_intro = JWT 자격 증명은 지원 종료일 이후 작동하지 않습니다. 고객 구성은 계획으로 마이그레이션하고, 자동 프로비저닝된 구성은 자동으로 마이그레이션됩니다. 명령:
# The JWT end-of-life date (also the chart's marker).
readiness_eol = JWT 지원 종료일
# Days left before the JWT end of life.
readiness_days_left = { $days }일 남음
# Days since the JWT end of life.
readiness_passed = { $days }일 지남
# How many configurations there are.
readiness_total = 구성
# The chart's heading and title.
readiness_progress = 마이그레이션 진행률
# JWT configurations not migrated yet (a count, a table, the chart's amber line).
readiness_remaining = 남은 JWT 구성
# When no JWT configuration is left.
readiness_none_left = 모든 구성이 OAuth 서버 간 인증을 사용합니다.
# Column: who fetched the configuration's tokens lately.
readiness_used_by = 최근 토큰 요청
# Column: what happens to the configuration next.
readiness_next_step = 다음 단계
# Next step of an auto-provisioned configuration.
readiness_automatic = 자동으로 마이그레이션됨
# Next step of a customer configuration.
readiness_plan = 계획으로 마이그레이션
# Next step after a failed automatic attempt (`$attempt`, IMS's `$reason`).
readiness_auto_failed = 자동 마이그레이션 실패({ $attempt }번째 시도): { $reason }, 재시도 중
# The pager: rows $first to $last of $total.
pager_range = { $total }개 중 { $first }–{ $last }
# The pager when the page is empty: none of $total.
pager_none = { $total }개 중 0개
# The project JSON could not be used: the reason ($problem).
dc_json_problem = OAuth 서버 간 자격 증명이 포함된 Developer Console 프로젝트 JSON이 아닙니다. { $problem }
# The chart: configurations migrated so far.
readiness_migrated = 마이그레이션됨
# A token scope: read-only access to the admin API.
token_scope_read = 읽기
# A token scope: everything an admin may do.
token_scope_admin = 관리자
# Verification failed explanation on Create and Properties of an OAuth configuration.
verification_failed_save = 아무것도 저장되지 않았습니다. 강조 표시된 세부 정보를 Developer Console의 자격 증명 페이지와 비교한 후 다시 시도하십시오.
# The button that saves without verifying the credential with IMS.
save_unverified = 확인하지 않고 저장
# What "Save without verifying" does, shown when IMS refused or was unreachable.
save_unverified_hint = 세부 정보가 확실하면(예: 아직 여기에서 IMS에 연결할 수 없는 경우) 암호를 다시 입력하고 “확인하지 않고 저장”을 선택하십시오. 감사 로그에 확인되지 않았다고 기록됩니다.
# IMS unreachable while verifying: heading.
ims_unreachable = Adobe IMS에 연결할 수 없습니다
# IMS unreachable while verifying: explanation.
ims_unreachable_body = IMS가 응답하지 않아 새 자격 증명을 확인할 수 없었으므로 아무것도 저장되지 않았습니다. 잠시 후 다시 시도하십시오.
