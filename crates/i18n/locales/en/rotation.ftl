## Client-secret rotation: the Developer Console fields of Create and Properties, the
## credential's secrets on Properties and the Rotate Secret form.

# The fieldset of the Developer Console ids.
rotation_section = Developer Console
# Under the fieldset's legend.
rotation_section_hint = Where the credential lives in the Adobe Developer Console. With both ids, imsbridge can rotate its client secret through Adobe's I/O Management API (the project needs that API).
# The numeric organization id of the Developer Console.
console_org_id = Organization ID (Developer Console)
console_org_id_hint = The number in the project JSON's project.org.id, not the …@AdobeOrg id.
# The credential's numeric id.
credential_id = Credential ID
credential_id_hint = The number in the credential's id in the project JSON.
# The rotation policy.
rotate_every_days = Rotate the secret every (days)
rotate_every_days_hint = 1 to 730 days; leave empty to rotate only when asked.
# The secrets panel of Properties.
secrets_heading = Client secrets
secrets_not_configured = Set the Developer Console organization ID and credential ID to see the credential's secrets and rotate them.
# Before Adobe's reason.
secrets_list_failed = The secrets could not be read: { $reason }
# Columns of the secrets table.
secret_uuid = UUID
secret_created = Created
secret_last_used = Last used
secret_age = Age
secret_held = Used by imsbridge
# A secret IMS never accepted.
secret_never_used = never
# A secret's age.
secret_age_days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
# The mark of the secret imsbridge holds.
secret_held_mark = yes
next_rotation = Next rotation
# No rotation policy.
rotation_no_schedule = only when asked
last_rotation = Last rotation
# The Rotate Secret button and form heading.
rotate_secret = Rotate Secret
rotate_intro = Adds a new client secret, checks it with IMS, switches this configuration to it (tokens already handed out stay valid), then deals with the old one.
# The old secret's fate.
delete_old = Old secret
delete_old_after_unused = Delete once unused (after the grace period)
delete_old_now = Delete at once
delete_old_never = Keep
grace_hours = Grace period (hours)
grace_hours_hint = How long the old secret may still be used after the switch; 0 to 2160.
# A rotation's state.
rotation_state_switched = switched
rotation_state_pending_delete = waiting to delete the old secret
rotation_state_completed = completed
rotation_state_failed = failed
rotation_state_started = started, not finished
rotation_state_added = new secret added, not yet switched
