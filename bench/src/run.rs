//! `portal-bench run`: seeds the running bench stack, runs the scenarios in
//! order and reports. The stack itself is started and stopped by
//! `cargo xtask bench`, which passes where everything is.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::AUTHORIZATION;
use reqwest::{Client, StatusCode};

use crate::api::{self, Api};
use crate::counters::{self, Counters};
use crate::golden;
use crate::load::{self, Plan};
use crate::mail_log::MailLog;
use crate::report::{self, Report, Rss, Throughput};
use crate::rss::Sampler;
use crate::{board, events, seed};

/// Stride through the seeded rows: a prime, so consecutive calls hit rows
/// far apart, as random reads would, without a random number generator.
const STRIDE: u64 = 7919;
const IDLE_SETTLE: Duration = Duration::from_secs(2);
const IDLE_WINDOW: Duration = Duration::from_secs(3);
const KIB_PER_MIB: f64 = 1024.0;

#[derive(clap::Args)]
pub struct Args {
    /// The gateway, `https://host:port`.
    #[arg(long)]
    base: String,
    /// The bench stack's requests database (seeded by SQL).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// work-orders' database, where the board's work orders are inserted.
    #[arg(long, env = "PORTAL_BENCH_WORK_ORDERS_DB", hide_env_values = true)]
    work_orders_database_url: String,
    /// documents' database, where 100 000 documents are inserted.
    #[arg(long, env = "PORTAL_BENCH_DOCUMENTS_DB", hide_env_values = true)]
    documents_database_url: String,
    /// The ceiling server started by `portal-bench serve`.
    #[arg(long)]
    ceiling_url: String,
    /// The SMTP sink's log, written by `portal-bench serve`.
    #[arg(long)]
    mail_log: PathBuf,
    /// With the user and password of a client allowed to subscribe to events.
    #[arg(long, env = "PORTAL_BENCH_NATS_URL", hide_env_values = true)]
    nats_url: String,
    #[arg(long, env = "PORTAL_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: String,
    /// Measured by xtask: from the first service's start to all six ready.
    #[arg(long)]
    startup_ms: u64,
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Seconds measured per scenario, after the warm-up.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// `name=pid:admin_port`, once per service.
    #[arg(long = "service", value_parser = parse_service)]
    services: Vec<Service>,
    /// The `portal-bench serve` process (ceiling and sink), for its RSS.
    #[arg(long)]
    helper_pid: Option<u32>,
    /// Where the JSON results go.
    #[arg(long)]
    out_dir: PathBuf,
    /// Only the golden path, on a stack described by this label (the
    /// events on a NATS cluster), compared with the last full run's.
    #[arg(long)]
    golden_only: Option<String>,
}

#[derive(Clone)]
struct Service {
    name: String,
    pid: u32,
    admin_port: u16,
}

fn parse_service(text: &str) -> Result<Service, String> {
    let parse = || -> Option<Service> {
        let (name, rest) = text.split_once('=')?;
        let (pid, port) = rest.split_once(':')?;
        Some(Service {
            name: name.to_owned(),
            pid: pid.parse().ok()?,
            admin_port: port.parse().ok()?,
        })
    };
    parse().ok_or_else(|| format!("expected name=pid:admin_port, got `{text}`"))
}

