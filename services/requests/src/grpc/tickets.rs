//! One ticket's life after its creation: detail with history and
//! conversation, comments, assignment, closing.
use chrono::Utc;
use portal_platform::audit::{self, Actor};
use portal_platform::auth::Claims;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::outbox;
use portal_platform::time::{from_proto, opt_to_proto, to_proto};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::requests::v1 as pb;
use tonic::Request;

use super::{Requests, refused, request_pb, who};
use crate::conversation;
use crate::domain::{self, Status as ReqStatus, Ticket};
use crate::store::{self, CommentRow, NewComment, RequestRow};

fn ticket(row: &RequestRow) -> ServiceResult<Ticket> {
    Ok(Ticket {
        status: ReqStatus::parse(&row.status)
            .ok_or_else(|| anyhow::anyhow!("stored status {}", row.status))?,
        contact_id: row.contact_id,
        assignee_id: row.assignee_id,
    })
}

pub fn comment_pb(c: CommentRow) -> pb::Comment {
    pb::Comment {
        id: c.id.to_string(),
        request_id: c.request_id.to_string(),
        author_id: c.author_id.map(|a| a.to_string()).unwrap_or_default(),
        author_kind: c.author_kind,
        author_name: c.author_name,
        body: c.body,
        internal: c.internal,
        created_at: Some(to_proto(c.created_at)),
        attachment_ids: c.attachment_ids.iter().map(ToString::to_string).collect(),
        source: c.source,
    }
}

impl Requests {
    /// The request, locked, if the caller can see it.
    async fn visible_for_update(
        &self,
        conn: &mut sqlx::PgConnection,
        claims: &Claims,
        id: &str,
    ) -> ServiceResult<RequestRow> {
        let id = lookup_id("request", id)?;
        let row = store::get_for_update(conn, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("request"))?;
        if super::may_see(claims, &row) {
            Ok(row)
        } else {
            Err(ServiceError::not_found("request"))
        }
    }

    pub(super) async fn detail(
        &self,
        req: Request<pb::GetRequestRequest>,
    ) -> ServiceResult<pb::RequestDetail> {
        let claims = self.caller(&req).await?;
        let row = self.visible(&claims, &req.get_ref().id).await?;
        let staff = domain::sees_internal(who(&claims));
        let history = store::history(&self.pool, row.id).await?;
        let comments = store::comments::list_comments(&self.pool, row.id, staff).await?;
        Ok(pb::RequestDetail {
            request: Some(request_pb(row, staff)),
            history: history
                .into_iter()
                .map(|h| pb::StatusChange {
                    status: h.status,
                    at: Some(to_proto(h.changed_at)),
                    by: h.changed_by.to_string(),
                    note: h.note,
                })
                .collect(),
            comments: comments.into_iter().map(comment_pb).collect(),
        })
    }

    pub(super) async fn comment(
        &self,
        req: Request<pb::AddCommentRequest>,
    ) -> ServiceResult<pb::Comment> {
        let claims = self.caller(&req).await?;
        let r = req.into_inner();
        let me = who(&claims);
        let input =
            domain::validate_comment(&r.body, &r.attachment_ids, r.internal).map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        let row = self
            .visible_for_update(&mut tx, &claims, &r.request_id)
            .await?;
        domain::may_comment(me, &ticket(&row)?, r.internal).map_err(refused)?;
        let author_name = match r.author_name.trim() {
            "" if row.contact_id == claims.sub => row.contact_name.clone(),
            name => name.chars().take(200).collect(),
        };
        let c = NewComment {
            tenant_id: claims.tid,
            request_id: row.id,
            author_id: Some(claims.sub),
            author_kind: me.kind().into(),
            author_name,
            body: input.body,
            internal: r.internal,
            source: "portal".into(),
            attachment_ids: input.attachment_ids,
            mail_id: None,
            created_at: Utc::now(),
        };
        let comment = conversation::add(&mut tx, &row, &c)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a portal comment was not stored"))?;
        tx.commit().await?;
        Ok(comment_pb(comment))
    }

