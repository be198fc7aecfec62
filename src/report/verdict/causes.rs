//! Causes and times the verdict names: failures tied to the event before them (events.csv and
//! the timeline's failures per second), retry amplification (offered vs on-the-wire rate), and
//! the bucket of the first 429 (run.csv's `bucket:<operation>` and `limit:<bucket>` keys, else
//! the `x-ratelimit-limit` the timeline saw). Reads the snapshot only; [`sentence`] words them.

use crate::metrics::threshold::ALL;
use crate::metrics::{Snapshot, SummaryRow};
use crate::report::numbers::thousands;

/// An event is the cause of failures that begin within this many seconds after it.
const RIGHT_AFTER_S: f64 = 5.0;

/// Wire over offered rate from which retries are said to amplify the load.
pub const AMPLIFIED: f64 = 1.2;

/// Failures of one operation that began right after a mid-run event.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterEvent {
    pub operation: String,
    /// token | management | http
    pub kind: String,
    /// The first second with a failure.
    pub from_s: f64,
    pub action: String,
    pub event_at_s: f64,
    /// The next event's time, when the failures stopped there.
    pub until_s: Option<f64>,
    pub failed: u64,
    pub sent: u64,
    /// The commonest failure status of the operation (statuses.csv), e.g. `401`, `token_401`.
    pub status: Option<String>,
}

/// One operation whose retries put more on the wire than was offered.
#[derive(Debug, Clone, PartialEq)]
pub struct Amplified {
    pub operation: String,
    pub offered_rps: f64,
    pub wire_rps: f64,
    pub retries: u64,
}

/// A tier bucket: its name and rule (`2 burst / 2 per s`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub rule: Option<String>,
}

/// The bucket(s) `operation` draws from, as run.csv names them; else the `x-ratelimit-limit`
/// its timeline saw first.
pub fn bucket_of(s: &Snapshot, operation: &str) -> Option<Bucket> {
    let names = (s.run.buckets.iter())
        .find(|(op, _)| op == operation)
        .map(|(_, names)| names.as_str());
    if let Some(names) = names.filter(|v| !v.is_empty()) {
        // Several buckets (" + "): the first the tier describes.
        let found = names.split(" + ").find_map(|name| {
            let l = s.run.limits.iter().find(|l| l.bucket == name)?;
            Some(Bucket {
                name: name.to_string(),
                rule: Some(l.rule.clone()),
            })
        });
        return Some(found.unwrap_or(Bucket {
            name: names.to_string(),
            rule: None,
        }));
    }
    s.timeline
        .iter()
        .filter(|r| r.operation == operation)
        .find_map(|r| r.ratelimit_limit)
        .map(|limit| Bucket {
            name: format!("x-ratelimit-limit {limit}"),
            rule: None,
        })
}

/// Failures tied to the last event at or before their first second.
pub fn after_events(s: &Snapshot) -> Vec<AfterEvent> {
    let mut events: Vec<_> = s.events.iter().filter(|e| e.action != "stop").collect();
    events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut out = Vec::new();
    for op in s.summary.iter().filter(|r| r.operation != ALL) {
        let mut seconds: Vec<_> = s
            .timeline
            .iter()
            .filter(|t| t.operation == op.operation)
            .collect();
        seconds.sort_by_key(|t| t.second);
        let Some(first) = seconds.iter().find(|t| t.errors > 0) else {
            continue;
        };
        let from_s = first.second as f64;
        let Some(event) = events
            .iter()
            .rev()
            .find(|e| e.at_s.floor() <= from_s && from_s - e.at_s < RIGHT_AFTER_S)
        else {
            continue;
        };
        let next = events.iter().find(|e| e.at_s > event.at_s).map(|e| e.at_s);
        let window = seconds
            .iter()
            .filter(|t| t.second >= first.second)
            .filter(|t| next.is_none_or(|n| (t.second as f64) < n.floor()));
        let (failed, sent) = window.fold((0, 0), |(f, n), t| (f + t.errors, n + t.sent));
        let later_failures = seconds
            .iter()
            .filter(|t| next.is_some_and(|n| t.second as f64 >= n.floor() + 1.0))
            .any(|t| t.errors > 0);
        out.push(AfterEvent {
            operation: op.operation.clone(),
            kind: op.kind.clone(),
            from_s,
            action: event.action.clone(),
            event_at_s: event.at_s,
            until_s: next.filter(|_| !later_failures),
            failed,
            sent,
            status: commonest_failure(s, &op.operation),
        });
    }
    out
}

