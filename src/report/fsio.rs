//! Report folders on disk: naming and creating a run's folder without ever reusing one, probing
//! that a location is writable before a run starts, and writing files whole (temp file + rename)
//! so a crash never leaves half a CSV. Knows nothing of what the files contain.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use time::OffsetDateTime;
use time::macros::format_description;

use super::ReportError;

/// Suffixes tried after the plain name (`-2` … `-LAST_SUFFIX`) before giving up.
const LAST_SUFFIX: u32 = 99;

/// Creates `base/<scenario>-<UTC yyyymmddThhmmss>[-<tier>]/` and returns its path.
///
/// `base` is created if needed. The run folder itself is created with `create_dir`, which fails
/// when it exists, so a run never writes into another run's folder: a name already taken gets
/// `-2`, `-3`, … appended. Characters other than ASCII letters, digits, `.`, `_` and `-` in the
/// scenario or tier become `-`.
pub fn create_run_dir(
    base: &Path,
    scenario: &str,
    tier: Option<&str>,
    now: SystemTime,
) -> Result<PathBuf, ReportError> {
    fs::create_dir_all(base).map_err(|e| ReportError::io(base, e))?;
    let name = run_dir_name(scenario, tier, now);
    for n in 1..=LAST_SUFFIX {
        let candidate = if n == 1 {
            base.join(&name)
        } else {
            base.join(format!("{name}-{n}"))
        };
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ReportError::io(candidate, e)),
        }
    }
    Err(ReportError::NoFreeName {
        base: base.to_path_buf(),
        name,
        last: LAST_SUFFIX,
    })
}

/// The folder name for a run: `<scenario>-<UTC yyyymmddThhmmss>[-<tier>]`.
pub fn run_dir_name(scenario: &str, tier: Option<&str>, now: SystemTime) -> String {
    let stamp = OffsetDateTime::from(now)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]"
        ))
        .unwrap_or_else(|_| "00000000T000000".to_string());
    let mut name = format!("{}-{stamp}", sanitize(scenario));
    if let Some(tier) = tier {
        name.push('-');
        name.push_str(&sanitize(tier));
    }
    name
}

fn sanitize(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "run".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Prepares a user-given `--out DIR`: creates it (and its parents) when missing, accepts it when
/// it exists and is empty, and refuses (naming the flag) when it holds anything.
pub fn prepare_out_dir(dir: &Path) -> Result<PathBuf, ReportError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ReportError::OutNotEmpty {
                    path: dir.to_path_buf(),
                });
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
        }
        Err(e) => return Err(ReportError::io(dir, e)),
    }
    Ok(dir.to_path_buf())
}

/// Detects, before a run starts, that reports could not be written under `dir`.
///
/// Leaves nothing behind: it finds the nearest folder that exists (`dir` or an ancestor, since
/// the run creates the rest), checks it is a folder, and creates and removes a probe file there.
pub fn check_writable(dir: &Path) -> Result<(), ReportError> {
    let mut probe_dir = dir;
    while !probe_dir.exists() {
        match probe_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe_dir = p,
            _ => {
                probe_dir = Path::new(".");
                break;
            }
        }
    }
    if !probe_dir.is_dir() {
        return Err(ReportError::NotWritable {
            path: dir.to_path_buf(),
            source: io::Error::other(format!("{} is not a folder", probe_dir.display())),
        });
    }
    let probe = probe_dir.join(format!(".quotaprobe-probe-{}", std::process::id()));
    let result = fs::File::create(&probe).and_then(|mut f| f.write_all(b"probe"));
    let _ = fs::remove_file(&probe);
    result.map_err(|source| ReportError::NotWritable {
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `dir/name` whole: a hidden temp file in the same folder, then a rename.
/// On failure the temp file is removed, so readers see the old file or the new one, never half.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| ReportError::io(parent, e))?;
    }
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    let tmp = target.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let result = written.and_then(|()| fs::rename(&tmp, &target));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(ReportError::io(target, e));
    }
    Ok(())
}

/// Reads `dir/name`, turning "not found" into an error that names the folder and the file.
pub fn read_required(dir: &Path, name: &str) -> Result<Vec<u8>, ReportError> {
    let path = dir.join(name);
    fs::read(&path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            ReportError::Missing {
                dir: dir.to_path_buf(),
                file: name.to_string(),
            }
        } else {
            ReportError::io(path, e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn names() {
        // 2026-11-23T19:00:05Z
        let t = UNIX_EPOCH + Duration::from_secs(1_795_460_405);
        assert_eq!(
            run_dir_name("quick start", Some("free"), t),
            "quick-start-20261123T190005-free"
        );
        assert_eq!(run_dir_name("../x", None, t), "-x-20261123T190005");
        assert_eq!(run_dir_name("", None, t), "run-20261123T190005");
    }
}
