//! The results: one table on the terminal, the same figures as JSON under
//! `target/bench/` (`<timestamp>.json` and `latest.json`) for comparisons.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::counters::Snapshot;
use crate::golden::Golden;
use crate::load::Run;
use crate::stats::Latency;

#[derive(Serialize)]
pub struct Report {
    /// RFC 3339, UTC.
    pub started_at: String,
    pub machine: Machine,
    pub settings: Settings,
    /// From starting the first service to the gateway's `/readyz` answering
    /// 200 (every backend serving), fresh databases migrated on the way.
    pub startup_to_ready_s: f64,
    /// What the services run when nobody calls them (relays, timers).
    pub background_sql_per_s: f64,
    /// (1) axum + sqlx primary-key SELECT, plain HTTP on loopback.
    pub ceiling: Throughput,
    /// (2) the contact's `GET /api/v1/requests?limit=20` through the gateway.
    pub list: List,
    /// (2b) other pages of 20 over the same rows: filters, search, sorts.
    pub list_variants: Vec<ListVariant>,
    /// (2c) the list and one request on one connection, calls in sequence.
    pub single_connection: Vec<ListVariant>,
    /// (2d) the web pages, with their SQL statements per view.
    pub pages: Vec<crate::pages::PageTiming>,
    /// (2b) a CSV download of every seeded request.
    pub export: Export,
    /// (3) create, accept, work order, mail.
    pub golden: Golden,
    /// (6) the dispatch board over 10 000 work orders, and plan -> mail.
    pub board: crate::board::Board,
    /// (7) a site with 50 000 equipment: list, search, summary, its page.
    pub equipment: Vec<crate::pages::PageTiming>,
    /// (8) 100 000 documents: lists, search, the page.
    pub documents: Vec<crate::pages::PageTiming>,
    /// (8) a 100 MiB file published through the gateway, and the memory
    /// of the gateway and documents while it streamed.
    pub upload: crate::documents::Upload,
    /// (4) by process.
    pub rss_mib: BTreeMap<String, Rss>,
}

#[derive(Serialize)]
pub struct Machine {
    pub cores: usize,
    /// `/proc/loadavg` when the load started: other work on the machine
    /// disturbs the figures.
    pub load_average_at_start: String,
}

#[derive(Serialize)]
pub struct Settings {
    pub seeded_requests: u64,
    pub connections: usize,
    pub warmup_s: f64,
    pub measure_s: f64,
}

#[derive(Serialize)]
pub struct List {
    pub api: Throughput,
    pub ratio_to_ceiling: f64,
    /// (5) every service's statements during the scenario, less the idle
    /// background, per call.
    pub sql_per_call: f64,
    pub sql_by_service: Snapshot,
}

#[derive(Serialize)]
pub struct ListVariant {
    pub name: String,
    pub api: Throughput,
}

#[derive(Serialize)]
pub struct Export {
    pub rows: u64,
    pub bytes: u64,
    pub first_byte_s: f64,
    pub total_s: f64,
}

#[derive(Serialize)]
pub struct Rss {
    pub idle: f64,
    pub under_load_max: f64,
}

#[derive(Serialize)]
pub struct Throughput {
    pub per_second: f64,
    /// Successful calls after the warm-up.
    pub measured: u64,
    /// All calls made, warm-up and failures included.
    pub calls: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub latency: Latency,
}

impl Throughput {
    pub fn of<T>(run: &Run<T>) -> Self {
        Self {
            per_second: run.per_second(),
            measured: run.measured,
            calls: run.calls,
            errors: run.errors,
            first_error: run.first_error.clone(),
            latency: run.latency(),
        }
    }
}

impl Report {
    pub fn write(&self, out_dir: &Path) -> Result<std::path::PathBuf> {
        std::fs::create_dir_all(out_dir)
            .with_context(|| format!("creating {}", out_dir.display()))?;
        let json = serde_json::to_string_pretty(self)?;
        let stamp = self.started_at.replace([':', '-'], "");
        let path = out_dir.join(format!("{stamp}.json"));
        std::fs::write(&path, &json).with_context(|| format!("writing {}", path.display()))?;
        let latest = out_dir.join("latest.json");
        std::fs::write(&latest, &json).with_context(|| format!("writing {}", latest.display()))?;
        Ok(path)
    }

