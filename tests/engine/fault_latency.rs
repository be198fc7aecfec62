//! The simulator's added-latency fault end to end: every answer is held 40–60 ms, and the run's
//! latency columns show it (corrected and service time alike), with nothing counted as failed.
#![allow(clippy::unwrap_used)]

use crate::support::contract;

use std::time::Duration;

use assert_cmd::Command;

#[test]
fn added_latency_shows_in_the_latency_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("slow.toml");
    std::fs::write(
        &scenario,
        r#"name = "slow"
[target.simulated]
tier = "enterprise"
[target.simulated.faults]
latency = "40ms"
latency_max = "60ms"
[[operations]]
name = "tok"
kind = "token"
audience = "https://api.example.com/"
[[phases]]
duration = "2s"
rate = 10
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["run", "--quiet"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    contract::check_report(&out);
    let rows = contract::csv_rows(&out.join("summary.csv"));
    let tok = rows.iter().find(|r| r["operation"] == "tok").unwrap();
    let f = |k: &str| tok[k].parse::<f64>().unwrap();
    assert_eq!(f("sent") + f("dropped"), 20.0);
    assert_eq!(f("ok"), f("sent"), "{tok:?}");
    // Without the fault a token takes a few ms here; with it, never less than 40 ms.
    for col in ["p50_ms", "service_p50_ms"] {
        assert!((40.0..1000.0).contains(&f(col)), "{col} {}", f(col));
    }
    assert!(f("max_ms") >= 40.0 && f("p99_ms") >= f("p50_ms"));
}
