//! The audit log (G5): who changed what, when, from which address. Each
//! service keeps an `audit_log` table in its own database (same columns,
//! created by its migrations) and writes a row in the transaction of the
//! change it records, so a change and its audit row land together.
use chrono::{DateTime, Utc};
use portal_proto::audit::v1 as pb;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::{self, Claims};
use crate::errors::ServiceResult;
use crate::paging::{Key, PageRequest};
use crate::time::to_proto;

/// Who did it: the account of the token, with the address the gateway saw.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub kind: &'static str,
    pub ip: Option<String>,
}

impl Actor {
    pub fn of<T>(claims: &Claims, req: &tonic::Request<T>) -> Self {
        Self {
            id: Some(claims.sub),
            kind: claims.kind.as_str(),
            ip: auth::client_ip(req.metadata()),
        }
    }

    /// An account acting before it holds a token (accepting an invitation,
    /// resetting a password, opening a secure link).
    pub fn account(kind: &'static str, id: Uuid, ip: Option<String>) -> Self {
        Self {
            id: Some(id),
            kind,
            ip,
        }
    }
}

/// One audit row, written in the caller's transaction with the change.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    action: &str,
    target: (&str, Option<Uuid>),
    detail: String,
) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor_id, actor_kind, action, target_kind, target_id,
                                detail, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(actor.id)
    .bind(actor.kind)
    .bind(action)
    .bind(target.0)
    .bind(target.1)
    .bind(detail)
    .bind(actor.ip.as_deref())
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
    /// Filled by services that know names (identity); empty elsewhere.
    pub actor_label: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<Uuid>,
    pub detail: String,
    pub client_ip: Option<String>,
}

/// A page of a tenant's log, newest first, without actor labels.
pub async fn list(
    pool: &PgPool,
    tenant_id: Uuid,
    before: Option<Key>,
    limit: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as(
        "SELECT id, at, actor_id, actor_kind, '' AS actor_label, action, target_kind, target_id,
                detail, client_ip
         FROM audit_log
         WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (at, id) < ($2, $3))
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(tenant_id)
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| b.1))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The answer to `ListAudit`, from rows fetched with `page.fetch()`.
pub fn page_pb(page: &PageRequest, rows: Vec<AuditRow>) -> pb::ListAuditResponse {
    let (rows, next_cursor) = page.split(rows, |a| (a.at, a.id));
    pb::ListAuditResponse {
        items: rows.into_iter().map(entry_pb).collect(),
        next_cursor,
    }
}

pub fn entry_pb(a: AuditRow) -> pb::AuditEntry {
    pb::AuditEntry {
        id: a.id.to_string(),
        at: Some(to_proto(a.at)),
        actor_id: a.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        actor_kind: a.actor_kind,
        actor_label: a.actor_label,
        action: a.action,
        target_kind: a.target_kind,
        target_id: a.target_id.map(|i| i.to_string()).unwrap_or_default(),
        detail: a.detail,
        client_ip: a.client_ip.unwrap_or_default(),
    }
}
