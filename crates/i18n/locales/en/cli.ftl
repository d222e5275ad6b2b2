## The command line's own words (errors and confirmations). clap's --help and usage errors
## stay English. "imsbridge listening on URL" and "admin password: …" are read by scripts
## and are not translated.

# Before the message of a failed command.
cli_error = error: { $message }
# An error the server answered, in the reader's language, with its HTTP status.
cli_remote_error = { $message } (HTTP { $status })
# The async runtime could not start.
cli_runtime_failed = could not start the async runtime
# users add.
cli_user_added = Added { $username } ({ $role }).
# users add --break-glass.
cli_user_added_break_glass = Added { $username } ({ $role }, break-glass).
# users passwd.
cli_password_changed = Changed the password of { $username }.
# users remove.
cli_user_removed = Removed { $username }.
# users add/passwd --password-stdin: standard input could not be read.
cli_password_stdin_failed = could not read the password from standard input
# keys rotate: the new key.
cli_key_active = Active master key: { $key }
# keys rotate: what was sealed again.
cli_key_resealed = Sealed again: { $configs } configuration(s), { $tokens } cached token(s).
# keys rotate without --retire-old-keys.
cli_key_previous_kept = Previous keys kept in the key file: { $keys }. Run `imsbridge keys retire` once every replica has restarted.
# keys rotate/retire: the keys removed.
cli_key_retired = Retired keys: { $keys }
# keys retire when nothing could go.
cli_key_none_retired = No key could be retired: every key in the file still seals something, or only the active key is left.
# serve: the first admin's password follows, once.
cli_first_admin = Created the first admin user; this password is shown only once.
# migrate plan --output.
cli_plan_written = Wrote a plan of { $rows } configuration(s) to { $path }. Supply each row's client secret (client_secret, client_secret_env, project_json or keep_jwt_secret), then run `imsbridge migrate apply { $path } --dry-run`.
# migrate apply: where the JSON report went.
cli_report_written = JSON report: { $path }
# migrate auto while another replica runs it.
cli_auto_busy = Another imsbridge replica is running the automatic migration now; nothing done.
# migrate auto: one configuration migrated.
cli_auto_migrated = migrated automatically: { $name }
# migrate auto: one configuration failed.
cli_auto_failed = failed: { $name }: { $reason }
# migrate auto: the summary.
cli_auto_summary = { $migrated } migrated, { $failed } failed (retried by `imsbridge serve` with backoff, or run this again)
# config export --to: files written.
cli_export_written = Wrote { $files } file(s) to { $dir }.
# config export --to: a configuration left out, and why.
cli_export_skipped = Not exported: { $name }: { $reason }
# config import: how many failed.
cli_import_failed = { $failed } configuration(s) could not be imported
# A generated password, shown once (users add, users passwd).
cli_password = password: { $password }
# A listing shows only part of what exists.
cli_list_partial = { $shown } of { $total } shown; use --offset and --limit for more.
# config delete.
cli_config_deleted = Deleted { $name }.
# config health: IMS gave a token ($message: what it said).
cli_healthy = Healthy: { $message }
# config health: IMS refused ($message: why).
cli_unhealthy = Unhealthy: { $message }
# config create.
cli_config_created = Created { $name } (revision { $revision }).
# config update.
cli_config_updated = Updated { $name } (revision { $revision }).
# config migrate.
cli_config_migrated = Migrated to OAuth Server-to-Server { $name } (revision { $revision }).
# db migrate ($kind: SQLite or PostgreSQL).
cli_database_up_to_date = The { $kind } database is up to date.
# config export --output.
cli_exported = Exported { $count } configuration(s) to { $path }.
# config import: configurations created.
cli_imported_created = Created { $count } configuration(s).
# config import: names that exist already, left as they are.
cli_imported_skipped = Skipped (the name exists already): { $names }
# config import: one configuration that failed, and why.
cli_not_imported = Not imported: { $name }: { $reason }

# A rotation's outcome: who, its state and both secrets.
cli_rotation = { $label }: { $state } (old secret { $old }, new secret { $new })
# The secrets list's footer.
cli_next_rotation = Next rotation: { $at }
cli_last_rotation = Last rotation
cli_rotation_failed = the rotation of { $name } failed
cli_nothing_due = Nothing is due.
cli_rotations_not_run = { $count } rotation(s) could not run
