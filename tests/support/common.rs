//! A tiny local target for the engine's integration tests (axum on 127.0.0.1:0, its own thread
//! and runtime), plan builders, and the conservation checks every test runs.
//!
//! Endpoints: `POST /oauth/token` (form or JSON; secret must match), `POST
//! /api/v2/clients/{id}/rotate-secret`, `GET /api/v2/users` (bearer from /oauth/token),
//! `GET /fast`, `GET /slow` (200 ms), `GET /limited` (odd hits: 429 + `Retry-After: 1`),
//! `GET /limited-reset` (odd hits: 429 + `x-ratelimit-reset` = now + 2 s, garbage limit header),
//! `/items/{id}` (any method: records the decoded id, the `x-n` header and the body).

#![allow(clippy::unwrap_used, dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use quotaprobe::engine::{RunOptions, RunOutcome, Target};
use quotaprobe::metrics::Snapshot;
use quotaprobe::scenario::*;

pub const SECRET: &str = "s3cret";
pub const MGMT: &str = "https://test.local/api/v2/";

#[derive(Default)]
pub struct Stats {
    pub start: Mutex<Option<Instant>>,
    /// Token requests by audience (every request, issued or not).
    pub token_requests: Mutex<HashMap<String, u64>>,
    pub tokens_issued: AtomicU64,
    /// Arrival times by path, since the server started.
    pub hits: Mutex<HashMap<String, Vec<Duration>>>,
    /// Wall-clock arrival times (UNIX s) and the reset header sent, for /limited-reset.
    pub resets: Mutex<Vec<(f64, Option<u64>)>>,
    pub secret: Mutex<String>,
    pub expires_in: AtomicU64,
    pub counter: AtomicU64,
    /// `/items/{id}`: (id as the route decoded it, `x-n` header, body), in arrival order.
    pub items: Mutex<Vec<(String, String, String)>>,
    /// Token requests: (audience, scope, `x-n` header), decoded, in arrival order.
    pub token_fields: Mutex<Vec<(String, String, String)>>,
}

impl Stats {
    fn hit(&self, path: &str) -> usize {
        let start = self.start.lock().unwrap().unwrap_or_else(Instant::now);
        let mut hits = self.hits.lock().unwrap();
        let v = hits.entry(path.to_string()).or_default();
        v.push(start.elapsed());
        v.len()
    }

