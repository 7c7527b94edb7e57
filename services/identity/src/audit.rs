//! Who did it, for the audit log (G5): the account of the token, or nobody
//! (a link holder, a login), with the address the gateway saw.
use portal_platform::auth::{self, Claims};
use portal_platform::errors::ServiceResult;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::store;

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

    /// An account acting on itself before it holds a token (accepting an
    /// invitation, resetting a password).
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
    store::insert_audit(
        conn,
        &store::NewAudit {
            tenant_id,
            actor_id: actor.id,
            actor_kind: actor.kind,
            action,
            target_kind: target.0,
            target_id: target.1,
            detail,
            client_ip: actor.ip.as_deref(),
        },
    )
    .await?;
    Ok(())
}
