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

use crate::metrics::{RunFacts, Snapshot};

pub use crate::metrics::Shard;

/// `run.csv` facts that must be equal in every shard of one run, as text (empty when missing).
fn same_facts(f: &RunFacts) -> [(&'static str, String); 5] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("scenario", text(&f.scenario)),
        ("scenario_sha256", text(&f.scenario_sha256)),
        (
            "base_seed",
            f.base_seed.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("tier", text(&f.tier)),
        (
            "shard_count",
            f.shard.map(|s| s.count.to_string()).unwrap_or_default(),
        ),
    ]
}

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
        let shard = match (s.run.shard, s.run.extra_value("shard")) {
            (Some(shard), _) => shard,
            (None, Some(text)) => {
                let why = text.parse::<Shard>().err().unwrap_or_default();
                return Err(bad(dir, "shard", text, why));
            }
            (None, None) => return Err(MergeError::NotAShard { dir: dir.clone() }),
        };
        let theirs = same_facts(&s.run);
        for ((key, ours), (_, theirs)) in same_facts(&first.snapshot.run).into_iter().zip(theirs) {
            if ours != theirs {
                return Err(MergeError::Different {
                    dir: dir.clone(),
                    first: first.dir.clone(),
                    key: key.to_string(),
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
        let start_text = s.run.start.as_deref().unwrap_or_default();
        let start = humantime::parse_rfc3339_weak(start_text)
            .map_err(|e| bad(dir, "start", start_text, e))?;
        let duration_s = match s.run.duration_s {
            Some(d) => d,
            None => {
                let text = s.run.extra_value("duration_s").unwrap_or_default();
                let why = text.parse::<f64>().err().map(|e| e.to_string());
                return Err(bad(dir, "duration_s", text, why.unwrap_or_default()));
            }
        };
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
