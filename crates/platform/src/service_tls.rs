//! Calls between services are mutual TLS (ADR 0025). Every service holds a
//! certificate of the installation's internal CA whose DNS name is the
//! service's own name (`identity`, `gateway`, …): it serves with it and
//! calls with it. A server accepts only clients with such a certificate;
//! a client checks the server's certificate against the name of the service
//! it means to call, whatever address it dials. The certificate and key
//! are read again when their files change (cert-manager renews them in
//! place); the CA is read at start.
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hyper_util::rt::TokioIo;
use portal_roster::Service;
use rustls::RootCertStore;
use rustls::client::ResolvesClientCert;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SignatureScheme};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint, Uri};

pub use crate::balance::Backend;

/// How often the certificate and key files are looked at again.
pub const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// How long a client may take over its handshake before it is dropped (so
/// that idle connections cannot hold the accept queue).
const HANDSHAKE_PATIENCE: Duration = Duration::from_secs(5);

/// Handshakes under way at once; past it, accepting waits (the kernel's
/// backlog holds the rest), so connections without a certificate cannot
/// take every file descriptor.
const HANDSHAKES_AT_ONCE: usize = 256;

/// The three files of a service's TLS. Optional for the parser so that
/// `migrate` runs without them; serving refuses to start without them.
/// Explicit ids: clap names an argument after its field, and `key` is
/// taken in identity (its signing key).
#[derive(Args, Clone, Debug, Default)]
pub struct TlsFiles {
    /// This service's certificate chain (PEM), issued by the internal CA
    /// with the service's name as its DNS name.
    #[arg(
        id = "service_tls_cert",
        long = "service-tls-cert",
        env = "PORTAL_SERVICE_TLS_CERT"
    )]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(
        id = "service_tls_key",
        long = "service-tls-key",
        env = "PORTAL_SERVICE_TLS_KEY"
    )]
    pub key: Option<PathBuf>,
    /// The internal CA that issues every service's certificate (PEM).
    #[arg(
        id = "service_tls_ca",
        long = "service-tls-ca",
        env = "PORTAL_SERVICE_TLS_CA"
    )]
    pub ca: Option<PathBuf>,
}

impl TlsFiles {
    pub fn new(cert: PathBuf, key: PathBuf, ca: PathBuf) -> Self {
        Self {
            cert: Some(cert),
            key: Some(key),
            ca: Some(ca),
        }
    }
}

/// A service's side of mutual TLS: the server's acceptor and the client
/// configuration for its calls.
#[derive(Clone)]
pub struct ServiceTls {
    me: Service,
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
}

impl fmt::Debug for ServiceTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceTls").field("me", &self.me).finish()
    }
}

impl ServiceTls {
    /// Reads the files of `me`; refuses a certificate that does not name it.
    pub fn load(me: Service, files: &TlsFiles) -> anyhow::Result<Self> {
        Self::load_with(me, files, RELOAD_EVERY)
    }

