//! M2M quota over real HTTP: which audiences count, free's hard block, paid overage, and
//! fine-grained per-client quotas with their header and 429.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use quotaprobe::sim::{ClientQuota, SimClient, SimGrant};
use serde_json::{Value, json};
use sim_support::*;

const QUOTA_429: &str = r#"{"error":"too_many_requests","error_description":"Quota exceeded: monthly machine-to-machine token quota reached"}"#;

#[tokio::test]
async fn management_tokens_do_not_count_custom_ones_do_and_free_blocks_at_quota() {
    let mut config = demo("free");
    config.month_to_date_tokens = 998;
    let s = start(config);
    let c = http();
    let quota = |v: &Value| v["quota"].clone();

    mgmt_token(&c, &s).await;
    let st = stats(&c, &s).await;
    assert_eq!(
        quota(&st),
        json!({"monthly": 1000, "used": 998, "remaining": 2, "overage": 0})
    );

    token(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(stats(&c, &s).await["quota"]["used"], 999);
    token(&c, &s, ID, SECRET, CUSTOM).await;

    let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(r.status(), 429);
    assert!(
        r.headers().contains_key("x-ratelimit-limit"),
        "limited responses carry the bucket headers"
    );
    assert_eq!(r.text().await.unwrap(), QUOTA_429);
    // Management API tokens keep coming: they never count toward the quota.
    mgmt_token(&c, &s).await;

    let st = stats(&c, &s).await;
    assert_eq!(
        quota(&st),
        json!({"monthly": 1000, "used": 1000, "remaining": 0, "overage": 0})
    );
    assert_eq!(st["tokens_issued"][ID][CUSTOM], 2);
    assert_eq!(st["tokens_issued"][ID][s.management_audience()], 2);
    assert_eq!(st["rate_limited"]["monthly_quota"], 1);
    assert_eq!(st["requests"]["POST /oauth/token"], 5);
}

#[tokio::test]
async fn paid_tiers_keep_issuing_and_count_overage() {
    let mut config = demo("essentials");
    config.month_to_date_tokens = 999;
    let s = start(config);
    let c = http();
    for _ in 0..3 {
        token(&c, &s, ID, SECRET, CUSTOM).await;
    }
    let st = stats(&c, &s).await;
    assert_eq!(
        st["quota"],
        json!({"monthly": 1000, "used": 1002, "remaining": 0, "overage": 2})
    );
}

#[tokio::test]
async fn manual_tokens_are_not_m2m_issuances() {
    let s = start(demo("free"));
    let c = http();
    let body = json!({"audience": CUSTOM, "scope": "read:data", "expires_in": 60});
    let r = c
        .post(format!("{}/__sim/manual-token", s.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["expires_in"].as_u64(), v["scope"].as_str()),
        (Some(60), Some("read:data"))
    );
    let st = stats(&c, &s).await;
    assert_eq!(
        (st["quota"]["used"].as_u64(), st["manual_tokens"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(st["tokens_issued"], json!({}));
}

fn quota_header_parts(h: &str) -> Vec<(String, u64, u64, u64)> {
    h.split(',')
        .map(|bucket| {
            let kv: Vec<(&str, &str)> = bucket
                .split(';')
                .map(|p| p.split_once('=').unwrap())
                .collect();
            let get = |k: &str| kv.iter().find(|(key, _)| *key == k).unwrap().1;
            (
                get("b").to_string(),
                get("q").parse().unwrap(),
                get("r").parse().unwrap(),
                get("t").parse().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn fine_grained_client_quota_header_and_429() {
    let mut config = demo("enterprise");
    config.clients.push(SimClient {
        name: "limited".into(),
        client_id: "limited-client".into(),
        client_secret: "limited-secret".into(),
        grants: vec![SimGrant {
            audience: CUSTOM.into(),
            scopes: vec![],
        }],
        quota: Some(ClientQuota {
            per_hour: Some(2),
            per_day: Some(5),
            enforce: true,
        }),
    });
    let s = start(config);
    let c = http();
    for remaining in [1u64, 0] {
        let r = token_request(&c, &s, "limited-client", "limited-secret", CUSTOM).await;
        assert_eq!(r.status(), 200);
        let parts = quota_header_parts(&header(&r, "auth0-client-quota-limit"));
        let now = epoch_now();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].0.as_str(), parts[0].1, parts[0].2),
            ("per_hour", 2, remaining)
        );
        assert_eq!(
            (parts[1].0.as_str(), parts[1].1, parts[1].2),
            ("per_day", 5, 4 - (1 - remaining))
        );
        let to_hour = 3_600 - now % 3_600;
        assert!(
            parts[0].3.abs_diff(to_hour) <= 1,
            "t={} vs {to_hour}",
            parts[0].3
        );
    }
    let r = token_request(&c, &s, "limited-client", "limited-secret", CUSTOM).await;
    let now = epoch_now();
    assert_eq!(r.status(), 429);
    let retry_after = header_u64(&r, "retry-after");
    assert!(
        retry_after.abs_diff(3_600 - now % 3_600) <= 1,
        "Retry-After {retry_after}"
    );
    assert_eq!(header_u64(&r, "x-ratelimit-limit"), 2);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 0);
    assert!(header_u64(&r, "x-ratelimit-reset").abs_diff(now + retry_after) <= 1);
    let parts = quota_header_parts(&header(&r, "auth0-client-quota-limit"));
    assert_eq!((parts[0].1, parts[0].2, parts[1].2), (2, 0, 3));
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error":"too_many_requests","error_description":"Client quota exceeded"}"#
    );
    // Other clients are not affected, and the demo client has no quota header.
    let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("auth0-client-quota-limit").is_none());
    let st = stats(&c, &s).await;
    assert_eq!(st["tokens_issued"]["limited-client"][CUSTOM], 2);
    assert_eq!(st["rate_limited"]["client_quota:limited-client"], 1);
}
