//! The audit log: who changed access, when, from where.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

pub struct NewAudit<'a> {
    pub tenant_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_kind: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<Uuid>,
    pub detail: String,
    pub client_ip: Option<&'a str>,
}

pub async fn insert_audit(conn: &mut PgConnection, a: &NewAudit<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor_id, actor_kind, action, target_kind, target_id,
                                detail, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::now_v7())
    .bind(a.tenant_id)
    .bind(a.actor_id)
    .bind(a.actor_kind)
    .bind(a.action)
    .bind(a.target_kind)
    .bind(a.target_id)
    .bind(&a.detail)
    .bind(a.client_ip)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_kind: String,
    pub actor_label: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<Uuid>,
    pub detail: String,
    pub client_ip: Option<String>,
}

/// Newest first; `before` is the last id of the previous page (ids are
/// time-ordered UUIDv7).
pub async fn list_audit(
    pool: &PgPool,
    tenant_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as(
        "SELECT a.id, a.at, a.actor_id, a.actor_kind,
                coalesce(s.email, c.email, l.label, '') AS actor_label,
                a.action, a.target_kind, a.target_id, a.detail, a.client_ip
         FROM audit_log a
         LEFT JOIN staff_users s ON a.actor_kind = 'staff' AND s.id = a.actor_id
         LEFT JOIN contacts c ON a.actor_kind = 'contact' AND c.id = a.actor_id
         LEFT JOIN secure_links l ON a.actor_kind = 'link' AND l.id = a.actor_id
         WHERE a.tenant_id = $1 AND ($2::uuid IS NULL OR a.id < $2)
         ORDER BY a.id DESC LIMIT $3",
    )
    .bind(tenant_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await
}
