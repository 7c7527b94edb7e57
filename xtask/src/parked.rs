//! `cargo xtask parked`: the event messages each local service gave up on
//! (failed too often, or undecodable), kept in its `parked_events` table,
//! and the outbox rows NATS refused for themselves (set aside, not sent).

use std::process::Command;

use anyhow::Result;

use crate::infra::postgres;
use crate::services::BACKENDS;
use crate::{sys, url};

const QUERY: &str = "SELECT parked_at, consumer, subject, event_id, deliveries, error \
                     FROM parked_events ORDER BY parked_at";
const OUTBOX: &str = "SELECT parked_at, 'outbox (not sent)' AS consumer, subject, id AS event_id, \
                      attempts AS deliveries, last_error AS error \
                      FROM outbox WHERE parked_at IS NOT NULL ORDER BY parked_at";

pub fn run() -> Result<()> {
    let admin_url = postgres::prepare()?;
    for backend in &BACKENDS {
        let db_url = url::with_database(&admin_url, backend.database)?;
        let output = sys::capture(Command::new("psql").args([
            db_url.as_str(),
            "-X",
            "-q",
            "-c",
            QUERY,
            "-c",
            OUTBOX,
        ]));
        match output {
            Ok(out) if out.status.success() => {
                println!(
                    "== {} ==\n{}",
                    backend.name,
                    String::from_utf8_lossy(&out.stdout)
                );
            }
            // A service that never ran has no database (or no table) yet.
            _ => println!("== {} ==\n(no database yet)\n", backend.name),
        }
    }
    Ok(())
}
