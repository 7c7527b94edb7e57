//! notification's gRPC API: SendMail for other services, ListDeliveries and
//! ResendDelivery for staff. Checks who calls and translates; texts live in `templates`, SQL in
//! `store`.
use portal_platform::auth::Authenticator;
use portal_platform::errors::{ServiceError, ServiceResult, parse_id, reply};
use portal_platform::permissions::Permission;
use portal_platform::time::{opt_to_proto, to_proto};
use portal_proto::notification::v1 as pb;
use portal_proto::notification::v1::notification_service_server::NotificationService;
use sqlx::PgPool;
use tonic::{Request, Response, Status};

use crate::sender::valid_recipient;
use crate::store::{self, DeliveryRow, NewDelivery, ResendRefused};
use crate::templates;

const DEFAULT_LIMIT: i32 = 50;
const MAX_LIMIT: i32 = 200;
/// Keys are ids with a prefix; anything longer is a caller's bug.
const MAX_KEY_LEN: usize = 200;

pub struct Notification {
    pub pool: PgPool,
    pub authn: Authenticator,
}

type Rpc<T> = Result<Response<T>, Status>;

/// The page size asked for, within bounds.
pub fn page_limit(asked: i32) -> i64 {
    let limit = if asked <= 0 { DEFAULT_LIMIT } else { asked };
    i64::from(limit.min(MAX_LIMIT))
}

impl Notification {
    async fn send_mail(
        &self,
        req: Request<pb::SendMailRequest>,
    ) -> ServiceResult<pb::SendMailResponse> {
        if self.authn.service(&req)?.is_none() {
            // A valid user token is still not allowed: auth mails are the
            // services' business only.
            return Err(match self.authn.claims(&req).await {
                Ok(_) => ServiceError::Forbidden("only Portal services may send mail".into()),
                Err(e) => e,
            });
        }
        let r = req.into_inner();
        let tenant_id = parse_id("tenant_id", &r.tenant_id)?;
        // A service vouches for the tenant it sends for (ADR 0018).
        portal_platform::tenancy::enter(tenant_id);
        let key = r.idempotency_key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(ServiceError::Invalid(format!(
                "idempotency_key must have 1 to {MAX_KEY_LEN} characters"
            )));
        }
        let to = r.to.trim();
        if !valid_recipient(to) {
            return Err(ServiceError::Invalid(
                "to is not a valid e-mail address".into(),
            ));
        }
        let rendered = templates::render(&r.template, &r.language, &r.params)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let delivery = NewDelivery {
            tenant_id,
            idempotency_key: key.to_owned(),
            template: r.template,
            recipient: to.to_owned(),
            language: r.language,
            subject: rendered.subject,
            body: rendered.body,
            reply_to: None,
            thread_id: None,
            attachment: None,
        };
        let mut conn = self.pool.acquire().await?;
        let id = store::insert_delivery(&mut conn, &delivery).await?;
        Ok(pb::SendMailResponse {
            delivery_id: id.to_string(),
        })
    }

    async fn list_deliveries(
        &self,
        req: Request<pb::ListDeliveriesRequest>,
    ) -> ServiceResult<pb::ListDeliveriesResponse> {
        let claims = self.authn.claims(&req).await?;
        if !claims.is_staff() {
            return Err(ServiceError::Forbidden("staff only".into()));
        }
        let r = req.get_ref();
        let status = match r.status.trim() {
            "" => None,
            s @ ("pending" | "sent" | "failed") => Some(s),
            _ => {
                return Err(ServiceError::Invalid(
                    "status must be pending, sent or failed".into(),
                ));
            }
        };
        let rows =
            store::list_deliveries(&self.pool, claims.tid, status, page_limit(r.limit)).await?;
        Ok(pb::ListDeliveriesResponse {
            items: rows.into_iter().map(delivery_pb).collect(),
        })
    }

    async fn resend_delivery(
        &self,
        req: Request<pb::ResendDeliveryRequest>,
    ) -> ServiceResult<pb::Delivery> {
        let claims = self.authn.claims(&req).await?;
        if !claims.may(Permission::ManageMail) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers may send mails again".into(),
            ));
        }
        let id = parse_id("delivery_id", &req.get_ref().delivery_id)?;
        let mut tx = self.pool.begin().await?;
        let row = match store::resend(&mut tx, claims.tid, id).await? {
            Ok(row) => row,
            Err(ResendRefused::NotFound) => return Err(ServiceError::not_found("mail")),
            Err(ResendRefused::NotFailed) => {
                return Err(ServiceError::WrongStateAs(
                    "mail-not-failed",
                    "only a mail that failed for good can be sent again".into(),
                ));
            }
            Err(ResendRefused::TextNotKept) => {
                return Err(ServiceError::WrongStateAs(
                    "mail-text-not-kept",
                    "this mail held a sign-in link, which is not kept: send a new invitation or password reset instead".into(),
                ));
            }
        };
        tx.commit().await?;
        tracing::info!(delivery = %id, "failed mail queued again by staff");
        Ok(delivery_pb(row))
    }
}

fn delivery_pb(d: DeliveryRow) -> pb::Delivery {
    pb::Delivery {
        id: d.id.to_string(),
        template: d.template,
        recipient: d.recipient,
        subject: d.subject,
        status: d.status,
        attempts: d.attempts,
        last_error: d.last_error.unwrap_or_default(),
        created_at: Some(to_proto(d.created_at)),
        sent_at: opt_to_proto(d.sent_at),
        resendable: d.resendable,
        last_attempt_at: opt_to_proto(d.last_attempt_at),
    }
}

#[tonic::async_trait]
impl NotificationService for Notification {
    async fn send_mail(&self, req: Request<pb::SendMailRequest>) -> Rpc<pb::SendMailResponse> {
        reply(Notification::send_mail(self, req).await)
    }
    async fn list_deliveries(
        &self,
        req: Request<pb::ListDeliveriesRequest>,
    ) -> Rpc<pb::ListDeliveriesResponse> {
        reply(Notification::list_deliveries(self, req).await)
    }
    async fn resend_delivery(&self, req: Request<pb::ResendDeliveryRequest>) -> Rpc<pb::Delivery> {
        reply(Notification::resend_delivery(self, req).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limit_defaults_and_caps() {
        assert_eq!(page_limit(0), 50);
        assert_eq!(page_limit(-3), 50);
        assert_eq!(page_limit(10), 10);
        assert_eq!(page_limit(1_000), 200);
    }
}
