//! A sign-in in progress: its `state`, `nonce` and PKCE verifier, kept in the browser in a
//! short-lived `SameSite=Lax` cookie that only `/auth/callback` receives. Lax, because the
//! provider's redirect back is a cross-site navigation, on which a `Strict` cookie is not sent.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use subtle::ConstantTimeEq as _;

use super::SsoError;

/// The flow cookie's name.
pub const FLOW_COOKIE: &str = "imsbridge_sso_flow";
/// The path the cookie is sent to.
pub const FLOW_PATH: &str = "/auth/callback";
/// How long a sign-in may take at the provider.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// A started sign-in. `Debug` hides its secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Flow {
    /// The `state` sent to the provider.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// When it began.
    pub started_at: DateTime<Utc>,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow")
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

fn token_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Flow {
    /// The cookie value: `state.nonce.verifier.started`.
    pub fn to_cookie_value(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.state,
            self.nonce,
            self.verifier,
            self.started_at.timestamp()
        )
    }

    /// A flow read back from its cookie value; `None` when it is not one.
    pub fn from_cookie_value(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (state, nonce, verifier, started) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || ![state, nonce, verifier].into_iter().all(token_ok) {
            return None;
        }
        Some(Self {
            state: state.to_owned(),
            nonce: nonce.to_owned(),
            verifier: verifier.to_owned(),
            started_at: Utc.timestamp_opt(started.parse().ok()?, 0).single()?,
        })
    }

    /// Refuses a callback whose `state` is not this flow's, or a flow that is too old.
    pub fn check(&self, state: Option<&str>, now: DateTime<Utc>) -> Result<(), SsoError> {
        if now - self.started_at > FLOW_LIFETIME {
            return Err(SsoError::Flow(
                "the sign-in took longer than ten minutes".into(),
            ));
        }
        let sent = state.unwrap_or_default();
        if bool::from(sent.as_bytes().ct_eq(self.state.as_bytes())) {
            Ok(())
        } else {
            Err(SsoError::Invalid {
                check: "state",
                detail: "the state sent back is not the one this browser's sign-in began with"
                    .into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_survives_its_cookie_and_checks_state_and_age() {
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let flow = Flow {
            state: "st-ate_1".into(),
            nonce: "n0nce".into(),
            verifier: "v".repeat(43),
            started_at: now,
        };
        let back = Flow::from_cookie_value(&flow.to_cookie_value()).unwrap();
        assert_eq!(back, flow);
        assert!(!format!("{flow:?}").contains("n0nce"));
        back.check(Some("st-ate_1"), now).unwrap();
        assert_eq!(back.check(Some("other"), now).unwrap_err().check(), "state");
        assert_eq!(back.check(None, now).unwrap_err().check(), "state");
        let late = now + FLOW_LIFETIME + Duration::seconds(1);
        assert_eq!(
            back.check(Some("st-ate_1"), late).unwrap_err().kind(),
            "expired"
        );
        for bad in ["", "a.b.c", "a.b.c.d.e", "a b.c.d.1", "a.b.c.x"] {
            assert!(Flow::from_cookie_value(bad).is_none(), "{bad}");
        }
    }
}
