//! The count invariants of docs/reports.md: summary.csv conserves per operation and `ALL` adds
//! them up; timeline.csv, statuses.csv, latency.csv and audiences.csv agree with it. A cell that
//! is not a number was reported when its table loaded: checks that need it are skipped, so one
//! fault is one line.

use std::collections::{BTreeMap, BTreeSet};

use super::problem::Problems;
use super::status::column_of;
use super::table::Row;

/// summary.csv's rows: the operations (in file order) and the `ALL` row.
pub(super) struct Ops<'a> {
    pub list: Vec<&'a Row>,
    pub all: Option<&'a Row>,
}

impl Ops<'_> {
    fn get(&self, name: &str) -> Option<&Row> {
        if name == ALL {
            return self.all;
        }
        self.list
            .iter()
            .copied()
            .find(|r| r.text("operation") == name)
    }
}

const ALL: &str = "ALL";
const OUTCOMES: [&str; 5] = [
    "ok",
    "status_4xx",
    "status_429",
    "status_5xx",
    "transport_errors",
];
/// The summary columns `ALL` adds up.
const ADDED: [&str; 9] = [
    "scheduled",
    "sent",
    "dropped",
    "ok",
    "status_4xx",
    "status_429",
    "status_5xx",
    "transport_errors",
    "retries",
];
const KINDS: [&str; 3] = ["token", "management", "http"];
/// latency.csv's percentiles, per operation.
pub(super) const PERCENTILES: [f64; 7] = [50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0];

/// The sum of `column` over `rows`; `None` when a cell is not a count.
fn sum<'a>(rows: impl Iterator<Item = &'a Row>, column: &str) -> Option<u64> {
    rows.map(|r| r.count(column)).sum()
}

pub(super) fn summary<'a>(rows: &'a [Row], p: &mut Problems) -> Ops<'a> {
    const FILE: &str = "summary.csv";
    let mut ops = Ops {
        list: Vec::new(),
        all: None,
    };
    let mut seen = BTreeSet::new();
    for r in rows {
        let op = r.text("operation");
        if !seen.insert(op) {
            p.add(FILE, Some(r.line), format!("{op}: a second row"));
            continue;
        }
        let kind = r.text("kind");
        if op == ALL {
            if kind != "all" {
                p.add(
                    FILE,
                    Some(r.line),
                    format!("ALL: kind {kind:?}, want \"all\""),
                );
            }
            ops.all = Some(r);
        } else {
            if !KINDS.contains(&kind) {
                p.add(
                    FILE,
                    Some(r.line),
                    format!("{op}: kind {kind:?} is not token, management or http"),
                );
            }
            ops.list.push(r);
        }
        if let (Some(s), Some(sent), Some(d)) =
            (r.count("scheduled"), r.count("sent"), r.count("dropped"))
            && s != sent + d
        {
            p.add(
                FILE,
                None,
                format!("{op}: scheduled {s} != sent {sent} + dropped {d}"),
            );
        }
        let outcomes: Option<u64> = OUTCOMES.iter().map(|c| r.count(c)).sum();
        if let (Some(sent), Some(o)) = (r.count("sent"), outcomes)
            && sent != o
        {
            p.add(FILE, None, format!("{op}: sent {sent} != outcomes {o}"));
        }
    }
    match ops.all {
        None => p.add(FILE, None, "no ALL row".to_string()),
        Some(all) => {
            for column in ADDED {
                if let (Some(total), Some(a)) =
                    (sum(ops.list.iter().copied(), column), all.count(column))
                    && total != a
                {
                    p.add(
                        FILE,
                        None,
                        format!("ALL: {column} {a} != {total}, the sum of the operations"),
                    );
                }
            }
        }
    }
    ops
}

