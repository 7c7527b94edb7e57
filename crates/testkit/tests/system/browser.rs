//! A browser without JavaScript for the web tests: keeps cookies (like a
//! browser, by name), never follows redirects, speaks HTTP/1.1.
use std::collections::BTreeMap;

use portal_testkit::Stack;
use reqwest::header::{HeaderMap, SET_COOKIE};

/// A browser without JavaScript: keeps cookies, never follows redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub host: Option<String>,
    pub lang: Option<String>,
    pub cookies: BTreeMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The value of a hidden or text input `name`.
    pub fn input(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag = &self.body[tag_start..at + self.body[at..].find('>')?];
        let v = tag.split("value=\"").nth(1)?.split('"').next()?;
        Some(v.to_owned())
    }
}

impl Browser {
    pub fn new(stack: &Stack) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .http1_only()
            .build()?;
        Ok(Self {
            http,
            base: stack.api.base.clone(),
            host: None,
            lang: None,
            cookies: BTreeMap::new(),
        })
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> anyhow::Result<Page> {
        let mut req = req.header("cookie", self.cookie_header());
        if let Some(h) = &self.host {
            req = req.header("host", h);
        }
        if let Some(l) = &self.lang {
            req = req.header("accept-language", l);
        }
        let res = req.send().await?;
        let page = Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await?,
        };
        for c in page.set_cookies() {
            let first = c.split(';').next().unwrap_or_default();
            let (name, value) = first.split_once('=').unwrap_or((first, ""));
            if c.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Ok(page)
    }

    pub async fn get(&mut self, path: &str) -> anyhow::Result<Page> {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> anyhow::Result<Page> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Posts a multipart form (files and fields) with the cookies.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> anyhow::Result<Page> {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(req).await
    }

    /// Logs in through the login form; answers where it lands.
    pub async fn log_in(
        &mut self,
        slug: &str,
        email: &str,
        password: &str,
    ) -> anyhow::Result<String> {
        self.get(&format!("/t/{slug}/login")).await?;
        let csrf = self.csrf();
        let done = self
            .post(
                &format!("/t/{slug}/login"),
                &[("email", email), ("password", password), ("csrf", &csrf)],
            )
            .await?;
        anyhow::ensure!(done.status == 303, "login: {} {}", done.status, done.body);
        Ok(done.header("location"))
    }

    /// Opens a stream (server-sent events) with the cookies; the caller reads it.
    pub async fn stream(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept", "text/event-stream");
        Ok(req.send().await?)
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .get("__Host-portal-csrf")
            .cloned()
            .unwrap_or_default()
    }
}

/// `application/x-www-form-urlencoded` escaping of one key or value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
