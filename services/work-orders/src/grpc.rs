//! work-orders' gRPC API.
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id};
use portal_platform::paging::PageRequest;
use portal_platform::scope::{Narrowing, Scope};
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
        // Out of scope or narrowed away reads as unknown, so nothing leaks.
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|w| may_see(&claims, w))
            .ok_or_else(|| ServiceError::not_found("work order"))?;
        Ok(work_order_pb(row))
    }
}

/// Whether the caller may see this work order: the customer and site of its
/// request, and the same narrowing as the request itself (requests created
/// before a customer's "since" limit are hidden; a secure link for one work
/// order sees only that one).
pub fn may_see(claims: &Claims, w: &WorkOrderRow) -> bool {
    Scope::of(claims).allows(w.customer_id, Some(w.site_id))
        && Narrowing::of(claims).allows_copy(w.request_created_at, Some(w.id))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use portal_platform::auth::AccountKind;
    use uuid::Uuid;

    fn link(customer: Uuid, wo: Option<Uuid>, rvis: Option<i64>) -> Claims {
        Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            kind: AccountKind::Link,
            roles: vec![],
            cust: Some(customer),
            sites: vec![],
            wo,
            rvis,
            jti: Uuid::now_v7(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            aud: String::new(),
        }
    }

    fn work_order(customer: Uuid, request_created_at: Option<DateTime<Utc>>) -> WorkOrderRow {
        WorkOrderRow {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            request_id: Some(Uuid::now_v7()),
            customer_id: customer,
            site_id: Uuid::now_v7(),
            request_created_at,
            title: "Oven".into(),
            status: "to_plan".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_work_order_is_narrowed_like_its_request() {
        let c = Uuid::now_v7();
        let cut = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let old = work_order(c, Some(cut - chrono::Duration::seconds(1)));
        let new = work_order(c, Some(cut));
        let undated = work_order(c, None);
        let since = link(c, None, Some(cut.timestamp()));
        assert!(may_see(&since, &new));
        assert!(!may_see(&since, &old));
        assert!(!may_see(&since, &undated));
        let one = link(c, Some(new.id), None);
        assert!(may_see(&one, &new));
        assert!(!may_see(&one, &old));
        // No narrowing: every work order of the customer, dated or not.
        let all = link(c, None, None);
        assert!(may_see(&all, &undated));
        assert!(!may_see(&link(Uuid::now_v7(), None, None), &new));
    }
}
