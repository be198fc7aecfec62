//! The simulated Auth0 tenant: token endpoint, JWKS, a Management API subset over an in-memory
//! store, per-tier token buckets, the monthly M2M quota ledger and per-client quotas.
//!
//! Started standalone by `quotaprobe serve` or in process by the run command ([`start`]), always
//! on loopback. The engine reaches it only over HTTP, like a real tenant — or, in a fast-forward
//! run, through its router in process ([`router_from`], driven by `src/fastforward/`). Owns no scenario or
//! report logic. Fault injection is data in `faults` and a middleware in front of the routes
//! (`routes/faults.rs`).
//!
//! Map: `config` (what to start), `tier` + `route` (limits as data), `bucket` + `limiter` (rate
//! limits), `ledger` (quotas), `jwt` + `auth` (tokens), `users` + `directory` + `logs` (store),
//! `stats` (own counters), `tenant` (shared state), `server` (lifecycle), `routes/` (HTTP).

// Early returns of ready HTTP responses (`Result<_, Response>`) are the point in routes; boxing
// them would only add an allocation per error.
#![allow(clippy::result_large_err)]

mod auth;
pub mod bucket;
mod clock;
pub mod config;
mod directory;
mod error;
pub mod faults;
pub mod jwt;
pub mod ledger;
pub mod limit;
pub mod limiter;
mod logs;
mod peer;
pub mod reply;
pub mod route;
mod routes;
mod server;
pub mod stats;
mod tenant;
pub mod tier;
pub mod tls;
mod users;

pub use clock::Clock;
pub use config::{ClientQuota, MANAGEMENT, SimApi, SimClient, SimConfig, SimGrant};
pub use error::SimError;
pub use faults::Faults;
pub use server::{
    RunningSim, listen_addr, loopback_addr as server_addr, router, router_from, serve, serve_tls,
    start,
};
pub use tier::TierProfile;
pub use users::seeded_rows;

/// The demo client's id, documented in the README.
pub const DEMO_CLIENT_ID: &str = "quotaprobe-demo-client";
/// The demo client's secret, documented in the README. Only the simulator accepts it.
pub const DEMO_CLIENT_SECRET: &str = "quotaprobe-demo-secret";

/// `prefix` + `len` random alphanumeric characters (ids, secrets, `jti`).
pub(crate) fn random_id(prefix: &str, len: usize) -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    for _ in 0..len {
        let i = rng.random_range(0..ALPHABET.len());
        out.push(char::from(ALPHABET[i]));
    }
    out
}
