//! The simulated Auth0 tenant: not built yet (issue 3).

/// The demo client's id, documented in the README.
pub const DEMO_CLIENT_ID: &str = "quotaprobe-demo-client";
/// The demo client's secret, documented in the README. Only the simulator accepts it.
pub const DEMO_CLIENT_SECRET: &str = "quotaprobe-demo-secret";