    /// As [`load`](Self::load), looking at the files again every `every`.
    pub fn load_with(me: Service, files: &TlsFiles, every: Duration) -> anyhow::Result<Self> {
        let missing = |what: &str, var: &str| {
            anyhow::anyhow!(
                "{var} is not set: calls between services are mutual TLS (ADR 0025), \
                 and {me} needs its {what}"
            )
        };
        let cert = files
            .cert
            .clone()
            .ok_or_else(|| missing("certificate", "PORTAL_SERVICE_TLS_CERT"))?;
        let key = files
            .key
            .clone()
            .ok_or_else(|| missing("private key", "PORTAL_SERVICE_TLS_KEY"))?;
        let ca = files
            .ca
            .clone()
            .ok_or_else(|| missing("CA", "PORTAL_SERVICE_TLS_CA"))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        for der in CertificateDer::pem_file_iter(&ca)
            .with_context(|| format!("reading the CA {}", ca.display()))?
        {
            roots.add(der.with_context(|| format!("reading the CA {}", ca.display()))?)?;
        }
        anyhow::ensure!(
            !roots.is_empty(),
            "{} holds no certificate (PORTAL_SERVICE_TLS_CA)",
            ca.display()
        );
        let roots = Arc::new(roots);
        let clients =
            WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone()).build()?;
        // Our own certificate must pass what our peers check: the CA, the
        // client usage, the name.
        let keys = Arc::new(KeyFiles::read(
            me,
            cert,
            key,
            provider.clone(),
            clients.clone(),
            every,
        )?);
        // Both ends are ours: TLS 1.3 alone.
        let mut server = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .with_client_cert_verifier(clients)
            .with_cert_resolver(keys.clone());
        server.alpn_protocols = vec![b"h2".to_vec()];
        let servers =
            WebPkiServerVerifier::builder_with_provider(roots, provider.clone()).build()?;
        let mut client = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .with_webpki_verifier(servers)
            .with_client_cert_resolver(keys);
        client.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self {
            me,
            server: Arc::new(server),
            client: Arc::new(client),
        })
    }

    pub fn me(&self) -> Service {
        self.me
    }

    /// The client side, for tests that speak to a service directly.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        self.client.clone()
    }

    /// A client of `peer` at `url` (`https://host:port`, or several
    /// comma-separated), spread over every replica the names resolve to
    /// (ADR 0028). Connections are made lazily and refused unless the
    /// server proves it is `peer`.
    pub fn channel(&self, url: &str, peer: Service) -> anyhow::Result<Backend> {
        let targets =
            crate::balance::targets(url).map_err(|e| anyhow::anyhow!("calls to {peer}: {e}"))?;
        let connector = TlsConnector::from(self.client.clone());
        let name = ServerName::try_from(peer.name())?.to_owned();
        let dial: crate::balance::Dial = Arc::new(move |authority: &str| {
            Self::dial(connector.clone(), name.clone(), authority.to_owned())
        });
        Ok(Backend::new(targets, dial))
    }

    /// A lazily connecting channel to one `host:port` or address.
    fn dial(connector: TlsConnector, name: ServerName<'static>, authority: String) -> Channel {
        // tonic only knows TLS with a fixed certificate; ours is read again
        // when it changes, so tonic sees a plain endpoint and the connector
        // below does the handshake. The authority is ours (parsed from a
        // URL or an address), so the endpoint always parses.
        let endpoint = Endpoint::from_shared(format!("http://{authority}"))
            .unwrap_or_else(|_| Endpoint::from_static("http://127.0.0.1:1"))
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30));
        endpoint.connect_with_connector_lazy(tower::service_fn(move |_: Uri| {
            let (connector, name, authority) = (connector.clone(), name.clone(), authority.clone());
            async move {
                let tcp = TcpStream::connect(&authority).await?;
                // Small frames both ways: Nagle would hold them for the ACK.
                tcp.set_nodelay(true)?;
                let tls = connector.connect(name, tcp).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
    }

    /// The TLS connections accepted on `listener`, for tonic's
    /// `serve_with_incoming`. Each handshake runs on its own task, so a
    /// slow or silent client holds nobody else up; refused handshakes are
    /// logged and never reach the server. Ends when the stream is dropped.
    pub fn incoming(
        &self,
        listener: TcpListener,
    ) -> ReceiverStream<Result<TlsStream<TcpStream>, std::io::Error>> {
        let (tx, rx) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(self.server.clone());
        let slots = Arc::new(tokio::sync::Semaphore::new(HANDSHAKES_AT_ONCE));
        tokio::spawn(async move {
            loop {
                let slot = tokio::select! {
                    _ = tx.closed() => return,
                    slot = slots.clone().acquire_owned() => slot,
                };
                let Ok(slot) = slot else { return };
                let accepted = tokio::select! {
                    _ = tx.closed() => return,
                    accepted = listener.accept() => accepted,
                };
                let (tcp, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, go on.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_PATIENCE, acceptor.accept(tcp)).await;
                    drop(slot);
                    match handshake {
                        Ok(Ok(tls)) => {
                            let _ = tx.send(Ok(tls)).await;
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(%peer, error = %e, "TLS handshake refused");
                        }
                        Err(_) => tracing::warn!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        ReceiverStream::new(rx)
    }
}

/// The service a verified client certificate names: the one roster name
/// among its DNS names (none, or two, names nobody).
pub fn named_service(cert: &CertificateDer<'_>) -> Option<Service> {
    let cert = webpki::EndEntityCert::try_from(cert).ok()?;
    let mut names = cert
        .valid_dns_names()
        .filter_map(|name| name.parse::<Service>().ok());
    let first = names.next()?;
    names.next().is_none().then_some(first)
}

/// The service at the other end of a call's TLS connection, from the
/// certificate the handshake verified.
pub fn peer_service<T>(req: &tonic::Request<T>) -> Option<Service> {
    let certs = req.peer_certs()?;
    named_service(certs.first()?)
}

/// The certificate and key on disk, read again when they change.
struct KeyFiles {
    me: Service,
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    /// What a peer checks of our certificate, checked before we present it.
    peers_check: Arc<dyn ClientCertVerifier>,
    every: Duration,
    current: RwLock<Arc<CertifiedKey>>,
    /// The files' bytes at the last look (to tell a change), and when; the
    /// one handshake that takes it looks again, the others go on.
    last_look: Mutex<(PemPair, Instant)>,
}

/// A certificate file's and a key file's bytes.
type PemPair = (Vec<u8>, Vec<u8>);

impl fmt::Debug for KeyFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFiles")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish()
    }
}

impl KeyFiles {
    fn read(
        me: Service,
        cert: PathBuf,
        key: PathBuf,
        provider: Arc<CryptoProvider>,
        peers_check: Arc<dyn ClientCertVerifier>,
        every: Duration,
    ) -> anyhow::Result<Self> {
        let bytes = read_pair(&cert, &key)?;
        let loaded = certified(me, &bytes, &cert, &provider, peers_check.as_ref())?;
        Ok(Self {
            me,
            cert,
            key,
            provider,
            peers_check,
            every,
            current: RwLock::new(loaded),
            last_look: Mutex::new((bytes, Instant::now())),
        })
    }

    /// The key to present, after a look at the files when it is time. The
    /// files are read outside the lock that handshakes read.
    fn current(&self) -> Arc<CertifiedKey> {
        if let Ok(mut look) = self.last_look.try_lock()
            && look.1.elapsed() >= self.every
        {
            look.1 = Instant::now();
            match read_pair(&self.cert, &self.key) {
                Ok(bytes) if bytes != look.0 => {
                    match certified(
                        self.me,
                        &bytes,
                        &self.cert,
                        &self.provider,
                        self.peers_check.as_ref(),
                    ) {
                        Ok(key) => {
                            tracing::info!(cert = %self.cert.display(), "service certificate reloaded");
                            *self
                                .current
                                .write()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) = key;
                            look.0 = bytes;
                        }
                        // Half-written during a renewal, say: keep the old one.
                        Err(e) => {
                            tracing::warn!(error = %format!("{e:#}"), "kept the previous service certificate")
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "kept the previous service certificate")
                }
            }
        }
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl ResolvesServerCert for KeyFiles {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

impl ResolvesClientCert for KeyFiles {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn read_pair(cert: &Path, key: &Path) -> anyhow::Result<PemPair> {
    Ok((
        std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?,
        std::fs::read(key).with_context(|| format!("reading {}", key.display()))?,
    ))
}

/// The key pair from the files' bytes, if the certificate names `me` and
/// passes `peers_check` (the installation's CA, client usage).
fn certified(
    me: Service,
    (cert, key): &PemPair,
    path: &Path,
    provider: &CryptoProvider,
    peers_check: &dyn ClientCertVerifier,
) -> anyhow::Result<Arc<CertifiedKey>> {
    let chain = CertificateDer::pem_slice_iter(cert)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", path.display()))?;
    let first = chain
        .first()
        .with_context(|| format!("{} holds no certificate", path.display()))?;
    anyhow::ensure!(
        named_service(first) == Some(me),
        "{} is not a certificate of {me}: its DNS name must be {:?} (and no other service's)",
        path.display(),
        me.name()
    );
    peers_check
        .verify_client_cert(first, &chain[1..], UnixTime::now())
        .map_err(|e| {
            anyhow::anyhow!(
                "{} would be refused by the other services ({e}): is it issued by PORTAL_SERVICE_TLS_CA, for client and server use?",
                path.display()
            )
        })?;
    let key = PrivateKeyDer::from_pem_slice(key).context("reading the private key")?;
    Ok(Arc::new(CertifiedKey::from_der(chain, key, provider)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued() -> anyhow::Result<tempfile::TempDir> {
        let dir = tempfile::tempdir()?;
        portal_dev_certs::issue(dir.path())?;
        Ok(dir)
    }

    fn files(dir: &Path, service: Service) -> TlsFiles {
        let f = portal_dev_certs::files(dir, service);
        TlsFiles::new(f.cert, f.key, f.ca)
    }

    fn first_cert(path: &Path) -> anyhow::Result<CertificateDer<'static>> {
        Ok(CertificateDer::from_pem_file(path)?)
    }

    #[test]
    fn a_certificate_names_its_service() -> anyhow::Result<()> {
        let dir = issued()?;
        for service in Service::ALL {
            let cert = first_cert(&portal_dev_certs::files(dir.path(), service).cert)?;
            assert_eq!(named_service(&cert), Some(service));
        }
        Ok(())
    }

    #[test]
    fn a_service_refuses_another_services_certificate() -> anyhow::Result<()> {
        let dir = issued()?;
        let mut theirs = files(dir.path(), Service::Requests);
        theirs.ca = files(dir.path(), Service::Gateway).ca;
        let refused = ServiceTls::load(Service::Gateway, &theirs)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            refused.contains("is not a certificate of gateway"),
            "{refused}"
        );
        Ok(())
    }

    #[test]
    fn missing_files_are_named() {
        let refused = ServiceTls::load(Service::Requests, &TlsFiles::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            refused.contains("PORTAL_SERVICE_TLS_CERT is not set"),
            "{refused}"
        );
    }

    #[test]
    fn a_renewed_certificate_is_presented_and_a_foreign_or_broken_one_is_not() -> anyhow::Result<()>
    {
        let dir = tempfile::tempdir()?;
        let ca = portal_dev_certs::Ca::new()?;
        ca.write(dir.path())?;
        ca.issue(dir.path(), Service::Documents)?;
        let f = files(dir.path(), Service::Documents);
        let (cert, key) = (
            f.cert.clone().unwrap_or_default(),
            f.key.clone().unwrap_or_default(),
        );
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots.add(first_cert(&f.ca.clone().unwrap_or_default())?)?;
        let check = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()?;
        let keys = KeyFiles::read(
            Service::Documents,
            cert.clone(),
            key.clone(),
            provider,
            check,
            Duration::ZERO,
        )?;
        let before = keys.current().cert[0].clone();
        // A certificate of another CA is not presented: peers would refuse it.
        let foreign = issued()?;
        let theirs = portal_dev_certs::files(foreign.path(), Service::Documents);
        std::fs::copy(&theirs.cert, &cert)?;
        std::fs::copy(&theirs.key, &key)?;
        assert_eq!(keys.current().cert[0], before);
        // A renewal: a new certificate and key of the same CA.
        let renewed = tempfile::tempdir()?;
        let new = ca.issue(renewed.path(), Service::Documents)?;
        std::fs::copy(&new.cert, &cert)?;
        std::fs::copy(&new.key, &key)?;
        let after = keys.current().cert[0].clone();
        assert_ne!(before, after);
        assert_eq!(after, first_cert(&new.cert)?);
        // Half-written: the key of the renewal is kept, not dropped.
        std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nbroken")?;
        assert_eq!(keys.current().cert[0], after);
        Ok(())
    }
}
