//! Issues what a local installation needs for mutual TLS between services
//! (ADR 0025): a fresh CA and, per service, a certificate whose only DNS
//! name is the service's name, good for serving and for calling. The chart
//! gets its certificates from cert-manager or Helm, compose from openssl;
//! this is for `cargo xtask up`, the browser tests, the bench and the
//! system tests, which start a new CA every run.
use std::fs;
use std::path::{Path, PathBuf};

use portal_roster::Service;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// Where a service's files are in a directory written by [`issue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Files {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub ca: PathBuf,
}

/// The files of `service` under `dir`.
pub fn files(dir: &Path, service: Service) -> Files {
    Files {
        cert: dir.join(format!("{service}.crt")),
        key: dir.join(format!("{service}.key")),
        ca: dir.join("ca.crt"),
    }
}

/// Writes a new CA (`ca.crt`) and a certificate and key for every service
/// into `dir`, replacing what was there. The CA's key is not kept: nothing
/// can be issued later under it.
pub fn issue(dir: &Path) -> anyhow::Result<()> {
    let ca = Ca::new()?;
    ca.write(dir)?;
    for service in Service::ALL {
        ca.issue(dir, service)?;
    }
    Ok(())
}

/// A CA held in memory, for tests that renew a certificate under it.
pub struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new() -> anyhow::Result<Self> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "Portal services (local CA)");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let pem = params.self_signed(&key)?.pem();
        Ok(Self {
            pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// `ca.crt` in `dir`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join("ca.crt"), &self.pem)?;
        Ok(())
    }

    /// A new key and certificate of `service` in `dir` (the key readable by
    /// its owner only).
    pub fn issue(&self, dir: &Path, service: Service) -> anyhow::Result<Files> {
        fs::create_dir_all(dir)?;
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec![service.name().to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, service.name());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params.signed_by(&key, &self.issuer)?;
        let paths = files(dir, service);
        fs::write(&paths.cert, cert.pem())?;
        write_private(&paths.key, &key.serialize_pem())?;
        Ok(paths)
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_gets_its_files_and_a_run_gets_a_new_ca() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        issue(dir.path())?;
        let first = fs::read_to_string(dir.path().join("ca.crt"))?;
        for service in Service::ALL {
            let f = files(dir.path(), service);
            assert!(fs::read_to_string(&f.cert)?.starts_with("-----BEGIN CERTIFICATE-----"));
            assert!(fs::read_to_string(&f.key)?.contains("PRIVATE KEY-----"));
        }
        issue(dir.path())?;
        assert_ne!(first, fs::read_to_string(dir.path().join("ca.crt"))?);
        Ok(())
    }
}
