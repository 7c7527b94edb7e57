//! Logins, token refresh with rotation, invitation acceptance, the current
//! account, switching customer, logging out.

use chrono::{DateTime, Utc};
use portal_platform::auth::{AccountKind, Claims, client_ip};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id};
use portal_platform::time::to_proto;
use portal_platform::{outbox, tenancy};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use sqlx::PgConnection;
use tonic::Request;
use uuid::Uuid;

use crate::backoff;
use crate::domain::{self, ContactAccess, Denied};
use crate::grpc::{BAD_LOGIN, Identity, REFRESH_TTL, SOURCE, invalid, new_password};
use crate::limits::{account_key, address_key, device_key};
use crate::secrets;
use crate::store::{self, ContactRow, SecureLinkRow, StaffRow, TenantRow, TokenTable};
use crate::tokens::{self, Subject};
use portal_platform::audit::{self, Actor};

/// Why a contact gets no session, as the caller should read it.
fn denied(d: Denied) -> ServiceError {
    match d {
        Denied::PortalDisabled => ServiceError::Refused(
            "portal-disabled",
            "the portal is not enabled for your organisation".into(),
        ),
        Denied::OutsideAccessWindow => ServiceError::Refused(
            "outside-access-window",
            "your portal access is not open at this time".into(),
        ),
        Denied::NotActivated => ServiceError::Unauthenticated(BAD_LOGIN.into()),
    }
}

pub(crate) fn staff_subject(staff: &StaffRow) -> Subject {
    Subject {
        id: staff.id,
        tenant_id: staff.tenant_id,
        kind: AccountKind::Staff,
        roles: staff.roles.clone(),
        customer_id: None,
        site_ids: vec![],
        work_order_id: None,
        requests_visible_since: None,
    }
}

