//! One token file kept fresh: fetch, write when it changed, run `exec`, sleep until the
//! renewal is due; retry with backoff while imsbridge cannot be reached, keeping the file as
//! long as its token is valid.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use imsbridge_domain::{Clock, ExposeSecret, Name, SecretString, SystemClock};
use tokio::sync::watch;

use super::client::{Answer, Client, FetchError};
use super::config::{MAX_MIN_VALIDITY_SECS, Output};
use super::output::{self, Issued};
use super::schedule::{Backoff, Held, ask_validity};

/// Runs `exec` once, waiting at most its timeout; failures are logged, never fatal.
async fn run_exec(argv: &[String], timeout: Duration, integration: &Name, path: &PathBuf) {
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env("IMSBRIDGE_AGENT_INTEGRATION", integration.as_str())
        .env("IMSBRIDGE_AGENT_PATH", path)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            tracing::warn!(integration = %integration, program = %argv[0], error = %e, "could not start exec");
            return;
        }
    };
    match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) if status.success() => {
            tracing::debug!(integration = %integration, program = %argv[0], "exec finished");
        }
        Ok(Ok(status)) => {
            tracing::warn!(integration = %integration, program = %argv[0], %status, "exec failed");
        }
        Ok(Err(e)) => {
            tracing::warn!(integration = %integration, program = %argv[0], error = %e, "exec could not be awaited");
        }
        Err(_) => {
            let _ = child.kill().await;
            tracing::warn!(integration = %integration, program = %argv[0], timeout_secs = timeout.as_secs(), "exec ran too long and was stopped");
        }
    }
}

/// How long an answer's token stays valid, on the agent's clock. `expires_in` is whole
/// seconds rounded down; when the server's `expires_at` agrees with it (the clocks agree
/// within that second), its finer time is used.
fn valid_for(answer: &Answer, now: chrono::DateTime<chrono::Utc>) -> chrono::Duration {
    let coarse = chrono::Duration::seconds(answer.expires_in.max(0));
    chrono::DateTime::parse_from_rfc3339(&answer.expires_at)
        .ok()
        .map(|at| at.with_timezone(&chrono::Utc) - now)
        .filter(|fine| *fine >= coarse && *fine < coarse + chrono::Duration::seconds(1))
        .unwrap_or(coarse)
}

/// What happened to one fetch.
enum Step {
    /// A newer token was received (and written if the file changed).
    Renewed,
    /// Nothing new; try again after a backoff.
    Failed,
}

struct Worker {
    output: Output,
    client: Arc<Client>,
    clock: SystemClock,
    held: Option<Held>,
    /// The file's current contents, to write only when they change.
    written: Option<SecretString>,
    backoff: Backoff,
}

impl Worker {
    async fn fetch(&mut self) -> Step {
        let o = &self.output;
        let ask = ask_validity(
            self.held.as_ref(),
            self.clock.now(),
            o.min_validity,
            Duration::from_secs(MAX_MIN_VALIDITY_SECS),
        );
        let answer = match self.client.fetch(&o.integration, ask).await {
            Ok(answer) => answer,
            Err(e) => {
                let still = self.held.map(|h| h.remaining(self.clock.now()).as_secs());
                match &e {
                    FetchError::Unreachable(_) => {
                        tracing::warn!(integration = %o.integration, error = %e, current_token_valid_for_secs = ?still, "imsbridge is unreachable; keeping the current file and retrying");
                    }
                    FetchError::Refused { .. } => {
                        tracing::error!(integration = %o.integration, error = %e, current_token_valid_for_secs = ?still, "imsbridge refused the token request; retrying");
                    }
                }
                return Step::Failed;
            }
        };
        let received_at = self.clock.now();
        let held = Held {
            received_at,
            expires_at: received_at + valid_for(&answer, received_at),
        };
        if let Some(current) = self.held
            && held.expires_at <= current.expires_at
        {
            tracing::warn!(integration = %o.integration, "imsbridge answered with no newer token; retrying");
            return Step::Failed;
        }
        let token = Issued {
            access_token: answer.access_token,
            token_type: answer.token_type,
            expires_at: answer.expires_at,
        };
        let bytes = output::render(&o.format, o.integration.as_str(), &token);
        let unchanged = self
            .written
            .as_ref()
            .is_some_and(|w| w.expose_secret() == bytes.expose_secret());
        if !unchanged {
            let path = o.path.clone();
            let data = bytes.expose_secret().as_bytes().to_vec();
            let written =
                tokio::task::spawn_blocking(move || output::write_atomically(&path, &data)).await;
            match written {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::error!(integration = %o.integration, path = %o.path.display(), error = %e, "could not write the token file");
                    return Step::Failed;
                }
                Err(e) => {
                    tracing::error!(integration = %o.integration, error = %e, "the file writer stopped");
                    return Step::Failed;
                }
            }
            self.written = Some(bytes);
        }
        tracing::info!(
            integration = %o.integration,
            path = %o.path.display(),
            valid_for_secs = answer.expires_in,
            changed = !unchanged,
            "token renewed"
        );
        self.held = Some(held);
        if !unchanged && let Some(argv) = &o.exec {
            run_exec(argv, o.exec_timeout, &o.integration, &o.path).await;
        }
        Step::Renewed
    }

    /// Drops the file once its token has expired: a stale token is worse than none.
    fn expire(&mut self) {
        let now = self.clock.now();
        if self.held.is_some_and(|h| h.expired(now)) {
            self.held = None;
            self.written = None;
            match output::remove(&self.output.path) {
                Ok(()) => {
                    tracing::error!(integration = %self.output.integration, path = %self.output.path.display(), "the token expired before imsbridge could be reached; removed the file");
                }
                Err(e) => {
                    tracing::error!(integration = %self.output.integration, path = %self.output.path.display(), error = %e, "the token expired and the file could not be removed");
                }
            }
        }
    }

    /// How long to sleep after a step.
    fn wait(&mut self, step: Option<&Step>) -> Duration {
        let now = self.clock.now();
        let until_renewal = self.held.map_or(Duration::ZERO, |h| {
            (h.renew_at(self.output.min_validity) - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
        });
        let wait = match step {
            Some(Step::Failed) => self.backoff.next(),
            Some(Step::Renewed) => {
                self.backoff.reset();
                // A token that never rises above the minimum validity would be renewed at
                // once, again and again: at least a backoff step between renewals.
                until_renewal.max(Duration::from_secs(1))
            }
            None => until_renewal,
        };
        // Wake at expiry to remove the file.
        self.held.map_or(wait, |h| {
            wait.min(h.remaining(now) + Duration::from_millis(10))
        })
    }
}

/// Keeps `output` fresh until `stop` turns true.
pub async fn run(
    output: Output,
    client: Arc<Client>,
    max_backoff: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // A file left by an earlier run is rewritten only if the token differs.
    let existing = std::fs::read_to_string(&output.path)
        .ok()
        .map(SecretString::from);
    let mut w = Worker {
        output,
        client,
        clock: SystemClock,
        held: None,
        written: existing,
        backoff: Backoff::new(max_backoff),
    };
    loop {
        w.expire();
        let now = w.clock.now();
        let due = w
            .held
            .is_none_or(|h| now >= h.renew_at(w.output.min_validity));
        let step = if due {
            tokio::select! {
                step = w.fetch() => Some(step),
                _ = stop.changed() => return,
            }
        } else {
            None
        };
        let wait = w.wait(step.as_ref());
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}
