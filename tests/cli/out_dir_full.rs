//! A full disk under `--out` is found before the run, not when the report is written after it:
//! exit 2, an error naming the folder, `--out` and the cause, and nothing sent.
//!
//! The full disk is a 64 KiB tmpfs filled with zeros, mounted inside a private mount namespace
//! (`unshare -m`), so it vanishes with the shell and nothing outside sees it. Mounting needs
//! root (CI and the dev machines run as root); elsewhere the test says so and checks nothing.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

/// Exit code of the shell when the tmpfs cannot be mounted.
const NO_MOUNT: i32 = 77;

#[test]
fn a_full_disk_under_out_is_refused_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let scenario = tmp.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"full\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\n[[phases]]\nduration = \"3s\"\nrate = 2\n",
    )
    .unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64k tmpfs '{mnt}' 2>/dev/null || exit {NO_MOUNT}; \
         cat /dev/zero > '{mnt}/fill' 2>/dev/null; \
         '{bin}' run --quiet '{scenario}' --out '{mnt}/out'",
        mnt = mnt.display(),
        bin = cargo_bin("quotaprobe").display(),
        scenario = scenario.display(),
    );
    let started = Instant::now();
    let o = match Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: unshare not runnable ({e})");
            return;
        }
    };
    if o.status.code() == Some(NO_MOUNT) {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}/out: cannot write reports here", mnt.display()))
            && stderr.contains("No space left on device")
            && stderr.contains("--out"),
        "{stderr}"
    );
    // Refused before the 3 s of load, and the summary never printed.
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
