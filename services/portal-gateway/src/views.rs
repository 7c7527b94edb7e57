//! The public JSON shapes of the REST API, and their conversion from the
//! services' messages.
use chrono::{DateTime, Utc};
use portal_platform::time::from_proto;
use portal_proto::{documents::v1 as docs, identity::v1 as id, requests::v1 as req};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

mod access;
mod availability;
mod documents;
mod equipment;
mod kb;
mod operations;
mod quotes;
mod requests;
mod vocab;
mod work_orders;
pub use access::*;
pub use availability::*;
pub use documents::*;
pub use equipment::*;
pub use kb::*;
pub use operations::*;
pub use quotes::*;
pub use requests::*;
pub use vocab::*;
pub use work_orders::*;

fn ts(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(from_proto)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTenant {
    /// 2 to 40 lowercase letters, digits or dashes, not starting or ending with a dash.
    #[schema(
        min_length = 2,
        max_length = 40,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
    )]
    pub slug: String,
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub admin_email: String,
    /// At least 10 characters and at most 1024 bytes (UTF-8).
    #[schema(min_length = 10, max_length = 256)]
    pub admin_password: String,
    /// The IANA name of the zone the tenant's people read and type times in
    /// (`Europe/Paris`); absent: UTC. Changed later with `PUT /api/v1/tenant`.
    #[serde(default)]
    #[schema(example = "Europe/Paris", max_length = 64)]
    pub time_zone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantCreated {
    pub id: String,
    pub slug: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    /// The tenant's slug.
    pub tenant: String,
    pub email: String,
    pub password: String,
    /// The `device_token` of an earlier login of this account from this
    /// client: its tries are counted apart from other clients' failures.
    #[serde(default)]
    pub device_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Refresh {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: i64,
    /// Given by a password login: send it with the next login of this
    /// account (see `Login.device_token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

impl From<id::TokenPair> for Tokens {
    fn from(t: id::TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: t.token_type,
            expires_in: t.expires_in,
            device_token: Some(t.device_token).filter(|d| !d.is_empty()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub kind: String,
    pub tenant: String,
    pub tenant_name: String,
    pub roles: Vec<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub site_ids: Vec<String>,
    pub work_order_id: Option<String>,
    pub email: String,
    pub name: String,
    pub language: String,
    pub notifications: bool,
    /// Customers this contact may switch to, the current one included.
    pub customers: Vec<CustomerChoice>,
    pub can_change_password: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerChoice {
    pub id: String,
    pub number: String,
    pub name: String,
}

impl From<id::Me> for Me {
    fn from(m: id::Me) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            tenant: m.tenant,
            roles: m.roles,
            tenant_name: m.tenant_name,
            customer_id: non_empty(m.customer_id),
            customer_name: non_empty(m.customer_name),
            site_ids: m.site_ids,
            work_order_id: non_empty(m.work_order_id),
            email: m.email,
            name: m.name,
            language: m.language,
            notifications: m.notifications,
            customers: m
                .customers
                .into_iter()
                .map(|c| CustomerChoice {
                    id: c.id,
                    number: c.number,
                    name: c.name,
                })
                .collect(),
            can_change_password: m.can_change_password,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCustomer {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub number: String,
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub info: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: String,
    pub number: String,
    pub name: String,
    pub address: String,
    pub info: String,
    pub portal_enabled: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub portal_enabled_at: Option<DateTime<Utc>>,
    /// Which requests its contacts see: all, since (visible_since) or after_enabled.
    pub request_visibility: String,
    pub visible_since: Option<DateTime<Utc>>,
}

impl From<id::Customer> for Customer {
    fn from(c: id::Customer) -> Self {
        Self {
            created_at: ts(c.created_at.as_ref()),
            portal_enabled_at: ts(c.portal_enabled_at.as_ref()),
            visible_since: ts(c.visible_since.as_ref()),
            request_visibility: c.request_visibility,
            id: c.id,
            number: c.number,
            name: c.name,
            address: c.address,
            info: c.info,
            portal_enabled: c.portal_enabled,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSite {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: Option<f64>,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl From<id::Site> for Site {
    fn from(s: id::Site) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            name: s.name,
            address: s.address,
            latitude: s.latitude,
            longitude: s.longitude,
        }
    }
}

pub(crate) fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateContact {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// English when absent.
    #[serde(default)]
    #[schema(value_type = Language)]
    pub language: String,
    #[serde(default = "yes")]
    pub notifications: bool,
    /// Sites of this customer; empty: the contact sees every site of the customer.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub site_ids: Vec<String>,
    /// Before `access_until` when both are given.
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub language: String,
    pub notifications: bool,
    pub site_ids: Vec<String>,
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
    pub activated: bool,
    /// Other customers this person is a contact of.
    pub other_customer_ids: Vec<String>,
}

impl From<id::Contact> for Contact {
    fn from(c: id::Contact) -> Self {
        Self {
            other_customer_ids: c.other_customer_ids,
            access_from: ts(c.access_from.as_ref()),
            access_until: ts(c.access_until.as_ref()),
            id: c.id,
            customer_id: c.customer_id,
            name: c.name,
            email: c.email,
            language: c.language,
            notifications: c.notifications,
            site_ids: c.site_ids,
            activated: c.activated,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPortal {
    pub enabled: bool,
    /// Absent keeps the current setting.
    #[schema(value_type = Option<RequestVisibility>)]
    pub request_visibility: Option<String>,
    /// Required with `since`: requests created before this are not shown.
    pub visible_since: Option<DateTime<Utc>>,
    /// Reserved for per-customer portal options.
    #[serde(default)]
    pub options: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationSent {
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateRequest {
    /// A site in the caller's scope.
    #[schema(format = Uuid)]
    pub site_id: String,
    /// Absent: the description's first line.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 20000,
        pattern = "[^\\s\\u0085]"
    )]
    pub description: String,
    /// One of the tenant's categories when it has a list
    /// (`GET /api/v1/request-settings`); required when the tenant says so.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub category: String,
    /// `normal` when absent; required when the tenant says so.
    #[serde(default)]
    #[schema(value_type = Priority)]
    pub priority: String,
    /// Required when the tenant says so.
    #[serde(default)]
    #[schema(value_type = Severity)]
    pub severity: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub equipment_id: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub contract_id: String,
    /// Prefilled from the site; correctable for this request.
    #[serde(default)]
    pub site_address: String,
    /// Prefilled from the caller's contact record; correctable.
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RejectRequest {
    /// Shown to the contact.
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = "[^\\s\\u0085]")]
    pub reason: String,
}

/// Unknown parameters are refused rather than silently ignored.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestFilter {
    #[param(value_type = Option<RequestStatus>)]
    pub status: Option<String>,
    #[param(format = Uuid)]
    pub site_id: Option<String>,
    /// Contacts: the requests they created; staff: those assigned to them.
    #[serde(default)]
    pub mine: bool,
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Full-text search over title, description and comments.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `created_desc` when absent.
    #[param(value_type = Option<RequestSort>)]
    pub sort: Option<String>,
    /// Staff: one customer's requests.
    #[param(format = Uuid)]
    pub customer_id: Option<String>,
    /// Staff: the "to assign" inbox.
    #[serde(default)]
    pub unassigned: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<docs::Attachment> for Attachment {
    fn from(a: docs::Attachment) -> Self {
        Self {
            created_at: ts(a.created_at.as_ref()),
            id: a.id,
            name: a.name,
            size: a.size,
            content_type: a.content_type,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub status: String,
    pub title: String,
    pub description: String,
    pub customer_id: String,
    pub site_id: String,
    pub contact_id: String,
    pub category: String,
    pub priority: String,
    pub severity: Option<String>,
    pub equipment_id: Option<String>,
    pub contract_id: Option<String>,
    pub work_order_id: Option<String>,
    /// The assignee's name.
    pub assignee: Option<String>,
    pub assignee_id: Option<String>,
    pub due_date: Option<DateTime<Utc>>,
    pub planned_start: Option<DateTime<Utc>>,
    /// The end of the planned window (the linked work order's plan).
    pub planned_end: Option<DateTime<Utc>>,
    /// Who comes, as planned; empty while nothing is planned.
    pub technicians: Vec<Technician>,
    pub reject_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub site_address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// portal, email or api.
    pub source: String,
    /// Comments the caller can read.
    pub comment_count: u32,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The conversation, oldest first (on the detail; empty in lists).
    pub comments: Vec<Comment>,
    /// Status changes, oldest first (on the detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StatusChange>>,
    /// Present on the detail only, unless the files cannot be listed right
    /// now (documents unavailable): the request is still answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
}

impl From<req::Request> for RequestView {
    fn from(r: req::Request) -> Self {
        Self {
            created_at: ts(r.created_at.as_ref()),
            updated_at: ts(r.updated_at.as_ref()),
            planned_start: ts(r.planned_start.as_ref()),
            planned_end: ts(r.planned_end.as_ref()),
            technicians: r
                .technicians
                .into_iter()
                .map(|t| Technician {
                    id: t.id,
                    name: t.name,
                })
                .collect(),
            due_date: ts(r.due_date.as_ref()),
            closed_at: ts(r.closed_at.as_ref()),
            id: r.id,
            status: r.status,
            title: r.title,
            description: r.description,
            customer_id: r.customer_id,
            site_id: r.site_id,
            contact_id: r.contact_id,
            category: r.category,
            priority: r.priority,
            severity: non_empty(r.severity),
            equipment_id: non_empty(r.equipment_id),
            contract_id: non_empty(r.contract_id),
            work_order_id: non_empty(r.work_order_id),
            assignee: non_empty(r.assignee),
            assignee_id: non_empty(r.assignee_id),
            reject_reason: non_empty(r.reject_reason),
            closed_by: non_empty(r.closed_by),
            site_address: r.site_address,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            contact_phone: r.contact_phone,
            source: r.source,
            comment_count: r.comment_count,
            comments: vec![],
            history: None,
            attachments: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn new(items: Vec<T>, next_cursor: String) -> Self {
        Self {
            items,
            next_cursor: non_empty(next_cursor),
        }
    }
}
