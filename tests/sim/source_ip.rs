//! IP-keyed buckets over real HTTP: a tier whose token-endpoint bucket has `key = "ip"` gives
//! each source address its own bucket (127.0.0.1 and 127.0.0.2 are both loopback on Linux, so
//! no namespace is needed), a tenant-keyed one is shared; `/__sim/stats` counts requests and
//! 429s per source address.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use std::net::{IpAddr, Ipv4Addr};

use quotaprobe::sim::{SimConfig, tier};
use serde_json::Value;
use sim_support::*;

/// Burst 3, one token a minute: nothing refills while the test runs.
fn profile(key: &str) -> SimConfig {
    let text = format!(
        r#"name = "ip-test"
[[token_endpoint]]
name = "oauth_token_ip"
burst = 3
rate = 1
per = "minute"
key = "{key}"
source = "assumed: test"
[quota]
source = "assumed: test"
"#
    );
    let mut c = SimConfig::demo(tier::parse(&text, "test").unwrap());
    c.users = 5;
    c
}

fn from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .unwrap()
}

/// Statuses of `n` token requests from 127.0.0.`last`.
async fn statuses(s: &quotaprobe::sim::RunningSim, last: u8, n: usize) -> Vec<u16> {
    let c = from(last);
    let mut out = Vec::new();
    for _ in 0..n {
        let r = token_request(&c, s, ID, SECRET, CUSTOM).await;
        if r.status() == 200 || r.status() == 429 {
            assert_eq!(header(&r, "x-ratelimit-limit"), "3");
        }
        out.push(r.status().as_u16());
    }
    out
}

async fn stats(s: &quotaprobe::sim::RunningSim) -> Value {
    from(1)
        .get(format!("{}/__sim/stats", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_ip_keyed_bucket_is_one_per_source_address() {
    let s = start(profile("ip"));
    assert_eq!(statuses(&s, 1, 4).await, [200, 200, 200, 429]);
    assert_eq!(statuses(&s, 2, 4).await, [200, 200, 200, 429]);
    let v = stats(&s).await;
    for ip in ["127.0.0.1", "127.0.0.2"] {
        assert_eq!(v["sources"][ip]["requests"], 4, "{v}");
        assert_eq!(v["sources"][ip]["status_429"], 1, "{v}");
    }
    assert_eq!(v["rate_limited"]["oauth_token_ip"], 2, "{v}");
    assert_eq!(v["requests"]["POST /oauth/token"], 8, "{v}");
}

#[tokio::test]
async fn a_tenant_keyed_bucket_is_shared_by_every_source() {
    let s = start(profile("tenant"));
    assert_eq!(statuses(&s, 1, 2).await, [200, 200]);
    assert_eq!(statuses(&s, 2, 3).await, [200, 429, 429]);
    let v = stats(&s).await;
    assert_eq!(v["sources"]["127.0.0.1"]["status_429"], 0, "{v}");
    assert_eq!(v["sources"]["127.0.0.2"]["requests"], 3, "{v}");
    assert_eq!(v["sources"]["127.0.0.2"]["status_429"], 2, "{v}");
    assert_eq!(v["rate_limited"]["oauth_token_ip"], 2, "{v}");
}
