## The command line's own words (errors and confirmations). clap's --help and usage errors
## stay English. "imsbridge listening on URL" and "admin password: …" are read by scripts
## and are not translated.

# Before the message of a failed command.
cli_error = 오류: { $message }
# An error the server answered, in the reader's language, with its HTTP status.
cli_remote_error = { $message } (HTTP { $status })
# The async runtime could not start.
cli_runtime_failed = 비동기 런타임을 시작할 수 없습니다
# users add.
cli_user_added = { $username } 사용자를 추가했습니다({ $role }).
# users add --break-glass.
cli_user_added_break_glass = { $username } 사용자를 추가했습니다({ $role }, 비상 접근용).
# users passwd.
cli_password_changed = { $username } 사용자의 암호를 변경했습니다.
# users remove.
cli_user_removed = { $username } 사용자를 제거했습니다.
# users add/passwd --password-stdin: standard input could not be read.
cli_password_stdin_failed = 표준 입력에서 암호를 읽을 수 없습니다
# keys rotate: the new key.
cli_key_active = 활성 마스터 키: { $key }
# keys rotate: what was sealed again.
cli_key_resealed = 다시 암호화함: 구성 { $configs }개, 캐시된 토큰 { $tokens }개.
# keys rotate without --retire-old-keys.
cli_key_previous_kept = 이전 키는 키 파일에 남아 있습니다: { $keys }. 모든 복제본이 다시 시작된 후 `imsbridge keys retire`를 실행하십시오.
# keys rotate/retire: the keys removed.
cli_key_retired = 폐기된 키: { $keys }
# keys retire when nothing could go.
cli_key_none_retired = 폐기할 수 있는 키가 없습니다. 파일의 모든 키가 아직 사용 중이거나 활성 키만 남아 있습니다.
# serve: the first admin's password follows, once.
cli_first_admin = 첫 번째 관리자 사용자를 만들었습니다. 이 암호는 한 번만 표시됩니다.
# migrate plan --output.
cli_plan_written = { $rows }개 구성의 계획을 { $path }에 기록했습니다. 각 행의 클라이언트 비밀(client_secret, client_secret_env, project_json 또는 keep_jwt_secret)을 입력한 후 `imsbridge migrate apply { $path } --dry-run`을 실행하십시오.
# migrate apply: where the JSON report went.
cli_report_written = JSON 보고서: { $path }
# migrate auto while another replica runs it.
cli_auto_busy = 다른 imsbridge 복제본이 지금 자동 마이그레이션을 실행 중입니다. 아무것도 하지 않았습니다.
# migrate auto: one configuration migrated.
cli_auto_migrated = 자동으로 마이그레이션됨: { $name }
# migrate auto: one configuration failed.
cli_auto_failed = 실패: { $name }: { $reason }
# migrate auto: the summary.
cli_auto_summary = { $migrated }개 마이그레이션됨, { $failed }개 실패(`imsbridge serve`가 간격을 두고 다시 시도하며, 이 명령을 다시 실행해도 됩니다)
# config export --to: files written.
cli_export_written = 파일 { $files }개를 { $dir }에 기록했습니다.
# config export --to: a configuration left out, and why.
cli_export_skipped = 내보내지 않음: { $name }: { $reason }
# config import: how many failed.
cli_import_failed = 구성 { $failed }개를 가져올 수 없습니다
# A generated password, shown once (users add, users passwd).
cli_password = 암호: { $password }
# A listing shows only part of what exists.
cli_list_partial = 전체 { $total }개 중 { $shown }개를 표시했습니다. 더 보려면 --offset과 --limit을 사용하십시오.
# config delete.
cli_config_deleted = { $name } 구성을 삭제했습니다.
# config health: IMS gave a token ($message: what it said).
cli_healthy = 정상: { $message }
# config health: IMS refused ($message: why).
cli_unhealthy = 비정상: { $message }
# config create.
cli_config_created = { $name } 구성을 만들었습니다(개정 { $revision }).
# config update.
cli_config_updated = { $name } 구성을 업데이트했습니다(개정 { $revision }).
# config migrate.
cli_config_migrated = { $name } 구성을 OAuth 서버 간 인증으로 마이그레이션했습니다(개정 { $revision }).
# db migrate ($kind: SQLite or PostgreSQL).
cli_database_up_to_date = { $kind } 데이터베이스가 최신 상태입니다.
# config export --output.
cli_exported = 구성 { $count }개를 { $path }에 내보냈습니다.
# config import: configurations created.
cli_imported_created = 구성 { $count }개를 만들었습니다.
# config import: names that exist already, left as they are.
cli_imported_skipped = 건너뜀(이름이 이미 있음): { $names }
# config import: one configuration that failed, and why.
cli_not_imported = 가져오지 않음: { $name }: { $reason }

# 교체 결과.
cli_rotation = { $label }: { $state } (이전 암호 { $old }, 새 암호 { $new })
cli_next_rotation = 다음 교체: { $at }
cli_last_rotation = 마지막 교체
cli_rotation_failed = { $name }의 암호 교체에 실패했습니다
cli_nothing_due = 교체할 구성이 없습니다.
cli_rotations_not_run = 암호 교체 { $count }건을 실행하지 못했습니다
