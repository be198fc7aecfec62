//! Regression (found by `conservation_faults`): a request cancelled at the drain after some of
//! its attempts had been retried left those attempts in statuses.csv's `attempts` but not in the
//! summary's `retries`, so attempts ≠ sent + retries. Here one request gets 503, 503, then
//! hangs on every later attempt past the run's bounded drain.
#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use common::{assert_conserved, http_op, phase, plan};
use quotaprobe::engine::{self, Target};
use quotaprobe::metrics::{Outcome, TransportKind};
use quotaprobe::scenario::RetryPolicy;

/// 503 for the first two hits, then an answer that takes 10 s.
async fn flaky(State(hits): State<Arc<AtomicU64>>) -> StatusCode {
    if hits.fetch_add(1, Ordering::SeqCst) < 2 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    StatusCode::OK
}

fn serve() -> SocketAddr {
    let hits = Arc::new(AtomicU64::new(0));
    let app = Router::new().route("/flaky", get(flaky)).with_state(hits);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_request_cancelled_at_the_drain_keeps_its_retried_attempts_in_retries() {
    let addr = serve();
    // One arrival; exponential retries 10 ms apart; a 200 ms timeout, so the drain (200 ms +
    // 100 ms grace after the 100 ms phase) cuts the request during its third or fourth attempt.
    let mut p = plan(vec![http_op("flaky", "/flaky")], vec![phase(0.1, 10.0, 1)]);
    p.retry.policy = RetryPolicy::Exponential;
    p.retry.max_retries = 5;
    p.retry.base = Duration::from_millis(10);
    p.retry.cap = Duration::from_millis(10);
    p.http.timeout = Duration::from_millis(200);
    let target = Target {
        base_url: format!("http://{addr}"),
        management_audience: common::MGMT.into(),
        real: false,
    };
    let out = engine::run(&p, &target, common::options()).unwrap();
    let row = common::row(&out.snapshot, "flaky").clone();
    let cancelled = Outcome::Transport(TransportKind::Cancelled).to_string();
    let statuses: Vec<(String, u64, u64)> = out
        .snapshot
        .statuses
        .iter()
        .map(|s| (s.status.clone(), s.count, s.attempts))
        .collect();
    assert_eq!((row.sent, row.transport_errors), (1, 1), "{row:?}");
    assert!(
        statuses.iter().any(|s| s.0 == cancelled && s.1 == 1),
        "the request was cut at the drain: {statuses:?}"
    );
    // 503, 503 (and a timeout) were retried before the cut: they are its retries.
    assert!(row.retries >= 2, "{row:?} {statuses:?}");
    assert_conserved(&out);
}
