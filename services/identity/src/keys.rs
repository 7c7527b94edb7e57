//! Ed25519 signing keys, read at start from mounted secrets and never from
//! the database (a backup must not be enough to forge tokens). Every key
//! present is published for verifiers; only the active one signs. Rotation
//! with overlap is adding a key, making it active, and removing the old one
//! once its tokens have expired (ADR 0016).
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use jsonwebtoken::EncodingKey;
use portal_platform::auth::{KeyList, KeySet, KeySource};
use sha2::{Digest, Sha256};

use crate::config::SigningKeysConfig;

/// The key new tokens are signed with.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub key: EncodingKey,
}

/// The keys identity holds: the active one, and the public half of all.
pub struct KeyRing {
    active: SigningKey,
    public: KeyList,
    cache: Duration,
}

impl KeyRing {
    /// Reads the keys the settings point at; any doubt stops the start.
    pub fn load(cfg: &SigningKeysConfig) -> anyhow::Result<Self> {
        let mut pems = Vec::new();
        if let Some(dir) = &cfg.dir {
            pems.extend(read_dir(dir)?);
        }
        if let Some(pem) = cfg.key.as_deref().filter(|p| !p.trim().is_empty()) {
            // An .env file may carry the PEM on one line with `\n`.
            let pem = pem.replace("\\n", "\n");
            let kid = format!("env-{}", thumbprint(&pem)?);
            pems.push((kid, pem, "PORTAL_SIGNING_KEY".to_owned()));
        }
        Self::from_pems(
            pems,
            cfg.active.as_deref().filter(|a| !a.is_empty()),
            Duration::from_secs(cfg.cache_secs.into()),
        )
    }

    /// Builds the ring from `(kid, pem, where it came from)`.
    pub fn from_pems(
        pems: Vec<(String, String, String)>,
        active: Option<&str>,
        cache: Duration,
    ) -> anyhow::Result<Self> {
        if pems.is_empty() {
            bail!(
                "no signing key: set PORTAL_SIGNING_KEYS_DIR (a directory with one \
                 Ed25519 PKCS#8 PEM file per key, named <kid>.pem) or PORTAL_SIGNING_KEY"
            );
        }
        let mut public = KeyList::new();
        let mut signing = Vec::new();
        for (kid, pem, origin) in pems {
            if !valid_kid(&kid) {
                bail!("signing key {origin}: key id {kid:?} may only hold A-Z a-z 0-9 . _ -");
            }
            if public.iter().any(|(k, _)| *k == kid) {
                bail!("signing key id {kid} appears twice (second in {origin})");
            }
            let (x, key) = parse(&pem).with_context(|| format!("signing key {kid} ({origin})"))?;
            public.push((kid.clone(), x));
            signing.push(SigningKey { kid, key });
        }
        public.sort();
        let kids = || {
            public
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let active = match active {
            Some(want) => signing
                .into_iter()
                .find(|k| k.kid == want)
                .with_context(|| {
                    format!(
                        "PORTAL_SIGNING_KEY_ACTIVE is {want}, but the signing keys are: {}",
                        kids()
                    )
                })?,
            None if signing.len() == 1 => signing.remove(0),
            None => bail!(
                "several signing keys ({}): set PORTAL_SIGNING_KEY_ACTIVE to the one that signs",
                kids()
            ),
        };
        Ok(Self {
            active,
            public,
            cache,
        })
    }

    pub fn active(&self) -> &SigningKey {
        &self.active
    }

    /// `(kid, x)` of every key whose tokens are still accepted.
    pub fn public_keys(&self) -> &KeyList {
        &self.public
    }

    /// How long verifiers may cache the published list.
    pub fn cache(&self) -> Duration {
        self.cache
    }
}

/// `<kid>.pem` (or `<kid>`) files of `dir`. Hidden entries and directories
/// are skipped: a mounted Kubernetes Secret holds `..data` links beside
/// its keys.
fn read_dir(dir: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading signing keys from {}", dir.display()))?;
    let mut pems = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        let kid = name.strip_suffix(".pem").unwrap_or(name).to_owned();
        let pem = std::fs::read_to_string(&path)
            .with_context(|| format!("reading signing key {}", path.display()))?;
        pems.push((kid, pem, path.display().to_string()));
    }
    Ok(pems)
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= 64
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The public key (JWK `x`) and the signing key of an Ed25519 PKCS#8 PEM.
fn parse(pem: &str) -> anyhow::Result<(String, EncodingKey)> {
    let pair = rcgen::KeyPair::from_pem(pem)
        .context("not a private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)")?;
    if !pair.is_compatible(&rcgen::PKCS_ED25519) {
        bail!("not an Ed25519 key (create one with `openssl genpkey -algorithm ed25519`)");
    }
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key_raw());
    let key = EncodingKey::from_ed_pem(pem.as_bytes())?;
    Ok((x, key))
}

