//! Month-shaped load on the virtual calendar (scenario/cycle.rs, engine/lanes.rs): a 3-day
//! fast-forward run starting at 06:00 UTC with a daily cycle (`hourly`) and a nightly job at
//! 02:00 sends, hour by hour of the timeline, exactly the cycle's rate × 3,600 for the hour of
//! day it is on the calendar, and the job's operation exactly its window's arrivals each night
//! and nothing outside it; the folder conserves and passes `verify`, and starts at `start`.
//! The same scenario in real time is refused (exit 2) before anything is sent.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use clap::Parser;
use quotaprobe::cli::{Cli, Exit, dispatch};
use quotaprobe::engine::StopSignal;

use crate::support::conservation::{check_files, n};
use crate::support::contract::{check_report, csv_rows};

/// Dyadic rates (exact in binary, an integer count per hour): the count per hour is exact.
const HOURLY: [f64; 24] = [
    0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.125, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0,
];

fn scenario(dir: &Path) -> std::path::PathBuf {
    let rates: Vec<String> = HOURLY.iter().map(f64::to_string).collect();
    let text = format!(
        r#"name = "three-days"
start = "2026-12-10T06:00:00Z"
[target]
simulated = {{ tier = "enterprise" }}
[[clients]]
name = "backend"
[[operations]]
name = "list-users"
kind = "management"
client = "backend"
method = "GET"
path = "/api/v2/users"
[[operations]]
name = "export"
kind = "management"
client = "backend"
method = "GET"
path = "/api/v2/users?page=0"
weight = 0
[[phases]]
name = "days"
duration = "3d"
hourly = [{}]
[[jobs]]
name = "nightly-export"
at = "02:00"
duration = "30m"
rate = 0.125
operations = ["export"]
"#,
        rates.join(", ")
    );
    let path = dir.join("three-days.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> Exit {
    let mut argv = vec!["quotaprobe".to_string(), "run".into()];
    argv.extend(args.iter().map(|a| a.to_string()));
    dispatch(Cli::try_parse_from(argv).unwrap(), StopSignal::default())
}

/// timeline.csv: (operation, hour of the run) → sent. The first column is the row's start
/// (second, or a coarser unit another resolution may use: its name says which).
fn sent_per_hour(dir: &Path) -> BTreeMap<(String, u64), u64> {
    let text = std::fs::read_to_string(dir.join("timeline.csv")).unwrap();
    let unit = match text.split(',').next().unwrap_or("") {
        "minute" => 60,
        "hour" => 3_600,
        _ => 1,
    };
    let first = text.split(',').next().unwrap_or("").to_string();
    let mut out = BTreeMap::new();
    for r in csv_rows(&dir.join("timeline.csv")) {
        let at = r[&first].parse::<u64>().unwrap() * unit;
        *out.entry((r["operation"].clone(), at / 3_600)).or_default() += n(&r, "sent");
    }
    out
}

#[test]
fn a_daily_cycle_and_a_nightly_job_land_on_the_calendar_hours() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario(tmp.path());
    let out = tmp.path().join("out");
    let p = path.display().to_string();
    let o = out.display().to_string();
    assert_eq!(run(&[&p, "--fast-forward", "-q", "--out", &o]), Exit::Ok);
    check_report(&out);
    check_files(&out, &|op: &str| {
        op.strip_prefix("token:").map(str::to_string)
    });
    let hours = sent_per_hour(&out);
    let get = |op: &str, h: u64| hours.get(&(op.to_string(), h)).copied().unwrap_or(0);
    let (mut base, mut job) = (0, 0);
    for h in 0..72 {
        // Run hour h is calendar hour 06:00 + h.
        let want = (HOURLY[(6 + h as usize) % 24] * 3_600.0) as u64;
        assert_eq!(get("list-users", h), want, "list-users in run hour {h}");
        base += want;
        // 02:00 is run hour 20, 44 and 68: 30 min at 0.125/s = 225 each night.
        let night = if h % 24 == 20 { 225 } else { 0 };
        assert_eq!(get("export", h), night, "export in run hour {h}");
        job += night;
    }
    assert_eq!((base, job), (5_400, 675));
    let summary: BTreeMap<String, u64> = csv_rows(&out.join("summary.csv"))
        .iter()
        .map(|r| (r["operation"].clone(), n(r, "ok")))
        .collect();
    assert_eq!(summary["list-users"], 5_400);
    assert_eq!(summary["export"], 675);
    let facts: BTreeMap<String, String> = csv_rows(&out.join("run.csv"))
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect();
    assert_eq!(facts["clock"], "virtual");
    assert!(
        facts["start"].starts_with("2026-12-10T06:00:00"),
        "the virtual clock starts at `start`: {}",
        facts["start"]
    );
}

#[test]
fn clock_times_in_real_time_are_refused_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario(tmp.path());
    let out = tmp.path().join("out");
    let (p, o) = (path.display().to_string(), out.display().to_string());
    assert_eq!(run(&[&p, "-q", "--out", &o]), Exit::Usage);
    assert!(!out.exists(), "no report folder");
}
