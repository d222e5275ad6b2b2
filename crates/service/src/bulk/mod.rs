//! Migration at scale: plans of many JWT configurations migrated by hand (with a dry run,
//! verification, a report and safe reruns), and the automatic migration of auto-provisioned
//! ones. Every migration goes through [`crate::integrations::migrate`].

pub mod apply;
pub mod auto;
pub mod csv;
pub mod lock;
pub mod plan;
pub mod report;
pub mod source;

pub use apply::{ApplyError, ApplyOptions, Observer, Problem, Quiet, apply};
pub use auto::{AutoMigration, AutoRunReport, AutoStatus, Backoff};
pub use plan::{Plan, PlanFormat, PlanOptions, PlanRow};
pub use report::{Outcome, Report, RowReport};
pub use source::{CredentialSource, SourceError};
