//! Single sign-on in the demo: the in-process emulator plays Adobe IMS, with an OAuth Web App
//! credential for imsbridge and a demo user in the `imsbridge-admins` group.

use std::net::SocketAddr;

use anyhow::Context as _;
use imsbridge_emulator::EmulatorHandle;
use imsbridge_server::auth::passwords;
use imsbridge_server::auth::sso::{SsoConfig, SsoSettings};
use secrecy::{ExposeSecret as _, SecretString};

/// The group whose members the demo makes admins.
pub const ADMIN_GROUP: &str = "imsbridge-admins";
/// The group whose members the demo makes viewers.
pub const VIEWER_GROUP: &str = "imsbridge-viewers";
/// The demo user's email.
pub const DEMO_USER: &str = "ada@example.com";

/// The demo's provider and its user.
pub struct DemoSso {
    /// The `[sso]` settings pointing at the emulator.
    pub config: SsoConfig,
    /// The demo user's email.
    pub email: &'static str,
    /// Their password at the (emulated) provider.
    pub password: SecretString,
}

/// Escapes a URL for a redirect URI pattern (Adobe's are regular expressions).
fn escape(url: &str) -> String {
    url.chars()
        .flat_map(|c| {
            if ".[]()?*+^$|\\{}".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Registers imsbridge at the emulator (callbacks on this machine, and at `public` when
/// set) and adds the demo user to `org_id`.
pub fn seed(
    emulator: &EmulatorHandle,
    org_id: &str,
    listen: SocketAddr,
    public: Option<&url::Url>,
) -> anyhow::Result<DemoSso> {
    let project = emulator.create_project(org_id, "imsbridge console sign-in", false)?;
    let mut pattern = String::from(r"http://(127\.0\.0\.1|localhost|\[::1\]):[0-9]+/auth/callback");
    if let Some(public) = public {
        let callback = public.join("/auth/callback")?;
        pattern = format!("{pattern},{}", escape(callback.as_str()));
    }
    let default = format!("http://127.0.0.1:{}/auth/callback", listen.port().max(1));
    let web = emulator
        .create_web_credential(&project.id, &pattern, &default)
        .context("could not register imsbridge at the IMS emulator")?;
    let password = passwords::generate();
    emulator.create_user(
        org_id,
        DEMO_USER,
        "Ada Lovelace",
        password.expose_secret(),
        &[ADMIN_GROUP],
    )?;
    let settings = SsoSettings {
        issuer_url: Some(emulator.base_url()),
        client_id: Some(web.client_id.clone()),
        client_secret: Some(SecretString::from(web.client_secret.clone())),
        scopes: ["openid", "AdobeID", "email", "profile"]
            .map(str::to_owned)
            .to_vec(),
        label: Some("Sign in with Adobe (emulated)".to_owned()),
        admin_groups: vec![ADMIN_GROUP.to_owned()],
        viewer_groups: vec![VIEWER_GROUP.to_owned()],
        ..SsoSettings::default()
    };
    let config = settings
        .resolve()
        .map_err(|e| anyhow::anyhow!("the demo's single sign-on settings: {e}"))?;
    Ok(DemoSso {
        config,
        email: DEMO_USER,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_becomes_a_literal_pattern() {
        assert_eq!(
            escape("https://a.example.com/auth/callback"),
            r"https://a\.example\.com/auth/callback"
        );
    }
}
