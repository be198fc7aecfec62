//! The report folder's files: names, headers (contract columns first, in order), row counts,
//! cell formats, histogram consistency and `read(write(x)) == x` (the contract checker,
//! `quotaprobe verify`, is tested on real runs in tests/cli/verify.rs).

#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::fs;
use std::path::Path;

use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use quotaprobe::metrics::snapshot::project_month;
use quotaprobe::report::{self, ReportError};
use report_common::{snapshot, threshold_results};

/// docs/reports.md "Files": the contract's columns, in order.
const CONTRACT: [(&str, &str); 6] = [
    (
        "summary.csv",
        "operation,kind,scheduled,sent,dropped,ok,status_4xx,status_429,status_5xx,transport_errors,retries,achieved_rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,service_p99_ms,first_429_s",
    ),
    (
        "timeline.csv",
        "second,operation,scheduled,sent,dropped,ok,status_429,errors,p50_ms,p99_ms,max_ms,ratelimit_limit,ratelimit_remaining_min,ratelimit_reset_in_s",
    ),
    (
        "audiences.csv",
        "audience,internal,counts_toward_quota,token_requests,tokens_issued,denied_429,denied_other,tokens_per_hour,projected_month,tier_monthly_quota,projected_pct_of_quota",
    ),
    ("statuses.csv", "operation,status,count"),
    (
        "latency.csv",
        "operation,percentile,corrected_ms,service_ms",
    ),
    ("run.csv", "key,value"),
];

fn written() -> (tempfile::TempDir, quotaprobe::metrics::Snapshot) {
    let tmp = tempfile::tempdir().unwrap();
    let s = snapshot();
    report::write_all(tmp.path(), &s, &threshold_results(&s)).unwrap();
    (tmp, s)
}

