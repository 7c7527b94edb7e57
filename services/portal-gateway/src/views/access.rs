//! JSON shapes of the ways in, sessions, the directory reads, tenant
//! settings, secure links and the audit log.
use chrono::{DateTime, Utc};
use portal_platform::time::to_proto;
use portal_proto::identity::v1 as id;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Contact, Customer, Site, non_empty, ts};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The tenant's slug.
    pub tenant: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenAndPassword {
    pub token: String,
    /// At least 10 characters and at most 1024 bytes (UTF-8).
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Register {
    /// The tenant's slug.
    pub tenant: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters and at most 1024 bytes (UTF-8).
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkToken {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// What happens next, for people reading the answer.
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 10 characters and at most 1024 bytes (UTF-8).
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMe {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[schema(value_type = super::Language)]
    pub language: String,
    /// Contacts: whether they get e-mails.
    #[serde(default = "super::yes")]
    pub notifications: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SwitchCustomer {
    /// One of `GET /api/v1/me`'s `customers`.
    #[schema(format = Uuid)]
    pub customer_id: String,
}

/// Unknown parameters are refused rather than silently ignored.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Part of the number or name.
    pub q: Option<String>,
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: Customer,
    pub main_contact: Option<Contact>,
    pub sites: Vec<Site>,
}

impl From<id::CustomerDetail> for CustomerDetail {
    fn from(d: id::CustomerDetail) -> Self {
        Self {
            customer: d.customer.unwrap_or_default().into(),
            main_contact: d.main_contact.map(Into::into),
            sites: d.sites.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactFilter {
    /// Contacts: only the people who share one of my sites.
    #[serde(default)]
    pub mine: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateContact {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    /// English when absent.
    #[serde(default)]
    #[schema(value_type = super::Language)]
    pub language: String,
    #[serde(default = "super::yes")]
    pub notifications: bool,
    /// Sites of the contact's customer; empty: every site of the customer.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub site_ids: Vec<String>,
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

impl UpdateContact {
    pub fn into_pb(self, contact_id: String) -> id::UpdateContactRequest {
        id::UpdateContactRequest {
            contact_id,
            name: self.name,
            language: self.language,
            notifications: self.notifications,
            site_ids: self.site_ids,
            access_from: self.access_from.map(to_proto),
            access_until: self.access_until.map(to_proto),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddToCustomer {
    #[schema(format = Uuid)]
    pub customer_id: String,
    /// Sites of that customer; empty: every site of it.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub site_ids: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TenantSettings {
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    pub portal_enabled: bool,
    /// true: every customer's contacts; false: customers switched on one by one.
    pub portal_all_customers: bool,
    pub registration_open: bool,
    /// Empty, or an e-mail address.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub contact_email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// Whether customers' contacts see the photos of their work orders
    /// (D6; staff always do). Absent in a change: left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_work_photos: Option<bool>,
    /// The IANA name of the zone times are shown and typed in
    /// (`Europe/Paris`). Absent in a change: left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Europe/Paris", max_length = 64)]
    pub time_zone: Option<String>,
    /// ISO 4217 code quotes and invoices are written in (EUR unless set).
    /// Absent in a change: left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "EUR", min_length = 3, max_length = 3)]
    pub currency: Option<String>,
}

impl From<id::TenantInfo> for TenantSettings {
    fn from(t: id::TenantInfo) -> Self {
        Self {
            name: t.name,
            portal_enabled: t.portal_enabled,
            portal_all_customers: t.portal_all_customers,
            registration_open: t.registration_open,
            contact_email: t.contact_email,
            phone: t.phone,
            address: t.address,
            show_work_photos: Some(t.show_work_photos),
            time_zone: Some(t.time_zone),
            currency: Some(t.currency),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSecureLink {
    /// Only this site of the customer; absent: the whole customer.
    #[schema(format = Uuid)]
    pub site_id: Option<String>,
    /// Only this work order.
    #[schema(format = Uuid)]
    pub work_order_id: Option<String>,
    /// In the future.
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecureLink {
    pub id: String,
    pub customer_id: String,
    pub site_id: Option<String>,
    pub work_order_id: Option<String>,
    pub label: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Only in the answer to its creation: it cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<id::SecureLink> for SecureLink {
    fn from(l: id::SecureLink) -> Self {
        Self {
            expires_at: ts(l.expires_at.as_ref()),
            revoked_at: ts(l.revoked_at.as_ref()),
            created_at: ts(l.created_at.as_ref()),
            last_used_at: ts(l.last_used_at.as_ref()),
            id: l.id,
            customer_id: l.customer_id,
            site_id: non_empty(l.site_id),
            work_order_id: non_empty(l.work_order_id),
            label: l.label,
            url: non_empty(l.url),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: Option<DateTime<Utc>>,
    pub actor_id: Option<String>,
    /// staff, contact or link.
    pub actor_kind: String,
    /// The actor's e-mail (or link label) as it is now.
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub detail: String,
    pub client_ip: Option<String>,
    /// Which service recorded it.
    pub source: String,
}

impl AuditEntry {
    pub fn new(a: portal_proto::audit::v1::AuditEntry, source: &str) -> Self {
        Self {
            at: ts(a.at.as_ref()),
            id: a.id,
            actor_id: non_empty(a.actor_id),
            actor_kind: a.actor_kind,
            actor: a.actor_label,
            action: a.action,
            target_kind: a.target_kind,
            target_id: non_empty(a.target_id),
            detail: a.detail,
            client_ip: non_empty(a.client_ip),
            source: source.into(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateStaff {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, pattern = "[^\\s\\u0085]")]
    pub name: String,
    /// One or more, each once.
    #[schema(value_type = Vec<super::Role>, min_items = 1, max_items = 3)]
    pub roles: Vec<String>,
    /// At least 10 characters and at most 1024 bytes (UTF-8).
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// English when absent.
    #[serde(default)]
    #[schema(value_type = super::Language)]
    pub language: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub language: String,
}

impl From<id::StaffMember> for StaffMember {
    fn from(s: id::StaffMember) -> Self {
        Self {
            id: s.id,
            email: s.email,
            name: s.name,
            roles: s.roles,
            language: s.language,
        }
    }
}
