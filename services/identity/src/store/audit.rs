//! The audit log as admins read it: the shared columns (see
//! `portal_platform::audit`) with each actor's e-mail or link label.
use portal_platform::audit::AuditRow;
use portal_platform::paging::Key;
use sqlx::PgPool;
use uuid::Uuid;

/// Newest first, from before `before` (the last entry of the previous page).
pub async fn list_audit(
    pool: &PgPool,
    tenant_id: Uuid,
    before: Option<Key>,
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
         WHERE a.tenant_id = $1 AND ($2::timestamptz IS NULL OR (a.at, a.id) < ($2, $3))
         ORDER BY a.at DESC, a.id DESC LIMIT $4",
    )
    .bind(tenant_id)
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| b.1))
    .bind(limit)
    .fetch_all(pool)
    .await
}