pub async fn run(args: Args) -> Result<()> {
    if args.requests == 0 || args.connections == 0 || args.duration == 0 {
        bail!("--requests, --connections and --duration must be positive");
    }
    let measure = Duration::from_secs(args.duration);
    let warmup = Duration::from_secs(2).min(measure / 2);
    let plan = Plan {
        connections: args.connections,
        warmup,
        measure,
        rate: None,
    };

    let api = Api::new(&args.base)?;
    let mut mails = MailLog::new(args.mail_log.clone());
    // Before any accept: no work-order event may be missed.
    let bus = events::connect(&args.nats_url).await?;
    let seeded = seed::run(
        &api,
        &args.operator_token,
        &mut mails,
        &args.database_url,
        args.requests,
    )
    .await?;

    board::seed(&args.work_orders_database_url, seeded.owner).await?;
    crate::equipment::seed(&args.work_orders_database_url, seeded.owner).await?;
    crate::documents::seed(&args.documents_database_url, seeded.owner).await?;
    let technician_id = technician(&args.base, &seeded.admin_token).await?;

    let counters = Counters::new(
        args.services
            .iter()
            .map(|s| (s.name.clone(), s.admin_port))
            .collect(),
    )?;
    let mut watched: Vec<(String, u32)> = args
        .services
        .iter()
        .map(|s| (s.name.clone(), s.pid))
        .collect();
    if let Some(pid) = args.helper_pid {
        watched.push(("portal-bench serve (ceiling, SMTP sink)".to_owned(), pid));
    }
    let sampler = Sampler::start(watched);

    // Idle: let the seeding's events and mails settle, then measure what the
    // services do on their own.
    tokio::time::sleep(IDLE_SETTLE).await;
    let quiet_before = counters.snapshot().await?;
    tokio::time::sleep(IDLE_WINDOW).await;
    let quiet_after = counters.snapshot().await?;
    let background_sql_per_s =
        counters::total(&counters::since(&quiet_before, &quiet_after)) / IDLE_WINDOW.as_secs_f64();
    let idle = sampler.now();
    let load_average_at_start = std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let started_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sampler.set_loaded(true);

    if let Some(label) = &args.golden_only {
        println!("(3) the golden path alone, on {label}...");
        let mut ctx = golden_context(
            &api,
            &seeded,
            &args,
            &mut mails,
            bus,
            &counters,
            background_sql_per_s,
            &plan,
        )?;
        let golden = golden::run(&mut ctx).await?;
        let path = report::write_golden(&args.out_dir, label, &golden)?;
        report::compare_golden(&args.out_dir, label, &golden);
        println!("\nWritten to {}.", path.display());
        return Ok(());
    }

    println!("(1) ceiling: bare axum + sqlx primary-key SELECT...");
    let ceiling = ceiling(&plan, &args.ceiling_url, args.requests).await?;

    println!("(2) the contact lists requests through the gateway...");
    let before = counters.snapshot().await?;
    let list_started = tokio::time::Instant::now();
    let list_url = format!("{}/api/v1/requests?limit=20", args.base);
    let list_run = list_page(&plan, &list_url, &seeded.contact_token).await?;
    let list_elapsed = list_started.elapsed().as_secs_f64();
    let after = counters.snapshot().await?;
    let sql_by_service = counters::since(&before, &after);
    let sql_net = counters::total(&sql_by_service) - background_sql_per_s * list_elapsed;
    let list_api = Throughput::of(&list_run);
    let list = report::List {
        ratio_to_ceiling: if ceiling.per_second > 0.0 {
            list_api.per_second / ceiling.per_second
        } else {
            0.0
        },
        sql_per_call: sql_net / list_run.calls.max(1) as f64,
        sql_by_service,
        api: list_api,
    };

    println!("(2b) list variants over the seeded requests: filters, search, sort...");
    let (deep_rows, deep_cursor) = deep_cursor(&args.base, &seeded.contact_token, 100).await?;
    let deep_name = format!("contact, the page after {deep_rows} rows (cursor)");
    let deep_query = reqwest::Url::parse_with_params("http://x/", [("cursor", &deep_cursor)])?
        .query()
        .unwrap_or_default()
        .to_owned();
    let mut list_variants = Vec::new();
    for (name, query, token) in [
        (
            deep_name.as_str(),
            deep_query.as_str(),
            &seeded.contact_token,
        ),
        (
            "staff, status=submitted",
            "status=submitted",
            &seeded.admin_token,
        ),
        (
            "staff, to assign (unassigned)",
            "unassigned=true",
            &seeded.admin_token,
        ),
        (
            "staff, sort=updated_desc",
            "sort=updated_desc",
            &seeded.admin_token,
        ),
        (
            "contact, q=w123 (1 in 1 000)",
            "q=w123",
            &seeded.contact_token,
        ),
        (
            "contact, q=benchmark (every row)",
            "q=benchmark",
            &seeded.contact_token,
        ),
    ] {
        let url = format!("{}/api/v1/requests?limit=20&{query}", args.base);
        let run = list_page(&plan, &url, token).await?;
        list_variants.push(report::ListVariant {
            name: name.to_owned(),
            api: Throughput::of(&run),
        });
    }
    let export = export_csv(&args.base, &seeded.admin_token).await?;

    println!("(2c) one connection, one call at a time: what a lone user waits...");
    let single_connection = one_at_a_time(&plan, &args.base, &seeded.contact_token).await?;

    println!("(2d) the web pages: contact home, requests, a request; the staff inbox...");
    let pages = web_pages(&plan, &args.base, &seeded, &counters, background_sql_per_s).await?;

    let mut ctx = golden_context(
        &api,
        &seeded,
        &args,
        &mut mails,
        bus,
        &counters,
        background_sql_per_s,
        &plan,
    )?;
    let golden = golden::run(&mut ctx).await?;

    println!("(6) the dispatch board's week, and plans timed to the contact's mail...");
    let board = board::run(
        &plan,
        &args.base,
        &seeded.admin_token,
        &technician_id,
        &args.work_orders_database_url,
        seeded.owner,
        &mut mails,
    )
    .await?;
    println!("(7) sites and equipment: 50 000 equipment at one site...");
    let contact_cookie = crate::pages::log_in(
        &args.base,
        seed::TENANT,
        seed::CONTACT_EMAIL,
        seed::CONTACT_PASSWORD,
    )
    .await?;
    let equipment = crate::equipment::run(
        &plan,
        &args.base,
        seed::TENANT,
        &seeded.site_id,
        &seeded.contact_token,
        contact_cookie.clone(),
        &counters,
        background_sql_per_s,
    )
    .await?;
    println!("(8) documents: 100 000 listed, and a 100 MiB file published...");
    let documents = crate::documents::run(
        &plan,
        &args.base,
        seed::TENANT,
        &seeded.contact_token,
        contact_cookie,
        &counters,
        background_sql_per_s,
    )
    .await?;
    sampler.set_loaded(false);
    let upload_watched: Vec<(String, u32)> = args
        .services
        .iter()
        .filter(|s| s.name == "documents" || s.name.contains("gateway"))
        .map(|s| (s.name.clone(), s.pid))
        .collect();
    let upload = crate::documents::upload(
        &args.base,
        &seeded.admin_token,
        seeded.owner,
        upload_watched,
    )
    .await?;

    let peak = sampler.peak();
    let rss_mib: BTreeMap<String, Rss> = idle
        .iter()
        .map(|(name, kib)| {
            let loaded = peak.get(name).copied().unwrap_or(*kib);
            let rss = Rss {
                idle: *kib as f64 / KIB_PER_MIB,
                under_load_max: loaded as f64 / KIB_PER_MIB,
            };
            (name.clone(), rss)
        })
        .collect();

    let report = Report {
        started_at,
        machine: report::Machine {
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            load_average_at_start,
        },
        settings: report::Settings {
            seeded_requests: args.requests,
            connections: args.connections,
            warmup_s: warmup.as_secs_f64(),
            measure_s: measure.as_secs_f64(),
        },
        startup_to_ready_s: args.startup_ms as f64 / 1000.0,
        background_sql_per_s,
        ceiling,
        list,
        list_variants,
        single_connection,
        pages,
        export,
        golden,
        board,
        equipment,
        documents,
        upload,
        rss_mib,
    };
    report.print();
    let path = report.write(&args.out_dir)?;
    println!(
        "\nWritten to {} (and latest.json beside it).",
        path.display()
    );
    Ok(())
}

