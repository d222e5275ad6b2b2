//! Roles from claims: a person's groups (the `groups_claim`) and their email's domain decide
//! whether they are an admin, a viewer, or nobody at all.

use imsbridge_store::Role;
use serde_json::Value;

/// How claims map to roles. Admin wins over viewer; no match means no access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMapping {
    groups_claim: String,
    admin_groups: Vec<String>,
    viewer_groups: Vec<String>,
    admin_email_domains: Vec<String>,
    viewer_email_domains: Vec<String>,
}

/// What the provider says about someone, as far as roles go.
#[derive(Debug, Clone, Default)]
pub struct RoleClaims {
    /// Their groups (from the groups claim).
    pub groups: Vec<String>,
    /// Their email, only when the provider did not say it is unverified.
    pub verified_email: Option<String>,
}

fn check_domains(key: &str, domains: &[String]) -> Result<Vec<String>, String> {
    domains
        .iter()
        .map(|d| {
            let ok = d.contains('.')
                && !d.starts_with('.')
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
            if ok {
                Ok(d.to_ascii_lowercase())
            } else {
                Err(format!(
                    "sso.{key}: {d:?} is not an email domain; write it like example.com, without @"
                ))
            }
        })
        .collect()
}

impl RoleMapping {
    /// A mapping; refuses one that would give no one a role.
    pub fn new(
        groups_claim: &str,
        admin_groups: Vec<String>,
        viewer_groups: Vec<String>,
        admin_email_domains: &[String],
        viewer_email_domains: &[String],
    ) -> Result<Self, String> {
        let groups_claim = groups_claim.trim();
        if groups_claim.is_empty() {
            return Err(
                "sso.groups_claim is empty; name the claim that lists groups (often groups)".into(),
            );
        }
        let mapping = Self {
            groups_claim: groups_claim.to_owned(),
            admin_email_domains: check_domains("admin_email_domains", admin_email_domains)?,
            viewer_email_domains: check_domains("viewer_email_domains", viewer_email_domains)?,
            admin_groups,
            viewer_groups,
        };
        if mapping.admin_groups.is_empty()
            && mapping.viewer_groups.is_empty()
            && mapping.admin_email_domains.is_empty()
            && mapping.viewer_email_domains.is_empty()
        {
            return Err("sso: no one would get a role; give at least one of admin_groups, viewer_groups, admin_email_domains or viewer_email_domains".into());
        }
        Ok(mapping)
    }

    /// The claim that lists groups.
    pub fn groups_claim(&self) -> &str {
        &self.groups_claim
    }

    /// The groups and verified email in a set of claims (an ID token's or userinfo's).
    pub fn claims(&self, claims: &serde_json::Map<String, Value>) -> RoleClaims {
        let groups = match claims.get(&self.groups_claim) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let unverified = matches!(claims.get("email_verified"), Some(Value::Bool(false)));
        let verified_email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|_| !unverified)
            .map(str::to_owned);
        RoleClaims {
            groups,
            verified_email,
        }
    }

    /// The role these claims give, if any.
    pub fn role(&self, claims: &RoleClaims) -> Option<Role> {
        let domain = claims
            .verified_email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_ascii_lowercase());
        let matches = |groups: &[String], domains: &[String]| {
            claims.groups.iter().any(|g| groups.contains(g))
                || domain.as_ref().is_some_and(|d| domains.contains(d))
        };
        if matches(&self.admin_groups, &self.admin_email_domains) {
            Some(Role::Admin)
        } else if matches(&self.viewer_groups, &self.viewer_email_domains) {
            Some(Role::Viewer)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping() -> RoleMapping {
        RoleMapping::new(
            "groups",
            vec!["imsbridge-admins".into()],
            vec!["staff".into()],
            &["ops.example.com".into()],
            &["Example.com".into()],
        )
        .unwrap()
    }

    fn role_of(claims: &serde_json::Value) -> Option<Role> {
        let m = mapping();
        m.role(&m.claims(claims.as_object().unwrap()))
    }

    #[test]
    fn groups_and_email_domains_map_to_roles_and_no_match_means_no_access() {
        let cases = [
            (
                json!({"groups": ["imsbridge-admins", "staff"]}),
                Some(Role::Admin),
            ),
            (json!({"groups": ["staff"]}), Some(Role::Viewer)),
            (json!({"groups": "imsbridge-admins"}), Some(Role::Admin)),
            (json!({"email": "ann@ops.example.com"}), Some(Role::Admin)),
            (
                json!({"email": "bob@EXAMPLE.com", "groups": []}),
                Some(Role::Viewer),
            ),
            (
                json!({"email": "eve@example.com", "email_verified": false}),
                None,
            ),
            (json!({"email": "eve@evil-example.com"}), None),
            (json!({"email": "eve@sub.example.com"}), None),
            (json!({"groups": ["Imsbridge-Admins"]}), None),
            (json!({}), None),
        ];
        for (claims, role) in cases {
            assert_eq!(role_of(&claims), role, "{claims}");
        }
    }

    #[test]
    fn a_mapping_that_gives_no_one_a_role_is_refused() {
        let err = RoleMapping::new("groups", vec![], vec![], &[], &[]).unwrap_err();
        assert!(err.contains("no one"), "{err}");
    }
}
