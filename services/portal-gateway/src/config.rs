//! The gateway's settings.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "portal-gateway",
    about = "Portal gateway: the HTTPS door to the portal's services"
)]
pub struct Config {
    /// Address of the HTTPS server.
    #[arg(long, env = "PORTAL_HTTPS_ADDR", default_value = "127.0.0.1:8443")]
    pub https_addr: SocketAddr,
    /// PEM certificate chain of the public HTTPS server; a self-signed one
    /// is made when unset.
    #[arg(long, env = "PORTAL_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key matching the certificate.
    #[arg(long, env = "PORTAL_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Where the development certificate is kept.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    #[arg(
        long,
        env = "PORTAL_IDENTITY_URL",
        default_value = "https://127.0.0.1:50051"
    )]
    pub identity_url: String,
    #[arg(
        long,
        env = "PORTAL_REQUESTS_URL",
        default_value = "https://127.0.0.1:50052"
    )]
    pub requests_url: String,
    #[arg(
        long,
        env = "PORTAL_WORK_ORDERS_URL",
        default_value = "https://127.0.0.1:50053"
    )]
    pub work_orders_url: String,
    #[arg(
        long,
        env = "PORTAL_DOCUMENTS_URL",
        default_value = "https://127.0.0.1:50054"
    )]
    pub documents_url: String,
    #[arg(
        long,
        env = "PORTAL_NOTIFICATION_URL",
        default_value = "https://127.0.0.1:50055"
    )]
    pub notification_url: String,
    /// The gateway's certificate for its calls to the services (mutual
    /// TLS, ADR 0025); not the public one above.
    #[command(flatten)]
    pub service_tls: portal_platform::service_tls::TlsFiles,
    /// The gateway's own secret: it vouches for an upload's owner to
    /// documents with it (ADR 0005); no other method accepts it.
    #[arg(long, env = "PORTAL_SERVICE_SECRET", hide_env_values = true, value_parser = portal_platform::config::secret)]
    pub service_secret: String,
    /// Admin HTTP port (/metrics, /livez, /readyz); none when unset.
    #[arg(long, env = "PORTAL_ADMIN_ADDR")]
    pub admin_addr: Option<SocketAddr>,
    /// On SIGTERM, how long /readyz answers 503 before the listener closes,
    /// so that load balancers stop sending requests first.
    #[arg(long, env = "PORTAL_DRAIN_SECS", default_value_t = 3)]
    pub drain_secs: u64,
    /// Largest upload accepted, in bytes (documents applies its own limit too).
    #[arg(long, env = "PORTAL_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Largest file staff publish as a document (streamed through, never
    /// whole in memory; documents applies its own limit too).
    #[arg(long, env = "PORTAL_MAX_DOCUMENT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_document_bytes: usize,
    /// Proxies (an ingress controller's addresses, as CIDRs, comma
    /// separated) whose `X-Forwarded-For` names the client. Only a
    /// connection from one of them is believed, so no other pod or client
    /// can choose its own address. Empty: the socket's peer is the client.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", value_delimiter = ',', num_args = 0..)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Tenants are served on `<slug>.<base domain>`; any host also takes the
    /// `/t/<slug>/` path form. Empty: path form only.
    #[arg(long, env = "PORTAL_BASE_DOMAIN", default_value = "")]
    pub base_domain: String,
    /// NATS, for live updates of open request pages (a core subscription;
    /// the gateway stores nothing). Pages work without it, only not live.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// Map tiles for the sites maps, fetched by the user's browser (the
    /// page's content policy allows this origin for images):
    /// `https://tile.example.org/{z}/{x}/{y}.png`. Empty: maps show the
    /// markers on a plain background.
    #[arg(long, env = "PORTAL_MAP_TILES_URL", default_value = "", value_parser = crate::web::map::tiles_url)]
    pub map_tiles_url: String,
    /// The tiles' attribution, as their provider asks for it (plain text).
    #[arg(long, env = "PORTAL_MAP_ATTRIBUTION", default_value = "")]
    pub map_attribution: String,
}
