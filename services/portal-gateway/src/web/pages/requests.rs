//! Requests (tickets) in the browser: the contact's list (C2), the create
//! form with attachments (C1, C7), the detail with its history and
//! conversation (C3), comments and closing (C5). The detail page is shared
//! with staff (`pages::staff_requests` adds their actions).
use std::collections::HashMap;

use axum::extract::{Multipart, Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_platform::zone::Zone;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use portal_proto::requests::v1 as pb;
use serde_json::{Value, json};

use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage, date, date_time};
use crate::web::i18n;
use crate::web::multipart::{self, Upload};
use crate::web::pages::{param, query};

pub type Params = Path<HashMap<String, String>>;

pub const PAGE_SIZE: i32 = 25;
pub use crate::web::multipart::MAX_FILES;
pub const STATUSES: [&str; 7] = [
    "submitted",
    "accepted",
    "rejected",
    "planned",
    "in_progress",
    "done",
    "closed",
];
pub const SORTS: [&str; 4] = ["created_desc", "created_asc", "updated_desc", "due_asc"];
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
pub const SEVERITIES: [&str; 3] = ["minor", "major", "critical"];
/// Fields a tenant may make required (besides title and description).
/// As requests' own list; equipment waits for a service that keeps it.
pub const REQUIRABLE: [&str; 3] = ["category", "priority", "severity"];
/// What the file input offers (documents decides what it accepts).
pub const ACCEPT: &str = "image/*,application/pdf,text/plain,text/csv,.docx,.xlsx";
const OWNER: &str = "request";

/// The list's filters, from and back to a query string.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filter {
    pub status: String,
    pub site_id: String,
    pub mine: bool,
    pub q: String,
    pub sort: String,
    pub cursor: String,
    pub unassigned: bool,
    pub customer_id: String,
}

