//! One replica at a time runs a background job: the store's fleet-wide lock (see
//! [`imsbridge_store::FleetLock`]), which the refresh leader's election uses too.

/// A held job lock; dropping it releases the lock.
pub use imsbridge_store::FleetLock as JobLock;

/// The advisory lock key of the automatic migration job ("imsbridg" + 1 as an integer).
pub const AUTO_MIGRATION_LOCK: i64 = 0x696d_7362_7269_6401;
