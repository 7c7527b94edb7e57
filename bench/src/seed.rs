//! The bench tenant through the public API: tenant, admin, customer, site,
//! a contact activated through the real invitation mail, and a second
//! contact with notifications off. Bulk rows (the tenant's history, the pool
//! of requests to accept back to back) go in by SQL, one statement each:
//! only the measured calls need to go through the API.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::api::{Api, field};
use crate::mail_log::MailLog;

pub const ADMIN_EMAIL: &str = "admin@bench.example";
pub const CONTACT_EMAIL: &str = "contact@bench.example";
pub const TENANT: &str = "bench";
pub const ADMIN_PASSWORD: &str = "bench-admin-password";
pub const CONTACT_PASSWORD: &str = "bench-contact-password";
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Seeded {
    pub admin_token: String,
    pub contact_token: String,
    pub site_id: String,
    /// Tenant, customer, site and the activated contact.
    pub owner: Owner,
    /// A second contact of the customer, with notifications off: accepting
    /// its requests runs the whole path except the mail.
    pub quiet_contact: Uuid,
}

/// Who a seeded request belongs to.
#[derive(Clone, Copy)]
pub struct Owner {
    pub tenant: Uuid,
    pub customer: Uuid,
    pub site: Uuid,
    pub contact: Uuid,
}

/// Seeded rows of one kind: their ids share the UUID's fourth group.
#[derive(Clone, Copy)]
pub struct Rows {
    pub group: u16,
    pub title: &'static str,
}

/// The tenant's history, which scenario (2) lists.
pub const HISTORY: Rows = Rows {
    group: 0x8000,
    title: "Seeded request ",
};

impl Rows {
    /// The id of row `n` (1-based): computable on both sides, so the load
    /// can ask for existing rows without listing them.
    pub fn id(self, n: u64) -> String {
        format!("00000000-0000-4000-{:04x}-{n:012x}", self.group)
    }

    pub fn title(self, n: u64) -> String {
        format!("{}{n}", self.title)
    }
}

pub async fn run(
    api: &Api,
    operator_token: &str,
    mails: &mut MailLog,
    requests_db: &str,
    rows: u64,
) -> Result<Seeded> {
    let tenant = api
        .call(
            Method::POST,
            "/tenants",
            Some(operator_token),
            Some(json!({
                "slug": TENANT,
                "name": "Bench Services",
                "admin_email": ADMIN_EMAIL,
                "admin_password": ADMIN_PASSWORD,
            })),
        )
        .await?;
    let login = api
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await?;
    let admin_token = field(&login, "access_token")?;
    let admin = admin_token.as_str();
    let staff = move |path: String, body: Value| async move {
        api.call(Method::POST, &path, Some(admin), Some(body)).await
    };

    let customer = staff(
        "/customers".into(),
        json!({"number": "B-1", "name": "Bench Customer", "address": "1 rue du Banc, Lyon"}),
    )
    .await?;
    let customer_id = field(&customer, "id")?;
    let site = staff(
        format!("/customers/{customer_id}/sites"),
        json!({"name": "Bench site", "address": "1 rue du Banc, Lyon", "latitude": 45.76, "longitude": 4.83}),
    )
    .await?;
    let contact = |name: &str, email: &str, notifications: bool| {
        staff(
            format!("/customers/{customer_id}/contacts"),
            json!({"name": name, "email": email, "language": "en", "notifications": notifications, "site_ids": []}),
        )
    };
    let contact_id = field(&contact("Bench Contact", CONTACT_EMAIL, true).await?, "id")?;
    let quiet = contact("Quiet Contact", "quiet@bench.example", false).await?;
    api.call(
        Method::PUT,
        &format!("/customers/{customer_id}/portal"),
        Some(admin),
        Some(json!({"enabled": true})),
    )
    .await?;
    staff(format!("/contacts/{contact_id}/invitation"), json!({})).await?;

    let token = invitation_token(mails).await?;
    let accepted = api
        .call(
            Method::POST,
            "/auth/invitations/accept",
            None,
            Some(json!({"token": token, "password": CONTACT_PASSWORD})),
        )
        .await?;
    let contact_token = field(&accepted, "access_token")?;
    // Requests record the contact's account: the token's subject.
    let me = api
        .call(Method::GET, "/me", Some(&contact_token), None)
        .await?;
    println!("Seeded tenant `{TENANT}`, its admin, a customer, a site and two contacts.");

    let site_id = field(&site, "id")?;
    let owner = Owner {
        tenant: field(&tenant, "id")?.parse()?,
        customer: customer_id.parse()?,
        site: site_id.parse()?,
        contact: field(&me, "id")?.parse()?,
    };
    let started = std::time::Instant::now();
    insert_requests(requests_db, owner, HISTORY, rows).await?;
    println!(
        "Inserted {rows} requests by SQL in {:.1}s.",
        started.elapsed().as_secs_f64()
    );
    Ok(Seeded {
        admin_token,
        contact_token,
        site_id,
        owner,
        quiet_contact: field(&quiet, "id")?.parse()?,
    })
}

