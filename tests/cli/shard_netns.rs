//! The three-host test: three network namespaces with their own addresses (iproute2, veth
//! pairs into a bridge of the test's own, 10.201.X.0/24) each run one shard of a token scenario
//! against one `quotaprobe serve --tls --private-addr` whose tier keys the token endpoint's
//! bucket by source IP; `quotaprobe merge` joins the shards. Asserted: the tenant saw three
//! source addresses with each shard's exact request and 429 counts; the merged report's counts
//! equal the tenant's (tokens issued, requests served, 429s), conserve (`quotaprobe verify`), and
//! match a single-host run of the same scenario as the tier profile predicts — the same 120
//! arrivals, but one address gets ~70 tokens through its bucket while three get all 120.
//!
//! Without the privileges or the `ip` tool for namespaces, the test says FALLBACK in its
//! output and runs the three shards as processes on loopback: every request then comes from
//! 127.0.0.1, one bucket serves all shards, and the merged run is limited like the single one.
#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::{check_report, csv_rows};

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use assert_cmd::cargo::cargo_bin;

const ID: &str = "qp-shard-client";
const SECRET: &str = "qp-shard-secret-9a1e";
const AUDIENCE: &str = "https://api.example.com/";
/// The per-IP bucket: 10 burst, 15/s. 30 arrivals/s for 4 s = 120.
const BURST: f64 = 10.0;
const REFILL_PER_S: f64 = 15.0;
const RATE: u64 = 30;
const SECS: u64 = 4;

const TIER: &str = r#"name = "ip-keyed"
description = "test profile: the token endpoint's bucket is keyed by source IP"
refill = "continuous"

[[token_endpoint]]
name = "oauth_token_ip"
burst = 10
rate = 15
per = "second"
key = "ip"
source = "assumed: a test profile (Auth0 keys some Authentication API rows by source IP)"

[quota]
hard_block = false
source = "assumed: no quota in this test profile"
"#;

fn scenario_text() -> String {
    format!(
        r#"name = "ip-spread"
seed = 5

[target]
url = "https://${{QP_DOMAIN}}"

[[clients]]
name = "backend"
client_id = "${{QP_ID}}"
client_secret = "${{QP_SECRET}}"

[[operations]]
name = "token"
kind = "token"
client = "backend"
audience = "{AUDIENCE}"

[retry]
policy = "none"

[[phases]]
name = "steady"
duration = "{SECS}s"
rate = {RATE}
"#
    )
}

/// `ip ARGS...`, Err with its stderr when it fails or is missing.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Where the shards run. Namespaces and the bridge are removed on drop, even when a step of
/// the setup or an assertion failed.
enum Hosts {
    Netns {
        namespaces: Vec<String>,
        bridge: String,
        /// The bridge's address (the tenant listens there) and the three hosts' addresses.
        server: String,
        clients: Vec<String>,
    },
    Loopback,
}

impl Drop for Hosts {
    fn drop(&mut self) {
        if let Hosts::Netns {
            namespaces, bridge, ..
        } = self
        {
            for ns in namespaces.iter() {
                let _ = ip(&["netns", "del", ns]);
            }
            let _ = ip(&["link", "del", bridge]);
        }
    }
}

impl Hosts {
    fn netns() -> Result<Hosts, String> {
        let pid = std::process::id();
        let net = pid % 200 + 1;
        let bridge = format!("qpbr{pid}");
        let mut hosts = Hosts::Netns {
            namespaces: Vec::new(),
            bridge: bridge.clone(),
            server: format!("10.201.{net}.1"),
            clients: Vec::new(),
        };
        let Hosts::Netns {
            namespaces,
            server,
            clients,
            ..
        } = &mut hosts
        else {
            return Err("unreachable".into());
        };
        ip(&["link", "add", &bridge, "type", "bridge"])?;
        ip(&["addr", "add", &format!("{server}/24"), "dev", &bridge])?;
        ip(&["link", "set", &bridge, "up"])?;
        for i in 0..3 {
            let ns = format!("qp{pid}h{i}");
            ip(&["netns", "add", &ns])?;
            namespaces.push(ns.clone());
            let (inside, outside) = (format!("qpv{i}"), format!("qpo{pid}{i}"));
            // The inner end is born inside the namespace: nothing is left in the root one.
            ip(&[
                "link", "add", &outside, "type", "veth", "peer", "name", &inside, "netns", &ns,
            ])?;
            ip(&["link", "set", &outside, "master", &bridge])?;
            ip(&["link", "set", &outside, "up"])?;
            let addr = format!("10.201.{net}.{}", 11 + i);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                &inside,
            ])?;
            ip(&["-n", &ns, "link", "set", &inside, "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
            clients.push(addr);
        }
        Ok(hosts)
    }

