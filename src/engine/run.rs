//! One run, start to finish: build the client, the operation table (plan operations plus one
//! synthetic `token:<audience>` operation per audience the token strategy may fetch), the
//! recorder task, the worker pool, the events task and the scheduler; then stop, drain in-flight
//! requests for a bounded time, and assemble the [`Snapshot`] with its `run` facts.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use tokio::task::LocalSet;
use tokio::time::Instant;

use super::ctx::Ctx;
use super::guard::Guard;
use super::progress::Progress;
use super::queue::JobQueue;
use super::recording::RecordTask;
use super::retry::Retry;
use super::scheduler::Scheduler;
use super::sink::{self, Msg};
use super::stop::{StopReason, Stopper};
use super::throttle::Throttles;
use super::tokens::fetch::RecordingFetcher;
use super::tokens::{Cache, StaticToken, Tokens};
use super::{EngineError, RunOptions, RunOutcome, Target, events, operations, worker};
use crate::metrics::run_facts::ms_precision;
use crate::metrics::timeline::resolution_for;
use crate::metrics::{
    DropReason, EventRow, ObservedFacts, QuotaContext, Recorder, RunClock, RunFacts, Shard,
};
use crate::ops::{self, Base, Http, Transport};
use crate::scenario::{RunPlan, TokenStrategy};

/// Runs `plan` against `target`; blocks until the run has ended and drained.
pub fn run(
    plan: &RunPlan,
    target: &Target,
    options: RunOptions,
) -> Result<RunOutcome, EngineError> {
    check(plan, &options)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = LocalSet::new();
    local.block_on(&rt, run_local(plan.clone(), target.clone(), options))
}

