//! Guessing a configuration's cloud solution from its scopes and names, since none of the
//! formats records one.

use imsbridge_domain::{CloudSolution, Title};

/// Scopes that only one solution's credentials carry.
const SCOPE_HINTS: &[(&str, CloudSolution)] = &[
    ("target_sdk", CloudSolution::Target),
    ("campaign_sdk", CloudSolution::Campaign),
    ("deliverability_service_general", CloudSolution::Campaign),
    ("stock_search", CloudSolution::Stock),
    ("brand_portal_sdk", CloudSolution::BrandPortal),
    ("asset_compute", CloudSolution::AssetCompute),
    ("forms_conversion", CloudSolution::AutomatedFormsConversion),
];

/// Metascopes (JWT) that only one solution's credentials carry.
const METASCOPE_HINTS: &[(&str, CloudSolution)] = &[
    ("ent_marketing_sdk", CloudSolution::Target),
    ("ent_analytics_bulk_ingest_sdk", CloudSolution::Analytics),
    ("ent_reactor_admin_sdk", CloudSolution::Launch),
    ("ent_campaign_sdk", CloudSolution::Campaign),
    ("ent_stocksearch_sdk", CloudSolution::Stock),
    ("ent_brand_portal_sdk", CloudSolution::BrandPortal),
    ("asset_compute_meta", CloudSolution::AssetCompute),
    (
        "ent_forms_conversion_sdk",
        CloudSolution::AutomatedFormsConversion,
    ),
];

/// Words in names and titles, checked in this order (so "asset compute" wins over others).
const WORD_HINTS: &[(&[&str], CloudSolution)] = &[
    (
        &["asset compute", "assetcompute", "asset-compute"],
        CloudSolution::AssetCompute,
    ),
    (
        &["brand portal", "brandportal", "brand-portal", "mediaportal"],
        CloudSolution::BrandPortal,
    ),
    (
        &["forms conversion", "forms-conversion", "afcs"],
        CloudSolution::AutomatedFormsConversion,
    ),
    (&["target"], CloudSolution::Target),
    (&["analytics"], CloudSolution::Analytics),
    (&["launch", "reactor", "tags"], CloudSolution::Launch),
    (&["campaign"], CloudSolution::Campaign),
    (&["stock"], CloudSolution::Stock),
];

/// Well-known credentials that are not among imsbridge's named solutions.
const OTHER_SCOPE_HINTS: &[(&str, &str)] = &[
    ("read_pc.dma_smart_content", "Smart Content Service"),
    ("read_pc.dma_aem_ams", "Cloud Manager"),
    ("read_pc.dma_aem_cloud", "Cloud Manager"),
];

fn has_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The solution that `scopes` (OAuth), `metascopes` (JWT) or `names` point to; otherwise
/// `other:` with a known product name, or with `fallback`.
pub fn guess<'a>(
    scopes: impl IntoIterator<Item = &'a str>,
    metascopes: impl IntoIterator<Item = &'a str>,
    names: &[&str],
    fallback: &Title,
) -> CloudSolution {
    let scopes: Vec<&str> = scopes.into_iter().collect();
    for scope in &scopes {
        if let Some((_, s)) = SCOPE_HINTS.iter().find(|(hint, _)| hint == scope) {
            return s.clone();
        }
    }
    for m in metascopes {
        if let Some((_, s)) = METASCOPE_HINTS.iter().find(|(hint, _)| *hint == m) {
            return s.clone();
        }
    }
    let text = names
        .iter()
        .map(|n| n.to_lowercase().replace('_', " "))
        .collect::<Vec<_>>()
        .join(" | ");
    for (words, solution) in WORD_HINTS {
        if words.iter().any(|w| has_word(&text, w)) {
            return solution.clone();
        }
    }
    for scope in &scopes {
        if let Some((_, product)) = OTHER_SCOPE_HINTS.iter().find(|(hint, _)| hint == scope) {
            return CloudSolution::Other((*product).to_owned());
        }
    }
    let label: String = fallback.as_str().chars().take(64).collect();
    CloudSolution::parse(&format!("other:{label}"))
        .unwrap_or_else(|_| CloudSolution::Other("Adobe IMS".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(t: &str) -> Title {
        Title::parse(t).unwrap()
    }

    #[test]
    fn scopes_win_then_metascopes_then_words_then_other() {
        let t = title("Something");
        assert_eq!(
            guess(["openid", "target_sdk"], [], &["analytics"], &t),
            CloudSolution::Target
        );
        assert_eq!(
            guess([], ["ent_reactor_admin_sdk"], &[], &t),
            CloudSolution::Launch
        );
        assert_eq!(
            guess(["openid"], [], &["Adobe Analytics (prod)"], &t),
            CloudSolution::Analytics
        );
        assert_eq!(
            guess(["openid"], [], &["my_asset_compute"], &t),
            CloudSolution::AssetCompute
        );
        assert_eq!(
            guess(["read_pc.dma_smart_content"], [], &["smarttags"], &t),
            CloudSolution::Other("Smart Content Service".into())
        );
        assert_eq!(
            guess(["openid"], [], &["untargeted"], &t),
            CloudSolution::Other("Something".into())
        );
    }
}
