//! The emulator's in-memory state: Developer Console data (optionally persisted to a
//! file), issued tokens, counters and the request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::faults::{Endpoint, FaultTable};
use crate::model::{JwtCredential, OAuthCredential, Org, Project};
use crate::secrets::ClientSecret;
use crate::user_oauth::Grants;
use crate::users::{UserRecord, WebRecord};
use crate::{EmulatorError, ids};

/// Old entries fall off the request log so a long benchmark cannot exhaust memory.
const LOG_CAPACITY: usize = 100_000;

/// An OAuth Server-to-Server credential as stored: its secrets live in one list, with
/// uuids and usage, and the handed-out [`OAuthCredential`] is derived from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "crate::secrets::OAuthRecordFile")]
pub(crate) struct OAuthRecord {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) client_id: String,
    pub(crate) secrets: Vec<ClientSecret>,
    pub(crate) scopes: Vec<String>,
    pub(crate) org_id: String,
    pub(crate) technical_account_id: String,
    pub(crate) technical_account_email: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used: Option<DateTime<Utc>>,
    pub(crate) migrated_at: Option<DateTime<Utc>>,
}

impl OAuthRecord {
    /// The credential as the Developer Console shows it (secret values included).
    pub(crate) fn credential(&self, data: &ConsoleData) -> OAuthCredential {
        OAuthCredential {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            client_id: self.client_id.clone(),
            client_secrets: self.secrets.iter().map(|s| s.value.clone()).collect(),
            scopes: self.scopes.clone(),
            org_id: self.org_id.clone(),
            technical_account_id: self.technical_account_id.clone(),
            technical_account_email: self.technical_account_email.clone(),
            console_org_id: data.console_org_id(&self.org_id),
        }
    }

    /// The stored secret with this value, if any.
    pub(crate) fn secret_mut(&mut self, value: &str) -> Option<&mut ClientSecret> {
        self.secrets.iter_mut().find(|s| s.value == value)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JwtRecord {
    /// The credential as handed out, with `private_key_pem` always empty.
    pub(crate) credential: JwtCredential,
    pub(crate) certificates: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used: Option<DateTime<Utc>>,
    pub(crate) migrated_at: Option<DateTime<Utc>>,
}

/// Everything the state file holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct ConsoleData {
    pub(crate) orgs: BTreeMap<String, Org>,
    pub(crate) projects: BTreeMap<String, Project>,
    /// By client id.
    pub(crate) oauth: BTreeMap<String, OAuthRecord>,
    /// By client id.
    pub(crate) jwt: BTreeMap<String, JwtRecord>,
    /// OAuth Web App credentials, by client id.
    #[serde(default)]
    pub(crate) web: BTreeMap<String, WebRecord>,
    /// Users, by `sub`.
    #[serde(default)]
    pub(crate) users: BTreeMap<String, UserRecord>,
}

impl ConsoleData {
    /// The numeric Developer Console id of an IMS org (empty for an unknown org).
    pub(crate) fn console_org_id(&self, ims_org_id: &str) -> String {
        self.orgs
            .get(ims_org_id)
            .map(|o| o.console_org_id.clone())
            .unwrap_or_default()
    }

    /// Whether `secret` is a current secret of the client (any kind of credential).
    pub(crate) fn client_secret_matches(&self, client_id: &str, secret: &str) -> bool {
        self.oauth
            .get(client_id)
            .is_some_and(|r| r.secrets.iter().any(|s| s.value == secret))
            || self
                .jwt
                .get(client_id)
                .is_some_and(|r| r.credential.client_secret == secret)
            || self
                .web
                .get(client_id)
                .is_some_and(|r| r.secrets.iter().any(|s| s.value == secret))
    }

    /// Fills what a state file written by an older emulator lacks: numeric org ids.
    fn upgrade(&mut self) {
        let orgs: Vec<String> = self
            .orgs
            .values()
            .filter(|o| o.console_org_id.is_empty())
            .map(|o| o.id.clone())
            .collect();
        for id in orgs {
            let console_id = self.fresh_console_org_id();
            if let Some(org) = self.orgs.get_mut(&id) {
                org.console_org_id = console_id;
            }
        }
        for p in self.projects.values_mut() {
            if let Some(org) = self.orgs.get(&p.org_id) {
                p.console_org_id.clone_from(&org.console_org_id);
            }
        }
    }

    /// A numeric org id no other org has.
    pub(crate) fn fresh_console_org_id(&self) -> String {
        loop {
            let id = ids::console_org_id();
            if !self.orgs.values().any(|o| o.console_org_id == id) {
                return id;
            }
        }
    }
}

/// An access token the emulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) client_id: String,
    pub(crate) org_id: String,
    pub(crate) expires_at_ms: i64,
    pub(crate) invalidated: bool,
}

