//! Parsers for the rate-limit headers of every response: `x-ratelimit-limit/remaining/reset`,
//! `Retry-After` (seconds or an HTTP date) and `Auth0-Client-Quota-Limit`
//! (`b=per_hour;q=10;r=7;t=3540,b=per_day;...`). Header names are matched case-insensitively
//! (the `http` crate lower-cases them); garbage values are counted in `bad`, never an error.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use crate::metrics::RateSeen;

/// What one response's headers said.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateInfo {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: absolute UNIX time, seconds.
    pub reset_epoch_s: Option<u64>,
    pub retry_after: Option<Duration>,
    /// Lowest remaining count over the buckets of `Auth0-Client-Quota-Limit`.
    pub quota_remaining: Option<u64>,
    /// Headers present but unparseable.
    pub bad: u32,
}

impl RateInfo {
    /// `x-ratelimit-reset − now`, seconds (negative when the reset is in the past).
    pub fn reset_in_s(&self, now: SystemTime) -> Option<f64> {
        let reset = self.reset_epoch_s? as f64;
        Some(reset - epoch_s(now))
    }

    pub fn seen(&self, now: SystemTime) -> RateSeen {
        RateSeen {
            limit: self.limit,
            remaining: self.remaining,
            reset_in_s: self.reset_in_s(now),
        }
    }
}

pub fn epoch_s(now: SystemTime) -> f64 {
    now.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The headers [`parse`] reads, as [`HeaderName::as_str`] spells them (lower case).
const NAMES: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "auth0-client-quota-limit",
];

/// Reads every rate-limit header of a response; `now` resolves HTTP-date `Retry-After`s.
pub fn parse(headers: &HeaderMap, now: SystemTime) -> RateInfo {
    parse_pairs(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())), now)
}

/// [`parse`] over raw `(name, value)` pairs, as a response head's parser yields them (names in
/// any case). One pass over the response's few headers, first value of each name (as
/// `HeaderMap::get`): five `get`s by string each parsed and hashed the name, ~1,900
/// instructions per response in the callgrind profile (BENCHMARKS.md), on every response, even
/// ones with no such header. A value that is not visible ASCII is bad (as
/// `HeaderValue::to_str`).
pub fn parse_pairs<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a [u8])>,
    now: SystemTime,
) -> RateInfo {
    let mut info = RateInfo::default();
    let mut bad = 0;
    let mut seen = [false; NAMES.len()];
    for (name, value) in pairs {
        let Some(slot) = slot_of(name) else {
            continue;
        };
        if std::mem::replace(&mut seen[slot], true) {
            continue;
        }
        let Some(v) = visible_ascii(value) else {
            bad += 1;
            continue;
        };
        let v = v.trim();
        match slot {
            0 => info.limit = count(v, &mut bad),
            1 => info.remaining = count(v, &mut bad),
            2 => info.reset_epoch_s = count(v, &mut bad),
            3 => {
                info.retry_after = retry_after(v, now);
                if info.retry_after.is_none() {
                    bad += 1;
                }
            }
            _ => match client_quota_remaining(v) {
                Some(r) => info.quota_remaining = Some(r),
                None => bad += 1,
            },
        }
    }
    info.bad = bad;
    info
}

/// Which of [`NAMES`] `name` is, in any case: by length first (most headers are none of them).
fn slot_of(name: &str) -> Option<usize> {
    let candidates: &[usize] = match name.len() {
        17 => &[0, 2],
        21 => &[1],
        11 => &[3],
        24 => &[4],
        _ => return None,
    };
    candidates
        .iter()
        .copied()
        .find(|&i| NAMES[i].eq_ignore_ascii_case(name))
}

/// The value as text when every byte is visible ASCII or a tab (`HeaderValue::to_str`'s rule).
fn visible_ascii(v: &[u8]) -> Option<&str> {
    if v.iter().all(|&b| b == b'\t' || (32..127).contains(&b)) {
        std::str::from_utf8(v).ok()
    } else {
        None
    }
}

/// A non-negative integer; anything else (negative, fractional, too large, text) is bad.
fn count(v: &str, bad: &mut u32) -> Option<u64> {
    match v.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => {
            *bad += 1;
            None
        }
    }
}

