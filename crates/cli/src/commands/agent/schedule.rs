//! When to renew a token and how long to wait after a failure: pure arithmetic on times,
//! so that it is tested without waiting.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A token the agent holds, with times on the agent's own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// When the agent received it.
    pub received_at: DateTime<Utc>,
    /// When it expires (received time plus the server's `expires_in`, so that the two
    /// machines' clocks need not agree).
    pub expires_at: DateTime<Utc>,
}

impl Held {
    /// When to fetch the next token: after two thirds of the time the token spends above
    /// `min_validity`, so that the last third is left for retries before the file's token
    /// falls below it.
    pub fn renew_at(&self, min_validity: Duration) -> DateTime<Utc> {
        let min = chrono::Duration::from_std(min_validity).unwrap_or(chrono::Duration::MAX);
        let usable = (self.expires_at - self.received_at - min).max(chrono::Duration::zero());
        self.received_at + usable * 2 / 3
    }

    /// Seconds left at `now` (zero once expired).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        (self.expires_at - now).to_std().unwrap_or(Duration::ZERO)
    }

    /// Whether it has expired at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

/// The validity to ask the server for: at least `min_validity`, and, when renewing, more
/// than the held token has left, so that the answer is a newer token (capped by `max`).
pub fn ask_validity(
    held: Option<&Held>,
    now: DateTime<Utc>,
    min_validity: Duration,
    max: Duration,
) -> Duration {
    let newer = held.map_or(Duration::ZERO, |h| {
        h.remaining(now) + Duration::from_secs(1)
    });
    min_validity.max(newer).min(max)
}

/// Exponential backoff from one second, doubled per failure, capped, with ±20 % jitter so
/// that a fleet of agents does not retry in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    failures: u32,
    max: Duration,
}

impl Backoff {
    /// A backoff that never waits longer than `max`.
    pub fn new(max: Duration) -> Self {
        Self { failures: 0, max }
    }

    /// After a success: the next failure waits one second again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The wait before the next try, given a jitter factor in `[-1, 1]`.
    pub fn next_with(&mut self, jitter: f64) -> Duration {
        let base = Duration::from_secs(1)
            .saturating_mul(1u32 << self.failures.min(16))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        base.mul_f64(1.0 + 0.2 * jitter.clamp(-1.0, 1.0))
            .min(self.max)
    }

    /// The wait before the next try.
    pub fn next(&mut self) -> Duration {
        self.next_with(rand::random::<f64>() * 2.0 - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn renewal_comes_after_two_thirds_of_the_time_above_the_minimum_validity() {
        let day = Held {
            received_at: at(0),
            expires_at: at(86_400),
        };
        assert_eq!(day.renew_at(Duration::from_secs(300)), at(57_400));
        let short = Held {
            received_at: at(0),
            expires_at: at(6),
        };
        assert_eq!(short.renew_at(Duration::from_secs(0)), at(4));
        // A token that never rose above the minimum is renewed at once.
        assert_eq!(short.renew_at(Duration::from_secs(10)), at(0));
        assert!(short.expired(at(6)) && !short.expired(at(5)));
        assert_eq!(short.remaining(at(4)), Duration::from_secs(2));
        assert_eq!(short.remaining(at(9)), Duration::ZERO);
    }

    #[test]
    fn a_renewal_asks_for_more_than_the_held_token_has_left() {
        let max = Duration::from_secs(82_800);
        let min = Duration::from_secs(300);
        assert_eq!(ask_validity(None, at(0), min, max), min);
        let held = Held {
            received_at: at(0),
            expires_at: at(86_400),
        };
        assert_eq!(
            ask_validity(Some(&held), at(57_400), min, max),
            Duration::from_secs(29_001)
        );
        assert_eq!(ask_validity(Some(&held), at(0), min, max), max);
    }

    #[test]
    fn backoff_doubles_from_one_second_up_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(10));
        let waits: Vec<u64> = (0..6).map(|_| b.next_with(0.0).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert_eq!(
            b.next_with(1.0),
            Duration::from_secs(10),
            "jitter never passes the cap"
        );
        b.reset();
        assert_eq!(b.next_with(-1.0), Duration::from_millis(800));
        for _ in 0..100 {
            let w = b.next();
            assert!(w <= Duration::from_secs(10));
        }
    }
}
