//! (8) Documents: 100 000 documents of the bench customer (by SQL, as
//! documents' own rows), listed and searched by the contact and shown on
//! the documents page; and one 100 MiB file published by staff through the
//! gateway, with the memory of the gateway and documents while it streams
//! (ADR 0032: spooled to disk, then sent and stored a piece at a time).
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Serialize;
use sqlx::PgPool;

use crate::counters::Counters;
use crate::load::Plan;
use crate::pages::{self, PageTiming};
use crate::rss;
use crate::seed::Owner;

pub const DOCUMENTS: i64 = 100_000;
pub const UPLOAD_MIB: usize = 100;
const MIB: usize = 1024 * 1024;
/// How often memory is read while the upload runs.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// The upload's time and the memory it cost.
#[derive(Serialize)]
pub struct Upload {
    pub mib: usize,
    pub seconds: f64,
    pub mib_per_second: f64,
    /// MiB by process: before the upload, and the highest while it ran.
    pub rss_mib: BTreeMap<String, UploadRss>,
}

#[derive(Serialize)]
pub struct UploadRss {
    pub before: f64,
    pub peak: f64,
}

/// Inserts the documents (rows only: listing never reads the files).
pub async fn seed(database_url: &str, owner: Owner) -> Result<()> {
    let db = PgPool::connect(database_url)
        .await
        .context("connecting to the documents database")?;
    sqlx::query(
        "INSERT INTO documents (id, tenant_id, kind, customer_id, site_id, title, content_type,
                                size, sha256, blob_key, created_at)
         SELECT id, $1,
                (ARRAY['certificate', 'contract', 'checklist', 'incident_report',
                       'attachment'])[1 + n % 5]::document_kind,
                $2, $3, 'Document ' || lpad(n::text, 6, '0'), 'application/pdf', 1000 + n,
                decode(md5(n::text), 'hex'), 'bench/' || id, now() - n * interval '1 minute'
         FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $4) AS n) AS s",
    )
    .bind(owner.tenant)
    .bind(owner.customer)
    .bind(owner.site)
    .bind(DOCUMENTS)
    .execute(&db)
    .await
    .context("inserting the documents")?;
    sqlx::query("ANALYZE documents").execute(&db).await?;
    Ok(())
}

/// Times the contact's list calls (bearer) and the documents page (cookie).
#[allow(clippy::too_many_arguments)]
pub async fn run(
    plan: &Plan,
    base: &str,
    slug: &str,
    token: &str,
    cookies: HeaderValue,
    counters: &Counters,
    background_sql_per_s: f64,
) -> Result<Vec<PageTiming>> {
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))?;
    let mut out = pages::run_as(
        plan,
        base,
        vec![
            (
                "documents, newest 20 (contact)",
                "/api/v1/documents?limit=20".to_owned(),
                bearer.clone(),
            ),
            (
                "documents, kind=certificate (contact)",
                "/api/v1/documents?kind=certificate&limit=20".to_owned(),
                bearer.clone(),
            ),
            (
                "documents search ?q= (contact)",
                "/api/v1/documents?q=document%20099999&limit=20".to_owned(),
                bearer,
            ),
        ],
        AUTHORIZATION,
        counters,
        background_sql_per_s,
    )
    .await?;
    out.extend(
        pages::run(
            plan,
            base,
            vec![(
                "page: documents (contact)",
                format!("/t/{slug}/documents"),
                cookies,
            )],
            counters,
            background_sql_per_s,
        )
        .await?,
    );
    Ok(out)
}

/// Publishes a 100 MiB PDF as the admin and watches `watched` (name, pid).
pub async fn upload(
    base: &str,
    admin_token: &str,
    owner: Owner,
    watched: Vec<(String, u32)>,
) -> Result<Upload> {
    let mut file = b"%PDF-1.4\n% portal bench upload\n".to_vec();
    file.resize(UPLOAD_MIB * MIB, b' ');
    let before = rss::sample(&watched);
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (done, watched) = (Arc::clone(&done), watched.clone());
        tokio::spawn(async move {
            let mut peak = BTreeMap::<String, u64>::new();
            while !done.load(Ordering::Relaxed) {
                for (name, kib) in rss::sample(&watched) {
                    let max = peak.entry(name).or_insert(0);
                    *max = (*max).max(kib);
                }
                tokio::time::sleep(SAMPLE_EVERY).await;
            }
            peak
        })
    };
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .no_proxy()
        .timeout(Duration::from_secs(600))
        .build()?;
    let form = reqwest::multipart::Form::new()
        .text("kind", "attachment")
        .text("customer_id", owner.customer.to_string())
        .text("title", "Bench upload")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file)
                .file_name("bench-upload.pdf")
                .mime_str("application/pdf")?,
        );
    let started = tokio::time::Instant::now();
    let response = client
        .post(format!("{base}/api/v1/documents"))
        .bearer_auth(admin_token)
        .multipart(form)
        .send()
        .await
        .context("sending the upload")?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let peak = sampler.await.context("the memory sampler stopped")?;
    if !status.is_success() {
        bail!("the upload answered {status}: {body}");
    }
    let rss_mib = before
        .iter()
        .map(|(name, kib)| {
            let high = peak.get(name).copied().unwrap_or(*kib).max(*kib);
            (
                name.clone(),
                UploadRss {
                    before: *kib as f64 / 1024.0,
                    peak: high as f64 / 1024.0,
                },
            )
        })
        .collect();
    Ok(Upload {
        mib: UPLOAD_MIB,
        seconds,
        mib_per_second: UPLOAD_MIB as f64 / seconds.max(f64::EPSILON),
        rss_mib,
    })
}
