//! notification's settings.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use portal_platform::config::CommonConfig;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "notification",
    about = "Portal notification: transactional mails and their delivery log"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50055")]
    pub grpc_addr: SocketAddr,
    /// Mail server: `smtp://host:port` (plain), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://host:port`, with optional `user:password@`.
    /// Unset: mails are written as .eml files under `<data-dir>/mail`.
    #[arg(long, env = "PORTAL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of every mail.
    #[arg(
        long,
        env = "PORTAL_MAIL_FROM",
        default_value = "Portal <no-reply@portal.localhost>"
    )]
    pub mail_from: String,
    /// Directory for local files (the .eml mails when SMTP is unset).
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Delay before the first retry of a failed mail; doubles each time, up to 5 minutes.
    #[arg(long, env = "PORTAL_MAIL_RETRY_BASE_MS", default_value_t = 2000)]
    pub retry_base_ms: u64,
    /// Mails handed to the SMTP server at once (each holds a database
    /// connection while it is sent).
    #[arg(long, env = "PORTAL_MAIL_CONCURRENCY", default_value_t = 4)]
    pub concurrency: usize,
    /// Attempts before a mail is marked failed for good.
    #[arg(long, env = "PORTAL_MAIL_MAX_ATTEMPTS", default_value_t = 12)]
    pub max_attempts: u32,
}
