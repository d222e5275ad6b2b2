//! The Developer Console side of an OAuth credential: its numeric organization and
//! credential ids (which Adobe's I/O Management API addresses), the uuid of a client secret,
//! and the rotation policy.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use secrecy::SecretString;

use crate::config::{Health, IntegrationConfig, OAuthPatch, Revision};
use crate::error::{ParseError, RuleError};
use crate::ids::{quoted, string_newtype};

/// Parses a Developer Console numeric id (`project.org.id`, a credential's `id`).
fn numeric(field: &'static str, raw: &str, example: &'static str) -> Result<String, ParseError> {
    let t = raw.trim();
    if !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_owned())
    } else {
        Err(ParseError::new(
            field,
            format!(
                "{} is not a Developer Console id: it is a number of 1 to 20 digits (the project JSON's {})",
                quoted(t),
                if field == "console_org_id" {
                    "project.org.id"
                } else {
                    "credential id"
                }
            ),
            example,
        ))
    }
}

/// The Developer Console's numeric organization id (`project.org.id` in a project JSON), not
/// the IMS org id that ends in `@AdobeOrg`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ConsoleOrgId(String);

impl ConsoleOrgId {
    /// Parses 1 to 20 digits.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        numeric("console_org_id", raw, "1234567").map(Self)
    }
}
string_newtype!(ConsoleOrgId);

/// The Developer Console's numeric id of a credential (the credential's `id` in a project
/// JSON).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct CredentialId(String);

impl CredentialId {
    /// Parses 1 to 20 digits.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        numeric("credential_id", raw, "445566").map(Self)
    }
}
string_newtype!(CredentialId);

/// The uuid Adobe gives a client secret; it names the secret, never reveals it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SecretUuid(String);

impl SecretUuid {
    /// Parses 1 to 64 letters, digits and `-`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let t = raw.trim();
        if !t.is_empty()
            && t.len() <= 64
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            Ok(Self(t.to_owned()))
        } else {
            Err(ParseError::new(
                "secret_uuid",
                format!(
                    "{} is not a client secret's uuid (letters, digits and '-')",
                    quoted(t)
                ),
                "3f1c9a52-5d1e-4c7b-9f0a-2b8d6e4c1a90",
            ))
        }
    }
}
string_newtype!(SecretUuid);

/// How often a configuration's client secret is rotated: a whole number of days, 1 to
/// [`RotateEveryDays::MAX`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct RotateEveryDays(u16);

impl RotateEveryDays {
    /// The longest period accepted: two years.
    pub const MAX: u16 = 730;

    /// Checks a number of days.
    pub fn new(days: i64) -> Result<Self, ParseError> {
        u16::try_from(days)
            .ok()
            .filter(|d| (1..=Self::MAX).contains(d))
            .map(Self)
            .ok_or_else(|| Self::error(&days.to_string()))
    }

    /// Parses a whole number of days (`"90"`).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| Self::error(raw.trim()))
            .and_then(Self::new)
    }

    fn error(raw: &str) -> ParseError {
        ParseError::new(
            "rotate_every_days",
            format!(
                "{} is not a rotation period: give a whole number of days from 1 to {}",
                quoted(raw),
                Self::MAX
            ),
            "90",
        )
    }

    /// The number of days.
    pub fn days(self) -> u16 {
        self.0
    }

    /// When a secret set at `since` is due for rotation.
    pub fn due_at(self, since: DateTime<Utc>) -> DateTime<Utc> {
        since + Duration::days(i64::from(self.0))
    }
}

impl fmt::Display for RotateEveryDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for RotateEveryDays {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

/// Where a configuration's credential lives in the Developer Console, and how often its
/// secret is rotated. Every part is optional: rotation needs both ids.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ConsoleLink {
    /// The Developer Console organization (numeric).
    pub console_org_id: Option<ConsoleOrgId>,
    /// The Developer Console credential (numeric).
    pub credential_id: Option<CredentialId>,
    /// Rotate the client secret this often.
    pub rotate_every_days: Option<RotateEveryDays>,
}

impl ConsoleLink {
    /// Both ids, when the I/O Management API can be called for this credential.
    pub fn ids(&self) -> Option<(&ConsoleOrgId, &CredentialId)> {
        self.console_org_id
            .as_ref()
            .zip(self.credential_id.as_ref())
    }
}

impl IntegrationConfig {
    /// The configuration with its Developer Console link set (at creation).
    #[must_use]
    pub fn with_console(mut self, console: ConsoleLink) -> Self {
        self.console = console;
        self
    }

    /// When the client secret is next due for rotation, if a period is set.
    pub fn rotation_due_at(&self) -> Option<DateTime<Utc>> {
        self.console
            .rotate_every_days
            .map(|d| d.due_at(self.secret_since))
    }

    /// Switches an OAuth configuration read at revision `expected` to a rotated client
    /// secret that IMS has just accepted: a new revision, healthy, holding secret `uuid`.
    pub fn switch_secret(
        &self,
        secret: SecretString,
        uuid: SecretUuid,
        expected: Revision,
        now: DateTime<Utc>,
    ) -> Result<Self, RuleError> {
        let patch = OAuthPatch {
            client_secret: Some(secret),
            ..OAuthPatch::default()
        };
        let mut after = self.update(patch, expected, now)?;
        after.secret_uuid = Some(uuid);
        after.health = Some(Health::healthy(now));
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_ids_are_digits_only() {
        assert_eq!(ConsoleOrgId::parse(" 1234 ").unwrap().as_str(), "1234");
        assert!(ConsoleOrgId::parse("12ab").is_err());
        assert!(CredentialId::parse("").is_err());
        assert!(CredentialId::parse(&"9".repeat(21)).is_err());
    }

    #[test]
    fn rotation_periods_are_whole_days_within_two_years() {
        assert_eq!(RotateEveryDays::parse("90").unwrap().days(), 90);
        for bad in ["0", "-3", "1.5", "731", "ninety", ""] {
            let e = RotateEveryDays::parse(bad).unwrap_err();
            assert_eq!(e.field, "rotate_every_days", "{bad}");
        }
    }

    #[test]
    fn secret_uuids_refuse_anything_but_letters_digits_and_dashes() {
        assert!(SecretUuid::parse("a1-b2").is_ok());
        assert!(SecretUuid::parse("a b").is_err());
        assert!(SecretUuid::parse("../x").is_err());
    }
}
