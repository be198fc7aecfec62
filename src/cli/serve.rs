//! `quotaprobe serve`: the simulated tenant, standalone, on loopback until Ctrl-C.
//!
//! Prints the address, domain, audiences and the demo client's credentials, then serves on a
//! multi-thread runtime; Ctrl-C shuts down gracefully (in-flight requests finish). With `--tls`
//! it serves HTTPS with a fresh self-signed certificate, written to `--cert-out` for clients.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, CliResult, Exit, ServeArgs};
use crate::sim::config::MANAGEMENT;
use crate::sim::{self, SimApi, SimConfig, SimGrant, tier};

/// `quotaprobe serve`'s HTTPS flags.
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// Serve HTTPS with a self-signed certificate made at start (SANs 127.0.0.1, localhost and
    /// the --domain host), so HTTPS-only clients can be tested as against a real tenant.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: where to write the certificate (PEM) for clients to trust.
    /// Default: quotaprobe-sim-<port>.pem in the OS temp folder.
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub cert_out: Option<PathBuf>,
}

/// Build the demo tenant's config from the flags (no address checks).
fn config(args: &ServeArgs) -> Result<SimConfig, CliError> {
    let tier = match &args.tier_file {
        Some(path) => tier::load_file(path),
        None => tier::builtin_or_err(&args.tier),
    }
    .map_err(CliError::usage)?;
    let mut config = SimConfig::demo(tier);
    config.domain = args.domain.clone();
    config.users = args.users;
    config.month_to_date_tokens = args.month_to_date_tokens;
    config.management_token_lifetime_s = args.token_lifetime;
    config.faults = args.faults.to_faults()?;
    if !args.apis.is_empty() {
        config.apis = args.apis.iter().map(SimApi::new).collect();
    }
    for api in &mut config.apis {
        api.token_lifetime_s = args.token_lifetime;
    }
    let mut grants = vec![SimGrant {
        audience: MANAGEMENT.into(),
        scopes: Vec::new(),
    }];
    grants.extend(config.apis.iter().map(|a| SimGrant {
        audience: a.audience.clone(),
        scopes: Vec::new(),
    }));
    if let Some(client) = config.clients.first_mut() {
        client.client_id = args.client_id.clone();
        client.client_secret = args.client_secret.clone();
        client.grants = grants;
    }
    config.validate().map_err(|e| {
        CliError::usage(format!(
            "{e} (check --token-lifetime, --client-id, --client-secret)"
        ))
    })?;
    Ok(config)
}

/// Makes the self-signed certificate and writes its PEM where clients can read it.
fn certificate(
    args: &ServeArgs,
    domain: &str,
    port: u16,
) -> Result<(sim::tls::SelfSigned, PathBuf), CliError> {
    let cert = sim::tls::self_signed(Some(domain)).map_err(CliError::failed)?;
    let path = args
        .tls
        .cert_out
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("quotaprobe-sim-{port}.pem")));
    std::fs::write(&path, &cert.cert_pem).map_err(|e| {
        CliError::usage(format!("--cert-out {}: cannot write: {e}", path.display()))
    })?;
    Ok((cert, path))
}

/// Prints the banner without ever failing: `serve | head -1` closes the pipe after one line,
/// and a tenant that other processes are using must not die of that (println! would panic on
/// EPIPE). When stdout is gone, one line on stderr says where it still serves (no credentials:
/// they belong to whoever reads stdout); if stderr is gone too, it serves silently.
fn print_banner(banner: &str, url: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        let _ = writeln!(
            std::io::stderr(),
            "quotaprobe serve: cannot print to stdout ({e}); still serving on {url}"
        );
    }
}

/// `--export-users FILE`: the seeded users as a CSV data file.
fn export_users(path: &std::path::Path, count: u32) -> CliResult {
    let fail = |e: &dyn std::fmt::Display| {
        CliError::usage(format!(
            "--export-users {}: cannot write: {e}",
            path.display()
        ))
    };
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    w.write_record(["user_id", "email", "name"])
        .map_err(|e| fail(&e))?;
    for row in sim::seeded_rows(count) {
        w.write_record(&row).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))?;
    super::print_out(&format!(
        "wrote {count} users to {} (user_id,email,name)\n",
        path.display()
    ));
    Ok(Exit::Ok)
}

pub(super) fn serve(args: ServeArgs) -> CliResult {
    if let Some(path) = &args.export_users {
        return export_users(path, args.users);
    }
    let addr = sim::listen_addr(&args.addr, args.private_addr).map_err(CliError::usage)?;
    let config = config(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("starting the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| CliError::failed(format!("--addr {addr}: cannot listen: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::failed(e.to_string()))?;
        let domain = config.domain.clone().unwrap_or_else(|| bound.to_string());
        let cert = if args.tls.tls {
            Some(certificate(&args, &domain, bound.port())?)
        } else {
            None
        };
        let scheme = if cert.is_some() { "https" } else { "http" };
        let mut banner = format!("quotaprobe simulated tenant, tier {}\n", config.tier.name);
        let _ = writeln!(banner, "listening on {scheme}://{bound}");
        if let Some((_, path)) = &cert {
            let _ = writeln!(banner, "certificate: {}", path.display());
        }
        let _ = writeln!(banner, "domain: {domain}");
        let _ = writeln!(banner, "issuer: https://{domain}/");
        let _ = writeln!(banner, "management audience: https://{domain}/api/v2/");
        for api in &config.apis {
            let _ = writeln!(banner, "custom API: {}", api.audience);
        }
        let _ = writeln!(banner, "client_id: {}", args.client_id);
        let _ = writeln!(banner, "client_secret: {}", args.client_secret);
        let _ = writeln!(banner, "Ctrl-C to stop");
        print_banner(&banner, &format!("{scheme}://{bound}"));
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match &cert {
            Some((c, _)) => sim::serve_tls(listener, config, c, shutdown).await,
            None => sim::serve(listener, config, shutdown).await,
        }
        .map_err(CliError::failed)
    })?;
    Ok(Exit::Ok)
}
