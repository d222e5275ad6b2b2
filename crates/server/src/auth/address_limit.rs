//! Sign-in attempts per client address, whatever user names they try, kept in memory.
//!
//! Each address (an IPv6 client by its /64, which one host usually owns whole) gets a token
//! bucket of attempts (`per_address_burst`, refilled at `per_address_per_sec`) and at most
//! `per_address_in_flight` password checks running at once. An attempt beyond either is
//! refused at once with a `Retry-After` of one or two seconds, before the store or the
//! hashing pool is touched. Nothing counts failures: an address is slowed, never locked out,
//! so someone who waits gets in.
//!
//! A flood from an address can still take every token the moment it appears. So an address
//! also remembers who has signed in from it before, and those (address, user) pairs get a
//! small lane of their own (`PAIR_BURST` attempts, one more every two seconds, one check at a
//! time) and the hashing pool's reserved slot: someone who uses the console from a machine
//! keeps getting in while another program on it floods the login.
//!
//! Both tables are bounded ([`MAX_ADDRESSES`], [`MAX_PAIRS`]); idle and expired entries go
//! first when they fill.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;

use super::hashing::Lane;
use crate::settings::LoginRateLimit;

/// Addresses tracked at most; beyond, new addresses are refused until some go idle.
pub const MAX_ADDRESSES: usize = 65_536;
/// Remembered (address, user) sign-ins at most; the oldest go first.
pub const MAX_PAIRS: usize = 10_000;
/// How long a successful sign-in is remembered for its address.
const PAIR_MEMORY: Duration = Duration::days(30);
/// Attempts a remembered pair may make at once.
const PAIR_BURST: f64 = 2.0;
/// Attempts a remembered pair regains per second.
const PAIR_RATE: f64 = 0.5;
/// The longest `Retry-After` given.
const MAX_RETRY_AFTER: u64 = 2;

/// The key of a client: an IPv4 address, or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClientKey {
    V4(u32),
    V6(u64),
    Unknown,
}

impl ClientKey {
    fn of(ip: Option<IpAddr>) -> Self {
        match ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => Self::V4(u32::from(v4)),
            Some(IpAddr::V6(v6)) => Self::V6((u128::from(v6) >> 64) as u64),
            None => Self::Unknown,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
    in_flight: u32,
}

impl Bucket {
    fn full(burst: f64, now: DateTime<Utc>) -> Self {
        Self {
            tokens: burst,
            at: now,
            in_flight: 0,
        }
    }

    fn refill(&mut self, now: DateTime<Utc>, rate: f64, burst: f64) {
        let elapsed = (now - self.at).num_milliseconds().max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.at = now;
    }

    /// Takes a token and a place in flight, or says how many seconds until one is free.
    fn take(&mut self, max_in_flight: u32, rate: f64) -> Result<(), u64> {
        if self.in_flight >= max_in_flight {
            return Err(1);
        }
        if self.tokens < 1.0 {
            let wait = ((1.0 - self.tokens) / rate).ceil();
            return Err((wait as u64).clamp(1, MAX_RETRY_AFTER));
        }
        self.tokens -= 1.0;
        self.in_flight += 1;
        Ok(())
    }
}

#[derive(Debug)]
struct Pair {
    bucket: Bucket,
    last_success: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Tables {
    addresses: HashMap<ClientKey, Bucket>,
    pairs: HashMap<(ClientKey, String), Pair>,
    last_prune: Option<DateTime<Utc>>,
}

/// The limits, as floats once.
#[derive(Debug, Clone, Copy)]
struct Limits {
    rate: f64,
    burst: f64,
    in_flight: u32,
}

/// The per-address limiter of one server.
#[derive(Debug, Clone)]
pub struct AddressLimiter {
    tables: Arc<Mutex<Tables>>,
    limits: Limits,
    clock: Arc<dyn Clock>,
}

/// A refused attempt: try again after this many seconds (1 or 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Seconds to wait.
    pub retry_after: u64,
}

/// An admitted attempt; dropping it ends the attempt's place in flight.
#[derive(Debug)]
pub struct Permit {
    tables: Arc<Mutex<Tables>>,
    key: PermitKey,
    /// The hashing lane the attempt may use.
    pub lane: Lane,
}

#[derive(Debug)]
enum PermitKey {
    Address(ClientKey),
    Pair(ClientKey, String),
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = match &self.key {
            PermitKey::Address(k) => tables.addresses.get_mut(k),
            PermitKey::Pair(k, user) => tables
                .pairs
                .get_mut(&(*k, user.clone()))
                .map(|p| &mut p.bucket),
        };
        if let Some(b) = bucket {
            b.in_flight = b.in_flight.saturating_sub(1);
        }
    }
}

