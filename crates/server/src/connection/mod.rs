//! Connections: how many are served at once, what each is doing, and the open-files limit.
//!
//! Every connection holds a file descriptor and a little memory, including one that never
//! finishes its request head (hyper gives it 10 seconds). So that a flood of those cannot
//! starve everyone else (`/healthz` included), at most `max_connections` are served at
//! once, a number kept below the process's open-files limit; when a new connection would
//! pass it, the connection that has been idle longest (no request in the router) is closed
//! to make room. Only when every connection is busy is the new one turned away.

pub(crate) mod framing;
pub(crate) mod io;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// File descriptors kept back from connections, for the database, files and the like.
const RESERVED_FILES: u64 = 64;

/// Raises the soft open-files limit to the hard limit (where the platform has one) and
/// returns the limit in force. Called once when the server starts.
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// The soft open-files limit of this process, if the platform has one.
pub fn open_files_limit() -> Option<u64> {
    rlimit::Resource::NOFILE.get_soft().ok()
}

/// The connections that may be served at once: `configured`, kept below the open-files
/// limit.
pub fn effective_max_connections(configured: usize, open_files: Option<u64>) -> usize {
    let by_files = open_files.map_or(usize::MAX, |n| {
        usize::try_from(n.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX)
    });
    configured.min(by_files).max(1)
}

/// What one connection is doing, shared between its stream and its requests.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    /// Requests handed to the router so far.
    requests: AtomicU64,
    /// Requests in the router now.
    in_router: AtomicUsize,
    /// 1 + the index of a request whose head had both `Content-Length` and
    /// `Transfer-Encoding`; 0 when none had.
    ambiguous: AtomicU64,
}

impl ConnState {
    pub(crate) fn mark_ambiguous(&self, index: u64) {
        self.ambiguous.store(index + 1, Ordering::Release);
    }

    pub(crate) fn in_router(&self) -> usize {
        self.in_router.load(Ordering::Acquire)
    }

    /// Counts a request entering the router; returns whether its head was ambiguous, and a
    /// guard that counts it out when dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> (bool, InRouter) {
        let index = self.requests.fetch_add(1, Ordering::AcqRel);
        self.in_router.fetch_add(1, Ordering::AcqRel);
        let ambiguous = self.ambiguous.load(Ordering::Acquire) == index + 1;
        (ambiguous, InRouter(Arc::clone(self)))
    }
}

/// A request in the router.
pub(crate) struct InRouter(Arc<ConnState>);

impl Drop for InRouter {
    fn drop(&mut self) {
        self.0.in_router.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Entry {
    state: Arc<ConnState>,
    close: Option<oneshot::Sender<()>>,
}

/// The connections being served.
pub(crate) struct Connections {
    max: usize,
    live: Mutex<BTreeMap<u64, Entry>>,
    next: AtomicU64,
    shed: AtomicU64,
}

/// A served connection; dropping it frees its place.
pub(crate) struct Registration {
    connections: Arc<Connections>,
    id: u64,
    /// Its shared state.
    pub(crate) state: Arc<ConnState>,
    /// Completes when the connection must close to make room.
    pub(crate) close: oneshot::Receiver<()>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.connections
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl Connections {
    /// At most `max` connections at once.
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            live: Mutex::default(),
            next: AtomicU64::new(0),
            shed: AtomicU64::new(0),
        })
    }

    /// The limit.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Connections closed so far to make room.
    #[cfg(test)]
    pub(crate) fn shed_count(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// Takes a place for a new connection, closing the longest-idle one if all are taken;
    /// `None` when every connection has a request in the router.
    pub(crate) fn register(self: &Arc<Self>) -> Option<Registration> {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if live.len() >= self.max && !self.shed_oldest_idle(&mut live) {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState::default());
        let (tx, rx) = oneshot::channel();
        live.insert(
            id,
            Entry {
                state: Arc::clone(&state),
                close: Some(tx),
            },
        );
        Some(Registration {
            connections: Arc::clone(self),
            id,
            state,
            close: rx,
        })
    }

    /// Closes the longest-idle connection (out of file descriptors, say); whether there was one.
    pub(crate) fn shed_one(&self) -> bool {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        self.shed_oldest_idle(&mut live)
    }

    /// Closes every connection with no request in the router (on shutdown: a client still
    /// sending its head would otherwise hold the shutdown up until its head timeout).
    pub(crate) fn close_idle(&self) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.retain(|_, entry| {
            if entry.state.in_router() > 0 {
                return true;
            }
            if let Some(close) = entry.close.take() {
                let _ = close.send(());
            }
            false
        });
    }