    fn server_ip(&self) -> String {
        match self {
            Hosts::Netns { server, .. } => server.clone(),
            Hosts::Loopback => "127.0.0.1".into(),
        }
    }

    /// `quotaprobe ARGS` on host `i` (its namespace, or plainly on loopback).
    fn command(&self, i: usize) -> Command {
        match self {
            Hosts::Netns { namespaces, .. } => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", &namespaces[i]])
                    .arg(cargo_bin("quotaprobe"));
                c
            }
            Hosts::Loopback => Command::new(cargo_bin("quotaprobe")),
        }
    }
}

/// `quotaprobe serve --tls` on the bridge address (killed on drop).
struct Served {
    child: Child,
    addr: String,
    cert: PathBuf,
}

impl Served {
    fn start(hosts: &Hosts, dir: &Path, name: &str) -> Served {
        let tier = dir.join("ip-keyed.toml");
        std::fs::write(&tier, TIER).unwrap();
        let cert = dir.join(format!("{name}.pem"));
        let mut child = Command::new(cargo_bin("quotaprobe"))
            .args(["serve", "--tls", "--private-addr", "--addr"])
            .arg(format!("{}:0", hosts.server_ip()))
            .arg("--tier-file")
            .arg(&tier)
            .args([
                "--client-id",
                ID,
                "--client-secret",
                SECRET,
                "--api",
                AUDIENCE,
            ])
            .arg("--cert-out")
            .arg(&cert)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut addr = None;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(a) = line.strip_prefix("listening on https://") {
                addr = Some(a.to_string());
            }
            if line.starts_with("Ctrl-C") {
                break;
            }
        }
        let addr = addr.expect("serve printed no address");
        Served { child, addr, cert }
    }

    fn stats(&self) -> serde_json::Value {
        let pem = std::fs::read(&self.cert).unwrap();
        let url = format!("https://{}/__sim/stats", self.addr);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .no_proxy()
                .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
                .build()
                .unwrap();
            client.get(url).send().await.unwrap().json().await.unwrap()
        })
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `quotaprobe run` of the scenario on host `i`, against `served`, with `extra` flags.
fn run(
    hosts: &Hosts,
    i: usize,
    served: &Served,
    scenario: &Path,
    out: &Path,
    extra: &[&str],
) -> Child {
    hosts
        .command(i)
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--yes", "--max-tokens", "1000", "--ca-file"])
        .arg(&served.cert)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("QP_DOMAIN", &served.addr)
        .env("QP_ID", ID)
        .env("QP_SECRET", SECRET)
        .env_remove("QUOTAPROBE_SHARD")
        .env_remove("QUOTAPROBE_START_AT")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) {
    let o: Output = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn all_row(dir: &Path) -> HashMap<String, u64> {
    let row = csv_rows(&dir.join("summary.csv"))
        .into_iter()
        .find(|r| r["operation"] == "token")
        .unwrap();
    [
        "scheduled",
        "sent",
        "dropped",
        "ok",
        "status_429",
        "status_4xx",
        "status_5xx",
        "transport_errors",
    ]
    .iter()
    .map(|k| (k.to_string(), row[*k].parse().unwrap()))
    .collect()
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

#[test]
fn three_hosts_three_shards_one_tenant_merged() {
    let hosts = match Hosts::netns() {
        Ok(h) => {
            println!(
                "three network namespaces: tenant on {}, shards from {:?}",
                h.server_ip(),
                match &h {
                    Hosts::Netns { clients, .. } => clients.clone(),
                    Hosts::Loopback => Vec::new(),
                }
            );
            h
        }
        Err(why) => {
            println!(
                "FALLBACK: cannot create network namespaces ({why}); running the three shards as processes on loopback, so every request comes from 127.0.0.1 and the per-IP bucket is shared"
            );
            Hosts::Loopback
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("ip-spread.toml");
    std::fs::write(&scenario, scenario_text()).unwrap();
    let out = |n: &str| tmp.path().join(n);

    // Three shards, one per host, started together.
    let served = Served::start(&hosts, tmp.path(), "sharded");
    let at =
        humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(3)).to_string();
    let children: Vec<Child> = (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            run(
                &hosts,
                i,
                &served,
                &scenario,
                &out(&format!("s{i}")),
                &["--shard", &shard, "--start-at", &at],
            )
        })
        .collect();
    children.into_iter().for_each(finish);
    let merged = out("merged");
    let o = Command::new(cargo_bin("quotaprobe"))
        .args(["merge"])
        .args((0..3).map(|i| out(&format!("s{i}"))))
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check_report(&merged);
    let m = all_row(&merged);
    let stats = served.stats();
    drop(served);

    // The merged report counts what the tenant did.
    assert_eq!(m["scheduled"], RATE * SECS);
    assert_eq!(
        u(&stats["requests"]["POST /oauth/token"]),
        m["sent"],
        "{stats}"
    );
    assert_eq!(u(&stats["tokens_issued"][ID][AUDIENCE]), m["ok"], "{stats}");
    assert_eq!(
        u(&stats["rate_limited"]["oauth_token_ip"]),
        m["status_429"],
        "{stats}"
    );
    assert_eq!(
        m["status_4xx"] + m["status_5xx"] + m["transport_errors"],
        0,
        "{m:?}"
    );

    // Per source address: each host's requests and 429s are its shard's.
    let sources = stats["sources"].as_object().unwrap();
    let shards: Vec<HashMap<String, u64>> =
        (0..3).map(|i| all_row(&out(&format!("s{i}")))).collect();
    match &hosts {
        Hosts::Netns { clients, .. } => {
            assert_eq!(sources.len(), 3, "{stats}");
            for (i, addr) in clients.iter().enumerate() {
                let s = &sources[addr.as_str()];
                assert_eq!(u(&s["requests"]), shards[i]["sent"], "{addr}: {stats}");
                assert_eq!(
                    u(&s["status_429"]),
                    shards[i]["status_429"],
                    "{addr}: {stats}"
                );
                assert_eq!(shards[i]["scheduled"], RATE * SECS / 3);
            }
        }
        Hosts::Loopback => {
            assert_eq!(sources.len(), 1, "{stats}");
            assert_eq!(u(&sources["127.0.0.1"]["requests"]), m["sent"], "{stats}");
        }
    }

    // The same scenario from one host: the same arrivals, one source address.
    let served = Served::start(&hosts, tmp.path(), "single");
    finish(run(&hosts, 0, &served, &scenario, &out("single"), &[]));
    let single = all_row(&out("single"));
    drop(served);
    assert_eq!(single["scheduled"], m["scheduled"]);

    // What the tier predicts for one address: the burst plus the refill until the last arrival.
    let last_arrival_s = (RATE * SECS - 1) as f64 / RATE as f64;
    let one_host_ok = BURST + REFILL_PER_S * last_arrival_s; // 69.5
    let near =
        |got: u64, want: f64, dropped: u64| (got as f64 - want).abs() <= 4.0 + dropped as f64;
    assert!(
        near(single["ok"], one_host_ok, single["dropped"]),
        "single host: {single:?}, predicted ok {one_host_ok}"
    );
    match &hosts {
        // Three addresses at 10/s each, under each one's 15/s refill: nothing is limited.
        Hosts::Netns { .. } => {
            assert!(m["status_429"] <= 2, "three hosts: {m:?}");
            assert_eq!(m["ok"] + m["status_429"], m["sent"]);
            assert!(
                m["ok"] as f64 >= one_host_ok + 40.0,
                "three hosts {m:?} vs one {single:?}"
            );
        }
        // One address for all shards: limited like the single run.
        Hosts::Loopback => {
            assert!(
                near(m["ok"], one_host_ok, m["dropped"]),
                "loopback shards: {m:?}, predicted ok {one_host_ok}"
            );
        }
    }
    println!(
        "merged over {} source address(es): ok {} / 429 {}; single host: ok {} / 429 {}; predicted single-host ok {one_host_ok:.1}",
        sources.len(),
        m["ok"],
        m["status_429"],
        single["ok"],
        single["status_429"]
    );
}
