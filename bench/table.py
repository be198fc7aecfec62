"""Turns bench/run.sh's results (measure, tool, round, value per line) into one Markdown table.

Values are medians over rounds with [min-max]; a ratio is quotaprobe / peer per round (same
round = same minutes), shown as median [min-max]. Targets are BENCHMARKS.md's.
"""

import statistics
import sys
from collections import defaultdict

values = defaultdict(dict)  # (measure, tool) -> {round: value}
for line in open(sys.argv[1]):
    measure, tool, rnd, value = line.rstrip("\n").split("\t")
    try:
        values[(measure, tool)][rnd] = float(value)
    except ValueError:
        values[(measure, tool)][rnd] = value


def nums(measure, tool):
    return [v for v in values.get((measure, tool), {}).values() if isinstance(v, float)]


def fmt(xs, digits):
    if not xs:
        return "–"
    med = statistics.median(xs)
    if len(xs) == 1:
        return f"{med:,.{digits}f}"
    return f"{med:,.{digits}f} [{min(xs):,.{digits}f}–{max(xs):,.{digits}f}]"


def ratios(measure, peer):
    ours, theirs = values.get((measure, "quotaprobe"), {}), values.get((measure, peer), {})
    return [ours[r] / theirs[r] for r in ours if r in theirs and theirs[r]]


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


rows = []


def row(what, ours, peer, ratio, target, ok):
    rows.append(f"| {what} | {ours} | {peer} | {ratio} | {target} | {verdict(ok)} |")


def med(xs):
    return statistics.median(xs) if xs else None


if ("closed_rps", "quotaprobe") in values:
    for peer in ("oha", "wrk"):
        r = ratios("closed_rps", peer)
        row(f"1. closed loop, req/s (vs {peer})", fmt(nums("closed_rps", "quotaprobe"), 0),
            fmt(nums("closed_rps", peer), 0), fmt(r, 2), "≥ 1.00× oha" if peer == "oha" else "(reference)",
            (med(r) >= 1.0) if r and peer == "oha" else None)
if ("cpu_us", "quotaprobe") in values:
    r = ratios("cpu_us", "oha")
    row("2. CPU µs/req at 5,000/s (vs oha -q 5000)", fmt(nums("cpu_us", "quotaprobe"), 1),
        fmt(nums("cpu_us", "oha"), 1), fmt(r, 2), "≤ 0.60× oha", (med(r) <= 0.6) if r else None)
    row("2. max RSS MB in that run", fmt(nums("cpu_rss_mb", "quotaprobe"), 1),
        fmt(nums("cpu_rss_mb", "oha"), 1), fmt(ratios("cpu_rss_mb", "oha"), 2), "–", None)
rates = sorted({int(m.split("_")[-1]) for (m, _) in values if m.startswith("rate_ratio_")})
for rate in rates:
    acc, lag = nums(f"rate_ratio_{rate}", "quotaprobe"), nums(f"lag_p99_{rate}", "quotaprobe")
    dropped = nums(f"dropped_{rate}", "quotaprobe")
    strict = rate == 5000
    row(f"3. sent / target at {rate:,}/s (dropped {fmt(dropped, 0)})", fmt(acc, 4), "–", "–",
        "within 1 %" if strict else "(reference)",
        (all(abs(a - 1) <= 0.01 for a in acc)) if acc and strict else None)
    row(f"3. p99 schedule lag ms at {rate:,}/s", fmt(lag, 2), "–", "–",
        "< 2 ms" if strict else "(reference)", (max(lag) < 2.0) if lag and strict else None)
if ("rss_hwm_1m", "quotaprobe") in values:
    h1, he = nums("rss_hwm_1m", "quotaprobe"), nums("rss_hwm_end", "quotaprobe")
    r1, re_ = nums("rss_1m", "quotaprobe"), nums("rss_end", "quotaprobe")
    growth = (he[0] / h1[0]) if h1 and he else None
    row("4. peak RSS MB after 1 min → at the end (VmHWM)", f"{fmt(h1, 1)} → {fmt(he, 1)}", "–",
        f"{growth:.2f}" if growth else "–", "flat (≤ 1.10×)", (growth <= 1.10) if growth else None)
    row("4. RSS MB after 1 min → at the end (VmRSS)", f"{fmt(r1, 1)} → {fmt(re_, 1)}", "–", "–", "–", None)
    row("4. sent / target over the long run", fmt(nums("memory_rate_ratio", "quotaprobe"), 4), "–", "–",
        "–", None)
if ("sim_tokens", "oha") in values:
    t, m = nums("sim_tokens", "oha"), nums("sim_mgmt", "oha")
    row("5. simulator: tokens/s issued (200s, oha -c 16)", fmt(t, 0), "–", "–", "≥ 2,000",
        (med(t) >= 2000) if t else None)
    row("5. simulator: Management API GET/s (200s, oha -c 32)", fmt(m, 0), "–", "–", "≥ 20,000",
        (med(m) >= 20000) if m else None)

load = [v for (m, _), d in values.items() if m.startswith("load_") for v in d.values()]
print("| measure | quotaprobe | peer | ratio | target | |")
print("|---|---|---|---|---|---|")
print("\n".join(rows))
print()
print(f"load average (1/5/15 min) before → after: {' → '.join(str(x) for x in load)}")