    fn shed_oldest_idle(&self, live: &mut BTreeMap<u64, Entry>) -> bool {
        // Ids grow with time, so the first idle one is the one idle the longest.
        let Some(id) = live
            .iter()
            .find(|(_, e)| e.state.in_router() == 0)
            .map(|(id, _)| *id)
        else {
            return false;
        };
        if let Some(mut entry) = live.remove(&id)
            && let Some(close) = entry.close.take()
        {
            let _ = close.send(());
        }
        self.shed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("imsbridge_connections_closed_for_room_total").increment(1);
        true
    }
}

/// Logs failed `accept`s at most once a second, with how many were not logged.
#[derive(Debug, Default)]
pub(crate) struct AcceptWarnings {
    last: Option<Instant>,
    suppressed: u64,
}

impl AcceptWarnings {
    /// Counts a failure at `now`; returns how many were suppressed since the last warning
    /// when this one should be logged.
    pub(crate) fn failed(&mut self, now: Instant) -> Option<u64> {
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
        {
            self.suppressed += 1;
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.suppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_failures_are_logged_once_a_second_with_the_count_left_out() {
        let mut warnings = AcceptWarnings::default();
        let t0 = Instant::now();
        assert_eq!(warnings.failed(t0), Some(0));
        for i in 1..=20 {
            assert_eq!(warnings.failed(t0 + Duration::from_millis(i * 45)), None);
        }
        assert_eq!(warnings.failed(t0 + Duration::from_millis(1001)), Some(20));
        assert_eq!(warnings.failed(t0 + Duration::from_millis(1500)), None);
    }

    #[test]
    fn a_full_house_closes_its_longest_idle_connection_and_never_a_busy_one() {
        let connections = Connections::new(3);
        let mut first = connections.register().unwrap();
        let second = connections.register().unwrap();
        let (_, busy) = second.state.begin();
        let mut third = connections.register().unwrap();
        // Full: the first (idle the longest) makes room.
        let _fourth = connections.register().unwrap();
        assert!(first.close.try_recv().is_ok());
        assert_eq!(connections.shed_count(), 1);
        // The busy second is skipped; the third goes.
        let _fifth = connections.register().unwrap();
        assert!(third.close.try_recv().is_ok());
        drop(busy);
        drop(first);
        drop(third);
        assert_eq!(connections.live.lock().unwrap().len(), 3);
    }

    #[test]
    fn when_every_connection_is_busy_a_new_one_is_turned_away() {
        let connections = Connections::new(1);
        let only = connections.register().unwrap();
        let (_, _busy) = only.state.begin();
        assert!(connections.register().is_none());
    }

    #[test]
    fn the_open_files_limit_is_raised_to_the_hard_limit() {
        let before = open_files_limit().unwrap();
        let raised = raise_open_files_limit().unwrap();
        assert!(raised >= before);
        assert_eq!(open_files_limit(), Some(raised));
        let hard = rlimit::Resource::NOFILE.get_hard().unwrap();
        // Linux caps an unlimited hard limit at fs.nr_open.
        assert!(
            raised == hard || hard == rlimit::INFINITY,
            "{raised} of {hard}"
        );
    }

    #[test]
    fn the_limit_stays_below_the_open_files_limit() {
        assert_eq!(effective_max_connections(10_000, Some(1024)), 960);
        assert_eq!(effective_max_connections(500, Some(1_048_576)), 500);
        assert_eq!(effective_max_connections(500, None), 500);
        assert_eq!(effective_max_connections(500, Some(10)), 1);
    }
}
