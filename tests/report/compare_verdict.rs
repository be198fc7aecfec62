//! `compare --tiers` answers with its assumptions and shows what the issue found missing: the
//! cheapest fit names what it rests on that is not published, comparison.csv/md carry dropped,
//! ok_rps and wire_rps as each tier's summary.csv has them, and the quota chart turns
//! logarithmic when a quota (free's 1,000) would vanish next to millions of projected tokens.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

use crate::support::contract::{check_report, csv_rows};

fn compare(dir: &Path, scenario: &str, tiers: &str) -> (i32, String) {
    let path = dir.join("s.toml");
    std::fs::write(&path, scenario).unwrap();
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("compare")
        .arg(&path)
        .args(["--tiers", tiers, "--parallel", "2", "--out"])
        .arg(dir.join("cmp"))
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

#[test]
fn the_cheapest_fit_names_its_assumptions_and_the_table_has_dropped_and_rates() {
    let tmp = tempfile::tempdir().unwrap();
    // 1 read/s for 2 s: within free's 2/s; no token counts toward the quota.
    let scenario = "name = \"slow-reads\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\n[[phases]]\nduration = \"2s\"\nrate = 1\n";
    let (code, text) = compare(tmp.path(), scenario, "free,enterprise");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Cheapest tier that fits: free."), "{text}");
    assert!(
        text.contains("That answer assumes, for free: its monthly M2M quota (")
            && text.contains("months averaged and block answer assumed)."),
        "{text}"
    );
    let out = tmp.path().join("cmp");
    let rows = csv_rows(&out.join("comparison.csv"));
    for tier in ["free", "enterprise"] {
        check_report(&out.join(tier));
        let summary = csv_rows(&out.join(tier).join("summary.csv"));
        let all = summary.iter().find(|r| r["operation"] == "ALL").unwrap();
        let row = rows
            .iter()
            .find(|r| r["tier"] == tier && r["operation"] == "ALL" && r["kind"] == "all")
            .unwrap();
        for col in ["dropped", "ok_rps", "wire_rps"] {
            assert_eq!(row[col], all[col], "{tier} {col}");
        }
    }
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(
        md.contains("| result | tier | sent | 429 | ratio_429 | errors | dropped |"),
        "{md}"
    );
    assert!(
        md.contains("| 429 | dropped | ratio_429 | achieved_rps | ok_rps | wire_rps |"),
        "{md}"
    );
}

#[test]
fn the_quota_chart_is_logarithmic_when_a_quota_would_vanish() {
    let tmp = tempfile::tempdir().unwrap();
    // 5 tokens/s projects to about 13 million a month against free's 1,000.
    let scenario = "name = \"token-storm\"\n[[operations]]\nname = \"orders-token\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n[[phases]]\nduration = \"2s\"\nrate = 5\n";
    let (code, text) = compare(tmp.path(), scenario, "free,essentials");
    // Free fits by the comparison's criterion (quota only with a max_quota_pct threshold) and
    // says to mind the quota; essentials' quota is unpublished: unknown.
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Mind the quota: on free"), "{text}");
    let svg = std::fs::read_to_string(tmp.path().join("cmp/charts/quota.svg")).unwrap();
    assert!(svg.contains("(log scale)"), "{svg}");
    // Ticks 1, 10, … 10,000,000: the 1,000 quota lies mid-axis, not squashed at its start.
    for tick in [">1<", ">1,000<", ">10,000,000<"] {
        assert!(svg.contains(tick), "{tick} in {svg}");
    }
    // The tier's own report draws its quota line on the same kind of axis.
    let own = std::fs::read_to_string(tmp.path().join("cmp/free/charts/quota.svg")).unwrap();
    assert!(
        own.contains("(log scale)") && own.contains("quota 1,000"),
        "{own}"
    );
}
