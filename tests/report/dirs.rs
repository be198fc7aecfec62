//! Report folders on disk: run folders are never reused, `--out` must be new or empty, an
//! unwritable location is caught before a run, and writes leave no temp files.

#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::fs;
use std::time::{Duration, UNIX_EPOCH};

use quotaprobe::report;
use report_common::{snapshot, threshold_results};

fn written() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let s = snapshot();
    report::write_all(tmp.path(), &s, &threshold_results(&s)).unwrap();
    tmp
}

#[test]
fn no_temp_file_is_left_behind() {
    let tmp = written();
    report::write(tmp.path(), &snapshot()).unwrap(); // rewriting the same folder replaces files whole
    for dir in [tmp.path().to_path_buf(), tmp.path().join("charts")] {
        for entry in fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !name.starts_with('.') && !name.contains(".tmp"),
                "leftover {name}"
            );
        }
    }
}

#[test]
fn run_folders_are_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("reports");
    let now = UNIX_EPOCH + Duration::from_secs(1_795_460_405); // 2026-11-23T19:00:05Z
    let a = report::create_run_dir(&base, "quickstart", Some("free"), now).unwrap();
    assert_eq!(a, base.join("quickstart-20261123T190005-free"));
    report::write(&a, &snapshot()).unwrap();
    let before = fs::read(a.join("summary.csv")).unwrap();
    let b = report::create_run_dir(&base, "quickstart", Some("free"), now).unwrap();
    let c = report::create_run_dir(&base, "quickstart", Some("free"), now).unwrap();
    assert_eq!(b, base.join("quickstart-20261123T190005-free-2"));
    assert_eq!(c, base.join("quickstart-20261123T190005-free-3"));
    assert_eq!(fs::read_dir(&b).unwrap().count(), 0);
    assert_eq!(fs::read(a.join("summary.csv")).unwrap(), before);
    let plain = report::create_run_dir(&base, "quickstart", None, now).unwrap();
    assert_eq!(plain, base.join("quickstart-20261123T190005"));
}

#[test]
fn out_dir_must_be_new_or_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("a/b");
    assert_eq!(report::prepare_out_dir(&fresh).unwrap(), fresh);
    assert!(fresh.is_dir());
    assert!(report::prepare_out_dir(&fresh).is_ok()); // exists, empty
    fs::write(fresh.join("summary.csv"), "x").unwrap();
    let err = report::prepare_out_dir(&fresh).unwrap_err().to_string();
    assert!(
        err.starts_with("--out ") && err.contains("not empty"),
        "{err}"
    );
}

#[test]
fn unwritable_locations_are_detected_before_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(report::check_writable(&tmp.path().join("reports/deep")).is_ok());
    assert!(
        !tmp.path().join("reports").exists(),
        "the probe must not create folders"
    );
    let file = tmp.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let err = report::check_writable(&file.join("reports"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot write reports here"), "{err}");
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no probe left behind"
    );
}

#[test]
fn concurrent_runs_get_distinct_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().to_path_buf();
    let now = UNIX_EPOCH + Duration::from_secs(1_795_460_405);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let base = base.clone();
            std::thread::spawn(move || report::create_run_dir(&base, "s", None, now).unwrap())
        })
        .collect();
    let mut dirs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    dirs.sort();
    dirs.dedup();
    assert_eq!(dirs.len(), 8);
}
