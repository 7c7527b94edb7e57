//! identity's gRPC API: checks who calls and translates; rules live in
//! `domain`, SQL in `store`.
use std::collections::HashMap;

use chrono::{Duration, Utc};
use portal_platform::auth::{self, AccountKind, Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id, reply};
use portal_platform::outbox;
use portal_platform::time::{from_proto, opt_to_proto, to_proto};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use portal_proto::identity::v1::identity_service_server::IdentityService;
use portal_proto::notification::v1 as notif;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::domain::{self, Action, ContactAccess, Denied};
use crate::keys::SigningKey;
use crate::secrets::{self, Passwords};
use crate::store::{self, ContactLogin, ContactRow, CustomerRow, SiteRow};
use crate::tokens::{self, Subject};

const SOURCE: &str = "/portal/identity";
const REFRESH_TTL: Duration = Duration::days(30);
const INVITATION_TTL: Duration = Duration::days(7);
const BAD_LOGIN: &str = "wrong tenant, e-mail or password";

pub struct Identity {
    pub pool: PgPool,
    pub authn: Authenticator,
    pub passwords: Passwords,
    pub key: SigningKey,
    pub operator_digest: Option<[u8; 32]>,
    pub public_url: String,
    pub notification: NotificationServiceClient<Channel>,
    pub internal_token: String,
    pub access_ttl_secs: i64,
    /// Verified against when an account is unknown, so that timing does not
    /// reveal which addresses exist.
    pub dummy_hash: String,
}

type Rpc<T> = Result<Response<T>, Status>;

fn invalid(r: Result<(), String>) -> ServiceResult<()> {
    r.map_err(ServiceError::Invalid)
}

impl Identity {
    async fn staff_may<T>(&self, req: &Request<T>, action: Action) -> ServiceResult<Claims> {
        let claims = self.authn.claims(req).await?;
        if claims.is_staff() && domain::may(&claims.roles, action) {
            Ok(claims)
        } else {
            Err(ServiceError::Forbidden(
                "your role does not allow this".into(),
            ))
        }
    }

    /// Directory reads: another service (internal secret), or staff of the
    /// tenant. Returns the claims of a user caller.
    async fn directory_reader<T>(
        &self,
        req: &Request<T>,
        tenant_id: Uuid,
    ) -> ServiceResult<Option<Claims>> {
        if self.authn.is_internal(req) {
            return Ok(None);
        }
        let claims = self.authn.claims(req).await?;
        if claims.tid != tenant_id {
            return Err(ServiceError::not_found("record"));
        }
        Ok(Some(claims))
    }

    async fn issue(
        &self,
        conn: &mut PgConnection,
        subject: &Subject,
        family: Option<Uuid>,
    ) -> ServiceResult<pb::TokenPair> {
        let now = Utc::now();
        let access = tokens::sign(
            &tokens::claims(subject, now, self.access_ttl_secs),
            &self.key,
        )?;
        let refresh = secrets::new_token();
        store::insert_refresh(
            conn,
            &store::NewRefresh {
                tenant_id: subject.tenant_id,
                account_id: subject.id,
                account_kind: subject.kind.as_str(),
                family_id: family.unwrap_or_else(Uuid::now_v7),
                token_hash: &secrets::hash_token(&refresh),
                expires_at: now + REFRESH_TTL,
            },
        )
        .await?;
        Ok(pb::TokenPair {
            access_token: access,
            refresh_token: refresh,
            token_type: "Bearer".into(),
            expires_in: self.access_ttl_secs,
        })
    }

    fn contact_subject(c: &ContactRow) -> Subject {
        Subject {
            id: c.id,
            tenant_id: c.tenant_id,
            kind: AccountKind::Contact,
            roles: vec![],
            customer_id: Some(c.customer_id),
            site_ids: c.site_ids.clone(),
        }
    }

    fn check_contact(login: &ContactLogin, activated: bool) -> ServiceResult<()> {
        let access = ContactAccess {
            tenant_portal_enabled: login.tenant_portal_enabled,
            customer_portal_enabled: login.customer_portal_enabled,
            activated,
            access_from: login.contact.access_from,
            access_until: login.contact.access_until,
        };
        domain::contact_may_log_in(&access, Utc::now()).map_err(|d| match d {
            Denied::PortalDisabled => {
                ServiceError::Forbidden("the portal is not enabled for your organisation".into())
            }
            Denied::OutsideAccessWindow => {
                ServiceError::Forbidden("your portal access is not open at this time".into())
            }
            Denied::NotActivated => ServiceError::Unauthenticated(BAD_LOGIN.into()),
        })
    }

