//! `quotaprobe probe TARGET --endpoint "METHOD /path"`: measure one endpoint's bucket and write
//! it as a tier file (the inference is `crate::probe`).
//!
//! Targets: `sim` / `sim:TIER` (the embedded simulator, started in process on 127.0.0.1:0, with
//! the demo client), a tenant domain (a real tenant: client credentials from `AUTH0_CLIENT_ID` /
//! `AUTH0_CLIENT_SECRET`, the plan printed, confirmation, the hard `--budget`), or `--url URL`
//! (a plain HTTP endpoint; one off loopback is treated as a real target too). Every input is
//! checked before the first request (exit 2); `--dry-run` prints the plan and sends nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, CliResult, Exit, print_out};
use crate::probe::http::HttpTarget;
use crate::probe::{self, Settings, tierfile};
use crate::scenario::Secret;

/// `quotaprobe probe`'s flags.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// `sim`, `sim:TIER` (e.g. sim:essentials; default tier free), or a tenant domain such as
    /// example.eu.auth0.com (a real tenant). Leave it out with --url.
    pub target: Option<String>,
    /// A plain HTTP endpoint to probe instead of a tenant, e.g. http://127.0.0.1:8080/api.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The endpoint, "METHOD /path", e.g. "GET /api/v2/users" or "POST /oauth/token". With
    /// --url: the method to send and the route the tier file names (default "GET <url path>").
    #[arg(long, value_name = "ENDPOINT")]
    pub endpoint: Option<String>,
    /// Never send more requests than this (the Management API token request included).
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub budget: u64,
    /// At most this many requests in flight (1: one connection, strictly in turn). The drain
    /// starts on one and doubles its window every 0.1 s without a 429, so a bucket one
    /// connection cannot empty is still drained; the timed phase keeps that window.
    #[arg(long, value_name = "N", default_value_t = probe::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Write the measured bucket as a tier file here (must not exist), for `run --tier-file`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan and exit without sending anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Real tenant or non-loopback URL: send without asking (otherwise type `yes` at a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Trust the PEM certificate(s) in FILE as extra roots.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// `POST /oauth/token` probes: the audience asked for (default: the Management API's).
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: Option<String>,
}

/// What the command will talk to.
enum Where {
    Sim(Box<crate::sim::TierProfile>),
    Tenant(String),
    Url(String),
}

/// Checked inputs: nothing has been sent yet.
struct Checked {
    place: Where,
    method: String,
    path: String,
    endpoint: String,
    real: bool,
}

/// `--concurrency` at most: more connections than this is a load test, not a probe.
const MAX_CONCURRENCY: usize = 256;

fn usage(message: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("{message}; nothing was sent"))
}

fn parse_endpoint(text: &str) -> Result<(String, String), CliError> {
    let bad = || {
        usage(format!(
            "--endpoint {text:?}: write \"METHOD /path\", e.g. --endpoint \"GET /api/v2/users\""
        ))
    };
    let (method, path) = text.trim().split_once(' ').ok_or_else(bad)?;
    let path = path.trim();
    if method.is_empty()
        || !method.chars().all(|c| c.is_ascii_uppercase())
        || !path.starts_with('/')
    {
        return Err(bad());
    }
    if path.contains('{') {
        return Err(usage(format!(
            "--endpoint {text:?}: give a concrete path (an id instead of {{...}}), e.g. \"GET /api/v2/users/auth0|abc\""
        )));
    }
    Ok((method.to_string(), path.to_string()))
}

