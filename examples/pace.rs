//! Drives the engine without the CLI: one `http` GET operation at a fixed rate, for benchmarks.
//!
//! `cargo run --release --example pace -- URL [RATE_PER_S] [SECONDS] [MAX_IN_FLIGHT]`
//! (defaults: 5000/s, 10 s, 50 in flight). Prints the ALL summary row and the drop counts;
//! `PROGRESS=1` draws the progress bar (on a terminal).

use std::time::Duration;

use quotaprobe::engine::{self, RunOptions, Target};
use quotaprobe::scenario::*;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:18080/".into());
    let rate: f64 = arg(&args, 2, 5000.0);
    let secs: f64 = arg(&args, 3, 10.0);
    let max_in_flight: usize = arg(&args, 4, 50);
    let plan = RunPlan {
        name: "pace".into(),
        description: "benchmark: one GET at a fixed rate".into(),
        seed: 1,
        target: TargetPlan::Simulated(SimulatedPlan {
            tier: "free".into(),
            month_to_date_tokens: 0,
            users: 0,
            token_lifetime: Duration::from_secs(86_400),
            apis: vec![],
            faults: Default::default(),
        }),
        clients: vec![],
        tokens: TokenPlan {
            strategy: TokenStrategy::PerRequest,
            format: TokenFormat::Form,
        },
        operations: vec![OperationPlan {
            name: "get".into(),
            kind: OperationKind::Http {
                method: "GET".into(),
                url: url.clone(),
                headers: vec![],
                body: None,
                bearer: None,
            },
            weight: 1,
            throttle_per_s: None,
        }],
        retry: RetryPlan {
            policy: RetryPolicy::None,
            max_retries: 0,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(10),
            jitter: 0.0,
        },
        phases: vec![PhasePlan {
            name: "steady".into(),
            duration: Duration::from_secs_f64(secs),
            rate_per_s: rate,
            ramp_to_per_s: rate,
            max_in_flight,
            concurrency: None,
            cycle: None,
        }],
        stop: StopPlan::default(),
        events: vec![],
        thresholds: vec![],
        http: HttpPlan {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
        },
        shard: None,
        data: Default::default(),
        flows: vec![],
        start: None,
        jobs: vec![],
        strict: false,
        pacing: Default::default(),
    };
    let target = Target {
        base_url: url,
        management_audience: "https://bench.local/api/v2/".into(),
        real: false,
    };
    let options = RunOptions {
        progress: std::env::var_os("PROGRESS").is_some(),
        ..RunOptions::default()
    };
    let out = engine::run(&plan, &target, options)?;
    let s = &out.snapshot;
    if let Some(all) = s.summary.iter().find(|r| r.operation == "ALL") {
        println!(
            "scheduled={} sent={} ok={} dropped={} errors={} achieved_rps={:.1} \
             p50_ms={:.3} p99_ms={:.3} max_ms={:.3} service_p50_ms={:.3} service_p99_ms={:.3} lag_p99_ms={:.3}",
            all.scheduled,
            all.sent,
            all.ok,
            all.dropped,
            all.sent - all.ok,
            all.achieved_rps,
            all.p50_ms,
            all.p99_ms,
            all.max_ms,
            all.service_p50_ms,
            all.service_p99_ms,
            all.lag_p99_ms
        );
    }
    let f = &s.run;
    let n = |v: Option<u64>| v.map_or("?".to_string(), |n| n.to_string());
    println!(
        "duration_s={} dropped_busy={} dropped_late={} stop={}",
        f.duration_s.map_or("?".to_string(), |d| format!("{d:.3}")),
        n(f.dropped_busy),
        n(f.dropped_late),
        f.stop_reason.as_deref().unwrap_or("?")
    );
    Ok(())
}