    async fn login(&self, r: pb::LoginRequest) -> ServiceResult<pb::TokenPair> {
        let Some(tenant) = store::tenant_by_slug(&self.pool, r.tenant.trim()).await? else {
            self.passwords.verify(&r.password, &self.dummy_hash).await?;
            return Err(ServiceError::Unauthenticated(BAD_LOGIN.into()));
        };
        let email = r.email.trim();
        if let Some(staff) = store::staff_by_email(&self.pool, tenant.id, email).await? {
            if !self
                .passwords
                .verify(&r.password, &staff.password_hash)
                .await?
            {
                return Err(ServiceError::Unauthenticated(BAD_LOGIN.into()));
            }
            let subject = Subject {
                id: staff.id,
                tenant_id: tenant.id,
                kind: AccountKind::Staff,
                roles: staff.roles,
                customer_id: None,
                site_ids: vec![],
            };
            let mut conn = self.pool.acquire().await?;
            return self.issue(&mut conn, &subject, None).await;
        }
        let login = store::contact_login_by_email(&self.pool, tenant.id, email).await?;
        let hash = login
            .as_ref()
            .and_then(|l| l.contact.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.clone());
        let password_ok = self.passwords.verify(&r.password, &hash).await?;
        let login = match login {
            Some(l) if password_ok && l.contact.password_hash.is_some() => l,
            _ => return Err(ServiceError::Unauthenticated(BAD_LOGIN.into())),
        };
        Self::check_contact(&login, login.contact.activated_at.is_some())?;
        let mut conn = self.pool.acquire().await?;
        self.issue(&mut conn, &Self::contact_subject(&login.contact), None)
            .await
    }

    async fn refresh(&self, r: pb::RefreshRequest) -> ServiceResult<pb::TokenPair> {
        let mut tx = self.pool.begin().await?;
        let Some(row) =
            store::refresh_for_update(&mut tx, &secrets::hash_token(&r.refresh_token)).await?
        else {
            return Err(ServiceError::Unauthenticated(
                "unknown refresh token".into(),
            ));
        };
        if row.used_at.is_some() || row.revoked_at.is_some() {
            // A used token presented again: someone holds a copy. End the session.
            store::revoke_family(&mut tx, row.family_id).await?;
            tx.commit().await?;
            tracing::warn!(family = %row.family_id, "refresh token reuse, session revoked");
            return Err(ServiceError::Unauthenticated(
                "session ended; please log in again".into(),
            ));
        }
        if row.expires_at <= Utc::now() {
            return Err(ServiceError::Unauthenticated(
                "session expired; please log in again".into(),
            ));
        }
        store::use_refresh(&mut tx, row.id).await?;
        let subject = match row.account_kind.as_str() {
            "staff" => {
                let staff = store::staff(&self.pool, row.tenant_id, row.account_id)
                    .await?
                    .ok_or_else(|| ServiceError::Unauthenticated("account removed".into()))?;
                Subject {
                    id: staff.id,
                    tenant_id: staff.tenant_id,
                    kind: AccountKind::Staff,
                    roles: staff.roles,
                    customer_id: None,
                    site_ids: vec![],
                }
            }
            _ => {
                let login = store::contact_login(&self.pool, row.tenant_id, row.account_id)
                    .await?
                    .ok_or_else(|| ServiceError::Unauthenticated("account removed".into()))?;
                // Access window and portal switches end live sessions here.
                Self::check_contact(&login, login.contact.activated_at.is_some())?;
                Self::contact_subject(&login.contact)
            }
        };
        let pair = self.issue(&mut tx, &subject, Some(row.family_id)).await?;
        tx.commit().await?;
        Ok(pair)
    }

