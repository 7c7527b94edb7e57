//! Every SQL statement of identity (the directory and sessions here; links,
//! attempts and the audit log in the submodules).
mod audit;
mod links;
mod members;
mod throttle;

pub use audit::*;
pub use links::*;
pub use members::*;
pub use throttle::*;

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub portal_enabled: bool,
    pub portal_all_customers: bool,
    pub registration_open: bool,
    pub contact_email: String,
    pub phone: String,
    pub address: String,
    pub show_work_photos: bool,
    pub time_zone: String,
    pub currency: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub language: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct CustomerRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub number: String,
    pub name: String,
    pub address: String,
    pub info: String,
    pub portal_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub portal_enabled_at: Option<DateTime<Utc>>,
    pub request_visibility: String,
    pub visible_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, FromRow)]
pub struct SiteRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ContactRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub email: String,
    pub language: String,
    pub notifications: bool,
    pub site_ids: Vec<Uuid>,
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
    pub password_hash: Option<String>,
    pub activated_at: Option<DateTime<Utc>>,
}

/// A contact with the switches that decide whether they may log in.
#[derive(Debug, Clone, FromRow)]
pub struct ContactLogin {
    #[sqlx(flatten)]
    pub contact: ContactRow,
    pub customer_portal_enabled: bool,
    pub tenant_portal_enabled: bool,
    pub tenant_portal_all_customers: bool,
}

impl ContactLogin {
    /// Whether the portal is open for the contact's home customer.
    pub fn portal_open(&self) -> bool {
        crate::domain::portal_open(
            self.tenant_portal_enabled,
            self.tenant_portal_all_customers,
            self.customer_portal_enabled,
        )
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub contact_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, FromRow)]
pub struct RefreshRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub account_id: Uuid,
    pub account_kind: String,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub customer_id: Option<Uuid>,
}

// Shared column lists, spliced at compile time so every query stays a literal.
macro_rules! contact_columns {
    () => {
        "c.id, c.tenant_id, c.customer_id, c.name, c.email, c.language, c.notifications, \
         c.site_ids, c.access_from, c.access_until, c.password_hash, c.activated_at"
    };
}
macro_rules! contact_login_from {
    () => {
        "cu.portal_enabled AS customer_portal_enabled, t.portal_enabled AS tenant_portal_enabled, \
         t.portal_all_customers AS tenant_portal_all_customers \
         FROM contacts c JOIN customers cu ON cu.id = c.customer_id JOIN tenants t ON t.id = c.tenant_id"
    };
}
macro_rules! customer_columns {
    () => {
        "id, tenant_id, number, name, address, info, portal_enabled, created_at, \
         portal_enabled_at, request_visibility, visible_since"
    };
}
macro_rules! tenant_columns {
    () => {
        "id, slug, name, portal_enabled, portal_all_customers, registration_open, \
         contact_email, phone, address, show_work_photos, time_zone, currency"
    };
}
pub(crate) use {contact_columns, customer_columns, tenant_columns};

// ---- tenants and staff ----

pub async fn insert_tenant(
    conn: &mut PgConnection,
    id: Uuid,
    slug: &str,
    name: &str,
    time_zone: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO tenants (id, slug, name, time_zone) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(slug)
        .bind(name)
        .bind(time_zone)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_staff(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
    name: &str,
    password_hash: &str,
    roles: &[String],
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO staff_users (id, tenant_id, email, name, password_hash, roles)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(roles)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn tenant_by_slug(pool: &PgPool, slug: &str) -> sqlx::Result<Option<TenantRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        tenant_columns!(),
        " FROM tenants WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await
}

pub async fn tenant(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<TenantRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        tenant_columns!(),
        " FROM tenants WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn staff_by_email(
    pool: &PgPool,
    tenant_id: Uuid,
    email: &str,
) -> sqlx::Result<Option<StaffRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, email, name, password_hash, roles, language FROM staff_users
         WHERE tenant_id = $1 AND lower(email) = lower($2)",
    )
    .bind(tenant_id)
    .bind(email)
    .fetch_optional(pool)
    .await
}

