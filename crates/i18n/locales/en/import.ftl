## The Import page (AEM OSGi configurations, aio CLI contexts, aio-lib-java workspaces).

# The navigation item, the toolbar button and the page heading.
import_nav = Import
# Under the heading.
import_intro = Bring in configurations from where they already live: AEM OSGi configurations (.config, .cfg.json), aio CLI contexts, or aio-lib-java workspaces. Nothing is written until you review the preview and choose Import.
# The format choice.
import_format = Format
# `aem-osgi`.
import_format_aem_osgi = AEM OSGi configurations (aem-osgi)
# `aio`.
import_format_aio = aio CLI configuration (aio)
# `aio-lib-java`.
import_format_aio_lib_java = aio-lib-java workspace (aio-lib-java)
# The files input.
import_files = Files
# Under the files input.
import_files_help = Choose one or more files; at most 1,000 files of at most 1 MiB each.
# The folder input.
import_folder = Or a folder
# Under the folder input.
import_folder_help = Every file under the folder is read; folder names such as config.author.prod give the run modes.
# The variables file input.
import_vars = Variables file (optional)
# Under the variables file input.
import_vars_help = A Cloud Manager variables JSON or a .env file with the values of $[secret:NAME] and $[env:NAME] placeholders.
# The update checkbox.
import_update = Update existing configurations
# Under the update checkbox.
import_update_help = Without this, a configuration whose name exists already is skipped.
# The preview button and the preview heading.
import_preview = Preview
# Under the preview heading.
import_preview_intro = What the import would do with each configuration found. Import applies exactly this: a configuration changed since the preview is skipped.
# The import button.
import_import = Import
# Nothing the preview shows would be written.
import_nothing_to_import = Nothing in this preview would be created or updated.
# The action column.
import_action = Action
# The detail column.
import_detail = Detail
# The missing values column.
import_missing = Missing values
# The problems heading.
import_problems = Problems
# The ignored files heading.
import_ignored = Files ignored
# The run modes label.
import_run_modes = Run modes
# The files a row was read from.
import_sources = Files
# No configuration found.
import_no_rows = No configuration was found in these files.
# `create`.
import_action_create = Create
# `update`.
import_action_update = Update
# `skip`.
import_action_skip = Skip
# `needs-secret`.
import_action_needs_secret = Needs a secret
# `needs-certificate`.
import_action_needs_certificate = Needs a certificate
# The result heading.
import_done_heading = Import finished
# `created`.
import_status_created = Created
# `updated`.
import_status_updated = Updated
# `failed`.
import_status_failed = Failed
# Nothing was written.
import_nothing_written = Nothing was written.
# Back to the list.
import_to_list = Go to Adobe IMS Integrations
# Start another import.
import_again = Import more files
# The staged upload is gone (expired, imported already, or another session's).
import_expired = This preview has expired or was imported already (previews are kept for 10 minutes). Upload the files again.
# Too many uploads wait.
import_staging_full = Too many imports are waiting for review right now. Try again in a few minutes.
# The upload could not be read.
import_unreadable = The upload could not be read. Choose the files again.
# The upload is larger than the request limit (`$limit` bytes).
import_too_large = The upload is larger than this server accepts ({ $limit } bytes in all). Import fewer files at a time, or ask the administrator to raise body_limit_bytes.
# A file of the upload is not text (`$file`).
import_not_text = { $file } is not UTF-8 text, so it is no configuration; leave it out
# No file was chosen.
import_no_files = Choose at least one file or a folder.
# The variables file could not be read (`$problem`: where and why, from the parser).
import_bad_vars = The variables file could not be read: { $problem }