impl Filter {
    pub fn parse(raw: Option<&str>) -> Self {
        let one = |n: &str| query(raw, n);
        let id = |n: &str| {
            let v = one(n);
            if v.len() <= 64 && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
                v
            } else {
                String::new()
            }
        };
        let status = one("status");
        let sort = one("sort");
        Self {
            status: if STATUSES.contains(&status.as_str()) {
                status
            } else {
                String::new()
            },
            site_id: id("site_id"),
            mine: one("mine") == "true",
            q: one("q").chars().take(200).collect(),
            sort: if SORTS.contains(&sort.as_str()) {
                sort
            } else {
                String::new()
            },
            cursor: one("cursor").chars().take(512).collect(),
            unassigned: one("unassigned") == "true",
            customer_id: id("customer_id"),
        }
    }

    pub fn to_pb(&self, limit: i32) -> pb::ListRequestsRequest {
        pb::ListRequestsRequest {
            status: self.status.clone(),
            site_id: self.site_id.clone(),
            mine: self.mine,
            limit,
            cursor: self.cursor.clone(),
            q: self.q.clone(),
            sort: self.sort.clone(),
            customer_id: self.customer_id.clone(),
            unassigned: self.unassigned,
        }
    }

    /// The query string of these filters (no cursor unless given).
    pub fn query(&self, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (n, v) in [
            ("status", self.status.as_str()),
            ("site_id", &self.site_id),
            ("q", &self.q),
            ("sort", &self.sort),
            ("customer_id", &self.customer_id),
        ] {
            if !v.is_empty() {
                pairs.push((n, v));
            }
        }
        if self.mine {
            pairs.push(("mine", "true"));
        }
        if self.unassigned {
            pairs.push(("unassigned", "true"));
        }
        if let Some(c) = cursor.filter(|c| !c.is_empty()) {
            pairs.push(("cursor", c));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The same filters with `name` set to `value` (tabs, Mine/All).
    pub fn with(&self, name: &str, value: &str) -> String {
        let mut f = self.clone();
        match name {
            "mine" => f.mine = value == "true",
            "unassigned" => f.unassigned = value == "true",
            "status" => f.status = value.into(),
            _ => {}
        }
        f.query(None)
    }

    pub fn json(&self) -> Value {
        json!({
            "status": self.status, "site_id": self.site_id, "mine": self.mine, "q": self.q,
            "sort": self.sort, "unassigned": self.unassigned, "customer_id": self.customer_id,
            "query": self.query(None),
            "all_query": self.with("mine", "false"), "mine_query": self.with("mine", "true"),
        })
    }
}

/// A request for the templates; `sites` names the site ids.
pub fn request_json(zone: Zone, r: &pb::Request, sites: &HashMap<String, String>) -> Value {
    json!({
        "id": r.id, "title": r.title, "description": r.description, "status": r.status,
        "category": r.category, "priority": r.priority, "severity": r.severity,
        "equipment_id": r.equipment_id, "site_id": r.site_id, "customer_id": r.customer_id,
        "site": sites.get(&r.site_id).cloned().unwrap_or_default(),
        "site_address": r.site_address, "contact_id": r.contact_id,
        "contact_name": r.contact_name, "contact_email": r.contact_email, "contact_phone": r.contact_phone,
        "created": date(zone, r.created_at.as_ref()), "created_at": date_time(zone, r.created_at.as_ref()),
        "updated_at": date_time(zone, r.updated_at.as_ref()),
        "assignee": r.assignee, "assignee_id": r.assignee_id,
        "due_date": date(zone, r.due_date.as_ref()), "planned": date(zone, r.planned_start.as_ref()),
        "planned_at": date_time(zone, r.planned_start.as_ref()),
        "closed_at": date_time(zone, r.closed_at.as_ref()), "reject_reason": r.reject_reason,
        "work_order_id": r.work_order_id, "comment_count": r.comment_count, "source": r.source,
    })
}

/// Ids and names of the sites of `customer_id` the session may see.
async fn sites_of(ctx: &Ctx, s: &Session, customer_id: &str) -> Vec<id::Site> {
    if customer_id.is_empty() {
        return vec![];
    }
    let req = s.caller.request(id::GetCustomerRequest {
        customer_id: customer_id.into(),
    });
    match ctx.state.identity.clone().get_customer(req).await {
        Ok(d) => d.into_inner().sites,
        Err(_) => vec![],
    }
}

fn names(sites: &[id::Site]) -> HashMap<String, String> {
    sites
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect()
}

macro_rules! session_or_return {
    ($ctx:expr) => {
        match $ctx.session() {
            Ok(s) => s,
            Err(r) => return *r,
        }
    };
}

/// `/requests`: the contact's requests (staff go to their inbox).
pub async fn list(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = session_or_return!(ctx);
    if s.is_staff() {
        return ctx.redirect(&format!("{}/staff/requests?unassigned=true", ctx.base));
    }
    let filter = Filter::parse(raw.as_deref());
    let sites = sites_of(&ctx, s, &s.me.customer_id).await;
    let site_names = names(&sites);
    let req = s.caller.request(filter.to_pb(PAGE_SIZE));
    let list = match ctx.state.requests.clone().list_requests(req).await {
        Ok(l) => l.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|r| request_json(ctx.zone(), r, &site_names))
        .collect();
    let next = (!list.next_cursor.is_empty()).then(|| filter.query(Some(&list.next_cursor)));
    // The confirmation after creating one (its id in the query).
    let created = query(raw.as_deref(), "created");
    let created = list
        .items
        .iter()
        .find(|r| r.id == created)
        .map(|r| request_json(ctx.zone(), r, &site_names));
    ctx.page(
        StatusCode::OK,
        "requests.html",
        json!({
            "requests": items, "filter": filter.json(), "next": next, "created": created,
            "sites": sites.iter().map(|s| json!({"id": s.id, "name": s.name})).collect::<Vec<_>>(),
            "statuses": STATUSES, "sorts": SORTS,
        }),
    )
}

/// The tenant's categories and required fields (defaults when unknown).
pub async fn settings(ctx: &Ctx, s: &Session) -> pb::RequestSettings {
    let req = s.caller.request(pb::GetRequestSettingsRequest {});
    match ctx.state.requests.clone().get_request_settings(req).await {
        Ok(r) => r.into_inner(),
        Err(e) => {
            tracing::debug!(error = %e, "request settings unavailable; free categories");
            pb::RequestSettings::default()
        }
    }
}

/// What the create form shows: prefilled from the contact and the site.
async fn new_page(ctx: &Ctx, status: StatusCode, values: Value, error: Option<String>) -> Response {
    let s = session_or_return!(ctx);
    let sites = sites_of(ctx, s, &s.me.customer_id).await;
    let settings = settings(ctx, s).await;
    let mut v = values;
    let chosen = v["site_id"].as_str().unwrap_or_default().to_owned();
    // One site: it is the one. A site named in the link (C7): preselected.
    let chosen = if sites.len() == 1 {
        sites[0].id.clone()
    } else {
        chosen
    };
    if let Some(site) = sites.iter().find(|x| x.id == chosen) {
        v["site_id"] = json!(site.id);
        if v["site_address"].as_str().unwrap_or_default().is_empty() {
            v["site_address"] = json!(site.address);
        }
    }
    for (field, value) in [("contact_name", &s.me.name), ("contact_email", &s.me.email)] {
        if v.get(field).is_none() {
            v[field] = json!(value);
        }
    }
    let equipment = super::sites::equipment_by_site(ctx, s, &sites).await;
    ctx.page(
        status,
        "request_new.html",
        json!({
            "form": v, "error": error,
            "sites": sites.iter().map(|s| json!({"id": s.id, "name": s.name, "address": s.address})).collect::<Vec<_>>(),
            "categories": settings.categories, "required": settings.required_fields,
            "equipment": equipment,
            "priorities": PRIORITIES, "severities": SEVERITIES,
            "accept": ACCEPT, "max_bytes": ctx.state.max_upload_bytes,
            "max_mb": ctx.state.max_upload_bytes.div_ceil(1024 * 1024),
        }),
    )
}

/// `/requests/new` (`?site_id=` preselects a site, `?equipment_id=` an
/// equipment: C7).
pub async fn new_form(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = session_or_return!(ctx);
    if s.is_staff() {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    }
    let site_id = query(raw.as_deref(), "site_id");
    let equipment_id = query(raw.as_deref(), "equipment_id");
    new_page(
        &ctx,
        StatusCode::OK,
        json!({"site_id": site_id, "equipment_id": equipment_id}),
        None,
    )
    .await
}

/// Stores one file as an attachment of `request`; the error is a sentence.
pub async fn attach(
    ctx: &Ctx,
    s: &Session,
    request: &pb::Request,
    f: Upload,
) -> Result<docs::Attachment, (StatusCode, String)> {
    let lang = ctx.lang;
    let file_name = f.name.clone();
    let named = |key: &str| i18n::text(lang, key, &[("name", i18n::Arg::Str(file_name.clone()))]);
    if f.too_large {
        let mb = ctx.state.max_upload_bytes.div_ceil(1024 * 1024);
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            i18n::text(
                lang,
                "error-file-size",
                &[
                    ("name", i18n::Arg::Str(f.name.clone())),
                    ("mb", i18n::Arg::Num(mb as f64)),
                ],
            ),
        ));
    }
    let req = docs::UploadAttachmentRequest {
        owner_type: OWNER.into(),
        owner_id: request.id.clone(),
        customer_id: request.customer_id.clone(),
        site_id: request.site_id.clone(),
        name: f.name.clone(),
        content_type: f.content_type.clone(),
    };
    // The gateway vouches for the owner it has just read with the caller's token.
    let vouched = ctx.state.credential.sign(
        s.caller
            .request(crate::routes::requests::attachment_parts(req, f)),
    );
    match ctx.state.documents.clone().upload_attachment(vouched).await {
        Ok(a) => Ok(a.into_inner()),
        Err(e) => {
            let problem = e
                .metadata()
                .get(portal_platform::errors::PROBLEM_HEADER)
                .and_then(|v| v.to_str().ok());
            Err(match problem {
                Some("unsupported-media-type") => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, named("error-file-type"))
                }
                Some("payload-too-large") => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    named("error-file-size-plain"),
                ),
                _ => {
                    let shown =
                        crate::web::errors::shown(lang, crate::web::errors::Action::Other, &e);
                    (shown.status, format!("{}: {}", file_name, shown.message))
                }
            })
        }
    }
}

