//! The emulator's clock: real time or frozen, plus an offset tests can advance.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How the emulator's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Frozen at the moment the emulator started; only `advance_clock` moves it (tests).
    #[default]
    Manual,
    /// Follows the system clock, plus whatever `advance_clock` added (the binary, demos).
    System,
}

#[derive(Debug)]
struct Inner {
    mode: ClockMode,
    start: DateTime<Utc>,
    offset: Mutex<chrono::Duration>,
}

/// A cheap, shareable clock.
#[derive(Debug, Clone)]
pub(crate) struct Clock(Arc<Inner>);

impl Clock {
    pub(crate) fn new(mode: ClockMode) -> Self {
        Self(Arc::new(Inner {
            mode,
            start: Utc::now(),
            offset: Mutex::new(chrono::Duration::zero()),
        }))
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let offset = *self.0.offset.lock().expect("clock lock");
        let base = match self.0.mode {
            ClockMode::Manual => self.0.start,
            ClockMode::System => Utc::now(),
        };
        base + offset
    }

    pub(crate) fn advance(&self, by: Duration) {
        // Saturate rather than panic: a test asking for centuries gets "very far".
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::days(365 * 100));
        *self.0.offset.lock().expect("clock lock") += by;
    }
}