fn user_key(username: &str) -> Option<String> {
    let key = username.trim().to_lowercase();
    (!key.is_empty() && key.len() <= 256).then_some(key)
}

impl AddressLimiter {
    /// A limiter with the settings' per-address limits.
    pub fn new(settings: &LoginRateLimit, clock: Arc<dyn Clock>) -> Self {
        Self {
            tables: Arc::default(),
            limits: Limits {
                rate: settings.per_address_per_sec,
                burst: f64::from(settings.per_address_burst),
                in_flight: settings.per_address_in_flight,
            },
            clock,
        }
    }

    /// Admits an attempt from `ip` for `username`, or refuses it.
    pub fn admit(&self, ip: Option<IpAddr>, username: &str) -> Result<Permit, Refused> {
        let now = self.clock.now();
        let client = ClientKey::of(ip);
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        // A remembered pair uses its own lane first, so that a flood's use of the address's
        // tokens never reaches it.
        if let Some(user) = user_key(username)
            && let Some(pair) = tables.pairs.get_mut(&(client, user.clone()))
            && now - pair.last_success < PAIR_MEMORY
        {
            pair.bucket.refill(now, PAIR_RATE, PAIR_BURST);
            if pair.bucket.take(1, PAIR_RATE).is_ok() {
                return Ok(self.permit(PermitKey::Pair(client, user), Lane::Reserved));
            }
        }
        if !tables.addresses.contains_key(&client) && tables.addresses.len() >= MAX_ADDRESSES {
            self.prune(&mut tables, now);
            if tables.addresses.len() >= MAX_ADDRESSES {
                return Err(Refused { retry_after: 1 });
            }
        }
        let limits = self.limits;
        let bucket = tables
            .addresses
            .entry(client)
            .or_insert_with(|| Bucket::full(limits.burst, now));
        bucket.refill(now, limits.rate, limits.burst);
        bucket
            .take(limits.in_flight, limits.rate)
            .map(|()| self.permit(PermitKey::Address(client), Lane::Normal))
            .map_err(|retry_after| Refused { retry_after })
    }

    /// Remembers that `username` signed in from `ip`, giving the pair its own lane.
    pub fn remember(&self, ip: Option<IpAddr>, username: &str) {
        let Some(user) = user_key(username) else {
            return;
        };
        let now = self.clock.now();
        let client = ClientKey::of(ip);
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (client, user);
        if !tables.pairs.contains_key(&key) && tables.pairs.len() >= MAX_PAIRS {
            tables
                .pairs
                .retain(|_, p| now - p.last_success < PAIR_MEMORY);
            if tables.pairs.len() >= MAX_PAIRS
                && let Some(oldest) = tables
                    .pairs
                    .iter()
                    .min_by_key(|(_, p)| p.last_success)
                    .map(|(k, _)| k.clone())
            {
                tables.pairs.remove(&oldest);
            }
        }
        tables
            .pairs
            .entry(key)
            .and_modify(|p| p.last_success = now)
            .or_insert_with(|| Pair {
                bucket: Bucket::full(PAIR_BURST, now),
                last_success: now,
            });
    }

    /// How many addresses and remembered pairs are tracked.
    pub fn tracked(&self) -> (usize, usize) {
        let tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        (tables.addresses.len(), tables.pairs.len())
    }

    fn permit(&self, key: PermitKey, lane: Lane) -> Permit {
        Permit {
            tables: Arc::clone(&self.tables),
            key,
            lane,
        }
    }

