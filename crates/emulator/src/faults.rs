//! Fault injection: per-endpoint rules that delay, fail, throttle, reset or garble answers.

use std::time::Duration;

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::EmulatorError;

/// An IMS endpoint of the emulator, for faults and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /ims/token/v3`.
    TokenV3,
    /// `POST /ims/token/v2`.
    TokenV2,
    /// `POST /ims/exchange/jwt` (and its aliases).
    JwtExchange,
    /// `POST /ims/validate_token/v1`.
    ValidateToken,
    /// `POST /ims/invalidate_token/v2`.
    InvalidateToken,
    /// `GET /ims/organizations/v6`.
    Organizations,
    /// `GET /ims/keys`.
    Keys,
    /// `GET /ims/.well-known/openid-configuration`.
    Discovery,
    /// `GET`/`POST /ims/authorize/v2` (the sign-in page).
    Authorize,
    /// `GET /ims/userinfo/v2`.
    Userinfo,
    /// `POST /ims/revoke`.
    Revoke,
    /// The I/O Management API under `/console/organizations/`.
    IoManagement,
    /// Every endpoint above (never the `/console` admin API).
    Any,
}

impl Endpoint {
    /// The endpoint a method and path address, if any.
    pub(crate) fn classify(path: &str) -> Option<Self> {
        if path.starts_with("/console/organizations/") {
            return Some(Self::IoManagement);
        }
        Some(match path.trim_end_matches('/') {
            "/ims/token/v3" => Self::TokenV3,
            "/ims/token/v2" => Self::TokenV2,
            "/ims/exchange/jwt" | "/ims/exchange/v1/jwt" => Self::JwtExchange,
            "/ims/validate_token/v1" => Self::ValidateToken,
            "/ims/invalidate_token/v2" => Self::InvalidateToken,
            "/ims/organizations/v6" => Self::Organizations,
            "/ims/keys" => Self::Keys,
            "/ims/.well-known/openid-configuration" => Self::Discovery,
            "/ims/authorize/v2" => Self::Authorize,
            "/ims/userinfo/v2" => Self::Userinfo,
            "/ims/revoke" => Self::Revoke,
            _ => return None,
        })
    }

    /// Whether requests here count towards `token_requests(client_id)`.
    pub(crate) fn issues_tokens(self) -> bool {
        matches!(self, Self::TokenV3 | Self::TokenV2 | Self::JwtExchange)
    }
}

/// One way to misbehave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally, but only after this many milliseconds (real time).
    Latency {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Answer with this status and an IMS error body, for this fraction (0..=1) of requests.
    Error {
        /// HTTP status, 400..=599.
        status: u16,
        /// Probability per request; 1.0 always fails.
        rate: f64,
    },
    /// Answer 429 with a `Retry-After` header.
    RateLimited {
        /// Value of `Retry-After`, in seconds.
        retry_after_secs: u64,
    },
    /// Answer 503 as IMS does when it is down.
    Outage,
    /// Close the connection without any response.
    ConnectionReset,
    /// Answer 200 with a truncated, unparseable JSON body.
    MalformedBody,
}

impl Fault {
    fn validate(&self) -> Result<(), EmulatorError> {
        match self {
            Self::Error { status, rate } => {
                if !(400..=599).contains(status) {
                    return Err(EmulatorError::InvalidInput(format!(
                        "fault status {status} is not an error status (400..=599)"
                    )));
                }
                if !(0.0..=1.0).contains(rate) {
                    return Err(EmulatorError::InvalidInput(format!(
                        "fault rate {rate} is not within 0..=1"
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn same_kind(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Latency { .. } => "latency",
            Self::Error { .. } => "error",
            Self::RateLimited { .. } => "rate_limited",
            Self::Outage => "outage",
            Self::ConnectionReset => "connection_reset",
            Self::MalformedBody => "malformed_body",
        }
    }
}

/// A fault set on an endpoint, optionally for a limited number of requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The endpoint it applies to.
    pub endpoint: Endpoint,
    /// What happens.
    pub fault: Fault,
    /// How many more requests it affects; `None` for "until cleared".
    #[serde(default)]
    pub remaining: Option<u64>,
}

/// The faults in force.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    rules: Vec<FaultRule>,
}

/// What the fault table decided for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) delay: Option<Duration>,
    pub(crate) fault: Option<Fault>,
}

impl FaultTable {
    /// Sets a fault, replacing one of the same kind on the same endpoint.
    pub(crate) fn set(&mut self, rule: FaultRule) -> Result<(), EmulatorError> {
        rule.fault.validate()?;
        if rule.remaining == Some(0) {
            return Err(EmulatorError::InvalidInput(
                "a fault for zero requests would never apply".into(),
            ));
        }
        self.rules
            .retain(|r| !(r.endpoint == rule.endpoint && r.fault.same_kind(&rule.fault)));
        self.rules.push(rule);
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn list(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// Picks the delay and the failing fault (if any) for a request to `endpoint`, and
    /// uses up one of each rule that applied.
    pub(crate) fn decide(&mut self, endpoint: Endpoint) -> Decision {
        let mut decision = Decision::default();
        let mut rng = rand::thread_rng();
        for rule in &mut self.rules {
            if rule.endpoint != endpoint && rule.endpoint != Endpoint::Any {
                continue;
            }
            let applies = match &rule.fault {
                Fault::Latency { ms } => {
                    let d = Duration::from_millis(*ms);
                    decision.delay = Some(decision.delay.map_or(d, |old| old.max(d)));
                    true
                }
                // Only the first failing rule answers; later ones are not used up.
                _ if decision.fault.is_some() => false,
                Fault::Error { rate, .. } => {
                    let fires = *rate >= 1.0 || rng.gen_bool(rate.clamp(0.0, 1.0));
                    if fires {
                        decision.fault = Some(rule.fault.clone());
                    }
                    fires
                }
                other => {
                    decision.fault = Some(other.clone());
                    true
                }
            };
            if applies && let Some(n) = rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
        }
        self.rules.retain(|r| r.remaining != Some(0));
        decision
    }
}