    pub fn print(&self) {
        let s = &self.settings;
        println!(
            "\nPortal benchmark {}: {} cores (load average {} at start), {} connections, \
             {:.0} s measured after {:.0} s warm-up, {} seeded requests",
            self.started_at,
            self.machine.cores,
            self.machine.load_average_at_start,
            s.connections,
            s.measure_s,
            s.warmup_s,
            s.seeded_requests
        );
        let mut table = Table::default();
        table.row(["", "per s", "p50 ms", "p99 ms", "notes"].map(String::from));
        table.throughput(
            "(1) ceiling: axum + sqlx PK SELECT, HTTP",
            &self.ceiling,
            String::new(),
        );
        let list = &self.list;
        table.throughput(
            "(2) GET /api/v1/requests?limit=20 (contact)",
            &list.api,
            format!("{:.1} % of (1)", 100.0 * list.ratio_to_ceiling),
        );
        for v in &self.list_variants {
            table.throughput(&format!("(2b) {}", v.name), &v.api, String::new());
        }
        for v in &self.single_connection {
            table.throughput(
                &format!("(2c) {}", v.name),
                &v.api,
                "a lone user's wait".into(),
            );
        }
        for p in &self.pages {
            table.throughput(
                &format!("(2d) page, {}", p.name),
                &p.api,
                format!("{:.1} SQL per view", p.sql_per_call),
            );
        }
        table.note(
            "(2b) export.csv, every request (staff)",
            format!(
                "{} rows, {:.1} MB, first byte {:.2} s, all {:.2} s",
                self.export.rows,
                self.export.bytes as f64 / 1e6,
                self.export.first_byte_s,
                self.export.total_s
            ),
        );
        let g = &self.golden;
        let capacity = &g.accept_capacity;
        table.throughput(
            "(3) accept, back to back (API)",
            &capacity.api,
            format!(
                "contact without mails; work orders created {:.1}/s",
                capacity.work_orders_per_second
            ),
        );
        let mails = &g.mail_capacity;
        table.row([
            "(3) mails handed to SMTP, backlog draining".into(),
            format!("{:.1}", mails.per_second),
            String::new(),
            String::new(),
            format!("{} \"new request\" mails", mails.arrived),
        ]);
        table.row([
            "(3) accepts sustained end to end".into(),
            format!("{:.1}", g.sustained_per_second),
            String::new(),
            String::new(),
            "the slowest of the three above".into(),
        ]);
        let paced = &g.paced;
        table.throughput(
            &format!(
                "(3) accept, paced at {:.0}/s (API)",
                paced.target_per_second
            ),
            &paced.api,
            String::new(),
        );
        table.latency(
            "(3)   accept 200 -> work order created",
            &paced.to_work_order,
            missing(paced.missing_work_orders),
        );
        table.latency(
            "(3)   accept 200 -> mail handed to SMTP",
            &paced.to_mail,
            missing(paced.missing_mails),
        );
        table.latency(
            "(3)   accept sent -> work order created",
            &paced.to_work_order_from_send,
            format!("{} seen before the 200", paced.work_orders_before_200),
        );
        table.latency(
            "(3)   accept sent -> mail handed to SMTP",
            &paced.to_mail_from_send,
            String::new(),
        );
        let board = &self.board;
        table.throughput(
            "(6) board week, GET /work-orders?from&to (staff)",
            &board.week,
            format!(
                "{} of {} work orders in the week; {:.1} % of (1)",
                board.in_week,
                board.work_orders,
                if self.ceiling.per_second > 0.0 {
                    100.0 * board.week.per_second / self.ceiling.per_second
                } else {
                    0.0
                }
            ),
        );
        table.latency(
            "(6)   plan 200 -> contact's mail at SMTP",
            &board.plan_to_mail,
            missing(board.missing_mails),
        );
        for p in &self.equipment {
            table.throughput(
                &format!("(7) {}", p.name),
                &p.api,
                format!(
                    "{} equipment at the site; {:.1} SQL per call",
                    crate::equipment::EQUIPMENT,
                    p.sql_per_call
                ),
            );
        }
        for p in &self.documents {
            table.throughput(
                &format!("(8) {}", p.name),
                &p.api,
                format!(
                    "{} documents; {:.1} SQL per call",
                    crate::documents::DOCUMENTS,
                    p.sql_per_call
                ),
            );
        }
        let up = &self.upload;
        table.note(
            &format!("(8) upload of {} MiB (admin, one file)", up.mib),
            format!("{:.1} s, {:.1} MiB/s", up.seconds, up.mib_per_second),
        );
        for (name, rss) in &up.rss_mib {
            table.note(
                &format!("(8)   RSS {name} during the upload"),
                format!(
                    "before {:.1} MiB, peak {:.1} MiB (+{:.1})",
                    rss.before,
                    rss.peak,
                    rss.peak - rss.before
                ),
            );
        }
        table.note(
            "(4) start to all six ready",
            format!("{:.2} s", self.startup_to_ready_s),
        );
        for (name, rss) in &self.rss_mib {
            table.note(
                &format!("(4) RSS {name}"),
                format!(
                    "idle {:.1} MiB, under load {:.1} MiB",
                    rss.idle, rss.under_load_max
                ),
            );
        }
        table.note(
            "(5) SQL statements per list call",
            sql(list.sql_per_call, &list.sql_by_service, list.api.calls),
        );
        table.note(
            "(5) SQL statements per accept, end to end",
            sql(paced.sql_per_accept, &paced.sql_by_service, paced.api.calls),
        );
        table.note(
            "(5) SQL statements per accept, without mail",
            sql(
                capacity.sql_per_accept,
                &capacity.sql_by_service,
                capacity.api.calls,
            ),
        );
        table.note(
            "(5) idle background",
            format!(
                "{:.1} statements/s, subtracted above",
                self.background_sql_per_s
            ),
        );
        table.print();
        for (what, throughput) in [
            ("ceiling", &self.ceiling),
            ("list", &list.api),
            ("create", &mails.create),
            ("accept (back to back)", &capacity.api),
            ("board week", &self.board.week),
            ("accept (paced)", &paced.api),
        ] {
            if let Some(error) = &throughput.first_error {
                println!("{what}: {} errors, first: {error}", throughput.errors);
            }
        }
    }
}