    /// Forgets addresses with nothing in flight and a full bucket: they are as good as new.
    /// At most once a second, so that a full table does not cost a scan per attempt.
    fn prune(&self, tables: &mut Tables, now: DateTime<Utc>) {
        if tables
            .last_prune
            .is_some_and(|t| now - t < Duration::seconds(1))
        {
            return;
        }
        tables.last_prune = Some(now);
        let Limits { rate, burst, .. } = self.limits;
        tables.addresses.retain(|_, b| {
            b.refill(now, rate, burst);
            b.in_flight > 0 || b.tokens < burst
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imsbridge_domain::ManualClock;

    fn limiter(rate: f64, burst: u32, in_flight: u32) -> (AddressLimiter, ManualClock) {
        let clock = ManualClock::new(Utc::now());
        let settings = LoginRateLimit {
            per_address_per_sec: rate,
            per_address_burst: burst,
            per_address_in_flight: in_flight,
            ..LoginRateLimit::default()
        };
        (
            AddressLimiter::new(&settings, Arc::new(clock.clone())),
            clock,
        )
    }

    #[allow(clippy::unnecessary_wraps)] // `admit` takes the address as it may be missing
    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_address_gets_its_burst_whatever_names_it_tries_then_waits_but_is_never_locked_out() {
        let (limiter, clock) = limiter(1.0, 3, 10);
        let a = ip("192.0.2.1");
        for i in 0..3 {
            drop(limiter.admit(a, &format!("random-{i}")).unwrap());
        }
        let refused = limiter.admit(a, "random-9").unwrap_err();
        assert_eq!(refused.retry_after, 1);
        // Another address is not affected.
        assert!(limiter.admit(ip("192.0.2.2"), "random-9").is_ok());
        // Waiting is enough, however many attempts were refused.
        for _ in 0..1000 {
            assert!(limiter.admit(a, "random").is_err());
        }
        clock.advance(Duration::seconds(1));
        assert!(limiter.admit(a, "admin").is_ok());
    }

    #[test]
    fn an_address_has_a_few_checks_in_flight_at_most() {
        let (limiter, _clock) = limiter(100.0, 100, 2);
        let a = ip("198.51.100.7");
        let first = limiter.admit(a, "x").unwrap();
        let _second = limiter.admit(a, "y").unwrap();
        assert_eq!(limiter.admit(a, "z").unwrap_err().retry_after, 1);
        drop(first);
        assert!(limiter.admit(a, "z").is_ok());
    }

    #[test]
    fn one_ipv6_host_is_one_client_across_its_64() {
        let (limiter, _clock) = limiter(1.0, 1, 10);
        drop(limiter.admit(ip("2001:db8::1"), "a").unwrap());
        assert!(limiter.admit(ip("2001:db8::ffff:1"), "b").is_err());
        assert!(limiter.admit(ip("2001:db8:0:1::1"), "c").is_ok());
        // An IPv4 client is the same over IPv4-mapped IPv6.
        drop(limiter.admit(ip("192.0.2.9"), "a").unwrap());
        assert!(limiter.admit(ip("::ffff:192.0.2.9"), "b").is_err());
    }

    #[test]
    fn retry_after_is_never_more_than_two_seconds() {
        let (limiter, _clock) = limiter(0.01, 1, 10);
        let a = ip("192.0.2.3");
        drop(limiter.admit(a, "x").unwrap());
        assert_eq!(limiter.admit(a, "x").unwrap_err().retry_after, 2);
    }

    #[test]
    fn someone_who_signed_in_from_an_address_gets_in_while_it_floods() {
        let (limiter, clock) = limiter(1.0, 5, 2);
        let a = ip("203.0.113.5");
        limiter.remember(a, "Alice");
        // The flood takes every token of the address, every time one appears.
        for _ in 0..5 {
            drop(limiter.admit(a, "someone-else").unwrap());
        }
        for _ in 0..3 {
            assert!(limiter.admit(a, "random").is_err());
            let permit = limiter.admit(a, "alice ").unwrap();
            assert_eq!(permit.lane, Lane::Reserved);
            drop(permit);
            clock.advance(Duration::seconds(1));
            drop(limiter.admit(a, "random").unwrap());
        }
        // Its own lane is limited too: beyond it, the pair is one more attempt of the address.
        clock.advance(Duration::seconds(2));
        let held = limiter.admit(a, "alice").unwrap();
        assert_eq!(held.lane, Lane::Reserved);
        assert_eq!(limiter.admit(a, "alice").unwrap().lane, Lane::Normal);
        drop(held);
        // Only from that address, and only for a while.
        assert_eq!(
            limiter.admit(ip("203.0.113.6"), "alice").unwrap().lane,
            Lane::Normal
        );
        clock.advance(PAIR_MEMORY);
        assert_eq!(limiter.admit(a, "alice").unwrap().lane, Lane::Normal);
    }

    #[test]
    fn the_tables_stay_bounded_under_a_flood_from_everywhere() {
        let (limiter, clock) = limiter(1.0, 2, 2);
        for i in 0..(MAX_ADDRESSES as u32 + 10) {
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = limiter.admit(Some(addr), "x");
        }
        assert_eq!(limiter.tracked().0, MAX_ADDRESSES);
        // Once the first ones have their tokens back, they make room.
        clock.advance(Duration::seconds(5));
        assert!(limiter.admit(ip("172.16.0.1"), "x").is_ok());
        assert!(limiter.tracked().0 <= MAX_ADDRESSES);
        for i in 0..(MAX_PAIRS as u32 + 10) {
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i));
            limiter.remember(Some(addr), "someone");
        }
        assert_eq!(limiter.tracked().1, MAX_PAIRS);
    }
}
