//! The back office's mail page (F3): the mails that failed for good, with a
//! resend, or the whole log; for admins also the events a service set aside
//! (#13). Phone first: each mail is a card, not a wide table row.
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_platform::permissions::Permission;
use portal_proto::notification::v1 as pb;
use serde::Serialize;

use crate::views::{DeliveryStatus, MailDelivery, ParkedEvent};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::pages::{param, query};
use crate::web::{errors, i18n};

type Params = Path<HashMap<String, String>>;

#[derive(Debug, Serialize)]
struct MailRow {
    id: String,
    recipient: String,
    subject: String,
    status: &'static str,
    status_label: String,
    attempts: i32,
    last_error: Option<String>,
    created: String,
    last_attempt: String,
    resendable: bool,
}

#[derive(Debug, Serialize)]
struct ParkedRow {
    service: String,
    stage: String,
    event_type: String,
    event_id: String,
    error: String,
    attempts: i64,
    parked: String,
}

#[derive(Debug, Serialize)]
struct MailPage {
    /// `failed` (the default) or `all`.
    showing: &'static str,
    mails: Vec<MailRow>,
    may_resend: bool,
    /// Admins only; `None` for others.
    parked: Option<Vec<ParkedRow>>,
    unreachable: Vec<String>,
    error: Option<String>,
}

/// The page's address for `showing`.
fn url(ctx: &Ctx, showing: &str) -> String {
    format!("{}/staff/mail?show={showing}", ctx.base)
}

fn mail_row(ctx: &Ctx, d: MailDelivery) -> MailRow {
    let zone = ctx.zone();
    let status = d.status.map_or("unknown", DeliveryStatus::as_str);
    MailRow {
        status_label: i18n::t(ctx.lang, &format!("mail-status-{status}")),
        status,
        created: d.created_at.map(|t| zone.at_text(t)).unwrap_or_default(),
        last_attempt: d
            .last_attempt_at
            .map(|t| zone.at_text(t))
            .unwrap_or_default(),
        id: d.id,
        recipient: d.recipient,
        subject: d.subject,
        attempts: d.attempts,
        last_error: d.last_error,
        resendable: d.resendable,
    }
}

fn parked_row(ctx: &Ctx, p: ParkedEvent) -> ParkedRow {
    ParkedRow {
        parked: p
            .parked_at
            .map(|t| ctx.zone().at_text(t))
            .unwrap_or_default(),
        service: p.service,
        stage: p.stage,
        event_type: p.event_type,
        event_id: p.event_id,
        error: p.error,
        attempts: p.attempts,
    }
}

async fn page(
    ctx: &Ctx,
    showing: &'static str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::ListDeliveriesRequest {
        limit: 100,
        status: if showing == "failed" {
            "failed".into()
        } else {
            String::new()
        },
    });
    let mails = match ctx.state.notification.clone().list_deliveries(req).await {
        Ok(list) => list.into_inner().items,
        Err(e) => return ctx.grpc_fail(&e),
    };
    let (parked, unreachable) = if s.caller.claims.may(Permission::ReadParkedEvents) {
        match crate::parked_events::merged(&ctx.state, &s.caller).await {
            Ok(p) => (
                Some(p.items.into_iter().map(|e| parked_row(ctx, e)).collect()),
                p.unreachable,
            ),
            Err(e) => return ctx.grpc_fail(&e),
        }
    } else {
        (None, Vec::new())
    };
    let view = MailPage {
        showing,
        mails: mails
            .into_iter()
            .map(|d| mail_row(ctx, MailDelivery::from(d)))
            .collect(),
        may_resend: s.caller.claims.may(Permission::ManageMail),
        parked,
        unreachable,
        error,
    };
    ctx.render(status, "staff_mail.html", &view)
}

/// `/staff/mail?show=failed|all`.
pub async fn show(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let showing = if query(raw.as_deref(), "show") == "all" {
        "all"
    } else {
        "failed"
    };
    page(&ctx, showing, StatusCode::OK, None).await
}

/// `POST /staff/mail/{id}/resend`: back to the failures, which no longer
/// hold the mail once it is queued.
pub async fn resend(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    _csrf_checked: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s
        .caller
        .request(pb::ResendDeliveryRequest { delivery_id: id });
    match ctx.state.notification.clone().resend_delivery(req).await {
        Ok(_) => {
            ctx.flash_next("flash-mail-queued");
            let to = url(&ctx, "failed");
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = errors::shown(ctx.lang, errors::Action::Other, &e);
            page(&ctx, "failed", shown.status, Some(shown.message)).await
        }
    }
}
