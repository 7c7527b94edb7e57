//! (7) Sites and equipment: 50 000 equipment at the bench's site (by SQL,
//! as work-orders' own rows; two thirds inspected, some on one inspection
//! work order), and what a contact opens over them, timed with their SQL:
//! the equipment list's first page, a search, the site summary and the
//! site's page (the dashboard).
use anyhow::{Context, Result};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use sqlx::PgPool;

use crate::counters::Counters;
use crate::load::Plan;
use crate::pages::{self, PageTiming};
use crate::seed::Owner;

pub const EQUIPMENT: i64 = 50_000;
/// Equipment recorded on the site's latest inspection work order.
const INSPECTED_ON_ONE_ORDER: i64 = 2_000;

/// Inserts the equipment, their status and one inspection's results.
pub async fn seed(database_url: &str, owner: Owner) -> Result<()> {
    let db = PgPool::connect(database_url)
        .await
        .context("connecting to the work-orders database")?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO equipment (id, tenant_id, customer_id, site_id, kind, name, make, model,
                                serial_number, location, installed_on, last_result,
                                last_inspected_at, created_at, updated_at)
         SELECT gen_random_uuid(), $1, $2, $3,
                (ARRAY['Boiler', 'Fire extinguisher', 'Refrigeration', 'Pump'])[1 + n % 4],
                'Equipment ' || lpad(n::text, 6, '0'), 'Make ' || n % 50, 'Model ' || n % 200,
                'SN-' || n, 'Level ' || n % 10, date '2015-01-01' + (n % 3000)::int,
                (CASE n % 3 WHEN 0 THEN 'conforming' WHEN 1 THEN 'non_conforming' END)::inspection_result,
                CASE WHEN n % 3 < 2 THEN now() - (n % 365) * interval '1 day' END, now(), now()
         FROM generate_series(1, $4) AS n",
    )
    .bind(owner.tenant)
    .bind(owner.customer)
    .bind(owner.site)
    .bind(EQUIPMENT)
    .execute(&mut *tx)
    .await
    .context("inserting the equipment")?;
    sqlx::query(
        "INSERT INTO inspection_results (tenant_id, work_order_id, equipment_id, result, remarks,
                                         by_id, by_name, recorded_at)
         SELECT e.tenant_id, w.id, e.id, e.last_result, '', gen_random_uuid(), 'Bench technician',
                now()
         FROM (SELECT id FROM work_orders WHERE tenant_id = $1 AND site_id = $2 LIMIT 1) AS w,
              (SELECT tenant_id, id, last_result FROM equipment
               WHERE tenant_id = $1 AND last_result IS NOT NULL LIMIT $3) AS e",
    )
    .bind(owner.tenant)
    .bind(owner.site)
    .bind(INSPECTED_ON_ONE_ORDER)
    .execute(&mut *tx)
    .await
    .context("inserting inspection results")?;
    tx.commit().await?;
    sqlx::query("ANALYZE equipment, inspection_results")
        .execute(&db)
        .await?;
    Ok(())
}

/// Times the contact's API calls (its bearer token) and page (its session
/// cookies) over the site's equipment.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    plan: &Plan,
    base: &str,
    slug: &str,
    site_id: &str,
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
                "equipment list, first 20 by name (contact)",
                format!("/api/v1/sites/{site_id}/equipment"),
                bearer.clone(),
            ),
            (
                "equipment search ?q= (contact)",
                "/api/v1/equipment?q=sn-4711".to_owned(),
                bearer.clone(),
            ),
            (
                "site summary (contact)",
                format!("/api/v1/sites/{site_id}/summary"),
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
                "page: the site's dashboard (contact)",
                format!("/t/{slug}/sites/{site_id}"),
                cookies,
            )],
            counters,
            background_sql_per_s,
        )
        .await?,
    );
    Ok(out)
}
