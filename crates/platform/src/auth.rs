//! Access-token claims and their verification in every service, with the
//! identity service's public keys fetched and cached.
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use tokio::sync::{Mutex, RwLock};
use tonic::Status;
use uuid::Uuid;

use crate::callers::{self, CalledMethod, Peers, Service};
use crate::errors::{ServiceError, ServiceResult};

pub const ISSUER: &str = "urn:portal:identity";
pub const AUDIENCE: &str = "urn:portal:api";
/// Metadata key with the end user's network address, set by the gateway
/// (rate limits and the audit log use it).
pub const CLIENT_IP_HEADER: &str = "x-portal-client-ip";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    Staff,
    Contact,
    Link,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Contact => "contact",
            Self::Link => "link",
        }
    }
}

/// The claims of a Portal access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub tid: Uuid,
    pub kind: AccountKind,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cust: Option<Uuid>,
    #[serde(default)]
    pub sites: Vec<Uuid>,
    /// A secure link scoped to one work order sees only that work order
    /// (and the request it came from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wo: Option<Uuid>,
    /// Requests created before this instant (unix seconds) are hidden from
    /// the customer's contacts (A10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rvis: Option<i64>,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

impl Claims {
    pub fn is_staff(&self) -> bool {
        self.kind == AccountKind::Staff
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.is_staff() && self.roles.iter().any(|r| r == role)
    }

    /// Whether the caller is staff with a role granting `permission`.
    pub fn may(&self, permission: crate::permissions::Permission) -> bool {
        self.is_staff() && crate::permissions::may(&self.roles, permission)
    }
}

/// A validation that checks algorithm, expiry, issuer and audience.
pub fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::EdDSA);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.leeway = 5;
    v
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("signing keys unavailable: {0}")]
    Keys(String),
}

impl From<AuthError> for Status {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Keys(m) => Status::unavailable(m),
            other => Status::unauthenticated(other.to_string()),
        }
    }
}

/// `(kid, x)` pairs: raw Ed25519 public keys, base64url.
pub type KeyList = Vec<(String, String)>;

/// The keys a source publishes, and how long they may be cached.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    pub keys: KeyList,
    /// `None`: the verifier's default ([`DEFAULT_KEYS_MAX_AGE`]).
    pub max_age: Option<Duration>,
}

type KeyFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<KeySet>> + Send + 'a>>;

/// Where the public keys come from (identity's gRPC, or its own key ring).
pub trait KeySource: Send + Sync + 'static {
    fn fetch(&self) -> KeyFuture<'_>;
}

/// How long a fetched key set is used when its source does not say.
pub const DEFAULT_KEYS_MAX_AGE: Duration = Duration::from_secs(60);
/// Fetches at most this often, so garbage tokens cannot flood identity.
const MIN_REFETCH: Duration = Duration::from_secs(5);
/// While identity cannot be reached, a stale key set is still used for this
/// many times its age limit (services keep working through an identity
/// restart); after that, verification reports the keys unavailable.
const STALE_FACTOR: u32 = 3;

struct CachedKeys {
    keys: HashMap<String, DecodingKey>,
    fetched: Option<Instant>,
    max_age: Duration,
}

impl CachedKeys {
    fn age(&self) -> Option<Duration> {
        self.fetched.map(|t| t.elapsed())
    }

    fn is_stale(&self) -> bool {
        self.age().is_none_or(|age| age >= self.max_age)
    }

    /// Too old to trust even when no fresher list can be had.
    fn is_expired(&self) -> bool {
        self.age()
            .is_none_or(|age| age >= self.max_age * STALE_FACTOR)
    }
}

/// Verifies tokens against a cached key set. The set is fetched again when
/// a token names an unknown `kid` and when it is older than its `max_age`,
/// and each fetch replaces it whole: a key that identity no longer
/// publishes (retired after a rotation) stops verifying at the next fetch.
pub struct TokenVerifier {
    cache: RwLock<CachedKeys>,
    source: Box<dyn KeySource>,
    last_attempt: Mutex<Option<Instant>>,
    min_refetch: Duration,
    /// Tokens whose signature was already checked, by SHA-256 of the whole
    /// token: an Ed25519 check costs ~50 µs on every call of every hop, a
    /// hash ~1 µs. Expiry and the key still being published are checked on
    /// every use, so a retired key or an expired token is refused as before.
    verified: std::sync::Mutex<HashMap<[u8; 32], Claims>>,
}

/// Verified tokens kept at most (then forgotten all at once).
const VERIFIED_KEPT: usize = 4096;

