//! `quotaprobe merge`: the report folders of a sharded run (`run --shard I/N`) turned back into
//! the report of one run. Owns the compatibility check (same scenario file, seed stream, tier
//! and shard count; no shard twice) and the alignment of shards on absolute time; the sums
//! themselves are in [`sum`]. Reads and writes nothing itself: the CLI hands it snapshots read
//! with [`crate::report::read`] and writes what it returns.
//!
//! Alignment: each shard's timeline counts seconds from its own `start`. The merged run starts
//! at the earliest shard start; a shard that started `d` seconds later has its seconds shifted
//! by `round(d)` and its event times by `d`. With `--start-at` the shards start within
//! milliseconds, so the shift is 0; a skew of a few seconds (a late pod) stays visible. The
//! merged duration runs from the earliest start to the latest end.

mod sum;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::metrics::Snapshot;

/// Shard `index` of `count`, as `run.csv` writes it (`I/N`). Parsed here rather than with
/// `scenario::Shard`, so the report module does not depend on the scenario module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (i, n) = s.split_once('/').ok_or("expected I/N")?;
        let index = i.parse::<u64>().map_err(|e| format!("I: {e}"))?;
        let count = n.parse::<u64>().map_err(|e| format!("N: {e}"))?;
        if index >= count {
            return Err("I must be below N".into());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `run.csv` keys that must be equal in every shard of one run.
pub const SAME_KEYS: [&str; 4] = ["scenario", "scenario_sha256", "base_seed", "tier"];

/// Why shards cannot be merged (exit 2: nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(
        "{dir}: run.csv has no `shard` key: not a shard of a sharded run (run it with --shard I/N)"
    )]
    NotAShard { dir: PathBuf },
    #[error("{dir}: run.csv key `{key}` = {value:?} is not valid: {why}")]
    BadKey {
        dir: PathBuf,
        key: String,
        value: String,
        why: String,
    },
    #[error(
        "{dir}: run.csv `{key}` is {theirs:?}, but {first} has {ours:?}: these are shards of different runs; merge only the shards of one run"
    )]
    Different {
        dir: PathBuf,
        first: PathBuf,
        key: String,
        ours: String,
        theirs: String,
    },
    #[error("{dir} and {other} are both shard {shard}: pass each shard's folder once")]
    Duplicate {
        dir: PathBuf,
        other: PathBuf,
        shard: String,
    },
    #[error("no report folders to merge")]
    Empty,
}

/// One shard's report as read back, with where it came from.
pub struct Input {
    pub dir: PathBuf,
    pub snapshot: Snapshot,
}

/// A shard, checked, with its start.
pub(crate) struct Part<'a> {
    pub shard: Shard,
    pub dir: &'a PathBuf,
    pub snapshot: &'a Snapshot,
    pub start: SystemTime,
    /// Seconds after the earliest shard's start.
    pub offset_s: f64,
    pub duration_s: f64,
}

/// The merged run, and what the user should hear about (missing shards).
pub struct Merged {
    pub snapshot: Snapshot,
    pub warnings: Vec<String>,
    /// N, the shard count of the run.
    pub shards: u64,
}

pub(crate) fn value<'a>(s: &'a Snapshot, key: &str) -> Option<&'a str> {
    s.run
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn bad(dir: &Path, key: &str, value: &str, why: impl ToString) -> MergeError {
    MergeError::BadKey {
        dir: dir.to_path_buf(),
        key: key.into(),
        value: value.into(),
        why: why.to_string(),
    }
}

/// Checks that `inputs` are shards of one run and returns them in shard order, aligned.
fn check(inputs: &[Input]) -> Result<(Vec<Part<'_>>, Vec<String>), MergeError> {
    let first = inputs.first().ok_or(MergeError::Empty)?;
    let mut parts: Vec<Part<'_>> = Vec::new();
    for input in inputs {
        let (dir, s) = (&input.dir, &input.snapshot);
        let text = value(s, "shard").ok_or_else(|| MergeError::NotAShard { dir: dir.clone() })?;
        let shard: Shard = text.parse().map_err(|e| bad(dir, "shard", text, e))?;
        for key in SAME_KEYS.iter().chain(["shard_count"].iter()) {
            let (ours, theirs) = if *key == "shard_count" {
                let of = |x: &Snapshot| {
                    value(x, "shard")
                        .and_then(|t| t.parse::<Shard>().ok())
                        .map_or_else(String::new, |s| s.count.to_string())
                };
                (of(&first.snapshot), shard.count.to_string())
            } else {
                let of = |x: &Snapshot| value(x, key).unwrap_or_default().to_string();
                (of(&first.snapshot), of(s))
            };
            if ours != theirs {
                return Err(MergeError::Different {
                    dir: dir.clone(),
                    first: first.dir.clone(),
                    key: (*key).to_string(),
                    ours,
                    theirs,
                });
            }
        }
        if let Some(other) = parts.iter().find(|p| p.shard == shard) {
            return Err(MergeError::Duplicate {
                dir: dir.clone(),
                other: other.dir.clone(),
                shard: shard.to_string(),
            });
        }
        let start_text = value(s, "start").unwrap_or_default();
        let start = humantime::parse_rfc3339_weak(start_text)
            .map_err(|e| bad(dir, "start", start_text, e))?;
        let duration_text = value(s, "duration_s").unwrap_or_default();
        let duration_s: f64 = duration_text
            .parse()
            .map_err(|e| bad(dir, "duration_s", duration_text, e))?;
        parts.push(Part {
            shard,
            dir,
            snapshot: s,
            start,
            offset_s: 0.0,
            duration_s,
        });
    }
    let earliest = parts
        .iter()
        .map(|p| p.start)
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    for p in &mut parts {
        p.offset_s = p
            .start
            .duration_since(earliest)
            .unwrap_or_default()
            .as_secs_f64();
    }
    parts.sort_by_key(|p| p.shard.index);
    let count = parts.first().map_or(0, |p| p.shard.count);
    let have: BTreeSet<u64> = parts.iter().map(|p| p.shard.index).collect();
    let missing: Vec<String> = (0..count)
        .filter(|i| !have.contains(i))
        .map(|index| Shard { index, count }.to_string())
        .collect();
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        warnings.push(format!(
            "missing shard(s) {}: the merged report covers {} of {count} shards, so it holds only part of the run",
            missing.join(", "),
            have.len()
        ));
    }
    Ok((parts, warnings))
}

/// Merges shard reports into the report of the whole run (see the module docs).
pub fn merge(inputs: &[Input]) -> Result<Merged, MergeError> {
    let (parts, mut warnings) = check(inputs)?;
    let shards = parts.first().map_or(0, |p| p.shard.count);
    let snapshot = sum::merge(&parts, &mut warnings);
    Ok(Merged {
        snapshot,
        warnings,
        shards,
    })
}