/// A short id derived from the public key: a changed key gets a new kid.
fn thumbprint(pem: &str) -> anyhow::Result<String> {
    let (x, _) = parse(pem).context("PORTAL_SIGNING_KEY")?;
    let digest = Sha256::digest(x.as_bytes());
    Ok(digest[..6].iter().map(|b| format!("{b:02x}")).collect())
}

/// A new Ed25519 key in PKCS#8 PEM (for tests and tooling).
pub fn generate_pem() -> anyhow::Result<String> {
    Ok(rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?.serialize_pem())
}

/// identity verifies its own tokens against the keys it publishes.
pub struct Published(pub Arc<KeyRing>);

impl KeySource for Published {
    fn fetch(&self) -> Pin<Box<dyn Future<Output = anyhow::Result<KeySet>> + Send + '_>> {
        Box::pin(async move {
            Ok(KeySet {
                keys: self.0.public_keys().clone(),
                max_age: Some(self.0.cache()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM_A: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH40s4M/4hwl6UkadmALcvk0Iz88rJSaRgrhh/iprwnw\n-----END PRIVATE KEY-----\n";
    const X_A: &str = "1CGsUNsq92nvTJIn3G6seQjkM578PAg1e1E1K6VYz9Q";
    const PEM_B: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEgrPImkwvfXytA1/9jndnkN3EW7leTvYttE5Sx1xYyI\n-----END PRIVATE KEY-----\n";

    fn settings(dir: Option<&Path>, key: Option<&str>, active: Option<&str>) -> SigningKeysConfig {
        SigningKeysConfig {
            dir: dir.map(Path::to_path_buf),
            key: key.map(str::to_owned),
            active: active.map(str::to_owned),
            cache_secs: 60,
        }
    }

    fn err(r: anyhow::Result<KeyRing>) -> String {
        match r {
            Ok(_) => panic!("keys were accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_directory_publishes_every_key_and_signs_with_the_active_one() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("2026-01.pem"), PEM_A)?;
        std::fs::write(dir.path().join("2026-06"), PEM_B)?;
        // What a mounted Secret holds besides its keys.
        std::fs::create_dir(dir.path().join("..2026_06_01"))?;
        std::fs::write(dir.path().join(".hidden"), "not a key")?;

        let ring = KeyRing::load(&settings(Some(dir.path()), None, Some("2026-06")))?;
        assert_eq!(ring.active().kid, "2026-06");
        let kids: Vec<_> = ring.public_keys().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kids, ["2026-01", "2026-06"]);
        assert_eq!(ring.public_keys()[0].1, X_A);
        Ok(())
    }

    #[test]
    fn one_key_needs_no_active_setting_and_env_keys_get_a_kid() -> anyhow::Result<()> {
        let one_line = PEM_A.replace('\n', "\\n");
        let ring = KeyRing::load(&settings(None, Some(&one_line), None))?;
        assert!(
            ring.active().kid.starts_with("env-"),
            "{}",
            ring.active().kid
        );
        assert_eq!(ring.public_keys()[0].1, X_A);
        Ok(())
    }

    #[test]
    fn unclear_or_broken_keys_stop_the_start_with_a_reason() -> anyhow::Result<()> {
        assert!(err(KeyRing::load(&settings(None, None, None))).contains("no signing key"));

        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("a.pem"), PEM_A)?;
        std::fs::write(dir.path().join("b.pem"), PEM_B)?;
        let several = err(KeyRing::load(&settings(Some(dir.path()), None, None)));
        assert!(several.contains("PORTAL_SIGNING_KEY_ACTIVE"), "{several}");
        let missing = err(KeyRing::load(&settings(Some(dir.path()), None, Some("c"))));
        assert!(
            missing.contains("is c, but the signing keys are: a, b"),
            "{missing}"
        );

        std::fs::write(
            dir.path().join("b.pem"),
            "-----BEGIN PRIVATE KEY-----\nnope\n",
        )?;
        let bad = err(KeyRing::load(&settings(Some(dir.path()), None, Some("a"))));
        assert!(
            bad.contains("signing key b (") && bad.contains("PKCS#8"),
            "{bad}"
        );

        let ecdsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        std::fs::write(dir.path().join("b.pem"), ecdsa.serialize_pem())?;
        let wrong = err(KeyRing::load(&settings(Some(dir.path()), None, Some("a"))));
        assert!(wrong.contains("not an Ed25519 key"), "{wrong}");

        let absent = err(KeyRing::load(&settings(
            Some(&dir.path().join("absent")),
            None,
            None,
        )));
        assert!(absent.contains("reading signing keys from"), "{absent}");
        Ok(())
    }

    #[test]
    fn a_kid_must_be_a_plain_name() {
        let pems = vec![("a b".into(), PEM_A.into(), "test".into())];
        assert!(err(KeyRing::from_pems(pems, None, Duration::ZERO)).contains("key id"));
        let twice = vec![
            ("a".into(), PEM_A.into(), "one".into()),
            ("a".into(), PEM_B.into(), "two".into()),
        ];
        assert!(err(KeyRing::from_pems(twice, None, Duration::ZERO)).contains("twice"));
    }
}
