## Validation and domain errors, rendered in the reader's language from their kinds and
## arguments (the API's `error` code, and each field error's `kind` and `args`).
## English field errors quote the service's own English reason (`$detail`).

## Field errors, by kind.

# A required field is empty.
field_missing = Enter a value.
# A value that does not parse; `$detail` is the English reason.
field_invalid = { $detail }
# A value that does not parse, with a value that would be accepted (`$example`).
field_invalid_example = { $detail }
# A number outside `$min`..`$max`.
field_out_of_range = { $detail }
# Text whose length must be `$min` to `$max` characters.
field_length = { $detail }
# Text longer than `$max` characters.
field_too_long = { $detail }
# A value that is well formed but not allowed here.
field_not_allowed = { $detail }

## Errors, by the API's `error` code.

error_invalid = One or more values are not valid; each is shown beside its field.
error_not_found = That does not exist; check the name or go back to the list.
error_forbidden = You are not allowed to do this. Ask an administrator.
error_unauthenticated = Sign in first.
error_stale_revision = Someone else changed this configuration after you opened it. Reload it and make your change again.
error_conflict = This conflicts with the current state. Reload the page and try again.
error_name_taken = A configuration with this name already exists; choose another name.
error_username_taken = A user with this name already exists; choose another user name.
error_last_admin = The last active administrator cannot lose the role or be disabled. Make another user an administrator first.
error_self_delete = You cannot remove your own account. Ask another administrator.
error_jwt_deprecated = JWT credentials can no longer be created; create an OAuth Server-to-Server configuration instead.
error_jwt_read_only = JWT configurations are read-only; switch the Authentication Type to OAuth to migrate it.
error_not_jwt = Only JWT configurations can be migrated; this one already uses OAuth.
error_auto_provisioned = Auto-provisioned JWT configurations are handled automatically by Adobe and must not be migrated manually.
error_verification_failed = IMS refused the new OAuth details, so nothing was changed. Check the client ID, secret and scopes in the Adobe Developer Console.
error_ims_refused = IMS refused the credential. Check it in the Adobe Developer Console.
error_ims_unavailable = IMS is failing or busy right now; try again shortly.
error_ims_timeout = IMS did not answer in time; try again shortly.
error_configuration_changed = The configuration changed while its token was fetched; try again.
error_unavailable = The database cannot be reached right now; try again shortly.
error_internal = Something went wrong on the server. It has been logged.
error_not_ready = The server is not ready yet; try again shortly.
error_bad_request = The request could not be understood.
error_bad_body = The form could not be read; send it again.
error_malformed_json = The JSON could not be read; check its syntax.
error_invalid_body = The form has the wrong shape; reload the page and send it again.
error_invalid_query = The address has a query that could not be read.
error_invalid_path = The address could not be read.
error_unsupported_media_type = This kind of content is not accepted here.
error_body_too_large = The upload is too large for this server.
error_ambiguous_length = The request's length is ambiguous.
error_uri_too_long = The address is too long.
error_method_not_allowed = This action is not available here.
error_invalid_if_match = The revision sent with the change could not be read.
error_if_match_required = A change must name the revision it was made from.
error_precondition_failed = The revision sent with the change does not match.
error_csrf = This form has expired. Reload the page and try again.
error_cross_site = A request from another site was refused.
error_rate_limited = Too many requests right now; wait a moment and try again.
error_too_many_attempts = Too many failed sign-ins; wait a moment and try again.
error_server_busy = The server is busy right now; try again in a moment.
error_timeout = The request took too long; try again.
error_not_a_user = Only a signed-in person can do this, not an API token.
error_not_oauth = This needs an OAuth Server-to-Server configuration; migrate the JWT configuration first.
error_rotation_not_configured = Set the Developer Console organization ID and credential ID in Properties (project.org.id and the credential's id in the project JSON) to rotate this secret.
error_two_secrets = The credential already has two client secrets, Adobe's limit. Delete the one no longer used in the Adobe Developer Console, then rotate again.
error_io_management_refused = Adobe's I/O Management API refused the request. Check that the project has the I/O Management API and that the credential's ids are right.
error_io_management_unavailable = Adobe's I/O Management API could not be reached or is busy. Try again in a few minutes.
error_local_login_disabled = Password sign-in is turned off; sign in with single sign-on.
