//! (2d) The web pages people open, timed like the API with their SQL
//! statements per page: the contact's home, request list and a request,
//! and the staff inbox. A browser's session: logged in through the login
//! form, cookies sent back as a browser would.
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderName, HeaderValue, LOCATION, SET_COOKIE};
use serde::Serialize;

use crate::api;
use crate::counters::{self, Counters};
use crate::load::{self, Plan};
use crate::report::Throughput;

#[derive(Serialize)]
pub struct PageTiming {
    pub name: String,
    pub api: Throughput,
    /// The services' statements per page view, less the idle background.
    pub sql_per_call: f64,
}

/// The cookies of a session opened through `/t/<slug>/login`.
pub async fn log_in(base: &str, slug: &str, email: &str, password: &str) -> Result<HeaderValue> {
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let form = client.get(format!("{base}/t/{slug}/login")).send().await?;
    let mut jar = cookies(form.headers());
    let csrf = jar
        .iter()
        .find(|(name, _)| name.ends_with("csrf"))
        .map(|(_, v)| v.clone())
        .context("the login page set no CSRF cookie")?;
    let body = reqwest::Url::parse_with_params(
        "http://form/",
        [("email", email), ("password", password), ("csrf", &csrf)],
    )?
    .query()
    .unwrap_or_default()
    .to_owned();
    let done = client
        .post(format!("{base}/t/{slug}/login"))
        .header(COOKIE, header(&jar))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    if done.status() != StatusCode::SEE_OTHER || done.headers().get(LOCATION).is_none() {
        bail!("logging in as {email}: HTTP {}", done.status());
    }
    for (name, value) in cookies(done.headers()) {
        jar.retain(|(n, _)| *n != name);
        jar.push((name, value));
    }
    HeaderValue::from_str(&header(&jar)).context("cookies are not a header value")
}

fn cookies(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn header(jar: &[(String, String)]) -> String {
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Times each `(name, path, cookies)` page on `plan`, counting the SQL the
/// services run meanwhile.
pub async fn run(
    plan: &Plan,
    base: &str,
    pages: Vec<(&str, String, HeaderValue)>,
    counters: &Counters,
    background_sql_per_s: f64,
) -> Result<Vec<PageTiming>> {
    run_as(plan, base, pages, COOKIE, counters, background_sql_per_s).await
}

/// The same for calls that carry their credential in `header` (the API's
/// `Authorization: Bearer`).
pub async fn run_as(
    plan: &Plan,
    base: &str,
    pages: Vec<(&str, String, HeaderValue)>,
    header: HeaderName,
    counters: &Counters,
    background_sql_per_s: f64,
) -> Result<Vec<PageTiming>> {
    let mut out = Vec::new();
    for (name, path, cookie) in pages {
        let url: Arc<str> = format!("{base}{path}").into();
        let before = counters.snapshot().await?;
        let started = tokio::time::Instant::now();
        let header = header.clone();
        let run = load::run(plan, move |client: reqwest::Client, _seq| {
            let (url, cookie, header) = (Arc::clone(&url), cookie.clone(), header.clone());
            async move {
                let response = client.get(&*url).header(header, cookie).send().await?;
                api::expect(response, StatusCode::OK).await?;
                Ok(Some(()))
            }
        })
        .await
        .with_context(|| format!("timing the page {name}"))?;
        let elapsed = started.elapsed().as_secs_f64();
        let after = counters.snapshot().await?;
        if run.measured == 0 {
            bail!(
                "the page {name} never answered 200: {}",
                run.first_error.clone().unwrap_or_default()
            );
        }
        let sql =
            counters::total(&counters::since(&before, &after)) - background_sql_per_s * elapsed;
        out.push(PageTiming {
            name: name.to_owned(),
            api: Throughput::of(&run),
            sql_per_call: sql / run.calls.max(1) as f64,
        });
    }
    Ok(out)
}
