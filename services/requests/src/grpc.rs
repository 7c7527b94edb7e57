//! requests' gRPC API: checks who calls and what they may see, then
//! applies `domain` rules through `store`, with events in the same transaction.
use chrono::Utc;
use portal_platform::audit::{self, Actor};
use portal_platform::auth::{self, Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id, reply};
use portal_platform::outbox;
use portal_platform::paging::PageRequest;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::time::{opt_to_proto, to_proto};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::requests::v1 as pb;
use portal_proto::requests::v1::requests_service_server::RequestsService;
use sqlx::PgPool;
use tonic::transport::Channel;
use tonic::{Code, Request, Response, Status};
use uuid::Uuid;

use crate::domain::{self, Decision, Status as ReqStatus};
use crate::store::{self, ListFilter, RequestRow};

pub const SOURCE: &str = "/portal/requests";

pub struct Requests {
    pub pool: PgPool,
    pub authn: Authenticator,
    pub identity: IdentityServiceClient<Channel>,
    pub internal_token: String,
}

type Rpc<T> = Result<Response<T>, Status>;

impl Requests {
    async fn caller<T>(&self, req: &Request<T>) -> ServiceResult<Claims> {
        self.authn.claims(req).await
    }

    /// The request if it exists in the caller's tenant and scope; otherwise
    /// "not found", whether it exists elsewhere or not.
    async fn visible(&self, claims: &Claims, id: &str) -> ServiceResult<RequestRow> {
        let id = lookup_id("request", id)?;
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("request"))?;
        if Scope::of(claims).allows(row.customer_id, Some(row.site_id))
            && Narrowing::of(claims).allows(row.created_at, row.work_order_id)
        {
            Ok(row)
        } else {
            Err(ServiceError::not_found("request"))
        }
    }

    async fn create(&self, req: Request<pb::CreateRequestRequest>) -> ServiceResult<pb::Request> {
        let claims = self.caller(&req).await?;
        let Some(customer_id) = claims.cust.filter(|_| !claims.is_staff()) else {
            return Err(ServiceError::Forbidden(
                "only a customer's contact can submit a request".into(),
            ));
        };
        let r = req.into_inner();
        let new = domain::validate_new(&r.title, &r.description, &r.category, &r.priority)
            .map_err(ServiceError::Invalid)?;
        let site_id = parse_id("site_id", &r.site_id)?;
        // The site must exist and be in the contact's scope (a directory read).
        let site = self
            .identity
            .clone()
            .get_site(auth::with_internal(
                Request::new(idpb::GetSiteRequest {
                    tenant_id: claims.tid.to_string(),
                    site_id: site_id.to_string(),
                }),
                &self.internal_token,
            ))
            .await;
        let site = match site {
            Ok(s) => s.into_inner(),
            Err(s) if s.code() == Code::NotFound => {
                return Err(ServiceError::Invalid("unknown site".into()));
            }
            Err(s) => {
                return Err(ServiceError::Unavailable(format!(
                    "directory unavailable: {}",
                    s.message()
                )));
            }
        };
        let site_customer = parse_id("site", &site.customer_id)?;
        if !Scope::of(&claims).allows(site_customer, Some(site_id)) {
            return Err(ServiceError::Invalid("unknown site".into()));
        }
        let now = Utc::now();
        let row = RequestRow {
            id: Uuid::now_v7(),
            tenant_id: claims.tid,
            customer_id,
            site_id,
            contact_id: claims.sub,
            title: new.title,
            description: new.description,
            category: new.category,
            priority: new.priority,
            status: ReqStatus::Submitted.as_str().into(),
            work_order_id: None,
            reject_reason: String::new(),
            assignee: String::new(),
            planned_start: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.pool.begin().await?;
        store::insert(&mut tx, &row).await?;
        store::record_status(&mut tx, row.id, &row.status, claims.sub, "").await?;
        let event = ev::RequestSubmitted {
            tenant_id: row.tenant_id.to_string(),
            request_id: row.id.to_string(),
            customer_id: row.customer_id.to_string(),
            site_id: row.site_id.to_string(),
            contact_id: row.contact_id.to_string(),
            title: row.title.clone(),
            description: row.description.clone(),
            submitted_at: Some(to_proto(now)),
        };
        outbox::enqueue(&mut tx, row.tenant_id, SOURCE, &event).await?;
        tx.commit().await?;
        Ok(request_pb(row))
    }

    async fn list(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> ServiceResult<pb::ListRequestsResponse> {
        let claims = self.caller(&req).await?;
        let r = req.into_inner();
        let (customer_id, site_ids, visible) = Scope::of(&claims).sql_filter();
        if !visible {
            return Ok(pb::ListRequestsResponse::default());
        }
        let status = match r.status.trim() {
            "" => None,
            s => Some(
                ReqStatus::parse(s)
                    .ok_or_else(|| ServiceError::Invalid(format!("unknown status '{s}'")))?
                    .as_str()
                    .to_owned(),
            ),
        };
        let site_id = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let narrowing = Narrowing::of(&claims);
        let rows = store::list(
            &self.pool,
            &ListFilter {
                tenant_id: claims.tid,
                customer_id,
                site_ids,
                status,
                site_id,
                contact_id: r.mine.then_some(claims.sub),
                created_since: narrowing.since,
                work_order_id: narrowing.work_order,
                before: page.after,
                limit: page.fetch(),
            },
        )
        .await?;
        let (items, next_cursor) = page.split(rows, |r| (r.created_at, r.id));
        Ok(pb::ListRequestsResponse {
            items: items.into_iter().map(request_pb).collect(),
            next_cursor,
        })
    }

    async fn decide(
        &self,
        claims: Claims,
        actor: Actor,
        id: &str,
        decision: Decision,
        reason: &str,
    ) -> ServiceResult<pb::Request> {
        if !(claims.is_staff() && domain::may_decide(&claims.roles)) {
            // Contacts learn nothing about the request's existence.
            return Err(if claims.is_staff() {
                ServiceError::Forbidden("your role does not allow deciding on requests".into())
            } else {
                ServiceError::not_found("request")
            });
        }
        if decision == Decision::Reject && reason.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "a reason is required to reject a request".into(),
            ));
        }
        let id = lookup_id("request", id)?;
        let mut tx = self.pool.begin().await?;
        let mut row = store::get_for_update(&mut tx, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("request"))?;
        let current = ReqStatus::parse(&row.status)
            .ok_or_else(|| anyhow::anyhow!("stored status {}", row.status))?;
        let next = domain::decide(current, decision).map_err(ServiceError::WrongState)?;
        let now = Utc::now();
        row.status = next.as_str().into();
        row.reject_reason = reason.trim().into();
        row.updated_at = now;
        store::set_decision(&mut tx, id, &row.status, &row.reject_reason, now).await?;
        store::record_status(&mut tx, id, &row.status, claims.sub, &row.reject_reason).await?;
        match decision {
            Decision::Accept => {
                let event = ev::RequestAccepted {
                    tenant_id: row.tenant_id.to_string(),
                    request_id: row.id.to_string(),
                    customer_id: row.customer_id.to_string(),
                    site_id: row.site_id.to_string(),
                    contact_id: row.contact_id.to_string(),
                    title: row.title.clone(),
                    description: row.description.clone(),
                    accepted_by: claims.sub.to_string(),
                    accepted_at: Some(to_proto(now)),
                };
                outbox::enqueue(&mut tx, row.tenant_id, SOURCE, &event).await?;
            }
            Decision::Reject => {
                let event = ev::RequestRejected {
                    tenant_id: row.tenant_id.to_string(),
                    request_id: row.id.to_string(),
                    customer_id: row.customer_id.to_string(),
                    site_id: row.site_id.to_string(),
                    contact_id: row.contact_id.to_string(),
                    title: row.title.clone(),
                    reason: row.reject_reason.clone(),
                    rejected_by: claims.sub.to_string(),
                    rejected_at: Some(to_proto(now)),
                };
                outbox::enqueue(&mut tx, row.tenant_id, SOURCE, &event).await?;
            }
        }
        let (action, detail) = match decision {
            Decision::Accept => ("request.accepted", row.title.clone()),
            Decision::Reject => (
                "request.rejected",
                format!("{}: {}", row.title, row.reject_reason),
            ),
        };
        audit::record(
            &mut tx,
            row.tenant_id,
            &actor,
            action,
            ("request", Some(row.id)),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(request_pb(row))
    }

    /// Accepts and rejects, for the admins' audit log.
    async fn audit_page(
        &self,
        req: Request<portal_proto::audit::v1::ListAuditRequest>,
    ) -> ServiceResult<portal_proto::audit::v1::ListAuditResponse> {
        let claims = self.caller(&req).await?;
        if !claims.has_role("admin") {
            return Err(ServiceError::Forbidden(
                "only admins read the audit log".into(),
            ));
        }
        let r = req.get_ref();
        let page = PageRequest::parse(i32::try_from(r.limit).unwrap_or(i32::MAX), &r.cursor)?;
        let rows = audit::list(&self.pool, claims.tid, page.after, page.fetch()).await?;
        Ok(audit::page_pb(&page, rows))
    }
}