    async fn create_tenant(
        &self,
        req: Request<pb::CreateTenantRequest>,
    ) -> ServiceResult<pb::CreateTenantResponse> {
        let Some(expected) = self.operator_digest else {
            return Err(ServiceError::Forbidden(
                "tenant creation is disabled: no operator token is configured".into(),
            ));
        };
        let presented =
            auth::bearer(req.metadata()).map(|t| <[u8; 32]>::from(Sha256::digest(t.as_bytes())));
        if presented != Some(expected) {
            return Err(ServiceError::Unauthenticated(
                "operator token required".into(),
            ));
        }
        let r = req.into_inner();
        invalid(domain::validate_slug(&r.slug))?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::validate_email(&r.admin_email))?;
        invalid(domain::validate_password(&r.admin_password))?;
        let hash = self.passwords.hash(&r.admin_password).await?;
        let id = Uuid::now_v7();
        let admin_name = r
            .admin_email
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut tx = self.pool.begin().await?;
        store::insert_tenant(&mut tx, id, &r.slug, r.name.trim())
            .await
            .map_err(|e| match ServiceError::from(e) {
                ServiceError::Conflict(_) => {
                    ServiceError::Conflict(format!("tenant '{}' already exists", r.slug))
                }
                other => other,
            })?;
        store::insert_staff(
            &mut tx,
            id,
            r.admin_email.trim(),
            &admin_name,
            &hash,
            &["admin".to_owned()],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(tenant = %id, slug = %r.slug, "tenant created");
        Ok(pb::CreateTenantResponse {
            id: id.to_string(),
            slug: r.slug,
        })
    }

