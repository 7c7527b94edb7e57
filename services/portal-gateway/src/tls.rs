//! The server certificate: the configured one, or a self-signed development
//! certificate made once and kept under the data folder.
use std::path::Path;

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;

use crate::config::Config;

pub async fn server_config(cfg: &Config) -> anyhow::Result<RustlsConfig> {
    // One crypto library in the tree; make it the process default explicitly.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let (cert, key) = match (&cfg.tls_cert, &cfg.tls_key) {
        (Some(c), Some(k)) => (
            std::fs::read(c).with_context(|| format!("reading {}", c.display()))?,
            std::fs::read(k).with_context(|| format!("reading {}", k.display()))?,
        ),
        (None, None) => development_pair(&cfg.data_dir.join("tls"))?,
        _ => anyhow::bail!("set both PORTAL_TLS_CERT and PORTAL_TLS_KEY, or neither"),
    };
    Ok(RustlsConfig::from_pem(cert, key).await?)
}

fn development_pair(dir: &Path) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let (cert_path, key_path) = (dir.join("dev-cert.pem"), dir.join("dev-key.pem"));
    if let (Ok(c), Ok(k)) = (std::fs::read(&cert_path), std::fs::read(&key_path)) {
        return Ok((c, k));
    }
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let certified = rcgen::generate_simple_self_signed(names)?;
    let (cert, key) = (certified.cert.pem(), certified.signing_key.serialize_pem());
    std::fs::create_dir_all(dir)?;
    std::fs::write(&cert_path, &cert)?;
    std::fs::write(&key_path, &key)?;
    tracing::warn!(path = %cert_path.display(), "no TLS certificate configured: using a self-signed development certificate");
    Ok((cert.into_bytes(), key.into_bytes()))
}