impl Identity {
    /// A token pair; the refresh token belongs to `family` (a new one when
    /// `None`) and dies at `expires_at` whatever the rotations.
    pub(crate) async fn issue(
        &self,
        conn: &mut PgConnection,
        subject: &Subject,
        family: Option<Uuid>,
        expires_at: DateTime<Utc>,
    ) -> ServiceResult<pb::TokenPair> {
        let now = Utc::now();
        let access = tokens::sign(
            &tokens::claims(subject, now, self.access_ttl_secs),
            self.keys.active(),
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
                expires_at,
                customer_id: subject.customer_id,
            },
        )
        .await?;
        Ok(pb::TokenPair {
            access_token: access,
            refresh_token: refresh,
            token_type: "Bearer".into(),
            expires_in: self.access_ttl_secs,
            device_token: String::new(),
        })
    }

    /// The session a contact may have now: the customer `want` (when it is
    /// one of theirs and open), else their home customer, else the first
    /// open one; then the access window (A6) and activation.
    pub(crate) async fn contact_subject(
        &self,
        tenant: &TenantRow,
        contact: &ContactRow,
        want: Option<Uuid>,
        activated: bool,
    ) -> ServiceResult<Subject> {
        let memberships = store::memberships(&self.pool, tenant.id, contact.id).await?;
        let open = |m: &&store::Membership| {
            domain::portal_open(
                tenant.portal_enabled,
                tenant.portal_all_customers,
                m.portal_enabled,
            )
        };
        let chosen = want
            .and_then(|w| memberships.iter().filter(open).find(|m| m.customer_id == w))
            .or_else(|| memberships.iter().find(open));
        let access = ContactAccess {
            tenant_portal_enabled: tenant.portal_enabled,
            customer_portal_enabled: chosen.is_some(),
            activated,
            access_from: contact.access_from,
            access_until: contact.access_until,
        };
        domain::contact_may_log_in(&access, Utc::now()).map_err(denied)?;
        let m = chosen.ok_or_else(|| denied(Denied::PortalDisabled))?;
        let visibility = domain::RequestVisibility::parse(&m.request_visibility)
            .unwrap_or(domain::RequestVisibility::All);
        Ok(Subject {
            id: contact.id,
            tenant_id: tenant.id,
            kind: AccountKind::Contact,
            roles: vec![],
            customer_id: Some(m.customer_id),
            site_ids: m.site_ids.clone(),
            work_order_id: None,
            requests_visible_since: visibility.lower_bound(m.visible_since, m.portal_enabled_at),
        })
    }

    /// The session a secure link gives, while the link and its customer's
    /// portal are open.
    pub(crate) async fn link_subject(&self, link: &SecureLinkRow) -> ServiceResult<Subject> {
        const DEAD: &str = "this secure link was revoked or has expired";
        if link.revoked_at.is_some() || link.expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(ServiceError::Unauthenticated(DEAD.into()));
        }
        let tenant = self.tenant_row(link.tenant_id).await?;
        let customer = self
            .existing_customer(link.tenant_id, link.customer_id)
            .await?;
        if !domain::portal_open(
            tenant.portal_enabled,
            tenant.portal_all_customers,
            customer.portal_enabled,
        ) {
            return Err(denied(Denied::PortalDisabled));
        }
        let visibility = domain::RequestVisibility::parse(&customer.request_visibility)
            .unwrap_or(domain::RequestVisibility::All);
        Ok(Subject {
            id: link.id,
            tenant_id: link.tenant_id,
            kind: AccountKind::Link,
            roles: vec![],
            customer_id: Some(link.customer_id),
            site_ids: link.site_id.into_iter().collect(),
            work_order_id: link.work_order_id,
            requests_visible_since: visibility
                .lower_bound(customer.visible_since, customer.portal_enabled_at),
        })
    }

    pub(crate) async fn tenant_row(&self, id: Uuid) -> ServiceResult<TenantRow> {
        store::tenant(&self.pool, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant"))
    }

    pub(crate) async fn login(
        &self,
        req: Request<pb::LoginRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let ip = client_ip(req.metadata());
        let r = req.into_inner();
        // The tenant first (tenants are outside the wall): every query of
        // the login runs in its scope (ADR 0018). An unknown one enters
        // nothing, so nothing is found, and the password check says so.
        let tenant = store::tenant_by_slug(&self.pool, r.tenant.trim()).await?;
        if let Some(t) = &tenant {
            tenancy::enter(t.id);
        }
        // A known device counts its own tries: others' guesses never keep it out.
        let device = match &tenant {
            Some(t) if !r.device_token.is_empty() => {
                store::known_device(
                    &self.pool,
                    t.id,
                    r.email.trim(),
                    &secrets::hash_token(&r.device_token),
                )
                .await?
            }
            _ => None,
        };
        let address = address_key("login", ip.as_deref());
        let account = match device {
            Some(id) => device_key(id),
            None => {
                self.take_try(&address, backoff::PER_ADDRESS).await?;
                account_key(&r.tenant, &r.email)
            }
        };
        self.take_try(&account, backoff::PER_ACCOUNT).await?;
        let subject = self.check_password(tenant.as_ref(), &r).await?;
        self.forget(&account).await?;
        if device.is_none() {
            // A success is not a guess: it does not count against the address.
            self.untake_try(&address).await?;
        }
        let device_token = match device {
            Some(id) => {
                store::touch_device(&self.pool, id).await?;
                r.device_token
            }
            None => {
                let token = secrets::new_token();
                store::insert_device(
                    &self.pool,
                    subject.tenant_id,
                    r.email.trim(),
                    &secrets::hash_token(&token),
                )
                .await?;
                token
            }
        };
        let mut conn = self.pool.acquire().await?;
        let pair = self
            .issue(&mut conn, &subject, None, Utc::now() + REFRESH_TTL)
            .await?;
        Ok(pb::TokenPair {
            device_token,
            ..pair
        })
    }

    /// The account behind a tenant, e-mail and password; every failure
    /// costs one hash, so timing does not tell which part was wrong.
    async fn check_password(
        &self,
        tenant: Option<&TenantRow>,
        r: &pb::LoginRequest,
    ) -> ServiceResult<Subject> {
        let Some(tenant) = tenant else {
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
            return Ok(staff_subject(&staff));
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
        let activated = login.contact.activated_at.is_some();
        self.contact_subject(tenant, &login.contact, None, activated)
            .await
    }

    pub(crate) async fn refresh(&self, r: pb::RefreshRequest) -> ServiceResult<pb::TokenPair> {
        let hash = secrets::hash_token(&r.refresh_token);
        self.enter_tenant_of(TokenTable::Refresh, &hash).await?;
        let mut tx = self.pool.begin().await?;
        let Some(row) = store::refresh_for_update(&mut tx, &hash).await? else {
            return Err(ServiceError::Unauthenticated(
                "unknown refresh token".into(),
            ));
        };
        let now = Utc::now();
        let just_used = row
            .used_at
            .is_some_and(|u| domain::within_reuse_grace(u, now));
        if row.revoked_at.is_some() || (row.used_at.is_some() && !just_used) {
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
        if !just_used {
            store::use_refresh(&mut tx, row.id).await?;
        }
        let gone = || ServiceError::Unauthenticated("account removed".into());
        // Access windows, portal switches and revoked links end live sessions here.
        let subject = match row.account_kind.as_str() {
            "staff" => staff_subject(
                &store::staff(&self.pool, row.tenant_id, row.account_id)
                    .await?
                    .ok_or_else(gone)?,
            ),
            "link" => {
                let link = store::secure_link(&self.pool, row.tenant_id, row.account_id)
                    .await?
                    .ok_or_else(gone)?;
                self.link_subject(&link).await?
            }
            _ => {
                let tenant = self.tenant_row(row.tenant_id).await?;
                let contact = store::contact(&self.pool, row.tenant_id, row.account_id)
                    .await?
                    .ok_or_else(gone)?;
                let activated = contact.activated_at.is_some();
                self.contact_subject(&tenant, &contact, row.customer_id, activated)
                    .await?
            }
        };
        let pair = self
            .issue(&mut tx, &subject, Some(row.family_id), row.expires_at)
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    pub(crate) async fn accept_invitation(
        &self,
        req: Request<pb::AcceptInvitationRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        const DEAD_LINK: &str = "this invitation link is invalid, already used or expired";
        let ip = client_ip(req.metadata());
        let r = req.into_inner();
        new_password(&r.password)?;
        self.within(
            &address_key("link", ip.as_deref()),
            domain::LINKS_PER_ADDRESS,
        )
        .await?;
        let hash = secrets::hash_token(&r.token);
        self.enter_tenant_of(TokenTable::Invitation, &hash).await?;
        let mut tx = self.pool.begin().await?;
        let Some(inv) = store::invitation_for_update(&mut tx, &hash).await? else {
            self.count(
                &address_key("link", ip.as_deref()),
                domain::LINKS_PER_ADDRESS,
            )
            .await?;
            return Err(ServiceError::Unauthenticated(DEAD_LINK.into()));
        };
        if inv.used_at.is_some() || inv.expires_at <= Utc::now() {
            return Err(ServiceError::Unauthenticated(DEAD_LINK.into()));
        }
        let tenant = self.tenant_row(inv.tenant_id).await?;
        let contact = store::contact(&self.pool, inv.tenant_id, inv.contact_id)
            .await?
            .ok_or_else(|| ServiceError::Unauthenticated(DEAD_LINK.into()))?;
        let subject = self.contact_subject(&tenant, &contact, None, true).await?;
        let hash = self.passwords.hash(&r.password).await?;
        store::activate_contact(&mut tx, inv.contact_id, &hash).await?;
        // Every other pending link of this contact dies with this one.
        store::revoke_invitations(&mut tx, inv.contact_id).await?;
        let event = ev::AccountActivated {
            tenant_id: inv.tenant_id.to_string(),
            contact_id: inv.contact_id.to_string(),
            customer_id: contact.customer_id.to_string(),
            activated_at: Some(to_proto(Utc::now())),
        };
        outbox::enqueue(&mut tx, inv.tenant_id, SOURCE, &event).await?;
        let actor = Actor::account("contact", contact.id, ip);
        audit::record(
            &mut tx,
            tenant.id,
            &actor,
            "account.activated",
            ("contact", Some(contact.id)),
            "invitation accepted".into(),
        )
        .await?;
        let pair = self
            .issue(&mut tx, &subject, None, Utc::now() + REFRESH_TTL)
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    pub(crate) async fn me(&self, req: Request<pb::GetMeRequest>) -> ServiceResult<pb::Me> {
        let claims = self.authn.claims(&req).await?;
        let tenant = self.tenant_row(claims.tid).await?;
        let mut me = pb::Me {
            id: claims.sub.to_string(),
            kind: claims.kind.as_str().into(),
            tenant: tenant.slug.clone(),
            tenant_name: tenant.name.clone(),
            roles: claims.roles.clone(),
            customer_id: claims.cust.map(|c| c.to_string()).unwrap_or_default(),
            site_ids: claims.sites.iter().map(Uuid::to_string).collect(),
            work_order_id: claims.wo.map(|w| w.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        let missing = || ServiceError::not_found("account");
        match claims.kind {
            AccountKind::Staff => {
                let s = store::staff(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?;
                (me.email, me.name, me.language) = (s.email, s.name, s.language);
                me.can_change_password = true;
            }
            AccountKind::Contact => {
                let c = store::contact(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?;
                (me.email, me.name, me.language) = (c.email, c.name, c.language);
                me.notifications = c.notifications;
                me.can_change_password = true;
                let open = |m: &store::Membership| {
                    domain::portal_open(
                        tenant.portal_enabled,
                        tenant.portal_all_customers,
                        m.portal_enabled,
                    )
                };
                for m in store::memberships(&self.pool, claims.tid, claims.sub).await? {
                    if Some(m.customer_id) == claims.cust {
                        me.customer_name = m.name.clone();
                    }
                    if open(&m) {
                        me.customers.push(pb::CustomerChoice {
                            id: m.customer_id.to_string(),
                            number: m.number,
                            name: m.name,
                        });
                    }
                }
            }
            AccountKind::Link => {
                let link = store::secure_link(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?;
                let customer = self.existing_customer(claims.tid, link.customer_id).await?;
                me.name = link.label;
                me.customer_name = customer.name.clone();
                me.customers = vec![pb::CustomerChoice {
                    id: customer.id.to_string(),
                    number: customer.number,
                    name: customer.name,
                }];
                // The customer's language is unknown: the browser's applies.
            }
        }
        Ok(me)
    }

    /// Ends the session of one refresh token (log out on this device).
    pub(crate) async fn logout(&self, r: pb::LogoutRequest) -> ServiceResult<pb::Accepted> {
        let hash = secrets::hash_token(&r.refresh_token);
        self.enter_tenant_of(TokenTable::Refresh, &hash).await?;
        if let Some((family, _, _)) = store::refresh_family(&self.pool, &hash).await? {
            let mut conn = self.pool.acquire().await?;
            store::revoke_family(&mut conn, family).await?;
        }
        Ok(pb::Accepted {})
    }

    /// Ends every session of the caller's account (A7).
    pub(crate) async fn logout_everywhere(
        &self,
        req: Request<pb::LogoutEverywhereRequest>,
    ) -> ServiceResult<pb::Accepted> {
        let claims = self.authn.claims(&req).await?;
        let mut tx = self.pool.begin().await?;
        let ended = store::revoke_account_sessions(&mut tx, claims.sub, None).await?;
        audit::record(
            &mut tx,
            claims.tid,
            &Actor::of(&claims, &req),
            "sessions.ended",
            (claims.kind.as_str(), Some(claims.sub)),
            format!("logged out everywhere ({ended} session(s))"),
        )
        .await?;
        tx.commit().await?;
        Ok(pb::Accepted {})
    }

    /// Asks for the current password; the new one ends every other session.
    pub(crate) async fn change_password(
        &self,
        req: Request<pb::ChangePasswordRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let claims = self.authn.claims(&req).await?;
        let key = format!("password:{}", claims.sub);
        self.take_try(&key, backoff::PER_ACCOUNT).await?;
        let r = req.get_ref();
        let current = match claims.kind {
            AccountKind::Staff => store::staff(&self.pool, claims.tid, claims.sub)
                .await?
                .map(|s| s.password_hash),
            AccountKind::Contact => store::contact(&self.pool, claims.tid, claims.sub)
                .await?
                .and_then(|c| c.password_hash),
            AccountKind::Link => {
                return Err(ServiceError::Forbidden(
                    "a secure-link session cannot change credentials".into(),
                ));
            }
        }
        .ok_or_else(|| ServiceError::not_found("account"))?;
        if !self.passwords.verify(&r.current_password, &current).await? {
            return Err(ServiceError::InvalidAs(
                "wrong-current-password",
                "the current password is not right".into(),
            ));
        }
        self.forget(&key).await?;
        new_password(&r.new_password)?;
        let hash = self.passwords.hash(&r.new_password).await?;
        let subject = self.subject_of(&claims).await?;
        let mut tx = self.pool.begin().await?;
        store::set_password(&mut tx, claims.kind.as_str(), claims.sub, &hash).await?;
        store::revoke_account_sessions(&mut tx, claims.sub, None).await?;
        audit::record(
            &mut tx,
            claims.tid,
            &Actor::of(&claims, &req),
            "password.changed",
            (claims.kind.as_str(), Some(claims.sub)),
            String::new(),
        )
        .await?;
        let pair = self
            .issue(&mut tx, &subject, None, Utc::now() + REFRESH_TTL)
            .await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// What a fresh session of the token's holder would carry now.
    async fn subject_of(&self, claims: &Claims) -> ServiceResult<Subject> {
        let missing = || ServiceError::not_found("account");
        match claims.kind {
            AccountKind::Staff => Ok(staff_subject(
                &store::staff(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?,
            )),
            AccountKind::Contact => {
                let tenant = self.tenant_row(claims.tid).await?;
                let c = store::contact(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?;
                self.contact_subject(&tenant, &c, claims.cust, c.activated_at.is_some())
                    .await
            }
            AccountKind::Link => {
                let link = store::secure_link(&self.pool, claims.tid, claims.sub)
                    .await?
                    .ok_or_else(missing)?;
                self.link_subject(&link).await
            }
        }
    }

    /// A contact of several customers changes the one they act for (A8).
    pub(crate) async fn switch_customer(
        &self,
        req: Request<pb::SwitchCustomerRequest>,
    ) -> ServiceResult<pb::TokenPair> {
        let claims = self.authn.claims(&req).await?;
        if claims.kind != AccountKind::Contact {
            return Err(ServiceError::Forbidden(
                "only contacts switch customer".into(),
            ));
        }
        let want = lookup_id("customer", &req.get_ref().customer_id)?;
        let tenant = self.tenant_row(claims.tid).await?;
        let contact = store::contact(&self.pool, claims.tid, claims.sub)
            .await?
            .ok_or_else(|| ServiceError::not_found("account"))?;
        let subject = self
            .contact_subject(
                &tenant,
                &contact,
                Some(want),
                contact.activated_at.is_some(),
            )
            .await?;
        if subject.customer_id != Some(want) {
            return Err(ServiceError::not_found("customer"));
        }
        let mut conn = self.pool.acquire().await?;
        self.issue(&mut conn, &subject, None, Utc::now() + REFRESH_TTL)
            .await
    }

    /// A person's own details and preferences (B6).
    pub(crate) async fn update_me(
        &self,
        req: Request<pb::UpdateMeRequest>,
    ) -> ServiceResult<pb::Me> {
        let claims = self.authn.claims(&req).await?;
        let r = req.get_ref();
        invalid(domain::required("name", &r.name))?;
        let language = domain::language(&r.language).map_err(ServiceError::Invalid)?;
        match claims.kind {
            AccountKind::Staff => {
                store::update_staff_self(
                    &self.pool,
                    claims.tid,
                    claims.sub,
                    r.name.trim(),
                    &language,
                )
                .await?;
            }
            AccountKind::Contact => {
                store::update_contact_self(
                    &self.pool,
                    claims.tid,
                    claims.sub,
                    r.name.trim(),
                    &language,
                    r.notifications,
                )
                .await?;
            }
            AccountKind::Link => {
                return Err(ServiceError::Forbidden(
                    "a secure-link session has no personal settings".into(),
                ));
            }
        }
        self.me(req_with_same_auth(&req)).await
    }
}

/// A `GetMe` call carrying the same credentials as `req`.
fn req_with_same_auth<T>(req: &Request<T>) -> Request<pb::GetMeRequest> {
    let mut me = Request::new(pb::GetMeRequest {});
    *me.metadata_mut() = req.metadata().clone();
    me
}
