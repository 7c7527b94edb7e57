//! (6) The dispatch board and the plan's mail: 10 000 work orders in the
//! tenant (inserted by SQL, a year of planned work around today, a tenth
//! still to plan, on 20 technicians), the board's week read through the
//! API, and each plan timed from its 200 to the contact's mail at SMTP.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, StatusCode};
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::api;
use crate::clock;
use crate::load::{self, Plan};
use crate::mail_log::MailLog;
use crate::report::Throughput;
use crate::seed::{CONTACT_EMAIL, Owner};
use crate::stats::{self, Latency};

pub const WORK_ORDERS: i64 = 10_000;
const TECHNICIANS: i64 = 20;
/// Plans timed one after the other, each to its mail.
const PLANS: usize = 30;
const TITLE: &str = "Board bench ";
const MAIL_WAIT: Duration = Duration::from_secs(10);
/// After this many plans in a row without their mail, the rest are counted
/// missing without waiting (and the access token outlives the scenario).
const GIVE_UP_AFTER: usize = 3;

#[derive(Serialize)]
pub struct Board {
    pub work_orders: i64,
    /// Work orders in the board's week (this week).
    pub in_week: usize,
    /// `GET /api/v1/work-orders?from=&to=` (staff), one week.
    pub week: Throughput,
    /// `POST /work-orders/{id}/schedule` 200 -> the contact's mail at SMTP.
    pub plan_to_mail: Latency,
    pub missing_mails: usize,
}

/// Inserts the work orders as work-orders' own rows would be.
pub async fn seed(database_url: &str, owner: Owner) -> Result<()> {
    let db = PgPool::connect(database_url)
        .await
        .context("connecting to the work-orders database")?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO work_orders (id, tenant_id, customer_id, site_id, title, description, status,
                                  created_at, planned_start, planned_end, contact_id)
         SELECT gen_random_uuid(), $1, $2, $3, $4 || n, 'Seeded for the board.',
                CASE WHEN n % 10 = 0 THEN 'to_plan' ELSE 'scheduled' END::work_order_status,
                now(), s, s + interval '90 minutes', $5
         FROM generate_series(1, $6) AS n,
              LATERAL (SELECT CASE WHEN n % 10 = 0 THEN NULL ELSE
                  date_trunc('week', now()) + ((n % 364) - 182) * interval '1 day'
                  + (7 + n % 10) * interval '1 hour' END AS s) AS planned",
    )
    .bind(owner.tenant)
    .bind(owner.customer)
    .bind(owner.site)
    .bind(TITLE)
    .bind(owner.contact)
    .bind(WORK_ORDERS)
    .execute(&mut *tx)
    .await
    .context("inserting the board's work orders")?;
    sqlx::query(
        "INSERT INTO work_order_technicians (tenant_id, work_order_id, technician_id, technician_name)
         SELECT tenant_id, id,
                ('00000000-0000-4000-b000-' || lpad(to_hex(k), 12, '0'))::uuid,
                'Technician ' || k
         FROM (SELECT tenant_id, id, abs(hashtext(id::text)) % $2 AS k
               FROM work_orders WHERE tenant_id = $1 AND planned_start IS NOT NULL) AS w",
    )
    .bind(owner.tenant)
    .bind(TECHNICIANS)
    .execute(&mut *tx)
    .await
    .context("planning the board's work orders")?;
    tx.commit().await?;
    Ok(())
}

pub async fn run(
    plan: &Plan,
    base: &str,
    admin_token: &str,
    technician_id: &str,
    database_url: &str,
    owner: Owner,
    mails: &mut MailLog,
) -> Result<Board> {
    let monday = chrono::Utc::now()
        .date_naive()
        .week(chrono::Weekday::Mon)
        .first_day()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let url = format!(
        "{base}/api/v1/work-orders?from={}&to={}",
        monday.format("%Y-%m-%dT%H:%M:%SZ"),
        (monday + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let admin = api::bearer(admin_token)?;
    let in_week = week_size(&url, &admin).await?;
    let week = board_week(plan, &url, &admin).await?;

    // Plans of work still to plan, one at a time, each timed to its mail.
    let db = PgPool::connect(database_url).await?;
    let unplanned: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, title FROM work_orders WHERE tenant_id = $1 AND status = 'to_plan'
           AND title LIKE $3 || '%'
         ORDER BY title LIMIT $2",
    )
    .bind(owner.tenant)
    .bind(PLANS as i64)
    // Only the board's own work orders: the contact who asked for them wants
    // mails (the golden path's accept pool belongs to a contact who does not).
    .bind(TITLE)
    .fetch_all(&db)
    .await?;
    let client = api::client()?;
    let mut histogram = stats::histogram()?;
    let mut missing = 0;
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    for (n, (id, title)) in unplanned.iter().enumerate() {
        if missing >= GIVE_UP_AFTER && missing == n {
            missing = unplanned.len();
            break;
        }
        let start = tomorrow + chrono::Duration::minutes(30 * n as i64);
        let body = json!({"technician_ids": [technician_id], "start": start.to_rfc3339(),
                          "end": (start + chrono::Duration::minutes(30)).to_rfc3339(), "force": true});
        let sent = clock::now_us();
        let response = client
            .post(format!("{base}/api/v1/work-orders/{id}/schedule"))
            .header(AUTHORIZATION, admin.clone())
            .json(&body)
            .send()
            .await?;
        api::expect(response, StatusCode::OK).await?;
        let planned = clock::now_us();
        // The title ends in its number: match it whole.
        let wanted = format!("{title} ");
        let deadline = tokio::time::Instant::now() + MAIL_WAIT;
        loop {
            mails.poll().await?;
            let arrived = mails.mails().iter().find(|m| {
                m.received_us >= sent
                    && m.is_to(CONTACT_EMAIL)
                    && (format!("{} ", m.subject).contains(&wanted)
                        || m.body.contains(title.as_str()))
            });
            if let Some(mail) = arrived {
                histogram.record(mail.received_us.saturating_sub(planned).max(1))?;
                break;
            }
            if tokio::time::Instant::now() > deadline {
                missing += 1;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(Board {
        work_orders: WORK_ORDERS,
        in_week,
        week,
        plan_to_mail: Latency::of(&histogram),
        missing_mails: missing,
    })
}

async fn week_size(url: &str, admin: &HeaderValue) -> Result<usize> {
    let client = api::client()?;
    let page: serde_json::Value = client
        .get(url)
        .header(AUTHORIZATION, admin.clone())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(page["items"].as_array().map_or(0, Vec::len))
}

async fn board_week(plan: &Plan, url: &str, admin: &HeaderValue) -> Result<Throughput> {
    let url: Arc<str> = url.into();
    let admin = admin.clone();
    let run = load::run(plan, move |client: Client, _seq| {
        let (url, admin) = (Arc::clone(&url), admin.clone());
        async move {
            let response = client
                .get(&*url)
                .header(AUTHORIZATION, admin)
                .send()
                .await?;
            api::expect(response, StatusCode::OK).await?;
            Ok(Some(()))
        }
    })
    .await
    .context("reading the board's week")?;
    if run.measured == 0 {
        bail!(
            "the gateway answered no board call: {}",
            run.first_error.clone().unwrap_or_default()
        );
    }
    Ok(Throughput::of(&run))
}
