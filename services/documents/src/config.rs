//! documents' settings.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use portal_platform::config::CommonConfig;

pub const MIB: usize = 1024 * 1024;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "documents",
    about = "Portal documents: attachments, generated documents (service reports) and their files"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50054")]
    pub grpc_addr: SocketAddr,
    /// Where file contents live (`file:///…`, `s3://bucket[/prefix]` with the
    /// `AWS_*` variables); default `file://<data dir>/blobs`.
    #[arg(long, env = "PORTAL_BLOB_URL")]
    pub blob_url: Option<String>,
    /// Seconds between sweeps of the blob store for files no row names
    /// (one replica per period); 0: never.
    #[arg(long, env = "PORTAL_BLOB_SWEEP_SECS", default_value_t = 3600)]
    pub blob_sweep_secs: u64,
    /// Seconds an unreferenced file is kept before a sweep deletes it: longer
    /// than the slowest upload, whose row is written after its bytes.
    #[arg(long, env = "PORTAL_BLOB_SWEEP_GRACE_SECS", default_value_t = 3600)]
    pub blob_sweep_grace_secs: u64,
    /// Directory for local data (the default blob store).
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Largest accepted upload, in bytes.
    #[arg(long, env = "PORTAL_MAX_UPLOAD_BYTES", default_value_t = 10 * MIB)]
    pub max_upload_bytes: usize,
    /// Largest file staff publish as a document (streamed, never whole in memory).
    #[arg(long, env = "PORTAL_MAX_DOCUMENT_BYTES", default_value_t = 256 * MIB)]
    pub max_document_bytes: usize,
    /// Uploads written to storage at once (each holds up to about 15 MiB
    /// while it streams); more wait for their turn.
    #[arg(long, env = "PORTAL_UPLOADS_AT_ONCE", default_value_t = crate::blobs::DEFAULT_WRITERS)]
    pub uploads_at_once: usize,
    /// Accepted content types, comma separated.
    #[arg(
        long,
        env = "PORTAL_ALLOWED_TYPES",
        value_delimiter = ',',
        default_value = "image/jpeg,image/png,image/gif,image/webp,image/heic,application/pdf,text/plain,text/csv,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    pub allowed_types: Vec<String>,
}

impl Config {
    /// The blob store URL, falling back to a directory under `data_dir`.
    pub fn blob_url(&self) -> String {
        match self.blob_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => url.to_owned(),
            _ => format!("file://{}", self.data_dir.join("blobs").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        let mut all = vec![
            "documents",
            "--database-url",
            "postgres://x",
            "--service-secret",
            "a-test-secret-of-enough-length",
        ];
        all.extend_from_slice(args);
        Config::try_parse_from(all).expect("parses")
    }

    #[test]
    fn defaults_put_blobs_under_the_data_dir() {
        let cfg = parse(&["--data-dir", "/var/lib/portal"]);
        assert_eq!(cfg.blob_url(), "file:///var/lib/portal/blobs");
        assert_eq!(cfg.max_upload_bytes, 10 * MIB);
        assert_eq!(cfg.max_document_bytes, 256 * MIB);
        assert!(cfg.allowed_types.iter().any(|t| t == "application/pdf"));
        assert_eq!(cfg.allowed_types.len(), 10);
        assert_eq!(
            (cfg.blob_sweep_secs, cfg.blob_sweep_grace_secs),
            (3600, 3600)
        );
    }

    #[test]
    fn allowed_types_are_comma_separated() {
        let cfg = parse(&["--allowed-types", "image/png,text/plain"]);
        assert_eq!(cfg.allowed_types, vec!["image/png", "text/plain"]);
    }
}
