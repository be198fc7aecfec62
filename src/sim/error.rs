//! `SimError`: everything that can stop the simulated tenant from starting or serving.
//!
//! Request-level failures are HTTP responses (Auth0 bodies), never a `SimError`.

use std::path::PathBuf;

/// Why the simulator could not start, load a tier, or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address is not a loopback address (the simulator never listens elsewhere).
    #[error(
        "--addr {0}: the simulated tenant only listens on loopback (127.0.0.1, ::1), or with --private-addr on a private IPv4 address; use e.g. 127.0.0.1:0"
    )]
    NotLoopback(String),
    /// The listen address could not be parsed.
    #[error("--addr {0}: not an IP:PORT address, e.g. 127.0.0.1:4000")]
    BadAddr(String),
    /// Binding, accepting or serving failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// An unknown built-in tier name.
    #[error("unknown tier {name:?}; built-in tiers: {known}")]
    UnknownTier { name: String, known: String },
    /// A tier profile file could not be read.
    #[error("{path}: cannot read tier file: {source}", path = path.display())]
    TierRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A tier profile is not valid TOML or breaks a rule.
    #[error("{origin}: {message}")]
    TierInvalid { origin: String, message: String },
    /// The simulator configuration breaks a rule (names the field).
    #[error("simulator config: {0}")]
    Config(String),
    /// Generating or encoding the signing key failed.
    #[error("signing key: {0}")]
    Key(String),
    /// The simulator thread ended before it was listening.
    #[error("simulator thread ended before it was listening")]
    ThreadGone,
}