/// Rows of an operation summary.csv does not have: reported once per operation, then dropped.
fn known<'r>(ops: &Ops, rows: &'r [Row], file: &str, p: &mut Problems) -> Vec<&'r Row> {
    let mut unknown = BTreeSet::new();
    rows.iter()
        .filter(|r| {
            let op = r.text("operation");
            let found = ops.get(op).is_some();
            if !found && unknown.insert(op.to_string()) {
                p.add(
                    file,
                    Some(r.line),
                    format!("{op:?} is not an operation of summary.csv"),
                );
            }
            found
        })
        .collect()
}

/// `width`: run.csv's `timeline_resolution_s` (each row's `second` starts a bucket that wide).
pub(super) fn timeline(ops: &Ops, rows: &[Row], width: u64, p: &mut Problems) {
    const FILE: &str = "timeline.csv";
    let rows = known(ops, rows, FILE, p);
    let mut seconds = BTreeSet::new();
    for r in &rows {
        let key = (r.text("operation"), r.text("second"));
        if let Some(s) = r.count("second")
            && s % width != 0
        {
            p.add(
                FILE,
                Some(r.line),
                format!(
                    "{}: second {s} does not start a row: run.csv timeline_resolution_s = {width}, so every second is a multiple of {width}",
                    key.0
                ),
            );
        }
        if !seconds.insert(key) {
            p.add(
                FILE,
                Some(r.line),
                format!("{}: second {} appears twice", key.0, key.1),
            );
        }
        let (op, second) = key;
        let [scheduled, sent, dropped, ok, n429, errors] =
            ["scheduled", "sent", "dropped", "ok", "status_429", "errors"].map(|c| r.count(c));
        if let (Some(s), Some(x), Some(d)) = (scheduled, sent, dropped)
            && s != x + d
        {
            p.add(
                FILE,
                Some(r.line),
                format!("{op} second {second}: scheduled {s} != sent {x} + dropped {d}"),
            );
        }
        if let (Some(x), Some(o), Some(n), Some(e)) = (sent, ok, n429, errors)
            && x != o + n + e
        {
            p.add(
                FILE,
                Some(r.line),
                format!("{op} second {second}: sent {x} != ok {o} + status_429 {n} + errors {e}"),
            );
        }
    }
    for op in &ops.list {
        let name = op.text("operation");
        let mine = || rows.iter().copied().filter(|r| r.text("operation") == name);
        for column in ["scheduled", "sent", "dropped", "ok", "status_429"] {
            if let (Some(total), Some(want)) = (sum(mine(), column), op.count(column))
                && total != want
            {
                p.add(
                    FILE,
                    None,
                    format!("{name}: {column} sums to {total}, summary.csv says {want}"),
                );
            }
        }
        let errors: Option<u64> = ["status_4xx", "status_5xx", "transport_errors"]
            .iter()
            .map(|c| op.count(c))
            .sum();
        if let (Some(total), Some(want)) = (sum(mine(), "errors"), errors)
            && total != want
        {
            p.add(
                FILE,
                None,
                format!(
                    "{name}: errors sums to {total}, summary.csv says {want} (status_4xx + status_5xx + transport_errors)"
                ),
            );
        }
    }
}

