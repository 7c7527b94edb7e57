//! Opaque secrets (refresh, invitation tokens): random, shown once, stored
//! only as a SHA-256 hash. Passwords: argon2id off the async workers.
use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use portal_platform::errors::{ServiceError, ServiceResult};
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, SemaphorePermit};

/// 32 random bytes, base64url: safe in a URL's query.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Hashing is deliberately slow: at most one per core at once, on blocking
/// threads, so a burst of logins cannot starve the async workers; a call
/// that cannot start within `wait` is refused as "busy" (503, try again)
/// rather than queueing without end.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// How long a login may wait for a free hashing slot.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, QUEUE_WAIT)
    }
}

impl Passwords {
    pub fn new(at_once: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            wait,
        }
    }

    async fn slot(&self) -> ServiceResult<SemaphorePermit<'_>> {
        match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ServiceError::Internal(closed.into())),
            Err(_) => Err(ServiceError::Unavailable(
                "too many sign-ins at once; try again in a moment".into(),
            )),
        }
    }

    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let _permit = self.slot().await?;
        let password = password.to_owned();
        let hashed = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing: {e}"))
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?;
        Ok(hashed?)
    }

    pub async fn verify(&self, password: &str, hash: &str) -> ServiceResult<bool> {
        let _permit = self.slot().await?;
        let (password, hash) = (password.to_owned(), hash.to_owned());
        let verified = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("bad hash: {e}"))?;
            anyhow::Ok(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?;
        Ok(verified?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[tokio::test]
    async fn passwords_verify_only_themselves() -> anyhow::Result<()> {
        let p = Passwords::default();
        let h = p.hash("correct horse battery").await?;
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("correct horse battery", &h).await?);
        assert!(!p.verify("wrong horse battery", &h).await?);
        Ok(())
    }

    #[tokio::test]
    async fn a_burst_beyond_the_slots_is_refused_as_busy_not_queued() -> anyhow::Result<()> {
        let p = Passwords::new(1, Duration::from_millis(5));
        // The one slot is taken (a long hash in flight).
        let held = p.permits.acquire().await?;
        let second = p.verify("the second", "$argon2id$whatever").await;
        assert!(
            matches!(second, Err(ServiceError::Unavailable(_))),
            "{second:?}"
        );
        drop(held);
        // Once the slot is free, the next one runs.
        assert!(p.hash("later on").await.is_ok());
        Ok(())
    }
}
