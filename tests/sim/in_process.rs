//! The in-process transport of fast-forward runs (`quotaprobe::fastforward::InProcess`: the
//! simulator's router as a tower service) answers what the socket transport (`ops::Http` over
//! loopback to `sim::start`) answers for the same requests to two tenants of the same config:
//! the same outcomes, the same rate-limit headers read, the body kept only when asked.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use quotaprobe::fastforward::InProcess;
use quotaprobe::metrics::Outcome;
use quotaprobe::ops::{Base, Fill, Http, Reply, Template, Transport};
use quotaprobe::scenario::HttpPlan;
use quotaprobe::sim;

use crate::support::sim::{ID, SECRET, demo};

fn plan() -> HttpPlan {
    HttpPlan {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
    }
}

/// (outcome, limit, remaining, retry-after present, body kept) of each request in turn: a
/// token, three Management reads on the free tier's burst of 2, one without a token.
async fn exchange<T: Transport>(
    t: &T,
    base: &Base,
) -> Vec<(Outcome, Option<u64>, Option<u64>, bool, bool)> {
    let form = format!(
        "grant_type=client_credentials&client_id={ID}&client_secret={SECRET}&audience={}",
        format_args!(
            "https://{}/api/v2/",
            base.as_str().trim_start_matches("http://")
        )
    );
    let token = Template::new(base, "POST", "/oauth/token")
        .unwrap()
        .content_type("application/x-www-form-urlencoded")
        .body(form)
        .done();
    let mut out = Vec::new();
    let note = |r: &Reply| {
        (
            r.outcome,
            r.rate.limit,
            r.rate.remaining,
            r.rate.retry_after.is_some(),
            r.body.is_some(),
        )
    };
    let reply = quotaprobe::ops::transport::send(t, &token, Fill::default(), true).await;
    out.push(note(&reply));
    let body: serde_json::Value = serde_json::from_slice(reply.body.as_deref().unwrap()).unwrap();
    let bearer = body["access_token"].as_str().unwrap().to_string();
    let users = Template::new(base, "GET", "/api/v2/users?per_page=5")
        .unwrap()
        .header("authorization", &format!("Bearer {bearer}"))
        .unwrap()
        .done();
    for _ in 0..3 {
        let reply = quotaprobe::ops::transport::send(t, &users, Fill::default(), false).await;
        out.push(note(&reply));
    }
    let anonymous = Template::new(base, "GET", "/api/v2/users").unwrap().done();
    let reply = quotaprobe::ops::transport::send(t, &anonymous, Fill::default(), true).await;
    out.push(note(&reply));
    out
}

#[tokio::test(flavor = "current_thread")]
async fn in_process_answers_as_the_socket_does() {
    let running = sim::start(demo("free"), "127.0.0.1:0").unwrap();
    let base = Base::new(&running.base_url());
    let http = Http::new(base.as_str(), &plan(), 2, None).unwrap();
    let over_socket = exchange(&http, &base).await;
    running.shutdown();

    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let router = sim::router_from(&demo("free"), addr, "127.0.0.1:40000".parse().unwrap()).unwrap();
    let base = Base::new("http://127.0.0.1:4000");
    let in_process = InProcess::new(router, base.as_str(), plan().timeout);
    let in_process = exchange(&in_process, &base).await;

    assert_eq!(over_socket, in_process);
    // What they agree on: the token, two reads in the burst, the third 429 with none remaining,
    // and the one without a token 429'd too: the bucket is met before authentication (its body
    // kept, as asked).
    let statuses: Vec<Outcome> = in_process.iter().map(|r| r.0).collect();
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429].map(Outcome::Http).to_vec()
    );
    assert!(in_process[0].4 && !in_process[1].4 && in_process[4].4);
    assert_eq!(in_process[3].2, Some(0), "the 429 says none remain");
    assert_eq!(
        in_process[1].1,
        Some(2),
        "x-ratelimit-limit of the free tier"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_request_for_another_host_is_a_connect_error_in_process() {
    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let router = sim::router_from(&demo("free"), addr, "127.0.0.1:40000".parse().unwrap()).unwrap();
    let t = InProcess::new(router, "http://127.0.0.1:4000", plan().timeout);
    let other = Template::new(&Base::new("http://127.0.0.1:4001"), "GET", "/")
        .unwrap()
        .done();
    let reply = quotaprobe::ops::transport::send(&t, &other, Fill::default(), true).await;
    assert_eq!(
        reply.outcome,
        Outcome::Transport(quotaprobe::metrics::TransportKind::Connect)
    );
}
