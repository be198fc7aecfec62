//! Which summary.csv column a statuses.csv `status` counts in (docs/reports.md "statuses.csv"),
//! read from the text alone: an HTTP code by its class, a transport error kind, or a token
//! failure (`token_<code or kind>`, `token_expired`).

/// The summary column a statuses.csv `status` counts in (docs/reports.md "statuses.csv").
pub(super) fn column_of(status: &str) -> Option<&'static str> {
    const TRANSPORT: [&str; 6] = ["timeout", "connect", "reset", "body", "other", "cancelled"];
    let http = |code: u16| match code {
        429 => "status_429",
        0..=399 => "ok",
        400..=499 => "status_4xx",
        _ => "status_5xx",
    };
    if let Ok(code) = status.parse::<u16>() {
        return Some(http(code));
    }
    if TRANSPORT.contains(&status) {
        return Some("transport_errors");
    }
    let token = status.strip_prefix("token_")?;
    if token == "expired" || token == "429" {
        return Some("status_4xx");
    }
    if TRANSPORT.contains(&token) {
        return Some("transport_errors");
    }
    token.parse::<u16>().ok().map(http)
}

#[cfg(test)]
mod tests {
    use super::column_of;

    #[test]
    fn every_kind_of_status_has_its_column() {
        for (status, column) in [
            ("200", Some("ok")),
            ("304", Some("ok")),
            ("404", Some("status_4xx")),
            ("429", Some("status_429")),
            ("503", Some("status_5xx")),
            ("timeout", Some("transport_errors")),
            ("cancelled", Some("transport_errors")),
            ("token_401", Some("status_4xx")),
            ("token_429", Some("status_4xx")),
            ("token_500", Some("status_5xx")),
            ("token_expired", Some("status_4xx")),
            ("token_connect", Some("transport_errors")),
            ("token_", None),
            ("dropped", None),
            ("", None),
        ] {
            assert_eq!(column_of(status), column, "{status:?}");
        }
    }
}