fn lines(dir: &Path, file: &str) -> Vec<String> {
    fs::read_to_string(dir.join(file))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_file_exists_with_contract_headers_first() {
    let (tmp, _) = written();
    for file in report::FILES {
        assert!(tmp.path().join(file).is_file(), "{file} missing");
    }
    for chart in ["requests", "latency", "ratelimit", "quota"] {
        assert!(tmp.path().join(format!("charts/{chart}.svg")).is_file());
    }
    for (file, contract) in CONTRACT {
        let header = &lines(tmp.path(), file)[0];
        assert!(header.starts_with(contract), "{file}: {header}");
    }
    // Extras appended in struct order.
    assert!(
        lines(tmp.path(), "summary.csv")[0]
            .ends_with(",first_429_s,service_p50_ms,lag_p99_ms,ok_rps,wire_rps")
    );
    assert!(
        lines(tmp.path(), "audiences.csv")[0]
            .ends_with(",projected_pct_of_quota,quota_runs_out_day,projection_basis")
    );
    assert_eq!(
        lines(tmp.path(), "statuses.csv")[0],
        "operation,status,count,attempts"
    );
    assert_eq!(
        lines(tmp.path(), "events.csv")[0],
        "at_s,action,detail,outcome"
    );
    assert_eq!(
        lines(tmp.path(), "thresholds.csv")[0],
        "operation,metric,limit,measured,passed,abort"
    );
}

#[test]
fn row_counts_and_cell_formats() {
    let (tmp, s) = written();
    let rows = |f: &str| lines(tmp.path(), f).len() - 1;
    assert_eq!(rows("summary.csv"), 4); // 3 operations + ALL
    // list-users and get-user every second, orders-token every other second.
    assert_eq!(rows("timeline.csv"), 20 + 20 + 10);
    assert_eq!(s.timeline.len(), 50);
    assert_eq!(rows("audiences.csv"), 2);
    assert_eq!(rows("latency.csv"), 15);
    assert_eq!(rows("statuses.csv"), s.statuses.len());
    assert_eq!(rows("events.csv"), 2);
    assert_eq!(rows("run.csv"), 15);
    assert_eq!(rows("thresholds.csv"), 3);
    let summary = lines(tmp.path(), "summary.csv");
    // Times in ms with 3 decimals, rates with 3 decimals, None → empty cell.
    let get_user: Vec<&str> = summary[3].split(',').collect();
    assert_eq!(get_user[0], "get-user");
    assert_eq!(get_user[11], "2.000"); // achieved_rps
    assert!(
        get_user[12].ends_with(|c: char| c.is_ascii_digit())
            && get_user[12].split('.').nth(1).unwrap().len() == 3
    );
    assert_eq!(get_user[18], "8.250"); // first_429_s
    // ok_rps: 34 ok / 20 s; wire_rps: 40 sent, no retries.
    assert_eq!((get_user[21], get_user[22]), ("1.700", "2.000"));
    // list-users: 138 ok / 20 s; 158 sent + 4 retries on the wire / 20 s.
    let list: Vec<&str> = summary[1].split(',').collect();
    assert_eq!((list[11], list[21], list[22]), ("7.900", "6.900", "8.100"));
    let orders: Vec<&str> = summary[2].split(',').collect();
    assert_eq!(orders[18], ""); // never rate-limited
    let audience = &lines(tmp.path(), "audiences.csv")[2];
    assert!(audience.contains(",true,false,"), "{audience}"); // internal, not counted
    let timeline = &lines(tmp.path(), "timeline.csv")[1];
    assert_eq!(
        timeline,
        "0,list-users,8,8,0,8,0,0,30.000,80.000,120.000,50,50,1.000"
    );
}

#[test]
fn percentiles_agree_with_the_histogram_log() {
    let (tmp, s) = written();
    let bytes = fs::read(tmp.path().join("histograms.hlog")).unwrap();
    let tags: Vec<String> = IntervalLogIterator::new(&bytes)
        .filter_map(|e| match e {
            Ok(LogEntry::Interval(i)) => i.tag().map(|t| t.as_str().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        tags,
        [
            "list-users",
            "list-users:service",
            "orders-token",
            "orders-token:service",
            "get-user",
            "get-user:service"
        ]
    );
    let back = report::read(tmp.path()).unwrap();
    for h in &back.histograms {
        let row = back
            .summary
            .iter()
            .find(|r| r.operation == h.operation)
            .unwrap();
        assert_eq!(h.corrected_us.len(), row.sent, "{}", h.operation);
        let ms = |us: u64| us as f64 / 1000.0;
        assert_eq!(row.p50_ms, ms(h.corrected_us.value_at_quantile(0.5)));
        assert_eq!(row.p99_ms, ms(h.corrected_us.value_at_quantile(0.99)));
        assert_eq!(row.p999_ms, ms(h.corrected_us.value_at_quantile(0.999)));
        assert_eq!(row.max_ms, ms(h.corrected_us.max()));
        assert_eq!(row.service_p99_ms, ms(h.service_us.value_at_quantile(0.99)));
        for l in back.latency.iter().filter(|l| l.operation == h.operation) {
            assert_eq!(
                l.corrected_ms,
                ms(h.corrected_us.value_at_percentile(l.percentile))
            );
            assert_eq!(
                l.service_ms,
                ms(h.service_us.value_at_percentile(l.percentile))
            );
        }
    }
    assert_eq!(s.histograms.len(), back.histograms.len());
}

#[test]
fn read_of_write_is_identity() {
    let (tmp, s) = written();
    let back = report::read(tmp.path()).unwrap();
    assert_eq!(back.run, s.run);
    assert!(back.run.extra.is_empty(), "{:?}", back.run.extra);
    assert_eq!(back.summary, s.summary);
    assert_eq!(back.timeline, s.timeline);
    assert_eq!(back.audiences, s.audiences);
    assert_eq!(back.statuses, s.statuses);
    assert_eq!(back.latency, s.latency);
    assert_eq!(back.events, s.events);
    assert_eq!(back.histograms.len(), s.histograms.len());
    for (a, b) in back.histograms.iter().zip(&s.histograms) {
        assert_eq!(a.operation, b.operation);
        assert!(a.corrected_us == b.corrected_us, "{}", a.operation);
        assert!(a.service_us == b.service_us, "{}", a.operation);
    }
    let results = report::read_thresholds(tmp.path()).unwrap().unwrap();
    assert_eq!(results, threshold_results(&s));
}

#[test]
fn reading_names_the_missing_file() {
    let (tmp, _) = written();
    fs::remove_file(tmp.path().join("timeline.csv")).unwrap();
    let err = report::read(tmp.path()).unwrap_err();
    assert!(matches!(err, ReportError::Missing { ref file, .. } if file == "timeline.csv"));
    assert!(err.to_string().contains("missing timeline.csv"), "{err}");
    let gone = tmp.path().join("nope");
    let err = report::read(&gone).unwrap_err().to_string();
    assert!(
        err.contains("nope") && err.contains("no such report folder"),
        "{err}"
    );
    fs::write(tmp.path().join("summary.csv"), "operation,kind\nx,y\n").unwrap();
    let err = report::read(tmp.path()).unwrap_err().to_string();
    assert!(
        err.contains("summary.csv:2: column scheduled is missing"),
        "{err}"
    );
}

#[test]
fn quota_projection_known_case() {
    // 12 tokens in 60 s → 720/h → 518,400 per 30-day month → 51,840 % of a 1,000 quota.
    let (per_hour, month, pct) = project_month(12, 60.0, Some(1000));
    assert_eq!(per_hour, 720.0);
    assert_eq!(month, 518_400.0);
    assert_eq!(pct, Some(51_840.0));
    // And in the synthetic run: 10 tokens in 20 s on the same quota, written to audiences.csv.
    let (tmp, _) = written();
    let row = &lines(tmp.path(), "audiences.csv")[1];
    assert_eq!(
        row,
        "https://orders.example.com,false,true,10,10,0,0,1800.000,1296000.000,1000,129600.000,1.023,observed rate"
    );
}

/// Writes the sample report for `scripts/check-html` when QUOTAPROBE_SAMPLE_OUT names a folder.
#[test]
fn sample_report_for_check_html() {
    let Some(out) = std::env::var_os("QUOTAPROBE_SAMPLE_OUT") else {
        return;
    };
    let out = Path::new(&out);
    fs::create_dir_all(out).unwrap();
    let s = snapshot();
    report::write_all(out, &s, &threshold_results(&s)).unwrap();
    eprintln!("sample report written to {}", out.display());
}
