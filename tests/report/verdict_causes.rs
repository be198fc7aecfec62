//! The verdict names causes, times and numbers, from real runs (fast-forward, the simulator in
//! process): failures tied to the event before them, retry amplification, the first 429's
//! bucket, the sustainable rate and a job's time at it, and what a token cache would save.
#![allow(clippy::unwrap_used)]

use crate::rates::{RETRIED, run_ff};
use crate::support::contract::check_report;

fn verdict(dir: &std::path::Path) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    json["verdict"]["text"].as_str().unwrap().to_string()
}

#[test]
fn retries_and_the_first_429_are_named_with_the_bucket_and_a_sustainable_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, text) = run_ff(RETRIED, tmp.path(), "out", &["--quiet"]);
    assert_eq!(code, 0, "{text}");
    let out = tmp.path().join("out");
    check_report(&out);
    let v = verdict(&out);
    assert!(
        v.contains("The first 429 came 0.1 s into the run, on users, whose bucket is management (2 burst / 2 per s)."),
        "{v}"
    );
    // Exact on the virtual clock (same seed, same count every run); 540 before the merge with
    // the local job queue and the job lanes, 535 since.
    assert!(
        v.contains("Retries multiplied the load the rate limit saw: users was offered 20.0/s but the wire saw 73.5/s (3.7×, 535 retries)."),
        "{v}"
    );
    assert!(
        v.contains("Recommendations: users can sustain 2.0/s on free (its management bucket refills 2 per s, burst 2; this run offered 20.0/s), so a job of 200 requests takes 1 min 40 s at that rate."),
        "{v}"
    );
    // The same words in report.md, and run.csv names the operation's bucket.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Retries multiplied the load"), "{md}");
    let run = std::fs::read_to_string(out.join("run.csv")).unwrap();
    assert!(run.lines().any(|l| l == "bucket:users,management"), "{run}");
}

#[test]
fn failures_after_a_secret_rotation_are_tied_to_it_and_a_cache_saving_is_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = "name = \"secret-rotation\"\n[[clients]]\nname = \"backend\"\n\
[[operations]]\nname = \"orders-token\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n\
[[phases]]\nduration = \"8s\"\nrate = 1\n\
[[events]]\nat = \"4s\"\naction = \"rotate-secret\"\nclient = \"backend\"\n";
    let (code, text) = run_ff(scenario, tmp.path(), "out", &["--quiet"]);
    assert_eq!(code, 0, "{text}");
    let out = tmp.path().join("out");
    check_report(&out);
    let v = verdict(&out);
    assert!(
        v.contains("4 requests failed otherwise (4 other 4xx). From 4.0 s, right after rotate-secret (at 4.0 s), every orders-token token request failed (4 of 4 sent then), mostly 401: the fleet still uses the old secret."),
        "{v}"
    );
    assert!(
        v.contains("a token cache would cut https://api.example.com/'s tokens from 1,295,838 a month (one per request) to about 31"),
        "{v}"
    );
    // With --strict, or `strict = true` in the scenario, the same run exits 3.
    let (code, _) = run_ff(scenario, tmp.path(), "strict", &["--quiet", "--strict"]);
    assert_eq!(code, 3);
    let keyed = format!("strict = true\n{scenario}");
    let (code, text) = run_ff(&keyed, tmp.path(), "keyed", &["--quiet"]);
    assert_eq!(code, 3, "{text}");
}
