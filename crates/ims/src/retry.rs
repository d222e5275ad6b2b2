//! Retries: how long to wait between attempts, and who does the waiting.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use imsbridge_domain::ManualClock;
use rand::Rng;

/// Waits between retries; injected so that tests wait without sleeping.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Really waits, on the tokio timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// For tests: instead of waiting, moves a [`ManualClock`] forward and records the wait.
#[derive(Clone, Debug)]
pub struct ClockSleeper {
    clock: ManualClock,
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl ClockSleeper {
    /// A sleeper that advances `clock`.
    pub fn new(clock: ManualClock) -> Self {
        Self {
            clock,
            waits: Arc::default(),
        }
    }

    /// Every wait asked for so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Sleeper for ClockSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        self.clock
            .advance(chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::days(1)));
        Box::pin(std::future::ready(()))
    }
}

/// How transient failures are retried, within the request's budget: a retry whose wait
/// would outlast the budget is not made.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Requests made at most per token acquisition, the first included.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles with every further one.
    pub base_delay: Duration,
    /// The longest computed wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): exponential, with "equal
    /// jitter" (half fixed, half random) so that many clients do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=jitter_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_maximum() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            let first = p.backoff(1);
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            let third = p.backoff(3);
            assert!((200..=400).contains(&third.as_millis()), "{third:?}");
            let late = p.backoff(30);
            assert!((500..=1000).contains(&late.as_millis()), "{late:?}");
        }
    }
}
