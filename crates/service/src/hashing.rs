//! A fixed pool of password-hashing threads fed by a short bounded queue.
//!
//! Argon2 needs its memory cost (19 MiB by default) for every hash. Run on tokio's blocking
//! pool, a flood of logins could start hundreds of hashes at once and hold gigabytes, so
//! hashing gets a few dedicated threads (one per core by default) and a queue of a few jobs.
//! When both are full a request is refused at once, and nothing more is started. Each thread
//! reuses one buffer while jobs keep coming and gives it back as soon as the queue is empty,
//! so a server that is not hashing holds no Argon2 memory at all.
//!
//! One slot of the queue is kept for [`Lane::Reserved`]: the sign-ins of people the address
//! limiter recognises, so that a flood from elsewhere cannot keep them out.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use argon2::password_hash::{Ident, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;

use super::passwords::PasswordError;

/// Stored hashes asking for more memory than this are refused rather than computed: every
/// hash this server makes uses Argon2's default (19 MiB).
const MAX_BLOCKS: usize = 64 * 1024;

/// Which part of the queue a job may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Everyone: the threads and the queue but its reserved slot.
    Normal,
    /// Recognised sign-ins: the reserved slot too.
    Reserved,
}

/// Counts of a pool, for tests, benches and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Hashing threads.
    pub threads: usize,
    /// Jobs that may be running or waiting at once.
    pub capacity: usize,
    /// Jobs running now.
    pub running: usize,
    /// The most jobs ever running at once.
    pub running_high_water: usize,
    /// The most jobs ever running or waiting at once.
    pub outstanding_high_water: usize,
    /// Jobs refused because the pool was full.
    pub refused: u64,
}

enum Work {
    Hash(oneshot::Sender<Result<String, PasswordError>>),
    Verify(Option<String>, oneshot::Sender<bool>),
}

struct Job {
    password: SecretString,
    work: Work,
    /// Frees the job's place in the pool when the job is done or dropped.
    _slot: Slot,
}

#[derive(Debug, Default)]
struct Counters {
    outstanding: AtomicUsize,
    outstanding_high: AtomicUsize,
    running: AtomicUsize,
    running_high: AtomicUsize,
    refused: AtomicU64,
}

struct Slot(Arc<Counters>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.outstanding.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The pool. Dropping it stops its threads once their current jobs are done.
pub struct HashPool {
    sender: SyncSender<Job>,
    counters: Arc<Counters>,
    threads: usize,
    capacity: usize,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool")
            .field("stats", &self.stats())
            .finish()
    }
}

impl HashPool {
    /// A pool of `threads` hashing threads (0: one per core) and a queue of `queue` waiting
    /// jobs (0: two per thread).
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        } else {
            threads
        };
        let queue = if queue == 0 { 2 * threads } else { queue };
        let capacity = threads + queue;
        let (sender, receiver) = std::sync::mpsc::sync_channel(capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        let counters = Arc::new(Counters::default());
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            let counters = Arc::clone(&counters);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || work(&receiver, &counters));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        Self {
            sender,
            counters,
            threads,
            capacity,
        }
    }

    /// A process-wide pool for commands that hash outside a server (the CLI, the first
    /// admin): one thread, and a queue long enough that nothing offline is ever refused.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<HashPool> = OnceLock::new();
        SHARED.get_or_init(|| Self::new(1, 64))
    }

    /// The pool's counts.
    pub fn stats(&self) -> PoolStats {
        let c = &self.counters;
        PoolStats {
            threads: self.threads,
            capacity: self.capacity,
            running: c.running.load(Ordering::Acquire),
            running_high_water: c.running_high.load(Ordering::Acquire),
            outstanding_high_water: c.outstanding_high.load(Ordering::Acquire),
            refused: c.refused.load(Ordering::Acquire),
        }
    }

    /// Whether `password` matches the PHC string `stored`. With `stored = None` (no such
    /// user) it spends the time of a real verification, so that timing does not tell which
    /// user names exist.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
        lane: Lane,
    ) -> Result<bool, PasswordError> {
        let (reply, answer) = oneshot::channel();
        self.submit(password, Work::Verify(stored, reply), lane)?;
        Ok(answer.await.unwrap_or(false))
    }

    /// Hashes a new password (argon2id with its default parameters, PHC string).
    pub async fn hash(&self, password: SecretString) -> Result<String, PasswordError> {
        let (reply, answer) = oneshot::channel();
        self.submit(password, Work::Hash(reply), Lane::Normal)?;
        answer.await.unwrap_or(Err(PasswordError::Hash))
    }

    fn submit(&self, password: SecretString, work: Work, lane: Lane) -> Result<(), PasswordError> {
        let limit = match lane {
            // One place is kept for recognised sign-ins when there is a queue to keep it in.
            Lane::Normal if self.capacity > self.threads => self.capacity - 1,
            _ => self.capacity,
        };
        let c = &self.counters;
        let taken = c
            .outstanding
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            });
        let Ok(before) = taken else {
            c.refused.fetch_add(1, Ordering::Relaxed);
            return Err(PasswordError::Busy);
        };
        c.outstanding_high.fetch_max(before + 1, Ordering::AcqRel);
        let job = Job {
            password,
            work,
            _slot: Slot(Arc::clone(c)),
        };
        // The channel holds `capacity` jobs, and no more than that are ever admitted.
        match self.sender.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                c.refused.fetch_add(1, Ordering::Relaxed);
                Err(PasswordError::Busy)
            }
        }
    }
}