impl TokenVerifier {
    pub fn new(source: impl KeySource) -> Self {
        Self {
            cache: RwLock::new(CachedKeys {
                keys: HashMap::new(),
                fetched: None,
                max_age: DEFAULT_KEYS_MAX_AGE,
            }),
            source: Box::new(source),
            last_attempt: Mutex::new(None),
            min_refetch: MIN_REFETCH,
            verified: std::sync::Mutex::new(HashMap::new()),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let kid = header
            .kid
            .ok_or_else(|| AuthError::Invalid("no key id".into()))?;
        let (known, stale) = {
            let cache = self.cache.read().await;
            (cache.keys.contains_key(&kid), cache.is_stale())
        };
        if (!known || stale)
            && let Err(e) = self.refresh().await
        {
            // A known key of a list not yet expired may still serve while
            // identity is away; anything else waits for identity.
            let cache = self.cache.read().await;
            if !known || cache.is_expired() {
                return Err(e);
            }
            tracing::warn!(error = %e, "token keys not refreshed, using the cached ones");
        }
        let cache = self.cache.read().await;
        if cache.is_expired() {
            return Err(AuthError::Keys("token keys are out of date".into()));
        }
        let key = cache
            .keys
            .get(&kid)
            .ok_or_else(|| AuthError::Invalid("unknown key id".into()))?;
        // The same token with its key still published: its signature holds.
        let digest: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        if let Some(claims) = self.verified_before(&digest) {
            return Ok(claims);
        }
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation())
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= VERIFIED_KEPT {
                verified.clear();
            }
            verified.insert(digest, data.claims.clone());
        }
        Ok(data.claims)
    }

    /// The claims of a token verified earlier, unless it has expired since
    /// (with the leeway `validation` allows).
    fn verified_before(&self, digest: &[u8; 32]) -> Option<Claims> {
        let claims = self.verified.lock().ok()?.get(digest).cloned()?;
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(validation().leeway).unwrap_or(0);
        (claims.exp + leeway >= now).then_some(claims)
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        let mut last = self.last_attempt.lock().await;
        if last.is_some_and(|t| t.elapsed() < self.min_refetch) {
            return Ok(());
        }
        *last = Some(Instant::now());
        let set = self
            .source
            .fetch()
            .await
            .map_err(|e| AuthError::Keys(e.to_string()))?;
        let mut keys = HashMap::new();
        for (kid, x) in set.keys {
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(x.as_bytes())
                .map_err(|e| AuthError::Keys(e.to_string()))?;
            keys.insert(kid, DecodingKey::from_ed_der(&raw));
        }
        *self.cache.write().await = CachedKeys {
            keys,
            fetched: Some(Instant::now()),
            max_age: set.max_age.unwrap_or(DEFAULT_KEYS_MAX_AGE),
        };
        Ok(())
    }
}

/// Fetches keys from identity's `GetSigningKeys`.
pub struct IdentityKeys {
    client: portal_proto::identity::v1::identity_service_client::IdentityServiceClient<
        crate::service_tls::Backend,
    >,
}

impl IdentityKeys {
    pub fn new(channel: crate::service_tls::Backend) -> Self {
        Self {
            client: portal_proto::identity::v1::identity_service_client::IdentityServiceClient::new(
                channel,
            ),
        }
    }
}

impl KeySource for IdentityKeys {
    fn fetch(&self) -> KeyFuture<'_> {
        let mut client = self.client.clone();
        Box::pin(async move {
            let reply = client
                .get_signing_keys(portal_proto::identity::v1::GetSigningKeysRequest {})
                .await?
                .into_inner();
            Ok(KeySet {
                keys: reply.keys.into_iter().map(|k| (k.kid, k.x)).collect(),
                max_age: (reply.cache_secs > 0)
                    .then(|| Duration::from_secs(reply.cache_secs.into())),
            })
        })
    }
}

/// Who is calling a gRPC method.
#[derive(Clone)]
pub struct Authenticator {
    verifier: Arc<TokenVerifier>,
    /// The services this one recognises (by the digests of their secrets).
    peers: Arc<Peers>,
}

impl Authenticator {
    pub fn new(verifier: Arc<TokenVerifier>, peers: Peers) -> Self {
        Self {
            verifier,
            peers: Arc::new(peers),
        }
    }

