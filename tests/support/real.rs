//! Support for the real-tenant tests: `quotaprobe serve --tls` as a child process standing in
//! for a real tenant, scenario files that read their target and credentials from the
//! environment, running the binary, and reading what it wrote.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Output, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;

pub const ID: &str = "qp-real-client";
pub const SECRET: &str = "qp-real-secret-4f9c1b7e";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A served tenant over HTTPS (killed on drop).
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`, also the tenant's domain.
    pub addr: String,
    pub cert: PathBuf,
    _dir: tempfile::TempDir,
}

impl Served {
    pub fn start() -> Served {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("sim.pem");
        let mut child = StdCommand::new(cargo_bin("quotaprobe"))
            .args(["serve", "--tls", "--addr", "127.0.0.1:0", "--client-id", ID])
            .args([
                "--client-secret",
                SECRET,
                "--api",
                "https://api.example.com/",
            ])
            .arg("--cert-out")
            .arg(&cert)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut addr = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(a) = line.strip_prefix("listening on https://") {
                addr = Some(a.to_string());
            }
            if line.starts_with("Ctrl-C") {
                break;
            }
        }
        let addr = addr.expect("serve --tls printed no https address");
        assert!(cert.exists(), "serve --tls wrote no certificate");
        Served {
            child,
            addr,
            cert,
            _dir: dir,
        }
    }

    /// `GET /__sim/stats` over HTTPS, trusting only the served certificate.
    pub fn stats(&self) -> serde_json::Value {
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

    /// Requests the tenant received on `endpoint`, e.g. `POST /oauth/token`.
    pub fn requests(&self, endpoint: &str) -> u64 {
        self.stats()["requests"][endpoint].as_u64().unwrap_or(0)
    }

    /// Every request the tenant received, all endpoints.
    pub fn total_requests(&self) -> u64 {
        let stats = self.stats();
        stats["requests"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scenario on a real target `https://${QP_DOMAIN}` (or the embedded simulator on the free
/// tier when `simulated`), credentials from `${QP_ID}`/`${QP_SECRET}`, and `body` appended
/// (operations, phases...).
pub fn scenario(dir: &Path, name: &str, simulated: bool, body: &str) -> PathBuf {
    let target = if simulated {
        "simulated = { tier = \"free\" }"
    } else {
        "url = \"https://${QP_DOMAIN}\""
    };
    let text = format!(
        "name = \"{name}\"\n[target]\n{target}\n\n[[clients]]\nname = \"backend\"\nclient_id = \"${{QP_ID}}\"\nclient_secret = \"${{QP_SECRET}}\"\n\n{body}"
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Management reads at `rate` per second for `secs`, no retries: a burst on the free tier.
pub fn burst(rate: u32, secs: u32) -> String {
    format!(
        "[[operations]]\nname = \"list-users\"\nkind = \"management\"\nmethod = \"GET\"\npath = \"/api/v2/users?per_page=5\"\n\n[retry]\npolicy = \"none\"\n\n[[phases]]\nname = \"burst\"\nduration = \"{secs}s\"\nrate = {rate}\n"
    )
}

/// `quotaprobe run SCENARIO ARGS...` with the tenant's domain and the credentials in the
/// environment; standard input is not a terminal.
pub fn run(served: Option<&Served>, secret: &str, scenario: &Path, args: &[&str]) -> Output {
    run_env(served, secret, scenario, args, &[])
}

/// [`run`] with more environment variables (set last, so they win).
pub fn run_env(
    served: Option<&Served>,
    secret: &str,
    scenario: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::cargo_bin("quotaprobe").unwrap();
    cmd.arg("run")
        .arg(scenario)
        .args(args)
        .env("QP_ID", ID)
        .env("QP_SECRET", secret)
        .env(
            "QP_DOMAIN",
            served.map_or("unused.example.com", |s| &s.addr),
        )
        .current_dir(scenario.parent().unwrap())
        .timeout(Duration::from_secs(90));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `summary.csv`'s row for `op` as numbers.
pub fn summary(dir: &Path, op: &str) -> HashMap<String, f64> {
    csv_rows(&dir.join("summary.csv"))
        .into_iter()
        .find(|r| r["operation"] == op)
        .unwrap_or_else(|| panic!("no summary row for {op}"))
        .into_iter()
        .filter_map(|(k, v)| v.parse().ok().map(|n| (k, n)))
        .collect()
}

/// `run.csv` as a map.
pub fn run_facts(dir: &Path) -> HashMap<String, String> {
    csv_rows(&dir.join("run.csv"))
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect()
}

use super::contract;
pub use contract::{check_report, csv_rows};

/// Neither the secret nor anything like a JWT (`eyJ`) in the run's stdout, stderr or any file
/// of the report folder (when there is one).
pub fn assert_no_secrets(o: &Output, out: Option<&Path>, secret: &str) {
    let mut texts = vec![
        ("stdout".to_string(), o.stdout.clone()),
        ("stderr".to_string(), o.stderr.clone()),
    ];
    if let Some(dir) = out.filter(|d| d.exists()) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                texts.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
        assert!(texts.len() > 5, "the report folder has its files");
    }
    for (name, bytes) in texts {
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(secret), "the secret is in {name}");
        assert!(!has_jwt(&hay), "a JWT is in {name}");
    }
}

/// Something shaped like a JWT: `eyJ` (a JSON header's base64url) and two more dot-separated
/// base64url segments. Plain base64 elsewhere (hlog) may hold `eyJ` by chance, never the dots.
pub fn has_jwt(hay: &str) -> bool {
    let seg = |s: &str| {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .count()
    };
    hay.match_indices("eyJ").any(|(i, _)| {
        let rest = &hay[i..];
        let a = seg(rest);
        let Some(after) = rest[a..].strip_prefix('.') else {
            return false;
        };
        a >= 10 && seg(after) >= 10
    })
}
