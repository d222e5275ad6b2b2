//! Signing in through an OpenID Connect provider (Adobe IMS, Okta, Entra ID, …) with the
//! `openidconnect` crate: discovery, the authorization code flow with `state`, `nonce` and an
//! S256 PKCE challenge, and the ID token checked for its signature, `iss`, `aud`, `nonce` and
//! expiry (with a minute of clock skew).
//!
//! The flow's secrets travel in a short-lived `SameSite=Lax` cookie scoped to the callback
//! ([`Flow`]), so any replica can finish a flow another one began.

pub mod flow;
pub mod local;
pub mod provider;
pub mod roles;
pub mod settings;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;
use imsbridge_store::SsoIdentity;
use openidconnect::core::{
    CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthorizationCode, ClaimsVerificationError, CsrfToken, IdToken,
    Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse as _, UserInfoClaims,
};
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use url::Url;

pub use flow::Flow;
use provider::Provider;
pub use roles::{RoleClaims, RoleMapping};
pub use settings::{SsoConfig, SsoSettings};

/// How far the provider's clock may be from ours when checking `exp` and `iat`.
pub const CLOCK_SKEW: Duration = Duration::seconds(60);

/// Why an SSO sign-in did not happen. The console shows each kind as a sentence in the
/// reader's language; the details go to the log and the audit trail, never to the page.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider (discovery, keys or token endpoint) could not be reached or answered
    /// something unusable.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider sent the person back with an error (`access_denied`, `login_required`…).
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    /// No flow cookie, or its `state` is not the one sent back.
    #[error("the sign-in flow is missing, expired or not this browser's: {0}")]
    Flow(String),
    /// The code exchange or the ID token failed a check.
    #[error("the identity provider's answer failed a check ({check}): {detail}")]
    Invalid {
        /// Which check: `state`, `nonce`, `audience`, `issuer`, `expiry`, `signature`, …
        check: &'static str,
        /// What the check said.
        detail: String,
    },
}

impl SsoError {
    /// The stable kind shown in the console (`?sso_error=`) and audited.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "unavailable",
            Self::Refused(_) => "refused",
            Self::Flow(_) => "expired",
            Self::Invalid { .. } => "invalid",
        }
    }

    /// The failed check, for the audit trail.
    pub fn check(&self) -> &'static str {
        match self {
            Self::Invalid { check, .. } => check,
            Self::Flow(_) => "state",
            Self::Unavailable(_) => "provider",
            Self::Refused(_) => "provider_error",
        }
    }
}

/// Every claim, to read the configured groups claim whatever its name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AllClaims(#[serde(default)] pub serde_json::Map<String, serde_json::Value>);

impl AdditionalClaims for AllClaims {}

type FullIdToken =
    IdToken<AllClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// A person the provider vouched for, and their claims as far as roles go.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Who they are at the provider.
    pub identity: SsoIdentity,
    /// Their groups and verified email.
    pub claims: RoleClaims,
}

/// The configured provider, ready to start and finish sign-ins.
pub struct Sso {
    config: SsoConfig,
    redirect: RedirectUrl,
    provider: Provider,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("issuer", &self.config.issuer)
            .field("redirect", &self.redirect.as_str())
            .finish_non_exhaustive()
    }
}

fn invalid(check: &'static str, detail: impl std::fmt::Display) -> SsoError {
    SsoError::Invalid {
        check,
        detail: detail.to_string(),
    }
}

fn claims_check(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "expiry",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        ClaimsVerificationError::InvalidSubject(_) => "subject",
        _ => "id_token",
    }
}

impl Sso {
    /// The provider of `config`, answering at `base` (the server's public URL, whose
    /// `/auth/callback` is the redirect URI registered at the provider).
    pub fn new(config: SsoConfig, base: &Url, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let callback = base
            .join("/auth/callback")
            .map_err(|e| format!("the redirect URI cannot be made from {base}: {e}"))?;
        let redirect = RedirectUrl::from_url(callback);
        let provider = Provider::new(&config, clock.clone())?;
        Ok(Self {
            config,
            redirect,
            provider,
            clock,
        })
    }