pub(super) fn statuses(ops: &Ops, rows: &[Row], p: &mut Problems) {
    const FILE: &str = "statuses.csv";
    let rows = known(ops, rows, FILE, p);
    // operation → summary column → counts (None once a cell was not a count).
    let mut by: BTreeMap<&str, BTreeMap<&str, Option<u64>>> = BTreeMap::new();
    for r in &rows {
        let (op, status) = (r.text("operation"), r.text("status"));
        let Some(column) = column_of(status) else {
            p.add(
                FILE,
                Some(r.line),
                format!(
                    "{op}: status {status:?} is not an HTTP code, a transport error kind or token_<code or kind>"
                ),
            );
            continue;
        };
        if let (Some(count), Some(attempts)) = (r.count("count"), r.count("attempts"))
            && attempts < count
        {
            p.add(
                FILE,
                Some(r.line),
                format!("{op}: {status}: attempts {attempts} < count {count}"),
            );
        }
        let cell = by.entry(op).or_default().entry(column).or_insert(Some(0));
        *cell = cell.zip(r.count("count")).map(|(a, b)| a + b);
    }
    for op in &ops.list {
        let name = op.text("operation");
        let counts = by.get(name).cloned().unwrap_or_default();
        let total: Option<u64> = counts.values().copied().sum();
        if let (Some(total), Some(sent)) = (total, op.count("sent"))
            && total != sent
        {
            p.add(
                FILE,
                None,
                format!("{name}: counts add up to {total}, summary.csv sent says {sent}"),
            );
            continue;
        }
        for column in OUTCOMES {
            let got = counts.get(column).copied().unwrap_or(Some(0));
            if let (Some(got), Some(want)) = (got, op.count(column))
                && got != want
            {
                p.add(
                    FILE,
                    None,
                    format!("{name}: {column} statuses count {got}, summary.csv says {want}"),
                );
            }
        }
    }
}

pub(super) fn latency(ops: &Ops, rows: &[Row], p: &mut Problems) {
    const FILE: &str = "latency.csv";
    let rows = known(ops, rows, FILE, p);
    for op in ops.list.iter().copied().chain(ops.all) {
        let name = op.text("operation");
        let have: Vec<f64> = rows
            .iter()
            .filter(|r| r.text("operation") == name)
            .filter_map(|r| r.number("percentile"))
            .collect();
        let missing: Vec<String> = PERCENTILES
            .iter()
            .filter(|want| !have.contains(want))
            .map(f64::to_string)
            .collect();
        if !missing.is_empty() {
            p.add(
                FILE,
                None,
                format!("{name}: lacks percentiles {}", missing.join(", ")),
            );
        }
    }
}

pub(super) fn audiences(ops: &Ops, rows: &[Row], p: &mut Problems) {
    const FILE: &str = "audiences.csv";
    for r in rows {
        let aud = r.text("audience");
        let parts = ["tokens_issued", "denied_429", "denied_other"].map(|c| r.count(c));
        if let (Some(total), [Some(i), Some(d429), Some(other)]) =
            (r.count("token_requests"), parts)
            && total != i + d429 + other
        {
            p.add(
                FILE,
                None,
                format!(
                    "{aud}: token_requests {total} != tokens_issued {i} + denied_429 {d429} + denied_other {other}"
                ),
            );
        }
        let (internal, counts) = (r.text("internal"), r.text("counts_toward_quota"));
        if internal == counts && (internal == "true" || internal == "false") {
            p.add(
                FILE,
                None,
                format!("{aud}: internal and counts_toward_quota are both {internal}"),
            );
        }
    }
    let tokens = || {
        ops.list
            .iter()
            .copied()
            .filter(|r| r.text("kind") == "token")
    };
    for (column, of_summary) in [
        ("token_requests", "sent"),
        ("tokens_issued", "ok"),
        ("denied_429", "status_429"),
    ] {
        if let (Some(got), Some(want)) = (sum(rows.iter(), column), sum(tokens(), of_summary))
            && got != want
        {
            p.add(
                FILE,
                None,
                format!(
                    "{column} adds up to {got}, the token operations of summary.csv have {of_summary} {want}"
                ),
            );
        }
    }
    for op in tokens() {
        let name = op.text("operation");
        let (Some(aud), Some(sent)) = (name.strip_prefix("token:"), op.count("sent")) else {
            continue;
        };
        let row = rows.iter().find(|r| r.text("audience") == aud);
        match row.map(|r| r.count("token_requests")) {
            None if sent > 0 => p.add(
                FILE,
                None,
                format!("no row for {aud}, which summary.csv's {name} sent {sent} requests to"),
            ),
            Some(Some(n)) if n < sent => p.add(
                FILE,
                None,
                format!(
                    "{aud}: token_requests {n} < {sent}, the requests summary.csv's {name} sent"
                ),
            ),
            _ => {}
        }
    }
}
