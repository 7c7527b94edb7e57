//! The mail log and its failures, with a resend (F3), and the events the
//! services set aside (#13): what staff need to see when something did not
//! go out.
use axum::Json;
use axum::extract::State;
use portal_proto::notification::v1 as pb;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{DeliveryFilter, MailDeliveries, MailDelivery, ParkedEvents};

/// The tenant's mails, newest first (staff); `status=failed` lists what
/// failed for good.
#[utoipa::path(get, path = "/api/v1/mail/deliveries", operation_id = "list_mail_deliveries", params(DeliveryFilter),
    responses((status = 200, body = MailDeliveries), (status = 403, description = "contacts", body = Problem)),
    security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<DeliveryFilter>,
) -> Result<Json<MailDeliveries>, Problem> {
    let req = caller.request(pb::ListDeliveriesRequest {
        limit: i32::try_from(f.limit.unwrap_or_default()).unwrap_or(i32::MAX),
        status: f.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
    });
    let list = state.notification.clone().list_deliveries(req).await?;
    Ok(Json(MailDeliveries {
        items: list
            .into_inner()
            .items
            .into_iter()
            .map(MailDelivery::from)
            .collect(),
    }))
}

/// Queues a mail that failed for good once more, with a fresh set of
/// attempts (admins and dispatchers).
#[utoipa::path(post, path = "/api/v1/mail/deliveries/{id}/resend", operation_id = "resend_mail_delivery",
    params(("id" = uuid::Uuid, Path, description = "The delivery's id")),
    responses((status = 200, body = MailDelivery), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "not failed, or its sign-in link is not kept", body = Problem)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(delivery_id): ApiPath<String>,
) -> Result<Json<MailDelivery>, Problem> {
    let req = caller.request(pb::ResendDeliveryRequest { delivery_id });
    let d = state.notification.clone().resend_delivery(req).await?;
    Ok(Json(d.into_inner().into()))
}

/// Events a service could not publish or apply and gave up on (admins),
/// newest first, from every service that answers.
#[utoipa::path(get, path = "/api/v1/parked-events", operation_id = "list_parked_events",
    responses((status = 200, body = ParkedEvents), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn parked(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ParkedEvents>, Problem> {
    Ok(Json(crate::parked_events::merged(&state, &caller).await?))
}
