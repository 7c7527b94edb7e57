//! requests' gRPC API: checks who calls and what they may see, then
//! applies `domain` rules through `store`, with events in the same transaction.
use chrono::Utc;
use portal_platform::audit::{self, Actor};
use portal_platform::auth::{self, Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id, reply};
use portal_platform::outbox;
use portal_platform::paging::PageRequest;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::service_tls::Backend;
use portal_platform::time::{opt_to_proto, to_proto};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::requests::v1 as pb;
use portal_proto::requests::v1::requests_service_server::RequestsService;
use sqlx::PgPool;
use tonic::{Code, Request, Response, Status};
use uuid::Uuid;

use crate::domain::{self, Decision, Refusal, Status as ReqStatus, Who};
use crate::intake::{self, Origin, SubmitError};
use crate::store::{self, RequestRow};

mod lists;
mod tickets;

pub use tickets::comment_pb;

pub type ExportStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<pb::Request, Status>> + Send>>;

/// The rules' view of the caller.
pub fn who(claims: &Claims) -> Who<'_> {
    if claims.is_staff() {
        Who::Staff {
            id: claims.sub,
            roles: &claims.roles,
        }
    } else {
        Who::Contact { id: claims.sub }
    }
}

/// A rule's refusal as the service's error.
pub fn refused(r: Refusal) -> ServiceError {
    match r {
        Refusal::Forbidden(m) => ServiceError::Forbidden(m),
        Refusal::NotYours => ServiceError::not_found("request"),
        Refusal::WrongState(m) => ServiceError::WrongState(m),
        Refusal::Invalid(m) => ServiceError::Invalid(m),
    }
}

/// A refused submission as the service's error.
pub fn submit_refused(e: SubmitError) -> ServiceError {
    match e {
        SubmitError::Invalid(why) => ServiceError::Invalid(why.to_string()),
        SubmitError::Db(e) => e.into(),
    }
}

/// Whether the caller's scope shows this request.
pub fn may_see(claims: &Claims, row: &RequestRow) -> bool {
    Scope::of(claims).allows(row.customer_id, Some(row.site_id))
        && Narrowing::of(claims).allows(row.created_at, row.work_order_id)
}

pub const SOURCE: &str = "/portal/requests";

pub struct Requests {
    pub pool: PgPool,
    pub authn: Authenticator,
    pub identity: IdentityServiceClient<Backend>,
    /// requests' own credential (directory reads).
    pub credential: portal_platform::callers::Credential,
}

type Rpc<T> = Result<Response<T>, Status>;

impl Requests {
    pub(crate) async fn caller<T>(&self, req: &Request<T>) -> ServiceResult<Claims> {
        self.authn.claims(req).await
    }

