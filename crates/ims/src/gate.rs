//! What the circuit breaker and the throttle memory have in common: a key is either open to
//! requests or blocked until some time; once that time has passed, exactly one request (the
//! probe) goes out, and everyone else who wants through waits for its outcome.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use crate::error::TokenError;

/// Whether a request may go to IMS now.
#[derive(Debug)]
pub(crate) enum Admission {
    /// Send it. With a guard when it is the probe of a half-open window: dropping the guard
    /// without an outcome recorded frees the slot for another probe.
    Go(Option<ProbeGuard>),
    /// A probe is out: wait for `outcome` to change, then ask again. If the budget runs out
    /// first, answer `meanwhile`.
    Wait {
        /// Changes (or closes) when the probe's outcome is known.
        outcome: watch::Receiver<()>,
        /// What a caller who cannot wait any longer is told.
        meanwhile: TokenError,
    },
    /// Not now, and why.
    Refused(TokenError),
}

/// The probe slot of one blocked key, and the signal its waiters watch.
#[derive(Debug)]
pub(crate) struct ProbeSlot {
    busy: Option<u64>,
    wake: watch::Sender<()>,
}

impl Default for ProbeSlot {
    fn default() -> Self {
        Self {
            busy: None,
            wake: watch::channel(()).0,
        }
    }
}

impl ProbeSlot {
    /// Whether a probe is out.
    pub(crate) fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    /// A receiver that sees the next outcome (not any earlier one).
    pub(crate) fn waiter(&self) -> watch::Receiver<()> {
        self.wake.subscribe()
    }

    /// The probe's outcome is recorded (or it was abandoned): free the slot, wake waiters.
    pub(crate) fn release(&mut self) {
        self.busy = None;
        self.wake.send_replace(());
    }
}

/// Numbers probes so that a guard frees only its own slot.
static PROBE_IDS: AtomicU64 = AtomicU64::new(1);

/// Map of blocked keys shared with the guards of their probes.
pub(crate) type SlotMap<K, S> = Arc<Mutex<HashMap<K, S>>>;

/// States that own a probe slot.
pub(crate) trait HasProbe {
    fn slot(&mut self) -> &mut ProbeSlot;
}

/// Takes the probe slot of `state` (which must be free) and returns its guard.
pub(crate) fn take_probe<K, S>(map: &SlotMap<K, S>, key: &K, state: &mut S) -> ProbeGuard
where
    K: Eq + Hash + Clone + Send + 'static,
    S: HasProbe + Send + 'static,
{
    let id = PROBE_IDS.fetch_add(1, Ordering::Relaxed);
    state.slot().busy = Some(id);
    let map = Arc::clone(map);
    let key = key.clone();
    ProbeGuard {
        release: Some(Box::new(move || {
            let mut states = map.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(state) = states.get_mut(&key)
                && state.slot().busy == Some(id)
            {
                state.slot().release();
            }
        })),
    }
}

/// Held by the one request probing a half-open window. Recording the outcome frees the slot;
/// dropping the guard frees it too, so a probe whose caller vanished cannot wedge the key.
pub(crate) struct ProbeGuard {
    release: Option<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for ProbeGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProbeGuard")
    }
}

impl Drop for ProbeGuard {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

/// Locks a slot map, surviving a panic elsewhere.
pub(crate) fn lock<K, S>(map: &SlotMap<K, S>) -> std::sync::MutexGuard<'_, HashMap<K, S>> {
    map.lock().unwrap_or_else(PoisonError::into_inner)
}
