## Validation and domain errors, rendered in the reader's language from their kinds and
## arguments (the API's `error` code, and each field error's `kind` and `args`).
## English field errors quote the service's own English reason (`$detail`).

## Field errors, by kind.

# A required field is empty.
field_missing = 값을 입력하십시오.
# A value that does not parse; `$detail` is the English reason.
field_invalid = 올바르지 않은 값입니다.
# A value that does not parse, with a value that would be accepted (`$example`).
field_invalid_example = 올바르지 않은 값입니다. 예: { $example }
# A number outside `$min`..`$max`.
field_out_of_range = { $min }에서 { $max } 사이의 값을 입력하십시오.
# Text whose length must be `$min` to `$max` characters.
field_length = { $min }자에서 { $max }자 사이로 입력하십시오.
# Text longer than `$max` characters.
field_too_long = { $max }자 이하로 입력하십시오.
# A value that is well formed but not allowed here.
field_not_allowed = 이 값은 여기에서 사용할 수 없습니다.

## Errors, by the API's `error` code.

error_invalid = 하나 이상의 값이 올바르지 않습니다. 각 필드 옆에 표시됩니다.
error_not_found = 요청한 항목이 없습니다. 이름을 확인하거나 목록으로 돌아가십시오.
error_forbidden = 이 작업을 수행할 권한이 없습니다. 관리자에게 문의하십시오.
error_unauthenticated = 먼저 로그인하십시오.
error_stale_revision = 다른 사용자가 이 구성을 연 후에 변경했습니다. 다시 불러온 후 변경 사항을 다시 적용하십시오.
error_conflict = 현재 상태와 충돌합니다. 페이지를 다시 불러온 후 다시 시도하십시오.
error_name_taken = 이 이름의 구성이 이미 있습니다. 다른 이름을 선택하십시오.
error_username_taken = 이 이름의 사용자가 이미 있습니다. 다른 사용자 이름을 선택하십시오.
error_last_admin = 마지막 활성 관리자는 역할을 잃거나 사용 중지될 수 없습니다. 먼저 다른 사용자를 관리자로 지정하십시오.
error_self_delete = 자신의 계정은 제거할 수 없습니다. 다른 관리자에게 요청하십시오.
error_jwt_deprecated = JWT 자격 증명은 더 이상 만들 수 없습니다. 대신 OAuth 서버 간 구성을 만드십시오.
error_jwt_read_only = JWT 구성은 읽기 전용입니다. 마이그레이션하려면 인증 유형을 OAuth로 바꾸십시오.
error_not_jwt = JWT 구성만 마이그레이션할 수 있습니다. 이 구성은 이미 OAuth를 사용합니다.
error_auto_provisioned = 자동 프로비저닝된 JWT 구성은 Adobe에서 자동으로 처리되므로 수동으로 마이그레이션해서는 안 됩니다.
error_verification_failed = IMS가 새 OAuth 세부 정보를 거부하여 아무것도 변경되지 않았습니다. Adobe Developer Console에서 클라이언트 ID, 비밀 및 범위를 확인하십시오.
error_ims_refused = IMS가 자격 증명을 거부했습니다. Adobe Developer Console에서 확인하십시오.
error_ims_unavailable = IMS가 지금 실패하거나 사용 중입니다. 잠시 후 다시 시도하십시오.
error_ims_timeout = IMS가 제시간에 응답하지 않았습니다. 잠시 후 다시 시도하십시오.
error_configuration_changed = 토큰을 가져오는 동안 구성이 변경되었습니다. 다시 시도하십시오.
error_unavailable = 지금은 데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도하십시오.
error_internal = 서버에서 문제가 발생했습니다. 기록되었습니다.
error_not_ready = 서버가 아직 준비되지 않았습니다. 잠시 후 다시 시도하십시오.
error_bad_request = 요청을 이해할 수 없습니다.
error_bad_body = 양식을 읽을 수 없습니다. 다시 보내십시오.
error_malformed_json = JSON을 읽을 수 없습니다. 구문을 확인하십시오.
error_invalid_body = 양식의 형식이 잘못되었습니다. 페이지를 다시 불러온 후 다시 보내십시오.
error_invalid_query = 주소의 쿼리를 읽을 수 없습니다.
error_invalid_path = 주소를 읽을 수 없습니다.
error_unsupported_media_type = 이 종류의 콘텐츠는 여기에서 허용되지 않습니다.
error_body_too_large = 업로드가 이 서버에 비해 너무 큽니다.
error_ambiguous_length = 요청의 길이가 모호합니다.
error_uri_too_long = 주소가 너무 깁니다.
error_method_not_allowed = 이 작업은 여기에서 사용할 수 없습니다.
error_invalid_if_match = 변경과 함께 보낸 개정을 읽을 수 없습니다.
error_if_match_required = 변경에는 기준이 된 개정이 있어야 합니다.
error_precondition_failed = 변경과 함께 보낸 개정이 일치하지 않습니다.
error_csrf = 이 양식이 만료되었습니다. 페이지를 다시 불러온 후 다시 시도하십시오.
error_cross_site = 다른 사이트의 요청이 거부되었습니다.
error_rate_limited = 지금은 요청이 너무 많습니다. 잠시 기다린 후 다시 시도하십시오.
error_too_many_attempts = 로그인 실패가 너무 많습니다. 잠시 기다린 후 다시 시도하십시오.
error_server_busy = 지금은 서버가 사용 중입니다. 잠시 후 다시 시도하십시오.
error_timeout = 요청 시간이 너무 오래 걸렸습니다. 다시 시도하십시오.
error_not_a_user = API 토큰이 아닌 로그인한 사용자만 이 작업을 할 수 있습니다.
error_not_oauth = OAuth Server-to-Server 구성에서만 할 수 있습니다. 먼저 JWT 구성을 마이그레이션하십시오.
error_rotation_not_configured = 이 암호를 교체하려면 속성에서 Developer Console 조직 ID와 자격 증명 ID(프로젝트 JSON의 project.org.id와 자격 증명의 id)를 설정하십시오.
error_two_secrets = 자격 증명에 이미 클라이언트 암호가 두 개 있습니다(Adobe의 한도). Adobe Developer Console에서 더 이상 쓰지 않는 암호를 삭제한 후 다시 교체하십시오.
error_io_management_refused = Adobe I/O Management API가 요청을 거부했습니다. 프로젝트에 I/O Management API가 있는지, 자격 증명의 ID가 맞는지 확인하십시오.
error_io_management_unavailable = Adobe I/O Management API에 연결할 수 없거나 사용량이 많습니다. 몇 분 후 다시 시도하십시오.
error_local_login_disabled = 암호 로그인이 꺼져 있습니다. 싱글 사인온으로 로그인하십시오.