/// `POST /requests/new` (multipart): the request, then its files one by one.
pub async fn create(TenantPage(mut ctx): TenantPage, multipart: Multipart) -> Response {
    if let Err(r) = ctx.session() {
        return *r;
    }
    let form = match multipart::read(&ctx, multipart).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let f = &form.fields;
    let values = json!({
        "site_id": f.get("site_id"), "title": f.get("title"), "description": f.get("description"),
        "category": f.get("category"), "priority": f.get("priority"), "severity": f.get("severity"),
        "equipment_id": f.get("equipment_id"), "site_address": f.get("site_address"),
        "contact_name": f.get("contact_name"), "contact_email": f.get("contact_email"),
        "contact_phone": f.get("contact_phone"),
    });
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    // Required fields, said in the page's language before the service is asked.
    let settings = settings(&ctx, s).await;
    let mut missing: Vec<String> = ["site_id", "title", "description"]
        .iter()
        .map(|x| x.to_string())
        .chain(settings.required_fields.iter().cloned())
        .filter(|field| f.get(field).is_empty())
        .map(|field| i18n::t(ctx.lang, &format!("field-{}", field.replace('_', "-"))))
        .collect();
    missing.dedup();
    if !missing.is_empty() {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(missing.join(", ")))],
        );
        return new_page(&ctx, StatusCode::BAD_REQUEST, values, Some(e)).await;
    }
    if let Err(e) = crate::routes::equipment::check_request_equipment(
        &ctx.state,
        &s.caller,
        &f.get("site_id"),
        &f.get("equipment_id"),
    )
    .await
    {
        let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
        return new_page(&ctx, shown.status, values, Some(shown.message)).await;
    }
    let req = s.caller.request(pb::CreateRequestRequest {
        site_id: f.get("site_id"),
        title: f.get("title"),
        description: f.get("description"),
        category: f.get("category"),
        priority: f.get("priority"),
        severity: f.get("severity"),
        equipment_id: f.get("equipment_id"),
        contract_id: String::new(),
        site_address: f.get("site_address"),
        contact_name: f.get("contact_name"),
        contact_email: f.get("contact_email"),
        contact_phone: f.get("contact_phone"),
    });
    let request = match ctx.state.requests.clone().create_request(req).await {
        Ok(r) => r.into_inner(),
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            return new_page(&ctx, shown.status, values, Some(shown.message)).await;
        }
    };
    let mut failed = false;
    for file in form.files {
        if let Err((_, message)) = attach(&ctx, s, &request, file).await {
            tracing::info!(%message, "an attachment of a new request was refused");
            failed = true;
        }
    }
    let to = if failed {
        // The request exists: its page says which files are missing.
        ctx.flash_next("flash-request-created-files-failed");
        format!("{}/requests/{}", ctx.base, request.id)
    } else {
        ctx.flash_next("flash-request-created");
        format!("{}/requests?created={}", ctx.base, request.id)
    };
    ctx.redirect(&to)
}

