//! Request extractors that answer with problem+json when input is bad.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Multipart, Path, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use portal_platform::auth::Claims;

use crate::problem::Problem;
use crate::state::AppState;

/// JSON body; malformed JSON is a 400/422 problem, not plain text.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Multipart body; a request that is not multipart is a problem, not plain text.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        Multipart::from_request(req, state)
            .await
            .map(Self)
            .map_err(Problem::from)
    }
}

#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(Problem))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(Problem))]
pub struct ApiQuery<T>(pub T);

/// The raw bearer token (the operator's, for tenant creation).
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| Self(t.trim().to_owned()))
            .filter(|t| !t.0.is_empty())
            .ok_or_else(|| Problem::unauthenticated("an Authorization: Bearer token is required"))
    }
}

/// A service call that carries the current trace (`traceparent` metadata).
pub fn traced<T>(message: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(message);
    portal_platform::telemetry::inject_into(req.metadata_mut());
    req
}

/// The end user's network address: the socket's peer, or, when the peer is
/// a trusted proxy, the nearest `X-Forwarded-For` entry that is not one.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

/// The client behind `peer`: entries of `X-Forwarded-For` are read from
/// the right (the ones the trusted proxies appended) while they are trusted
/// proxies themselves; the first other address is the client. Entries left
/// of it were written by the client and are never believed.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[ipnet::IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for entry in forwarded_for.iter().rev().flat_map(|v| v.rsplit(',')) {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

impl ClientIp {
    fn of(parts: &Parts, trusted: &[ipnet::IpNet]) -> Self {
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Self(client_address(peer, &forwarded, trusted).map(|ip| ip.to_string()))
    }

    /// Wraps a message for an anonymous service call (login, reset, ...).
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        portal_platform::auth::with_client_ip(traced(message), self.0.as_deref())
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, &state.trusted_proxies))
    }
}

/// A logged-in caller: the token is checked here and again by each service.
#[derive(Clone)]
pub struct Caller {
    pub token: String,
    pub claims: Claims,
    pub ip: ClientIp,
}

impl Caller {
    /// Checks a token (from a header or a cookie) for a call on its behalf.
    pub async fn verify(state: &AppState, token: String, ip: ClientIp) -> Result<Self, Problem> {
        let claims = state.verifier.verify(&token).await.map_err(|e| match e {
            portal_platform::auth::AuthError::Keys(_) => Problem::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "identity is unavailable; try again shortly",
            ),
            _ => Problem::unauthenticated("the access token is invalid or expired"),
        })?;
        Ok(Self { token, claims, ip })
    }

    /// Wraps a message for a service call on the caller's behalf.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        portal_platform::auth::with_bearer(self.ip.request(message), &self.token)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let BearerToken(token) = BearerToken::from_request_parts(parts, state).await?;
        let ip = ClientIp::of(parts, &state.trusted_proxies);
        Caller::verify(state, token, ip).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let ingress: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // Straight from the internet, or from another pod: the header is the sender's word.
        assert_eq!(
            client_address(ip("203.0.113.9"), &["198.51.100.1"], &ingress),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("192.168.1.5"), &["198.51.100.1"], &[]),
            ip("192.168.1.5")
        );
        // Through the ingress: the entry it appended, not what the client wrote before it.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["6.6.6.6, 203.0.113.9"], &ingress),
            ip("203.0.113.9")
        );
        // Proxies in a row are skipped; several headers read as one list.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["203.0.113.9", "10.9.9.9"], &ingress),
            ip("203.0.113.9")
        );
        // Garbage ends the walk at the last good address.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["nonsense"], &ingress),
            ip("10.1.2.3")
        );
        assert_eq!(client_address(None, &["203.0.113.9"], &ingress), None);
    }
}
