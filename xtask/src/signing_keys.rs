//! identity's token signing key for local runs: one Ed25519 key made once
//! under data/signing-keys/ and kept, so that sessions survive a restart of
//! `up` (ADR 0016). Production mounts its keys from a secret instead.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::sys;

/// The kid of the key `up` makes.
const LOCAL_KID: &str = "local-1";

/// PKCS#8 v1 header of an Ed25519 private key (RFC 8410): the 32-byte
/// seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The key directory for PORTAL_SIGNING_KEYS_DIR, with a key made on the
/// first run.
pub fn ensure(data_dir: &Path) -> Result<PathBuf> {
    let dir = data_dir.join("signing-keys");
    fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let has_key = fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
    if !has_key {
        let path = dir.join(format!("{LOCAL_KID}.pem"));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("failed to create {}", path.display()))?;
        file.write_all(new_pem()?.as_bytes())?;
    }
    Ok(dir)
}

fn new_pem() -> Result<String> {
    let seed = sys::random_hex(32)?;
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    for i in (0..seed.len()).step_by(2) {
        der.push(u8::from_str_radix(&seed[i..i + 2], 16)?);
    }
    Ok(pem(&der))
}

fn pem(der: &[u8]) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(der)
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0_u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pem_is_an_ed25519_pkcs8_key() {
        // The seed of a key made by `openssl genpkey -algorithm ed25519`.
        let mut der = ED25519_PKCS8_PREFIX.to_vec();
        der.extend([
            0x7e, 0x34, 0xb3, 0x83, 0x3f, 0xe2, 0x1c, 0x25, 0xe9, 0x49, 0x1a, 0x76, 0x60, 0x0b,
            0x72, 0xf9, 0x34, 0x23, 0x3f, 0x3c, 0xac, 0x94, 0x9a, 0x46, 0x0a, 0xe1, 0x87, 0xf8,
            0xa9, 0xaf, 0x09, 0xf0,
        ]);
        assert_eq!(
            pem(&der),
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH40s4M/4hwl6UkadmALcvk0Iz88rJSaRgrhh/iprwnw\n-----END PRIVATE KEY-----\n"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
    }

    #[test]
    fn a_key_is_made_once_and_kept() -> Result<()> {
        let data = std::env::temp_dir().join(format!("xtask-keys-{}", sys::random_hex(8)?));
        let dir = ensure(&data)?;
        let first = fs::read_to_string(dir.join("local-1.pem"))?;
        assert!(first.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
        ensure(&data)?;
        assert_eq!(fs::read_to_string(dir.join("local-1.pem"))?, first);
        fs::remove_dir_all(&data)?;
        Ok(())
    }
}
