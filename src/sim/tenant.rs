//! One tenant's shared state, handed to every route as a cheap `Arc` handle. Each part has its
//! own short-lived lock; none is held across an `.await` or an RSA operation.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::macros::format_description;

use super::SimError;
use super::clock::Clock;
use super::config::SimConfig;
use super::directory::Directory;
use super::faults::{Dice, Faults};
use super::jwt::{Claims, JwtError, KeyCell};
use super::ledger::{ClientCounter, MonthlyLedger};
use super::limiter::Limiter;
use super::logs::Logs;
use super::stats::Stats;
use super::tier::TierProfile;
use super::users::Users;

/// A verified token, cached by the hash of its string.
#[derive(Debug, Clone)]
pub struct Verified {
    pub aud: String,
    pub exp: u64,
    pub scopes: Vec<String>,
}

pub struct Tenant {
    pub clock: Clock,
    pub keys: KeyCell,
    pub domain: String,
    pub issuer: String,
    pub management_audience: String,
    pub tier: TierProfile,
    pub limiter: Limiter,
    pub directory: Mutex<Directory>,
    pub users: Mutex<Users>,
    pub logs: Mutex<Logs>,
    pub monthly: Mutex<MonthlyLedger>,
    pub client_counters: Mutex<HashMap<String, ClientCounter>>,
    pub stats: Stats,
    pub faults: Faults,
    pub dice: Dice,
    verified: Mutex<HashMap<u64, Verified>>,
    hasher: RandomState,
    /// The last token signed per (client, audience, scope) with its claims (`issue`).
    signed: Mutex<HashMap<SignedKey, (Claims, String)>>,
}

pub type Shared = Arc<Tenant>;

/// (client id, audience, scope): one memoized token each (`Tenant::issue`).
type SignedKey = (String, String, String);

/// Lock, recovering the data if a previous holder panicked (counters stay usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Past this many cached verifications the cache starts over (memory stays flat).
const VERIFIED_CAP: usize = 100_000;
/// Past this many (client, audience, scope) keys the signature memo starts over.
const SIGNED_CAP: usize = 10_000;

impl Tenant {
    /// Build the tenant for a server bound at `addr`.
    pub fn build(config: &SimConfig, addr: SocketAddr) -> Result<Self, SimError> {
        config.validate()?;
        let domain = config.domain.clone().unwrap_or_else(|| addr.to_string());
        let issuer = format!("https://{domain}/");
        let management_audience = format!("https://{domain}/api/v2/");
        let directory =
            Directory::from_config(config, &management_audience).map_err(SimError::Config)?;
        let clock = Clock::new();
        let now = rfc3339(clock.epoch_at(Duration::ZERO));
        Ok(Tenant {
            keys: KeyCell::new(config.key_bits, config.lazy_keys)?,
            domain,
            issuer,
            management_audience,
            limiter: Limiter::new(config.tier.refill),
            directory: Mutex::new(directory),
            users: Mutex::new(Users::seeded(config.users, &now)),
            logs: Mutex::new(Logs::default()),
            monthly: Mutex::new(
                MonthlyLedger::new(
                    config.tier.monthly_m2m_quota,
                    config.tier.quota_hard_block,
                    config.month_to_date_tokens,
                )
                .with_history(config.tier.quota_trigger, config.previous_months_tokens),
            ),
            client_counters: Mutex::new(HashMap::new()),
            stats: Stats::default(),
            faults: config.faults.clone(),
            dice: Dice::default(),
            verified: Mutex::new(HashMap::new()),
            hasher: RandomState::new(),
            signed: Mutex::new(HashMap::new()),
            tier: config.tier.clone(),
            clock,
        })
    }

    /// Current wall-clock time as Auth0 prints it.
    pub fn now_rfc3339(&self) -> String {
        rfc3339(self.clock.epoch_at(self.clock.elapsed()))
    }

    pub fn log(&self, kind: &str, description: &str, client_id: &str) {
        let now = self.now_rfc3339();
        lock(&self.logs).push(&now, kind, description, client_id);
    }

    /// Signs `claims` into an access token the tenant issues. An identical claim set (the same
    /// client, audience, scope and `iat` second: Auth0's tokens carry no `jti`) gets the last
    /// token signed for its key again, so a token per request costs one RSA signature per
    /// second per key, not one per request; a new token goes into the verification cache, so
    /// the tenant's own bearer check never verifies it with RSA (a client still can: it is an
    /// RS256 JWT under the JWKS key). Locks are not held while signing.
    pub fn issue(&self, claims: &Claims) -> Result<String, JwtError> {
        let key = (claims.azp.clone(), claims.aud.clone(), claims.scope.clone());
        if let Some((last, token)) = lock(&self.signed).get(&key)
            && last == claims
        {
            return Ok(token.clone());
        }
        let token = self.keys.sign(claims)?;
        self.cache(
            &token,
            Verified {
                aud: claims.aud.clone(),
                exp: claims.exp,
                scopes: claims
                    .scope
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            },
        );
        let mut signed = lock(&self.signed);
        if signed.len() >= SIGNED_CAP {
            signed.clear();
        }
        signed.insert(key, (claims.clone(), token.clone()));
        Ok(token)
    }

    pub fn cached(&self, token: &str) -> Option<Verified> {
        let key = self.hasher.hash_one(token);
        lock(&self.verified).get(&key).cloned()
    }

    pub fn cache(&self, token: &str, verified: Verified) {
        let key = self.hasher.hash_one(token);
        let mut map = lock(&self.verified);
        if map.len() >= VERIFIED_CAP {
            map.clear();
        }
        map.insert(key, verified);
    }
}

/// `2026-11-23T19:11:04.123Z`.
pub fn rfc3339(epoch: Duration) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    let nanos = i128::try_from(epoch.as_nanos()).unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}
