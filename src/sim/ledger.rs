//! Token quotas: the tenant's monthly M2M ledger and per-client fine-grained quotas
//! (`per_hour`, `per_day`, calendar UTC windows).
//!
//! Pure counting on explicit epoch seconds. Which tokens count (custom audiences only for the
//! monthly quota; every client-credentials token for client quotas, an assumption) is decided by
//! the token route.

use super::config::ClientQuota;
use super::limit::QuotaTrigger;

/// The monthly M2M quota of the tenant (calendar UTC month).
#[derive(Debug, Clone)]
pub struct MonthlyLedger {
    pub quota: Option<u64>,
    pub hard_block: bool,
    trigger: QuotaTrigger,
    /// Tokens counted in the month before last and last month.
    previous: [u64; 2],
    used: u64,
    month: Option<(i32, u8)>,
}

impl MonthlyLedger {
    /// A ledger that starts the month with `used` tokens already counted.
    pub fn new(quota: Option<u64>, hard_block: bool, used: u64) -> Self {
        MonthlyLedger {
            quota,
            hard_block,
            trigger: QuotaTrigger::default(),
            previous: [0, 0],
            used,
            month: None,
        }
    }

    /// The same ledger judged by `trigger`, with the two previous months' counts (older first).
    pub fn with_history(mut self, trigger: QuotaTrigger, previous: [u64; 2]) -> Self {
        self.trigger = trigger;
        self.previous = previous;
        self
    }

    fn roll(&mut self, epoch_s: u64) {
        let month = month_of(epoch_s);
        match self.month {
            None => self.month = Some(month),
            Some(m) if m != month => {
                self.month = Some(month);
                // Months without a request count zero: a gap of several months clears history.
                self.previous = if next_month(m) == month {
                    [self.previous[1], self.used]
                } else if next_month(next_month(m)) == month {
                    [self.used, 0]
                } else {
                    [0, 0]
                };
                self.used = 0;
            }
            Some(_) => {}
        }
    }

    /// Whether a new counted token may be issued at `epoch_s`.
    pub fn may_issue(&mut self, epoch_s: u64) -> bool {
        self.roll(epoch_s);
        let Some(q) = self.quota.filter(|_| self.hard_block) else {
            return true;
        };
        let averaged = self.previous[0] + self.previous[1] + self.used >= q.saturating_mul(3);
        let over = match self.trigger {
            QuotaTrigger::CalendarMonth => self.used >= q,
            QuotaTrigger::MonthOrAverage => self.used >= q || averaged,
        };
        !over
    }

    /// Count one issued token.
    pub fn record(&mut self, epoch_s: u64) {
        self.roll(epoch_s);
        self.used += 1;
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    pub fn remaining(&self) -> Option<u64> {
        self.quota.map(|q| q.saturating_sub(self.used))
    }

    /// Tokens past the quota (paid tiers keep issuing).
    pub fn overage(&self) -> u64 {
        self.quota.map_or(0, |q| self.used.saturating_sub(q))
    }
}

fn next_month((year, month): (i32, u8)) -> (i32, u8) {
    if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

fn month_of(epoch_s: u64) -> (i32, u8) {
    let secs = i64::try_from(epoch_s).unwrap_or(i64::MAX);
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => (t.year(), u8::from(t.month())),
        Err(_) => (0, 0),
    }
}

/// One window of a client quota as the header reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaWindow {
    /// "per_hour" or "per_day".
    pub bucket: &'static str,
    pub quota: u64,
    pub remaining: u64,
    /// Seconds until the window resets (top of the next UTC hour or day).
    pub reset_in_s: u64,
}

/// Counts of one client in its current hour and day.
#[derive(Debug, Clone, Default)]
pub struct ClientCounter {
    hour: (u64, u64),
    day: (u64, u64),
}

impl ClientCounter {
    fn roll(&mut self, epoch_s: u64) {
        if self.hour.0 != epoch_s / 3_600 {
            self.hour = (epoch_s / 3_600, 0);
        }
        if self.day.0 != epoch_s / 86_400 {
            self.day = (epoch_s / 86_400, 0);
        }
    }

    /// The configured windows at `epoch_s`, hour first.
    pub fn windows(&mut self, quota: &ClientQuota, epoch_s: u64) -> Vec<QuotaWindow> {
        self.roll(epoch_s);
        let mut out = Vec::with_capacity(2);
        if let Some(q) = quota.per_hour {
            out.push(QuotaWindow {
                bucket: "per_hour",
                quota: q,
                remaining: q.saturating_sub(self.hour.1),
                reset_in_s: 3_600 - epoch_s % 3_600,
            });
        }
        if let Some(q) = quota.per_day {
            out.push(QuotaWindow {
                bucket: "per_day",
                quota: q,
                remaining: q.saturating_sub(self.day.1),
                reset_in_s: 86_400 - epoch_s % 86_400,
            });
        }
        out
    }

    /// The exhausted window that blocks a new token (the one resetting last), if enforced.
    pub fn blocking(&mut self, quota: &ClientQuota, epoch_s: u64) -> Option<QuotaWindow> {
        if !quota.enforce {
            return None;
        }
        self.windows(quota, epoch_s)
            .into_iter()
            .filter(|w| w.remaining == 0)
            .max_by_key(|w| w.reset_in_s)
    }

    /// Count one issued token.
    pub fn record(&mut self, epoch_s: u64) {
        self.roll(epoch_s);
        self.hour.1 += 1;
        self.day.1 += 1;
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
