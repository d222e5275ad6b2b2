//! Placeholder root; filled in by the crate owner.