pub fn request_pb(r: RequestRow) -> pb::Request {
    pb::Request {
        id: r.id.to_string(),
        tenant_id: r.tenant_id.to_string(),
        customer_id: r.customer_id.to_string(),
        site_id: r.site_id.to_string(),
        contact_id: r.contact_id.to_string(),
        title: r.title,
        description: r.description,
        category: r.category,
        priority: r.priority,
        status: r.status,
        work_order_id: r.work_order_id.map(|w| w.to_string()).unwrap_or_default(),
        reject_reason: r.reject_reason,
        created_at: Some(to_proto(r.created_at)),
        updated_at: Some(to_proto(r.updated_at)),
        assignee: r.assignee,
        planned_start: opt_to_proto(r.planned_start),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl RequestsService for Requests {
    async fn create_request(&self, req: Request<pb::CreateRequestRequest>) -> Rpc<pb::Request> {
        reply(self.create(req).await)
    }

    async fn list_requests(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> Rpc<pb::ListRequestsResponse> {
        reply(self.list(req).await)
    }

    async fn get_request(&self, req: Request<pb::GetRequestRequest>) -> Rpc<pb::Request> {
        let result = async {
            let claims = self.caller(&req).await?;
            self.visible(&claims, &req.get_ref().id)
                .await
                .map(request_pb)
        }
        .await;
        reply(result)
    }

    async fn accept_request(&self, req: Request<pb::AcceptRequestRequest>) -> Rpc<pb::Request> {
        let result = async {
            let claims = self.caller(&req).await?;
            let actor = Actor::of(&claims, &req);
            self.decide(claims, actor, &req.get_ref().id, Decision::Accept, "")
                .await
        }
        .await;
        reply(result)
    }

    async fn reject_request(&self, req: Request<pb::RejectRequestRequest>) -> Rpc<pb::Request> {
        let result = async {
            let claims = self.caller(&req).await?;
            let actor = Actor::of(&claims, &req);
            let r = req.get_ref();
            self.decide(claims, actor, &r.id, Decision::Reject, &r.reason)
                .await
        }
        .await;
        reply(result)
    }

    async fn list_audit(
        &self,
        req: Request<portal_proto::audit::v1::ListAuditRequest>,
    ) -> Rpc<portal_proto::audit::v1::ListAuditResponse> {
        reply(self.audit_page(req).await)
    }
    async fn get_request_detail(
        &self,
        _req: Request<pb::GetRequestRequest>,
    ) -> Rpc<pb::RequestDetail> {
        Err(Status::unimplemented("GetRequestDetail"))
    }
    async fn add_comment(&self, _req: Request<pb::AddCommentRequest>) -> Rpc<pb::Comment> {
        Err(Status::unimplemented("AddComment"))
    }
    async fn assign_request(&self, _req: Request<pb::AssignRequestRequest>) -> Rpc<pb::Request> {
        Err(Status::unimplemented("AssignRequest"))
    }
    async fn close_request(&self, _req: Request<pb::CloseRequestRequest>) -> Rpc<pb::Request> {
        Err(Status::unimplemented("CloseRequest"))
    }
    async fn count_by_status(
        &self,
        _req: Request<pb::CountByStatusRequest>,
    ) -> Rpc<pb::StatusCounts> {
        Err(Status::unimplemented("CountByStatus"))
    }
    type ExportRequestsStream =
        std::pin::Pin<Box<dyn futures::Stream<Item = Result<pb::Request, Status>> + Send>>;

    async fn export_requests(
        &self,
        _req: Request<pb::ListRequestsRequest>,
    ) -> Rpc<Self::ExportRequestsStream> {
        Err(Status::unimplemented("ExportRequests"))
    }
    async fn get_request_settings(
        &self,
        _req: Request<pb::GetRequestSettingsRequest>,
    ) -> Rpc<pb::RequestSettings> {
        Err(Status::unimplemented("GetRequestSettings"))
    }
    async fn update_request_settings(
        &self,
        _req: Request<pb::RequestSettings>,
    ) -> Rpc<pb::RequestSettings> {
        Err(Status::unimplemented("UpdateRequestSettings"))
    }
}
