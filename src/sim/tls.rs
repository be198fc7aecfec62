//! HTTPS for the simulated tenant (`quotaprobe serve --tls`): a self-signed certificate made at
//! start (rcgen; SANs `127.0.0.1`, `localhost` and the tenant domain's host) and an axum
//! [`Listener`] that completes the TLS handshake (tokio-rustls) before handing the stream over.
//! Clients trust it by adding the printed PEM as a root (`quotaprobe run --ca-file`, Node's
//! `NODE_EXTRA_CA_CERTS`, Python's `SSL_CERT_FILE`...).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::server::TlsStream;

use super::SimError;

/// A handshake that takes longer than this is dropped (it would hold up the accept loop).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// A generated certificate: the PEM to give clients and the server's TLS config.
pub struct SelfSigned {
    /// The certificate (no key), PEM.
    pub cert_pem: String,
    /// The names the certificate is valid for.
    pub names: Vec<String>,
    config: Arc<ServerConfig>,
}

impl std::fmt::Debug for SelfSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfSigned")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// The host of a domain that may carry a port (`127.0.0.1:4000` → `127.0.0.1`).
fn host_of(domain: &str) -> &str {
    match domain.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => domain,
    }
}

/// The certificate's subject alternative names: loopback plus the domain's host, no duplicates.
pub fn names_for(domain: Option<&str>) -> Vec<String> {
    let mut names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    if let Some(d) = domain {
        let host = host_of(d).trim_start_matches('[').trim_end_matches(']');
        if !host.is_empty() && !names.iter().any(|n| n == host) {
            names.push(host.to_string());
        }
    }
    names
}

/// Makes a fresh self-signed certificate for loopback and `domain`.
pub fn self_signed(domain: Option<&str>) -> Result<SelfSigned, SimError> {
    let names = names_for(domain);
    let tls = |e: String| SimError::Io {
        context: "making the self-signed certificate".into(),
        source: std::io::Error::other(e),
    };
    let key = rcgen::generate_simple_self_signed(names.clone()).map_err(|e| tls(e.to_string()))?;
    let cert_pem = key.cert.pem();
    let cert_der: CertificateDer<'static> = key.cert.der().clone();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .map_err(|e| tls(e.to_string()))?;
    Ok(SelfSigned {
        cert_pem,
        names,
        config: Arc::new(config),
    })
}

/// A TCP listener that serves TLS with the given certificate. Failed or slow handshakes are
/// dropped and the next connection is accepted.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, cert: &SelfSigned) -> Self {
        TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(cert.config.clone()),
        }
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                // Out of file descriptors and the like: back off a little, as axum does.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let handshake = self.acceptor.accept(stream);
            if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_and_the_domain_host() {
        let cases: [(Option<&str>, &[&str]); 5] = [
            (None, &["127.0.0.1", "localhost"]),
            (Some("127.0.0.1:4000"), &["127.0.0.1", "localhost"]),
            (Some("localhost"), &["127.0.0.1", "localhost"]),
            (
                Some("tenant.example.com"),
                &["127.0.0.1", "localhost", "tenant.example.com"],
            ),
            (Some("[::1]:4000"), &["127.0.0.1", "localhost", "::1"]),
        ];
        for (domain, want) in cases {
            assert_eq!(names_for(domain), want, "{domain:?}");
        }
    }

    #[test]
    fn makes_a_pem_certificate() {
        let Ok(c) = self_signed(Some("tenant.example.com")) else {
            panic!("self_signed failed");
        };
        assert!(c.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(!c.cert_pem.contains("PRIVATE KEY"));
        assert_eq!(c.names.len(), 3);
    }
}
