//! `quotaprobe serve --export-users FILE`: the seeded users as a CSV data file, and a tenant
//! seeded with as many users holds exactly those ids (an unknown id gets Auth0's 404 body).
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use serde_json::Value;

use crate::support::sim as sim_support;
use sim_support::*;

#[tokio::test]
async fn exported_ids_are_the_tenants_users() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.csv");
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["serve", "--users", "40", "--export-users"])
        .arg(&file)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote 40 users to"));
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 41);
    assert_eq!(lines[0], "user_id,email,name");

    let mut config = demo("private-cloud-1500");
    config.users = 40;
    let s = start(config);
    let c = http();
    let t = mgmt_token(&c, &s).await;
    for line in &lines[1..] {
        let mut fields = line.split(',');
        let (id, email) = (fields.next().unwrap(), fields.next().unwrap());
        let resp = c
            .get(format!("{}/api/v2/users/{id}", s.base_url()))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{id}");
        let user: Value = resp.json().await.unwrap();
        assert_eq!(user["email"].as_str(), Some(email));
    }
    let resp = c
        .get(format!("{}/api/v2/users/auth0|nope", s.base_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errorCode"].as_str(),
        Some("inexistent_user"),
        "{body}"
    );
    assert_eq!(
        body["message"].as_str(),
        Some("The user does not exist."),
        "{body}"
    );
}
