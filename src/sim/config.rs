//! What a simulated tenant holds at start: tier, clients with grants and quotas, custom APIs,
//! seeded data. Built by `serve` (the demo tenant) or by the run command from a scenario.

use super::faults::Faults;
use super::tier::TierProfile;
use super::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SimError};

/// A grant audience that stands for the tenant's Management API (`https://{domain}/api/v2/`),
/// resolved when the server binds, because the domain defaults to the listen address.
pub const MANAGEMENT: &str = "management";

/// Default access-token lifetime in seconds [AT-LIFE].
pub const DEFAULT_TOKEN_LIFETIME_S: u64 = 86_400;
/// Largest access-token lifetime Auth0 allows, in seconds [AT-LIFE].
pub const MAX_TOKEN_LIFETIME_S: u64 = 2_592_000;

/// Every scope the simulated Management API knows; a `management` grant with no scopes gets all.
pub const MANAGEMENT_SCOPES: &[&str] = &[
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:clients",
    "update:client_keys",
    "read:client_grants",
    "create:client_grants",
    "delete:client_grants",
    "read:resource_servers",
    "read:organizations",
    "read:logs",
    "read:stats",
];

/// Configuration of one simulated tenant.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub tier: TierProfile,
    /// Tenant domain; `None` = the listen address (`127.0.0.1:PORT`).
    pub domain: Option<String>,
    pub clients: Vec<SimClient>,
    /// Custom APIs (resource servers). Their tokens count toward the monthly M2M quota.
    pub apis: Vec<SimApi>,
    /// Users seeded in the store.
    pub users: u32,
    /// Organizations seeded in the store.
    pub organizations: u32,
    /// M2M tokens already used this month when the tenant starts.
    pub month_to_date_tokens: u64,
    /// M2M tokens of the month before last and of last month (for the tier's 3-month average).
    pub previous_months_tokens: [u64; 2],
    /// Lifetime of Management API tokens, in seconds (1 ..= 2,592,000).
    pub management_token_lifetime_s: u64,
    /// RSA modulus size for the signing key (2048..=8192; Auth0 uses 2048).
    pub key_bits: usize,
    /// Faults to inject (none by default).
    pub faults: Faults,
    /// Make the signing key on first use, not when the tenant is built: for a run that sends
    /// nothing to the tenant (set from the plan by the CLI; false by default).
    pub lazy_keys: bool,
}

/// An application with client-credentials access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimClient {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub grants: Vec<SimGrant>,
    pub quota: Option<ClientQuota>,
}

/// A client grant: the client may get tokens for `audience` with (a subset of) `scopes`.
/// `audience` = [`MANAGEMENT`] means the tenant's Management API; empty `scopes` = every scope
/// of that API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimGrant {
    pub audience: String,
    pub scopes: Vec<String>,
}

/// A custom API (resource server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimApi {
    pub audience: String,
    pub token_lifetime_s: u64,
    pub scopes: Vec<String>,
}

/// A fine-grained per-client token quota (calendar UTC hour and day) [FGQ].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientQuota {
    pub per_hour: Option<u64>,
    pub per_day: Option<u64>,
    /// false: never refuse, only count and report.
    pub enforce: bool,
}

impl SimApi {
    /// A custom API with the default lifetime and no scopes.
    pub fn new(audience: impl Into<String>) -> Self {
        SimApi {
            audience: audience.into(),
            token_lifetime_s: DEFAULT_TOKEN_LIFETIME_S,
            scopes: Vec::new(),
        }
    }
}

impl SimConfig {
    /// A tenant with no clients and no custom APIs.
    pub fn new(tier: TierProfile) -> Self {
        SimConfig {
            tier,
            domain: None,
            clients: Vec::new(),
            apis: Vec::new(),
            users: 1_000,
            organizations: 10,
            month_to_date_tokens: 0,
            previous_months_tokens: [0, 0],
            management_token_lifetime_s: DEFAULT_TOKEN_LIFETIME_S,
            key_bits: 2048,
            faults: Faults::default(),
            lazy_keys: false,
        }
    }

    /// The demo tenant `serve` starts: the demo client, granted the Management API (all scopes)
    /// and one custom API, `https://api.example.com/` (scopes `read:data write:data`).
    pub fn demo(tier: TierProfile) -> Self {
        let mut config = SimConfig::new(tier);
        let mut api = SimApi::new("https://api.example.com/");
        api.scopes = vec!["read:data".into(), "write:data".into()];
        config.apis.push(api);
        config.clients.push(SimClient {
            name: "quotaprobe demo".into(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            grants: vec![
                SimGrant {
                    audience: MANAGEMENT.into(),
                    scopes: Vec::new(),
                },
                SimGrant {
                    audience: "https://api.example.com/".into(),
                    scopes: Vec::new(),
                },
            ],
            quota: None,
        });
        config
    }

    /// Check the rules that do not depend on the bound address.
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |m: String| Err(SimError::Config(m));
        let lifetime_ok = |s: u64| (1..=MAX_TOKEN_LIFETIME_S).contains(&s);
        if !lifetime_ok(self.management_token_lifetime_s) {
            return bad(format!(
                "management_token_lifetime_s = {} must be 1..={MAX_TOKEN_LIFETIME_S}",
                self.management_token_lifetime_s
            ));
        }
        for api in &self.apis {
            if !lifetime_ok(api.token_lifetime_s) {
                return bad(format!(
                    "api {:?}: token_lifetime_s = {} must be 1..={MAX_TOKEN_LIFETIME_S}",
                    api.audience, api.token_lifetime_s
                ));
            }
        }
        if !(2048..=8192).contains(&self.key_bits) {
            return bad(format!("key_bits = {} must be 2048..=8192", self.key_bits));
        }
        for (i, c) in self.clients.iter().enumerate() {
            if c.client_id.is_empty() || c.client_secret.is_empty() {
                return bad(format!(
                    "clients[{i}] ({:?}): client_id and client_secret must not be empty",
                    c.name
                ));
            }
            if self.clients[..i].iter().any(|o| o.client_id == c.client_id) {
                return bad(format!(
                    "clients[{i}]: duplicate client_id {:?}",
                    c.client_id
                ));
            }
        }
        Ok(())
    }
}
