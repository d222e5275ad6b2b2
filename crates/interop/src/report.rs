//! What an import found: candidate configurations, each ready or blocked, and the problems
//! of the files that could not be used.

use std::fmt;
use std::path::PathBuf;

use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, ConfigDraft, DraftCredentials,
    Metascopes, Name, OAuthCredentials, OrgId, Scopes, TechnicalAccountId, Title,
};

use crate::osgi::SourceRef;

/// The outcome of reading files of one format.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// One per configuration found, in a stable order (by name).
    pub candidates: Vec<ImportCandidate>,
    /// What could not be used, and why. The rest of the import is unaffected.
    pub problems: Vec<Problem>,
    /// Files that hold nothing this format imports (other OSGi PIDs, other extensions).
    pub ignored: Vec<PathBuf>,
}

impl ImportReport {
    /// The candidate named `name`.
    pub fn candidate(&self, name: &str) -> Option<&ImportCandidate> {
        self.candidates.iter().find(|c| c.name.as_str() == name)
    }
}

/// A configuration that an import would create or update.
#[derive(Debug, Clone)]
pub struct ImportCandidate {
    /// Its name in imsbridge.
    pub name: Name,
    /// Its title.
    pub title: Title,
    /// The solution, given or guessed (`other:` when nothing matched).
    pub cloud_solution: CloudSolution,
    /// The IMS base URL.
    pub authorization_server: AuthorizationServer,
    /// The credential, complete or not.
    pub credential: CandidateCredential,
    /// The files it was read from.
    pub sources: Vec<SourceRef>,
    /// Remarks for the person importing (how the name was chosen, a second secret left out…).
    pub notes: Vec<String>,
}

/// A candidate's credential: complete, missing values, or a JWT credential that cannot be
/// imported without its certificate.
#[derive(Debug, Clone)]
pub enum CandidateCredential {
    /// Everything needed to create the configuration.
    Ready(OAuthCredentials),
    /// An OAuth credential with values that could not be read (unresolved or encrypted).
    NeedsSecret(PartialOAuth),
    /// A Service Account (JWT) credential: its certificate is not in these files, so it is
    /// reported rather than half imported.
    NeedsCertificate(JwtSummary),
}

/// The readable parts of an OAuth credential and what is missing.
#[derive(Debug, Clone)]
pub struct PartialOAuth {
    /// The client id, when readable.
    pub client_id: Option<ClientId>,
    /// The scopes, when readable.
    pub scopes: Option<Scopes>,
    /// The organization, when readable.
    pub org_id: Option<OrgId>,
    /// The technical account, when known.
    pub technical_account_id: Option<TechnicalAccountId>,
    /// Every value that is missing, with its file and property.
    pub missing: Vec<MissingValue>,
}

/// The non-secret parts of a JWT credential.
#[derive(Debug, Clone)]
pub struct JwtSummary {
    /// The API key (client id).
    pub client_id: ClientId,
    /// The organization, when known.
    pub org_id: Option<OrgId>,
    /// The technical account, when known.
    pub technical_account_id: Option<TechnicalAccountId>,
    /// The metascopes, when known.
    pub metascopes: Option<Metascopes>,
    /// Why it cannot be imported, and what to do instead.
    pub reason: String,
}

/// A candidate's state, as a dry run shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CandidateStatus {
    /// Can be created or updated.
    Ready,
    /// A value is missing: see [`PartialOAuth::missing`].
    NeedsSecret,
    /// A JWT credential without its certificate.
    NeedsCertificate,
}

impl CandidateStatus {
    /// The key used in reports: `ready`, `needs-secret`, `needs-certificate`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::NeedsSecret => "needs-secret",
            Self::NeedsCertificate => "needs-certificate",
        }
    }
}

impl ImportCandidate {
    /// Ready, needs a secret, or needs a certificate.
    pub fn status(&self) -> CandidateStatus {
        match self.credential {
            CandidateCredential::Ready(_) => CandidateStatus::Ready,
            CandidateCredential::NeedsSecret(_) => CandidateStatus::NeedsSecret,
            CandidateCredential::NeedsCertificate(_) => CandidateStatus::NeedsCertificate,
        }
    }

    /// OAuth or JWT.
    pub fn auth_type(&self) -> AuthType {
        match self.credential {
            CandidateCredential::NeedsCertificate(_) => AuthType::Jwt,
            _ => AuthType::OAuth,
        }
    }

