//! A work order in the back office (D2, G3): its status, plan, technicians,
//! place, history and completion, with the forms of the actions the service
//! allows this caller (`allowed_actions`): plan again, take off the plan,
//! cancel with a reason (dispatchers); start, complete with notes, time,
//! the signer's name and a drawn signature (the technician planned on it);
//! its photos (D6), added from the phone's camera.
use std::collections::HashMap;

use axum::extract::{Multipart, Path, Request};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use portal_platform::permissions::Permission;
use portal_platform::zone::Zone;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use portal_proto::requests::v1 as req;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::routes::photos::{self, Fault};
use crate::views::{Technician, WorkOrder, WorkOrderAction, WorkOrderChange};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::errors::{self, Action};
use crate::web::i18n;
use crate::web::multipart;
use crate::web::pages::param;
use crate::web::pages::places::{Place, Places};
use crate::web::pages::planning::{self, PlanFields, PlanForm};
use crate::web::pages::requests::{api_caller, problem_page};

type Params = Path<HashMap<String, String>>;

/// A drawn signature's form: its data URL is far larger than other forms.
const SIGNATURE_FORM_LIMIT: usize = 512 * 1024;
/// As the API: a week of work at most.
const MAX_MINUTES: i32 = 10_080;

/// A work order with what the pages add to it: its window and place in
/// words, and who comes.
#[derive(Debug, Serialize)]
pub struct Work {
    #[serde(flatten)]
    pub order: WorkOrder,
    pub when: String,
    /// The hours alone when the work fits in a day (lists by day).
    pub hours: String,
    pub who: String,
    pub place: Place,
}

impl Work {
    pub fn new(zone: Zone, order: WorkOrder, places: &Places) -> Self {
        Self {
            when: planning::window_text(zone, order.start, order.end),
            hours: planning::hours_text(zone, order.start, order.end),
            who: names(&order.technicians),
            place: places.of(&order.customer_id, &order.site_id),
            order,
        }
    }
}

