use std::fmt;

use crate::error::ParseError;
use crate::ids::{quoted, string_newtype};

/// Splits a list typed by a person: commas and/or white space separate, runs of them count once.
fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
}

/// The OAuth scopes of a credential: non-empty, without duplicates, in the order given.
///
/// Parsed from commas and/or spaces (`"openid, AdobeID read_organizations"`), written back
/// comma-separated as IMS expects (`"openid,AdobeID,read_organizations"`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Scopes(Vec<String>);

impl Scopes {
    const EXAMPLE: &'static str = "openid,AdobeID,read_organizations";

    /// Parses a scope list; repeated scopes are kept once.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::from_items(split_list(raw))
    }

    /// Builds a scope list from separate items, each checked like a parsed one.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, ParseError> {
        let mut scopes: Vec<String> = Vec::new();
        for item in items {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let ok = item.len() <= 128
                && item.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/')
                });
            if !ok {
                return Err(ParseError::new(
                    "scopes",
                    format!(
                        "{} is not a scope; scopes hold letters, digits and '_', '.', '-', ':', '/' and are separated by commas or spaces",
                        quoted(item)
                    ),
                    Self::EXAMPLE,
                ));
            }
            if !scopes.iter().any(|s| s == item) {
                scopes.push(item.to_owned());
            }
        }
        if scopes.is_empty() {
            return Err(ParseError::new(
                "scopes",
                "is empty; copy the scopes from the credential's page in the Adobe Developer Console",
                Self::EXAMPLE,
            ));
        }
        Ok(Self(scopes))
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether `scope` is among them.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

impl std::str::FromStr for Scopes {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Scopes {
    /// Accepts either a list of strings or one comma/space separated string.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::One(s) => Self::parse(&s),
            Raw::Many(v) => Self::from_items(v.iter().map(String::as_str)),
        }
        .map_err(serde::de::Error::custom)
    }
}

/// A JWT metascope code such as `ent_marketing_sdk` (the part after `/s/` in the JWT claim).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Metascope(String);

impl Metascope {
    const EXAMPLE: &'static str = "ent_marketing_sdk";

    /// Parses a metascope; a full claim URL (`https://ims-na1.adobelogin.com/s/ent_marketing_sdk`)
    /// is reduced to its code.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let code = value.rsplit_once("/s/").map_or(value, |(_, code)| code);
        let ok = (1..=64).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(Self(code.to_owned()))
        } else {
            Err(ParseError::new(
                "metascopes",
                format!(
                    "{} is not a metascope; it holds letters, digits and '_'",
                    quoted(value)
                ),
                Self::EXAMPLE,
            ))
        }
    }
}
string_newtype!(Metascope);

/// The metascopes of a JWT credential: non-empty, without duplicates.
#[derive(Clone, PartialEq, Eq, Hash, Debug, serde::Serialize)]
pub struct Metascopes(Vec<Metascope>);

impl Metascopes {
    /// Parses a comma and/or space separated list.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::from_items(split_list(raw))
    }

    /// Builds the list from separate items.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, ParseError> {
        let mut list: Vec<Metascope> = Vec::new();
        for item in items {
            let m = Metascope::parse(item)?;
            if !list.contains(&m) {
                list.push(m);
            }
        }
        if list.is_empty() {
            return Err(ParseError::new(
                "metascopes",
                "is empty; a JWT credential has at least one metascope",
                Metascope::EXAMPLE,
            ));
        }
        Ok(Self(list))
    }

    /// The metascopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Metascope> {
        self.0.iter()
    }
}

impl fmt::Display for Metascopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(Metascope::as_str).collect();
        f.write_str(&codes.join(","))
    }
}

impl<'de> serde::Deserialize<'de> for Metascopes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        Self::from_items(v.iter().map(String::as_str)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scopes_accept_commas_and_spaces_and_write_commas() {
        let s = Scopes::parse(" openid, AdobeID  read_organizations,,").unwrap();
        assert_eq!(s.to_string(), "openid,AdobeID,read_organizations");
    }

    #[test]
    fn repeated_scopes_are_kept_once_in_first_order() {
        let s = Scopes::parse("b,a,b,a").unwrap();
        assert_eq!(s.to_string(), "b,a");
    }

    #[test]
    fn an_empty_scope_list_is_refused_with_an_example() {
        let err = Scopes::parse(" , ,").unwrap_err();
        assert_eq!(err.field, "scopes");
        assert_eq!(err.example, "openid,AdobeID,read_organizations");
    }

    #[test]
    fn scopes_deserialize_from_a_string_or_a_list() {
        let a: Scopes = serde_json::from_str(r#""openid AdobeID""#).unwrap();
        let b: Scopes = serde_json::from_str(r#"["openid","AdobeID"]"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!(["openid", "AdobeID"])
        );
        assert!(serde_json::from_str::<Scopes>(r#"["bad scope!"]"#).is_err());
    }

    #[test]
    fn a_metascope_claim_url_is_reduced_to_its_code() {
        let m = Metascope::parse("https://ims-na1.adobelogin.com/s/ent_marketing_sdk").unwrap();
        assert_eq!(m.as_str(), "ent_marketing_sdk");
        assert!(Metascope::parse("ent-marketing").is_err());
        assert!(Metascopes::parse("").is_err());
        assert_eq!(
            Metascopes::parse("a_sdk b_sdk,a_sdk").unwrap().to_string(),
            "a_sdk,b_sdk"
        );
    }

    proptest! {
        #[test]
        fn parsed_scopes_round_trip_through_their_display(
            items in proptest::collection::vec("[A-Za-z0-9_.:/-]{1,20}", 1..8),
            seps in proptest::collection::vec("[, ]{1,3}", 8),
        ) {
            let mut raw = String::new();
            for (i, item) in items.iter().enumerate() {
                raw.push_str(item);
                raw.push_str(&seps[i]);
            }
            let parsed = Scopes::parse(&raw).unwrap();
            prop_assert_eq!(Scopes::parse(&parsed.to_string()).unwrap(), parsed.clone());
            let list: Vec<&str> = parsed.iter().collect();
            prop_assert!(!list.is_empty());
            for (i, s) in list.iter().enumerate() {
                prop_assert!(!s.is_empty());
                prop_assert!(!list[..i].contains(s), "duplicate {}", s);
            }
            for item in &items {
                prop_assert!(parsed.contains(item));
            }
        }

        #[test]
        fn scope_parsing_never_panics(raw in "\\PC*") {
            let _ = Scopes::parse(&raw);
            let _ = Metascopes::parse(&raw);
        }
    }
}
