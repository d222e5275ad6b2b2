## Single sign-on: the button, the callback page, the provider's refusals, the Users page's column.

# The button when `sso.label` is not set.
sso_button = Sign in with single sign-on
# Between the button and the password form.
sso_or = or
# Under the password form when local sign-in is off.
sso_break_glass_only = Signing in with a password is for break-glass accounts only.
# The provider cannot be reached or answered something unusable.
sso_unavailable = The identity provider cannot be reached right now. Please try again in a moment; if it keeps happening, ask your administrator.
# The provider sent the person back with an error.
sso_refused = The identity provider did not sign you in (the sign-in may have been cancelled). Please try again.
# The flow cookie is missing, expired or its state differs.
sso_expired = The sign-in expired or was started in another browser window. Please sign in again.
# The code or the ID token failed a check.
sso_invalid = The identity provider's answer could not be verified, so you were not signed in. Please try again; if it keeps happening, ask your administrator.
# The claims map to no role.
sso_no_role = Your account is not in a group that has access to imsbridge. Ask your administrator for access.
# The SSO user is disabled here.
sso_disabled = Your imsbridge account is disabled. Ask an administrator to enable it.
# `/auth/sso` on a server without `[sso]`.
sso_not_configured = Single sign-on is not set up on this server; sign in with your user name and password.
# A password sign-in of a user who is not break-glass while local sign-in is off.
sso_local_login_off = Signing in with a password is turned off on this server. Use single sign-on.
# The callback page's heading.
sso_done_title = Signed in
# The callback page's text.
sso_done_message = You are signed in. Opening the console…
# The callback page's link.
sso_continue_link = Continue to the console
# The Users page's column.
sso_sign_in_column = Sign-in
# A local user.
sso_local = Password
# A break-glass local user.
sso_break_glass = Password (break-glass)
# An SSO user.
sso_sso = Single sign-on
