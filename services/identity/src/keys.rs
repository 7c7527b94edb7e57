//! Ed25519 signing keys: created on first start, kept in identity's
//! database, published (public part only) for every verifier.
use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use portal_platform::auth::{KeyList, KeySource};
use sqlx::PgPool;

use crate::store;

/// The key new tokens are signed with.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub key: EncodingKey,
}

/// Loads the current key, creating the first one if there is none.
pub async fn current(pool: &PgPool) -> anyhow::Result<SigningKey> {
    if let Some((kid, pem)) = store::current_signing_key(pool).await? {
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).context("stored signing key")?;
        return Ok(SigningKey { kid, key });
    }
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
    let kid = uuid::Uuid::now_v7().simple().to_string();
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key_raw());
    let pem = pair.serialize_pem();
    // Two replicas starting at once: the first insert wins, both use it.
    store::insert_signing_key_if_none(pool, &kid, &pem, &x).await?;
    let (kid, pem) = store::current_signing_key(pool)
        .await?
        .context("signing key vanished")?;
    let key = EncodingKey::from_ed_pem(pem.as_bytes())?;
    Ok(SigningKey { kid, key })
}

/// identity verifies its own tokens from its own table.
pub struct StoredKeys(pub PgPool);

impl KeySource for StoredKeys {
    fn fetch(&self) -> Pin<Box<dyn Future<Output = anyhow::Result<KeyList>> + Send + '_>> {
        Box::pin(async move { Ok(store::public_keys(&self.0).await?) })
    }
}