/// One request as the log keeps it: never a secret, never the query string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// The IMS endpoint, when the path is one.
    pub endpoint: Option<Endpoint>,
    /// The client id the request named, if any.
    pub client_id: Option<String>,
    /// Response status; `None` when the connection was reset on purpose.
    pub status: Option<u16>,
    /// The injected fault that answered, if one did.
    pub fault: Option<String>,
    /// When, by the emulator's clock.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) by_endpoint: HashMap<Endpoint, u64>,
    pub(crate) by_client: HashMap<String, u64>,
    pub(crate) log: VecDeque<LoggedRequest>,
}

/// Shared state behind every handler.
pub(crate) struct Store {
    pub(crate) clock: Clock,
    pub(crate) data: Mutex<ConsoleData>,
    pub(crate) tokens: Mutex<HashMap<String, IssuedToken>>,
    pub(crate) counters: Mutex<Counters>,
    pub(crate) faults: Mutex<FaultTable>,
    /// Codes, refresh tokens and sign-in sessions of the user flows.
    pub(crate) grants: Mutex<Grants>,
    pub(crate) base_url: String,
    /// Lifetime of every access token, in milliseconds.
    pub(crate) token_lifetime_ms: i64,
    state_file: Option<PathBuf>,
}

impl Store {
    pub(crate) fn new(
        clock: Clock,
        base_url: String,
        state_file: Option<PathBuf>,
        token_lifetime_ms: i64,
    ) -> Result<Self, EmulatorError> {
        let mut data: ConsoleData = match &state_file {
            Some(path) if path.exists() => serde_json::from_slice(&std::fs::read(path)?)?,
            _ => ConsoleData::default(),
        };
        data.upgrade();
        Ok(Self {
            clock,
            data: Mutex::new(data),
            tokens: Mutex::new(HashMap::new()),
            counters: Mutex::new(Counters::default()),
            faults: Mutex::new(FaultTable::default()),
            grants: Mutex::new(Grants::default()),
            base_url,
            token_lifetime_ms,
            state_file,
        })
    }

    /// Runs a change on the console data and saves the file when there is one.
    pub(crate) fn mutate<T>(
        &self,
        change: impl FnOnce(&mut ConsoleData, DateTime<Utc>) -> Result<T, EmulatorError>,
    ) -> Result<T, EmulatorError> {
        let now = self.clock.now();
        let mut data = self.data.lock().expect("state lock");
        let out = change(&mut data, now)?;
        self.save(&data)?;
        Ok(out)
    }

    /// Writes the state file, if there is one (write then rename, so a crash never
    /// leaves half a file behind).
    pub(crate) fn save(&self, data: &ConsoleData) -> Result<(), EmulatorError> {
        if let Some(path) = &self.state_file {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec_pretty(data)?)?;
            std::fs::rename(&tmp, path)?;
        }
        Ok(())
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&ConsoleData) -> T) -> T {
        f(&self.data.lock().expect("state lock"))
    }

    /// Counts a request as it arrives, before any injected latency: a request the emulator
    /// is still "working on" already shows in the counters.
    pub(crate) fn count(
        &self,
        endpoint: Option<Endpoint>,
        client_id: Option<&str>,
        counts_for_client: bool,
    ) {
        let mut c = self.counters.lock().expect("counters lock");
        if let Some(endpoint) = endpoint {
            *c.by_endpoint.entry(endpoint).or_default() += 1;
            if counts_for_client && let Some(id) = client_id {
                *c.by_client.entry(id.to_owned()).or_default() += 1;
            }
        }
    }

    /// Adds a request to the log once it is answered (or abandoned).
    pub(crate) fn log(&self, entry: LoggedRequest) {
        let mut c = self.counters.lock().expect("counters lock");
        if c.log.len() >= LOG_CAPACITY {
            c.log.pop_front();
        }
        c.log.push_back(entry);
    }

    pub(crate) fn token_requests(&self, client_id: &str) -> u64 {
        let c = self.counters.lock().expect("counters lock");
        c.by_client.get(client_id).copied().unwrap_or(0)
    }

    pub(crate) fn total_requests(&self, endpoint: Endpoint) -> u64 {
        let c = self.counters.lock().expect("counters lock");
        if endpoint == Endpoint::Any {
            c.by_endpoint.values().sum()
        } else {
            c.by_endpoint.get(&endpoint).copied().unwrap_or(0)
        }
    }

    pub(crate) fn request_log(&self) -> Vec<LoggedRequest> {
        let c = self.counters.lock().expect("counters lock");
        c.log.iter().cloned().collect()
    }
}

/// Trims, drops empties and duplicates, keeps order.
pub(crate) fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}
