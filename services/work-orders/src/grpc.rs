//! work-orders' gRPC API.
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id};
use portal_platform::scope::Scope;
use portal_platform::time::to_proto;
use portal_proto::work_orders::v1 as pb;
use portal_proto::work_orders::v1::work_orders_service_server::WorkOrdersService;
use sqlx::PgPool;
use tonic::{Request, Response, Status};

use crate::domain;
use crate::store::{self, WorkOrderRow};

pub struct WorkOrders {
    pub pool: PgPool,
    pub authn: Authenticator,
}

type Rpc<T> = Result<Response<T>, Status>;

impl WorkOrders {
    async fn caller<T>(&self, req: &Request<T>) -> ServiceResult<Claims> {
        self.authn.claims(req).await
    }

    async fn list(
        &self,
        req: Request<pb::ListWorkOrdersRequest>,
    ) -> ServiceResult<pb::ListWorkOrdersResponse> {
        let claims = self.caller(&req).await?;
        if !claims.is_staff() {
            return Err(ServiceError::Forbidden(
                "the work-order list is for staff".into(),
            ));
        }
        let r = req.into_inner();
        let status = match r.status.trim() {
            "" => None,
            s => Some(
                domain::Status::parse(s)
                    .ok_or_else(|| ServiceError::Invalid(format!("unknown status '{s}'")))?,
            ),
        };
        let before = match r.cursor.split_once('.') {
            None if r.cursor.is_empty() => None,
            Some((micros, id)) => {
                let at = micros
                    .parse()
                    .ok()
                    .and_then(chrono::DateTime::from_timestamp_micros);
                let id = id.parse().ok();
                Some(
                    at.zip(id)
                        .ok_or_else(|| ServiceError::Invalid("invalid cursor".into()))?,
                )
            }
            None => return Err(ServiceError::Invalid("invalid cursor".into())),
        };
        let limit = i64::from(if r.limit <= 0 { 20 } else { r.limit.min(100) });
        let rows = store::list(
            &self.pool,
            claims.tid,
            status.map(domain::Status::as_str),
            before,
            limit + 1,
        )
        .await?;
        let take = usize::try_from(limit).unwrap_or(20);
        let more = rows.len() > take;
        let items: Vec<WorkOrderRow> = rows.into_iter().take(take).collect();
        let next_cursor = match (more, items.last()) {
            (true, Some(l)) => format!("{}.{}", l.created_at.timestamp_micros(), l.id.simple()),
            _ => String::new(),
        };
        Ok(pb::ListWorkOrdersResponse {
            items: items.into_iter().map(work_order_pb).collect(),
            next_cursor,
        })
    }

    async fn get(&self, req: Request<pb::GetWorkOrderRequest>) -> ServiceResult<pb::WorkOrder> {
        let claims = self.caller(&req).await?;
        let id = lookup_id("work order", &req.get_ref().id)?;
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|w| Scope::of(&claims).allows(w.customer_id, Some(w.site_id)))
            .ok_or_else(|| ServiceError::not_found("work order"))?;
        Ok(work_order_pb(row))
    }
}

fn work_order_pb(w: WorkOrderRow) -> pb::WorkOrder {
    pb::WorkOrder {
        id: w.id.to_string(),
        tenant_id: w.tenant_id.to_string(),
        request_id: w.request_id.map(|r| r.to_string()).unwrap_or_default(),
        customer_id: w.customer_id.to_string(),
        site_id: w.site_id.to_string(),
        title: w.title,
        status: w.status,
        created_at: Some(to_proto(w.created_at)),
    }
}

#[tonic::async_trait]
impl WorkOrdersService for WorkOrders {
    async fn list_work_orders(
        &self,
        req: Request<pb::ListWorkOrdersRequest>,
    ) -> Rpc<pb::ListWorkOrdersResponse> {
        self.list(req)
            .await
            .map(Response::new)
            .map_err(Status::from)
    }

    async fn get_work_order(&self, req: Request<pb::GetWorkOrderRequest>) -> Rpc<pb::WorkOrder> {
        self.get(req).await.map(Response::new).map_err(Status::from)
    }
}