    /// The verified claims of the bearer token in the metadata. Keys that
    /// cannot be fetched make the service unavailable, not the caller unknown.
    pub async fn claims<T>(&self, req: &tonic::Request<T>) -> ServiceResult<Claims> {
        let token = bearer(req.metadata())
            .ok_or_else(|| ServiceError::Unauthenticated(AuthError::Missing.to_string()))?;
        let claims = self.verifier.verify(token).await.map_err(|e| match e {
            AuthError::Keys(m) => ServiceError::Unavailable(format!("token keys unavailable: {m}")),
            other => ServiceError::Unauthenticated(other.to_string()),
        })?;
        // The call's queries now see this tenant's rows only (ADR 0018).
        crate::tenancy::enter(claims.tid);
        Ok(claims)
    }

    /// The service calling as itself, if the call carries a service
    /// credential (`None`: a user's call). A credential that matches no
    /// known service, or comes over another service's TLS connection, is
    /// UNAUTHENTICATED; a known service calling a method
    /// that does not list it (`callers::may_call`) is PERMISSION_DENIED.
    pub fn service<T>(&self, req: &tonic::Request<T>) -> ServiceResult<Option<Service>> {
        let md = req.metadata();
        let Some(name) = md.get(callers::SERVICE_HEADER) else {
            return Ok(None);
        };
        let secret = md
            .get(callers::SECRET_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // A secret is only good over the TLS connection of the service it
        // names (ADR 0025): a stolen one is no use from another pod. The
        // connection is checked first and the refusal is the same, so the
        // answer never tells a thief whether the secret was right.
        let connection = crate::service_tls::peer_service(req);
        let service = name
            .to_str()
            .ok()
            .filter(|name| connection.is_some_and(|c| c.name() == *name))
            .and_then(|name| self.peers.verify(name, secret))
            .ok_or_else(|| ServiceError::Unauthenticated("unknown service credential".into()))?;
        let method = req
            .extensions()
            .get::<CalledMethod>()
            .map(|m| m.0.as_str())
            .unwrap_or_default();
        if !callers::may_call(method, service) {
            return Err(ServiceError::Forbidden(format!(
                "service {service} may not call {method}"
            )));
        }
        Ok(Some(service))
    }
}

/// The bearer token of `authorization` metadata, if any.
pub fn bearer(md: &tonic::metadata::MetadataMap) -> Option<&str> {
    md.get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The end user's address as the gateway passed it, if any.
pub fn client_ip(md: &tonic::metadata::MetadataMap) -> Option<String> {
    md.get(CLIENT_IP_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .map(str::to_owned)
}

/// Adds the end user's address to an outgoing request.
pub fn with_client_ip<T>(mut req: tonic::Request<T>, ip: Option<&str>) -> tonic::Request<T> {
    if let Some(v) = ip.and_then(|ip| ip.parse().ok()) {
        req.metadata_mut().insert(CLIENT_IP_HEADER, v);
    }
    req
}

/// Adds the caller's bearer token to an outgoing request.
pub fn with_bearer<T>(mut req: tonic::Request<T>, token: &str) -> tonic::Request<T> {
    if let Ok(v) = format!("Bearer {token}").parse() {
        req.metadata_mut().insert("authorization", v);
    }
    req
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use jsonwebtoken::{EncodingKey, Header};

    use super::*;

    // Two Ed25519 keys (PKCS#8) with their public halves (JWK "x").
    const PEM_A: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH40s4M/4hwl6UkadmALcvk0Iz88rJSaRgrhh/iprwnw\n-----END PRIVATE KEY-----\n";
    const X_A: &str = "1CGsUNsq92nvTJIn3G6seQjkM578PAg1e1E1K6VYz9Q";
    const PEM_B: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEgrPImkwvfXytA1/9jndnkN3EW7leTvYttE5Sx1xYyI\n-----END PRIVATE KEY-----\n";
    const X_B: &str = "lYyQwSMWYa_WaBQQzV_KgMbNPzBlNI31k2DK-UaogvU";

    /// A key source whose list the test changes, counting fetches.
    #[derive(Clone, Default)]
    struct Keys(Arc<StdMutex<(KeySet, usize)>>);

    impl Keys {
        fn publish(&self, keys: &[(&str, &str)], max_age: Duration) {
            let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
            state.0 = KeySet {
                keys: keys
                    .iter()
                    .map(|(k, x)| ((*k).to_owned(), (*x).to_owned()))
                    .collect(),
                max_age: Some(max_age),
            };
        }

        fn fetches(&self) -> usize {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).1
        }
    }

    impl KeySource for Keys {
        fn fetch(&self) -> KeyFuture<'_> {
            let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
            state.1 += 1;
            let set = state.0.clone();
            Box::pin(async move { Ok(set) })
        }
    }

    /// A verifier with the refetch limit scaled down to test time.
    fn verifier(source: impl KeySource) -> TokenVerifier {
        let mut v = TokenVerifier::new(source);
        v.min_refetch = Duration::from_millis(50);
        v
    }

    async fn sleep_ms(ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn token(kid: &str, pem: &str) -> String {
        token_until(kid, pem, chrono::Utc::now().timestamp() + 600)
    }

    fn token_until(kid: &str, pem: &str, exp: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            kind: AccountKind::Staff,
            roles: vec![],
            cust: None,
            sites: vec![],
            wo: None,
            rvis: None,
            jti: Uuid::now_v7(),
            iat: now,
            exp,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.into());
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).expect("test key");
        jsonwebtoken::encode(&header, &claims, &key).expect("signed")
    }