/// The whole ticket; requests without the detail call yet fall back to the bare request.
async fn load_detail(ctx: &Ctx, s: &Session, id: &str) -> Result<pb::RequestDetail, tonic::Status> {
    let mut requests = ctx.state.requests.clone();
    match requests
        .get_request_detail(s.caller.request(pb::GetRequestRequest { id: id.into() }))
        .await
    {
        Ok(d) => Ok(d.into_inner()),
        Err(e) if e.code() == tonic::Code::Unimplemented => {
            let r = requests
                .get_request(s.caller.request(pb::GetRequestRequest { id: id.into() }))
                .await?
                .into_inner();
            Ok(pb::RequestDetail {
                request: Some(r),
                history: vec![],
                comments: vec![],
            })
        }
        Err(e) => Err(e),
    }
}

pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}

/// The detail page of request `id`, for a contact or (`staff`) the back office.
pub async fn detail_page(ctx: &Ctx, id: &str, status: StatusCode, extra: Value) -> Response {
    let s = session_or_return!(ctx);
    let staff = s.is_staff();
    let d = match load_detail(ctx, s, id).await {
        Ok(d) => d,
        Err(e) => return ctx.grpc_fail(&e),
    };
    let Some(r) = d.request.as_ref() else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let sites = sites_of(ctx, s, &r.customer_id).await;
    let site_names = names(&sites);
    let files = ctx
        .state
        .documents
        .clone()
        .list_attachments(s.caller.request(docs::ListAttachmentsRequest {
            owner_type: OWNER.into(),
            owner_id: r.id.clone(),
        }))
        .await
        .map(|l| l.into_inner().items)
        .unwrap_or_default();
    let file_json = |a: &docs::Attachment| json!({"id": a.id, "name": a.name, "size": size_text(a.size), "content_type": a.content_type});
    let on_comments: Vec<&String> = d.comments.iter().flat_map(|c| &c.attachment_ids).collect();
    let comments: Vec<Value> = d
        .comments
        .iter()
        .filter(|c| staff || !c.internal)
        .map(|c| {
            json!({
                "id": c.id, "author": c.author_name, "author_kind": c.author_kind,
                "body": c.body, "internal": c.internal, "at": date_time(ctx.zone(), c.created_at.as_ref()),
                "source": c.source,
                "files": files.iter().filter(|a| c.attachment_ids.contains(&a.id)).map(file_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let history: Vec<Value> = d
        .history
        .iter()
        .map(|h| json!({"status": h.status, "at": date_time(ctx.zone(), h.at.as_ref()), "note": h.note}))
        .collect();
    let work_order = if r.work_order_id.is_empty() {
        None
    } else {
        let req = s
            .caller
            .request(portal_proto::work_orders::v1::GetWorkOrderRequest {
                id: r.work_order_id.clone(),
            });
        ctx.state
            .work_orders
            .clone()
            .get_work_order(req)
            .await
            .ok()
            .map(|w| w.into_inner())
    };
    // D6: the work's photos, for staff and, where the tenant shows them, the contact.
    let photos = match &work_order {
        Some(w) => crate::web::pages::work_orders::gallery(ctx, s, w).await,
        None => None,
    };
    let work_order = work_order.map(|w| {
        let w = crate::views::WorkOrder::from(w);
        json!({"id": w.id, "status": w.status.as_str(), "start": w.start.map(|s| s.to_rfc3339()),
               "technicians": w.technicians.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()})
    });
    let open = r.status != "closed";
    let mut values = json!({
        "request": request_json(ctx.zone(), r, &site_names),
        "history": history,
        "comments": comments,
        "files": files.iter().filter(|a| !on_comments.contains(&&a.id)).map(file_json).collect::<Vec<_>>(),
        "work_order": work_order,
        "photos": photos,
        "staff_view": staff,
        "open": open,
        // The forms follow requests' own rules (domain::may_close, may_assign).
        "can_close": open && if staff {
            s.is_manager() || r.assignee_id == s.me.id
        } else {
            r.contact_id == s.me.id
        },
        "can_assign": open && s.is_manager(),
        "can_decide": s.is_manager() && r.status == "submitted",
        "accept": ACCEPT, "max_bytes": ctx.state.max_upload_bytes,
        "max_mb": ctx.state.max_upload_bytes.div_ceil(1024 * 1024),
        "page_url": detail_url(ctx, staff, &r.id),
    });
    if staff {
        let req = s.caller.request(id::ListStaffRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            role: String::new(),
        });
        let people = ctx
            .state
            .identity
            .clone()
            .list_staff(req)
            .await
            .map(|l| l.into_inner().staff)
            .unwrap_or_default();
        values["staff"] = json!(people
            .iter()
            .map(|p| json!({"id": p.id, "name": if p.name.is_empty() { &p.email } else { &p.name }}))
            .collect::<Vec<_>>());
    }
    if let (Some(v), Value::Object(extra)) = (values.as_object_mut(), extra) {
        v.extend(extra);
    }
    ctx.page(status, "request.html", values)
}

/// Where request `id` is shown to this session.
pub fn detail_url(ctx: &Ctx, staff: bool, id: &str) -> String {
    if staff {
        format!("{}/staff/requests/{id}", ctx.base)
    } else {
        format!("{}/requests/{id}", ctx.base)
    }
}

/// `/requests/{id}`.
pub async fn detail(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = session_or_return!(ctx);
    if s.is_staff() {
        return ctx.redirect(&detail_url(&ctx, true, &id));
    }
    detail_page(&ctx, &id, StatusCode::OK, json!({})).await
}

/// Back to the request's page with a message (PRG).
pub fn back(ctx: &mut Ctx, id: &str, flash: &str, anchor: &str) -> Response {
    let staff = ctx.session.as_ref().is_some_and(Session::is_staff);
    ctx.flash_next(flash);
    let to = format!("{}{anchor}", detail_url(ctx, staff, id));
    ctx.redirect(&to)
}

/// The detail again with the service's refusal beside the forms.
pub async fn refused(ctx: &Ctx, id: &str, e: &tonic::Status) -> Response {
    let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, e);
    if shown.status == StatusCode::NOT_FOUND {
        return ctx.grpc_fail(e);
    }
    detail_page(ctx, id, shown.status, json!({"error": shown.message})).await
}

/// `POST /requests/{id}/comments`: public, or (staff) an internal note; the
/// form is multipart when it carries files (public comments only: files
/// belong to the request, which contacts see whole).
pub async fn comment(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    req: axum::extract::Request,
) -> Response {
    use axum::extract::FromRequest;
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    if let Err(r) = ctx.session() {
        return *r;
    }
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (form, files) = if multipart {
        let Ok(m) = Multipart::from_request(req, &ctx.state).await else {
            return ctx.fail(StatusCode::BAD_REQUEST, "error-invalid");
        };
        match multipart::read(&ctx, m).await {
            Ok(f) => (f.fields, f.files),
            Err(r) => return r,
        }
    } else {
        match Form::from_request(req, &ctx.state).await {
            Ok(f) => (f, vec![]),
            Err(r) => return r,
        }
    };
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let body = form.get("body");
    let internal = s.is_staff() && form.flag("internal");
    let problem = if body.is_empty() {
        Some(i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "field-comment")))],
        ))
    } else if internal && !files.is_empty() {
        Some(i18n::t(ctx.lang, "error-internal-files"))
    } else {
        None
    };
    if let Some(e) = problem {
        return detail_page(&ctx, &id, StatusCode::BAD_REQUEST, json!({"error": e})).await;
    }
    let mut attachment_ids = Vec::new();
    if !files.is_empty() {
        let request = match ctx
            .state
            .requests
            .clone()
            .get_request(s.caller.request(pb::GetRequestRequest { id: id.clone() }))
            .await
        {
            Ok(r) => r.into_inner(),
            Err(e) => return ctx.grpc_fail(&e),
        };
        // Nothing is stored for a comment that cannot be made.
        if crate::routes::requests::takes_files(&request).is_err() {
            let e = i18n::t(ctx.lang, "request-closed-note");
            return detail_page(&ctx, &id, StatusCode::CONFLICT, json!({"error": e})).await;
        }
        for file in files {
            match attach(&ctx, s, &request, file).await {
                Ok(a) => attachment_ids.push(a.id),
                Err((status, message)) => {
                    return detail_page(&ctx, &id, status, json!({"error": message})).await;
                }
            }
        }
    }
    let req = s.caller.request(pb::AddCommentRequest {
        request_id: id.clone(),
        body,
        internal,
        attachment_ids,
        author_name: s.me.name.clone(),
    });
    match ctx.state.requests.clone().add_comment(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-comment-added", "#conversation"),
        Err(e) => refused(&ctx, &id, &e).await,
    }
}

