#![allow(clippy::type_complexity)]
use super::*;

// 2026-11-30T23:59:00Z and one minute later (a new month).
const NOV_END: u64 = 1_796_083_140;
const DEC_START: u64 = NOV_END + 60;

#[test]
fn monthly_hard_block_soft_overage_and_month_roll() {
    let mut free = MonthlyLedger::new(Some(1000), true, 998);
    assert!(free.may_issue(NOV_END));
    free.record(NOV_END);
    assert!(free.may_issue(NOV_END));
    free.record(NOV_END);
    assert!(!free.may_issue(NOV_END));
    assert_eq!((free.used(), free.remaining()), (1000, Some(0)));
    assert!(free.may_issue(DEC_START), "a new month starts from zero");
    assert_eq!(free.used(), 0);

    let mut paid = MonthlyLedger::new(Some(1000), false, 1000);
    assert!(paid.may_issue(NOV_END));
    paid.record(NOV_END);
    assert_eq!(
        (paid.used(), paid.overage(), paid.remaining()),
        (1001, 1, Some(0))
    );

    let mut none = MonthlyLedger::new(None, false, 5);
    assert!(none.may_issue(NOV_END));
    assert_eq!(none.remaining(), None);
}

#[test]
fn averaged_trigger_blocks_below_the_quota_after_heavy_months_and_history_rolls() {
    // 1,500 + 1,000 before, 500 this month: the average (1,000) reaches the quota at 500.
    let mut avg = MonthlyLedger::new(Some(1000), true, 499)
        .with_history(QuotaTrigger::MonthOrAverage, [1500, 1000]);
    assert!(avg.may_issue(NOV_END));
    avg.record(NOV_END);
    assert!(
        !avg.may_issue(NOV_END),
        "blocked at 500 by the 3-month average"
    );
    // December: history [1000, 500] and nothing used yet: under the average, so it issues.
    assert!(avg.may_issue(DEC_START));
    let mut month = MonthlyLedger::new(Some(1000), true, 499)
        .with_history(QuotaTrigger::CalendarMonth, [1500, 1000]);
    month.record(NOV_END);
    assert!(month.may_issue(NOV_END), "calendar month: 500 of 1,000");
    // Soft tiers never block, whatever the history.
    let mut soft = MonthlyLedger::new(Some(1000), false, 999)
        .with_history(QuotaTrigger::MonthOrAverage, [5000, 5000]);
    assert!(soft.may_issue(NOV_END));
    // Two months later the history is [used, 0]; three or more: cleared.
    const JAN: u64 = DEC_START + 31 * 86_400;
    let mut gap = MonthlyLedger::new(Some(1000), true, 900)
        .with_history(QuotaTrigger::MonthOrAverage, [1000, 1099]);
    assert!(gap.may_issue(NOV_END), "(1000 + 1099 + 900) / 3 < 1000");
    gap.record(NOV_END);
    assert!(!gap.may_issue(NOV_END), "(1000 + 1099 + 901) / 3 >= 1000");
    assert!(gap.may_issue(JAN), "history [901, 0] by January");
    assert_eq!(gap.used(), 0);
}

#[test]
fn client_windows_are_calendar_utc() {
    let quota = ClientQuota {
        per_hour: Some(2),
        per_day: Some(3),
        enforce: true,
    };
    let mut c = ClientCounter::default();
    let t = 1_796_083_140; // 23:59:00, 60 s before both the hour and the day end
    let cases: &[(u64, Vec<(u64, u64)>, Option<&str>)] = &[
        // (time, [(remaining, reset_in_s) hour, day], blocking bucket) after recording one token
        (t, vec![(1, 60), (2, 60)], None),
        (t + 30, vec![(0, 30), (1, 30)], Some("per_hour")),
        (t + 60, vec![(1, 3_600), (2, 86_400)], None),
        (t + 61, vec![(0, 3_599), (1, 86_399)], Some("per_hour")),
    ];
    for (at, want, block) in cases {
        c.record(*at);
        let got: Vec<(u64, u64)> = c
            .windows(&quota, *at)
            .iter()
            .map(|w| (w.remaining, w.reset_in_s))
            .collect();
        assert_eq!(&got, want, "at {at}");
        assert_eq!(c.blocking(&quota, *at).map(|w| w.bucket), *block, "at {at}");
    }
    let soft = ClientQuota {
        enforce: false,
        ..quota
    };
    assert_eq!(c.blocking(&soft, t + 61), None);
}

#[test]
fn the_later_reset_wins_when_both_are_exhausted() {
    let quota = ClientQuota {
        per_hour: Some(1),
        per_day: Some(1),
        enforce: true,
    };
    let mut c = ClientCounter::default();
    c.record(100);
    let w = c.blocking(&quota, 100);
    assert_eq!(
        w.map(|w| (w.bucket, w.reset_in_s)),
        Some(("per_day", 86_300))
    );
}