    /// The request if it exists in the caller's tenant and scope; otherwise
    /// "not found", whether it exists elsewhere or not.
    pub(crate) async fn visible(&self, claims: &Claims, id: &str) -> ServiceResult<RequestRow> {
        let id = lookup_id("request", id)?;
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("request"))?;
        if may_see(claims, &row) {
            Ok(row)
        } else {
            Err(ServiceError::not_found("request"))
        }
    }

    /// Translates the call to [`intake::submit`]: the site and the caller's
    /// details are read from the directory first.
    async fn create(&self, req: Request<pb::CreateRequestRequest>) -> ServiceResult<pb::Request> {
        let claims = self.caller(&req).await?;
        let Some(customer_id) = claims.cust.filter(|_| !claims.is_staff()) else {
            return Err(ServiceError::Forbidden(
                "only a customer's contact can submit a request".into(),
            ));
        };
        let r = req.into_inner();
        let opt_id = |field: &str, v: &str| match v.trim() {
            "" => Ok(None),
            s => parse_id(field, s).map(Some),
        };
        let equipment_id = opt_id("equipment_id", &r.equipment_id)?;
        let contract_id = opt_id("contract_id", &r.contract_id)?;
        let site_id = parse_id("site_id", &r.site_id)?;
        let site = self.site(claims.tid, site_id).await?;
        let (contact_name, contact_email) = match (r.contact_name.trim(), r.contact_email.trim()) {
            ("", "") => self.contact_details(&claims).await,
            (n, e) => (n.to_owned(), e.to_owned()),
        };
        let cmd = intake::Submit {
            tenant_id: claims.tid,
            contact_id: claims.sub,
            customer_id,
            scope: Scope::of(&claims),
            site,
            title: r.title,
            description: r.description,
            category: r.category,
            priority: r.priority,
            severity: r.severity,
            equipment_id,
            contract_id,
            site_address: r.site_address,
            contact_name,
            contact_email,
            contact_phone: r.contact_phone,
            at: Utc::now(),
        };
        let mut tx = self.pool.begin().await?;
        let submitted = intake::submit(&mut tx, cmd, Origin::Portal)
            .await
            .map_err(submit_refused)?;
        tx.commit().await?;
        Ok(request_pb(submitted.request, false))
    }

    /// The site as the directory knows it; `None` when it knows no such site.
    async fn site(&self, tenant_id: Uuid, site_id: Uuid) -> ServiceResult<Option<intake::Site>> {
        let found = self
            .identity
            .clone()
            .get_site(self.credential.sign(Request::new(idpb::GetSiteRequest {
                tenant_id: tenant_id.to_string(),
                site_id: site_id.to_string(),
            })))
            .await;
        match found {
            Ok(s) => {
                let s = s.into_inner();
                Ok(Some(intake::Site {
                    id: site_id,
                    customer_id: parse_id("site", &s.customer_id)?,
                    address: s.address,
                }))
            }
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(ServiceError::Unavailable(format!(
                "directory unavailable: {}",
                s.message()
            ))),
        }
    }

    /// The caller's name and address from the directory, to prefill a new
    /// request; blank when the caller is not a contact (a secure link) or
    /// the directory does not answer (the request is still taken).
    async fn contact_details(&self, claims: &Claims) -> (String, String) {
        if claims.kind != auth::AccountKind::Contact {
            return (String::new(), String::new());
        }
        let found = self
            .identity
            .clone()
            .get_contact(self.credential.sign(Request::new(idpb::GetContactRequest {
                tenant_id: claims.tid.to_string(),
                contact_id: claims.sub.to_string(),
            })))
            .await;
        match found {
            Ok(c) => {
                let c = c.into_inner();
                (c.name, c.email)
            }
            Err(s) => {
                tracing::warn!(error = %s.message(), "contact details unavailable");
                (String::new(), String::new())
            }
        }
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
                    request_created_at: Some(to_proto(row.created_at)),
                    equipment_id: row.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
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
        Ok(request_pb(row, true))
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

/// The request as `staff` (every comment counted) or a contact sees it.
pub fn request_pb(r: RequestRow, staff: bool) -> pb::Request {
    let id = |v: Option<Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
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
        severity: r.severity,
        equipment_id: id(r.equipment_id),
        contract_id: id(r.contract_id),
        assignee_id: id(r.assignee_id),
        due_date: opt_to_proto(r.due_date),
        closed_at: opt_to_proto(r.closed_at),
        closed_by: id(r.closed_by),
        site_address: r.site_address,
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        contact_phone: r.contact_phone,
        comment_count: u32::try_from(if staff {
            r.all_comments
        } else {
            r.public_comments
        })
        .unwrap_or(0),
        source: r.source,
        planned_end: opt_to_proto(r.plan.planned_end),
        technicians: r
            .plan
            .technicians
            .0
            .into_iter()
            .map(|t| pb::PlannedTechnician {
                id: t.id.to_string(),
                name: t.name,
            })
            .collect(),
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
            let staff = claims.is_staff();
            self.visible(&claims, &req.get_ref().id)
                .await
                .map(|r| request_pb(r, staff))
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
        req: Request<pb::GetRequestRequest>,
    ) -> Rpc<pb::RequestDetail> {
        reply(self.detail(req).await)
    }
    async fn add_comment(&self, req: Request<pb::AddCommentRequest>) -> Rpc<pb::Comment> {
        reply(self.comment(req).await)
    }
    async fn assign_request(&self, req: Request<pb::AssignRequestRequest>) -> Rpc<pb::Request> {
        reply(self.assign(req).await)
    }
    async fn close_request(&self, req: Request<pb::CloseRequestRequest>) -> Rpc<pb::Request> {
        reply(self.close(req).await)
    }
    async fn count_by_status(
        &self,
        req: Request<pb::CountByStatusRequest>,
    ) -> Rpc<pb::StatusCounts> {
        reply(self.counts(req).await)
    }
    type ExportRequestsStream = ExportStream;

    async fn export_requests(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> Rpc<Self::ExportRequestsStream> {
        reply(self.export(req).await)
    }
    async fn get_request_settings(
        &self,
        req: Request<pb::GetRequestSettingsRequest>,
    ) -> Rpc<pb::RequestSettings> {
        reply(self.settings(req).await)
    }
    async fn update_request_settings(
        &self,
        req: Request<pb::RequestSettings>,
    ) -> Rpc<pb::RequestSettings> {
        reply(self.update_settings(req).await)
    }
}
