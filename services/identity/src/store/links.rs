//! Password-reset and registration links, and secure links.
use chrono::{DateTime, Utc};
use portal_platform::db::SystemPool;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

/// The tables whose rows are found by the hash of a secret someone
/// presents (a refresh token, a mailed link, a secure link) before any
/// tenant is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenTable {
    Refresh,
    Invitation,
    AccountLink,
    SecureLink,
}

/// The tenant of the row holding `token_hash`, looked up across tenants as
/// the owner (ADR 0018). Only the tenant comes back: the row itself is then
/// read, locked and changed through the app pool in that tenant's scope.
pub async fn tenant_of_token(
    system: &SystemPool,
    table: TokenTable,
    token_hash: &[u8],
) -> sqlx::Result<Option<Uuid>> {
    let sql = match table {
        TokenTable::Refresh => "SELECT tenant_id FROM refresh_tokens WHERE token_hash = $1",
        TokenTable::Invitation => "SELECT tenant_id FROM invitations WHERE token_hash = $1",
        TokenTable::AccountLink => "SELECT tenant_id FROM account_links WHERE token_hash = $1",
        TokenTable::SecureLink => "SELECT tenant_id FROM secure_links WHERE token_hash = $1",
    };
    sqlx::query_scalar(sql)
        .bind(token_hash)
        .fetch_optional(system.cross_tenant())
        .await
}

pub struct NewAccountLink<'a> {
    pub tenant_id: Uuid,
    pub purpose: &'a str,
    pub account_kind: &'a str,
    pub account_id: Uuid,
    pub token_hash: &'a [u8],
    pub password_hash: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
}

/// Stores a link; older unused links of the same purpose die (only the
/// newest mail works).
pub async fn insert_account_link(
    conn: &mut PgConnection,
    l: &NewAccountLink<'_>,
) -> sqlx::Result<Uuid> {
    sqlx::query(
        "UPDATE account_links SET used_at = now()
         WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(l.account_id)
    .bind(l.purpose)
    .execute(&mut *conn)
    .await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO account_links (id, tenant_id, purpose, account_kind, account_id, token_hash,
                                    password_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(l.tenant_id)
    .bind(l.purpose)
    .bind(l.account_kind)
    .bind(l.account_id)
    .bind(l.token_hash)
    .bind(l.password_hash)
    .bind(l.expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, FromRow)]
pub struct AccountLinkRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub purpose: String,
    pub account_kind: String,
    pub account_id: Uuid,
    pub password_hash: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

macro_rules! account_link_select {
    () => {
        "SELECT id, tenant_id, purpose, account_kind, account_id, password_hash, expires_at, used_at \
         FROM account_links WHERE token_hash = $1 AND purpose = $2"
    };
}

pub async fn account_link(
    pool: &PgPool,
    token_hash: &[u8],
    purpose: &str,
) -> sqlx::Result<Option<AccountLinkRow>> {
    sqlx::query_as(account_link_select!())
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(pool)
        .await
}

/// Locks the link so that it can be used once only.
pub async fn account_link_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
    purpose: &str,
) -> sqlx::Result<Option<AccountLinkRow>> {
    sqlx::query_as(concat!(account_link_select!(), " FOR UPDATE"))
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(conn)
        .await
}

/// A new password or an activation ends every mailed link of the account
/// still pending (reset, registration, invitation): an older mail can no
/// longer set a password someone else chose.
pub async fn end_pending_links(conn: &mut PgConnection, account_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE account_links SET used_at = now() WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE invitations SET used_at = now() WHERE contact_id = $1 AND used_at IS NULL")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn use_account_link(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE account_links SET used_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether an invitation token is still usable, for the acceptance page.
pub async fn invitation(
    pool: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<super::InvitationRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, contact_id, expires_at, used_at FROM invitations WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct SecureLinkRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub label: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

macro_rules! link_columns {
    () => {
        "id, tenant_id, customer_id, site_id, work_order_id, label, expires_at, revoked_at, \
         last_used_at, created_by, created_at"
    };
}

pub struct NewSecureLink<'a> {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub label: &'a str,
    pub token_hash: &'a [u8],
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
}

pub async fn insert_secure_link(
    conn: &mut PgConnection,
    l: &NewSecureLink<'_>,
) -> sqlx::Result<SecureLinkRow> {
    sqlx::query_as(concat!(
        "INSERT INTO secure_links (id, tenant_id, customer_id, site_id, work_order_id, label,
                                   token_hash, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        link_columns!()
    ))
    .bind(Uuid::now_v7())
    .bind(l.tenant_id)
    .bind(l.customer_id)
    .bind(l.site_id)
    .bind(l.work_order_id)
    .bind(l.label)
    .bind(l.token_hash)
    .bind(l.expires_at)
    .bind(l.created_by)
    .fetch_one(conn)
    .await
}

pub async fn secure_link_by_token(
    pool: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<SecureLinkRow>> {
    sqlx::query_as(concat!(
        "UPDATE secure_links SET last_used_at = now() WHERE token_hash = $1 RETURNING ",
        link_columns!()
    ))
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

pub async fn secure_link(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<SecureLinkRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        link_columns!(),
        " FROM secure_links WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn list_secure_links(
    pool: &PgPool,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<SecureLinkRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        link_columns!(),
        " FROM secure_links WHERE tenant_id = $1 AND customer_id = $2 ORDER BY created_at DESC"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(pool)
    .await
}

pub async fn revoke_secure_link(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<SecureLinkRow>> {
    sqlx::query_as(concat!(
        "UPDATE secure_links SET revoked_at = coalesce(revoked_at, now())
         WHERE tenant_id = $1 AND id = $2 RETURNING ",
        link_columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}
