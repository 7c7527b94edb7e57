//! What a service set aside for good, for the tenant's admins (F3, #13):
//! outbox rows NATS would never take (ADR 0024's dead letter) and messages
//! one of its consumers gave up on. Every backend serves this for its own
//! database; the gateway asks them all.
use chrono::{DateTime, Utc};
use portal_proto::operations::v1 as pb;
use portal_proto::operations::v1::operations_service_server::OperationsService;
use sqlx::FromRow;
use tonic::{Request, Response, Status};

use crate::auth::Authenticator;
use crate::db::SystemPool;
use crate::errors::{ServiceError, ServiceResult, reply};
use crate::permissions::Permission;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

pub struct Parked {
    pub service: &'static str,
    /// The owner's pool: neither table is behind the tenant wall (ADR
    /// 0018), so the query names the tenant itself.
    pub system: SystemPool,
    pub authn: Authenticator,
}

#[derive(Debug, FromRow)]
struct ParkedRow {
    stage: String,
    subject: String,
    event_type: String,
    event_id: String,
    error: String,
    attempts: i64,
    parked_at: DateTime<Utc>,
}

/// Both kinds of set-aside event of one tenant, newest first. A consumer
/// keeps the message's headers as given, the tenant among them.
const LIST: &str = "
    SELECT 'outbox' AS stage, subject, ce_type AS event_type, id::text AS event_id,
           coalesce(last_error, '') AS error, attempts::bigint AS attempts, parked_at
    FROM outbox WHERE parked_at IS NOT NULL AND tenant_id = $1
    UNION ALL
    SELECT consumer, subject, coalesce(headers -> 'ce-type' ->> 0, ''), coalesce(event_id, ''),
           error, deliveries, parked_at
    FROM parked_events WHERE headers -> 'ce-tenant' ->> 0 = $1::text
    ORDER BY parked_at DESC LIMIT $2";

/// The page size asked for, within bounds.
fn page_limit(asked: u32) -> i64 {
    let limit = if asked == 0 { DEFAULT_LIMIT } else { asked };
    i64::from(limit.min(MAX_LIMIT))
}

impl Parked {
    async fn list(
        &self,
        req: Request<pb::ListParkedRequest>,
    ) -> ServiceResult<pb::ListParkedResponse> {
        let claims = self.authn.claims(&req).await?;
        if !claims.may(Permission::ReadParkedEvents) {
            return Err(ServiceError::Forbidden(
                "only admins see the events set aside".into(),
            ));
        }
        let rows: Vec<ParkedRow> = sqlx::query_as(LIST)
            .bind(claims.tid)
            .bind(page_limit(req.get_ref().limit))
            .fetch_all(self.system.cross_tenant())
            .await?;
        Ok(pb::ListParkedResponse {
            items: rows
                .into_iter()
                .map(|r| pb::ParkedEvent {
                    stage: r.stage,
                    service: self.service.to_owned(),
                    subject: r.subject,
                    event_type: r.event_type,
                    event_id: r.event_id,
                    error: r.error,
                    attempts: r.attempts,
                    parked_at: Some(crate::time::to_proto(r.parked_at)),
                })
                .collect(),
        })
    }
}

#[tonic::async_trait]
impl OperationsService for Parked {
    async fn list_parked(
        &self,
        req: Request<pb::ListParkedRequest>,
    ) -> Result<Response<pb::ListParkedResponse>, Status> {
        reply(self.list(req).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limit_defaults_and_caps() {
        assert_eq!(page_limit(0), 50);
        assert_eq!(page_limit(10), 10);
        assert_eq!(page_limit(10_000), 200);
    }
}