/// `Retry-After`: delta-seconds or an HTTP date (a date in the past means "now").
pub fn retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The lowest `r` (remaining) over the buckets of `Auth0-Client-Quota-Limit`.
pub fn client_quota_remaining(v: &str) -> Option<u64> {
    let mut lowest: Option<u64> = None;
    for bucket in v.split(',').map(str::trim).filter(|b| !b.is_empty()) {
        let r = bucket
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("r"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())?;
        lowest = Some(lowest.map_or(r, |l| l.min(r)));
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_bytes(v),
            ) {
                h.append(k, v);
            }
        }
        h
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_675_452_000)
    }

    #[test]
    fn header_table() {
        // (headers, limit, remaining, reset, retry_after s, quota_remaining, bad)
        type Row<'a> = (
            Vec<(&'a str, &'a [u8])>,
            Option<u64>,
            Option<u64>,
            Option<u64>,
            Option<u64>,
            Option<u64>,
            u32,
        );
        let table: Vec<Row> = vec![
            (vec![], None, None, None, None, None, 0),
            (
                vec![
                    ("X-RateLimit-Limit", b"1000"),
                    ("x-ratelimit-remaining", b"50"),
                    ("X-RATELIMIT-RESET", b"1675452600"),
                ],
                Some(1000),
                Some(50),
                Some(1_675_452_600),
                None,
                None,
                0,
            ),
            (
                vec![("Retry-After", b"7")],
                None,
                None,
                None,
                Some(7),
                None,
                0,
            ),
            (
                // HTTP date 60 s after `now`.
                vec![("retry-after", b"Fri, 03 Feb 2023 19:21:00 GMT")],
                None,
                None,
                None,
                Some(60),
                None,
                0,
            ),
            (
                vec![("retry-after", b"Thu, 01 Jan 1970 00:00:00 GMT")],
                None,
                None,
                None,
                Some(0),
                None,
                0,
            ),
            (
                vec![(
                    "Auth0-Client-Quota-Limit",
                    b"b=per_hour;q=10;r=7;t=3540,b=per_day;q=100;r=97;t=86000",
                )],
                None,
                None,
                None,
                None,
                Some(7),
                0,
            ),
            (
                vec![
                    ("x-ratelimit-limit", b"-1"),
                    ("x-ratelimit-remaining", b"lots"),
                    ("x-ratelimit-reset", b"99999999999999999999999"),
                    ("retry-after", b"soon"),
                    ("auth0-client-quota-limit", b"b=per_hour;q=10"),
                ],
                None,
                None,
                None,
                None,
                None,
                5,
            ),
            (
                vec![("x-ratelimit-limit", b"1.5"), ("retry-after", b"-3")],
                None,
                None,
                None,
                None,
                None,
                2,
            ),
            (
                vec![("x-ratelimit-remaining", b"\xff\xfe")],
                None,
                None,
                None,
                None,
                None,
                1,
            ),
            (
                vec![("x-ratelimit-limit", b"18446744073709551615")],
                Some(u64::MAX),
                None,
                None,
                None,
                None,
                0,
            ),
        ];
        for (i, (h, limit, remaining, reset, ra, quota, bad)) in table.into_iter().enumerate() {
            let got = parse(&headers(&h), now());
            assert_eq!(got.limit, limit, "row {i}");
            assert_eq!(got.remaining, remaining, "row {i}");
            assert_eq!(got.reset_epoch_s, reset, "row {i}");
            assert_eq!(got.retry_after, ra.map(Duration::from_secs), "row {i}");
            assert_eq!(got.quota_remaining, quota, "row {i}");
            assert_eq!(got.bad, bad, "row {i}");
        }
    }

    #[test]
    fn reset_is_relative_to_now() {
        let info = RateInfo {
            reset_epoch_s: Some(1_675_452_030),
            ..RateInfo::default()
        };
        assert_eq!(info.reset_in_s(now()), Some(30.0));
        assert_eq!(client_quota_remaining(" b=per_day ; R = 3 "), Some(3));
        assert_eq!(client_quota_remaining("garbage"), None);
    }
}
