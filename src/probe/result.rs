//! What a probe found: the bucket's size and rate with their ranges, how sure it is, what it
//! spent and why it stopped; the rate as a tier file writes it (a whole number per second,
//! minute or hour), and the tier-file fragment `run --tier-file` loads.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::fit::Fit;
use crate::sim::limit::Per;

/// Requests sent and how they were answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub spent: u64,
    pub ok: u64,
    pub limited: u64,
    /// Neither 2xx nor 429 (transport errors included).
    pub other: u64,
    pub other_statuses: BTreeSet<u16>,
    /// When the last answer came, seconds since the first request.
    pub last_s: f64,
    /// Requests the drain sent, and when its last answer came (seconds since the first request).
    pub drain_sent: u64,
    pub drain_s: f64,
    /// The most requests in flight at once.
    pub window: usize,
}

/// What the rate-limit headers said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers {
    /// The last `x-ratelimit-limit` on a 2xx.
    pub limit: Option<u64>,
    pub remaining_seen: bool,
    /// `x-ratelimit-remaining` disagreed with the 429s (it describes another bucket).
    pub contradicted: bool,
}

/// Why the probe stopped before its measuring time was up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhy {
    /// The next request would have gone over `--budget`.
    Budget,
    /// `Auth0-Client-Quota-Limit` showed this many tokens left.
    Quota(u64),
    /// Five answers in a row were neither 2xx nor 429 (the last status; `None`: no answer).
    Errors(Option<u16>),
}

impl std::fmt::Display for StopWhy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopWhy::Budget => write!(f, "the request budget (--budget) was reached"),
            StopWhy::Quota(n) => write!(
                f,
                "Auth0-Client-Quota-Limit showed only {n} tokens left: stopped at once"
            ),
            StopWhy::Errors(Some(s)) => write!(
                f,
                "five answers in a row were HTTP {s}, neither 2xx nor 429: check the endpoint, its credentials and --endpoint"
            ),
            StopWhy::Errors(None) => write!(
                f,
                "five requests in a row got no answer: check that the target is up"
            ),
        }
    }
}

/// How far the findings can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// No rate: the bucket was never drained, or no token came back.
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A rate as a tier file writes it: `rate` tokens per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub rate: u64,
    pub per: Per,
}

impl Rate {
    /// The coarsest unit whose whole number is within 0.5 % of `per_s` (per second, minute,
    /// hour); per hour, rounded, when none is.
    pub fn of(per_s: f64) -> Rate {
        for per in [Per::Second, Per::Minute] {
            let n = (per_s * per.window().as_secs_f64()).round();
            if n >= 1.0 && ((n / per.window().as_secs_f64()) - per_s).abs() <= 0.005 * per_s {
                return Rate {
                    rate: n as u64,
                    per,
                };
            }
        }
        Rate {
            rate: ((per_s * 3600.0).round() as u64).max(1),
            per: Per::Hour,
        }
    }
    pub fn per_s(&self) -> f64 {
        self.rate as f64 / self.per.window().as_secs_f64()
    }
    /// The tier-file value of `per`.
    pub fn per_key(&self) -> &'static str {
        match self.per {
            Per::Second => "second",
            Per::Minute => "minute",
            Per::Hour => "hour",
            Per::Day => "day",
        }
    }
}

/// Everything a probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Bucket size: the limit header when it agrees with the 429s, else the fitted start level
    /// (the bucket is assumed full when the probe began). When the budget ran out before the first
    /// 429, the successes counted: a lower bound.
    pub burst: u64,
    /// The range of bucket sizes that fit.
    pub burst_range: (f64, f64),
    /// Sustained rate per second and its range; `None` without a fit.
    pub rate: Option<(f64, f64, f64)>,
    pub slack: f64,
    pub tally: Tally,
    pub headers: Headers,
    /// The headers' bounds were used (present and consistent).
    pub headers_used: bool,
    /// The drain reached a 429.
    pub drained: bool,
    pub stop: Option<StopWhy>,
    pub confidence: Confidence,
}

