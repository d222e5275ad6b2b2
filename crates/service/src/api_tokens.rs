//! API tokens: `ibt_` followed by 32 random bytes (base64url), shown once, stored as a
//! SHA-256 hash, with a scope.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use imsbridge_domain::{ExposeSecret, Name, SecretString};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The recognisable start of every imsbridge API token (secret scanners can match it).
pub const TOKEN_PREFIX: &str = "ibt_";

/// How many characters of a token are kept in clear to tell tokens apart.
const SHOWN_PREFIX_LEN: usize = TOKEN_PREFIX.len() + 8;

/// A freshly made token: the secret (shown once), its public prefix and its hash.
#[derive(Debug)]
pub struct GeneratedToken {
    /// The whole token; give it to its owner once and forget it.
    pub secret: SecretString,
    /// Its first characters, stored in clear.
    pub prefix: String,
    /// Its SHA-256, hex, which the store keeps.
    pub hash: String,
}

/// Makes a new random token.
pub fn generate() -> GeneratedToken {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    GeneratedToken {
        prefix: token[..SHOWN_PREFIX_LEN].to_owned(),
        hash: hash(&token),
        secret: SecretString::from(token),
    }
}

/// The hash a token is stored and looked up by: SHA-256, lowercase hex.
pub fn hash(token: &str) -> String {
    // Every API request hashes its token; a table beats a formatting iterator.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Whether a presented token matches a stored hash, in constant time.
pub fn matches(presented: &SecretString, stored_hash: &str) -> bool {
    hash_matches(&hash(presented.expose_secret()), stored_hash)
}

/// Whether a hash computed with [`hash`] equals a stored one, in constant time.
pub fn hash_matches(computed: &str, stored_hash: &str) -> bool {
    computed.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// Whether a string has the shape of one of our tokens (cheap check before any lookup).
pub fn looks_like_token(candidate: &str) -> bool {
    candidate.len() == TOKEN_PREFIX.len() + 43
        && candidate.starts_with(TOKEN_PREFIX)
        && candidate[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// What an API token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// Everything an admin may do.
    Admin,
    /// Read-only access to the admin API.
    Read,
    /// Only fetching access tokens of these integrations.
    Token(Vec<Name>),
}

impl TokenScope {
    /// Parses `admin`, `read`, or `token:name1,name2`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        match raw {
            "admin" => return Ok(Self::Admin),
            "read" => return Ok(Self::Read),
            _ => {}
        }
        let Some(list) = raw.strip_prefix("token:") else {
            return Err(format!(
                "\"{raw}\" is not a scope; use admin, read, or token:<integration name>[,<name>…] (for example token:target-production)"
            ));
        };
        let mut names: Vec<Name> = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let name = Name::parse(item).map_err(|e| format!("scope token:…: {e}"))?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return Err(
                "token: needs at least one integration name (for example token:target-production)"
                    .into(),
            );
        }
        Ok(Self::Token(names))
    }

    /// Whether this scope may fetch access tokens of integration `name`.
    pub fn allows_token_for(&self, name: &Name) -> bool {
        match self {
            Self::Admin => true,
            Self::Read => false,
            Self::Token(names) => names.contains(name),
        }
    }
}

impl std::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Admin => f.write_str("admin"),
            Self::Read => f.write_str("read"),
            Self::Token(names) => {
                f.write_str("token:")?;
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(n.as_str())?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_prefix_and_match_only_their_hash() {
        let t = generate();
        assert!(t.secret.expose_secret().starts_with("ibt_"));
        assert!(looks_like_token(t.secret.expose_secret()));
        assert!(t.secret.expose_secret().starts_with(&t.prefix));
        assert!(matches(&t.secret, &t.hash));
        assert!(!matches(&generate().secret, &t.hash));
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn scopes_parse_and_print_back() {
        assert_eq!(TokenScope::parse("admin").unwrap(), TokenScope::Admin);
        assert_eq!(TokenScope::parse("read").unwrap(), TokenScope::Read);
        let s = TokenScope::parse("token:a, b-2,a").unwrap();
        assert_eq!(s.to_string(), "token:a,b-2");
        assert!(s.allows_token_for(&Name::parse("b-2").unwrap()));
        assert!(!s.allows_token_for(&Name::parse("c").unwrap()));
        assert!(TokenScope::parse("token:").is_err());
        assert!(TokenScope::parse("token:Bad Name").is_err());
        assert!(TokenScope::parse("write").is_err());
    }
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The scope does not parse.
    #[error("scope: {0}")]
    Scope(String),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] imsbridge_store::StoreError),
}

/// Makes, stores and returns a new API token: the stored record and the secret, which is
/// shown once and never kept. Used by the API, the CLI and tests.
pub async fn issue(
    store: &imsbridge_store::Store,
    name: &str,
    scope: &str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    created_by: Option<imsbridge_store::UserId>,
    audit: &imsbridge_store::AuditContext,
) -> Result<(imsbridge_store::ApiToken, SecretString), IssueError> {
    let scope = TokenScope::parse(scope).map_err(IssueError::Scope)?;
    let generated = generate();
    let stored = store
        .insert_api_token(
            &imsbridge_store::NewApiToken {
                name: name.to_owned(),
                prefix: generated.prefix,
                token_hash: generated.hash,
                scope: scope.to_string(),
                expires_at,
                created_by,
            },
            audit,
        )
        .await?;
    Ok((stored, generated.secret))
}
