//! The Management API subset over real HTTP: users CRUD and paging, users-by-email, clients,
//! resource servers, organizations, logs, daily stats; and `/__sim/stats` request counts.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use serde_json::{Value, json};
use sim_support::*;

#[tokio::test]
async fn users_paging_crud_and_lookup() {
    let s = start(demo("private-cloud-1500"));
    let c = http();
    let t = mgmt_token(&c, &s).await;
    let base = s.base_url();
    let get = |path: String| {
        let c = c.clone();
        let t = t.clone();
        async move { c.get(path).bearer_auth(t).send().await.unwrap() }
    };
    let page: Value = get(format!(
        "{base}/api/v2/users?page=2&per_page=20&include_totals=true"
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            page["start"].as_u64(),
            page["limit"].as_u64(),
            page["length"].as_u64(),
            page["total"].as_u64()
        ),
        (Some(40), Some(20), Some(10), Some(50))
    );
    assert_eq!(page["users"].as_array().unwrap().len(), 10);
    let bare: Value = get(format!("{base}/api/v2/users?per_page=3"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bare.as_array().unwrap().len(), 3);
    let bad = get(format!("{base}/api/v2/users?per_page=101")).await;
    assert_eq!(bad.status(), 400);

    let body = json!({"email": "new@example.com", "connection": "Username-Password-Authentication", "password": "x"});
    let r = c
        .post(format!("{base}/api/v2/users"))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let dup = c
        .post(format!("{base}/api/v2/users"))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let found: Value = get(format!(
        "{base}/api/v2/users-by-email?email=new@example.com"
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(found[0]["user_id"], id.as_str());
    let enc = id.replace('|', "%7C");
    let r = c
        .patch(format!("{base}/api/v2/users/{enc}"))
        .bearer_auth(&t)
        .json(&json!({"name": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Renamed");
    let r = c
        .delete(format!("{base}/api/v2/users/{enc}"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        get(format!("{base}/api/v2/users/{enc}")).await.status(),
        404
    );

    let st = stats(&c, &s).await;
    let want = json!({
        "GET /api/v2/users": 3, "POST /api/v2/users": 2, "GET /api/v2/users-by-email": 1,
        "PATCH /api/v2/users/{id}": 1, "DELETE /api/v2/users/{id}": 1, "GET /api/v2/users/{id}": 1,
        "POST /oauth/token": 1,
    });
    assert_eq!(st["requests"], want);
}

#[tokio::test]
async fn clients_apis_organizations_logs_and_daily_stats() {
    let s = start(demo("private-cloud-1500"));
    let c = http();
    let t = mgmt_token(&c, &s).await;
    let base = s.base_url();
    let get = |path: &str| c.get(format!("{base}{path}")).bearer_auth(&t).send();
    let clients: Value = get("/api/v2/clients").await.unwrap().json().await.unwrap();
    assert_eq!(clients[0]["client_id"], ID);
    assert!(clients[0].get("client_secret").is_none());
    assert_eq!(
        get(&format!("/api/v2/clients/{ID}"))
            .await
            .unwrap()
            .status(),
        200
    );
    let apis: Value = get("/api/v2/resource-servers")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = apis
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![s.management_audience().as_str(), CUSTOM]);
    let orgs: Value = get("/api/v2/organizations?include_totals=true")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orgs["total"], 10);
    let org_id = orgs["organizations"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        get(&format!("/api/v2/organizations/{org_id}"))
            .await
            .unwrap()
            .status(),
        200
    );
    let logs: Value = get("/api/v2/logs").await.unwrap().json().await.unwrap();
    assert_eq!(logs[0]["type"], "seccft", "the token exchange is logged");
    let daily: Value = get("/api/v2/stats/daily")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(daily[0]["logins"], 0);
}