fn check(args: &ProbeArgs) -> Result<Checked, CliError> {
    if args.budget < 3 {
        return Err(usage(format!(
            "--budget {}: a probe needs at least 3 requests (a drain needs its 429); give e.g. --budget 500",
            args.budget
        )));
    }
    if !(1..=MAX_CONCURRENCY).contains(&args.concurrency) {
        return Err(usage(format!(
            "--concurrency {}: give 1 to {MAX_CONCURRENCY} requests in flight, e.g. --concurrency {} (1 for one connection)",
            args.concurrency,
            probe::DEFAULT_CONCURRENCY
        )));
    }
    if let Some(out) = &args.out {
        if out.exists() {
            return Err(usage(format!(
                "--out {}: the file exists; choose a new path or delete it",
                out.display()
            )));
        }
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        if parent.is_some_and(|p| !p.is_dir()) {
            return Err(usage(format!(
                "--out {}: its folder does not exist; create it first",
                out.display()
            )));
        }
    }
    let (place, default_endpoint) = match (&args.target, &args.url) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(usage(
                "name one target: `sim`, `sim:TIER`, a tenant domain, or --url URL",
            ));
        }
        (None, Some(url)) => {
            let parsed = reqwest::Url::parse(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| {
                    usage(format!(
                        "--url {url:?}: not an http(s) URL; write e.g. --url http://127.0.0.1:8080/api"
                    ))
                })?;
            (Where::Url(url.clone()), format!("GET {}", parsed.path()))
        }
        (Some(t), None) if t == "sim" || t.starts_with("sim:") => {
            let tier = t.strip_prefix("sim:").unwrap_or("free");
            let profile =
                crate::sim::tier::builtin_or_err(tier).map_err(|e| usage(format!("{t}: {e}")))?;
            (
                Where::Sim(Box::new(profile)),
                "GET /api/v2/users".to_string(),
            )
        }
        (Some(domain), None) => {
            if domain.contains('/') || domain.contains(' ') || !domain.contains('.') {
                return Err(usage(format!(
                    "target {domain:?}: write `sim`, `sim:TIER`, a tenant domain such as example.eu.auth0.com, or use --url"
                )));
            }
            (
                Where::Tenant(domain.clone()),
                "GET /api/v2/users".to_string(),
            )
        }
    };
    let endpoint = args.endpoint.clone().unwrap_or(default_endpoint);
    let (method, path) = parse_endpoint(&endpoint)?;
    let real = match &place {
        Where::Sim(_) => false,
        Where::Tenant(_) => true,
        Where::Url(u) => !crate::ops::dest::is_loopback(u),
    };
    Ok(Checked {
        place,
        method,
        path,
        endpoint,
        real,
    })
}

fn credentials() -> Result<(String, Secret), CliError> {
    match (
        std::env::var("AUTH0_CLIENT_ID")
            .ok()
            .filter(|v| !v.is_empty()),
        std::env::var("AUTH0_CLIENT_SECRET")
            .ok()
            .filter(|v| !v.is_empty()),
    ) {
        (Some(id), Some(secret)) => Ok((id, Secret::new(secret))),
        _ => Err(usage(
            "a real tenant needs client credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET in the environment",
        )),
    }
}

fn describe_target(c: &Checked) -> String {
    match &c.place {
        Where::Sim(t) => format!("{} on the embedded simulator (tier {})", c.endpoint, t.name),
        Where::Tenant(d) => format!("{} on REAL tenant {d}", c.endpoint),
        Where::Url(u) => format!("{} {u}", c.method),
    }
}

fn plan_text(c: &Checked, args: &ProbeArgs) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Probe plan: {}", describe_target(c));
    let _ = writeln!(
        s,
        "  requests: at most {} (--budget): drain the bucket until the first 429, then requests timed at token arrivals (at most 30 s)",
        args.budget
    );
    let _ = writeln!(
        s,
        "  in flight: 1 at first, doubled every 0.1 s without a 429, at most {} (--concurrency)",
        args.concurrency
    );
    let _ = writeln!(
        s,
        "  stops at once when Auth0-Client-Quota-Limit shows fewer than {} tokens left",
        Settings::default().min_quota_remaining
    );
    if c.real {
        let _ = writeln!(
            s,
            "  this drains the endpoint's bucket: other clients of the same bucket get 429s for a few seconds"
        );
    }
    if let Some(out) = &args.out {
        let _ = writeln!(s, "  writes the tier file {}", out.display());
    }
    s
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        f.append_pair(k, v);
    }
    f.finish()
}

/// The Management API token (one request to `POST /oauth/token`), for Management endpoints.
async fn management_token(
    target: &HttpTarget,
    base: &str,
    id: &str,
    secret: &Secret,
    audience: &str,
) -> Result<Secret, CliError> {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret.expose()),
        ("audience", audience),
    ]);
    let resp = target
        .client()
        .post(format!("{base}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| CliError::failed(format!("the Management API token request failed: {e}")))?;
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    match crate::ops::token::parse_issued(&bytes) {
        Some(issued) if status.is_success() => Ok(issued.token),
        _ => Err(CliError::failed(format!(
            "the Management API token request was answered HTTP {status}: check the client's credentials and its grant for {audience}"
        ))),
    }
}

/// The request to probe, built once (with its token, for Management endpoints).
async fn build(
    c: &Checked,
    args: &ProbeArgs,
    base: &str,
    management_audience: &str,
    creds: Option<&(String, Secret)>,
    ca_pem: Option<&[u8]>,
) -> Result<(HttpTarget, u64), CliError> {
    let url = match &c.place {
        Where::Url(u) => u.clone(),
        _ => format!("{base}{}", c.path),
    };
    let mut t =
        HttpTarget::new(&c.method, &url, ca_pem, args.concurrency).map_err(CliError::failed)?;
    let Some((id, secret)) = creds else {
        return Ok((t, 0));
    };
    let bare = c.path.split('?').next().unwrap_or(&c.path);
    if c.method == "POST" && bare == "/oauth/token" {
        let audience = args.audience.as_deref().unwrap_or(management_audience);
        let body = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret.expose()),
            ("audience", audience),
        ]);
        t = t
            .header("content-type", "application/x-www-form-urlencoded", false)
            .map_err(CliError::failed)?
            .body(body);
        return Ok((t, 0));
    }
    if bare.starts_with("/api/v2/") {
        let token = management_token(&t, base, id, secret, management_audience).await?;
        t = t
            .header("authorization", &format!("Bearer {}", token.expose()), true)
            .map_err(CliError::failed)?;
        return Ok((t, 1));
    }
    Ok((t, 0))
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn write_out(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| {
        CliError::failed(format!(
            "--out {}: cannot write the tier file: {e}",
            path.display()
        ))
    })
}

