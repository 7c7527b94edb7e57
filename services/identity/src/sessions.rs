//! Logins, token refresh with rotation, invitation acceptance, "me".

use chrono::Utc;
use portal_platform::auth::AccountKind;
use portal_platform::errors::{ServiceError, ServiceResult};
use portal_platform::outbox;
use portal_platform::time::to_proto;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use sqlx::PgConnection;
use tonic::Request;
use uuid::Uuid;

use crate::domain::{self, ContactAccess, Denied};
use crate::grpc::{BAD_LOGIN, Identity, REFRESH_TTL, SOURCE, invalid};
use crate::secrets;
use crate::store::{self, ContactLogin, ContactRow};
use crate::tokens::{self, Subject};

impl Identity {
    pub(crate) async fn issue(
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

    pub(crate) fn contact_subject(c: &ContactRow) -> Subject {
        Subject {
            id: c.id,
            tenant_id: c.tenant_id,
            kind: AccountKind::Contact,
            roles: vec![],
            customer_id: Some(c.customer_id),
            site_ids: c.site_ids.clone(),
            work_order_id: None,
            requests_visible_since: None,
        }
    }

    pub(crate) fn check_contact(login: &ContactLogin, activated: bool) -> ServiceResult<()> {
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

    pub(crate) async fn login(&self, r: pb::LoginRequest) -> ServiceResult<pb::TokenPair> {
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
                work_order_id: None,
                requests_visible_since: None,
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

    pub(crate) async fn refresh(&self, r: pb::RefreshRequest) -> ServiceResult<pb::TokenPair> {
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
                    work_order_id: None,
                    requests_visible_since: None,
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

    pub(crate) async fn accept_invitation(
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

    pub(crate) async fn me(&self, req: Request<pb::GetMeRequest>) -> ServiceResult<pb::Me> {
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
            ..Default::default()
        })
    }
}