pub fn names(technicians: &[Technician]) -> String {
    technicians
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tenant's technicians, for the plan forms (empty when identity fails:
/// the page says so rather than failing).
pub async fn technicians(ctx: &Ctx, s: &Session) -> Vec<Technician> {
    let req = s.caller.request(id::ListStaffRequest {
        tenant_id: s.caller.claims.tid.to_string(),
        role: portal_platform::permissions::Role::Technician
            .as_str()
            .into(),
    });
    match ctx.state.identity.clone().list_staff(req).await {
        Ok(l) => l
            .into_inner()
            .staff
            .into_iter()
            .map(|p| Technician {
                name: if p.name.is_empty() { p.email } else { p.name },
                id: p.id,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "technicians unavailable");
            vec![]
        }
    }
}

/// Where work order `id` is shown.
pub fn url(ctx: &Ctx, id: &str) -> String {
    format!("{}/work-orders/{id}", ctx.base)
}

#[derive(Debug, Serialize)]
struct HistoryLine {
    at: String,
    change: WorkOrderChange,
    by: Option<String>,
    when: String,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct RequestInfo {
    id: String,
    url: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
}

#[derive(Debug, Serialize)]
struct FileLine {
    id: String,
    name: String,
    size: String,
}

/// A photo in a gallery: its thumbnail opens it full size.
#[derive(Debug, Serialize)]
pub struct PhotoLine {
    pub url: String,
    pub name: String,
}

/// The photos of work order `w` the session sees, for a gallery: `None`
/// when they are not shown to it (a contact where the tenant hides them)
/// or cannot be read now (the page still shows the rest).
pub async fn gallery(ctx: &Ctx, s: &Session, w: &pb::WorkOrder) -> Option<Vec<PhotoLine>> {
    // A contact's page knows the tenant's setting already.
    if !s.is_staff() && !ctx.tenant.as_ref().is_some_and(|t| t.show_work_photos) {
        return None;
    }
    match photos::list(&ctx.state, &api_caller(s), w).await {
        Ok(items) => Some(
            items
                .into_iter()
                .map(|a| PhotoLine {
                    url: format!("{}/photos/{}", url(ctx, &w.id), a.id),
                    name: a.name,
                })
                .collect(),
        ),
        Err(Fault::NotFound) => None,
        Err(e) => {
            tracing::warn!(fault = ?e, "photos unavailable");
            None
        }
    }
}

/// What the completion form held, shown again after a refusal.
#[derive(Debug, Default, Serialize)]
struct CompleteFields {
    notes: String,
    minutes_spent: String,
    signer_name: String,
}

/// What a refused form brings back to the page.
#[derive(Debug, Default)]
struct Again {
    error: Option<String>,
    plan: Option<PlanFields>,
    busy: bool,
    complete: CompleteFields,
    reason: String,
}

#[derive(Debug, Serialize)]
struct WorkOrderPage {
    work: Work,
    back: String,
    back_key: &'static str,
    started: String,
    completed: String,
    history: Vec<HistoryLine>,
    request: Option<RequestInfo>,
    files: Vec<FileLine>,
    photos: Vec<PhotoLine>,
    may_add_photos: bool,
    /// The inspection's results and form (D4), when there is one.
    inspection: Option<crate::web::pages::inspection::Section>,
    /// The plan form (when the service allows planning).
    technicians: Vec<Technician>,
    plan: PlanForm,
    complete: CompleteFields,
    reason: String,
    error: Option<String>,
}

macro_rules! staff_or_return {
    ($ctx:expr) => {
        match $ctx.staff() {
            Ok(s) => s,
            Err(r) => return *r,
        }
    };
}

async fn page(ctx: &Ctx, id: &str, status: StatusCode, again: Again) -> Response {
    let s = staff_or_return!(ctx);
    let w = match ctx
        .state
        .work_orders
        .clone()
        .get_work_order(s.caller.request(pb::GetWorkOrderRequest { id: id.into() }))
        .await
    {
        Ok(w) => w.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let photos = gallery(ctx, s, &w).await.unwrap_or_default();
    let w = WorkOrder::from(w);
    let inspection = crate::web::pages::inspection::section(
        ctx,
        s,
        &w.id,
        &w.site_id,
        w.allowed_actions
            .contains(&WorkOrderAction::RecordInspection),
    )
    .await;
    let places = Places::load(ctx, s, vec![w.customer_id.clone()]).await;
    let request = match &w.request_id {
        Some(rid) => ctx
            .state
            .requests
            .clone()
            .get_request(s.caller.request(req::GetRequestRequest { id: rid.clone() }))
            .await
            .ok()
            .map(|r| r.into_inner()),
        None => None,
    };
    let files = match &w.request_id {
        Some(rid) => ctx
            .state
            .documents
            .clone()
            .list_attachments(s.caller.request(docs::ListAttachmentsRequest {
                owner_type: "request".into(),
                owner_id: rid.clone(),
            }))
            .await
            .map(|l| l.into_inner().items)
            .unwrap_or_default(),
        None => vec![],
    };
    let may_plan = w
        .allowed_actions
        .contains(&crate::views::WorkOrderAction::Schedule);
    let technicians = if may_plan {
        technicians(ctx, s).await
    } else {
        vec![]
    };
    let plan = PlanForm {
        id: id.to_owned(),
        action: format!("{}/schedule", url(ctx, id)),
        values: again.plan.unwrap_or_else(|| {
            PlanFields::prefilled(
                ctx.zone(),
                w.technicians.iter().map(|t| t.id.clone()).collect(),
                w.start,
                w.end,
            )
        }),
        busy: again.busy,
        // Said once, above the forms.
        error: None,
        view: None,
        at: None,
    };
    let (back, back_key) = if s.caller.claims.may(Permission::PlanWork) {
        let zone = ctx.zone();
        let day = w
            .start
            .map_or_else(|| planning::today(zone), |t| zone.date(t));
        (
            format!("{}/board?date={}", ctx.base, day.format("%Y-%m-%d")),
            "back-board",
        )
    } else {
        (format!("{}/my-day", ctx.base), "back-my-day")
    };
    let history = w
        .history
        .iter()
        .map(|h| HistoryLine {
            at: planning::at_text(ctx.zone(), h.at),
            change: h.change,
            by: h.by.clone(),
            when: planning::window_text(ctx.zone(), h.start, h.end),
            note: h.note.clone(),
        })
        .collect();
    let view = WorkOrderPage {
        back,
        back_key,
        started: planning::at_text(ctx.zone(), w.started_at),
        completed: planning::at_text(ctx.zone(), w.completed_at),
        history,
        request: request.map(|r| RequestInfo {
            url: crate::web::pages::requests::detail_url(ctx, true, &r.id),
            id: r.id,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            contact_email: r.contact_email,
        }),
        files: files
            .into_iter()
            .map(|a| FileLine {
                size: crate::web::pages::requests::size_text(a.size),
                id: a.id,
                name: a.name,
            })
            .collect(),
        photos,
        may_add_photos: w.allowed_actions.contains(&WorkOrderAction::AddPhotos),
        inspection,
        technicians,
        plan,
        complete: again.complete,
        reason: again.reason,
        error: again.error,
        work: Work::new(ctx.zone(), w, &places),
    };
    ctx.render(status, "work_order.html", &view)
}

/// `/work-orders/{id}`.
pub async fn detail(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    page(&ctx, &id, StatusCode::OK, Again::default()).await
}

/// The page again with a service's refusal said above its forms.
pub(crate) async fn refused_plain(ctx: &Ctx, id: &str, e: &tonic::Status) -> Response {
    refused(ctx, id, e, Again::default()).await
}

/// Back to the work order's page with a message (PRG).
fn back(ctx: &mut Ctx, id: &str, flash: &str) -> Response {
    ctx.flash_next(flash);
    let to = url(ctx, id);
    ctx.redirect(&to)
}

/// The page again with the service's refusal beside the forms.
async fn refused(ctx: &Ctx, id: &str, e: &tonic::Status, mut again: Again) -> Response {
    let shown = errors::shown(ctx.lang, Action::Other, e);
    if shown.status == StatusCode::NOT_FOUND {
        return ctx.grpc_fail(e);
    }
    again.error = Some(if planning::busy(e) {
        again.busy = true;
        planning::busy_text(ctx.lang, e)
    } else {
        shown.message
    });
    page(ctx, id, shown.status, again).await
}

/// `POST /work-orders/{id}/schedule`: plan, or plan again.
pub async fn schedule(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let fields = PlanFields::of(&form);
    let window = match fields.window(ctx.zone()) {
        Ok(w) => w,
        Err(key) => {
            let again = Again {
                error: Some(i18n::t(ctx.lang, key)),
                plan: Some(fields),
                ..Again::default()
            };
            return page(&ctx, &id, StatusCode::BAD_REQUEST, again).await;
        }
    };
    let call = s.caller.request(fields.request(&id, window));
    match ctx
        .state
        .work_orders
        .clone()
        .schedule_work_order(call)
        .await
    {
        Ok(_) => back(&mut ctx, &id, "flash-planned"),
        Err(e) => {
            let again = Again {
                plan: Some(PlanFields {
                    force: false,
                    ..fields
                }),
                ..Again::default()
            };
            refused(&ctx, &id, &e, again).await
        }
    }
}

/// `POST /work-orders/{id}/unschedule`: back to the work to plan.
pub async fn unschedule(TenantPage(mut ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let call = s
        .caller
        .request(pb::UnscheduleWorkOrderRequest { id: id.clone() });
    match ctx
        .state
        .work_orders
        .clone()
        .unschedule_work_order(call)
        .await
    {
        Ok(_) => back(&mut ctx, &id, "flash-unplanned"),
        Err(e) => refused(&ctx, &id, &e, Again::default()).await,
    }
}

/// `POST /work-orders/{id}/start`.
pub async fn start(TenantPage(mut ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let call = s
        .caller
        .request(pb::StartWorkOrderRequest { id: id.clone() });
    match ctx.state.work_orders.clone().start_work_order(call).await {
        Ok(_) => back(&mut ctx, &id, "flash-started"),
        Err(e) => refused(&ctx, &id, &e, Again::default()).await,
    }
}

/// A refusal of photos as a sentence of the page, with its status.
fn photo_refusal(ctx: &Ctx, fault: Fault) -> Result<(StatusCode, String), Box<Response>> {
    let lang = ctx.lang;
    let named = |key: &str, name: String| i18n::text(lang, key, &[("name", i18n::Arg::Str(name))]);
    Ok(match fault {
        Fault::Service(e) => {
            let shown = errors::shown(lang, Action::Other, &e);
            if shown.status == StatusCode::NOT_FOUND {
                return Err(Box::new(ctx.grpc_fail(&e)));
            }
            (shown.status, shown.message)
        }
        Fault::NotFound => {
            return Err(Box::new(ctx.fail(StatusCode::NOT_FOUND, "error-not-found")));
        }
        Fault::NotAllowed => (
            StatusCode::FORBIDDEN,
            i18n::t(lang, "wo-photos-not-allowed"),
        ),
        Fault::Closed(_) => (StatusCode::CONFLICT, i18n::t(lang, "wo-photos-closed")),
        Fault::NoFile => (
            StatusCode::BAD_REQUEST,
            i18n::text(
                lang,
                "error-required",
                &[("fields", i18n::Arg::Str(i18n::t(lang, "wo-photos-title")))],
            ),
        ),
        Fault::TooLarge { name, max_bytes } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            i18n::text(
                lang,
                "error-file-size",
                &[
                    ("name", i18n::Arg::Str(name)),
                    ("mb", i18n::Arg::Num(max_bytes.div_ceil(1024 * 1024) as f64)),
                ],
            ),
        ),
        Fault::NotAPhoto { name } => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            named("wo-photos-not-image", name),
        ),
        Fault::Io(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            i18n::t(lang, "error-unavailable"),
        ),
    })
}

/// `POST /work-orders/{id}/photos` (multipart, fields `file`): the
/// technician's camera or files; back to the page (PRG), or the page with
/// the refusal and nothing added.
pub async fn add_photos(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    body: Multipart,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let caller = api_caller(staff_or_return!(ctx));
    // The work order first: one the caller may not touch is refused before
    // the files are read.
    let w = match photos::work_order(&ctx.state, &caller, &id).await {
        Ok(w) => w,
        Err(f) => return photo_refused(&ctx, &id, f).await,
    };
    if let Err(f) = photos::may_add(&w, true) {
        return photo_refused(&ctx, &id, f).await;
    }
    let form = match multipart::read(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match photos::add(&ctx.state, &caller, &w, form.files).await {
        Ok(_) => back(&mut ctx, &id, "flash-photos-added"),
        Err(f) => photo_refused(&ctx, &id, f).await,
    }
}

async fn photo_refused(ctx: &Ctx, id: &str, fault: Fault) -> Response {
    match photo_refusal(ctx, fault) {
        Ok((status, message)) => {
            let again = Again {
                error: Some(message),
                ..Again::default()
            };
            page(ctx, id, status, again).await
        }
        Err(r) => *r,
    }
}

/// `GET /work-orders/{id}/photos/{photo_id}`: one photo, for staff and for
/// contacts (the request page's gallery), with the session's rights.
pub async fn photo(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let (Some(id), Some(photo_id)) = (param(&p, "id"), param(&p, "photo_id")) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let caller = api_caller(s);
    let res = match photos::work_order(&ctx.state, &caller, &id).await {
        Ok(w) => photos::open(&ctx.state, &caller, &w, photo_id).await,
        Err(f) => Err(f),
    };
    res.unwrap_or_else(|f| problem_page(&ctx, f.into()))
}

/// A canvas's PNG data URL (or nothing: nobody signed); `None` when the
/// field holds something else.
fn signature_png(field: &str) -> Option<Vec<u8>> {
    let field = field.trim();
    if field.is_empty() {
        return Some(vec![]);
    }
    let data = field.strip_prefix("data:image/png;base64,")?;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()
        .filter(|png| !png.is_empty())
}

/// Minutes spent: empty is none, else 0 to a week.
fn minutes(field: &str) -> Option<i32> {
    if field.trim().is_empty() {
        return Some(0);
    }
    field
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (0..=MAX_MINUTES).contains(m))
}

/// `POST /work-orders/{id}/complete`: notes, time, signer and signature.
pub async fn complete(TenantPage(mut ctx): TenantPage, Path(p): Params, r: Request) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let form = match Form::read(r, SIGNATURE_FORM_LIMIT).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let s = staff_or_return!(ctx);
    let fields = CompleteFields {
        notes: form.get("notes"),
        minutes_spent: form.get("minutes_spent"),
        signer_name: form.get("signer_name"),
    };
    let problem = match (
        minutes(&fields.minutes_spent),
        signature_png(&form.raw("signature")),
    ) {
        (None, _) => Err("error-minutes"),
        (_, None) => Err("error-signature"),
        (Some(m), Some(png)) => Ok((m, png)),
    };
    let (minutes_spent, signature_png) = match problem {
        Ok(v) => v,
        Err(key) => {
            let again = Again {
                error: Some(i18n::t(ctx.lang, key)),
                complete: fields,
                ..Again::default()
            };
            return page(&ctx, &id, StatusCode::BAD_REQUEST, again).await;
        }
    };
    let call = s.caller.request(pb::CompleteWorkOrderRequest {
        id: id.clone(),
        notes: fields.notes.clone(),
        minutes_spent,
        signer_name: fields.signer_name.clone(),
        signature_png,
    });
    match ctx
        .state
        .work_orders
        .clone()
        .complete_work_order(call)
        .await
    {
        Ok(_) => back(&mut ctx, &id, "flash-completed"),
        Err(e) => {
            let again = Again {
                complete: fields,
                ..Again::default()
            };
            refused(&ctx, &id, &e, again).await
        }
    }
}

/// `POST /work-orders/{id}/cancel` with a reason.
pub async fn cancel(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let reason = form.get("reason");
    if reason.is_empty() {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "field-reason")))],
        );
        let again = Again {
            error: Some(e),
            ..Again::default()
        };
        return page(&ctx, &id, StatusCode::BAD_REQUEST, again).await;
    }
    let call = s.caller.request(pb::CancelWorkOrderRequest {
        id: id.clone(),
        reason: reason.clone(),
    });
    match ctx.state.work_orders.clone().cancel_work_order(call).await {
        Ok(_) => back(&mut ctx, &id, "flash-cancelled"),
        Err(e) => {
            let again = Again {
                reason,
                ..Again::default()
            };
            refused(&ctx, &id, &e, again).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_a_png_data_url_or_nothing() {
        assert_eq!(signature_png(""), Some(vec![]));
        assert_eq!(
            signature_png("data:image/png;base64,iVBORw0KGgo="),
            Some(vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a])
        );
        assert_eq!(signature_png("data:image/jpeg;base64,AAAA"), None);
        assert_eq!(signature_png("data:image/png;base64,***"), None);
        assert_eq!(signature_png("data:image/png;base64,"), None);
    }

    #[test]
    fn the_page_draws_the_forms_of_the_allowed_actions_only() {
        use crate::web::pages::board::tests::{order, render};
        let mut w = order("w1", "t1", "2026-03-09T08:00:00Z", "2026-03-09T10:00:00Z");
        let page = |w: WorkOrder| WorkOrderPage {
            may_add_photos: w.allowed_actions.contains(&WorkOrderAction::AddPhotos),
            inspection: None,
            photos: vec![PhotoLine {
                url: "/t/acme/work-orders/w1/photos/p1".into(),
                name: "door.jpg".into(),
            }],
            back: "/t/acme/my-day".into(),
            back_key: "back-my-day",
            started: String::new(),
            completed: String::new(),
            history: vec![HistoryLine {
                at: "2026-03-08 10:00 UTC".into(),
                change: WorkOrderChange::Scheduled,
                by: Some("Dana".into()),
                when: "2026-03-09 08:00 – 10:00 UTC".into(),
                note: None,
            }],
            request: Some(RequestInfo {
                id: "r1".into(),
                url: "/t/acme/staff/requests/r1".into(),
                contact_name: "Jean".into(),
                contact_phone: "+33 1 23".into(),
                contact_email: String::new(),
            }),
            files: vec![],
            technicians: vec![],
            plan: PlanForm {
                id: w.id.clone(),
                action: "/t/acme/work-orders/w1/schedule".into(),
                values: PlanFields::default(),
                busy: false,
                error: None,
                view: None,
                at: None,
            },
            complete: CompleteFields::default(),
            reason: String::new(),
            error: None,
            work: Work::new(Zone::UTC, w, &Places::default()),
        };
        w.allowed_actions = vec![crate::views::WorkOrderAction::Start];
        let html = render("work_order.html", &page(w.clone()));
        assert!(html.contains("id=\"start-form\""), "{html}");
        assert!(!html.contains("id=\"complete-form\""), "{html}");
        assert!(!html.contains("signature.js"), "{html}");
        assert!(!html.contains("id=\"plan-w1\""), "{html}");
        assert!(html.contains("href=\"tel:+33 1 23\""), "{html}");
        assert!(html.contains("requests&#x2f;r1"), "{html}");
        // The gallery shows; the photo form only where the service allows it.
        assert!(html.contains("id=\"photo-gallery\""), "{html}");
        assert!(html.contains("loading=\"lazy\""), "{html}");
        assert!(!html.contains("id=\"photos-form\""), "{html}");
        w.allowed_actions = vec![WorkOrderAction::AddPhotos];
        let html = render("work_order.html", &page(w.clone()));
        assert!(html.contains("id=\"photos-form\""), "{html}");
        assert!(
            html.contains("accept=\"image/*\" capture=\"environment\" multiple"),
            "{html}"
        );
        w.allowed_actions = vec![crate::views::WorkOrderAction::Complete];
        let html = render("work_order.html", &page(w.clone()));
        assert!(html.contains("id=\"complete-form\""), "{html}");
        assert!(html.contains("signature.js"), "{html}");
        assert!(
            html.contains("id=\"signature-pad\" class=\"signature-pad\" hidden"),
            "{html}"
        );
        w.allowed_actions = vec![
            crate::views::WorkOrderAction::Schedule,
            crate::views::WorkOrderAction::Unschedule,
            crate::views::WorkOrderAction::Cancel,
        ];
        let html = render("work_order.html", &page(w));
        for form in ["plan-w1", "unschedule-form", "cancel-form"] {
            assert!(html.contains(&format!("id=\"{form}\"")), "{form}: {html}");
        }
        assert!(!html.contains("id=\"start-form\""), "{html}");
    }

    #[test]
    fn minutes_are_a_week_at_most() {
        assert_eq!(minutes(""), Some(0));
        assert_eq!(minutes(" 90 "), Some(90));
        assert_eq!(minutes("-1"), None);
        assert_eq!(minutes("10081"), None);
        assert_eq!(minutes("1.5"), None);
    }
}