/// `POST /requests/{id}/close`: the creator (or staff) ends the conversation.
pub async fn close(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = session_or_return!(ctx);
    let req = s.caller.request(pb::CloseRequestRequest {
        id: id.clone(),
        note: form.get("note"),
    });
    match ctx.state.requests.clone().close_request(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-request-closed", ""),
        Err(e) => refused(&ctx, &id, &e).await,
    }
}

/// `POST /requests/{id}/attachments` (multipart `file`, one or several):
/// the form without JavaScript, and the script's per-file uploads.
pub async fn upload(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    multipart: Multipart,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    // The request first (a read): one the caller cannot see, or a closed
    // one, is refused before the files are read.
    let request = match ctx
        .state
        .requests
        .clone()
        .get_request(s.caller.request(pb::GetRequestRequest { id: id.clone() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    if crate::routes::requests::takes_files(&request).is_err() {
        let e = i18n::t(ctx.lang, "request-closed-note");
        return detail_page(&ctx, &id, StatusCode::CONFLICT, json!({"upload_error": e})).await;
    }
    let form = match multipart::read(&ctx, multipart).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    if form.files.is_empty() {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "field-files")))],
        );
        return detail_page(
            &ctx,
            &id,
            StatusCode::BAD_REQUEST,
            json!({"upload_error": e}),
        )
        .await;
    }
    let mut errors = Vec::new();
    let mut status = StatusCode::OK;
    for file in form.files {
        if let Err((code, message)) = attach(&ctx, s, &request, file).await {
            status = code;
            errors.push(message);
        }
    }
    if errors.is_empty() {
        back(&mut ctx, &id, "flash-files-added", "#files")
    } else {
        detail_page(&ctx, &id, status, json!({"upload_error": errors.join(" ")})).await
    }
}