/// `2.00 (requests 2.00, identity 0.01)`: net per call, then raw per call
/// by service (background included).
fn sql(per_call: f64, by_service: &Snapshot, calls: u64) -> String {
    let services = by_service
        .iter()
        .map(|(name, count)| (name, count / calls.max(1) as f64))
        .filter(|(_, per_call)| *per_call >= 0.005)
        .map(|(name, per_call)| format!("{name} {per_call:.2}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{per_call:.2} ({services})")
}

fn missing(count: usize) -> String {
    if count == 0 {
        String::new()
    } else {
        format!("{count} never seen")
    }
}

/// Left-aligned first and last columns, right-aligned numbers.
#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    fn row(&mut self, row: [String; 5]) {
        self.rows.push(row);
    }

    fn throughput(&mut self, what: &str, t: &Throughput, notes: String) {
        let notes = if t.errors > 0 {
            format!("{notes} {} errors", t.errors).trim().to_owned()
        } else {
            notes
        };
        self.row([
            what.to_owned(),
            format!("{:.1}", t.per_second),
            format!("{:.2}", t.latency.p50_ms),
            format!("{:.2}", t.latency.p99_ms),
            notes,
        ]);
    }

    fn note(&mut self, what: &str, notes: String) {
        self.row([
            what.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            notes,
        ]);
    }

    fn latency(&mut self, what: &str, latency: &Latency, notes: String) {
        self.row([
            what.to_owned(),
            String::new(),
            format!("{:.2}", latency.p50_ms),
            format!("{:.2}", latency.p99_ms),
            notes,
        ]);
    }

    fn print(&self) {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths = [width(0), width(1), width(2), width(3)];
        for row in &self.rows {
            println!(
                "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
            );
        }
    }
}

/// The golden path of a run on another stack (`--golden-only`), as JSON:
/// `golden-<label>.json`, the label's words joined by dashes.
pub fn write_golden(out_dir: &Path, label: &str, golden: &Golden) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let slug: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let path = out_dir.join(format!("golden-{}.json", slug.trim_matches('-')));
    let json =
        serde_json::to_string_pretty(&serde_json::json!({"label": label, "golden": golden}))?;
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The golden path on `label` beside the last full run's (`latest.json`,
/// one nats-server), figure by figure.
pub fn compare_golden(out_dir: &Path, label: &str, golden: &Golden) {
    let single: Option<serde_json::Value> = std::fs::read_to_string(out_dir.join("latest.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let ours = serde_json::to_value(golden).unwrap_or_default();
    let figure = |value: &serde_json::Value, path: &str| {
        value
            .pointer(path)
            .and_then(serde_json::Value::as_f64)
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
    };
    println!("\nGolden path: one nats-server (the full run above) beside {label}");
    println!("{:<48} {:>14} {:>14}", "", "one server", "cluster");
    for (what, path) in [
        (
            "accepts back to back, /s (API)",
            "/accept_capacity/api/per_second",
        ),
        (
            "work orders created, /s",
            "/accept_capacity/work_orders_per_second",
        ),
        ("accepts sustained end to end, /s", "/sustained_per_second"),
        ("paced rate, /s", "/paced/target_per_second"),
        (
            "accept 200 -> work order, p50 ms",
            "/paced/to_work_order/p50_ms",
        ),
        (
            "accept 200 -> work order, p99 ms",
            "/paced/to_work_order/p99_ms",
        ),
        (
            "accept 200 -> mail to SMTP, p50 ms",
            "/paced/to_mail/p50_ms",
        ),
        (
            "accept 200 -> mail to SMTP, p99 ms",
            "/paced/to_mail/p99_ms",
        ),
        ("missing work orders", "/paced/missing_work_orders"),
        ("missing mails", "/paced/missing_mails"),
        ("SQL statements per accept", "/paced/sql_per_accept"),
    ] {
        let single = single
            .as_ref()
            .map_or_else(|| "-".to_owned(), |s| figure(s, &format!("/golden{path}")));
        println!("{what:<48} {single:>14} {:>14}", figure(&ours, path));
    }
}
