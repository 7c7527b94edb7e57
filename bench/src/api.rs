//! HTTP(S) clients for the portal API and the ceiling server. The gateway
//! uses a self-signed development certificate, hence no verification.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::Value;

/// One client is one connection pool: the load generator gives each worker
/// its own, so `--connections` workers hold exactly that many keep-alive
/// connections (HTTP/1.1; reqwest is built without HTTP/2 here).
pub fn client() -> Result<Client> {
    Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .no_proxy()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building an HTTP client")
}

/// `Authorization: Bearer ...`, built once and cloned per request.
pub fn bearer(token: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(&format!("Bearer {token}")).context("token is not a header value")
}

/// Reads the body, so the connection can serve the next request, and fails
/// unless the status is the expected one.
pub async fn expect(response: Response, expected: StatusCode) -> Result<()> {
    let status = response.status();
    let body = response.bytes().await?;
    if status != expected {
        bail!("HTTP {status}: {}", excerpt(&body));
    }
    Ok(())
}

/// The JSON body of an answer with the expected status.
pub async fn expect_json(response: Response, expected: StatusCode) -> Result<Value> {
    let status = response.status();
    let body = response.bytes().await?;
    if status != expected {
        bail!("HTTP {status}: {}", excerpt(&body));
    }
    serde_json::from_slice(&body).with_context(|| format!("not JSON: {}", excerpt(&body)))
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

/// The portal API for the set-up calls (not the measured ones).
pub struct Api {
    pub base: String,
    http: Client,
}

impl Api {
    pub fn new(base: &str) -> Result<Self> {
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            http: client()?,
        })
    }

    /// `method /api/v1{path}` with an optional bearer token and JSON body;
    /// the JSON answer (`Null` when empty) of a 2xx.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value> {
        let url = format!("{}/api/v1{path}", self.base);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, bearer(token)?);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {url}"))?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            bail!("{method} {url}: HTTP {status}: {}", excerpt(&bytes));
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).with_context(|| format!("{method} {url}: not JSON"))
    }
}

/// A string field of an answer.
pub fn field(value: &Value, name: &str) -> Result<String> {
    value[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("answer has no `{name}`: {value}"))
}
