//! The ways in besides login and invitation: forgotten password (also a
//! first access, A5), open registration (A4), secure links (A3); and the
//! checks the pages make before showing a form.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use portal_platform::auth::client_ip;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::time::{from_proto, opt_to_proto, to_proto};
use portal_platform::{outbox, tenancy};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use portal_proto::notification::v1 as notif;
use sqlx::PgConnection;
use tonic::Request;
use uuid::Uuid;

use crate::domain::{self, Action};
use crate::grpc::{Identity, LINK_SESSION_TTL, REFRESH_TTL, SOURCE, invalid, new_password};
use crate::limits::{account_key, address_key};
use crate::secrets;
use crate::sessions::staff_subject;
use crate::store::{self, SecureLinkRow, TenantRow, TokenTable};
use portal_platform::audit::{self, Actor};

const RESET_TTL: Duration = Duration::hours(2);
const REGISTRATION_TTL: Duration = Duration::days(2);
const DEAD_LINK: &str = "this link is invalid, already used or expired";

/// Someone a reset or registration mail can go to.
struct Account {
    kind: &'static str,
    id: Uuid,
    name: String,
    email: String,
    language: String,
}

impl Identity {
    /// Queues an auth mail (it carries a secret: gRPC, never an event).
    pub(crate) async fn send_auth_mail(
        &self,
        tenant_id: Uuid,
        idempotency_key: String,
        template: &str,
        to: (&str, &str),
        params: HashMap<String, String>,
    ) -> ServiceResult<()> {
        let mail = notif::SendMailRequest {
            tenant_id: tenant_id.to_string(),
            idempotency_key,
            template: template.into(),
            to: to.0.into(),
            language: to.1.into(),
            params,
        };
        self.notification
            .clone()
            .send_mail(self.credential.sign(Request::new(mail)))
            .await
            .map_err(|status| {
                tracing::warn!(error = %status, template, "auth mail could not be queued");
                ServiceError::Unavailable("the mail could not be queued; try again".into())
            })?;
        Ok(())
    }

    pub(crate) fn link_url(&self, path: &str, token: &str) -> String {
        format!(
            "{}{path}?token={token}",
            self.public_url.trim_end_matches('/')
        )
    }

    /// Mails asked for anonymously: limited per address and per e-mail.
    async fn mail_quota(&self, ip: Option<&str>, tenant: &str, email: &str) -> ServiceResult<()> {
        let address = address_key("mail", ip);
        let account = format!("mail-{}", account_key(tenant, email));
        self.within(&address, domain::MAILS_PER_ADDRESS).await?;
        self.within(&account, domain::MAILS_PER_ACCOUNT).await?;
        self.count(&address, domain::MAILS_PER_ADDRESS).await?;
        self.count(&account, domain::MAILS_PER_ACCOUNT).await
    }

    /// A link token that matched nothing counts against the address.
    async fn dead_link(&self, ip: Option<&str>) -> ServiceError {
        if let Err(e) = self
            .count(&address_key("link", ip), domain::LINKS_PER_ADDRESS)
            .await
        {
            return e;
        }
        ServiceError::Unauthenticated(DEAD_LINK.into())
    }

    async fn link_quota(&self, ip: Option<&str>) -> ServiceResult<()> {
        self.within(&address_key("link", ip), domain::LINKS_PER_ADDRESS)
            .await
    }

    /// Staff, or a contact of a customer whose portal is open.
    async fn account_for_mail(
        &self,
        tenant: &TenantRow,
        email: &str,
    ) -> ServiceResult<Option<(Account, bool)>> {
        if let Some(s) = store::staff_by_email(&self.pool, tenant.id, email).await? {
            let account = Account {
                kind: "staff",
                id: s.id,
                name: s.name,
                email: s.email,
                language: s.language,
            };
            return Ok(Some((account, true)));
        }
        let Some(login) = store::contact_login_by_email(&self.pool, tenant.id, email).await? else {
            return Ok(None);
        };
        let any_open = store::memberships(&self.pool, tenant.id, login.contact.id)
            .await?
            .iter()
            .any(|m| {
                domain::portal_open(
                    tenant.portal_enabled,
                    tenant.portal_all_customers,
                    m.portal_enabled,
                )
            });
        if !any_open {
            return Ok(None);
        }
        let activated = login.contact.activated_at.is_some();
        let c = login.contact;
        let account = Account {
            kind: "contact",
            id: c.id,
            name: c.name,
            email: c.email,
            language: c.language,
        };
        Ok(Some((account, activated)))
    }

