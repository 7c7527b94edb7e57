//! A small client of the public REST API, over real HTTPS.
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

/// An answer: status, content type and JSON body (Null when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    /// `Retry-After` of a 429, in seconds.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// The body, after checking the status.
    pub fn expect(self, status: u16) -> anyhow::Result<Value> {
        anyhow::ensure!(
            self.status.as_u16() == status,
            "expected {status}, got {} {}",
            self.status,
            self.body
        );
        Ok(self.body)
    }

    /// Checks a problem+json error answer and returns its body.
    pub fn problem(self, status: u16) -> anyhow::Result<Value> {
        anyhow::ensure!(
            self.status.as_u16() == status,
            "expected {status}, got {} {}",
            self.status,
            self.body
        );
        anyhow::ensure!(
            self.content_type.starts_with("application/problem+json"),
            "content type {}",
            self.content_type
        );
        anyhow::ensure!(
            self.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:portal:problem:")),
            "type in {}",
            self.body
        );
        anyhow::ensure!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "detail in {}",
            self.body
        );
        Ok(self.body)
    }
}

impl Api {
    pub fn new(base: String) -> anyhow::Result<Self> {
        // The gateway uses its self-signed development certificate in tests.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .tls_danger_accept_invalid_certs(true)
            .build()?;
        Ok(Self { base, http })
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Self::answer(req.send().await?).await
    }

    pub async fn answer(res: reqwest::Response) -> anyhow::Result<Answer> {
        let status = res.status();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = res.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            content_type,
            body,
            retry_after,
        })
    }

    /// A POST from a client at `ip` (the test gateway trusts X-Forwarded-For).
    pub async fn post_from(
        &self,
        ip: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Answer> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-forwarded-for", ip)
            .json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::answer(req.send().await?).await
    }

    pub async fn get(&self, path: &str, token: &str) -> anyhow::Result<Answer> {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Answer> {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> anyhow::Result<Answer> {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// Sends raw bytes as a JSON body (for malformed input).
    pub async fn post_raw(&self, path: &str, token: &str, raw: &str) -> anyhow::Result<Answer> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(raw.to_owned())
            .send()
            .await?;
        Self::answer(res).await
    }

    /// Uploads one file as multipart field `file`.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<Answer> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(content_type)?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        Self::answer(res).await
    }

    /// Posts a multipart form: text `fields`, then one file as field `file`.
    pub async fn upload_form(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<Answer> {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(content_type)?;
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form.part("file", part))
            .send()
            .await?;
        Self::answer(res).await
    }
}
