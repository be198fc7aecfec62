//! Lifecycle: [`serve`] on a bound listener until a shutdown future resolves (mini-redis style),
//! and [`start`], which runs the tenant on its own OS thread with its own current-thread tokio
//! runtime, so a load generator never shares an executor with its target. [`serve_tls`] is
//! [`serve`] over HTTPS (`quotaprobe serve --tls`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::SimError;
use super::config::SimConfig;
use super::peer::Peer;
use super::routes;
use super::tenant::Tenant;

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
    let context = context.into();
    move |source| SimError::Io { context, source }
}

/// Parse a listen address and refuse anything but loopback.
pub fn loopback_addr(addr: &str) -> Result<SocketAddr, SimError> {
    let parsed: SocketAddr = addr
        .parse()
        .map_err(|_| SimError::BadAddr(addr.to_string()))?;
    if !parsed.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr.to_string()));
    }
    Ok(parsed)
}

/// True for a private IPv4 address (10/8, 172.16/12, 192.168/16): a network one owns, such as
/// the network namespaces of the multi-host test.
pub fn is_private(ip: std::net::IpAddr) -> bool {
    matches!(ip, std::net::IpAddr::V4(v4) if v4.is_private())
}

/// [`loopback_addr`], or with `allow_private` also a private IPv4 address (`serve
/// --private-addr`): never a public or wildcard one.
pub fn listen_addr(addr: &str, allow_private: bool) -> Result<SocketAddr, SimError> {
    let parsed: SocketAddr = addr
        .parse()
        .map_err(|_| SimError::BadAddr(addr.to_string()))?;
    if !(parsed.ip().is_loopback() || allow_private && is_private(parsed.ip())) {
        return Err(SimError::NotLoopback(addr.to_string()));
    }
    Ok(parsed)
}

/// Serve the tenant on `listener` until `shutdown` resolves, then finish in-flight requests.
/// The listener must be on loopback or a private address (see [`listen_addr`]).
pub async fn serve(
    listener: TcpListener,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let addr = listener
        .local_addr()
        .map_err(io("reading the listen address"))?;
    if !(addr.ip().is_loopback() || is_private(addr.ip())) {
        return Err(SimError::NotLoopback(addr.to_string()));
    }
    let tenant = Arc::new(Tenant::build(&config, addr)?);
    serve_tenant(listener, tenant, shutdown).await
}

/// The tenant's routes as a tower service, without a listener: the same router [`serve`] runs,
/// for a tenant that believes it is bound at `addr` (its issuer and Management audience follow
/// from it). Lets tests drive the handlers in process (`tower::ServiceExt::oneshot`), thousands
/// of requests a second, where a socket per request would be the bottleneck.
pub fn router(config: &SimConfig, addr: SocketAddr) -> Result<axum::Router, SimError> {
    if !addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr.to_string()));
    }
    Ok(routes::router(Arc::new(Tenant::build(config, addr)?)))
}

/// [`router`] for requests that come from `peer` (per-IP buckets and per-source counters see
/// it as a served request's source): how a fast-forward run (`src/fastforward/`) calls the
/// tenant in process, as a tower service, with the same answers a socket would get.
pub fn router_from(
    config: &SimConfig,
    addr: SocketAddr,
    peer: SocketAddr,
) -> Result<axum::Router, SimError> {
    let connect_info = axum::extract::ConnectInfo(Peer(peer));
    Ok(router(config, addr)?.layer(axum::Extension(connect_info)))
}

/// [`serve`] over HTTPS with `cert` (see [`super::tls`]): same tenant, same routes.
pub async fn serve_tls(
    listener: TcpListener,
    config: SimConfig,
    cert: &super::tls::SelfSigned,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let addr = listener
        .local_addr()
        .map_err(io("reading the listen address"))?;
    if !(addr.ip().is_loopback() || is_private(addr.ip())) {
        return Err(SimError::NotLoopback(addr.to_string()));
    }
    let tenant = Arc::new(Tenant::build(&config, addr)?);
    let app = routes::router(tenant).into_make_service_with_connect_info::<Peer>();
    axum::serve(super::tls::TlsListener::new(listener, cert), app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(io("serving the simulated tenant over HTTPS"))
}

async fn serve_tenant(
    listener: TcpListener,
    tenant: Arc<Tenant>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let app = routes::router(tenant).into_make_service_with_connect_info::<Peer>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(io("serving the simulated tenant"))
}

/// A simulator running on its own thread. Dropping it shuts it down too.
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    domain: String,
    management_audience: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), SimError>>>,
}

/// Bind `addr` (loopback only; port 0 picks one), start the tenant on its own thread and runtime,
/// and return once it is listening.
pub fn start(config: SimConfig, addr: &str) -> Result<RunningSim, SimError> {
    let wanted = loopback_addr(addr)?;
    let std_listener =
        std::net::TcpListener::bind(wanted).map_err(io(format!("binding {wanted}")))?;
    std_listener
        .set_nonblocking(true)
        .map_err(io("making the listener non-blocking"))?;
    let bound = std_listener
        .local_addr()
        .map_err(io("reading the listen address"))?;
    let tenant = Arc::new(Tenant::build(&config, bound)?);
    let domain = tenant.domain.clone();
    let management_audience = tenant.management_audience.clone();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("quotaprobe-sim".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(io("building the simulator runtime"))?;
            runtime.block_on(async move {
                let listener =
                    TcpListener::from_std(std_listener).map_err(io("registering the listener"))?;
                serve_tenant(listener, tenant, async move {
                    let _ = stop_rx.await;
                })
                .await
            })
        })
        .map_err(io("spawning the simulator thread"))?;
    Ok(RunningSim {
        addr: bound,
        domain,
        management_audience,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

impl RunningSim {
    /// The bound address (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tenant domain: issuer `https://{domain}/`.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `http://{addr}`, the URL to send requests to.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://{domain}/api/v2/`, the audience of Management API tokens.
    pub fn management_audience(&self) -> String {
        self.management_audience.clone()
    }

    /// Stop accepting, finish in-flight requests, join the thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_loopback_always_private_only_when_asked() {
        // (address, allow_private, accepted)
        let table = [
            ("127.0.0.1:0", false, true),
            ("[::1]:0", false, true),
            ("10.201.3.1:0", false, false),
            ("10.201.3.1:0", true, true),
            ("192.168.1.10:4000", true, true),
            ("172.16.0.1:0", true, true),
            ("0.0.0.0:0", true, false),
            ("8.8.8.8:0", true, false),
            ("[::]:0", true, false),
        ];
        for (addr, private, ok) in table {
            assert_eq!(
                listen_addr(addr, private).is_ok(),
                ok,
                "{addr} private={private}"
            );
        }
        assert!(matches!(
            listen_addr("nope", true),
            Err(SimError::BadAddr(_))
        ));
    }
}
