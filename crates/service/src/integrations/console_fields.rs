//! The Developer Console fields of an OAuth configuration in a request: `console_org_id`,
//! `credential_id` (from the body, else the project JSON) and `rotate_every_days`.

use imsbridge_domain::{ConsoleLink, ConsoleOrgId, CredentialId, RotateEveryDays};
use serde::Deserialize;
use serde_json::Value;

use crate::fields::FieldErrors;
use crate::project_json::ProjectOAuth;

/// Reads a JSON value as it came, so that `null` (clear) differs from an absent field (keep).
#[allow(clippy::unnecessary_wraps)] // the shape serde's `deserialize_with` asks for
pub(crate) fn present<'de, D>(d: D) -> Result<Option<Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Value::deserialize(d).map(Some)
}

/// A text field: `None` when blank (a console form's empty input).
fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A period in days from a JSON number or text; `null` and blank text mean "none".
pub(crate) fn parse_days(errors: &mut FieldErrors, value: &Value) -> Option<RotateEveryDays> {
    match value {
        Value::Null => None,
        Value::Number(n) => match n.as_i64() {
            Some(days) => errors.take(RotateEveryDays::new(days)),
            None => errors.take(RotateEveryDays::parse(&n.to_string())),
        },
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => errors.take(RotateEveryDays::parse(s)),
        other => errors.take(RotateEveryDays::parse(&other.to_string())),
    }
}

/// The Developer Console link of a create request: each id from the body, else the project
/// JSON.
pub(crate) fn new_link(
    errors: &mut FieldErrors,
    console_org_id: Option<&str>,
    credential_id: Option<&str>,
    rotate_every_days: Option<&Value>,
    project: Option<&ProjectOAuth>,
) -> ConsoleLink {
    ConsoleLink {
        console_org_id: match text(console_org_id) {
            Some(v) => errors.take(ConsoleOrgId::parse(v)),
            None => project.and_then(|p| p.console_org_id.clone()),
        },
        credential_id: match text(credential_id) {
            Some(v) => errors.take(CredentialId::parse(v)),
            None => project.and_then(|p| p.credential_id.clone()),
        },
        rotate_every_days: rotate_every_days.and_then(|v| parse_days(errors, v)),
    }
}

/// A change to a console id: absent keeps it, `null` or blank clears it.
#[allow(clippy::option_option)] // keep, clear, or set
pub(crate) fn id_patch<T>(
    errors: &mut FieldErrors,
    value: Option<&Option<String>>,
    parse: impl Fn(&str) -> Result<T, imsbridge_domain::ParseError>,
) -> Option<Option<T>> {
    value.map(|v| text(v.as_deref()).and_then(|s| errors.take(parse(s))))
}
