//! The tier file a probe writes: one bucket with the measured burst and rate, placed where the
//! tier format keys that endpoint (`[[token_endpoint]]` for `POST /oauth/token`, `[[jwks]]`,
//! `[[openid_configuration]]`, else a `[[management.groups]]` entry routing the endpoint), with
//! the source "measured by probe on <date>". It is a whole file (`run --tier-file` loads it as it
//! is); the bucket's table can also be pasted into another tier file.

use std::fmt::Write as _;

use super::Findings;

/// Where the endpoint's bucket goes in a tier file.
fn table_of(endpoint: &str) -> (&'static str, String) {
    let (method, path) = endpoint.split_once(' ').unwrap_or(("GET", endpoint));
    let path = path.split('?').next().unwrap_or(path);
    match (method, path) {
        ("POST", "/oauth/token") => ("token_endpoint", "probed".into()),
        ("GET", "/.well-known/jwks.json") => ("jwks", "probed".into()),
        ("GET", "/.well-known/openid-configuration") => ("openid_configuration", "probed".into()),
        _ => ("management.groups", format!("{method} {path}")),
    }
}

fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// The file's text; `None` when no rate was measured. `what` names the target in comments,
/// `date` is the UTC day (`2026-12-03`).
pub fn fragment(f: &Findings, endpoint: &str, what: &str, date: &str) -> Option<String> {
    let rate = f.tier_rate()?;
    let (per_s, lo, hi) = f.rate?;
    let source = quoted(&format!("measured by probe on {date}"));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Measured by `quotaprobe probe` on {date}: {endpoint} on {what}."
    );
    let _ = writeln!(
        s,
        "# burst {} (sizes that fit {:.2} .. {:.2}), sustained {per_s:.3}/s ({lo:.3} .. {hi:.3}), confidence {},",
        f.burst,
        f.burst_range.0,
        f.burst_range.1,
        f.confidence.label()
    );
    let _ = writeln!(
        s,
        "# {} requests spent. Load it with `run --tier-file`, or paste the bucket's table into a tier file.",
        f.tally.spent
    );
    let _ = writeln!(s, "name = \"probed\"");
    let _ = writeln!(
        s,
        "description = {}",
        quoted(&format!("measured by probe on {date}: {endpoint}"))
    );
    let _ = writeln!(s, "refill = \"continuous\"\n");
    let (table, name) = table_of(endpoint);
    let _ = writeln!(s, "[[{table}]]");
    if table == "management.groups" {
        let _ = writeln!(s, "name = \"probed\"");
        let _ = writeln!(s, "routes = [{}]", quoted(&name));
    } else {
        let _ = writeln!(s, "name = {}", quoted(&name));
    }
    let _ = writeln!(s, "burst = {}", f.burst);
    let _ = writeln!(s, "rate = {}", rate.rate);
    let _ = writeln!(s, "per = \"{}\"", rate.per_key());
    let _ = writeln!(s, "source = {source}\n");
    let _ = writeln!(
        s,
        "# The probe does not measure the monthly M2M quota: unknown, not unlimited."
    );
    let _ = writeln!(s, "[quota]");
    let _ = writeln!(s, "hard_block = false");
    let _ = writeln!(s, "unknown = true");
    let _ = writeln!(
        s,
        "source = {}",
        quoted(&format!("assumed: not measured (probe on {date})"))
    );
    Some(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::probe::Confidence;
    use crate::probe::result::{Headers, Tally};

    fn findings(burst: u64, per_s: f64) -> Findings {
        Findings {
            burst,
            burst_range: (burst as f64 - 0.2, burst as f64 + 0.1),
            rate: Some((per_s, per_s * 0.999, per_s * 1.001)),
            slack: 0.0,
            tally: Tally::default(),
            headers: Headers::default(),
            headers_used: false,
            drained: true,
            stop: None,
            confidence: Confidence::High,
        }
    }

    #[test]
    fn every_endpoint_kind_writes_a_tier_file_the_loader_takes_with_the_measured_bucket() {
        let f = findings(40, 500.0 / 60.0);
        for endpoint in [
            "GET /api/v2/users?per_page=5",
            "POST /oauth/token",
            "GET /.well-known/jwks.json",
            "GET /.well-known/openid-configuration",
            "GET /orders/{id}",
        ] {
            let text = fragment(&f, endpoint, "test", "2026-12-03").unwrap();
            let tier = crate::sim::tier::parse(&text, "probe output").unwrap();
            let limit = match endpoint {
                "POST /oauth/token" => tier.token_endpoint_limit(),
                "GET /.well-known/jwks.json" => tier
                    .jwks
                    .first()
                    .map(|b| (b.limit.burst, b.limit.rate_per_s())),
                "GET /.well-known/openid-configuration" => tier
                    .openid_configuration
                    .first()
                    .map(|b| (b.limit.burst, b.limit.rate_per_s())),
                "GET /orders/{id}" => tier.management_limit_for("GET", "/orders/o1"),
                _ => tier.management_limit_for("GET", "/api/v2/users"),
            };
            let (burst, per_s) = limit.unwrap_or_else(|| panic!("{endpoint}: {text}"));
            assert_eq!(burst, 40, "{endpoint}");
            assert!((per_s - 500.0 / 60.0).abs() < 1e-9, "{endpoint}");
            assert!(
                text.contains("source = \"measured by probe on 2026-12-03\""),
                "{text}"
            );
        }
    }

    #[test]
    fn no_rate_no_file() {
        let mut f = findings(40, 8.0);
        f.rate = None;
        assert_eq!(fragment(&f, "POST /oauth/token", "t", "2026-12-03"), None);
    }
}