    #[tokio::test]
    async fn a_key_no_longer_published_is_refused_after_the_cache_age() {
        let keys = Keys::default();
        keys.publish(&[("a", X_A)], Duration::from_millis(300));
        let verifier = verifier(keys.clone());
        let old = token("a", PEM_A);
        assert!(verifier.verify(&old).await.is_ok());

        // Rotation: b signs, a stays published; b is fetched on first sight.
        keys.publish(&[("a", X_A), ("b", X_B)], Duration::from_millis(300));
        sleep_ms(60).await;
        assert!(verifier.verify(&token("b", PEM_B)).await.is_ok());
        assert!(verifier.verify(&old).await.is_ok());

        // Retirement: a is gone from the list. Within the cache age the
        // cached list still holds it; after it, the refetched list does not.
        keys.publish(&[("b", X_B)], Duration::from_millis(300));
        assert!(verifier.verify(&old).await.is_ok());
        sleep_ms(310).await;
        assert!(matches!(
            verifier.verify(&old).await,
            Err(AuthError::Invalid(_))
        ));
        assert!(verifier.verify(&token("b", PEM_B)).await.is_ok());
    }

    #[tokio::test]
    async fn a_token_verified_before_is_refused_once_it_expires() {
        let keys = Keys::default();
        keys.publish(&[("a", X_A)], Duration::from_secs(600));
        let verifier = verifier(keys);
        // Past its expiry but within the leeway: accepted, and remembered.
        let leeway = i64::try_from(validation().leeway).unwrap_or(0);
        let ending = token_until("a", PEM_A, chrono::Utc::now().timestamp() - leeway + 1);
        assert!(verifier.verify(&ending).await.is_ok());
        assert!(verifier.verify(&ending).await.is_ok());
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert!(verifier.verify(&ending).await.is_err());
    }

    #[tokio::test]
    async fn unknown_kids_refetch_at_most_every_few_seconds() {
        let keys = Keys::default();
        keys.publish(&[("a", X_A)], Duration::from_secs(600));
        let verifier = verifier(keys.clone());
        for _ in 0..10 {
            assert!(verifier.verify(&token("zz", PEM_B)).await.is_err());
        }
        assert_eq!(keys.fetches(), 1);
        assert!(verifier.verify(&token("a", PEM_A)).await.is_ok());
        assert_eq!(keys.fetches(), 1);
    }

    #[tokio::test]
    async fn a_forged_token_with_a_known_kid_is_refused() {
        let keys = Keys::default();
        keys.publish(&[("a", X_A)], Duration::from_secs(600));
        let verifier = verifier(keys);
        assert!(matches!(
            verifier.verify(&token("a", PEM_B)).await,
            Err(AuthError::Invalid(_))
        ));
    }

    /// A source that fails after its first answer (identity restarting).
    struct Flaky(StdMutex<bool>);

    impl KeySource for Flaky {
        fn fetch(&self) -> KeyFuture<'_> {
            let mut served = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let first = !*served;
            *served = true;
            Box::pin(async move {
                anyhow::ensure!(first, "identity unreachable");
                Ok(KeySet {
                    keys: vec![("a".into(), X_A.into())],
                    max_age: Some(Duration::from_millis(100)),
                })
            })
        }
    }

    #[tokio::test]
    async fn a_stale_list_serves_for_a_while_when_identity_is_away() {
        let verifier = verifier(Flaky(StdMutex::new(false)));
        let t = token("a", PEM_A);
        assert!(verifier.verify(&t).await.is_ok());
        sleep_ms(150).await;
        assert!(verifier.verify(&t).await.is_ok());
        sleep_ms(200).await;
        assert!(matches!(verifier.verify(&t).await, Err(AuthError::Keys(_))));
    }
}
