## 클라이언트 암호 교체: 만들기와 속성의 Developer Console 필드, 속성의 자격 증명 암호 목록,
## 암호 교체 양식.

# Developer Console ID 필드 묶음.
rotation_section = Developer Console
rotation_section_hint = Adobe Developer Console에서 자격 증명이 있는 위치입니다. 두 ID가 모두 있으면 imsbridge가 Adobe I/O Management API를 통해 클라이언트 암호를 교체할 수 있습니다(프로젝트에 해당 API가 있어야 합니다).
console_org_id = 조직 ID(Developer Console)
console_org_id_hint = 프로젝트 JSON의 project.org.id에 있는 숫자입니다. …@AdobeOrg ID가 아닙니다.
credential_id = 자격 증명 ID
credential_id_hint = 프로젝트 JSON에 있는 자격 증명 ID(숫자)입니다.
rotate_every_days = 암호 교체 주기(일)
rotate_every_days_hint = 1~730일. 요청할 때만 교체하려면 비워 두십시오.
secrets_heading = 클라이언트 암호
secrets_not_configured = 자격 증명의 암호를 보고 교체하려면 Developer Console 조직 ID와 자격 증명 ID를 설정하십시오.
secrets_list_failed = 암호 목록을 읽을 수 없습니다: { $reason }
secret_uuid = UUID
secret_created = 생성
secret_last_used = 마지막 사용
secret_age = 경과
secret_held = imsbridge 사용 중
secret_never_used = 사용 안 됨
secret_age_days = { $days }일
secret_held_mark = 예
next_rotation = 다음 교체
rotation_no_schedule = 요청할 때만
last_rotation = 마지막 교체
rotate_secret = 암호 교체
rotate_intro = 새 클라이언트 암호를 추가하고 IMS로 확인한 뒤 이 구성을 새 암호로 전환합니다(이미 발급된 토큰은 계속 유효합니다). 그런 다음 이전 암호를 처리합니다.
delete_old = 이전 암호
delete_old_after_unused = 사용되지 않으면 삭제(유예 기간 후)
delete_old_now = 즉시 삭제
delete_old_never = 유지
grace_hours = 유예 기간(시간)
grace_hours_hint = 전환 후 이전 암호를 계속 사용할 수 있는 시간입니다. 0~2160.
rotation_state_switched = 전환됨
rotation_state_pending_delete = 이전 암호 삭제 대기 중
rotation_state_completed = 완료됨
rotation_state_failed = 실패
rotation_state_started = 시작됨, 완료되지 않음
rotation_state_added = 새 암호 추가됨, 아직 전환되지 않음
