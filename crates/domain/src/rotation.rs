//! A client-secret rotation's choices and states.

use std::fmt;

use crate::error::ParseError;

/// What happens to the old secret once the configuration has switched to the new one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum DeleteOld {
    /// Delete it once Adobe's last-used time shows no use since the switch plus a grace
    /// period; keep it while another consumer still uses it.
    #[default]
    AfterUnused,
    /// Delete it at once.
    Now,
    /// Keep it.
    Never,
}

impl DeleteOld {
    /// The key used in the API and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            Self::AfterUnused => "after_unused",
            Self::Now => "now",
            Self::Never => "never",
        }
    }

    /// Parses `after_unused`, `now` or `never`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "after_unused" => Ok(Self::AfterUnused),
            "now" => Ok(Self::Now),
            "never" => Ok(Self::Never),
            other => Err(ParseError::new(
                "delete_old",
                format!(
                    "{} is not a choice; use after_unused, now or never",
                    crate::quoted(other)
                ),
                "after_unused",
            )),
        }
    }
}

impl fmt::Display for DeleteOld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where a rotation stands. The steps run in this order; a job resumes from its state.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RotationState {
    /// Recorded, with the secrets the credential had; no new secret yet.
    Started,
    /// Adobe made the new secret, whose value is sealed in the job until the switch.
    Added,
    /// The configuration uses the new secret; the old one is still to be retired.
    Switched,
    /// Waiting for the old secret to go unused before deleting it.
    PendingDelete,
    /// Done: the old secret is deleted, or kept as asked.
    Completed,
    /// Stopped; the configuration kept (or got back to) a verified secret.
    Failed,
}

impl RotationState {
    /// The key used in the API and the store.
    pub fn key(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Added => "added",
            Self::Switched => "switched",
            Self::PendingDelete => "pending_delete",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored key.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Ok(match raw {
            "started" => Self::Started,
            "added" => Self::Added,
            "switched" => Self::Switched,
            "pending_delete" => Self::PendingDelete,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            other => {
                return Err(ParseError::new(
                    "state",
                    format!("{} is not a rotation state", crate::quoted(other)),
                    "switched",
                ));
            }
        })
    }

    /// Whether the job has nothing left to do.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

impl fmt::Display for RotationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How long after the switch the old secret may still be used before it counts as unused:
/// 0 to [`GraceHours::MAX`] hours.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct GraceHours(u32);

impl GraceHours {
    /// The default: a day.
    pub const DEFAULT: Self = Self(24);
    /// The longest grace accepted: 90 days.
    pub const MAX: u32 = 90 * 24;

    /// Checks a number of hours.
    pub fn new(hours: i64) -> Result<Self, ParseError> {
        u32::try_from(hours)
            .ok()
            .filter(|h| *h <= Self::MAX)
            .map(Self)
            .ok_or_else(|| {
                ParseError::new(
                    "grace_hours",
                    format!(
                        "{hours} is not a grace period: give a whole number of hours from 0 to {}",
                        Self::MAX
                    ),
                    "24",
                )
            })
    }

    /// The number of hours.
    pub fn hours(self) -> u32 {
        self.0
    }
}

impl Default for GraceHours {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_old_choices_parse_and_round_trip() {
        for d in [DeleteOld::AfterUnused, DeleteOld::Now, DeleteOld::Never] {
            assert_eq!(DeleteOld::parse(d.key()).unwrap(), d);
        }
        assert_eq!(
            DeleteOld::parse("after-unused").unwrap(),
            DeleteOld::AfterUnused
        );
        assert_eq!(DeleteOld::parse("later").unwrap_err().field, "delete_old");
    }

    #[test]
    fn states_round_trip_and_grace_is_bounded() {
        for s in [
            RotationState::Started,
            RotationState::Added,
            RotationState::Switched,
            RotationState::PendingDelete,
            RotationState::Completed,
            RotationState::Failed,
        ] {
            assert_eq!(RotationState::parse(s.key()).unwrap(), s);
        }
        assert!(GraceHours::new(0).is_ok());
        assert!(GraceHours::new(-1).is_err());
        assert!(GraceHours::new(i64::from(GraceHours::MAX) + 1).is_err());
    }
}
