//! `quotaprobe run`'s sharding flags: which shard this process is (`--shard I/N`, or the index
//! from an environment variable such as Kubernetes' `JOB_COMPLETION_INDEX`), and `--start-at`,
//! the common start time that makes N shards begin together. The split itself is
//! [`crate::scenario::shard`]'s business; this file only reads flags and waits.

use std::path::Path;
use std::time::{Duration, SystemTime};

use clap::Args;

use super::CliError;
use crate::engine::StopSignal;
use crate::scenario::{RunPlan, Shard};

/// How far in the past `--start-at` may lie (shards started a little late still run at once).
pub const START_PAST_SLACK: Duration = Duration::from_secs(5);
/// How far ahead `--start-at` may lie (a typo in the date should not park a pod for a year).
pub const START_AHEAD_MAX: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Run shard I of N (0 <= I < N) of the scenario: every N-th arrival of every phase, budgets
    /// split N ways, events on shard 0 only. Also from the environment: QUOTAPROBE_SHARD=I/N.
    #[arg(long, value_name = "I/N", env = "QUOTAPROBE_SHARD", conflicts_with_all = ["shard_count", "shard_index_env"])]
    pub shard: Option<Shard>,
    /// Number of shards N, with the index I read from --shard-index-env (for a Kubernetes
    /// Indexed Job: --shard-count 3 --shard-index-env JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "N", requires = "shard_index_env")]
    pub shard_count: Option<u64>,
    /// Environment variable holding the shard index I (used with --shard-count).
    #[arg(long, value_name = "VAR", requires = "shard_count")]
    pub shard_index_env: Option<String>,
    /// Wait until this UTC time (RFC 3339, e.g. 2026-11-28T10:00:00Z) before sending anything,
    /// so shards begin together. At most 5 s in the past, at most 24 h ahead. Also from the
    /// environment: QUOTAPROBE_START_AT.
    #[arg(long, value_name = "TIME", env = "QUOTAPROBE_START_AT")]
    pub start_at: Option<String>,
}

impl ShardArgs {
    /// The shard this process runs, if any; a bad index variable is a usage error naming it.
    pub fn shard(&self, env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, CliError> {
        if let Some(s) = self.shard {
            return Ok(Some(s));
        }
        let (Some(count), Some(var)) = (self.shard_count, &self.shard_index_env) else {
            return Ok(None);
        };
        let value = env(var).ok_or_else(|| {
            CliError::usage(format!(
                "--shard-index-env {var}: the variable is not set; set it to the shard index (0 to {}) or use --shard I/N",
                count.saturating_sub(1)
            ))
        })?;
        format!("{}/{count}", value.trim())
            .parse::<Shard>()
            .map(Some)
            .map_err(|e| {
                CliError::usage(format!(
                    "--shard-index-env {var}={value:?} with --shard-count {count}: {e}"
                ))
            })
    }

    /// The parsed `--start-at`, checked against `now` (exit 2 when malformed, past or too far).
    pub fn start_at(&self, now: SystemTime) -> Result<Option<SystemTime>, CliError> {
        let Some(text) = &self.start_at else {
            return Ok(None);
        };
        let at = humantime::parse_rfc3339(text.trim()).map_err(|e| {
            CliError::usage(format!(
                "--start-at {text:?}: {e}; give a UTC time like 2026-11-28T10:00:00Z"
            ))
        })?;
        if at + START_PAST_SLACK < now {
            let ago = now.duration_since(at).unwrap_or_default().as_secs();
            return Err(CliError::usage(format!(
                "--start-at {text}: that was {ago} s ago (more than {} s); pick a time in the future",
                START_PAST_SLACK.as_secs()
            )));
        }
        if at > now + START_AHEAD_MAX {
            return Err(CliError::usage(format!(
                "--start-at {text}: more than 24 h ahead; pick a time within the next day"
            )));
        }
        Ok(Some(at))
    }
}

/// The scenario file's SHA-256, hex: what `merge` compares to refuse shards of other files.
pub fn sha256_file(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::usage(format!("{}: cannot read: {e}", path.display())))?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// Cuts `plan` down to `shard`; a budget too small to split is a usage error.
pub fn apply(plan: RunPlan, shard: Option<Shard>, scenario: &Path) -> Result<RunPlan, CliError> {
    let Some(shard) = shard else {
        return Ok(plan);
    };
    let sha = sha256_file(scenario)?;
    plan.into_shard(shard, sha)
        .map_err(|e| CliError::usage(format!("{}: --shard {shard}: {e}", scenario.display())))
}

/// Sleeps until `at` (if given), in short steps so Ctrl-C ends the wait at once: then nothing
/// was sent and the run ends with exit 1.
pub fn wait(at: Option<SystemTime>, stop: &StopSignal, quiet: bool) -> Result<(), CliError> {
    let Some(at) = at else {
        return Ok(());
    };
    if let Ok(left) = at.duration_since(SystemTime::now())
        && !quiet
    {
        eprintln!(
            "waiting {:.1} s for --start-at {}",
            left.as_secs_f64(),
            humantime::format_rfc3339_millis(at)
        );
    }
    while let Ok(left) = at.duration_since(SystemTime::now()) {
        if stop.is_stopped() {
            return Err(CliError::failed(
                "interrupted while waiting for --start-at; nothing was sent",
            ));
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(shard: Option<&str>, count: Option<u64>, var: Option<&str>) -> ShardArgs {
        ShardArgs {
            shard: shard.and_then(|s| s.parse().ok()),
            shard_count: count,
            shard_index_env: var.map(str::to_string),
            start_at: None,
        }
    }

    #[test]
    fn shard_from_flag_or_index_variable() {
        let env = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "2".to_string());
        let s = args(Some("1/3"), None, None).shard(env).ok().flatten();
        assert_eq!(s, Some(Shard { index: 1, count: 3 }));
        let s = args(None, Some(3), Some("JOB_COMPLETION_INDEX"))
            .shard(env)
            .ok()
            .flatten();
        assert_eq!(s, Some(Shard { index: 2, count: 3 }));
        assert_eq!(args(None, None, None).shard(env).ok().flatten(), None);
        let missing = args(None, Some(3), Some("NOPE")).shard(env).err();
        assert!(missing.is_some_and(|e| e.message.contains("--shard-index-env NOPE")));
        let too_big = args(None, Some(2), Some("JOB_COMPLETION_INDEX"))
            .shard(env)
            .err();
        assert!(too_big.is_some_and(|e| e.message.contains("I must be below N")));
    }

    #[test]
    fn start_at_window() {
        let now =
            humantime::parse_rfc3339("2026-11-28T10:00:00Z").unwrap_or(SystemTime::UNIX_EPOCH);
        let at = |t: &str| ShardArgs {
            start_at: Some(t.to_string()),
            ..args(None, None, None)
        };
        let ok = at("2026-11-28T10:00:30Z").start_at(now).ok().flatten();
        assert_eq!(ok, Some(now + Duration::from_secs(30)));
        assert!(
            at("2026-11-28T09:59:57Z").start_at(now).is_ok(),
            "3 s late is fine"
        );
        for (bad, says) in [
            ("2026-11-28T09:59:00Z", "60 s ago"),
            ("2026-11-29T10:00:01Z", "24 h ahead"),
            ("tomorrow", "2026-11-28T10:00:00Z"),
        ] {
            let e = at(bad)
                .start_at(now)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(e.contains("--start-at") && e.contains(says), "{bad}: {e}");
        }
    }
}