/// The session as a REST caller (to reuse the API's handlers).
pub(crate) fn api_caller(s: &Session) -> crate::extract::Caller {
    crate::extract::Caller {
        token: s.caller.token.clone(),
        claims: s.caller.claims.clone(),
        ip: s.caller.ip.clone(),
    }
}

/// A refusal of a REST handler, as a page.
pub(crate) fn problem_page(ctx: &Ctx, p: crate::problem::Problem) -> Response {
    let status = axum::response::IntoResponse::into_response(p).status();
    let key = match status {
        StatusCode::NOT_FOUND => "error-not-found",
        StatusCode::BAD_REQUEST => "error-invalid",
        StatusCode::FORBIDDEN => "error-forbidden",
        StatusCode::UNAUTHORIZED => "error-session",
        _ => "error-unavailable",
    };
    ctx.fail(status, key)
}

/// `GET /requests/export.csv|xlsx?<the list's filters>` (E5): the API's
/// download with the session, streamed.
async fn export(ctx: Ctx, raw: Option<String>, xlsx: bool) -> Response {
    let s = session_or_return!(ctx);
    let f = Filter::parse(raw.as_deref());
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let filter = crate::views::RequestFilter {
        status: opt(&f.status),
        site_id: opt(&f.site_id),
        mine: f.mine,
        limit: None,
        cursor: None,
        q: opt(&f.q),
        sort: opt(&f.sort),
        customer_id: opt(&f.customer_id),
        unassigned: f.unassigned,
    };
    let state = axum::extract::State(ctx.state.clone());
    let query = crate::extract::ApiQuery(filter);
    let res = if xlsx {
        crate::routes::exports::xlsx(state, api_caller(s), query).await
    } else {
        crate::routes::exports::csv(state, api_caller(s), query).await
    };
    res.unwrap_or_else(|p| problem_page(&ctx, p))
}

