//! Numbers as people read them in documents (not in CSVs): thousands separators, percentages,
//! short seconds.

/// 432000 → "432,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 token", "2 tokens", "1,000 tokens": a count with its noun, plural unless exactly one.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// A non-negative real rounded to a whole number, with separators.
pub fn thousands_f(v: f64) -> String {
    if v.is_finite() && v >= 0.0 {
        thousands(v.round() as u64)
    } else {
        "-".to_string()
    }
}

/// 0.143 → "14.3 %".
pub fn percent_of(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0 %".to_string();
    }
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

/// A percentage already in percent: 43200 → "43,200 %", 12.34 → "12.3 %".
pub fn pct(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} %", thousands_f(v))
    } else {
        format!("{v:.1} %")
    }
}

/// Milliseconds for tables: 3 decimals below 1 s of latency, 1 above.
pub fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(432_000), "432,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands_f(1499.6), "1,500");
        assert_eq!(count(1, "token"), "1 token");
        assert_eq!(count(1200, "token"), "1,200 tokens");
        assert_eq!(percent_of(1, 7), "14.3 %");
        assert_eq!(pct(43_200.0), "43,200 %");
        assert_eq!(pct(12.34), "12.3 %");
    }
}