impl Findings {
    pub(super) fn new(
        fit: Option<Fit>,
        tally: Tally,
        headers: Headers,
        headers_fit: bool,
        drained: bool,
        stop: Option<StopWhy>,
        taken: u64,
    ) -> Self {
        let limit = headers.limit;
        let fit = fit.filter(|f| drained && f.rate_lo > 0.0 && f.rate_hi < super::fit::RATE_CAP);
        let (burst, burst_range) = match &fit {
            Some(f) => {
                let size = (f.size_lo + f.size_hi) / 2.0;
                let fitted = size.round().max(1.0) as u64;
                // The limit header names the size when it is one that fits (a slow first
                // request leaves a range: the tokens that came during it).
                let b = match limit {
                    Some(l) if (f.size_lo - 1.0..=f.size_hi + 1.0).contains(&(l as f64)) => l,
                    _ => fitted,
                };
                (b, (f.size_lo, f.size_hi))
            }
            None => (taken, (taken as f64, f64::INFINITY)),
        };
        let confidence = match &fit {
            None => Confidence::None,
            Some(f) => {
                let spread = f.rate_spread();
                let sure_burst = f.size_hi - f.size_lo <= 2.5 || Some(burst) == limit;
                if f.slack <= 0.5 && spread <= 0.01 && sure_burst {
                    Confidence::High
                } else if f.slack <= 1.5 && spread <= 0.05 {
                    Confidence::Medium
                } else {
                    Confidence::Low
                }
            }
        };
        Findings {
            burst,
            burst_range,
            rate: fit.map(|f| (f.rate, f.rate_lo, f.rate_hi)),
            slack: fit.map_or(0.0, |f| f.slack),
            tally,
            headers_used: headers_fit && headers.remaining_seen,
            headers,
            drained,
            stop,
            confidence,
        }
    }

    /// The rate in tier-file units, if one was measured.
    pub fn tier_rate(&self) -> Option<Rate> {
        self.rate.map(|(r, _, _)| Rate::of(r))
    }

    /// The human summary (no trailing blank line).
    pub fn describe(&self, what: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Probe of {what}");
        let t = &self.tally;
        if self.drained {
            let (lo, hi) = self.burst_range;
            let _ = writeln!(
                s,
                "  burst: {} (sizes that fit: {lo:.2} .. {hi:.2})",
                self.burst
            );
        } else {
            let _ = writeln!(
                s,
                "  burst: at least {} (no 429 before the probe stopped)",
                self.burst
            );
        }
        match (self.rate, self.tier_rate()) {
            (Some((r, lo, hi)), Some(tr)) => {
                let _ = writeln!(
                    s,
                    "  sustained: {r:.3}/s ({lo:.3} .. {hi:.3}, ±{:.2} %) = {} per {}",
                    (hi - lo) / 2.0 / r * 100.0,
                    tr.rate,
                    tr.per_key()
                );
                let _ = writeln!(
                    s,
                    "  refill: {} (a token every {:.1} ms); window: per {} in the tier file",
                    if self.slack <= 0.5 {
                        "continuous, fits one token bucket"
                    } else {
                        "does not fit one continuously refilled bucket (a fixed window, or several buckets?)"
                    },
                    1000.0 / r,
                    tr.per_key()
                );
            }
            _ => {
                let _ = writeln!(s, "  sustained: not measured (no token came back in time)");
            }
        }
        let others = if t.other_statuses.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = t.other_statuses.iter().map(u16::to_string).collect();
            format!(" (HTTP {})", list.join(", "))
        };
        let _ = writeln!(
            s,
            "  requests spent: {} (2xx {}, 429 {}, other {}{others}) over {:.2} s",
            t.spent, t.ok, t.limited, t.other, t.last_s
        );
        if t.drain_s > 0.0 {
            let _ = writeln!(
                s,
                "  drain: {} requests in {:.2} s ({:.0}/s), at most {} in flight (--concurrency)",
                t.drain_sent,
                t.drain_s,
                t.drain_sent as f64 / t.drain_s,
                t.window
            );
        }
        let h = &self.headers;
        let headers = if h.limit.is_none() && !h.remaining_seen {
            "none: inferred from the pattern of 429s".to_string()
        } else if self.headers_used {
            format!(
                "x-ratelimit-limit {} and x-ratelimit-remaining, used",
                h.limit.map_or("-".into(), |l| l.to_string())
            )
        } else {
            format!(
                "x-ratelimit-limit {} seen but they disagree with the 429s (another bucket?): ignored",
                h.limit.map_or("-".into(), |l| l.to_string())
            )
        };
        let _ = writeln!(s, "  rate-limit headers: {headers}");
        let _ = writeln!(s, "  confidence: {}", self.confidence.label());
        if let Some(why) = &self.stop {
            let _ = writeln!(s, "  stopped early: {why}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rates_take_the_coarsest_unit_that_writes_them_whole() {
        let table = [
            (16.0, 16, Per::Second),
            (15.96, 16, Per::Second),
            (500.0 / 60.0, 500, Per::Minute),
            (8.31, 499, Per::Minute),
            (100.0 / 60.0, 100, Per::Minute),
            (750.0, 750, Per::Second),
            (0.0101, 36, Per::Hour),
        ];
        for (per_s, rate, per) in table {
            assert_eq!(Rate::of(per_s), Rate { rate, per }, "{per_s}");
        }
    }
}
