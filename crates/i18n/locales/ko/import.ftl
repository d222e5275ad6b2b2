## The Import page (AEM OSGi configurations, aio CLI contexts, aio-lib-java workspaces).

# The navigation item, the toolbar button and the page heading.
import_nav = 가져오기
# Under the heading.
import_intro = 구성이 이미 있는 곳에서 가져옵니다: AEM OSGi 구성(.config, .cfg.json), aio CLI 컨텍스트 또는 aio-lib-java 작업 영역. 미리 보기를 확인하고 가져오기를 선택하기 전에는 아무것도 기록되지 않습니다.
# The format choice.
import_format = 형식
# `aem-osgi`.
import_format_aem_osgi = AEM OSGi 구성(aem-osgi)
# `aio`.
import_format_aio = aio CLI 구성(aio)
# `aio-lib-java`.
import_format_aio_lib_java = aio-lib-java 작업 영역(aio-lib-java)
# The files input.
import_files = 파일
# Under the files input.
import_files_help = 파일을 하나 이상 선택하십시오. 최대 1,000개, 파일당 최대 1MiB입니다.
# The folder input.
import_folder = 또는 폴더
# Under the folder input.
import_folder_help = 폴더 아래의 모든 파일을 읽습니다. config.author.prod 같은 폴더 이름이 실행 모드가 됩니다.
# The variables file input.
import_vars = 변수 파일(선택 사항)
# Under the variables file input.
import_vars_help = $[secret:NAME] 및 $[env:NAME] 자리 표시자의 값이 든 Cloud Manager 변수 JSON 또는 .env 파일입니다.
# The update checkbox.
import_update = 기존 구성 업데이트
# Under the update checkbox.
import_update_help = 선택하지 않으면 이름이 이미 있는 구성은 건너뜁니다.
# The preview button and the preview heading.
import_preview = 미리 보기
# Under the preview heading.
import_preview_intro = 찾은 각 구성에 대해 가져오기가 수행할 작업입니다. 가져오기는 정확히 이 내용을 적용하며, 미리 보기 이후 변경된 구성은 건너뜁니다.
# The import button.
import_import = 가져오기
# Nothing the preview shows would be written.
import_nothing_to_import = 이 미리 보기에는 만들거나 업데이트할 항목이 없습니다.
# The action column.
import_action = 작업
# The detail column.
import_detail = 세부 정보
# The missing values column.
import_missing = 누락된 값
# The problems heading.
import_problems = 문제
# The ignored files heading.
import_ignored = 무시된 파일
# The run modes label.
import_run_modes = 실행 모드
# The files a row was read from.
import_sources = 파일
# No configuration found.
import_no_rows = 이 파일에서 구성을 찾지 못했습니다.
# `create`.
import_action_create = 만들기
# `update`.
import_action_update = 업데이트
# `skip`.
import_action_skip = 건너뛰기
# `needs-secret`.
import_action_needs_secret = 비밀 필요
# `needs-certificate`.
import_action_needs_certificate = 인증서 필요
# The result heading.
import_done_heading = 가져오기 완료
# `created`.
import_status_created = 만들어짐
# `updated`.
import_status_updated = 업데이트됨
# `failed`.
import_status_failed = 실패
# Nothing was written.
import_nothing_written = 아무것도 기록되지 않았습니다.
# Back to the list.
import_to_list = Adobe IMS 통합으로 이동
# Start another import.
import_again = 파일 더 가져오기
# The staged upload is gone (expired, imported already, or another session's).
import_expired = 이 미리 보기는 만료되었거나 이미 가져왔습니다(미리 보기는 10분 동안 보관됩니다). 파일을 다시 업로드하십시오.
# Too many uploads wait.
import_staging_full = 지금은 검토를 기다리는 가져오기가 너무 많습니다. 몇 분 후에 다시 시도하십시오.
# The upload could not be read.
import_unreadable = 업로드를 읽을 수 없습니다. 파일을 다시 선택하십시오.
# The upload is larger than the request limit (`$limit` bytes).
import_too_large = 업로드가 이 서버에서 허용하는 크기(전체 { $limit }바이트)보다 큽니다. 한 번에 더 적은 파일을 가져오거나 관리자에게 body_limit_bytes를 늘려 달라고 요청하십시오.
# A file of the upload is not text (`$file`).
import_not_text = { $file } 파일은 UTF-8 텍스트가 아니므로 구성이 아닙니다. 제외하십시오
# No file was chosen.
import_no_files = 파일 또는 폴더를 하나 이상 선택하십시오.
# The variables file could not be read (`$problem`: where and why, from the parser).
import_bad_vars = 변수 파일을 읽을 수 없습니다: { $problem }
