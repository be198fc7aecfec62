//! Shared helpers for the simulator's integration tests: start a tenant, get tokens, read stats.
#![allow(clippy::unwrap_used, dead_code)]

use quotaprobe::sim::{self, RunningSim, SimConfig, tier};
use reqwest::{Client, Response};
use serde_json::Value;

pub const ID: &str = sim::DEMO_CLIENT_ID;
pub const SECRET: &str = sim::DEMO_CLIENT_SECRET;
pub const CUSTOM: &str = "https://api.example.com/";

pub fn demo(tier_name: &str) -> SimConfig {
    let mut c = SimConfig::demo(tier::builtin(tier_name).unwrap());
    c.users = 50;
    c
}

pub fn start(config: SimConfig) -> RunningSim {
    sim::start(config, "127.0.0.1:0").unwrap()
}

pub fn http() -> Client {
    Client::builder().build().unwrap()
}

pub async fn token_request(
    c: &Client,
    s: &RunningSim,
    id: &str,
    secret: &str,
    audience: &str,
) -> Response {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
        ("audience", audience),
    ];
    c.post(format!("{}/oauth/token", s.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&form))
        .send()
        .await
        .unwrap()
}

/// `application/x-www-form-urlencoded` (reqwest's `form` feature is not enabled in this crate).
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let enc = |v: &str| {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A token for (id, secret, audience); panics with the body if refused.
pub async fn token(c: &Client, s: &RunningSim, id: &str, secret: &str, audience: &str) -> String {
    let resp = token_request(c, s, id, secret, audience).await;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

pub async fn mgmt_token(c: &Client, s: &RunningSim) -> String {
    token(c, s, ID, SECRET, &s.management_audience()).await
}

pub async fn stats(c: &Client, s: &RunningSim) -> Value {
    c.get(format!("{}/__sim/stats", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub fn header(resp: &Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub fn header_u64(resp: &Response, name: &str) -> u64 {
    header(resp, name)
        .parse()
        .unwrap_or_else(|_| panic!("header {name} missing or not a number"))
}

pub fn epoch_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