    /// Same answer whatever the address; the mail goes out in the
    /// background so that timing does not tell either (A5).
    pub(crate) async fn request_password_reset(
        &self,
        req: Request<pb::RequestPasswordResetRequest>,
    ) -> ServiceResult<pb::Accepted> {
        let ip = client_ip(req.metadata());
        let r = req.into_inner();
        invalid(domain::validate_email(r.email.trim()))?;
        self.mail_quota(ip.as_deref(), &r.tenant, &r.email).await?;
        let this = self.clone();
        // Its own scope, which the tenant fills once it is resolved.
        tokio::spawn(tenancy::unset(async move {
            if let Err(e) = this.send_reset(&r, ip).await {
                tracing::warn!(error = %e, "password reset mail not sent");
            }
        }));
        Ok(pb::Accepted {})
    }

    async fn send_reset(
        &self,
        r: &pb::RequestPasswordResetRequest,
        ip: Option<String>,
    ) -> ServiceResult<()> {
        let Some(tenant) = store::tenant_by_slug(&self.pool, r.tenant.trim()).await? else {
            return Ok(());
        };
        tenancy::enter(tenant.id);
        let Some((account, _)) = self.account_for_mail(&tenant, r.email.trim()).await? else {
            return Ok(());
        };
        let token = secrets::new_token();
        let expires_at = Utc::now() + RESET_TTL;
        let mut tx = self.pool.begin().await?;
        let link_id = store::insert_account_link(
            &mut tx,
            &store::NewAccountLink {
                tenant_id: tenant.id,
                purpose: "reset",
                account_kind: account.kind,
                account_id: account.id,
                token_hash: &secrets::hash_token(&token),
                password_hash: None,
                expires_at,
            },
        )
        .await?;
        let actor = Actor::account(account.kind, account.id, ip);
        audit::record(
            &mut tx,
            tenant.id,
            &actor,
            "password.reset_requested",
            (account.kind, Some(account.id)),
            String::new(),
        )
        .await?;
        let params = mail_params(
            &account,
            self.link_url("/password-reset", &token),
            &tenant,
            expires_at,
        );
        self.send_auth_mail(
            tenant.id,
            format!("reset:{link_id}"),
            "password_reset",
            (&account.email, &account.language),
            params,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn confirm_password_reset(
        &self,
        req: Request<pb::ConfirmPasswordResetRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let ip = client_ip(req.metadata());
        let r = req.into_inner();
        new_password(&r.password)?;
        self.link_quota(ip.as_deref()).await?;
        let hash = secrets::hash_token(&r.token);
        self.enter_tenant_of(TokenTable::AccountLink, &hash).await?;
        let mut tx = self.pool.begin().await?;
        let Some(link) = store::account_link_for_update(&mut tx, &hash, "reset").await? else {
            return Err(self.dead_link(ip.as_deref()).await);
        };
        if link.used_at.is_some() || link.expires_at <= Utc::now() {
            return Err(ServiceError::Unauthenticated(DEAD_LINK.into()));
        }
        let hash = self.passwords.hash(&r.password).await?;
        let pair = self
            .set_password_by_link(&mut tx, &link, &hash, ip, "password.reset")
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// Sets the password a link stands for, ends the account's other
    /// sessions and links, activates a contact on first access; returns a
    /// fresh session.
    async fn set_password_by_link(
        &self,
        tx: &mut PgConnection,
        link: &store::AccountLinkRow,
        password_hash: &str,
        ip: Option<String>,
        action: &str,
    ) -> ServiceResult<pb::TokenPair> {
        let tenant = self.tenant_row(link.tenant_id).await?;
        let dead = || ServiceError::Unauthenticated(DEAD_LINK.into());
        let subject = if link.account_kind == "staff" {
            staff_subject(
                &store::staff(&self.pool, tenant.id, link.account_id)
                    .await?
                    .ok_or_else(dead)?,
            )
        } else {
            let contact = store::contact(&self.pool, tenant.id, link.account_id)
                .await?
                .ok_or_else(dead)?;
            let subject = self.contact_subject(&tenant, &contact, None, true).await?;
            store::revoke_invitations(tx, contact.id).await?;
            if contact.activated_at.is_none() {
                let event = ev::AccountActivated {
                    tenant_id: tenant.id.to_string(),
                    contact_id: contact.id.to_string(),
                    customer_id: contact.customer_id.to_string(),
                    activated_at: Some(to_proto(Utc::now())),
                };
                outbox::enqueue(tx, tenant.id, SOURCE, &event).await?;
            }
            subject
        };
        store::set_password(tx, &link.account_kind, link.account_id, password_hash).await?;
        store::use_account_link(tx, link.id).await?;
        store::revoke_account_sessions(tx, link.account_id, None).await?;
        let kind = if link.account_kind == "staff" {
            "staff"
        } else {
            "contact"
        };
        audit::record(
            tx,
            tenant.id,
            &Actor::account(kind, link.account_id, ip),
            action,
            (kind, Some(link.account_id)),
            String::new(),
        )
        .await?;
        self.issue(tx, &subject, None, Utc::now() + REFRESH_TTL)
            .await
    }

    /// Open registration (A4): only addresses of contacts of a customer
    /// whose portal is open get a confirmation mail; the answer is the same
    /// for everyone.
    pub(crate) async fn register(
        &self,
        req: Request<pb::RegisterRequest>,
    ) -> ServiceResult<pb::Accepted> {
        let ip = client_ip(req.metadata());
        let r = req.into_inner();
        invalid(domain::validate_email(r.email.trim()))?;
        new_password(&r.password)?;
        let tenant = store::tenant_by_slug(&self.pool, r.tenant.trim())
            .await?
            .ok_or_else(|| ServiceError::not_found("portal"))?;
        tenancy::enter(tenant.id);
        if !tenant.registration_open || !tenant.portal_enabled {
            return Err(ServiceError::Forbidden(
                "registration is closed for this portal".into(),
            ));
        }
        self.mail_quota(ip.as_deref(), &r.tenant, &r.email).await?;
        let this = self.clone();
        tokio::spawn(tenancy::scope(tenant.id, async move {
            if let Err(e) = this.send_registration(&tenant, &r, ip).await {
                tracing::warn!(error = %e, "registration mail not sent");
            }
        }));
        Ok(pb::Accepted {})
    }

    async fn send_registration(
        &self,
        tenant: &TenantRow,
        r: &pb::RegisterRequest,
        ip: Option<String>,
    ) -> ServiceResult<()> {
        // Hash first: the same work whether the address is known or not.
        let hash = self.passwords.hash(&r.password).await?;
        let Some((account, activated)) = self.account_for_mail(tenant, r.email.trim()).await?
        else {
            return Ok(());
        };
        if account.kind != "contact" || activated {
            // Staff and active contacts use "forgot password" instead.
            return Ok(());
        }
        let token = secrets::new_token();
        let expires_at = Utc::now() + REGISTRATION_TTL;
        let mut tx = self.pool.begin().await?;
        let link_id = store::insert_account_link(
            &mut tx,
            &store::NewAccountLink {
                tenant_id: tenant.id,
                purpose: "registration",
                account_kind: "contact",
                account_id: account.id,
                token_hash: &secrets::hash_token(&token),
                password_hash: Some(&hash),
                expires_at,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            tenant.id,
            &Actor::account("contact", account.id, ip),
            "account.registered",
            ("contact", Some(account.id)),
            "confirmation mail sent".into(),
        )
        .await?;
        let params = mail_params(
            &account,
            self.link_url("/registrations/confirm", &token),
            tenant,
            expires_at,
        );
        self.send_auth_mail(
            tenant.id,
            format!("registration:{link_id}"),
            "registration",
            (&account.email, &account.language),
            params,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn confirm_registration(
        &self,
        req: Request<pb::ConfirmRegistrationRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let ip = client_ip(req.metadata());
        self.link_quota(ip.as_deref()).await?;
        let hash = secrets::hash_token(&req.get_ref().token);
        self.enter_tenant_of(TokenTable::AccountLink, &hash).await?;
        let mut tx = self.pool.begin().await?;
        let Some(link) = store::account_link_for_update(&mut tx, &hash, "registration").await?
        else {
            return Err(self.dead_link(ip.as_deref()).await);
        };
        if link.used_at.is_some() || link.expires_at <= Utc::now() {
            return Err(ServiceError::Unauthenticated(DEAD_LINK.into()));
        }
        // A registration never changes the password of an account that has
        // one: whoever registered may not be whoever activated it since.
        let active = store::contact(&self.pool, link.tenant_id, link.account_id)
            .await?
            .is_none_or(|c| c.activated_at.is_some() || c.password_hash.is_some());
        let hash = link
            .password_hash
            .clone()
            .filter(|_| !active)
            .ok_or_else(|| ServiceError::Unauthenticated(DEAD_LINK.into()))?;
        let pair = self
            .set_password_by_link(&mut tx, &link, &hash, ip, "account.activated")
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// A secure link's session (A3): no password, the link's scope.
    pub(crate) async fn open_secure_link(
        &self,
        req: Request<pb::OpenSecureLinkRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let ip = client_ip(req.metadata());
        self.link_quota(ip.as_deref()).await?;
        let hash = secrets::hash_token(&req.get_ref().token);
        self.enter_tenant_of(TokenTable::SecureLink, &hash).await?;
        let Some(link) = store::secure_link_by_token(&self.pool, &hash).await? else {
            return Err(self.dead_link(ip.as_deref()).await);
        };
        let subject = self.link_subject(&link).await?;
        let session_ends = link.expires_at.map_or(Utc::now() + LINK_SESSION_TTL, |e| {
            e.min(Utc::now() + LINK_SESSION_TTL)
        });
        let mut tx = self.pool.begin().await?;
        audit::record(
            &mut tx,
            link.tenant_id,
            &Actor::account("link", link.id, ip),
            "secure_link.opened",
            ("customer", Some(link.customer_id)),
            String::new(),
        )
        .await?;
        let pair = self.issue(&mut tx, &subject, None, session_ends).await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// Whether a mailed link still works, and for whom.
    pub(crate) async fn describe_link(
        &self,
        req: Request<pb::DescribeLinkRequest>,
    ) -> ServiceResult<pb::LinkInfo> {
        let ip = client_ip(req.metadata());
        self.link_quota(ip.as_deref()).await?;
        let r = req.into_inner();
        let hash = secrets::hash_token(&r.token);
        let now = Utc::now();
        let table = match r.purpose.as_str() {
            "invitation" => TokenTable::Invitation,
            "reset" | "registration" => TokenTable::AccountLink,
            "secure" => TokenTable::SecureLink,
            _ => {
                return Err(ServiceError::Invalid(
                    "purpose must be invitation, reset, registration or secure".into(),
                ));
            }
        };
        self.enter_tenant_of(table, &hash).await?;
        let found = match table {
            TokenTable::SecureLink => {
                return self.describe_secure_link(&hash, ip.as_deref()).await;
            }
            TokenTable::Invitation => store::invitation(&self.pool, &hash)
                .await?
                .filter(|i| i.used_at.is_none() && i.expires_at > now)
                .map(|i| (i.tenant_id, "contact".to_owned(), i.contact_id)),
            TokenTable::AccountLink | TokenTable::Refresh => {
                store::account_link(&self.pool, &hash, &r.purpose)
                    .await?
                    .filter(|l| l.used_at.is_none() && l.expires_at > now)
                    .map(|l| (l.tenant_id, l.account_kind, l.account_id))
            }
        };
        let Some((tenant_id, kind, account_id)) = found else {
            self.count(
                &address_key("link", ip.as_deref()),
                domain::LINKS_PER_ADDRESS,
            )
            .await?;
            return Ok(pb::LinkInfo::default());
        };
        let tenant = self.tenant_row(tenant_id).await?;
        let (email, name, language) = if kind == "staff" {
            store::staff(&self.pool, tenant_id, account_id)
                .await?
                .map(|s| (s.email, s.name, s.language))
        } else {
            store::contact(&self.pool, tenant_id, account_id)
                .await?
                .map(|c| (c.email, c.name, c.language))
        }
        .unwrap_or_default();
        Ok(pb::LinkInfo {
            valid: true,
            tenant: tenant.slug,
            tenant_name: tenant.name,
            email,
            name,
            language,
        })
    }

    /// A secure link before it is opened: whose portal it opens (the page
    /// asks before it replaces anything).
    async fn describe_secure_link(
        &self,
        hash: &[u8],
        ip: Option<&str>,
    ) -> ServiceResult<pb::LinkInfo> {
        let now = Utc::now();
        let Some(link) = store::secure_link_by_token(&self.pool, hash)
            .await?
            .filter(|l| l.revoked_at.is_none() && l.expires_at.is_none_or(|e| e > now))
        else {
            self.count(&address_key("link", ip), domain::LINKS_PER_ADDRESS)
                .await?;
            return Ok(pb::LinkInfo::default());
        };
        let tenant = self.tenant_row(link.tenant_id).await?;
        let customer = self
            .existing_customer(link.tenant_id, link.customer_id)
            .await?;
        Ok(pb::LinkInfo {
            valid: true,
            tenant: tenant.slug,
            tenant_name: tenant.name,
            email: String::new(),
            name: customer.name,
            language: String::new(),
        })
    }

    pub(crate) async fn get_tenant_info(
        &self,
        req: Request<pb::GetTenantInfoRequest>,
    ) -> ServiceResult<pb::TenantInfo> {
        let tenant = store::tenant_by_slug(&self.pool, req.get_ref().slug.trim())
            .await?
            .ok_or_else(|| ServiceError::not_found("portal"))?;
        Ok(tenant_pb(tenant))
    }

    /// A tenant's public facts by id, for services (links in mails).
    pub(crate) async fn get_tenant(
        &self,
        req: Request<pb::GetTenantRequest>,
    ) -> ServiceResult<pb::TenantInfo> {
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden("internal callers only".into()));
        }
        let id = lookup_id("portal", &req.get_ref().tenant_id)?;
        let tenant = store::tenant(&self.pool, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("portal"))?;
        Ok(tenant_pb(tenant))
    }

    pub(crate) async fn create_secure_link(
        &self,
        req: Request<pb::CreateSecureLinkRequest>,
    ) -> ServiceResult<pb::SecureLink> {
        let claims = self.staff_may(&req, Action::ManageSecureLinks).await?;
        let r = req.get_ref();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        self.existing_customer(claims.tid, customer_id).await?;
        let site_id = optional_id("site_id", &r.site_id)?;
        if let Some(site) = site_id {
            let owned =
                store::count_customer_sites(&self.pool, claims.tid, customer_id, &[site]).await?;
            if owned != 1 {
                return Err(ServiceError::Invalid(
                    "the site must belong to the customer".into(),
                ));
            }
        }
        let work_order_id = optional_id("work_order_id", &r.work_order_id)?;
        let expires_at = r.expires_at.as_ref().and_then(from_proto);
        if expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(ServiceError::InvalidAs(
                "expiry-in-past",
                "expires_at must be in the future".into(),
            ));
        }
        if r.label.chars().count() > 200 {
            return Err(ServiceError::Invalid("label is too long".into()));
        }
        let token = secrets::new_token();
        let mut tx = self.pool.begin().await?;
        let row = store::insert_secure_link(
            &mut tx,
            &store::NewSecureLink {
                tenant_id: claims.tid,
                customer_id,
                site_id,
                work_order_id,
                label: r.label.trim(),
                token_hash: &secrets::hash_token(&token),
                expires_at,
                created_by: claims.sub,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            claims.tid,
            &Actor::of(&claims, &req),
            "secure_link.created",
            ("customer", Some(customer_id)),
            link_scope(&row),
        )
        .await?;
        tx.commit().await?;
        let mut link = secure_link_pb(row);
        link.url = self.link_url("/link", &token);
        Ok(link)
    }

    pub(crate) async fn list_secure_links(
        &self,
        req: Request<pb::ListSecureLinksRequest>,
    ) -> ServiceResult<pb::ListSecureLinksResponse> {
        let claims = self.staff_may(&req, Action::ManageSecureLinks).await?;
        let customer_id = lookup_id("customer", &req.get_ref().customer_id)?;
        let rows = store::list_secure_links(&self.pool, claims.tid, customer_id).await?;
        Ok(pb::ListSecureLinksResponse {
            items: rows.into_iter().map(secure_link_pb).collect(),
        })
    }

    /// Revoking ends the link's live sessions too.
    pub(crate) async fn revoke_secure_link(
        &self,
        req: Request<pb::RevokeSecureLinkRequest>,
    ) -> ServiceResult<pb::SecureLink> {
        let claims = self.staff_may(&req, Action::ManageSecureLinks).await?;
        let link_id = lookup_id("secure link", &req.get_ref().link_id)?;
        let mut tx = self.pool.begin().await?;
        let row = store::revoke_secure_link(&mut tx, claims.tid, link_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("secure link"))?;
        store::revoke_account_sessions(&mut tx, link_id, None).await?;
        audit::record(
            &mut tx,
            claims.tid,
            &Actor::of(&claims, &req),
            "secure_link.revoked",
            ("customer", Some(row.customer_id)),
            link_scope(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(secure_link_pb(row))
    }
}

fn optional_id(field: &str, value: &str) -> ServiceResult<Option<Uuid>> {
    let value = value.trim();
    if value.is_empty() {
        Ok(None)
    } else {
        parse_id(field, value).map(Some)
    }
}

fn mail_params(
    account: &Account,
    link: String,
    tenant: &TenantRow,
    expires_at: DateTime<Utc>,
) -> HashMap<String, String> {
    HashMap::from([
        ("name".to_owned(), account.name.clone()),
        ("link".to_owned(), link),
        ("provider".to_owned(), tenant.name.clone()),
        (
            "expires".to_owned(),
            expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
    ])
}

fn link_scope(l: &SecureLinkRow) -> String {
    let mut parts = vec![format!("link {}", l.id)];
    if let Some(s) = l.site_id {
        parts.push(format!("site {s}"));
    }
    if let Some(w) = l.work_order_id {
        parts.push(format!("work order {w}"));
    }
    if let Some(e) = l.expires_at {
        parts.push(format!("until {}", e.format("%Y-%m-%d %H:%M UTC")));
    }
    parts.join(", ")
}

pub(crate) fn tenant_pb(t: TenantRow) -> pb::TenantInfo {
    pb::TenantInfo {
        id: t.id.to_string(),
        slug: t.slug,
        name: t.name,
        portal_enabled: t.portal_enabled,
        portal_all_customers: t.portal_all_customers,
        registration_open: t.registration_open,
        contact_email: t.contact_email,
        phone: t.phone,
        address: t.address,
        show_work_photos: t.show_work_photos,
        time_zone: t.time_zone,
        currency: t.currency,
    }
}

pub(crate) fn secure_link_pb(l: SecureLinkRow) -> pb::SecureLink {
    pb::SecureLink {
        id: l.id.to_string(),
        customer_id: l.customer_id.to_string(),
        site_id: l.site_id.map(|s| s.to_string()).unwrap_or_default(),
        work_order_id: l.work_order_id.map(|w| w.to_string()).unwrap_or_default(),
        expires_at: opt_to_proto(l.expires_at),
        revoked_at: opt_to_proto(l.revoked_at),
        created_at: Some(to_proto(l.created_at)),
        last_used_at: opt_to_proto(l.last_used_at),
        label: l.label,
        created_by: l.created_by.to_string(),
        url: String::new(),
    }
}
