//! A new request, however it comes in: the portal and the API (gRPC
//! `CreateRequest`) or a mail to the tenant's intake address (`mail.received`).
//! One use case, [`submit`], in the caller's transaction: it checks the
//! input against the tenant's settings and the contact's scope
//! (`domain::check`, `domain::check_site`), then writes the request, the
//! first entry of its history and the `request.submitted` event. Submitting
//! leaves no audit record (the audit log holds staff decisions, ADR 0009).
//!
//! The callers read the directory (the site, the contact's details) before
//! they begin the transaction, so no database connection waits on identity,
//! and only translate the command in and the error out.
pub mod domain;

use chrono::{DateTime, Utc};
use portal_platform::outbox;
use portal_platform::scope::Scope;
use portal_platform::time::to_proto;
use portal_proto::events::v1 as ev;
use sqlx::PgConnection;
use uuid::Uuid;

pub use domain::{Field, Invalid, Origin, Site};

use crate::domain::Status;
use crate::grpc::SOURCE;
use crate::store::{self, RequestRow};

/// A contact's new request.
#[derive(Debug, Clone)]
pub struct Submit {
    pub tenant_id: Uuid,
    pub contact_id: Uuid,
    /// The customer the contact acts for: the request is theirs.
    pub customer_id: Uuid,
    /// Which sites the contact may submit for.
    pub scope: Scope,
    /// The site, as the directory knows it; `None`: no such site.
    pub site: Option<Site>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub severity: String,
    pub equipment_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    /// Blank: the site's address.
    pub site_address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub at: DateTime<Utc>,
}

/// The request as stored.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub request: RequestRow,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Bad input, a required field missing, a site outside the scope.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Submits `cmd` from `origin` in `conn` (the caller's transaction): nothing
/// is written when it is refused.
pub async fn submit(
    conn: &mut PgConnection,
    cmd: Submit,
    origin: Origin,
) -> Result<Submitted, SubmitError> {
    let settings = store::settings::read(&mut *conn, cmd.tenant_id).await?;
    let checked = domain::check(
        &settings,
        &domain::Draft {
            title: &cmd.title,
            description: &cmd.description,
            category: &cmd.category,
            priority: &cmd.priority,
            severity: &cmd.severity,
        },
        origin,
    )?;
    let site = domain::check_site(&cmd.scope, cmd.site.as_ref())?;
    let short = |s: &str, max: usize| s.trim().chars().take(max).collect::<String>();
    let site_address = match cmd.site_address.trim() {
        "" => site.address.as_str(),
        a => a,
    };
    let row = RequestRow {
        id: Uuid::now_v7(),
        tenant_id: cmd.tenant_id,
        customer_id: cmd.customer_id,
        site_id: site.id,
        contact_id: cmd.contact_id,
        title: checked.title,
        description: checked.description,
        category: checked.category,
        priority: checked.priority,
        status: Status::Submitted.as_str().into(),
        work_order_id: None,
        reject_reason: String::new(),
        assignee: String::new(),
        planned_start: None,
        created_at: cmd.at,
        updated_at: cmd.at,
        severity: checked.severity,
        equipment_id: cmd.equipment_id,
        contract_id: cmd.contract_id,
        assignee_id: None,
        due_date: None,
        closed_at: None,
        closed_by: None,
        site_address: short(site_address, 500),
        contact_name: short(&cmd.contact_name, 200),
        contact_email: short(&cmd.contact_email, 320),
        contact_phone: short(&cmd.contact_phone, 50),
        source: origin.source().into(),
        public_comments: 0,
        all_comments: 0,
        plan: store::PlanCopy::default(),
    };
    store::insert(&mut *conn, &row).await?;
    store::record_status(&mut *conn, row.id, &row.status, row.contact_id, "").await?;
    let event = ev::RequestSubmitted {
        tenant_id: row.tenant_id.to_string(),
        request_id: row.id.to_string(),
        customer_id: row.customer_id.to_string(),
        site_id: row.site_id.to_string(),
        contact_id: row.contact_id.to_string(),
        title: row.title.clone(),
        description: row.description.clone(),
        submitted_at: Some(to_proto(cmd.at)),
    };
    outbox::enqueue(&mut *conn, row.tenant_id, SOURCE, &event).await?;
    Ok(Submitted { request: row })
}