/// What the golden path needs of the seeded stack.
#[allow(clippy::too_many_arguments)]
fn golden_context<'a>(
    api: &Api,
    seeded: &seed::Seeded,
    args: &Args,
    mails: &'a mut MailLog,
    bus: events::Bus,
    counters: &'a Counters,
    background_sql_per_s: f64,
    plan: &Plan,
) -> Result<golden::Context<'a>> {
    Ok(golden::Context {
        base: api.base.clone(),
        admin: api::bearer(&seeded.admin_token)?,
        contact: api::bearer(&seeded.contact_token)?,
        site_id: seeded.site_id.clone(),
        database_url: args.database_url.clone(),
        owner: seeded.owner,
        quiet_contact: seeded.quiet_contact,
        mails,
        bus,
        counters,
        background_sql_per_s,
        connections: args.connections,
        warmup: plan.warmup,
        measure: plan.measure,
    })
}

/// (2c) The contact's list and one request, each called on one keep-alive
/// connection, the next call only after the last answer: the latency of a
/// lone user on an idle machine. A fixed wait on an internal hop (Nagle and
/// delayed ACKs cost ~40 ms per small write pair without TCP_NODELAY) shows
/// here as a p50 far above the per-call cost under load.
async fn one_at_a_time(plan: &Plan, base: &str, token: &str) -> Result<Vec<report::ListVariant>> {
    let lone = Plan {
        connections: 1,
        warmup: plan.warmup,
        measure: plan.measure,
        rate: None,
    };
    let id = newest_request(base, token).await?;
    let mut lines = Vec::new();
    for (name, url) in [
        (
            "one connection: GET /api/v1/requests?limit=20",
            format!("{base}/api/v1/requests?limit=20"),
        ),
        (
            "one connection: GET /api/v1/requests/{id}",
            format!("{base}/api/v1/requests/{id}"),
        ),
    ] {
        let run = list_page(&lone, &url, token).await?;
        lines.push(report::ListVariant {
            name: name.to_owned(),
            api: Throughput::of(&run),
        });
    }
    Ok(lines)
}

