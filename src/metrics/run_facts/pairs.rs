//! The text of [`RunFacts`]: `run.csv`'s (key, value) pairs, in the order docs/reports.md lists
//! them (or the order they were read in), with the formats the contract fixes: seconds with
//! three decimals, whole numbers, `true`/`false`, an empty value for "unknown". One renderer,
//! one parser; the unit tests hold them to each other.

use super::super::reach::{
    AFTER_LAST_ANSWER, ANSWERED, CONNECTION_ERRORS, LAST_ANSWER_S, SILENT_FOR_S, TOKENLESS,
};
use super::{Limit, ObservedFacts, RunFacts, Shard, ShardFolder};

/// `limit:<bucket>` keys start with this.
const LIMIT: &str = "limit:";
/// `shard:I/N` keys of a merged run start with this.
const SHARD_FOLDER: &str = "shard:";
/// `bucket:<operation>` keys start with this.
pub const BUCKET: &str = "bucket:";

fn secs(v: f64) -> String {
    format!("{v:.3}")
}

impl RunFacts {
    /// `run.csv`'s rows.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((key.to_string(), v));
            }
        };
        let num = |v: Option<u64>| v.map(|n| n.to_string());
        let r = &self.reach;
        put("scenario", self.scenario.clone());
        put("seed", num(self.seed));
        put("target", self.target.clone());
        put("start", self.start.clone());
        put("duration_s", self.duration_s.map(secs));
        put("drain_s", self.drain_s.map(secs));
        put("clock", self.clock.map(|c| c.label().to_string()));
        put("wall_s", self.wall_s.map(secs));
        put("forecast", self.forecast.map(|b| b.to_string()));
        put("timeline_resolution_s", num(self.timeline_resolution_s));
        put("stop_reason", self.stop_reason.clone());
        put("stop_detail", self.stop_detail.clone());
        put("version", self.version.clone());
        put("token_strategy", self.token_strategy.clone());
        put("retry_policy", self.retry_policy.clone());
        put("max_retries", self.max_retries.map(|n| n.to_string()));
        put("planned_arrivals", num(self.planned_arrivals));
        put("dropped_busy", num(self.dropped_busy));
        put("dropped_late", num(self.dropped_late));
        put("dropped_stopping", num(self.dropped_stopping));
        put("drop_late_after_s", self.drop_late_after_s.map(secs));
        put("bad_headers", num(self.bad_headers));
        put("token_requests_sent", num(self.token_requests_sent));
        put("shard", self.shard.map(|s| s.to_string()));
        put("base_seed", num(self.base_seed));
        put("scenario_sha256", self.scenario_sha256.clone());
        put("static_token_exp", self.static_token_exp.clone());
        put(ANSWERED, num(r.answered));
        put(CONNECTION_ERRORS, num(r.connection_errors));
        put(TOKENLESS, num(r.calls_without_token));
        put(
            LAST_ANSWER_S,
            r.last_answer_s.map(|t| t.map(secs).unwrap_or_default()),
        );
        put(AFTER_LAST_ANSWER, num(r.after_last_answer));
        put(SILENT_FOR_S, r.silent_for_s.map(secs));
        let o = &self.observed;
        let maybe_secs = |v: Option<Option<f64>>| v.map(|t| t.map(secs).unwrap_or_default());
        put("quota_ran_out_s", maybe_secs(o.quota_ran_out_s));
        put("quota_ran_out_at", o.quota_ran_out_at.clone());
        put("quota_month", o.quota_month.clone());
        put("quota_refused_tokens", num(o.quota_refused_tokens));
        put(
            "quota_failed_operations",
            o.quota_failed.as_deref().map(ObservedFacts::failed_text),
        );
        put("work_finished_s", maybe_secs(o.work_finished_s));
        put("description", self.description.clone());
        put("tenant_domain", self.tenant_domain.clone());
        put("tier", self.tier.clone());
        put(
            "tier_monthly_quota",
            self.tier_monthly_quota
                .map(|q| q.map(|q| q.to_string()).unwrap_or_default()),
        );
        put(
            "tier_quota_hard_block",
            self.tier_quota_hard_block.map(|b| b.to_string()),
        );
        put("tier_quota_source", self.tier_quota_source.clone());
        put("month_to_date_tokens", num(self.month_to_date_tokens));
        put("cap_max_duration_s", num(self.cap_max_duration_s));
        put("cap_max_tokens", num(self.cap_max_tokens));
        for l in &self.limits {
            put(
                &format!("{LIMIT}{}", l.bucket),
                Some(format!("{} ({})", l.rule, l.source)),
            );
        }
        for (op, names) in &self.buckets {
            put(&format!("{BUCKET}{op}"), Some(names.clone()));
        }
        put("shards", num(self.shards));
        put(
            "shards_merged",
            self.shards_merged.as_ref().map(|list| {
                let list: Vec<String> = list.iter().map(Shard::to_string).collect();
                list.join(" ")
            }),
        );
        for f in &self.shard_folders {
            put(
                &format!("{SHARD_FOLDER}{}", f.shard),
                Some(format!(
                    "{} (start {}, offset {} s)",
                    f.dir,
                    f.start,
                    secs(f.offset_s)
                )),
            );
        }
        pairs.extend(self.extra.iter().cloned());
        if self.layout.0.is_empty() {
            return pairs;
        }
        // As read: each key where the file had it, then what was set since.
        let mut out = Vec::with_capacity(pairs.len());
        for key in &self.layout.0 {
            if let Some(i) = pairs.iter().position(|(k, _)| k == key) {
                out.push(pairs.remove(i));
            }
        }
        out.extend(pairs);
        out
    }

    /// Reads `run.csv`'s rows. Never fails: see [`RunFacts::extra`].
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> RunFacts {
        let mut facts = RunFacts::default();
        for (key, value) in pairs {
            facts.layout.0.push(key.clone());
            if !facts.set(&key, &value) {
                facts.extra.push((key, value));
            }
        }
        facts
    }

    /// Sets the field of `key` from its text; false when the key is unknown, the value does
    /// not parse, or the field is already set (a repeated key).
    fn set(&mut self, key: &str, v: &str) -> bool {
        fn put<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
            match value {
                Some(value) if slot.is_none() => {
                    *slot = Some(value);
                    true
                }
                _ => false,
            }
        }
        let text = || Some(v.to_string());
        let num = || v.trim().parse::<u64>().ok();
        let float = || v.trim().parse::<f64>().ok();
        // An empty value is a known "unknown".
        let maybe_num = || match v.trim() {
            "" => Some(None),
            n => n.parse::<u64>().ok().map(Some),
        };
        let maybe_float = || match v.trim() {
            "" => Some(None),
            n => n.parse::<f64>().ok().map(Some),
        };
        let r = &mut self.reach;
        match key {
            "scenario" => put(&mut self.scenario, text()),
            "seed" => put(&mut self.seed, num()),
            "target" => put(&mut self.target, text()),
            "start" => put(&mut self.start, text()),
            "duration_s" => put(&mut self.duration_s, float()),
            "drain_s" => put(&mut self.drain_s, float()),
            "clock" => put(&mut self.clock, v.parse().ok()),
            "wall_s" => put(&mut self.wall_s, float()),
            "forecast" => put(&mut self.forecast, v.parse().ok()),
            "timeline_resolution_s" => put(&mut self.timeline_resolution_s, num()),
            "stop_reason" => put(&mut self.stop_reason, text()),
            "stop_detail" => put(&mut self.stop_detail, text()),
            "version" => put(&mut self.version, text()),
            "token_strategy" => put(&mut self.token_strategy, text()),
            "retry_policy" => put(&mut self.retry_policy, text()),
            "max_retries" => put(&mut self.max_retries, v.trim().parse().ok()),
            "planned_arrivals" => put(&mut self.planned_arrivals, num()),
            "dropped_busy" => put(&mut self.dropped_busy, num()),
            "dropped_late" => put(&mut self.dropped_late, num()),
            "dropped_stopping" => put(&mut self.dropped_stopping, num()),
            "drop_late_after_s" => put(&mut self.drop_late_after_s, float()),
            "bad_headers" => put(&mut self.bad_headers, num()),
            "token_requests_sent" => put(&mut self.token_requests_sent, num()),
            "shard" => put(&mut self.shard, v.parse().ok()),
            "base_seed" => put(&mut self.base_seed, num()),
            "scenario_sha256" => put(&mut self.scenario_sha256, text()),
            "static_token_exp" => put(&mut self.static_token_exp, text()),
            ANSWERED => put(&mut r.answered, num()),
            CONNECTION_ERRORS => put(&mut r.connection_errors, num()),
            TOKENLESS => put(&mut r.calls_without_token, num()),
            LAST_ANSWER_S => put(&mut r.last_answer_s, maybe_float()),
            AFTER_LAST_ANSWER => put(&mut r.after_last_answer, num()),
            SILENT_FOR_S => put(&mut r.silent_for_s, float()),
            "quota_ran_out_s" => put(&mut self.observed.quota_ran_out_s, maybe_float()),
            "quota_ran_out_at" => put(&mut self.observed.quota_ran_out_at, text()),
            "quota_month" => put(&mut self.observed.quota_month, text()),
            "quota_refused_tokens" => put(&mut self.observed.quota_refused_tokens, num()),
            "quota_failed_operations" => put(
                &mut self.observed.quota_failed,
                ObservedFacts::parse_failed(v),
            ),
            "work_finished_s" => put(&mut self.observed.work_finished_s, maybe_float()),
            "description" => put(&mut self.description, text()),
            "tenant_domain" => put(&mut self.tenant_domain, text()),
            "tier" => put(&mut self.tier, text()),
            "tier_monthly_quota" => put(&mut self.tier_monthly_quota, maybe_num()),
            "tier_quota_hard_block" => put(&mut self.tier_quota_hard_block, v.parse().ok()),
            "tier_quota_source" => put(&mut self.tier_quota_source, text()),
            "month_to_date_tokens" => put(&mut self.month_to_date_tokens, num()),
            "cap_max_duration_s" => put(&mut self.cap_max_duration_s, num()),
            "cap_max_tokens" => put(&mut self.cap_max_tokens, num()),
            "shards" => put(&mut self.shards, num()),
            "shards_merged" => put(
                &mut self.shards_merged,
                v.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().ok())
                    .collect(),
            ),
            _ => {
                if let Some(bucket) = key.strip_prefix(LIMIT) {
                    self.limit(bucket, v)
                } else if let Some(shard) = key.strip_prefix(SHARD_FOLDER) {
                    self.shard_folder(shard, v)
                } else if let Some(op) = key.strip_prefix(BUCKET) {
                    self.buckets.push((op.to_string(), v.to_string()));
                    true
                } else {
                    false
                }
            }
        }
    }

    /// `<rule> (<source>)`: a rule has no parenthesis, a source may.
    fn limit(&mut self, bucket: &str, v: &str) -> bool {
        let Some((rule, source)) = v.strip_suffix(')').and_then(|r| r.split_once(" (")) else {
            return false;
        };
        self.limits.push(Limit {
            bucket: bucket.to_string(),
            rule: rule.to_string(),
            source: source.to_string(),
        });
        true
    }

    /// `<dir> (start <start>, offset <offset_s> s)`.
    fn shard_folder(&mut self, shard: &str, v: &str) -> bool {
        let parsed = (|| {
            let shard: Shard = shard.parse().ok()?;
            let (rest, offset) = v.strip_suffix(" s)")?.rsplit_once(", offset ")?;
            let (dir, start) = rest.rsplit_once(" (start ")?;
            Some(ShardFolder {
                shard,
                dir: dir.to_string(),
                start: start.to_string(),
                offset_s: offset.parse().ok()?,
            })
        })();
        parsed.map(|f| self.shard_folders.push(f)).is_some()
    }
}
