use std::fmt;
use std::net::IpAddr;

use url::Url;

use crate::error::ParseError;

/// Implements `Display`, `AsRef<str>`, `FromStr`, `TryFrom<String>` and serde for a newtype
/// over `String` whose `parse` constructor is the only way in.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $ty {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_newtype;

/// Quotes a user's value for a message: in double quotes, with control characters escaped
/// (so that they can neither hide nor reorder the text around them), and shortened, so that
/// a pasted blob does not flood the message.
pub fn quoted(value: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::with_capacity(value.len().min(4 * MAX) + 3);
    out.push('"');
    for c in value.chars().take(MAX) {
        match c {
            '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    if value.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// An Adobe organization id: 24 hexadecimal characters followed by `@AdobeOrg`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct OrgId(String);

impl OrgId {
    const EXAMPLE: &'static str = "12345678ABCDEF1234567890@AdobeOrg";

    /// Parses an org id, ignoring surrounding white space.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let ok = value
            .strip_suffix("@AdobeOrg")
            .is_some_and(|hex| hex.len() == 24 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(ParseError::new(
                "org_id",
                format!(
                    "{} is not an organization id; it must be 24 hexadecimal characters followed by @AdobeOrg",
                    quoted(value)
                ),
                Self::EXAMPLE,
            ))
        }
    }
}
string_newtype!(OrgId);

/// A technical account id, the service identity behind a server-to-server credential.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct TechnicalAccountId(String);

impl TechnicalAccountId {
    const EXAMPLE: &'static str = "A1B2C3D4E5F6A7B8C9D0E1F2@techacct.adobe.com";

    /// Parses a technical account id, ignoring surrounding white space.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let ok = value
            .strip_suffix("@techacct.adobe.com")
            .is_some_and(|local| {
                (1..=64).contains(&local.len()) && local.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(ParseError::new(
                "technical_account_id",
                format!(
                    "{} is not a technical account id; it must be letters and digits followed by @techacct.adobe.com",
                    quoted(value)
                ),
                Self::EXAMPLE,
            ))
        }
    }
}
string_newtype!(TechnicalAccountId);

/// A Developer Console client id (for JWT credentials also called the API key).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ClientId(String);

impl ClientId {
    const EXAMPLE: &'static str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    /// Parses a client id: 1 to 128 letters, digits, `-`, `_` or `.`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(ParseError::new(
                "client_id",
                "is empty; copy the Client ID from the credential's page in the Adobe Developer Console",
                Self::EXAMPLE,
            ));
        }
        let ok = value.len() <= 128
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(ParseError::new(
                "client_id",
                format!(
                    "{} is not a client id; it may hold only letters, digits, '-', '_' and '.', at most 128 of them",
                    quoted(value)
                ),
                Self::EXAMPLE,
            ))
        }
    }
}
string_newtype!(ClientId);

/// The base URL of an IMS authorization server: `https`, or plain `http` on a loopback host.
///
/// Kept without a trailing slash, so that `"{server}/ims/token/v3"` is always right.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AuthorizationServer(String);

impl AuthorizationServer {
    const EXAMPLE: &'static str = crate::DEFAULT_AUTHORIZATION_SERVER;

    /// Parses an authorization server base URL.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let fail = |problem: String| {
            Err(ParseError::new(
                "authorization_server",
                problem,
                Self::EXAMPLE,
            ))
        };
        let url = match Url::parse(value) {
            Ok(url) => url,
            Err(e) => return fail(format!("{} is not a URL ({e})", quoted(value))),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return fail("must not contain a user name or password".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return fail(format!(
                "{} must not have a query or fragment",
                quoted(value)
            ));
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => return fail(format!("{} has no host", quoted(value))),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return fail(format!(
                    "{} uses plain http; use https (plain http is allowed only for a loopback address such as a local emulator)",
                    quoted(value)
                ));
            }
            other => return fail(format!("scheme {other:?} is not supported; use https")),
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}
string_newtype!(AuthorizationServer);