    async fn create_customer(
        &self,
        req: Request<pb::CreateCustomerRequest>,
    ) -> ServiceResult<pb::Customer> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let r = req.into_inner();
        invalid(domain::required("number", &r.number))?;
        invalid(domain::required("name", &r.name))?;
        let row = store::insert_customer(
            &self.pool,
            &store::NewCustomer {
                tenant_id: claims.tid,
                number: r.number.trim(),
                name: r.name.trim(),
                address: r.address.trim(),
                info: r.info.trim(),
            },
        )
        .await
        .map_err(|e| match ServiceError::from(e) {
            ServiceError::Conflict(_) => {
                ServiceError::Conflict(format!("customer number '{}' is already used", r.number))
            }
            other => other,
        })?;
        Ok(customer_pb(row))
    }

    async fn create_site(&self, req: Request<pb::CreateSiteRequest>) -> ServiceResult<pb::Site> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        store::customer(&self.pool, claims.tid, customer_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("customer"))?;
        invalid(domain::required("name", &r.name))?;
        if r.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
            || r.longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l))
        {
            return Err(ServiceError::Invalid(
                "latitude must be within ±90 and longitude within ±180".into(),
            ));
        }
        let row = store::insert_site(
            &self.pool,
            &store::NewSite {
                tenant_id: claims.tid,
                customer_id,
                name: r.name.trim(),
                address: r.address.trim(),
                latitude: r.latitude,
                longitude: r.longitude,
            },
        )
        .await?;
        Ok(site_pb(row))
    }

    async fn create_contact(
        &self,
        req: Request<pb::CreateContactRequest>,
    ) -> ServiceResult<pb::Contact> {
        let claims = self.staff_may(&req, Action::ManageContacts).await?;
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        store::customer(&self.pool, claims.tid, customer_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("customer"))?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::validate_email(r.email.trim()))?;
        let language = domain::language(&r.language).map_err(ServiceError::Invalid)?;
        let site_ids = r
            .site_ids
            .iter()
            .map(|s| parse_id("site_ids", s))
            .collect::<ServiceResult<Vec<_>>>()?;
        let owned =
            store::count_customer_sites(&self.pool, claims.tid, customer_id, &site_ids).await?;
        if usize::try_from(owned).unwrap_or(0) != site_ids.len() {
            return Err(ServiceError::Invalid(
                "every site must belong to the contact's customer".into(),
            ));
        }
        let access_from = r.access_from.as_ref().and_then(from_proto);
        let access_until = r.access_until.as_ref().and_then(from_proto);
        if let (Some(f), Some(u)) = (access_from, access_until)
            && f >= u
        {
            return Err(ServiceError::Invalid(
                "access_from must be before access_until".into(),
            ));
        }
        let row = store::insert_contact(
            &self.pool,
            &store::NewContact {
                tenant_id: claims.tid,
                customer_id,
                name: r.name.trim(),
                email: r.email.trim(),
                language: &language,
                notifications: r.notifications,
                site_ids: &site_ids,
                access_from,
                access_until,
            },
        )
        .await
        .map_err(|e| match ServiceError::from(e) {
            ServiceError::Conflict(_) => ServiceError::Conflict(format!(
                "a contact with e-mail '{}' already exists",
                r.email
            )),
            other => other,
        })?;
        Ok(contact_pb(row))
    }

    async fn set_customer_portal(
        &self,
        req: Request<pb::SetCustomerPortalRequest>,
    ) -> ServiceResult<pb::Customer> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        let mut tx = self.pool.begin().await?;
        let row = store::set_customer_portal(&mut tx, claims.tid, customer_id, r.enabled)
            .await?
            .ok_or_else(|| ServiceError::not_found("customer"))?;
        let event = ev::CustomerPortalChanged {
            tenant_id: claims.tid.to_string(),
            customer_id: customer_id.to_string(),
            enabled: r.enabled,
            changed_by: claims.sub.to_string(),
        };
        outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;
        tx.commit().await?;
        Ok(customer_pb(row))
    }

    async fn invite_contact(
        &self,
        req: Request<pb::InviteContactRequest>,
    ) -> ServiceResult<pb::InviteContactResponse> {
        let claims = self.staff_may(&req, Action::InviteContacts).await?;
        let r = req.into_inner();
        let contact_id = lookup_id("contact", &r.contact_id)?;
        let login = store::contact_login(&self.pool, claims.tid, contact_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("contact"))?;
        let contact = &login.contact;
        if !contact.notifications {
            return Err(ServiceError::WrongState(
                "the contact's notifications are off: no invitation can be sent".into(),
            ));
        }
        invalid(domain::validate_email(&contact.email)).map_err(|_| {
            ServiceError::WrongState("the contact has no valid e-mail address".into())
        })?;
        if !login.customer_portal_enabled || !login.tenant_portal_enabled {
            return Err(ServiceError::WrongState(
                "enable the portal for this customer first".into(),
            ));
        }
        if contact.activated_at.is_some() {
            // An invitation sets a password: for an active account that would
            // be a password reset by another name.
            return Err(ServiceError::WrongState(
                "the contact has already activated their account".into(),
            ));
        }
        let tenant = store::tenant(&self.pool, claims.tid)
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant"))?;
        let token = secrets::new_token();
        let expires_at = Utc::now() + INVITATION_TTL;
        let mut tx = self.pool.begin().await?;
        // Only the newest link works.
        store::revoke_invitations(&mut tx, contact_id).await?;
        let invitation_id = store::insert_invitation(
            &mut tx,
            claims.tid,
            contact_id,
            &secrets::hash_token(&token),
            expires_at,
            claims.sub,
        )
        .await?;
        let event = ev::ContactInvited {
            tenant_id: claims.tid.to_string(),
            contact_id: contact_id.to_string(),
            customer_id: contact.customer_id.to_string(),
            invited_by: claims.sub.to_string(),
            expires_at: Some(to_proto(expires_at)),
        };
        outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;

        // The link holds a secret: it goes to notification over gRPC, never
        // as an event. It is queued before the commit, so that no
        // `contact.invited` is published for an invitation that was never sent.
        let link = format!(
            "{}/invitations/accept?token={token}",
            self.public_url.trim_end_matches('/')
        );
        let params = HashMap::from([
            ("name".to_owned(), contact.name.clone()),
            ("link".to_owned(), link),
            ("provider".to_owned(), tenant.name.clone()),
            (
                "expires".to_owned(),
                expires_at.format("%Y-%m-%d").to_string(),
            ),
        ]);
        let mail = notif::SendMailRequest {
            tenant_id: claims.tid.to_string(),
            idempotency_key: format!("invitation:{invitation_id}"),
            template: "invitation".into(),
            to: contact.email.clone(),
            language: contact.language.clone(),
            params,
        };
        let sent = self
            .notification
            .clone()
            .send_mail(auth::with_internal(
                Request::new(mail),
                &self.internal_token,
            ))
            .await;
        if let Err(status) = sent {
            tracing::warn!(error = %status, "invitation mail could not be queued");
            return Err(ServiceError::Unavailable(
                "the invitation mail could not be queued; try again".into(),
            ));
        }
        tx.commit().await?;
        Ok(pb::InviteContactResponse {
            expires_at: Some(to_proto(expires_at)),
        })
    }

    async fn accept_invitation(
        &self,
        r: pb::AcceptInvitationRequest,
    ) -> ServiceResult<pb::TokenPair> {
        const DEAD_LINK: &str = "this invitation link is invalid, already used or expired";
        invalid(domain::validate_password(&r.password))?;
        let mut tx = self.pool.begin().await?;
        let inv = store::invitation_for_update(&mut tx, &secrets::hash_token(&r.token))
            .await?
            .ok_or_else(|| ServiceError::Unauthenticated(DEAD_LINK.into()))?;
        if inv.used_at.is_some() || inv.expires_at <= Utc::now() {
            return Err(ServiceError::Unauthenticated(DEAD_LINK.into()));
        }
        let login = store::contact_login(&self.pool, inv.tenant_id, inv.contact_id)
            .await?
            .ok_or_else(|| ServiceError::Unauthenticated(DEAD_LINK.into()))?;
        Self::check_contact(&login, true)?;
        let hash = self.passwords.hash(&r.password).await?;
        store::activate_contact(&mut tx, inv.contact_id, &hash).await?;
        // Every other pending link of this contact dies with this one.
        store::revoke_invitations(&mut tx, inv.contact_id).await?;
        let event = ev::AccountActivated {
            tenant_id: inv.tenant_id.to_string(),
            contact_id: inv.contact_id.to_string(),
            customer_id: login.contact.customer_id.to_string(),
            activated_at: Some(to_proto(Utc::now())),
        };
        outbox::enqueue(&mut tx, inv.tenant_id, SOURCE, &event).await?;
        let pair = self
            .issue(&mut tx, &Self::contact_subject(&login.contact), None)
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    async fn me(&self, req: Request<pb::GetMeRequest>) -> ServiceResult<pb::Me> {
        let claims = self.authn.claims(&req).await?;
        let tenant = store::tenant(&self.pool, claims.tid)
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant"))?;
        let (email, name) = match claims.kind {
            AccountKind::Staff => store::staff(&self.pool, claims.tid, claims.sub)
                .await?
                .map(|s| (s.email, s.name)),
            _ => store::contact(&self.pool, claims.tid, claims.sub)
                .await?
                .map(|c| (c.email, c.name)),
        }
        .ok_or_else(|| ServiceError::not_found("account"))?;
        Ok(pb::Me {
            id: claims.sub.to_string(),
            kind: claims.kind.as_str().into(),
            tenant: tenant.slug,
            roles: claims.roles,
            customer_id: claims.cust.map(|c| c.to_string()).unwrap_or_default(),
            site_ids: claims.sites.iter().map(Uuid::to_string).collect(),
            email,
            name,
        })
    }

    async fn get_contact(&self, req: Request<pb::GetContactRequest>) -> ServiceResult<pb::Contact> {
        let tenant_id = lookup_id("contact", &req.get_ref().tenant_id)?;
        let caller = self.directory_reader(&req, tenant_id).await?;
        let contact_id = lookup_id("contact", &req.get_ref().contact_id)?;
        if let Some(c) = &caller
            && !(c.sub == contact_id
                || (c.is_staff() && domain::may(&c.roles, Action::ReadDirectory)))
        {
            return Err(ServiceError::not_found("contact"));
        }
        let row = store::contact(&self.pool, tenant_id, contact_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("contact"))?;
        Ok(contact_pb(row))
    }

    async fn get_site(&self, req: Request<pb::GetSiteRequest>) -> ServiceResult<pb::Site> {
        let tenant_id = lookup_id("site", &req.get_ref().tenant_id)?;
        let caller = self.directory_reader(&req, tenant_id).await?;
        let site_id = lookup_id("site", &req.get_ref().site_id)?;
        let row = store::site(&self.pool, tenant_id, site_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("site"))?;
        if let Some(c) = &caller
            && !portal_platform::scope::Scope::of(c).allows(row.customer_id, Some(row.id))
        {
            return Err(ServiceError::not_found("site"));
        }
        Ok(site_pb(row))
    }

    async fn list_staff(
        &self,
        req: Request<pb::ListStaffRequest>,
    ) -> ServiceResult<pb::ListStaffResponse> {
        let tenant_id = lookup_id("tenant", &req.get_ref().tenant_id)?;
        if let Some(c) = self.directory_reader(&req, tenant_id).await?
            && !(c.is_staff() && domain::may(&c.roles, Action::ReadDirectory))
        {
            return Err(ServiceError::Forbidden("staff only".into()));
        }
        let role = Some(req.get_ref().role.as_str()).filter(|r| !r.is_empty());
        let rows = store::list_staff(&self.pool, tenant_id, role).await?;
        Ok(pb::ListStaffResponse {
            staff: rows
                .into_iter()
                .map(|s| pb::StaffMember {
                    id: s.id.to_string(),
                    email: s.email,
                    name: s.name,
                    roles: s.roles,
                    language: s.language,
                })
                .collect(),
        })
    }
}

