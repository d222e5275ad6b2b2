//! One candidate per name: the same configuration found in several run-mode folders is
//! kept once; different ones sharing a name are told apart by their run modes.

use std::collections::BTreeMap;

use imsbridge_domain::{ExposeSecret, Name};

use crate::report::{CandidateCredential, ImportCandidate, Problem, ProblemKind};

fn same_credential(a: &CandidateCredential, b: &CandidateCredential) -> bool {
    match (a, b) {
        (CandidateCredential::Ready(x), CandidateCredential::Ready(y)) => {
            x.client_id == y.client_id
                && x.scopes == y.scopes
                && x.org_id == y.org_id
                && x.technical_account_id == y.technical_account_id
                && x.client_secret.expose_secret() == y.client_secret.expose_secret()
        }
        (CandidateCredential::NeedsSecret(x), CandidateCredential::NeedsSecret(y)) => {
            x.client_id == y.client_id
                && x.scopes == y.scopes
                && x.org_id == y.org_id
                && x.missing.len() == y.missing.len()
                && x.missing
                    .iter()
                    .zip(&y.missing)
                    .all(|(m, n)| m.property == n.property && m.reason == n.reason)
        }
        (CandidateCredential::NeedsCertificate(x), CandidateCredential::NeedsCertificate(y)) => {
            x.client_id == y.client_id && x.org_id == y.org_id
        }
        _ => false,
    }
}

fn same(a: &ImportCandidate, b: &ImportCandidate) -> bool {
    a.title == b.title
        && a.cloud_solution == b.cloud_solution
        && a.authorization_server == b.authorization_server
        && same_credential(&a.credential, &b.credential)
}

/// Merges identical candidates, renames differing ones after their run modes, and sorts
/// them by name. Names that still collide become conflicts.
pub(crate) fn settle(
    found: Vec<ImportCandidate>,
    problems: &mut Vec<Problem>,
) -> Vec<ImportCandidate> {
    let mut groups: BTreeMap<Name, Vec<ImportCandidate>> = BTreeMap::new();
    for c in found {
        groups.entry(c.name.clone()).or_default().push(c);
    }
    let mut distinct: Vec<ImportCandidate> = Vec::new();
    for (_, group) in groups {
        let mut kept: Vec<ImportCandidate> = Vec::new();
        for c in group {
            if let Some(k) = kept.iter_mut().find(|k| same(k, &c)) {
                for s in c.sources {
                    if !k.sources.contains(&s) {
                        k.sources.push(s);
                    }
                }
            } else {
                kept.push(c);
            }
        }
        if kept.len() > 1 {
            for c in &mut kept {
                let modes = c
                    .sources
                    .first()
                    .map(|s| s.run_modes.as_slice().join("-"))
                    .unwrap_or_default();
                if modes.is_empty() {
                    continue;
                }
                if let Some(renamed) = Name::slugify(&format!("{}-{modes}", c.name)) {
                    c.notes.push(format!(
                        "named {renamed} rather than {}: other run modes hold a different configuration of that name",
                        c.name
                    ));
                    c.name = renamed;
                }
            }
        }
        distinct.extend(kept);
    }
    distinct.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<ImportCandidate> = Vec::with_capacity(distinct.len());
    for c in distinct {
        if let Some(first) = out.iter().find(|k| k.name == c.name) {
            let file = c
                .sources
                .first()
                .map(|s| s.path.clone())
                .unwrap_or_default();
            let other = first
                .sources
                .first()
                .map(|s| s.path.display().to_string())
                .unwrap_or_default();
            problems.push(Problem::new(
                file,
                ProblemKind::Conflict,
                format!(
                    "another configuration named {} ({other}) differs from this one; give one of them another name",
                    c.name
                ),
            ));
        } else {
            out.push(c);
        }
    }
    out
}