/// The token of the invitation mail the sink received for the contact.
async fn invitation_token(mails: &mut MailLog) -> Result<String> {
    let deadline = tokio::time::Instant::now() + MAIL_TIMEOUT;
    loop {
        mails.poll().await?;
        let token = mails
            .mails()
            .iter()
            .filter(|mail| mail.is_to(CONTACT_EMAIL))
            .find_map(|mail| mail.invitation_token());
        if let Some(token) = token {
            return Ok(token);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "no invitation mail for {CONTACT_EMAIL} reached the SMTP sink within {}s",
                MAIL_TIMEOUT.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Requests `1..=rows` of `kind` for `owner`, status `submitted`, older than
/// anything the API creates, in one statement; then fresh planner statistics.
pub async fn insert_requests(
    database_url: &str,
    owner: Owner,
    kind: Rows,
    rows: u64,
) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(database_url)
        .await
        .context("connecting to the bench requests database")?;
    // Every request's description holds a word shared by 1 in 1 000 rows
    // (`w<n mod 1000>`), so a full-text search has realistic selectivity;
    // the search columns are filled as the requests store fills them.
    sqlx::query(
        "INSERT INTO requests (id, tenant_id, customer_id, site_id, contact_id, title, description,
                               category, priority, status, created_at, updated_at,
                               search_public, search_all)
         SELECT id, $1, $2, $3, $4, title, description, 'maintenance', 'normal', 'submitted',
                at, at, to_tsvector('simple', title || ' ' || description),
                to_tsvector('simple', title || ' ' || description)
         FROM (SELECT ('00000000-0000-4000-' || $5 || '-' || lpad(to_hex(n), 12, '0'))::uuid AS id,
                      $6 || n AS title,
                      'Created by the benchmark, batch w' || (n % 1000) || '.' AS description,
                      now() - make_interval(secs => n) AS at
               FROM generate_series(1, $7::bigint) AS n) AS r",
    )
    .bind(owner.tenant)
    .bind(owner.customer)
    .bind(owner.site)
    .bind(owner.contact)
    .bind(format!("{:04x}", kind.group))
    .bind(kind.title)
    .bind(i64::try_from(rows)?)
    .execute(&pool)
    .await
    .context("inserting seeded requests")?;
    sqlx::query("ANALYZE requests").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ids_are_uuids_matching_the_sql() -> Result<()> {
        assert_eq!(HISTORY.id(255), "00000000-0000-4000-8000-0000000000ff");
        let parsed: Uuid = HISTORY.id(100_000).parse()?;
        assert_eq!(parsed.to_string(), HISTORY.id(100_000));
        assert_eq!(HISTORY.title(7), "Seeded request 7");
        Ok(())
    }
}