fn customer_pb(c: CustomerRow) -> pb::Customer {
    pb::Customer {
        id: c.id.to_string(),
        number: c.number,
        name: c.name,
        address: c.address,
        info: c.info,
        portal_enabled: c.portal_enabled,
        created_at: Some(to_proto(c.created_at)),
    }
}

fn site_pb(s: SiteRow) -> pb::Site {
    pb::Site {
        id: s.id.to_string(),
        customer_id: s.customer_id.to_string(),
        name: s.name,
        address: s.address,
        latitude: s.latitude,
        longitude: s.longitude,
    }
}

fn contact_pb(c: ContactRow) -> pb::Contact {
    pb::Contact {
        id: c.id.to_string(),
        customer_id: c.customer_id.to_string(),
        name: c.name,
        email: c.email,
        language: c.language,
        notifications: c.notifications,
        site_ids: c.site_ids.iter().map(Uuid::to_string).collect(),
        access_from: opt_to_proto(c.access_from),
        access_until: opt_to_proto(c.access_until),
        activated: c.activated_at.is_some(),
    }
}

#[tonic::async_trait]
impl IdentityService for Identity {
    async fn create_tenant(
        &self,
        req: Request<pb::CreateTenantRequest>,
    ) -> Rpc<pb::CreateTenantResponse> {
        reply(Identity::create_tenant(self, req).await)
    }
    async fn login(&self, req: Request<pb::LoginRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::login(self, req.into_inner()).await)
    }
    async fn refresh(&self, req: Request<pb::RefreshRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::refresh(self, req.into_inner()).await)
    }
    async fn accept_invitation(
        &self,
        req: Request<pb::AcceptInvitationRequest>,
    ) -> Rpc<pb::TokenPair> {
        reply(Identity::accept_invitation(self, req.into_inner()).await)
    }
    async fn get_signing_keys(
        &self,
        _req: Request<pb::GetSigningKeysRequest>,
    ) -> Rpc<pb::GetSigningKeysResponse> {
        let keys = store::public_keys(&self.pool)
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::GetSigningKeysResponse {
            keys: keys
                .into_iter()
                .map(|(kid, x)| pb::SigningKey { kid, x })
                .collect(),
        }))
    }
    async fn get_me(&self, req: Request<pb::GetMeRequest>) -> Rpc<pb::Me> {
        reply(self.me(req).await)
    }
    async fn create_customer(&self, req: Request<pb::CreateCustomerRequest>) -> Rpc<pb::Customer> {
        reply(Identity::create_customer(self, req).await)
    }
    async fn create_site(&self, req: Request<pb::CreateSiteRequest>) -> Rpc<pb::Site> {
        reply(Identity::create_site(self, req).await)
    }
    async fn create_contact(&self, req: Request<pb::CreateContactRequest>) -> Rpc<pb::Contact> {
        reply(Identity::create_contact(self, req).await)
    }
    async fn set_customer_portal(
        &self,
        req: Request<pb::SetCustomerPortalRequest>,
    ) -> Rpc<pb::Customer> {
        reply(Identity::set_customer_portal(self, req).await)
    }
    async fn invite_contact(
        &self,
        req: Request<pb::InviteContactRequest>,
    ) -> Rpc<pb::InviteContactResponse> {
        reply(Identity::invite_contact(self, req).await)
    }
    async fn get_contact(&self, req: Request<pb::GetContactRequest>) -> Rpc<pb::Contact> {
        reply(Identity::get_contact(self, req).await)
    }
    async fn get_site(&self, req: Request<pb::GetSiteRequest>) -> Rpc<pb::Site> {
        reply(Identity::get_site(self, req).await)
    }
    async fn list_staff(&self, req: Request<pb::ListStaffRequest>) -> Rpc<pb::ListStaffResponse> {
        reply(Identity::list_staff(self, req).await)
    }
}