pub async fn staff(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<StaffRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, email, name, password_hash, roles, language FROM staff_users
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn list_staff(
    pool: &PgPool,
    tenant_id: Uuid,
    role: Option<&str>,
) -> sqlx::Result<Vec<StaffRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, email, name, password_hash, roles, language FROM staff_users
         WHERE tenant_id = $1 AND ($2::text IS NULL OR $2 = ANY (roles)) ORDER BY email",
    )
    .bind(tenant_id)
    .bind(role)
    .fetch_all(pool)
    .await
}

// ---- customers, sites, contacts ----

pub struct NewCustomer<'a> {
    pub tenant_id: Uuid,
    pub number: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub info: &'a str,
}

pub async fn insert_customer<'e>(
    db: impl sqlx::PgExecutor<'e>,
    c: &NewCustomer<'_>,
) -> sqlx::Result<CustomerRow> {
    sqlx::query_as(concat!(
        "INSERT INTO customers (id, tenant_id, number, name, address, info)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        customer_columns!()
    ))
    .bind(Uuid::now_v7())
    .bind(c.tenant_id)
    .bind(c.number)
    .bind(c.name)
    .bind(c.address)
    .bind(c.info)
    .fetch_one(db)
    .await
}

pub async fn customer(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<CustomerRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        customer_columns!(),
        " FROM customers WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Number, name, address and notes; `None` when the customer is not the
/// tenant's.
pub async fn update_customer(
    conn: &mut PgConnection,
    c: &NewCustomer<'_>,
    id: Uuid,
) -> sqlx::Result<Option<CustomerRow>> {
    sqlx::query_as(concat!(
        "UPDATE customers SET number = $3, name = $4, address = $5, info = $6
         WHERE tenant_id = $1 AND id = $2 RETURNING ",
        customer_columns!()
    ))
    .bind(c.tenant_id)
    .bind(id)
    .bind(c.number)
    .bind(c.name)
    .bind(c.address)
    .bind(c.info)
    .fetch_optional(conn)
    .await
}

/// Switches the portal and sets which requests its contacts see (`None`
/// keeps the current setting); returns the customer when it exists.
pub async fn set_customer_portal(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    enabled: bool,
    visibility: Option<(&str, Option<DateTime<Utc>>)>,
) -> sqlx::Result<Option<CustomerRow>> {
    let (vis, since) = visibility.map_or((None, None), |(v, s)| (Some(v), s));
    sqlx::query_as(concat!(
        "UPDATE customers SET portal_enabled = $3,
             portal_enabled_at = CASE WHEN $3 AND NOT portal_enabled THEN now() ELSE portal_enabled_at END,
             request_visibility = coalesce($4, request_visibility),
             visible_since = CASE WHEN $4 IS NULL THEN visible_since ELSE $5 END
         WHERE tenant_id = $1 AND id = $2 RETURNING ",
        customer_columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(enabled)
    .bind(vis)
    .bind(since)
    .fetch_optional(conn)
    .await
}

pub struct NewSite<'a> {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub name: &'a str,
    pub address: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

pub async fn insert_site(conn: &mut PgConnection, s: &NewSite<'_>) -> sqlx::Result<SiteRow> {
    sqlx::query_as(
        "INSERT INTO sites (id, tenant_id, customer_id, name, address, latitude, longitude)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, tenant_id, customer_id, name, address, latitude, longitude",
    )
    .bind(Uuid::now_v7())
    .bind(s.tenant_id)
    .bind(s.customer_id)
    .bind(s.name)
    .bind(s.address)
    .bind(s.latitude)
    .bind(s.longitude)
    .fetch_one(conn)
    .await
}

pub async fn site(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<SiteRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, customer_id, name, address, latitude, longitude
         FROM sites WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Name, address and position; `None` when the site is not the tenant's.
pub async fn update_site(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    s: &NewSite<'_>,
) -> sqlx::Result<Option<SiteRow>> {
    sqlx::query_as(
        "UPDATE sites SET name = $3, address = $4, latitude = $5, longitude = $6
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, tenant_id, customer_id, name, address, latitude, longitude",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(s.name)
    .bind(s.address)
    .bind(s.latitude)
    .bind(s.longitude)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ListedSite {
    #[sqlx(flatten)]
    pub site: SiteRow,
    pub customer_name: String,
    pub customer_number: String,
}

/// Which sites a list shows.
pub struct SiteFilter<'a> {
    pub customer_id: Option<Uuid>,
    /// Only these (a contact narrowed to some sites).
    pub only: Option<&'a [Uuid]>,
    /// Lower-cased; matched in name and address.
    pub q: Option<&'a str>,
    /// The last site of the previous page.
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Sites by name, with their customer's name.
pub async fn list_sites(
    pool: &PgPool,
    tenant_id: Uuid,
    f: &SiteFilter<'_>,
) -> sqlx::Result<Vec<ListedSite>> {
    sqlx::query_as(
        "SELECT s.id, s.tenant_id, s.customer_id, s.name, s.address, s.latitude, s.longitude,
                c.name AS customer_name, c.number AS customer_number
         FROM sites s JOIN customers c ON c.id = s.customer_id
         WHERE s.tenant_id = $1
           AND ($2::uuid IS NULL OR s.customer_id = $2)
           AND ($3::uuid[] IS NULL OR s.id = ANY ($3))
           AND ($4::text IS NULL OR strpos(lower(s.name || ' ' || s.address), $4) > 0)
           AND ($5::uuid IS NULL OR (lower(s.name), s.id) >
                (SELECT lower(name), id FROM sites WHERE tenant_id = $1 AND id = $5))
         ORDER BY lower(s.name), s.id
         LIMIT $6",
    )
    .bind(tenant_id)
    .bind(f.customer_id)
    .bind(f.only)
    .bind(f.q)
    .bind(f.after)
    .bind(f.limit)
    .fetch_all(pool)
    .await
}

/// How many of `site_ids` belong to the customer.
pub async fn count_customer_sites(
    pool: &PgPool,
    tenant_id: Uuid,
    customer_id: Uuid,
    site_ids: &[Uuid],
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM sites WHERE tenant_id = $1 AND customer_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(site_ids)
    .fetch_one(pool)
    .await
}

pub struct NewContact<'a> {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub language: &'a str,
    pub notifications: bool,
    pub site_ids: &'a [Uuid],
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

pub async fn insert_contact(
    conn: &mut PgConnection,
    c: &NewContact<'_>,
) -> sqlx::Result<ContactRow> {
    sqlx::query_as(concat!(
        "INSERT INTO contacts AS c (id, tenant_id, customer_id, name, email, language, notifications,
                                    site_ids, access_from, access_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
        contact_columns!()
    ))
    .bind(Uuid::now_v7())
    .bind(c.tenant_id)
    .bind(c.customer_id)
    .bind(c.name)
    .bind(c.email)
    .bind(c.language)
    .bind(c.notifications)
    .bind(c.site_ids)
    .bind(c.access_from)
    .bind(c.access_until)
    .fetch_one(conn)
    .await
}

pub async fn contact(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<ContactRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        contact_columns!(),
        " FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The tenant's contact with `email`, compared case-insensitively (the
/// unique index is on `lower(email)`).
pub async fn contact_by_email(
    pool: &PgPool,
    tenant_id: Uuid,
    email: &str,
) -> sqlx::Result<Option<ContactRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        contact_columns!(),
        " FROM contacts c WHERE c.tenant_id = $1 AND lower(c.email) = lower($2)"
    ))
    .bind(tenant_id)
    .bind(email)
    .fetch_optional(pool)
    .await
}

pub async fn contact_login_by_email(
    pool: &PgPool,
    tenant_id: Uuid,
    email: &str,
) -> sqlx::Result<Option<ContactLogin>> {
    sqlx::query_as(concat!(
        "SELECT ",
        contact_columns!(),
        ", ",
        contact_login_from!(),
        " WHERE c.tenant_id = $1 AND lower(c.email) = lower($2)"
    ))
    .bind(tenant_id)
    .bind(email)
    .fetch_optional(pool)
    .await
}

pub async fn contact_login(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ContactLogin>> {
    sqlx::query_as(concat!(
        "SELECT ",
        contact_columns!(),
        ", ",
        contact_login_from!(),
        " WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn activate_contact(
    conn: &mut PgConnection,
    id: Uuid,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE contacts SET password_hash = $2, activated_at = coalesce(activated_at, now()) WHERE id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .execute(&mut *conn)
    .await?;
    end_pending_links(conn, id).await
}

// ---- invitations ----

pub async fn insert_invitation(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contact_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    created_by: Uuid,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO invitations (id, tenant_id, contact_id, token_hash, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(contact_id)
    .bind(token_hash)
    .bind(expires_at)
    .bind(created_by)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Locks the invitation row so that it can be used once only.
pub async fn invitation_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<InvitationRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, contact_id, expires_at, used_at FROM invitations
         WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Marks every pending invitation of the contact as used up.
pub async fn revoke_invitations(conn: &mut PgConnection, contact_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE invitations SET used_at = now() WHERE contact_id = $1 AND used_at IS NULL")
        .bind(contact_id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- refresh tokens ----

pub struct NewRefresh<'a> {
    pub tenant_id: Uuid,
    pub account_id: Uuid,
    pub account_kind: &'a str,
    pub family_id: Uuid,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
    pub customer_id: Option<Uuid>,
}

pub async fn insert_refresh(conn: &mut PgConnection, r: &NewRefresh<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, tenant_id, account_id, account_kind, family_id, token_hash,
                                     expires_at, customer_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(r.tenant_id)
    .bind(r.account_id)
    .bind(r.account_kind)
    .bind(r.family_id)
    .bind(r.token_hash)
    .bind(r.expires_at)
    .bind(r.customer_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn refresh_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<RefreshRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, account_id, account_kind, family_id, expires_at, used_at, revoked_at,
                customer_id
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

pub async fn use_refresh(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_family(conn: &mut PgConnection, family_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every session of an account (log out everywhere, new password,
/// revoked link), except the family `keep` when given.
pub async fn revoke_account_sessions(
    conn: &mut PgConnection,
    account_id: Uuid,
    keep: Option<Uuid>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE account_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2)",
    )
    .bind(account_id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The family of a live refresh token, for logging out one session.
pub async fn refresh_family(
    pool: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<(Uuid, Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT family_id, tenant_id, account_id FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

pub async fn set_password(
    conn: &mut PgConnection,
    kind: &str,
    id: Uuid,
    password_hash: &str,
) -> sqlx::Result<()> {
    let sql = if kind == "staff" {
        "UPDATE staff_users SET password_hash = $2 WHERE id = $1"
    } else {
        "UPDATE contacts SET password_hash = $2, activated_at = coalesce(activated_at, now()) WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(id)
        .bind(password_hash)
        .execute(&mut *conn)
        .await?;
    end_pending_links(conn, id).await
}

pub async fn set_staff_language(
    conn: &mut PgConnection,
    id: Uuid,
    language: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE staff_users SET language = $2 WHERE id = $1")
        .bind(id)
        .bind(language)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- imports ----

/// The tenant's customers by number: `(number, id)`.
pub async fn customer_numbers(pool: &PgPool, tenant_id: Uuid) -> sqlx::Result<Vec<(String, Uuid)>> {
    sqlx::query_as("SELECT number, id FROM customers WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

/// The tenant's sites: `(customer id, lower-cased name, id)`.
pub async fn site_names(pool: &PgPool, tenant_id: Uuid) -> sqlx::Result<Vec<(Uuid, String, Uuid)>> {
    sqlx::query_as("SELECT customer_id, lower(name), id FROM sites WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

/// The tenant's contacts' lower-cased addresses.
pub async fn contact_emails(pool: &PgPool, tenant_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT lower(email) FROM contacts WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}