fn commonest_failure(s: &Snapshot, operation: &str) -> Option<String> {
    s.statuses
        .iter()
        .filter(|r| r.operation == operation)
        .filter(|r| r.status != "429" && !r.status.starts_with(['2', '3']))
        .max_by_key(|r| r.count)
        .map(|r| r.status.clone())
}

/// Operations whose wire rate is at least [`AMPLIFIED`] times the rate offered (sent).
pub fn amplified(s: &Snapshot) -> Vec<Amplified> {
    let ops = |r: &&SummaryRow| r.operation != ALL && r.sent > 0;
    s.summary
        .iter()
        .filter(ops)
        .filter(|r| r.wire_rps >= AMPLIFIED * r.achieved_rps && r.retries > 0)
        .map(|r| Amplified {
            operation: r.operation.clone(),
            offered_rps: r.achieved_rps,
            wire_rps: r.wire_rps,
            retries: r.retries,
        })
        .collect()
}

/// What a failure says about its cause, after this event.
fn cause(action: &str, status: &str) -> Option<&'static str> {
    let code = status.trim_start_matches("token_");
    match (action, code) {
        ("rotate-secret", "401") => Some("the fleet still uses the old secret"),
        ("delete-grant", "403") => Some("the client lost its grant for the audience"),
        _ => None,
    }
}

/// "From 4.0 s, right after rotate-secret (at 4.0 s), every orders-token token request failed
/// (4 of 4, 401): the fleet still uses the old secret."
pub fn after_event_sentence(a: &AfterEvent) -> String {
    let what = match a.kind.as_str() {
        "token" => format!("{} token request", a.operation),
        _ => format!("{} request", a.operation),
    };
    let share = if a.failed >= a.sent {
        format!(
            "every {what} failed ({} of {} sent then)",
            thousands(a.failed),
            thousands(a.sent)
        )
    } else {
        format!(
            "{} of {} {what}s failed",
            thousands(a.failed),
            thousands(a.sent)
        )
    };
    let status = a
        .status
        .as_deref()
        .map(|st| format!(" {st}"))
        .unwrap_or_default();
    let until = a
        .until_s
        .map(|u| format!(" until {u:.1} s"))
        .unwrap_or_default();
    let why = a
        .status
        .as_deref()
        .and_then(|st| cause(&a.action, st))
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    let status = if status.is_empty() {
        String::new()
    } else {
        format!(", mostly{status}")
    };
    format!(
        "From {:.1} s, right after {} (at {:.1} s), {share}{status}{until}{why}.",
        a.from_s, a.action, a.event_at_s,
    )
}

/// "Retries multiplied the load: users was offered 20.0/s but the wire saw 74.0/s (3.7×, 540
/// retries)."
pub fn amplified_sentence(list: &[Amplified]) -> String {
    let each: Vec<String> = list
        .iter()
        .map(|a| {
            format!(
                "{} was offered {:.1}/s but the wire saw {:.1}/s ({:.1}×, {} retries)",
                a.operation,
                a.offered_rps,
                a.wire_rps,
                a.wire_rps / a.offered_rps.max(f64::MIN_POSITIVE),
                thousands(a.retries)
            )
        })
        .collect();
    format!(
        "Retries multiplied the load the rate limit saw: {}.",
        each.join("; ")
    )
}