    /// The draft to create the configuration from; `None` unless the candidate is ready.
    pub fn draft(&self) -> Option<ConfigDraft> {
        match &self.credential {
            CandidateCredential::Ready(oauth) => Some(ConfigDraft {
                name: self.name.clone(),
                title: self.title.clone(),
                cloud_solution: self.cloud_solution.clone(),
                authorization_server: self.authorization_server.clone(),
                credentials: DraftCredentials::OAuth(oauth.clone()),
            }),
            _ => None,
        }
    }

    /// The missing values, for a candidate that needs a secret.
    pub fn missing(&self) -> &[MissingValue] {
        match &self.credential {
            CandidateCredential::NeedsSecret(p) => &p.missing,
            _ => &[],
        }
    }
}

/// A value a candidate lacks: which file, which property, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    /// The file.
    pub file: PathBuf,
    /// The property (or key path).
    pub property: String,
    /// Why it is missing.
    pub reason: MissingReason,
}

/// Why a value is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingReason {
    /// A placeholder no variable resolves.
    Unresolved {
        /// The placeholder as written (`$[secret:NAME]`).
        placeholder: String,
        /// The variable's name.
        variable: String,
        /// Whether the variables export lists it without a value (Cloud Manager never
        /// exports secret values).
        listed_without_value: bool,
    },
    /// Encrypted with an AEM instance's key (`{…}`), which imsbridge cannot open.
    Encrypted,
    /// Not in the file at all.
    Absent,
    /// No customizer configuration shares the provider's customizer type.
    NoCustomizer {
        /// The provider's `token.request.customizer.type`, if it has one.
        customizer_type: Option<String>,
    },
    /// Several customizer configurations share the provider's customizer type.
    AmbiguousCustomizer {
        /// Their files.
        files: Vec<PathBuf>,
    },
}

impl fmt::Display for MissingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        let p = &self.property;
        match &self.reason {
            MissingReason::Unresolved {
                placeholder,
                variable,
                listed_without_value,
            } => {
                write!(
                    f,
                    "{p} in {file} is {placeholder}, which no variable resolves"
                )?;
                if *listed_without_value {
                    write!(
                        f,
                        " (the variables export lists {variable} but Cloud Manager never exports secret values)"
                    )?;
                }
                write!(
                    f,
                    "; set {variable} in the environment or in the file given with --vars"
                )
            }
            MissingReason::Encrypted => write!(
                f,
                "{p} in {file} is encrypted with an AEM instance's key, which imsbridge cannot open; give the secret from the Adobe Developer Console as a placeholder value instead"
            ),
            MissingReason::Absent => write!(f, "{p} is missing from {file}"),
            MissingReason::NoCustomizer { customizer_type } => match customizer_type {
                Some(t) => write!(
                    f,
                    "no IMSAccessTokenRequestCustomizerImpl configuration has customizer.type {t:?}, so the client secret of {file} is unknown; include its file"
                ),
                None => write!(
                    f,
                    "{file} names no token.request.customizer.type, so its client secret is unknown"
                ),
            },
            MissingReason::AmbiguousCustomizer { files } => {
                let list: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "several customizer configurations share the customizer type of {file} ({}); keep one",
                    list.join(", ")
                )
            }
        }
    }
}

/// Why something in the files could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The file is not valid in its format.
    Syntax,
    /// A property holds a value imsbridge cannot accept (an org id that is not one, …).
    InvalidValue,
    /// A required property is missing.
    MissingProperty,
    /// A configuration whose counterpart is missing (a customizer without a provider).
    Unpaired,
    /// Two configurations claim the same name.
    Conflict,
    /// The file is of a kind this format does not read.
    Unsupported,
}

impl ProblemKind {
    /// The key used in reports.
    pub fn key(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::InvalidValue => "invalid-value",
            Self::MissingProperty => "missing-property",
            Self::Unpaired => "unpaired",
            Self::Conflict => "conflict",
            Self::Unsupported => "unsupported",
        }
    }
}

/// A problem with one file (and property), which leaves the rest of the import unaffected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// The line, when known.
    pub line: Option<usize>,
    /// The property, when one is at fault.
    pub property: Option<String>,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong and how to fix it. Never holds a secret.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        file: impl Into<PathBuf>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            line: None,
            property: None,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, property: impl Into<String>) -> Self {
        self.property = Some(property.into());
        self
    }

    pub(crate) fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(p) = &self.property {
            write!(f, ": {p}")?;
        }
        write!(f, ": {}", self.message)
    }
}