    pub(super) async fn assign(
        &self,
        req: Request<pb::AssignRequestRequest>,
    ) -> ServiceResult<pb::Request> {
        let claims = self.caller(&req).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let me = who(&claims);
        // Rights first (a contact learns nothing), then the directory.
        let id = lookup_id("request", &r.id)?;
        if let Err(e) = domain::may_assign(
            me,
            &Ticket {
                status: ReqStatus::Submitted,
                contact_id: claims.sub,
                assignee_id: None,
            },
        ) {
            return Err(refused(e));
        }
        let (assignee_id, assignee_name) = match r.assignee_id.trim() {
            "" => (None, String::new()),
            a => {
                let a = parse_id("assignee_id", a)?;
                let member = self.staff_member(&claims, a).await?.ok_or_else(|| {
                    ServiceError::Invalid("the assignee is not a staff member of the tenant".into())
                })?;
                let name = [
                    member.name.trim(),
                    r.assignee_name.trim(),
                    member.email.trim(),
                ]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or_default()
                .to_owned();
                (Some(a), name)
            }
        };
        let due_date = match r.due_date.as_ref() {
            None => None,
            Some(t) => Some(
                from_proto(t).ok_or_else(|| ServiceError::Invalid("invalid due_date".into()))?,
            ),
        };
        let mut tx = self.pool.begin().await?;
        let mut row = store::get_for_update(&mut tx, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("request"))?;
        domain::may_assign(me, &ticket(&row)?).map_err(refused)?;
        let now = Utc::now();
        store::set_assignment(&mut tx, row.id, assignee_id, &assignee_name, due_date, now).await?;
        row.assignee_id = assignee_id;
        row.assignee = assignee_name;
        row.due_date = due_date;
        row.updated_at = now;
        let event = ev::RequestAssigned {
            tenant_id: row.tenant_id.to_string(),
            request_id: row.id.to_string(),
            customer_id: row.customer_id.to_string(),
            site_id: row.site_id.to_string(),
            contact_id: row.contact_id.to_string(),
            title: row.title.clone(),
            assignee_id: assignee_id.map(|a| a.to_string()).unwrap_or_default(),
            assignee_name: row.assignee.clone(),
            due_date: opt_to_proto(due_date),
            assigned_by: claims.sub.to_string(),
            assigned_at: Some(to_proto(now)),
        };
        outbox::enqueue(&mut tx, row.tenant_id, super::SOURCE, &event).await?;
        let detail = match (&row.assignee_id, due_date) {
            (None, _) => format!("{}: unassigned", row.title),
            (Some(_), None) => format!("{}: {}", row.title, row.assignee),
            (Some(_), Some(d)) => {
                format!("{}: {}, due {}", row.title, row.assignee, d.date_naive())
            }
        };
        audit::record(
            &mut tx,
            row.tenant_id,
            &actor,
            "request.assigned",
            ("request", Some(row.id)),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(request_pb(row, true))
    }

    /// The staff member `id` of the caller's tenant, from identity's directory.
    async fn staff_member(
        &self,
        claims: &Claims,
        id: uuid::Uuid,
    ) -> ServiceResult<Option<idpb::StaffMember>> {
        let staff = self
            .identity
            .clone()
            .list_staff(self.credential.sign(Request::new(idpb::ListStaffRequest {
                tenant_id: claims.tid.to_string(),
                role: String::new(),
            })))
            .await
            .map_err(|s| {
                ServiceError::Unavailable(format!("directory unavailable: {}", s.message()))
            })?
            .into_inner()
            .staff;
        let id = id.to_string();
        Ok(staff.into_iter().find(|m| m.id == id))
    }

    pub(super) async fn close(
        &self,
        req: Request<pb::CloseRequestRequest>,
    ) -> ServiceResult<pb::Request> {
        let claims = self.caller(&req).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let me = who(&claims);
        let note = domain::validate_note(&r.note).map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        let mut row = self.visible_for_update(&mut tx, &claims, &r.id).await?;
        let next = domain::may_close(me, &ticket(&row)?).map_err(refused)?;
        let now = Utc::now();
        store::set_closed(&mut tx, row.id, claims.sub, now).await?;
        store::record_status(&mut tx, row.id, next.as_str(), claims.sub, &note).await?;
        row.status = next.as_str().into();
        row.closed_at = Some(now);
        row.closed_by = Some(claims.sub);
        row.updated_at = now;
        let event = ev::RequestClosed {
            tenant_id: row.tenant_id.to_string(),
            request_id: row.id.to_string(),
            customer_id: row.customer_id.to_string(),
            site_id: row.site_id.to_string(),
            contact_id: row.contact_id.to_string(),
            title: row.title.clone(),
            closed_by: claims.sub.to_string(),
            closed_by_kind: me.kind().into(),
            note: note.clone(),
            assignee_id: row.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
            closed_at: Some(to_proto(now)),
        };
        outbox::enqueue(&mut tx, row.tenant_id, super::SOURCE, &event).await?;
        let detail = if note.is_empty() {
            row.title.clone()
        } else {
            format!("{}: {note}", row.title)
        };
        audit::record(
            &mut tx,
            row.tenant_id,
            &actor,
            "request.closed",
            ("request", Some(row.id)),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(request_pb(row, domain::sees_internal(me)))
    }
}