/// `quotaprobe probe`; see the module docs.
pub(super) fn probe(args: ProbeArgs) -> CliResult {
    let c = check(&args)?;
    let ca_pem = match &args.ca_file {
        Some(path) => Some(super::real::ca_file(path)?),
        None => None,
    };
    print_out(&plan_text(&c, &args));
    if args.dry_run {
        print_out("dry run: nothing was sent\n");
        return Ok(Exit::Ok);
    }
    let creds = match &c.place {
        Where::Tenant(_) => Some(credentials()?),
        Where::Sim(_) => Some((
            crate::sim::DEMO_CLIENT_ID.to_string(),
            Secret::new(crate::sim::DEMO_CLIENT_SECRET),
        )),
        Where::Url(_) => None,
    };
    if c.real {
        let what = match &c.place {
            Where::Tenant(d) => d.clone(),
            Where::Url(u) => u.clone(),
            Where::Sim(_) => String::new(),
        };
        super::real::confirm(args.yes, &what)?;
    }
    let sim = match &c.place {
        Where::Sim(tier) => {
            let mut config = crate::sim::SimConfig::demo(tier.as_ref().clone());
            config.users = 100;
            Some(
                crate::sim::start(config, "127.0.0.1:0")
                    .map_err(|e| CliError::failed(format!("the simulator did not start: {e}")))?,
            )
        }
        _ => None,
    };
    let (base, audience) = match (&sim, &c.place) {
        (Some(s), _) => (s.base_url(), s.management_audience()),
        (None, Where::Tenant(d)) => (format!("https://{d}"), format!("https://{d}/api/v2/")),
        _ => (String::new(), String::new()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the probe's runtime: {e}")))?;
    let findings = runtime.block_on(async {
        let (target, used) = build(
            &c,
            &args,
            &base,
            &audience,
            creds.as_ref(),
            ca_pem.as_deref(),
        )
        .await?;
        let settings = Settings {
            budget: args.budget - used,
            concurrency: args.concurrency,
            ..Settings::default()
        };
        let mut f = probe::probe(&target, settings).await;
        f.tally.spent += used;
        Ok::<_, CliError>((f, used))
    });
    drop(sim);
    let (findings, used) = findings?;
    let what = describe_target(&c);
    let mut text = findings.describe(&what);
    if used > 0 {
        let _ = writeln!(
            text,
            "  (the requests spent include 1 Management API token request)"
        );
    }
    print_out(&text);
    if findings.rate.is_none() {
        return Err(CliError::failed(format!(
            "no sustained rate measured{}; raise --budget (it needs about burst + 3 × rate per second + {} requests)",
            findings.stop.map(|s| format!(" ({s})")).unwrap_or_default(),
            probe::OVERHEAD
        )));
    }
    if let Some(out) = &args.out {
        let what = match &c.place {
            Where::Sim(t) => format!("the embedded simulator (tier {})", t.name),
            Where::Tenant(d) => format!("tenant {d}"),
            Where::Url(u) => u.clone(),
        };
        let route = format!(
            "{} {}",
            c.method,
            c.path.split('?').next().unwrap_or(&c.path)
        );
        if let Some(file) = tierfile::fragment(&findings, &route, &what, &today()) {
            write_out(out, &file)?;
            print_out(&format!("wrote {}\n", out.display()));
        }
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn endpoints_are_method_and_concrete_path() {
        assert_eq!(
            parse_endpoint("GET /api/v2/users").unwrap(),
            ("GET".into(), "/api/v2/users".into())
        );
        for bad in [
            "get /x",
            "GET",
            "GET x",
            "/api/v2/users",
            "GET /api/v2/users/{id}",
        ] {
            let e = parse_endpoint(bad).unwrap_err();
            assert_eq!(e.exit, Exit::Usage, "{bad}");
            assert!(e.message.contains("--endpoint"), "{}", e.message);
        }
    }
}