    /// The settings it runs with.
    pub fn config(&self) -> &SsoConfig {
        &self.config
    }

    /// The redirect URI (`<public base>/auth/callback`).
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    async fn client(&self) -> Result<provider::Client, SsoError> {
        let metadata = self.provider.metadata().await?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            openidconnect::ClientId::new(self.config.client_id.clone()),
            Some(openidconnect::ClientSecret::new(
                self.config.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Starts a sign-in: where to send the browser, and the flow to keep in its cookie.
    pub async fn begin(&self) -> Result<(Url, Flow), SsoError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            openidconnect::AuthenticationFlow::<openidconnect::core::CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let flow = Flow {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            started_at: self.clock.now(),
        };
        Ok((url, flow))
    }

    /// Finishes a sign-in: checks `state` against the flow, exchanges the code with the PKCE
    /// verifier and checks the ID token; reads groups from userinfo when the ID token has
    /// none.
    pub async fn finish(
        &self,
        flow: Option<Flow>,
        state: Option<&str>,
        code: Option<&str>,
    ) -> Result<Verified, SsoError> {
        let flow = flow.ok_or_else(|| {
            SsoError::Flow(
                "no sign-in was started in this browser, or it took longer than ten minutes".into(),
            )
        })?;
        flow.check(state, self.clock.now())?;
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid("code", "the provider sent no code"))?;
        let client = self.client().await?;
        let http = self.provider.http();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => invalid(
                    "code",
                    format!(
                        "the token endpoint refused the code: {}{}",
                        r.error(),
                        r.error_description()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ),
                ),
                other => SsoError::Unavailable(format!("the token endpoint: {other}")),
            })?;
        let raw = tokens
            .id_token()
            .ok_or_else(|| invalid("id_token", "the token endpoint sent no ID token"))?
            .to_string();
        let id_token: FullIdToken = raw
            .parse()
            .map_err(|e| invalid("id_token", format!("unreadable ID token: {e}")))?;
        let now = self.clock.now();
        let verifier = client
            .id_token_verifier()
            .set_time_fn(move || now - CLOCK_SKEW)
            .set_issue_time_verifier_fn(move |iat: DateTime<Utc>| {
                if iat > now + CLOCK_SKEW {
                    Err(format!("issued in the future ({iat})"))
                } else {
                    Ok(())
                }
            });
        let claims = match id_token.claims(&verifier, &Nonce::new(flow.nonce.clone())) {
            Ok(c) => c,
            Err(e) => {
                if matches!(e, ClaimsVerificationError::SignatureVerification(_)) {
                    self.provider.forget().await;
                }
                return Err(invalid(claims_check(&e), &e));
            }
        };
        let mut all = claims.additional_claims().0.clone();
        let subject = claims.subject().to_string();
        let mut email = claims.email().map(|e| e.to_string());
        if let Some(e) = &email {
            all.insert("email".into(), e.clone().into());
        }
        if let Some(v) = claims.email_verified() {
            all.insert("email_verified".into(), v.into());
        }
        let mut name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string());
        if !all.contains_key(self.config.roles.groups_claim())
            && let Some(info) = self
                .user_info(&client, tokens.access_token(), &subject)
                .await?
        {
            self.add_user_info(&info, &mut all, &mut email, &mut name);
        }
        Ok(Verified {
            identity: SsoIdentity {
                issuer: self.config.issuer.clone(),
                subject,
                email,
                name,
            },
            claims: self.config.roles.claims(&all),
        })
    }

    /// Fills what the ID token lacked from userinfo: the groups, and the email and name when
    /// it had none.
    fn add_user_info(
        &self,
        info: &UserInfoClaims<AllClaims, CoreGenderClaim>,
        all: &mut serde_json::Map<String, serde_json::Value>,
        email: &mut Option<String>,
        name: &mut Option<String>,
    ) {
        let groups_claim = self.config.roles.groups_claim();
        if let Some(groups) = info.additional_claims().0.get(groups_claim) {
            all.insert(groups_claim.to_owned(), groups.clone());
        }
        if email.is_none() {
            *email = info.email().map(|e| e.to_string());
            if let Some(e) = email.as_ref() {
                all.insert("email".into(), e.clone().into());
                if let Some(v) = info.email_verified() {
                    all.insert("email_verified".into(), v.into());
                }
            }
        }
        if name.is_none() {
            *name = info.name().and_then(|n| n.get(None)).map(|n| n.to_string());
        }
    }

    async fn user_info(
        &self,
        client: &provider::Client,
        access: &AccessToken,
        subject: &str,
    ) -> Result<Option<UserInfoClaims<AllClaims, CoreGenderClaim>>, SsoError> {
        let Ok(request) = client.user_info(
            access.clone(),
            Some(openidconnect::SubjectIdentifier::new(subject.to_owned())),
        ) else {
            return Ok(None);
        };
        let http = self.provider.http();
        request
            .request_async(&http)
            .await
            .map(Some)
            .map_err(|e| SsoError::Unavailable(format!("userinfo: {e}")))
    }
}

