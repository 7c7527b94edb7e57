//! Test harness: throwaway PostgreSQL databases, a private NATS server, an
//! SMTP sink, an S3-compatible server, and the six services running
//! in-process on free ports.

pub mod api;
pub mod db;
pub mod nats;
pub mod postgres;
pub mod s3;
pub mod smtp;
pub mod stack;
pub mod traces;

pub use api::Api;
pub use smtp::SmtpSink;
pub use stack::{MailSetup, Stack};

/// Polls `check` every 100 ms until it yields a value or `secs` pass.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("timed out after {secs} s waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