pub async fn export_csv(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    export(ctx, raw, false).await
}

pub async fn export_xlsx(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    export(ctx, raw, true).await
}

/// `GET /attachments/{id}`: a file of a request the session may see.
pub async fn download(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = session_or_return!(ctx);
    crate::routes::requests::download(
        axum::extract::State(ctx.state.clone()),
        api_caller(s),
        crate::extract::ApiPath(id),
    )
    .await
    .unwrap_or_else(|p| problem_page(&ctx, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_and_drop_garbage() {
        let f = Filter::parse(Some(
            "status=submitted&site_id=0192-ab&mine=true&q=oven+door&sort=due_asc&cursor=abc",
        ));
        assert_eq!(f.status, "submitted");
        assert!(f.mine);
        assert_eq!(f.q, "oven door");
        assert_eq!(
            f.query(None),
            "status=submitted&site_id=0192-ab&q=oven+door&sort=due_asc&mine=true"
        );
        assert_eq!(Filter::parse(Some(&f.query(Some("abc")))), f);
        let bad = Filter::parse(Some("status=evil&site_id=%2F%2Fx&sort=drop+table"));
        assert_eq!(bad, Filter::default());
        assert_eq!(
            f.with("mine", "false"),
            "status=submitted&site_id=0192-ab&q=oven+door&sort=due_asc"
        );
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_text(10), "1 kB");
        assert_eq!(size_text(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
