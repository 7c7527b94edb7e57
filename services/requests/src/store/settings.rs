//! Per-tenant request settings.
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use crate::domain::Settings;

pub async fn get(pool: &PgPool, tenant_id: Uuid) -> sqlx::Result<Settings> {
    read(pool, tenant_id).await
}

/// The settings in force, read with `db` (a new request's transaction).
pub async fn read<'e>(db: impl PgExecutor<'e>, tenant_id: Uuid) -> sqlx::Result<Settings> {
    let row: Option<(Vec<String>, Vec<String>)> = sqlx::query_as(
        "SELECT categories, required_fields FROM request_settings WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|(categories, required_fields)| Settings {
            categories,
            required_fields,
        })
        .unwrap_or_default())
}

pub async fn put(conn: &mut PgConnection, tenant_id: Uuid, s: &Settings) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO request_settings (tenant_id, categories, required_fields, updated_at)
         VALUES ($1, $2, $3, now())
         ON CONFLICT (tenant_id) DO UPDATE
            SET categories = EXCLUDED.categories, required_fields = EXCLUDED.required_fields,
                updated_at = now()",
    )
    .bind(tenant_id)
    .bind(&s.categories)
    .bind(&s.required_fields)
    .execute(conn)
    .await?;
    Ok(())
}
