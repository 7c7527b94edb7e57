//! (3) The golden path, in three steps, so that what is sustained is found
//! before latencies are measured at a rate the system can sustain:
//! - capacity of accept and work orders: staff accept, back to back, a pool
//!   of requests (inserted by SQL) of a contact whose notifications are off,
//!   so no mail backlog builds up; work orders are counted as their events
//!   arrive, until every consumer has caught up;
//! - capacity of the mail hand-off: the contact creates requests through
//!   the API, and the staff's "new request" mails drain to the SMTP sink;
//! - the path at 80 % of the slowest of the three: the contact's requests
//!   (created beforehand, their mails drained) accepted at a steady rate,
//!   each timed from its 200 to its work order's event and to its mail's
//!   hand-off to SMTP.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, StatusCode};
use serde::Serialize;
use serde_json::json;

use crate::api;
use crate::clock;
use crate::counters::{self, Counters, Snapshot};
use crate::events::Bus;
use crate::load::{self, Plan, Sample};
use crate::mail_log::MailLog;
use crate::report::Throughput;
use crate::seed::{ADMIN_EMAIL, CONTACT_EMAIL, Owner, Rows};
use crate::stats::Latency;

/// The paced step runs at this share of the sustained rate.
const PACED_SHARE: f64 = 0.8;
/// Requests for the back-to-back accepts: more than this machine accepts
/// in a scenario; the step ends early, with what it did, if they run out.
const POOL: Rows = Rows {
    group: 0x9000,
    title: "Accept pool ",
};
const POOL_ROWS: u64 = 50_000;
/// Waiting for work orders, mails or consumers gives up after this long
/// without progress...
const STALL: Duration = Duration::from_secs(20);
/// ... or after this long in all.
const DRAIN_LIMIT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(100);

pub struct Context<'a> {
    pub base: String,
    pub admin: HeaderValue,
    pub contact: HeaderValue,
    pub site_id: String,
    pub database_url: String,
    pub owner: Owner,
    pub quiet_contact: uuid::Uuid,
    pub mails: &'a mut MailLog,
    pub bus: Bus,
    pub counters: &'a Counters,
    /// Statements per second the services run when idle (relays, timers).
    pub background_sql_per_s: f64,
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

#[derive(Serialize)]
pub struct Golden {
    pub accept_capacity: AcceptCapacity,
    pub mail_capacity: MailCapacity,
    /// The slowest of the API's accepts, the work orders and the mails.
    pub sustained_per_second: f64,
    pub paced: Paced,
}

#[derive(Serialize)]
pub struct AcceptCapacity {
    /// `POST /api/v1/requests/{id}/accept`, back to back.
    pub api: Throughput,
    /// Every accept of the step, warm-up included.
    pub accepted: usize,
    pub work_orders_seen: usize,
    /// From the step's start to the last work order's event.
    pub work_orders_per_second: f64,
    /// Every service's statements from the first accept until the consumers
    /// caught up, less the idle background, per accept (no mail involved).
    pub sql_per_accept: f64,
    pub sql_by_service: Snapshot,
}

#[derive(Serialize)]
pub struct MailCapacity {
    /// The contact's `POST /api/v1/requests` that made the mails (closed
    /// loop, a count rather than a duration: a short window).
    pub create: Throughput,
    pub expected: usize,
    pub arrived: usize,
    /// Mails handed to SMTP per second, from the first to the last.
    pub per_second: f64,
}

#[derive(Serialize)]
pub struct Paced {
    pub target_per_second: f64,
    pub api: Throughput,
    pub to_work_order: Latency,
    pub to_mail: Latency,
    /// The same from when the accept was sent: the effect can be seen before
    /// the 200 reaches the client, which the figures above count as 0.
    pub to_work_order_from_send: Latency,
    pub to_mail_from_send: Latency,
    /// Work orders seen before the accept's 200 arrived.
    pub work_orders_before_200: usize,
    pub missing_work_orders: usize,
    pub missing_mails: usize,
    /// Every service's statements from the first accept to the last mail,
    /// less the idle background, per accept: the whole golden path.
    pub sql_per_accept: f64,
    pub sql_by_service: Snapshot,
}

#[derive(Clone)]
struct Created {
    id: String,
    title: String,
}