    pub fn hits(&self, path: &str) -> Vec<Duration> {
        self.hits
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    pub fn tokens_for(&self, audience: &str) -> u64 {
        self.token_requests
            .lock()
            .unwrap()
            .get(audience)
            .copied()
            .unwrap_or(0)
    }

    /// Most hits of `path` in any 1 s window starting at a hit.
    pub fn max_per_sliding_second(&self, path: &str) -> usize {
        let h = self.hits(path);
        (0..h.len())
            .map(|i| {
                h[i..]
                    .iter()
                    .take_while(|t| **t < h[i] + Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }
}

pub struct Server {
    pub url: String,
    pub stats: Arc<Stats>,
}

fn epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

async fn token(State(s): State<Arc<Stats>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields: HashMap<String, String> = if headers
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").contains("json"))
    {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        v.as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        form_urlencoded::parse(&body).into_owned().collect()
    };
    let audience = fields.get("audience").cloned().unwrap_or_default();
    s.token_fields.lock().unwrap().push((
        audience.clone(),
        fields.get("scope").cloned().unwrap_or_default(),
        headers
            .get("x-n")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    ));
    *s.token_requests
        .lock()
        .unwrap()
        .entry(audience)
        .or_default() += 1;
    if fields.get("client_secret") != Some(&*s.secret.lock().unwrap()) {
        return (StatusCode::UNAUTHORIZED, r#"{"error":"access_denied"}"#).into_response();
    }
    let n = s.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    let body = serde_json::json!({
        "access_token": format!("tok-{n}"),
        "expires_in": s.expires_in.load(Ordering::SeqCst),
        "token_type": "Bearer",
    });
    ([("content-type", "application/json")], body.to_string()).into_response()
}

async fn rotate(State(s): State<Arc<Stats>>, Path(_id): Path<String>) -> Response {
    *s.secret.lock().unwrap() = "rotated".into();
    (StatusCode::OK, r#"{"client_secret":"rotated"}"#).into_response()
}

async fn users(State(s): State<Arc<Stats>>, headers: HeaderMap) -> Response {
    s.hit("/api/v2/users");
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer tok-"));
    if ok {
        (StatusCode::OK, "[]").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "{}").into_response()
    }
}

async fn fast(State(s): State<Arc<Stats>>) -> &'static str {
    s.hit("/fast");
    r#"{"ok":true}"#
}

async fn slow(State(s): State<Arc<Stats>>) -> &'static str {
    s.hit("/slow");
    tokio::time::sleep(Duration::from_millis(200)).await;
    r#"{"ok":true}"#
}

async fn limited(State(s): State<Arc<Stats>>) -> Response {
    if s.hit("/limited") % 2 == 1 {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}").into_response()
    } else {
        (StatusCode::OK, "{}").into_response()
    }
}

async fn limited_reset(State(s): State<Arc<Stats>>) -> Response {
    let now = epoch();
    if s.hit("/limited-reset") % 2 == 1 {
        let reset = now.ceil() as u64 + 2;
        s.resets.lock().unwrap().push((now, Some(reset)));
        let headers = [
            ("x-ratelimit-reset", reset.to_string()),
            ("x-ratelimit-limit", "lots".to_string()),
            ("x-ratelimit-remaining", "0".to_string()),
        ];
        (StatusCode::TOO_MANY_REQUESTS, headers, "{}").into_response()
    } else {
        s.resets.lock().unwrap().push((now, None));
        (StatusCode::OK, "{}").into_response()
    }
}

async fn item(
    State(s): State<Arc<Stats>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = headers
        .get("x-n")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = String::from_utf8_lossy(&body).to_string();
    s.items.lock().unwrap().push((id, n, body));
    (StatusCode::OK, "{}").into_response()
}

pub fn start() -> Server {
    let stats = Arc::new(Stats::default());
    *stats.secret.lock().unwrap() = SECRET.into();
    stats.expires_in.store(86_400, Ordering::SeqCst);
    *stats.start.lock().unwrap() = Some(Instant::now());
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v2/clients/{id}/rotate-secret", post(rotate))
        .route("/api/v2/users", get(users))
        .route("/fast", get(fast))
        .route("/slow", get(slow))
        .route("/limited", get(limited))
        .route("/limited-reset", get(limited_reset))
        .route("/items/{id}", axum::routing::any(item))
        .with_state(stats.clone());
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
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
    let addr = rx.recv().unwrap();
    Server {
        url: format!("http://{addr}"),
        stats,
    }
}

pub fn target(server: &Server) -> Target {
    Target {
        base_url: server.url.clone(),
        management_audience: MGMT.into(),
        real: false,
    }
}

pub fn options() -> RunOptions {
    RunOptions {
        client_credentials: vec![("backend-id".into(), Secret::new(SECRET))],
        ..RunOptions::default()
    }
}

pub fn phase(secs: f64, rate: f64, max_in_flight: usize) -> PhasePlan {
    PhasePlan {
        name: "steady".into(),
        duration: Duration::from_secs_f64(secs),
        rate_per_s: rate,
        ramp_to_per_s: rate,
        max_in_flight,
        concurrency: None,
        cycle: None,
    }
}

pub fn http_op(name: &str, url: &str) -> OperationPlan {
    OperationPlan {
        name: name.into(),
        kind: OperationKind::Http {
            method: "GET".into(),
            url: url.into(),
            headers: vec![],
            body: None,
            bearer: None,
        },
        weight: 1,
        throttle_per_s: None,
    }
}

pub fn users_op() -> OperationPlan {
    OperationPlan {
        name: "list-users".into(),
        kind: OperationKind::Management {
            client: 0,
            method: "GET".into(),
            path: "/api/v2/users".into(),
            headers: vec![],
            body: None,
        },
        weight: 1,
        throttle_per_s: None,
    }
}

pub fn plan(operations: Vec<OperationPlan>, phases: Vec<PhasePlan>) -> RunPlan {
    RunPlan {
        name: "engine-test".into(),
        description: String::new(),
        seed: 42,
        target: TargetPlan::Simulated(SimulatedPlan {
            tier: "free".into(),
            month_to_date_tokens: 0,
            users: 0,
            token_lifetime: Duration::from_secs(86_400),
            apis: vec![],
            faults: Default::default(),
        }),
        clients: vec![ClientPlan {
            name: "backend".into(),
            client_id: None,
            client_secret: None,
            throttle_per_s: None,
            quota: None,
            ungranted: vec![],
        }],
        tokens: TokenPlan {
            strategy: TokenStrategy::Cache {
                refresh_skew: Duration::from_secs(60),
            },
            format: TokenFormat::Form,
        },
        operations,
        retry: RetryPlan {
            policy: RetryPolicy::None,
            max_retries: 0,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(10),
            jitter: 0.0,
        },
        phases,
        stop: StopPlan::default(),
        events: vec![],
        thresholds: vec![],
        http: HttpPlan {
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
        },
        shard: None,
        data: Default::default(),
        flows: vec![],
        start: None,
        jobs: vec![],
        strict: false,
        pacing: Default::default(),
    }
}

pub fn run_value(snapshot: &Snapshot, key: &str) -> String {
    snapshot
        .run
        .to_pairs()
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

pub fn row<'a>(snapshot: &'a Snapshot, op: &str) -> &'a quotaprobe::metrics::SummaryRow {
    snapshot
        .summary
        .iter()
        .find(|r| r.operation == op)
        .unwrap_or_else(|| panic!("no summary row {op}: {:?}", snapshot.summary))
}

/// The report invariants of docs/reports.md, on every table.
pub fn assert_conserved(out: &RunOutcome) {
    let s = &out.snapshot;
    let mut all = (0, 0, 0);
    for r in &s.summary {
        assert_eq!(
            r.scheduled,
            r.sent + r.dropped,
            "{}: scheduled",
            r.operation
        );
        assert_eq!(
            r.sent,
            r.ok + r.status_4xx + r.status_429 + r.status_5xx + r.transport_errors,
            "{}: outcomes",
            r.operation
        );
        if r.operation == "ALL" {
            assert_eq!((r.scheduled, r.sent, r.dropped), all, "ALL is the sum");
            continue;
        }
        all = (all.0 + r.scheduled, all.1 + r.sent, all.2 + r.dropped);
        let t = s.timeline.iter().filter(|t| t.operation == r.operation);
        let sums = t.fold((0, 0, 0, 0, 0, 0), |a, t| {
            assert_eq!(
                t.scheduled,
                t.sent + t.dropped,
                "timeline {} s{}",
                t.operation,
                t.second
            );
            (
                a.0 + t.scheduled,
                a.1 + t.sent,
                a.2 + t.dropped,
                a.3 + t.ok,
                a.4 + t.status_429,
                a.5 + t.errors,
            )
        });
        assert_eq!(
            sums,
            (
                r.scheduled,
                r.sent,
                r.dropped,
                r.ok,
                r.status_429,
                r.status_4xx + r.status_5xx + r.transport_errors
            ),
            "timeline sums for {}",
            r.operation
        );
        let status_count: u64 = s
            .statuses
            .iter()
            .filter(|x| x.operation == r.operation)
            .map(|x| x.count)
            .sum();
        assert_eq!(status_count, r.sent, "statuses of {}", r.operation);
        let attempts: u64 = s
            .statuses
            .iter()
            .filter(|x| x.operation == r.operation)
            .map(|x| x.attempts)
            .sum();
        assert_eq!(attempts, r.sent + r.retries, "attempts of {}", r.operation);
    }
    for a in &s.audiences {
        assert_eq!(
            a.token_requests,
            a.tokens_issued + a.denied_429 + a.denied_other,
            "audience {}",
            a.audience
        );
    }
    // Token requests per audience = token-kind summary rows for that audience.
    let token_rows: u64 = s
        .summary
        .iter()
        .filter(|r| r.kind == "token")
        .map(|r| r.sent)
        .sum();
    let audience_requests: u64 = s.audiences.iter().map(|a| a.token_requests).sum();
    assert_eq!(
        token_rows, audience_requests,
        "every token request is in audiences"
    );
    for key in [
        "scenario",
        "seed",
        "target",
        "start",
        "duration_s",
        "stop_reason",
        "version",
        "token_strategy",
        "retry_policy",
    ] {
        assert!(!run_value(s, key).is_empty(), "run.{key}");
    }
    assert!(s.events.iter().any(|e| e.action == "stop"), "a stop event");
}
