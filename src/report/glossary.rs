//! The glossary both documents end with: every column and word a capacity review meets, for
//! readers who never ran the tool.

/// What the columns and words of the report mean, for readers who never ran the tool.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "scheduled",
        "Requests the arrival schedule called for (scheduled = sent + dropped).",
    ),
    (
        "sent",
        "Requests actually sent; each counts once, by its final outcome after retries.",
    ),
    ("ok", "Final outcome 2xx or 3xx."),
    (
        "429",
        "Too Many Requests: the tenant's rate limit (or a client quota) rejected the request.",
    ),
    (
        "4xx / 5xx",
        "Other client errors (401, 403, 404, ...; 429 excluded) and server errors.",
    ),
    (
        "transport errors",
        "No usable HTTP answer: timeout, refused or reset connection, unreadable body.",
    ),
    (
        "dropped",
        "Arrivals never sent: the in-flight cap (max_in_flight) was full, the generator fell behind schedule, or the run was stopping. They are counted, never fired late in a burst.",
    ),
    (
        "retries",
        "Extra attempts made by the retry policy; not part of sent.",
    ),
    ("rps", "Completed requests per second over the whole run."),
    (
        "corrected latency",
        "Time from when a request was due to start (its intended start) to its answer. Includes waiting for a free slot or a throttle, so a slow tenant cannot hide queueing (coordinated omission).",
    ),
    (
        "service time",
        "Time from the actual send to the answer, as the network and tenant saw it.",
    ),
    (
        "p50 / p99 / p99.9",
        "Percentiles: 50 %, 99 %, 99.9 % of requests were at least this fast.",
    ),
    (
        "first 429 s",
        "Seconds from the run's start to the intended start of the first request answered 429.",
    ),
    (
        "x-ratelimit-remaining",
        "Header on rate-limited responses: requests the bucket still allows before 429s.",
    ),
    (
        "M2M quota",
        "Auth0 counts machine-to-machine tokens issued for your own APIs per month; tokens for the Management API do not count.",
    ),
    (
        "projected / month",
        "Tokens a 30-day month would issue at the rate observed in this run.",
    ),
    (
        "runs out (day)",
        "Day of a 30-day month on which the quota is used up at that rate, counting tokens used before the run.",
    ),
];
