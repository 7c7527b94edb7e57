//! `cargo xtask parked`: the event messages each local service gave up on
//! (failed too often, or undecodable), kept in its `parked_events` table.

use std::process::Command;

use anyhow::Result;

use crate::infra::postgres;
use crate::services::BACKENDS;
use crate::{sys, url};

const QUERY: &str = "SELECT parked_at, consumer, subject, event_id, deliveries, error \
                     FROM parked_events ORDER BY parked_at";

pub fn run() -> Result<()> {
    let admin_url = postgres::prepare()?;
    for backend in &BACKENDS {
        let db_url = url::with_database(&admin_url, backend.database)?;
        let output =
            sys::capture(Command::new("psql").args([db_url.as_str(), "-X", "-q", "-c", QUERY]));
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
