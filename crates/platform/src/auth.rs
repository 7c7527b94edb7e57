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
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, RwLock};
use tonic::Status;
use uuid::Uuid;

use crate::errors::{ServiceError, ServiceResult};

pub const ISSUER: &str = "urn:portal:identity";
pub const AUDIENCE: &str = "urn:portal:api";
/// Metadata key carrying the shared secret of service-to-service calls.
pub const INTERNAL_HEADER: &str = "x-portal-internal";
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
type KeyFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<KeyList>> + Send + 'a>>;

/// Where the public keys come from (identity's gRPC, or its own store).
pub trait KeySource: Send + Sync + 'static {
    fn fetch(&self) -> KeyFuture<'_>;
}

/// Verifies tokens against cached keys, refetching on an unknown `kid`
/// (at most once every few seconds, so garbage tokens cannot flood identity).
pub struct TokenVerifier {
    keys: RwLock<HashMap<String, DecodingKey>>,
    source: Box<dyn KeySource>,
    last_fetch: Mutex<Option<Instant>>,
}

impl TokenVerifier {
    pub fn new(source: impl KeySource) -> Self {
        Self {
            keys: RwLock::new(HashMap::new()),
            source: Box::new(source),
            last_fetch: Mutex::new(None),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let kid = header
            .kid
            .ok_or_else(|| AuthError::Invalid("no key id".into()))?;
        if !self.keys.read().await.contains_key(&kid) {
            self.refresh().await?;
        }
        let keys = self.keys.read().await;
        let key = keys
            .get(&kid)
            .ok_or_else(|| AuthError::Invalid("unknown key id".into()))?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation())
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        Ok(data.claims)
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        let mut last = self.last_fetch.lock().await;
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(5)) {
            return Ok(());
        }
        let list = self
            .source
            .fetch()
            .await
            .map_err(|e| AuthError::Keys(e.to_string()))?;
        *last = Some(Instant::now());
        let mut map = HashMap::new();
        for (kid, x) in list {
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(x.as_bytes())
                .map_err(|e| AuthError::Keys(e.to_string()))?;
            map.insert(kid, DecodingKey::from_ed_der(&raw));
        }
        *self.keys.write().await = map;
        Ok(())
    }
}

/// Fetches keys from identity's `GetSigningKeys`.
pub struct IdentityKeys {
    client: portal_proto::identity::v1::identity_service_client::IdentityServiceClient<
        tonic::transport::Channel,
    >,
}

impl IdentityKeys {
    pub fn new(channel: tonic::transport::Channel) -> Self {
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
            let keys = client
                .get_signing_keys(portal_proto::identity::v1::GetSigningKeysRequest {})
                .await?
                .into_inner()
                .keys;
            Ok(keys.into_iter().map(|k| (k.kid, k.x)).collect())
        })
    }
}

/// Who is calling a gRPC method.
#[derive(Clone)]
pub struct Authenticator {
    verifier: Arc<TokenVerifier>,
    /// `None` when no secret is configured: then no call is internal.
    internal_digest: Option<[u8; 32]>,
}

impl Authenticator {
    pub fn new(verifier: Arc<TokenVerifier>, internal_token: &str) -> Self {
        Self {
            verifier,
            internal_digest: (!internal_token.is_empty())
                .then(|| Sha256::digest(internal_token.as_bytes()).into()),
        }
    }

    /// The verified claims of the bearer token in the metadata. Keys that
    /// cannot be fetched make the service unavailable, not the caller unknown.
    pub async fn claims<T>(&self, req: &tonic::Request<T>) -> ServiceResult<Claims> {
        let token = bearer(req.metadata())
            .ok_or_else(|| ServiceError::Unauthenticated(AuthError::Missing.to_string()))?;
        self.verifier.verify(token).await.map_err(|e| match e {
            AuthError::Keys(m) => ServiceError::Unavailable(format!("token keys unavailable: {m}")),
            other => ServiceError::Unauthenticated(other.to_string()),
        })
    }

    /// Whether the call carries the internal service secret.
    pub fn is_internal<T>(&self, req: &tonic::Request<T>) -> bool {
        req.metadata()
            .get(INTERNAL_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .zip(self.internal_digest)
            .is_some_and(|(v, expected)| {
                // Compare digests: equal-length values, no early exit on the secret.
                let d: [u8; 32] = Sha256::digest(v.as_bytes()).into();
                d == expected
            })
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

/// Marks an outgoing request as a service-to-service call (carrying the
/// current trace along).
pub fn with_internal<T>(mut req: tonic::Request<T>, secret: &str) -> tonic::Request<T> {
    crate::telemetry::inject_into(req.metadata_mut());
    if let Ok(v) = secret.parse() {
        req.metadata_mut().insert(INTERNAL_HEADER, v);
    }
    req
}
