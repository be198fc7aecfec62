//! `compare --tier-file FILE`'s bad input is refused before any tier runs: exit 2, an error
//! naming the flag, the file and the fix, and no comparison folder. (That a probed tier file
//! runs beside the built-in tiers is tests/cli/probe.rs.)
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;

/// The built-in essentials profile renamed `name`, written to `dir/file`.
fn tier_file(dir: &Path, file: &str, name: &str) -> std::path::PathBuf {
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim/tiers/essentials.toml"),
    )
    .unwrap();
    let renamed = builtin.replacen("name = \"essentials\"", &format!("name = {name:?}"), 1);
    assert!(
        builtin.contains("name = \"essentials\"") && renamed.contains(&format!("name = {name:?}")),
        "the profile has a name line to replace"
    );
    let path = dir.join(file);
    std::fs::write(&path, renamed).unwrap();
    path
}

fn compare(args: &[&str], tier_file: &Path, out: &Path) -> (Option<i32>, String) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/which-tier.toml");
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("compare")
        .arg(&scenario)
        .args(args)
        .arg("--tier-file")
        .arg(tier_file)
        .arg("--out")
        .arg(out)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_tier_file_named_like_another_tier_or_no_folder_name_is_refused_before_any_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");

    let clash = tier_file(tmp.path(), "clash.toml", "essentials");
    let (code, err) = compare(&["--tiers", "free,essentials"], &clash, &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tier-file"), "{err}");
    assert!(err.contains("clash.toml"), "{err}");
    assert!(err.contains("like another tier"), "{err}");
    assert!(err.contains("give the file another `name`"), "{err}");
    assert!(!out.exists(), "nothing ran: no comparison folder");

    let slash = tier_file(tmp.path(), "slash.toml", "team/custom");
    let (code, err) = compare(&["--tiers", "free"], &slash, &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("slash.toml"), "{err}");
    assert!(err.contains("names the tier's report folder"), "{err}");
    assert!(!out.exists(), "nothing ran: no comparison folder");

    let (code, err) = compare(&[], &tmp.path().join("missing.toml"), &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--tier-file") && err.contains("missing.toml"),
        "{err}"
    );
    assert!(!out.exists(), "nothing ran: no comparison folder");
}
