//! `run --fast-forward` through the binary: refused with exit 2 for a real tenant before
//! anything is sent (naming the flag); against the embedded simulator, a complete report on a
//! virtual clock (`clock = virtual`, `wall_s` far below `duration_s`), in a folder named `-ff`.
#![allow(clippy::unwrap_used)]

use crate::support::real as real_support;

use real_support::*;

#[test]
fn a_real_tenant_is_refused_with_exit_2_and_nothing_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "ff-real", false, &burst(2, 2));
    let o = run(
        Some(&served),
        SECRET,
        &path,
        &["--fast-forward", "--yes", "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--fast-forward"), "names the flag: {err}");
    assert!(err.contains("ff-real.toml"), "names the file: {err}");
    assert!(err.contains("real tenant") && err.contains("nothing was sent"));
    assert_eq!(served.total_requests(), 0);
    assert!(!tmp.path().join("out").exists(), "no report folder");
    assert_no_secrets(&o, None, SECRET);
}

#[test]
fn a_simulated_run_reports_its_virtual_clock_in_a_folder_named_ff() {
    let tmp = tempfile::tempdir().unwrap();
    // 40 s of virtual time: 2/s on the free tier's 2/s Management bucket, all ok.
    let path = scenario(tmp.path(), "ff-sim", true, &burst(2, 40));
    let o = run(None, SECRET, &path, &["--fast-forward", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let folders: Vec<_> = std::fs::read_dir(tmp.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let out = &folders[0];
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("ff-sim-") && name.ends_with("-free-ff"),
        "{name}"
    );
    check_report(out);
    let facts = run_facts(out);
    assert_eq!(facts["clock"], "virtual");
    let duration: f64 = facts["duration_s"].parse().unwrap();
    let wall: f64 = facts["wall_s"].parse().unwrap();
    assert!((duration - 40.0).abs() < 0.1, "duration_s {duration}");
    assert!(wall < 10.0, "40 virtual seconds took {wall} s of wall time");
    let s = summary(out, "list-users");
    assert_eq!((s["scheduled"], s["sent"], s["dropped"]), (80.0, 80.0, 0.0));
    assert_eq!(s["ok"] + s["status_429"], 80.0);
}
