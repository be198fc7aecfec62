//! `quotaprobe serve`: the simulated tenant, standalone, on loopback until Ctrl-C.
//!
//! Prints the address, domain, audiences and the demo client's credentials, then serves on a
//! multi-thread runtime; Ctrl-C shuts down gracefully (in-flight requests finish).

use super::{CliError, CliResult, Exit, ServeArgs};
use crate::sim::config::MANAGEMENT;
use crate::sim::{self, SimApi, SimConfig, SimGrant, tier};

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

pub(super) fn serve(args: ServeArgs) -> CliResult {
    let addr = sim::server_addr(&args.addr).map_err(CliError::usage)?;
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
        println!("quotaprobe simulated tenant, tier {}", config.tier.name);
        println!("listening on http://{bound}");
        println!("domain: {domain}");
        println!("issuer: https://{domain}/");
        println!("management audience: https://{domain}/api/v2/");
        for api in &config.apis {
            println!("custom API: {}", api.audience);
        }
        println!("client_id: {}", args.client_id);
        println!("client_secret: {}", args.client_secret);
        println!("Ctrl-C to stop");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        sim::serve(listener, config, shutdown)
            .await
            .map_err(CliError::failed)
    })?;
    Ok(Exit::Ok)
}
