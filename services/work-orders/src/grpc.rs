//! work-orders' gRPC API.
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id};
use portal_platform::paging::PageRequest;
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
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let rows = store::list(
            &self.pool,
            claims.tid,
            status.map(domain::Status::as_str),
            page.after,
            page.fetch(),
        )
        .await?;
        let (items, next_cursor) = page.split(rows, |w| (w.created_at, w.id));
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