struct Accepted {
    id: String,
    title: String,
    /// When the accept was sent.
    sent_us: u64,
    /// When the 200 arrived.
    done_us: u64,
}

pub async fn run(ctx: &mut Context<'_>) -> Result<Golden> {
    let timed = Plan {
        connections: ctx.connections,
        warmup: ctx.warmup,
        measure: ctx.measure,
        rate: None,
    };

    println!("(3) golden path: staff accept back to back (a contact without mails)...");
    let quiet = Owner {
        contact: ctx.quiet_contact,
        ..ctx.owner
    };
    crate::seed::insert_requests(&ctx.database_url, quiet, POOL, POOL_ROWS).await?;
    let pool: Vec<Created> = (1..=POOL_ROWS)
        .map(|n| Created {
            id: POOL.id(n),
            title: POOL.title(n),
        })
        .collect();
    let accept_capacity = accept_capacity(ctx, &timed, &pool).await?;

    println!("(3) golden path: the contact creates requests, their mails drain...");
    // Enough mails to see the hand-off's pace, and as many connections as the rest.
    let probe = (4 * ctx.connections).max(100);
    let (create_run, mut pending) = create(ctx, probe, "golden-a-").await?;
    let (arrived, per_second) = drain_new_request_mails(ctx, "golden-a-", pending.len()).await?;
    let mail_capacity = MailCapacity {
        create: Throughput::of(&create_run),
        expected: pending.len(),
        arrived,
        per_second,
    };

    let sustained = accept_capacity
        .api
        .per_second
        .min(accept_capacity.work_orders_per_second)
        .min(mail_capacity.per_second);
    let target = (sustained * PACED_SHARE).floor().max(1.0);
    let paced_plan = Plan {
        rate: Some(target),
        ..timed
    };
    let window = (paced_plan.warmup + paced_plan.measure).as_secs_f64();
    // The whole window, and one more for each worker's last turn.
    let needed = (target * window).ceil() as usize + ctx.connections;
    if pending.len() < needed {
        let missing = needed - pending.len();
        println!("(3) golden path: the contact creates {missing} more requests...");
        let (_, more) = create(ctx, missing, "golden-b-").await?;
        let count = more.len();
        pending.extend(more);
        drain_new_request_mails(ctx, "golden-b-", count).await?;
    }

    println!("(3) golden path: staff accept at {target}/s...");
    let before = ctx.counters.snapshot().await?;
    let started = tokio::time::Instant::now();
    let run = accept(ctx, &paced_plan, &pending).await?;
    let effects = settle(ctx, &run.samples, true).await?;
    ctx.bus.wait_caught_up(DRAIN_LIMIT).await?;
    let (sql_per_accept, sql_by_service) =
        sql_per_call(ctx, &before, started.elapsed(), run.calls).await?;
    let measured = run.samples.iter().filter(|s| s.measured).count();
    let paced = Paced {
        target_per_second: target,
        api: Throughput::of(&run),
        to_work_order: Latency::of_values(after_accept(&effects.work_order, &run.samples))?,
        to_mail: Latency::of_values(after_accept(&effects.mail, &run.samples))?,
        to_work_order_from_send: Latency::of_values(after_send(&effects.work_order, &run.samples))?,
        to_mail_from_send: Latency::of_values(after_send(&effects.mail, &run.samples))?,
        work_orders_before_200: effects
            .work_order
            .iter()
            .zip(&run.samples)
            .filter(|(at, sample)| sample.measured && at.is_some_and(|t| t < sample.value.done_us))
            .count(),
        missing_work_orders: measured - after_accept(&effects.work_order, &run.samples).count(),
        missing_mails: measured - after_accept(&effects.mail, &run.samples).count(),
        sql_per_accept,
        sql_by_service,
    };
    Ok(Golden {
        accept_capacity,
        mail_capacity,
        sustained_per_second: sustained,
        paced,
    })
}

