## The console's pages: navigation, the integrations list, Create, Properties, Delete,
## Check Health, the audit trail, users, API tokens, readiness and sign-in.

# Product name in the header.
app_name = imsbridge
# Skip link for keyboard users.
skip_to_content = Skip to content
# Main navigation landmark.
main_nav = Main navigation
# Breadcrumb landmark.
breadcrumb = Breadcrumb
# AEM's Tools.
tools = Tools
# AEM's Security.
security = Security
# AEM's Adobe IMS Integrations.
ims_integrations = Adobe IMS Integrations
# Migration readiness page.
readiness = Migration readiness
# Audit trail page.
audit_trail = Audit trail
# Users page.
users = Users
# API tokens page.
api_tokens = API tokens
# The language switch.
language = Language
# Apply the language switch without JavaScript.
change_language = Change
# Before the user name in the header.
signed_in_as = Signed in as
# Sign out.
sign_out = Sign out
# Sign in (page title and button).
sign_in = Sign in
# Sign in page intro.
sign_in_intro = Sign in to manage Adobe IMS integration configurations.
# User name field.
username = User name
# Password field.
password = Password
# Wrong login.
login_failed = The user name or password is not correct.
# Sign-in refused for now (too many attempts, or the server is busy); `$seconds` is the wait.
login_throttled = Too many sign-in attempts right now. Please wait a moment ({ $seconds } s) and try again.
# Signed out message.
signed_out = You have been signed out.
# AEM's Create.
create = Create
# AEM's Properties.
properties = Properties
# Check Health.
check_health = Check Health
# Delete.
delete = Delete
# Cancel.
cancel = Cancel
# AEM's Save.
save = Save
# AEM's Save & Close.
save_close = Save & Close
# Close.
close = Close
# Search field.
search = Search
# Search placeholder.
search_placeholder = Title or name
# Filters group.
filters = Filters
# Apply filters.
apply = Apply
# Clear filters.
clear_filters = Clear
# Any value in a filter.
all = All
# Column and field: Title.
title = Title
# Column and field: Name.
name = Name
# Column and field: Cloud Solution.
cloud_solution = Cloud Solution
# Column and field: Authentication Type (seed: 인증 유형).
auth_type = Authentication Type
# Column: Origin.
origin = Origin
# Column: Health.
health = Health
# Radio label for selecting a row.
select = Select
# Origin: customer-created.
origin_customer = Customer
# Origin: auto-provisioned (the seed's term).
origin_auto = Auto-provisioned
# Health: healthy.
health_healthy = Healthy
# Health: unhealthy.
health_unhealthy = Unhealthy
# Health: never checked.
health_unknown = Not checked
# The seed's warning on JWT configurations.
jwt_deprecated = JWT Credentials (deprecated)
# OAuth label.
auth_oauth = OAuth
# JWT label.
auth_jwt = JWT
# Table caption.
list_caption = Adobe IMS integration configurations
# No configurations match the search.
no_results = No configuration matches this search.
# No configurations at all.
no_configs = There are no configurations yet. Create one to get started.
# Paging landmark.
pagination = Pages
# Previous page.
previous = Previous
# Next page.
next = Next
# Hint under the toolbar when nothing is selected.
select_hint = Select a configuration to see its properties, check its health or delete it.
# Toolbar landmark.
actions = Actions
# Create page heading.
create_heading = Create Adobe IMS Integration
# Create page intro.
create_intro = Complete the configuration with the details of the OAuth Server-to-Server credential from the Adobe Developer Console.
# Authorization Server field.
authorization_server = Authorization Server
# Client ID field.
client_id = Client ID
# Client Secret field.
client_secret = Client Secret
# Scopes field.
scopes = Scopes
# Org ID field.
org_id = Org ID
# Technical account field.
technical_account_id = Technical Account ID
# JWT API key field.
api_key = API Key (Client ID)
# JWT metascopes field.
metascopes = Metascopes
# Certificate fingerprint field.
certificate_fingerprint = Certificate fingerprint (SHA-256)
# Certificate expiry field.
certificate_expiry = Certificate expires
# Name hint.
name_hint = Lowercase letters, digits and hyphens. Integrations refer to this name; it cannot be changed later.
# Scopes hint.
scopes_hint = As listed in the Developer Console, separated by commas.
# Org id hint.
org_id_hint = 24 hexadecimal characters followed by @AdobeOrg.
# Authorization server hint.
authorization_server_hint = Adobe IMS production is https://ims-na1.adobelogin.com.
# Secret hint when a secret is stored: `$last4` are its last four characters.
secret_keep_hint = Leave empty to keep the current secret, ending in …{ $last4 }
# Secret hint when nothing can be shown of the stored secret.
secret_keep_hint_short = Leave empty to keep the current secret.
# Hint under the client secret when migrating: empty keeps the JWT credential's (`$last4`: its last four characters).
secret_keep_jwt_hint = Leave empty to use the JWT credential's client secret: the Developer Console keeps it when it migrates a credential. It is checked with IMS before saving. Ends in …{ $last4 }
# The secret had to be typed again after an error.
secret_reenter = For your safety the secret was not kept. Enter it again.
# "Other" cloud solution.
other_solution = Other
# Other solution name field.
other_solution_name = Other solution name
# Developer Console JSON section heading.
dc_json_heading = Fill from the Developer Console
# Developer Console JSON section help.
dc_json_help = In the Adobe Developer Console, open the project and choose Download JSON. Paste the file here or upload it; the form is filled from its OAuth Server-to-Server credential.
# Developer Console JSON textarea label.
dc_json_paste = Project JSON
# Developer Console JSON upload label.
dc_json_upload = Upload JSON file
# Fill the form from the JSON.
dc_json_fill = Fill form
# The JSON filled the form.
dc_json_filled = The form was filled from the project JSON. Check the values and save.
# The JSON could not be read.
dc_json_invalid = This is not a Developer Console project JSON with an OAuth Server-to-Server credential.
# Error summary heading.
fix_errors = Correct the fields marked below.
# Required field marker for screen readers.
required = required
# General section.
general = General
# Credential section.
credential = Credential
# Read-only JWT explanation.
jwt_read_only = This configuration uses JWT credentials, which are deprecated. It is read-only and can only be migrated to OAuth.
# How to migrate.
jwt_migrate_hint = To migrate it, create the OAuth Server-to-Server credential in the Developer Console, then choose OAuth in the Authentication Type drop-down.
# Migration section heading.
migrate_heading = OAuth Server-to-Server details
# Migration intro.
migrate_intro = Complete these with the details from the Developer Console. Client ID and Org ID stay the same after migration; the scopes are suggested from the JWT metascopes. Save & Close fetches a token with the new credential before anything changes.
# The seed's note on auto-provisioned configurations.
auto_provisioned_note = Auto-provisioned JWT configurations are handled automatically by Adobe and must not be migrated manually.
# Apply the auth type switch without JavaScript.
switch_auth_type = Switch
# Revision label.
revision = Revision
# Conflict heading.
conflict_heading = Someone else changed this configuration
# Conflict explanation.
conflict_body = It was changed after you opened it, so your changes were not saved. Your input is kept below; compare it with the current values and save again.
# Conflict table: field.
conflict_field = Field
# Conflict table: your value.
conflict_yours = Your value
# Conflict table: current value.
conflict_theirs = Current value
# Verification failed heading.
verification_failed = Adobe IMS refused the new credential
# Verification failed explanation.
verification_failed_body = Nothing was changed: the configuration still uses its JWT credential. Check the details against the Developer Console and try again.
# IMS error code label.
ims_error = IMS error
# IMS debug id label.
debug_id = Debug ID
# Success message of a health check (AEM's words).
health_success = Token is retrieved successfully
# Delete confirmation heading.
delete_heading = Delete configuration
# Delete confirmation question.
delete_confirm = Delete this configuration?
# Delete warning.
delete_warning = Integrations that use it will no longer get access tokens. This cannot be undone.
# Flash: created.
flash_created = The configuration was created.
# Flash: saved.
flash_saved = The configuration was saved.
# Flash: migrated.
flash_migrated = The configuration now uses OAuth Server-to-Server credentials.
# Flash: deleted.
flash_deleted = The configuration was deleted.
# Flash: unhealthy.
flash_health_failed = The health check failed
# Flash: no change.
flash_unchanged = Nothing was changed.
# Audit page intro.
audit_intro = Every change to configurations, users and API tokens, newest first.
# Audit column: time.
audit_at = Time
# Audit column: actor.
audit_actor = Actor
# Audit column: action.
audit_action = Action
# Audit column: target.
audit_target = Target
# Audit column: details.
audit_details = Details
# No audit entries.
audit_empty = Nothing has been recorded yet.
# Audit filter: nothing matches.
audit_no_match = No entries match these filters.
# Audit filter legend and button.
audit_filter = Filter
# Audit filter: clear.
audit_clear = Clear
# Audit filter: first day.
audit_from = From
# Audit filter: last day.
audit_to = To
# Audit filter: days are UTC.
audit_days_utc = Whole days, UTC.
# Audit filter: a date that does not parse.
audit_bad_date = Enter a date as YYYY-MM-DD.
# Audit filter: the last day is before the first.
audit_to_before_from = The last day must not be before the first.
# Older entries.
older = Older
# Newer entries.
newer = Newer
# Users page intro.
users_intro = People who can sign in to this console. Admins can change configurations; viewers can only read.
# Role column/field.
role = Role
# Admin role.
role_admin = Admin
# Viewer role.
role_viewer = Viewer
# Created column.
created = Created
# Status column.
status = Status
# Active user.
active = Active
# Disabled user.
disabled = Disabled
# Add user heading and button.
add_user = Add user
# Flash: user added.
flash_user_added = The user was added.
# Flash: user removed.
flash_user_removed = The user was removed.
# Flash: user's role or status changed.
flash_user_updated = The user was changed; their open sessions were ended.
# Button: give a viewer the admin role.
make_admin = Make admin
# Button: take the admin role away.
make_viewer = Make viewer
# Button: stop a user from signing in.
disable_user = Disable
# Button: let a disabled user sign in again.
enable_user = Enable
# Tokens page intro.
tokens_intro = API tokens let scripts and integrations call the admin and token APIs.
# New token heading and button.
new_token = New API token
# Token name field.
token_name = Token name
# Token scope field.
token_scope = Scope
# Token expiry field.
token_expires = Expires in
# Never expires.
never = Never
# Token prefix column.
token_prefix = Prefix
# Last used column.
last_used = Last used
# Revoke.
revoke = Revoke
# Revoked.
revoked = Revoked
# Shown-once token heading.
token_once_heading = Copy your new token now
# Shown-once token explanation.
token_once_body = This is the only time the token is shown. Store it somewhere safe.
# Copy button.
copy = Copy
# After copying.
copied = Copied
# No tokens.
tokens_empty = There are no API tokens.
# Flash: token revoked.
flash_token_revoked = The token was revoked.
# Days, after a number.
days = days
# Error page heading.
error_heading = Something went wrong
# Page not found.
not_found = This page or configuration does not exist.
# The form expired (CSRF).
csrf_failed = The form had expired. Reload the page and submit it again.
# Back to the list.
back_to_list = Back to Adobe IMS Integrations
# Not allowed.
forbidden = Your role does not allow this action.
# Internal error.
internal_error = The server could not complete the request. It has been logged; try again later.
# Information.
info = Information
# Success.
success = Success
# Warning.
warning = Warning
# Error.
error = Error
# Read only badge.
read_only = Read-only
# A required field is empty.
missing_value = Enter a value.
# IMS's reason.
ims_reason = Reason
# The form could not be saved (an error not tied to a field).
not_saved = The configuration was not saved
# Migration refused for an auto-provisioned configuration.
auto_provisioned_heading = Auto-provisioned configuration
# The readiness page, under its heading (the commands follow as code).
readiness_intro = JWT credentials stop working at their end of life. Migrate customer configurations with a plan; auto-provisioned ones are migrated automatically. The commands:
# The JWT end-of-life date (also the chart's marker).
readiness_eol = JWT end of life
# Days left before the JWT end of life.
readiness_days_left = { $days } days left
# Days since the JWT end of life.
readiness_passed = { $days } days ago
# How many configurations there are.
readiness_total = Configurations
# The chart's heading and title.
readiness_progress = Migration progress
# JWT configurations not migrated yet (a count, a table, the chart's amber line).
readiness_remaining = JWT configurations left
# When no JWT configuration is left.
readiness_none_left = Every configuration uses OAuth Server-to-Server.
# Column: who fetched the configuration's tokens lately.
readiness_used_by = Recent token requests
# Column: what happens to the configuration next.
readiness_next_step = Next step
# Next step of an auto-provisioned configuration.
readiness_automatic = Migrated automatically
# Next step of a customer configuration.
readiness_plan = Migrate with a plan
# Next step after a failed automatic attempt (`$attempt`, IMS's `$reason`).
readiness_auto_failed = Automatic migration failed (attempt { $attempt }): { $reason }; retrying
# The pager: rows $first to $last of $total.
pager_range = { $first }–{ $last } of { $total }
# The pager when the page is empty: none of $total.
pager_none = 0 of { $total }
# The project JSON could not be used: the reason ($problem).
dc_json_problem = This is not a Developer Console project JSON with an OAuth Server-to-Server credential. { $problem }
# The chart: configurations migrated so far.
readiness_migrated = Migrated
# A token scope: read-only access to the admin API.
token_scope_read = Read
# A token scope: everything an admin may do.
token_scope_admin = Admin
# Verification failed explanation on Create and Properties of an OAuth configuration.
verification_failed_save = Nothing was saved. Check the highlighted detail against the credential's page in the Developer Console and try again.
# The button that saves without verifying the credential with IMS.
save_unverified = Save without verifying
# What "Save without verifying" does, shown when IMS refused or was unreachable.
save_unverified_hint = If you are sure of the details (for example, IMS cannot be reached from here yet), enter the secret again and choose “Save without verifying”. The audit log records that they were not verified.
# IMS unreachable while verifying: heading.
ims_unreachable = Adobe IMS could not be reached
# IMS unreachable while verifying: explanation.
ims_unreachable_body = The new credential could not be verified because IMS did not answer, so nothing was saved. Try again shortly.
