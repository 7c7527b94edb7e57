//! Equipment from a file's rows (G1): every row checked (facts, the
//! tenant's fields, serial numbers against the tenant's and the file's);
//! written in one transaction only when none is refused, never for a
//! preview.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{self, Facts, Settings};
use super::{EquipmentError, Site};
use crate::planning::Staff;

/// Rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// A row as the file gives it, with the site the gateway found for it.
pub struct Row {
    pub line: i32,
    pub site_id: Uuid,
    pub cells: HashMap<String, String>,
}

pub struct Report {
    pub rows: usize,
    pub refused: Vec<(i32, String)>,
    pub written: bool,
}

fn cell(row: &Row, column: &str) -> String {
    row.cells
        .get(column)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Checks one row: its site known, its facts valid, its serial new.
pub fn check(
    row: &Row,
    sites: &HashMap<Uuid, Site>,
    settings: &Settings,
    today: NaiveDate,
    serials: &mut HashSet<String>,
) -> Result<(Site, Facts), String> {
    let site = sites
        .get(&row.site_id)
        .copied()
        .ok_or_else(|| "no such site".to_owned())?;
    let custom: BTreeMap<String, String> = row
        .cells
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("field:").map(|k| (k.to_owned(), v.clone())))
        .collect();
    let raw = Facts {
        kind: cell(row, "kind"),
        name: cell(row, "name"),
        make: cell(row, "make"),
        model: cell(row, "model"),
        serial_number: cell(row, "serial_number"),
        location: cell(row, "location"),
        installed_on: None,
        custom_fields: custom,
    };
    let facts = domain::facts(&raw, &cell(row, "installed_on"), today, settings)
        .map_err(|r| r.to_string())?;
    if !facts.serial_number.is_empty() && !serials.insert(facts.serial_number.to_lowercase()) {
        return Err(format!(
            "serial number '{}' is already used (in the file or by other equipment)",
            facts.serial_number
        ));
    }
    Ok((site, facts))
}

/// Checks every row, then writes them all (or nothing).
pub async fn run(
    tx: &mut PgConnection,
    by: &Staff,
    rows: Vec<Row>,
    sites: &HashMap<Uuid, Site>,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<Report, EquipmentError> {
    let settings = crate::store::equipment::settings(&mut *tx, by.tenant_id).await?;
    let mut serials: HashSet<String> = crate::store::equipment::serials(&mut *tx, by.tenant_id)
        .await?
        .into_iter()
        .collect();
    let today = now.date_naive();
    let mut checked = Vec::with_capacity(rows.len());
    let mut refused = Vec::new();
    for row in &rows {
        match check(row, sites, &settings, today, &mut serials) {
            Ok(ok) => checked.push(ok),
            Err(reason) => refused.push((row.line, reason)),
        }
    }
    if !refused.is_empty() || dry_run {
        return Ok(Report {
            rows: rows.len(),
            refused,
            written: false,
        });
    }
    for (site, facts) in checked {
        super::create(tx, by, site, facts, now).await?;
    }
    Ok(Report {
        rows: rows.len(),
        refused,
        written: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_needs_a_known_site_valid_facts_and_a_new_serial() {
        let site = Site {
            id: Uuid::now_v7(),
            customer_id: Uuid::now_v7(),
        };
        let sites: HashMap<Uuid, Site> = [(site.id, site)].into_iter().collect();
        let settings = Settings::default();
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let mut serials: HashSet<String> = ["sn-1".to_owned()].into_iter().collect();
        let row = |site_id: Uuid, cells: &[(&str, &str)]| Row {
            line: 2,
            site_id,
            cells: cells
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let ok = row(
            site.id,
            &[("kind", "Pump"), ("name", "P1"), ("serial_number", "SN-2")],
        );
        assert!(check(&ok, &sites, &settings, today, &mut serials).is_ok());
        for (r, why) in [
            (
                row(
                    site.id,
                    &[("kind", "Pump"), ("name", "P2"), ("serial_number", "sn-2")],
                ),
                "already used",
            ),
            (
                row(
                    site.id,
                    &[("kind", "Pump"), ("name", "P3"), ("serial_number", "SN-1")],
                ),
                "already used",
            ),
            (
                row(Uuid::now_v7(), &[("kind", "Pump"), ("name", "P4")]),
                "no such site",
            ),
            (row(site.id, &[("kind", "Pump")]), "name"),
            (
                row(
                    site.id,
                    &[("kind", "Pump"), ("name", "P5"), ("field:colour", "red")],
                ),
                "colour",
            ),
        ] {
            let e = check(&r, &sites, &settings, today, &mut serials)
                .err()
                .unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
    }
}