/// The cursor `pages` pages of 100 into the contact's list (or to its
/// last page), and how many rows lie before it.
async fn deep_cursor(base: &str, token: &str, pages: usize) -> Result<(usize, String)> {
    let client = api::client()?;
    let (mut rows, mut cursor) = (0, String::new());
    for _ in 0..pages {
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/api/v1/requests"),
            [("limit", "100"), ("cursor", cursor.as_str())],
        )?;
        let page: serde_json::Value = client
            .get(url)
            .header(AUTHORIZATION, api::bearer(token)?)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        match page["next_cursor"].as_str() {
            Some(next) if !next.is_empty() => {
                rows += page["items"].as_array().map_or(0, Vec::len);
                cursor = next.to_owned();
            }
            _ => break,
        }
    }
    Ok((rows, cursor))
}

/// (2d) The pages a contact and a dispatcher open most, timed with their
/// SQL; the request is the newest of the contact's.
async fn web_pages(
    plan: &Plan,
    base: &str,
    seeded: &seed::Seeded,
    counters: &Counters,
    background_sql_per_s: f64,
) -> Result<Vec<crate::pages::PageTiming>> {
    let id = newest_request(base, &seeded.contact_token).await?;
    let slug = seed::TENANT;
    let contact =
        crate::pages::log_in(base, slug, seed::CONTACT_EMAIL, seed::CONTACT_PASSWORD).await?;
    let admin = crate::pages::log_in(base, slug, seed::ADMIN_EMAIL, seed::ADMIN_PASSWORD).await?;
    crate::pages::run(
        plan,
        base,
        vec![
            ("contact: home", format!("/t/{slug}/"), contact.clone()),
            (
                "contact: requests",
                format!("/t/{slug}/requests"),
                contact.clone(),
            ),
            (
                "contact: a request",
                format!("/t/{slug}/requests/{id}"),
                contact,
            ),
            (
                "staff: inbox (to assign)",
                format!("/t/{slug}/staff/requests?unassigned=true"),
                admin,
            ),
        ],
        counters,
        background_sql_per_s,
    )
    .await
}