/// One hashing thread: takes jobs until the pool is dropped.
fn work(receiver: &Mutex<Receiver<Job>>, counters: &Counters) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            let receiver = receiver.lock().unwrap_or_else(PoisonError::into_inner);
            match receiver.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let running = counters.running.fetch_add(1, Ordering::AcqRel) + 1;
        counters.running_high.fetch_max(running, Ordering::AcqRel);
        let Job {
            password,
            work,
            _slot: slot,
        } = job;
        let secret = password.expose_secret().as_bytes();
        // Nobody waits for the answer any more (the client went away): skip the work.
        let answer = match work {
            Work::Verify(stored, reply) if !reply.is_closed() => Some(Answer::Verified(
                verify_with(&mut memory, secret, stored.as_deref()),
                reply,
            )),
            Work::Hash(reply) if !reply.is_closed() => {
                Some(Answer::Hashed(hash_with(&mut memory, secret), reply))
            }
            _ => None,
        };
        // The place is free before the answer goes out, so whoever reads it may submit again.
        counters.running.fetch_sub(1, Ordering::AcqRel);
        drop(slot);
        match answer {
            Some(Answer::Verified(ok, reply)) => {
                let _ = reply.send(ok);
            }
            Some(Answer::Hashed(result, reply)) => {
                let _ = reply.send(result);
            }
            None => {}
        }
        // More jobs waiting than threads running them: keep the buffer for the next one.
        // Otherwise give it back now; a burst reuses it, an idle server holds none.
        let waiting =
            counters.outstanding.load(Ordering::Acquire) > counters.running.load(Ordering::Acquire);
        if !waiting {
            memory = Vec::new();
        }
    }
}

enum Answer {
    Verified(bool, oneshot::Sender<bool>),
    Hashed(
        Result<String, PasswordError>,
        oneshot::Sender<Result<String, PasswordError>>,
    ),
}

/// Blocks reserved for a buffer at least: 33 MiB, above glibc's largest mmap threshold
/// (32 MiB). An allocation that large is always its own mapping, handed back to the system
/// when it is freed; a 19 MiB one would, after the first, come from a thread's arena and stay
/// there, and with threads moving between arenas each arena would keep a few.
/// Reserving is only address space: pages beyond the blocks used are never touched.
const MIN_RESERVED_BLOCKS: usize = 33 * 1024;

/// `memory`, grown to `blocks` blocks if it is smaller.
fn blocks(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.capacity() < blocks {
        *memory = Vec::with_capacity(blocks.max(MIN_RESERVED_BLOCKS));
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

fn hash_with(memory: &mut Vec<Block>, password: &[u8]) -> Result<String, PasswordError> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|_| PasswordError::Hash)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::default()
        .hash_password_into_with_memory(
            password,
            salt_bytes,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|_| PasswordError::Hash)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|_| PasswordError::Hash)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|_| PasswordError::Hash)?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &[u8], stored: Option<&str>) -> bool {
    let real = stored.is_some();
    let phc = stored.unwrap_or_else(|| dummy_hash());
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.block_count() > MAX_BLOCKS {
        tracing::warn!(
            m_cost = params.m_cost(),
            "a stored password hash asks for more memory than this server spends on one; reset that password"
        );
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    let block_count = params.block_count();
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt_bytes,
        out,
        blocks(memory, block_count),
    );
    // `Output`'s equality is constant-time.
    let matches = computed.is_ok() && Output::new(out).is_ok_and(|o| o == expected);
    matches && real
}

/// A PHC string with Argon2's default parameters, a random salt and a random output: checking
/// a password against it costs what a real check costs, and it matches nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        OsRng.fill_bytes(&mut out);
        let salt = SaltString::generate(&mut OsRng);
        let params = ParamsString::try_from(&Params::default()).unwrap_or_default();
        let ident: Ident<'static> = Algorithm::Argon2id.ident();
        Output::new(&out).map_or_else(
            |_| String::new(),
            |hash| {
                PasswordHash {
                    algorithm: ident,
                    version: Some(Version::V0x13.into()),
                    params,
                    salt: Some(salt.as_salt()),
                    hash: Some(hash),
                }
                .to_string()
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_that_argon2_itself_accepts_and_makes() {
        let pool = HashPool::new(1, 1);
        let phc = pool.hash(secret("a long passphrase")).await.unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"a long passphrase", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"another one", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let ok =
            |p: &str, stored: &str| pool.verify(secret(p), Some(stored.to_owned()), Lane::Normal);
        assert!(ok("another one", &theirs).await.unwrap());
        assert!(!ok("another two", &theirs).await.unwrap());
        assert!(ok("a long passphrase", &phc).await.unwrap());
        assert!(!ok("a long passphrase", "not a hash").await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_matches_not_even_the_dummy() {
        let pool = HashPool::new(1, 1);
        assert!(
            !pool
                .verify(secret("anything"), None, Lane::Normal)
                .await
                .unwrap()
        );
        let dummy = dummy_hash().to_owned();
        assert!(
            !pool
                .verify(secret("anything"), Some(dummy), Lane::Normal)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn concurrent_checks_never_exceed_the_bound_and_the_rest_are_refused_at_once() {
        let pool = HashPool::new(2, 2);
        let checks = (0..40).map(|_| pool.verify(secret("guess"), None, Lane::Normal));
        let reserved = pool.verify(secret("mine"), None, Lane::Reserved);
        let (results, reserved) = futures::join!(futures::future::join_all(checks), reserved);
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(PasswordError::Busy)))
            .count();
        // Two threads and a queue of two, one place of which is kept for the reserved lane.
        assert_eq!(results.len() - busy, 3);
        assert!(reserved.is_ok(), "the reserved place was taken");
        let stats = pool.stats();
        assert_eq!(stats.refused, busy as u64);
        assert!(stats.running_high_water <= 2, "{stats:?}");
        assert!(stats.outstanding_high_water <= 4, "{stats:?}");
        assert_eq!(stats.running, 0);
    }
}