/// Back-to-back accepts of `pool`; work orders counted until all consumers
/// have caught up, so that the next step starts on a quiet system.
async fn accept_capacity(
    ctx: &mut Context<'_>,
    plan: &Plan,
    pool: &[Created],
) -> Result<AcceptCapacity> {
    let before = ctx.counters.snapshot().await?;
    let started = tokio::time::Instant::now();
    let started_us = clock::now_us();
    let run = accept(ctx, plan, pool).await?;
    let effects = settle(ctx, &run.samples, false).await?;
    if !ctx.bus.wait_caught_up(DRAIN_LIMIT).await? {
        eprintln!("warning: the services' consumers still had a backlog after the accepts");
    }
    let (sql_per_accept, sql_by_service) =
        sql_per_call(ctx, &before, started.elapsed(), run.calls).await?;
    let seen = effects.work_order.iter().flatten().count();
    let last = effects.work_order.iter().flatten().copied().max();
    Ok(AcceptCapacity {
        api: Throughput::of(&run),
        accepted: run.samples.len(),
        work_orders_seen: seen,
        work_orders_per_second: per_second(seen, started_us, last),
        sql_per_accept,
        sql_by_service,
    })
}

/// Statements since `before`, less the idle background, per call; and the
/// raw counts by service.
async fn sql_per_call(
    ctx: &Context<'_>,
    before: &Snapshot,
    elapsed: Duration,
    calls: u64,
) -> Result<(f64, Snapshot)> {
    let after = ctx.counters.snapshot().await?;
    let by_service = counters::since(before, &after);
    let net = counters::total(&by_service) - ctx.background_sql_per_s * elapsed.as_secs_f64();
    Ok((net / calls.max(1) as f64, by_service))
}

fn per_second(count: usize, from_us: u64, last_us: Option<u64>) -> f64 {
    match last_us {
        Some(last) if last > from_us => count as f64 / ((last - from_us) as f64 / 1e6),
        _ => 0.0,
    }
}

/// `count` requests of the contact, titled `{prefix}{n}`, created on all
/// connections back to back.
async fn create(
    ctx: &Context<'_>,
    count: usize,
    prefix: &'static str,
) -> Result<(load::Run<Created>, Vec<Created>)> {
    let plan = Plan {
        connections: ctx.connections,
        warmup: Duration::ZERO,
        measure: DRAIN_LIMIT,
        rate: None,
    };
    let limit = count as u64;
    let url: Arc<str> = format!("{}/api/v1/requests", ctx.base).into();
    let contact = ctx.contact.clone();
    let site_id: Arc<str> = ctx.site_id.as_str().into();
    let mut run = load::run(&plan, move |client: Client, seq| {
        let (url, contact, site_id) = (Arc::clone(&url), contact.clone(), Arc::clone(&site_id));
        async move {
            if seq >= limit {
                return Ok(None);
            }
            let title = format!("{prefix}{seq:06}");
            let body = json!({
                "site_id": &*site_id,
                "title": title,
                "description": "The oven no longer heats.",
                "category": "repair",
                "priority": "normal",
            });
            let response = client
                .post(&*url)
                .header(AUTHORIZATION, contact)
                .json(&body)
                .send()
                .await?;
            let created = api::expect_json(response, StatusCode::CREATED).await?;
            Ok(Some(Created {
                id: api::field(&created, "id")?,
                title,
            }))
        }
    })
    .await?;
    let created = std::mem::take(&mut run.samples)
        .into_iter()
        .map(|s| s.value)
        .collect();
    Ok((run, created))
}

/// Staff accept `pending` in order, each once.
async fn accept(
    ctx: &Context<'_>,
    plan: &Plan,
    pending: &[Created],
) -> Result<load::Run<Accepted>> {
    let base: Arc<str> = ctx.base.as_str().into();
    let admin = ctx.admin.clone();
    let pending: Arc<Vec<Created>> = Arc::new(pending.to_vec());
    let cursor = Arc::new(AtomicUsize::new(0));
    load::run(plan, move |client: Client, _seq| {
        let next = pending.get(cursor.fetch_add(1, Ordering::Relaxed)).cloned();
        let (base, admin) = (Arc::clone(&base), admin.clone());
        async move {
            let Some(request) = next else {
                return Ok(None);
            };
            let sent_us = clock::now_us();
            let response = client
                .post(format!("{base}/api/v1/requests/{}/accept", request.id))
                .header(AUTHORIZATION, admin)
                .send()
                .await?;
            let done_us = clock::now_us();
            api::expect(response, StatusCode::OK).await?;
            Ok(Some(Accepted {
                id: request.id,
                title: request.title,
                sent_us,
                done_us,
            }))
        }
    })
    .await
}