/// The id of the newest request the holder of `token` sees.
async fn newest_request(base: &str, token: &str) -> Result<String> {
    let first: serde_json::Value = api::client()?
        .get(format!("{base}/api/v1/requests?limit=1"))
        .header(AUTHORIZATION, api::bearer(token)?)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(first["items"][0]["id"]
        .as_str()
        .context("the contact sees no request")?
        .to_owned())
}

/// A technician to plan the board's work onto; their id.
async fn technician(base: &str, admin_token: &str) -> Result<String> {
    let member: serde_json::Value = api::client()?
        .post(format!("{base}/api/v1/staff"))
        .header(AUTHORIZATION, api::bearer(admin_token)?)
        .json(&serde_json::json!({"email": "technician@bench.example", "name": "Bench Technician",
                                  "roles": ["technician"], "password": "bench-technician-password"}))
        .send()
        .await?
        .error_for_status()
        .context("creating the bench technician")?
        .json()
        .await?;
    member["id"]
        .as_str()
        .map(str::to_owned)
        .context("the new technician has no id")
}

/// (1) `GET /requests/{id}` on the ceiling server, over the seeded rows.
async fn ceiling(plan: &Plan, ceiling_url: &str, rows: u64) -> Result<Throughput> {
    let base: Arc<str> = ceiling_url.trim_end_matches('/').into();
    let run = load::run(plan, move |client: Client, seq| {
        let url = format!(
            "{base}/requests/{}",
            seed::HISTORY.id(1 + seq * STRIDE % rows)
        );
        async move {
            api::expect(client.get(url).send().await?, StatusCode::OK).await?;
            Ok(Some(()))
        }
    })
    .await?;
    let throughput = Throughput::of(&run);
    if throughput.measured == 0 {
        bail!(
            "the ceiling server answered no call: {}",
            throughput.first_error.unwrap_or_default()
        );
    }
    Ok(throughput)
}

/// (2b) One staff CSV download of every request the filter shows (all of
/// them): time to the last byte and rows received.
async fn export_csv(base: &str, token: &str) -> Result<report::Export> {
    let client = api::client()?;
    let started = std::time::Instant::now();
    let response = client
        .get(format!("{base}/api/v1/requests/export.csv"))
        .header(AUTHORIZATION, api::bearer(token)?)
        .send()
        .await?;
    let first_byte_s = started.elapsed().as_secs_f64();
    let status = response.status();
    let body = response.bytes().await?;
    if status != StatusCode::OK {
        bail!("export answered {status}");
    }
    let rows = body
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1);
    Ok(report::Export {
        rows: rows as u64,
        bytes: body.len() as u64,
        first_byte_s,
        total_s: started.elapsed().as_secs_f64(),
    })
}

/// (2) A page of 20 requests at `url` (the contact's first page, or a variant).
async fn list_page(plan: &Plan, url: &str, token: &str) -> Result<load::Run<()>> {
    let url: Arc<str> = url.into();
    let contact = api::bearer(token)?;
    let run = load::run(plan, move |client: Client, _seq| {
        let (url, contact) = (Arc::clone(&url), contact.clone());
        async move {
            let response = client
                .get(&*url)
                .header(AUTHORIZATION, contact)
                .send()
                .await?;
            api::expect(response, StatusCode::OK).await?;
            Ok(Some(()))
        }
    })
    .await
    .context("listing requests")?;
    if run.measured == 0 {
        bail!(
            "the gateway answered no list call: {}",
            run.first_error.clone().unwrap_or_default()
        );
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_services() -> Result<(), String> {
        let service = parse_service("work-orders=1234:19103")?;
        assert_eq!(
            (service.name.as_str(), service.pid, service.admin_port),
            ("work-orders", 1234, 19103)
        );
        assert!(parse_service("identity=12").is_err());
        Ok(())
    }
}
