//! summary.csv's `ok_rps` and `wire_rps` (appended columns; folders written before them lack
//! both and pass): each a number, `ok_rps × duration_s ≈ ok`, and `wire_rps × duration_s ≈`
//! the attempts that went on the wire (`sent + retries` less statuses.csv's `token_*`
//! attempts, which never left), so `wire_rps` is never below what was sent on the wire.

use super::problem::Problems;
use super::table::Row;

const FILE: &str = "summary.csv";
const ALL: &str = "ALL";
const OUTCOMES: [&str; 5] = [
    "ok",
    "status_4xx",
    "status_429",
    "status_5xx",
    "transport_errors",
];

/// Checks each summary row's rates against its counts, `statuses` and run.csv's `duration_s`.
pub(super) fn check(summary: &[Row], statuses: &[Row], run: &[Row], p: &mut Problems) {
    let Some(duration_s) = run
        .iter()
        .find(|r| r.text("key") == "duration_s")
        .and_then(|r| r.text("value").parse::<f64>().ok())
    else {
        return;
    };
    for r in summary {
        let op = r.text("operation");
        for column in ["ok_rps", "wire_rps"] {
            if !r.text(column).is_empty() && r.number(column).is_none() {
                p.add(
                    FILE,
                    Some(r.line),
                    format!("{op}: {column} {:?} is not a number", r.text(column)),
                );
            }
        }
        if let (Some(ok), Some(rps)) = (r.count("ok"), r.number("ok_rps")) {
            close(p, r, "ok_rps", rps, duration_s, ok, "ok");
        }
        let never_left: Option<u64> = statuses
            .iter()
            .filter(|s| op == ALL || s.text("operation") == op)
            .filter(|s| s.text("status").starts_with("token_"))
            .map(|s| s.count("attempts"))
            .sum();
        // A row whose sent disagrees with its outcomes was reported already: one fault, one line.
        let outcomes: Option<u64> = OUTCOMES.iter().map(|c| r.count(c)).sum();
        if let (Some(sent), Some(retries), Some(never_left), Some(rps)) = (
            r.count("sent").filter(|s| Some(*s) == outcomes),
            r.count("retries"),
            never_left,
            r.number("wire_rps"),
        ) {
            let wire = (sent + retries).saturating_sub(never_left);
            let what = "attempts on the wire (sent + retries - token_* attempts)";
            close(p, r, "wire_rps", rps, duration_s, wire, what);
        }
    }
}

/// `rps × duration_s` is `n` within the rounding of both (3 decimals each).
fn close(p: &mut Problems, r: &Row, column: &str, rps: f64, duration_s: f64, n: u64, what: &str) {
    let tolerance = 0.0005 * duration_s + 0.0005 * rps + 0.01;
    if (rps * duration_s - n as f64).abs() > tolerance {
        p.add(
            FILE,
            Some(r.line),
            format!(
                "{}: {column} {rps:.3} × duration_s {duration_s:.3} = {:.1}, but {what} = {n}",
                r.text("operation"),
                rps * duration_s
            ),
        );
    }
}
