//! Reading a run's report folder back for the conservation tests: the contract's invariants
//! checked on the CSV files themselves, and `quotaprobe verify`'s checks over many folders.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::contract;

/// A CSV cell as a count; panics naming the column and row when it is not one.
pub fn n(row: &HashMap<String, String>, k: &str) -> u64 {
    row.get(k)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{k} in {row:?}"))
}

/// The written files: the same invariants, read back from CSV.
pub fn check_files(dir: &Path, audience_of: &dyn Fn(&str) -> Option<String>) {
    let summary = contract::csv_rows(&dir.join("summary.csv"));
    let timeline = contract::csv_rows(&dir.join("timeline.csv"));
    let statuses = contract::csv_rows(&dir.join("statuses.csv"));
    let audiences = contract::csv_rows(&dir.join("audiences.csv"));
    let mut all = [0u64; 3];
    let mut per_audience: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for r in &summary {
        let op = r["operation"].as_str();
        let (scheduled, sent, dropped) = (n(r, "scheduled"), n(r, "sent"), n(r, "dropped"));
        assert_eq!(scheduled, sent + dropped, "summary.csv {op}");
        let outcomes = [
            "ok",
            "status_4xx",
            "status_429",
            "status_5xx",
            "transport_errors",
        ];
        assert_eq!(
            sent,
            outcomes.iter().map(|k| n(r, k)).sum::<u64>(),
            "summary.csv {op}"
        );
        if op == "ALL" {
            assert_eq!(
                [scheduled, sent, dropped],
                all,
                "summary.csv ALL is the sum"
            );
            continue;
        }
        all = [all[0] + scheduled, all[1] + sent, all[2] + dropped];
        let mut t = [0u64; 6];
        for row in timeline.iter().filter(|t| t["operation"] == op) {
            for (i, k) in ["scheduled", "sent", "dropped", "ok", "status_429", "errors"]
                .iter()
                .enumerate()
            {
                t[i] += n(row, k);
            }
        }
        let errors = n(r, "status_4xx") + n(r, "status_5xx") + n(r, "transport_errors");
        let want = [
            scheduled,
            sent,
            dropped,
            n(r, "ok"),
            n(r, "status_429"),
            errors,
        ];
        assert_eq!(t, want, "timeline.csv sums for {op}");
        let counted: u64 = statuses
            .iter()
            .filter(|s| s["operation"] == op)
            .map(|s| n(s, "count"))
            .sum();
        assert_eq!(counted, sent, "statuses.csv count for {op}");
        if r["kind"] == "token" {
            let aud = audience_of(op).unwrap_or_else(|| panic!("audience of {op}"));
            let e = per_audience.entry(aud).or_default();
            *e = [e[0] + sent, e[1] + n(r, "ok"), e[2] + n(r, "status_429")];
        }
    }
    let from_file: BTreeMap<String, [u64; 3]> = audiences
        .iter()
        .map(|a| {
            let got = [
                n(a, "token_requests"),
                n(a, "tokens_issued"),
                n(a, "denied_429"),
            ];
            assert_eq!(
                got[0],
                got[1] + got[2] + n(a, "denied_other"),
                "audiences.csv {a:?}"
            );
            (a["audience"].clone(), got)
        })
        .collect();
    // An audience whose token operation sent nothing (all dropped) has no row.
    per_audience.retain(|_, v| v[0] > 0);
    assert_eq!(from_file, per_audience, "audiences.csv vs token operations");
}

/// `quotaprobe verify`'s checks on every folder; a failure names the mixes of the folders it
/// complains about.
pub fn check_all(dirs: &[(PathBuf, String)]) {
    let mut problems = Vec::new();
    let mut named = Vec::new();
    for (dir, mix) in dirs {
        let found = contract::problems(dir);
        if !found.is_empty() {
            named.push(mix);
        }
        problems.extend(found);
    }
    assert!(
        problems.is_empty(),
        "quotaprobe verify failed:\n{}\nmixes: {named:#?}",
        problems.join("\n")
    );
}