fn check(plan: &RunPlan, options: &RunOptions) -> Result<(), EngineError> {
    if plan.operations.is_empty() {
        return Err(EngineError::Empty("operations"));
    }
    if plan.phases.is_empty() {
        return Err(EngineError::Empty("phases"));
    }
    if let Some((index, c)) = plan
        .clients
        .iter()
        .enumerate()
        .find(|(i, _)| options.client_credentials.get(*i).is_none())
    {
        return Err(EngineError::MissingCredentials {
            index,
            name: c.name.clone(),
        });
    }
    Ok(())
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// [`crate::metrics::observed::Facts`] as `run.csv` writes them: the quota's instant and month
/// on the run's calendar (`started_at` is the run's clock at the start).
fn observed_facts(o: crate::metrics::observed::Facts, started_at: SystemTime) -> ObservedFacts {
    let at = o
        .quota_ran_out_s
        .map(|s| rfc3339(started_at + Duration::from_secs_f64(s)));
    ObservedFacts {
        quota_ran_out_s: Some(o.quota_ran_out_s.map(ms_precision)),
        quota_month: Some(
            at.as_deref()
                .map(|t| t[..7.min(t.len())].to_string())
                .unwrap_or_default(),
        ),
        quota_ran_out_at: Some(at.unwrap_or_default()),
        quota_refused_tokens: Some(o.quota_refused_tokens),
        quota_failed: Some(o.failed),
        work_finished_s: Some(o.work_finished_s.map(ms_precision)),
    }
}

async fn run_local(
    plan: RunPlan,
    target: Target,
    options: RunOptions,
) -> Result<RunOutcome, EngineError> {
    let pool = pool_of(&plan);
    let transport = Http::new(
        &target.base_url,
        &plan.http,
        pool,
        options.ca_pem.as_deref(),
    )?;
    run_on(plan, target, options, transport).await
}

/// The worker pool's size: the largest `max_in_flight` of the phases, plus every job's (a
/// job's arrivals may be in flight beside the phase's).
fn pool_of(plan: &RunPlan) -> usize {
    let phases = plan
        .phases
        .iter()
        .map(|p| p.max_in_flight)
        .max()
        .unwrap_or(1);
    let jobs: usize = plan.jobs.iter().map(|j| j.phase.max_in_flight).sum();
    (phases + jobs).max(1)
}

/// [`run`] on a given transport, inside a `LocalSet` on a current-thread runtime (the caller's:
/// `src/fastforward/` runs it on a paused one with the simulator in process).
pub async fn run_on<T: Transport + 'static>(
    plan: RunPlan,
    target: Target,
    options: RunOptions,
    transport: T,
) -> Result<RunOutcome, EngineError> {
    check(&plan, &options)?;
    let mgmt = target.management_audience.clone();
    let pool = pool_of(&plan);
    let transport = Rc::new(transport);
    let base = Base::new(&target.base_url);
    let requests = operations::requests(&plan, &base, &mgmt, &options.client_credentials)?;
    let (op_meta, synthetic) = operations::table(&plan, &mgmt);
    let (sink, rx) = sink::channel();
    let stopper = Rc::new(Stopper::default());
    let guard = Rc::new(
        Guard::new(
            stopper.clone(),
            plan.stop.max_tokens,
            plan.stop.min_quota_remaining,
        )
        .stop_on_rejected_credentials(target.real),
    );
    let credentials = Rc::new(options.client_credentials.clone());
    let started_at = crate::clock::now();
    let wall = std::time::Instant::now();
    let t0 = Instant::now();
    let fetcher = Rc::new(RecordingFetcher {
        transport: transport.clone(),
        templates: Rc::new(requests.tokens),
        base: base.clone(),
        credentials: credentials.clone(),
        format: plan.tokens.format,
        ops: Rc::new(synthetic),
        sink: sink.clone(),
        guard: guard.clone(),
        t0,
        cache_skew: match &plan.tokens.strategy {
            TokenStrategy::Cache { refresh_skew } => Some(*refresh_skew),
            _ => None,
        },
    });
    let mut static_expiry = None;
    let tokens = match &plan.tokens.strategy {
        TokenStrategy::Cache { refresh_skew } => {
            Tokens::Cache(Rc::new(Cache::new(fetcher, *refresh_skew)))
        }
        TokenStrategy::PerRequest => Tokens::PerRequest(fetcher),
        TokenStrategy::Static { token } => {
            let s = StaticToken::new(token);
            static_expiry = s
                .exp()
                .map(|exp| t0 + exp.duration_since(started_at).unwrap_or(Duration::ZERO));
            Tokens::Static(s)
        }
    };
    let quota = QuotaContext {
        run_s: 0.0,
        monthly_quota: options.monthly_quota,
        month_to_date_tokens: options.month_to_date_tokens,
    };
    let recorder = RecordTask {
        rx,
        recorder: Recorder::new(op_meta, &mgmt)
            .with_resolution(resolution_for(plan.planned_duration()))
            .with_flows(
                plan.flows
                    .iter()
                    .map(|f| (f.name.clone(), f.steps.len() as u64))
                    .collect(),
            ),
        progress: Progress::new(
            super::progress::mode(
                options.progress,
                options.progress_every,
                std::io::stderr().is_terminal(),
            ),
            &plan.phases,
        ),
        thresholds: plan.thresholds.clone(),
        quota,
        stopper: stopper.clone(),
        t0,
    };
    let recording = tokio::task::spawn_local(recorder.run());
    let data = super::data::RunData::open(&plan, &requests.ops)?;
    if let Some((at, stall)) = options.stall {
        tokio::task::spawn_local(async move {
            tokio::time::sleep(at).await;
            // Blocks the one thread on purpose: the scheduler, workers and recorder all stop.
            std::thread::sleep(stall);
        });
    }
    let ctx = Rc::new(Ctx {
        data,
        retry: Retry::from_plan(&plan.retry),
        throttles: Throttles::new(&plan),
        plan,
        transport,
        base,
        templates: requests.ops,
        keys: requests.keys,
        credentials,
        management_audience: mgmt,
        tokens,
        guard,
        stopper: stopper.clone(),
        sink: sink.clone(),
        t0,
        in_flight: Cell::new(0),
        deleted_grants: RefCell::new(HashMap::new()),
    });
    let jobs = Rc::new(JobQueue::new(pool, pool));
    let workers: Vec<_> = (0..pool)
        .map(|i| {
            let seed = ctx.plan.seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1));
            tokio::task::spawn_local(worker::worker(ctx.clone(), jobs.clone(), i, seed))
        })
        .collect();
    // TODO(allow_on_real_tenant): run events on a real tenant only when the plan allows it.
    // Until then they are never sent there; each shows as skipped.
    let events_task = (!target.real && !ctx.plan.events.is_empty())
        .then(|| tokio::task::spawn_local(events::run(ctx.clone())));
    if target.real {
        for ev in &ctx.plan.events {
            sink.send(Msg::Event(EventRow {
                at_s: ev.at.as_secs_f64(),
                action: ev.action.label().to_string(),
                detail: "real tenant".into(),
                outcome: "skipped: mid-run events are not sent to a real tenant".into(),
            }));
        }
    }

    let scheduler = Scheduler {
        ctx: ctx.clone(),
        jobs: jobs.clone(),
        external: options.stop.clone(),
        static_expiry,
    };
    let active = scheduler.run().await;
    let stop_reason = stopper.reason().unwrap_or(StopReason::Completed);
    sink.send(Msg::Event(EventRow {
        at_s: active.as_secs_f64(),
        action: "stop".into(),
        detail: stop_reason.label().into(),
        outcome: stop_reason.detail(),
    }));

    // Drain: in-flight requests (and background token refreshes) get a bounded wait; then
    // retry waits are abandoned (keeping their last outcome) and a short grace follows. What is
    // still running after that is counted as `cancelled`.
    let busy = || ctx.in_flight.get() > 0 || ctx.tokens.background() > 0;
    let deadline = Instant::now() + ops::send::drain_wait(&ctx.plan.http);
    while busy() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stopper.abandon();
    let grace = Instant::now() + Duration::from_millis(100);
    while busy() && Instant::now() < grace {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for w in &workers {
        w.abort();
    }
    // Jobs no worker reached (every worker stuck past the deadline) were never sent.
    while let Some(job) = jobs.try_recv() {
        sink.dropped_arrival(job.op, job.flow, job.at, DropReason::Stopping, true);
    }
    if let Some(e) = &events_task {
        e.abort();
    }
    let drain = Instant::now().saturating_duration_since(t0 + active);
    sink.send(Msg::Finish);
    let recording = recording.await.map_err(|e| {
        EngineError::Runtime(std::io::Error::other(format!("recorder task failed: {e}")))
    })?;
    let drops = recording.recorder.drops();
    let bad_headers = recording.recorder.bad_headers();
    let reach = recording.recorder.reach().facts();
    let resolution = recording.recorder.resolution();
    let observed = observed_facts(recording.recorder.observed(), started_at);
    let mut snapshot = recording.recorder.finish(active, quota);
    let mut events = recording.events;
    events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    snapshot.events = events;
    let plan = &ctx.plan;
    let shard = plan.shard.as_ref();
    snapshot.run = RunFacts {
        scenario: Some(plan.name.clone()),
        seed: Some(plan.seed),
        target: Some(target.base_url.clone()),
        start: Some(rfc3339(started_at)),
        duration_s: Some(ms_precision(active.as_secs_f64())),
        drain_s: Some(ms_precision(drain.as_secs_f64())),
        clock: Some(if crate::clock::is_virtual() {
            RunClock::Virtual
        } else {
            RunClock::Real
        }),
        wall_s: Some(ms_precision(wall.elapsed().as_secs_f64())),
        timeline_resolution_s: Some(resolution),
        stop_reason: Some(stop_reason.label().to_string()),
        stop_detail: Some(stop_reason.detail()),
        version: Some(env!("CARGO_PKG_VERSION").to_string()),
        token_strategy: Some(plan.tokens.strategy.label().to_string()),
        retry_policy: Some(plan.retry.policy.label().to_string()),
        max_retries: Some(plan.retry.max_retries),
        planned_arrivals: Some(plan.total_arrivals()),
        dropped_busy: Some(drops.busy),
        dropped_late: Some(drops.late),
        dropped_stopping: Some(drops.stopping),
        drop_late_after_s: Some(plan.pacing.drop_late_after.as_secs_f64()),
        bad_headers: Some(bad_headers),
        token_requests_sent: Some(ctx.guard.tokens_sent()),
        // What `merge` checks: same file, same seed stream, one run split N ways.
        shard: shard.map(|s| Shard {
            index: s.shard.index,
            count: s.shard.count,
        }),
        base_seed: shard.map(|s| s.base_seed),
        scenario_sha256: shard.map(|s| s.scenario_sha256.clone()),
        static_token_exp: match &ctx.tokens {
            super::tokens::Tokens::Static(s) => {
                Some(s.exp().map_or_else(|| "unknown".to_string(), rfc3339))
            }
            _ => None,
        },
        reach,
        observed,
        ..RunFacts::default()
    };
    Ok(RunOutcome {
        snapshot,
        stop_reason,
        started_at,
        duration: active,
    })
}
