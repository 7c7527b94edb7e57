//! Memberships of contacts in customers, directory lists and updates.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use super::{
    ContactRow, CustomerRow, SiteRow, TenantRow, contact_columns, customer_columns, tenant_columns,
};

/// A customer a contact belongs to, with the switches of its portal.
#[derive(Debug, Clone, FromRow)]
pub struct Membership {
    pub customer_id: Uuid,
    pub number: String,
    pub name: String,
    pub site_ids: Vec<Uuid>,
    pub portal_enabled: bool,
    pub portal_enabled_at: Option<DateTime<Utc>>,
    pub request_visibility: String,
    pub visible_since: Option<DateTime<Utc>>,
    pub home: bool,
}

/// The home customer first, then the others by name.
pub async fn memberships(
    pool: &PgPool,
    tenant_id: Uuid,
    contact_id: Uuid,
) -> sqlx::Result<Vec<Membership>> {
    sqlx::query_as(
        "SELECT cu.id AS customer_id, cu.number, cu.name, c.site_ids, cu.portal_enabled,
                cu.portal_enabled_at, cu.request_visibility, cu.visible_since, true AS home
         FROM contacts c JOIN customers cu ON cu.id = c.customer_id
         WHERE c.tenant_id = $1 AND c.id = $2
         UNION ALL
         SELECT cu.id, cu.number, cu.name, m.site_ids, cu.portal_enabled,
                cu.portal_enabled_at, cu.request_visibility, cu.visible_since, false
         FROM contact_customers m JOIN customers cu ON cu.id = m.customer_id
         WHERE m.tenant_id = $1 AND m.contact_id = $2
         ORDER BY home DESC, name",
    )
    .bind(tenant_id)
    .bind(contact_id)
    .fetch_all(pool)
    .await
}

pub async fn add_membership(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contact_id: Uuid,
    customer_id: Uuid,
    site_ids: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO contact_customers (tenant_id, contact_id, customer_id, site_ids)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (contact_id, customer_id) DO UPDATE SET site_ids = EXCLUDED.site_ids",
    )
    .bind(tenant_id)
    .bind(contact_id)
    .bind(customer_id)
    .bind(site_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// The other customers a contact belongs to.
pub async fn other_customer_ids(pool: &PgPool, contact_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT customer_id FROM contact_customers WHERE contact_id = $1 ORDER BY customer_id",
    )
    .bind(contact_id)
    .fetch_all(pool)
    .await
}

/// Customers by number, filtered on number or name; `after` is the last
/// number of the previous page.
pub async fn list_customers(
    pool: &PgPool,
    tenant_id: Uuid,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<CustomerRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        customer_columns!(),
        " FROM customers WHERE tenant_id = $1
            AND ($2::text IS NULL OR number ILIKE '%' || $2 || '%' OR name ILIKE '%' || $2 || '%')
            AND ($3::text IS NULL OR number > $3)
          ORDER BY number LIMIT $4"
    ))
    .bind(tenant_id)
    .bind(q)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn customer_sites(
    pool: &PgPool,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<SiteRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, customer_id, name, address, latitude, longitude
         FROM sites WHERE tenant_id = $1 AND customer_id = $2 ORDER BY name, id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(pool)
    .await
}

/// Contacts of a customer (home or added), with the sites of that
/// membership, oldest first (the first is the main contact).
pub async fn customer_contacts(
    pool: &PgPool,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<ContactRow>> {
    sqlx::query_as(
        "SELECT c.id, c.tenant_id, $2 AS customer_id, c.name, c.email, c.language, c.notifications,
                coalesce(m.site_ids, c.site_ids) AS site_ids, c.access_from, c.access_until,
                c.password_hash, c.activated_at
         FROM contacts c
         LEFT JOIN contact_customers m ON m.contact_id = c.id AND m.customer_id = $2
         WHERE c.tenant_id = $1 AND (c.customer_id = $2 OR m.customer_id IS NOT NULL)
         ORDER BY c.created_at, c.id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(pool)
    .await
}

pub struct ContactUpdate<'a> {
    pub name: &'a str,
    pub language: &'a str,
    pub notifications: bool,
    pub site_ids: &'a [Uuid],
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

pub async fn update_contact(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    u: &ContactUpdate<'_>,
) -> sqlx::Result<Option<ContactRow>> {
    sqlx::query_as(concat!(
        "UPDATE contacts AS c SET name = $3, language = $4, notifications = $5, site_ids = $6,
             access_from = $7, access_until = $8
         WHERE c.tenant_id = $1 AND c.id = $2 RETURNING ",
        contact_columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(u.name)
    .bind(u.language)
    .bind(u.notifications)
    .bind(u.site_ids)
    .bind(u.access_from)
    .bind(u.access_until)
    .fetch_optional(conn)
    .await
}

/// A person's own settings (B6).
pub async fn update_contact_self(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
    name: &str,
    language: &str,
    notifications: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE contacts SET name = $3, language = $4, notifications = $5 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(name)
    .bind(language)
    .bind(notifications)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn update_staff_self(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
    name: &str,
    language: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE staff_users SET name = $3, language = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(name)
        .bind(language)
        .execute(pool)
        .await?;
    Ok(())
}

pub struct TenantUpdate<'a> {
    pub name: &'a str,
    pub portal_enabled: bool,
    pub portal_all_customers: bool,
    pub registration_open: bool,
    pub contact_email: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    /// `None`: left as it is.
    pub show_work_photos: Option<bool>,
    /// An IANA name, checked by the caller; `None`: left as it is.
    pub time_zone: Option<&'a str>,
    /// Checked by the caller; `None`: left as it is.
    pub currency: Option<&'a str>,
}

pub async fn update_tenant(
    conn: &mut PgConnection,
    id: Uuid,
    u: &TenantUpdate<'_>,
) -> sqlx::Result<TenantRow> {
    sqlx::query_as(concat!(
        "UPDATE tenants SET name = $2, portal_enabled = $3, portal_all_customers = $4,
             registration_open = $5, contact_email = $6, phone = $7, address = $8,
             show_work_photos = COALESCE($9, show_work_photos),
             time_zone = COALESCE($10, time_zone), currency = COALESCE($11, currency)
         WHERE id = $1 RETURNING ",
        tenant_columns!()
    ))
    .bind(id)
    .bind(u.name)
    .bind(u.portal_enabled)
    .bind(u.portal_all_customers)
    .bind(u.registration_open)
    .bind(u.contact_email)
    .bind(u.phone)
    .bind(u.address)
    .bind(u.show_work_photos)
    .bind(u.time_zone)
    .bind(u.currency)
    .fetch_one(conn)
    .await
}

/// Every (contact, customer) pair of these contacts: home and added.
pub async fn customers_of_contacts(
    pool: &PgPool,
    contact_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT id, customer_id FROM contacts WHERE id = ANY ($1)
         UNION ALL
         SELECT contact_id, customer_id FROM contact_customers WHERE contact_id = ANY ($1)",
    )
    .bind(contact_ids)
    .fetch_all(pool)
    .await
}
