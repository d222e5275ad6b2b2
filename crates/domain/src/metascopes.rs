//! Which OAuth Server-to-Server scopes replace a JWT credential's metascopes.
//!
//! The Developer Console gives a migrated credential the scopes of the APIs its project uses;
//! this table lets imsbridge suggest them before the admin has looked them up. The admin can
//! always edit the suggestion. Rows follow the Developer Console's JWT metascope list.

use crate::scopes::{Metascope, Scopes};

/// One row of the mapping: a metascope and the OAuth scopes that replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// The JWT metascope code.
    pub metascope: &'static str,
    /// The product it grants, for people reading the table.
    pub product: &'static str,
    /// The OAuth scopes the migrated credential carries for it.
    pub scopes: &'static [&'static str],
}

/// Scopes every server-to-server credential carries.
pub const BASE_SCOPES: [&str; 3] = ["openid", "AdobeID", "read_organizations"];

/// The mapping table.
pub const MAPPINGS: &[Mapping] = &[
    Mapping {
        metascope: "ent_marketing_sdk",
        product: "Adobe Target",
        scopes: &[
            "additional_info.projectedProductContext",
            "additional_info.roles",
        ],
    },
    Mapping {
        metascope: "ent_analytics_bulk_ingest_sdk",
        product: "Adobe Analytics",
        scopes: &[
            "additional_info.projectedProductContext",
            "additional_info.job_function",
        ],
    },
    Mapping {
        metascope: "ent_reactor_admin_sdk",
        product: "Adobe Launch / Tags",
        scopes: &[
            "additional_info.projectedProductContext",
            "additional_info.roles",
            "additional_info.job_function",
        ],
    },
    Mapping {
        metascope: "ent_campaign_sdk",
        product: "Adobe Campaign",
        scopes: &[
            "additional_info.projectedProductContext",
            "campaign_sdk",
            "deliverability_service_general",
        ],
    },
    Mapping {
        metascope: "ent_stocksearch_sdk",
        product: "Adobe Stock",
        scopes: &["stock_search"],
    },
    Mapping {
        metascope: "ent_brand_portal_sdk",
        product: "Brand Portal",
        scopes: &[
            "additional_info.projectedProductContext",
            "brand_portal_sdk",
        ],
    },
    Mapping {
        metascope: "asset_compute_meta",
        product: "Asset Compute",
        scopes: &["asset_compute", "event_receiver_api", "adobeio_api"],
    },
    Mapping {
        metascope: "event_receiver_api",
        product: "I/O Events",
        scopes: &["event_receiver_api", "adobeio_api"],
    },
    Mapping {
        metascope: "ent_adobeio_sdk",
        product: "I/O Management",
        scopes: &["adobeio_api"],
    },
    Mapping {
        metascope: "ent_dataservices_sdk",
        product: "Adobe Experience Platform",
        scopes: &["additional_info.projectedProductContext", "session"],
    },
    Mapping {
        metascope: "ent_user_sdk",
        product: "User Management",
        scopes: &["user_management_sdk"],
    },
    Mapping {
        metascope: "ent_documentcloud_sdk",
        product: "PDF Services",
        scopes: &["DCAPI"],
    },
    Mapping {
        metascope: "ent_aem_cloud_api",
        product: "AEM as a Cloud Service",
        scopes: &["additional_info.projectedProductContext"],
    },
    Mapping {
        metascope: "ent_forms_conversion_sdk",
        product: "Automated Forms Conversion",
        scopes: &[
            "additional_info.projectedProductContext",
            "forms_conversion",
        ],
    },
];

/// The row for `metascope`, if the table knows it.
pub fn mapping(metascope: &str) -> Option<&'static Mapping> {
    MAPPINGS.iter().find(|m| m.metascope == metascope)
}

/// The scopes suggested for a credential with these metascopes: the base scopes, then each
/// known metascope's scopes, in order, each once. Unknown metascopes add nothing.
pub fn suggest<'a>(metascopes: impl IntoIterator<Item = &'a Metascope>) -> Scopes {
    let mut items: Vec<&str> = BASE_SCOPES.to_vec();
    for m in metascopes {
        if let Some(row) = mapping(m.as_str()) {
            items.extend(row.scopes);
        }
    }
    Scopes::from_items(items).expect("the mapping table holds only valid scopes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::Metascopes;

    #[test]
    fn every_scope_in_the_table_parses() {
        for row in MAPPINGS {
            Metascope::parse(row.metascope).unwrap();
            Scopes::from_items(row.scopes.iter().copied()).unwrap();
        }
    }

    #[test]
    fn target_and_analytics_metascopes_suggest_their_scopes_once() {
        let m = Metascopes::parse("ent_marketing_sdk,ent_analytics_bulk_ingest_sdk").unwrap();
        let s = suggest(m.iter());
        assert_eq!(
            s.to_string(),
            "openid,AdobeID,read_organizations,additional_info.projectedProductContext,additional_info.roles,additional_info.job_function"
        );
    }

    #[test]
    fn an_unknown_metascope_suggests_only_the_base_scopes() {
        let m = Metascopes::parse("ent_unknown_sdk").unwrap();
        assert_eq!(
            suggest(m.iter()).to_string(),
            "openid,AdobeID,read_organizations"
        );
    }
}
