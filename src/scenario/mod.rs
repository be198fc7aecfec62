//! Scenario files: the TOML model, validation, and the resolved [`RunPlan`].
//!
//! Only this module knows the file's shape. `load` parses, interpolates `${VAR}`s, validates and
//! resolves; every error names `file:line:column`, the key path and the fix.

pub mod plan;
pub mod secret;

pub use plan::*;
pub use secret::Secret;
