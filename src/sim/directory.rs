//! Applications, APIs (resource servers), client grants and organizations of the tenant: what
//! the token endpoint consults and the Management API changes (rotate secret, grants).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::config::{ClientQuota, MANAGEMENT, MANAGEMENT_SCOPES, SimConfig};
use super::random_id;

/// A resource server.
#[derive(Debug, Clone)]
pub struct Api {
    pub id: String,
    pub name: String,
    pub audience: String,
    pub scopes: Vec<String>,
    pub token_lifetime_s: u64,
    /// Auth0's own API (Management): tokens never count toward the M2M quota.
    pub is_system: bool,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub secret: String,
    pub quota: Option<ClientQuota>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub audience: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Directory {
    pub apis: Vec<Api>,
    pub clients: BTreeMap<String, Client>,
    pub grants: Vec<Grant>,
    pub organizations: Vec<Value>,
}

impl Directory {
    /// Build from the config, with `management_audience` resolved for this bind.
    pub fn from_config(config: &SimConfig, management_audience: &str) -> Result<Self, String> {
        let mut dir = Directory::default();
        dir.apis.push(Api {
            id: random_id("", 24),
            name: "Auth0 Management API".into(),
            audience: management_audience.to_string(),
            scopes: MANAGEMENT_SCOPES.iter().map(|s| s.to_string()).collect(),
            token_lifetime_s: config.management_token_lifetime_s,
            is_system: true,
        });
        for api in &config.apis {
            if dir.api(&api.audience).is_some() {
                return Err(format!("api {:?} is registered twice", api.audience));
            }
            dir.apis.push(Api {
                id: random_id("", 24),
                name: api.audience.clone(),
                audience: api.audience.clone(),
                scopes: api.scopes.clone(),
                token_lifetime_s: api.token_lifetime_s,
                is_system: false,
            });
        }
        for c in &config.clients {
            dir.clients.insert(
                c.client_id.clone(),
                Client {
                    client_id: c.client_id.clone(),
                    name: c.name.clone(),
                    secret: c.client_secret.clone(),
                    quota: c.quota,
                },
            );
            for g in &c.grants {
                let audience = if g.audience == MANAGEMENT {
                    management_audience
                } else {
                    &g.audience
                };
                let api = dir.api(audience).ok_or_else(|| {
                    format!("client {:?}: grant for unknown audience {:?} (register it in apis, or use \"{MANAGEMENT}\")", c.client_id, g.audience)
                })?;
                let scopes = if g.scopes.is_empty() {
                    api.scopes.clone()
                } else {
                    g.scopes.clone()
                };
                dir.grants.push(Grant {
                    id: random_id("cgr_", 16),
                    client_id: c.client_id.clone(),
                    audience: audience.to_string(),
                    scopes,
                });
            }
        }
        for i in 0..config.organizations {
            dir.organizations.push(json!({
                "id": format!("org_{:016x}", i + 1),
                "name": format!("org-{i}"),
                "display_name": format!("Organization {i}"),
            }));
        }
        Ok(dir)
    }

    pub fn api(&self, audience: &str) -> Option<&Api> {
        self.apis.iter().find(|a| a.audience == audience)
    }

    pub fn grant(&self, client_id: &str, audience: &str) -> Option<&Grant> {
        self.grants
            .iter()
            .find(|g| g.client_id == client_id && g.audience == audience)
    }

    /// A client as `GET /api/v2/clients` shows it (`with_secret` after rotation).
    pub fn client_json(c: &Client, with_secret: bool) -> Value {
        let mut v = json!({
            "client_id": c.client_id, "name": c.name, "app_type": "non_interactive",
            "grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_post",
            "is_first_party": true,
        });
        if let (true, Value::Object(m)) = (with_secret, &mut v) {
            m.insert("client_secret".into(), json!(c.secret));
        }
        if let (Some(q), Value::Object(m)) = (c.quota, &mut v) {
            m.insert(
                "token_quota".into(),
                json!({"client_credentials": {"per_hour": q.per_hour, "per_day": q.per_day, "enforce": q.enforce}}),
            );
        }
        v
    }

    pub fn grant_json(g: &Grant) -> Value {
        json!({"id": g.id, "client_id": g.client_id, "audience": g.audience, "scope": g.scopes, "subject_type": "client"})
    }

    pub fn api_json(a: &Api) -> Value {
        let scopes: Vec<Value> = a
            .scopes
            .iter()
            .map(|s| json!({"value": s, "description": s}))
            .collect();
        json!({
            "id": a.id, "name": a.name, "identifier": a.audience, "is_system": a.is_system,
            "scopes": scopes, "signing_alg": "RS256", "token_lifetime": a.token_lifetime_s,
            "allow_offline_access": false, "skip_consent_for_verifiable_first_party_clients": true,
        })
    }
}