/// The provider of the settings' `[sso]` section, if any, answering at the server's public
/// URL (`server.public_base_url`, else the address bound).
pub fn start(
    settings: &crate::settings::Settings,
    bound: std::net::SocketAddr,
    clock: Arc<dyn Clock>,
) -> Result<Option<Arc<Sso>>, String> {
    let Some(config) = settings.sso.clone() else {
        return Ok(None);
    };
    let base = match &settings.public_base_url {
        Some(url) => url.clone(),
        None if bound.ip().is_unspecified() => {
            return Err(format!(
                "single sign-on needs server.public_base_url when listening on {bound}: the provider sends people back to <public_base_url>/auth/callback, which must be registered there"
            ));
        }
        None => {
            let scheme = if settings.tls.is_some() {
                "https"
            } else {
                "http"
            };
            Url::parse(&format!("{scheme}://{bound}/"))
                .map_err(|e| format!("the server's address {bound} is not a URL: {e}"))?
        }
    };
    Ok(Some(Arc::new(Sso::new(config, &base, clock)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use imsbridge_domain::SystemClock;
    use secrecy::SecretString;

    fn settings(listen: &str, public: Option<&str>) -> crate::settings::Settings {
        let sso = SsoSettings {
            issuer_url: Some("https://ims-na1.adobelogin.com".into()),
            client_id: Some("abc".into()),
            client_secret: Some(SecretString::from("s3cret")),
            admin_groups: vec!["admins".into()],
            ..SsoSettings::default()
        };
        crate::settings::Settings {
            listen: listen.parse().unwrap(),
            public_base_url: public.map(|p| Url::parse(p).unwrap()),
            sso: Some(sso.resolve().unwrap()),
            ..crate::settings::Settings::default()
        }
    }

    #[test]
    fn the_redirect_uri_is_the_public_url_or_the_bound_address_and_never_a_guess() {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let s = settings("127.0.0.1:8080", None);
        let sso = start(&s, s.listen, clock.clone()).unwrap().unwrap();
        assert_eq!(sso.redirect_uri(), "http://127.0.0.1:8080/auth/callback");

        let s = settings("0.0.0.0:8443", Some("https://imsbridge.example.com/"));
        let sso = start(&s, s.listen, clock.clone()).unwrap().unwrap();
        assert_eq!(
            sso.redirect_uri(),
            "https://imsbridge.example.com/auth/callback"
        );

        let s = settings("0.0.0.0:8443", None);
        let err = start(&s, s.listen, clock.clone()).unwrap_err();
        assert!(err.contains("server.public_base_url"), "{err}");

        let mut s = settings("127.0.0.1:8080", None);
        s.sso = None;
        assert!(start(&s, s.listen, clock).unwrap().is_none());
    }
}