/// Waits for the admin's "new request" mail of each of `expected` requests
/// titled `{prefix}...`. Returns how many arrived and their pace, first to
/// last (the pipeline was backlogged all along: its capacity).
async fn drain_new_request_mails(
    ctx: &mut Context<'_>,
    prefix: &str,
    expected: usize,
) -> Result<(usize, f64)> {
    let started = tokio::time::Instant::now();
    let mut last_progress = started;
    let mut times: Vec<u64> = Vec::new();
    loop {
        ctx.mails.poll().await?;
        let now: Vec<u64> = ctx
            .mails
            .mails()
            .iter()
            .filter(|m| {
                m.is_to(ADMIN_EMAIL) && (m.subject.contains(prefix) || m.body.contains(prefix))
            })
            .map(|m| m.received_us)
            .collect();
        if now.len() > times.len() {
            times = now;
            last_progress = tokio::time::Instant::now();
        }
        if times.len() >= expected
            || last_progress.elapsed() > STALL
            || started.elapsed() > DRAIN_LIMIT
        {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    if times.len() < expected {
        eprintln!(
            "warning: only {} of {expected} \"new request\" mails arrived",
            times.len()
        );
    }
    let first = times.iter().copied().min().unwrap_or(0);
    let rate = per_second(
        times.len().saturating_sub(1),
        first,
        times.iter().copied().max(),
    );
    Ok((times.len(), rate))
}

/// When each accept's work order and mail were seen (µs), by position.
struct Effects {
    work_order: Vec<Option<u64>>,
    mail: Vec<Option<u64>>,
}

/// Waits until every accept has its work order (and its mail, if
/// `with_mail`), or progress stops.
async fn settle(
    ctx: &mut Context<'_>,
    accepts: &[Sample<Accepted>],
    with_mail: bool,
) -> Result<Effects> {
    let started = tokio::time::Instant::now();
    let mut last_progress = started;
    let mut done = 0;
    loop {
        let mut mail_by_title: HashMap<&str, u64> = HashMap::new();
        if with_mail {
            ctx.mails.poll().await?;
            // Accept mails go to the contact; their subject ends with the title.
            for mail in ctx.mails.mails().iter().filter(|m| m.is_to(CONTACT_EMAIL)) {
                if let Some(title) = mail.subject.rsplit(' ').next() {
                    mail_by_title.entry(title).or_insert(mail.received_us);
                }
            }
        }
        let effects = Effects {
            work_order: accepts
                .iter()
                .map(|s| ctx.bus.work_orders.seen(&s.value.id))
                .collect(),
            mail: accepts
                .iter()
                .map(|s| mail_by_title.get(s.value.title.as_str()).copied())
                .collect(),
        };
        let work_orders = effects.work_order.iter().flatten().count();
        let mails = effects.mail.iter().flatten().count();
        let expected = if with_mail { 2 } else { 1 } * accepts.len();
        if work_orders + mails > done {
            done = work_orders + mails;
            last_progress = tokio::time::Instant::now();
        }
        let complete = done >= expected;
        if complete || last_progress.elapsed() > STALL || started.elapsed() > DRAIN_LIMIT {
            if !complete {
                eprintln!(
                    "warning: of {} accepts, {work_orders} work orders and {mails} mails were seen",
                    accepts.len()
                );
            }
            return Ok(effects);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Microseconds from a point of each measured accept (`from`: its sending
/// or its 200) to its effect, if seen.
fn since<'a>(
    seen: &'a [Option<u64>],
    accepts: &'a [Sample<Accepted>],
    from: fn(&Accepted) -> u64,
) -> impl Iterator<Item = u64> + 'a {
    seen.iter()
        .zip(accepts)
        .filter(|(_, sample)| sample.measured)
        .filter_map(move |(at, sample)| Some(at.as_ref()?.saturating_sub(from(&sample.value))))
}

fn after_accept<'a>(
    seen: &'a [Option<u64>],
    accepts: &'a [Sample<Accepted>],
) -> impl Iterator<Item = u64> + 'a {
    since(seen, accepts, |a| a.done_us)
}

fn after_send<'a>(
    seen: &'a [Option<u64>],
    accepts: &'a [Sample<Accepted>],
) -> impl Iterator<Item = u64> + 'a {
    since(seen, accepts, |a| a.sent_us)
}
