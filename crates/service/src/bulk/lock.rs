//! One replica at a time runs a background job: the store's fleet-wide lock (see
//! [`imsbridge_store::FleetLock`]), which the refresh leader's election uses too.

/// A held job lock; dropping it releases the lock.
pub use imsbridge_store::FleetLock as JobLock;

/// The advisory lock key of the automatic migration job ("imsbridg" + 1 as an integer).
pub const AUTO_MIGRATION_LOCK: i64 = 0x696d_7362_7269_6401;

/// Runs `pass` every `interval` for as long as the returned task lives, on the one replica
/// that holds the lock `key` (taken again whenever it was lost); abort the task to stop it.
/// `job` names the job in the warning logged when the lock cannot be taken.
pub fn spawn_under_lock<F, Fut>(
    interval: std::time::Duration,
    database_url: Option<imsbridge_store::DatabaseUrl>,
    key: i64,
    job: &'static str,
    mut pass: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut lock: Option<JobLock> = None;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Some(held) = &mut lock
                && !held.is_held().await
            {
                lock = None;
            }
            if lock.is_none() {
                match JobLock::try_acquire(database_url.as_ref(), key).await {
                    Ok(Some(l)) => lock = Some(l),
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, job, "could not take the job's lock");
                        continue;
                    }
                }
            }
            pass().await;
        }
    })
}
