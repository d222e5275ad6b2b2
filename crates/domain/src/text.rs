use std::fmt;

use crate::error::ParseError;
use crate::ids::{quoted, string_newtype};

/// A configuration's display title: trimmed, 1 to 128 characters, no control characters and
/// no bidirectional formatting characters.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Title(String);

impl Title {
    const EXAMPLE: &'static str = "Adobe Target (production)";

    /// Parses a title.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let len = value.chars().count();
        if len == 0 {
            return Err(ParseError::new(
                "title",
                "is empty; give the configuration a title",
                Self::EXAMPLE,
            ));
        }
        if len > 128 {
            return Err(ParseError::new(
                "title",
                format!("is {len} characters long; at most 128 are allowed"),
                Self::EXAMPLE,
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(ParseError::new(
                "title",
                "contains control characters (such as a line break or tab); use plain text",
                Self::EXAMPLE,
            ));
        }
        if let Some(c) = value.chars().find(|c| is_bidi_control(*c)) {
            return Err(ParseError::new(
                "title",
                format!(
                    "contains the invisible bidirectional formatting character U+{:04X}, which can make a title read differently from what it is; type the title without it",
                    u32::from(c)
                ),
                Self::EXAMPLE,
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(Title);

/// The embedding, override and isolate characters of Unicode's bidirectional algorithm
/// (U+202A–U+202E, U+2066–U+2069): they reorder the text around them without showing
/// themselves, so a title holding one can display as another ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A configuration's immutable name: the slug that integrations use to refer to it.
///
/// 1 to 63 characters of lowercase letters, digits and `-`, starting and ending with a letter
/// or digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Name(String);

impl Name {
    const EXAMPLE: &'static str = "target-production";

    /// Parses a name.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let fail = |problem: String| Err(ParseError::new("name", problem, Self::EXAMPLE));
        if value.is_empty() {
            return fail(
                "is empty; give the configuration a short name such as the integration's id".into(),
            );
        }
        if value.len() > 63 {
            return fail(format!("{} is longer than 63 characters", quoted(value)));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return fail(format!(
                "{} may hold only lowercase letters, digits and '-'",
                quoted(value)
            ));
        }
        if value.starts_with('-') || value.ends_with('-') {
            return fail(format!(
                "{} must start and end with a letter or digit",
                quoted(value)
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// Derives a valid name from free text such as a title (`"Adobe Target (prod)"` →
    /// `"adobe-target-prod"`); `None` when nothing usable remains.
    pub fn slugify(text: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug: String = slug.chars().take(63).collect();
        Self::parse(slug.trim_matches('-')).ok()
    }
}
string_newtype!(Name);

/// The Adobe solution a configuration serves.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CloudSolution {
    /// Adobe Target.
    Target,
    /// Adobe Analytics.
    Analytics,
    /// Adobe Experience Platform Launch, now Tags.
    Launch,
    /// Asset Compute.
    AssetCompute,
    /// Adobe Stock.
    Stock,
    /// Brand Portal.
    BrandPortal,
    /// Adobe Campaign.
    Campaign,
    /// Automated Forms Conversion.
    AutomatedFormsConversion,
    /// Any other solution, by name.
    Other(String),
}

impl CloudSolution {
    /// Every named solution, in the order a form lists them.
    pub const KNOWN: [Self; 8] = [
        Self::Target,
        Self::Analytics,
        Self::Launch,
        Self::AssetCompute,
        Self::Stock,
        Self::BrandPortal,
        Self::Campaign,
        Self::AutomatedFormsConversion,
    ];

    /// The short, stable key used in URLs, filters and files (`target`, `other`, …).
    pub fn key(&self) -> &'static str {
        match self {
            Self::Target => "target",
            Self::Analytics => "analytics",
            Self::Launch => "launch",
            Self::AssetCompute => "asset-compute",
            Self::Stock => "stock",
            Self::BrandPortal => "brand-portal",
            Self::Campaign => "campaign",
            Self::AutomatedFormsConversion => "automated-forms-conversion",
            Self::Other(_) => "other",
        }
    }

    /// The label shown to people.
    pub fn label(&self) -> &str {
        match self {
            Self::Target => "Adobe Target",
            Self::Analytics => "Adobe Analytics",
            Self::Launch => "Adobe Launch / Tags",
            Self::AssetCompute => "Asset Compute",
            Self::Stock => "Adobe Stock",
            Self::BrandPortal => "Brand Portal",
            Self::Campaign => "Adobe Campaign",
            Self::AutomatedFormsConversion => "Automated Forms Conversion",
            Self::Other(name) => name,
        }
    }

    /// Parses a key or label of a known solution (any case), or `other:<name>` / any other
    /// plain text as [`CloudSolution::Other`].
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let example = "target";
        if value.is_empty() {
            return Err(ParseError::new(
                "cloud_solution",
                "is empty; choose the Adobe solution this configuration is for (target, analytics, launch, asset-compute, stock, brand-portal, campaign, automated-forms-conversion, or other:<name>)",
                example,
            ));
        }
        let lower = value.to_lowercase();
        if let Some(known) = Self::KNOWN.iter().find(|k| {
            lower == k.key()
                || lower == k.label().to_lowercase()
                || lower == k.key().replace('-', " ")
        }) {
            return Ok(known.clone());
        }
        if matches!(
            lower.as_str(),
            "tags" | "adobe tags" | "adobe launch" | "launch/tags"
        ) {
            return Ok(Self::Launch);
        }
        let other = value
            .strip_prefix("other:")
            .or_else(|| value.strip_prefix("Other:"))
            .unwrap_or(value)
            .trim();
        let title = Title::parse(other).map_err(|e| ParseError {
            field: "cloud_solution",
            problem: e.problem,
            example: "other:Adobe Journey Optimizer",
        })?;
        if title.as_str().chars().count() > 64 || title.as_str().eq_ignore_ascii_case("other") {
            return Err(ParseError::new(
                "cloud_solution",
                format!("{} is not a usable solution name", quoted(other)),
                "other:Adobe Journey Optimizer",
            ));
        }
        Ok(Self::Other(title.as_str().to_owned()))
    }

    /// The text that [`CloudSolution::parse`] turns back into this value.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Other(name) => format!("other:{name}"),
            known => known.key().to_owned(),
        }
    }
}

impl fmt::Display for CloudSolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for CloudSolution {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_stored())
    }
}

impl<'de> serde::Deserialize<'de> for CloudSolution {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_title_is_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Target  ").unwrap().as_str(), "Target");
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"x".repeat(129)).is_err());
        assert!(Title::parse(&"가".repeat(128)).is_ok());
        assert!(Title::parse("a\tb").is_err());
    }

    #[test]
    fn a_title_refuses_every_bidirectional_formatting_character() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let e = Title::parse(&format!("Target {c}noitcudorp")).unwrap_err();
            assert_eq!(e.field, "title");
            assert!(
                e.to_string().contains(&format!("U+{:04X}", u32::from(c))),
                "{e}"
            );
        }
        // Right-to-left text itself is welcome; only the invisible controls are refused.
        assert!(Title::parse("Adobe Target \u{05E2}\u{05D1}\u{05E8}\u{05D9}\u{05EA}").is_ok());
        assert!(Title::parse("left\u{200E}mark").is_ok());
    }

    #[test]
    fn a_name_is_a_lowercase_slug() {
        assert!(Name::parse("target-prod-1").is_ok());
        assert!(Name::parse("Target").is_err());
        assert!(Name::parse("-x").is_err());
        assert!(Name::parse("x-").is_err());
        assert!(Name::parse("a b").is_err());
        assert!(Name::parse(&"a".repeat(64)).is_err());
        assert_eq!(
            Name::slugify("Adobe Target (prod)").unwrap().as_str(),
            "adobe-target-prod"
        );
        assert_eq!(Name::slugify("타깃"), None);
    }

    #[test]
    fn cloud_solutions_parse_from_keys_labels_and_other() {
        assert_eq!(
            CloudSolution::parse("target").unwrap(),
            CloudSolution::Target
        );
        assert_eq!(
            CloudSolution::parse("Adobe Analytics").unwrap(),
            CloudSolution::Analytics
        );
        assert_eq!(CloudSolution::parse("Tags").unwrap(), CloudSolution::Launch);
        assert_eq!(
            CloudSolution::parse("BRAND-PORTAL").unwrap(),
            CloudSolution::BrandPortal
        );
        assert_eq!(
            CloudSolution::parse("other:Journey Optimizer").unwrap(),
            CloudSolution::Other("Journey Optimizer".into())
        );
        assert!(CloudSolution::parse("").is_err());
        assert!(CloudSolution::parse("other:").is_err());
        for known in CloudSolution::KNOWN {
            assert_eq!(CloudSolution::parse(&known.to_stored()).unwrap(), known);
            assert_eq!(CloudSolution::parse(known.label()).unwrap(), known);
        }
    }

    proptest! {
        #[test]
        fn valid_names_round_trip(raw in "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") {
            let parsed = Name::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }

        #[test]
        fn slugify_always_yields_a_valid_name_or_none(raw in "\\PC{0,100}") {
            if let Some(name) = Name::slugify(&raw) {
                prop_assert_eq!(Name::parse(name.as_str()).unwrap(), name);
            }
        }

        #[test]
        fn titles_never_keep_outer_space(raw in "\\PC{0,140}") {
            if let Ok(t) = Title::parse(&raw) {
                prop_assert_eq!(t.as_str().trim(), t.as_str());
                prop_assert!(!t.as_str().is_empty());
                prop_assert!(t.as_str().chars().count() <= 128);
            }
        }

        #[test]
        fn stored_cloud_solutions_round_trip(name in "[A-Za-z][A-Za-z ]{0,30}[A-Za-z]") {
            if let Ok(s) = CloudSolution::parse(&name) {
                prop_assert_eq!(CloudSolution::parse(&s.to_stored()).unwrap(), s);
            }
        }
    }
}