impl Default for AuthorizationServer {
    fn default() -> Self {
        Self(crate::DEFAULT_AUTHORIZATION_SERVER.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_org_id_needs_24_hex_characters_and_the_adobe_org_suffix() {
        assert!(OrgId::parse("12345678ABCDEF1234567890@AdobeOrg").is_ok());
        assert!(OrgId::parse(" 12345678abcdef1234567890@AdobeOrg\n").is_ok());
        assert!(OrgId::parse("12345678ABCDEF123456789@AdobeOrg").is_err());
        assert!(OrgId::parse("12345678ABCDEF1234567890@adobeorg").is_err());
        assert!(OrgId::parse("12345678ABCDEF123456789G@AdobeOrg").is_err());
        let err = OrgId::parse("nope").unwrap_err();
        assert_eq!(err.field, "org_id");
        assert!(err.to_string().contains("@AdobeOrg"), "{err}");
    }

    #[test]
    fn a_technical_account_id_must_end_in_techacct() {
        assert!(TechnicalAccountId::parse("A1B2C3D4E5F6A7B8C9D0E1F2@techacct.adobe.com").is_ok());
        assert!(TechnicalAccountId::parse("@techacct.adobe.com").is_err());
        assert!(TechnicalAccountId::parse("x@adobe.com").is_err());
        assert!(TechnicalAccountId::parse("a.b@techacct.adobe.com").is_err());
    }

    #[test]
    fn a_client_id_refuses_empty_and_odd_characters() {
        assert!(ClientId::parse("a1b2c3d4e5f60718293a4b5c6d7e8f90").is_ok());
        assert!(ClientId::parse("  ").is_err());
        assert!(ClientId::parse("abc def").is_err());
        assert!(ClientId::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn an_authorization_server_is_https_or_loopback_http() {
        let s = AuthorizationServer::parse("https://ims-na1.adobelogin.com/").unwrap();
        assert_eq!(s.as_str(), "https://ims-na1.adobelogin.com");
        assert_eq!(
            s.endpoint("/ims/token/v3"),
            "https://ims-na1.adobelogin.com/ims/token/v3"
        );
        assert!(AuthorizationServer::parse("http://127.0.0.1:8080").is_ok());
        assert!(AuthorizationServer::parse("http://localhost:1").is_ok());
        assert!(AuthorizationServer::parse("http://[::1]:1").is_ok());
        assert!(AuthorizationServer::parse("http://ims-na1.adobelogin.com").is_err());
        assert!(AuthorizationServer::parse("https://u:p@ims-na1.adobelogin.com").is_err());
        assert!(AuthorizationServer::parse("https://ims-na1.adobelogin.com/?x=1").is_err());
        assert!(AuthorizationServer::parse("ftp://example.com").is_err());
        assert!(AuthorizationServer::parse("not a url").is_err());
    }

    proptest! {
        #[test]
        fn any_24_hex_org_id_round_trips(hex in "[0-9A-Fa-f]{24}") {
            let raw = format!("{hex}@AdobeOrg");
            let parsed = OrgId::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
            prop_assert_eq!(OrgId::parse(parsed.as_str()).unwrap(), parsed);
        }

        #[test]
        fn org_id_parsing_never_panics(raw in "\\PC*") {
            let _ = OrgId::parse(&raw);
        }

        #[test]
        fn valid_client_ids_round_trip(raw in "[A-Za-z0-9._-]{1,128}") {
            let parsed = ClientId::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }

        #[test]
        fn client_ids_with_other_characters_are_refused(raw in "[a-z]{0,5}[ /@!#$%^&*()+=]{1,3}[a-z]{0,5}") {
            prop_assert!(ClientId::parse(&raw).is_err() || raw.trim().bytes().all(|b| b.is_ascii_alphanumeric()));
        }

        #[test]
        fn authorization_server_parsing_is_idempotent(host in "[a-z]{1,10}\\.[a-z]{2,5}", path in "(/[a-z]{1,5}){0,2}/?") {
            let raw = format!("https://{host}{path}");
            let once = AuthorizationServer::parse(&raw).unwrap();
            let twice = AuthorizationServer::parse(once.as_str()).unwrap();
            prop_assert_eq!(once, twice);
        }
    }
}
