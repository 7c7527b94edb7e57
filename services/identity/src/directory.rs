//! Tenants (operator), customers, sites, contacts, the portal switch,
//! invitations, and directory reads for other services.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use portal_platform::auth;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::time::{from_proto, to_proto};
use portal_platform::zone::Zone;
use portal_platform::{outbox, tenancy};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use portal_proto::notification::v1 as notif;
use sha2::{Digest, Sha256};
use tonic::Request;
use uuid::Uuid;

use crate::domain::{self, Action, RequestVisibility};
use crate::grpc::{
    INVITATION_TTL, Identity, SOURCE, conflict_as, contact_pb, customer_pb, invalid, new_password,
    site_pb,
};
use crate::secrets;
use crate::store;
use portal_platform::audit::{self, Actor};

impl Identity {
    pub(crate) async fn create_tenant(
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
        new_password(&r.admin_password)?;
        let zone = match r.time_zone.trim() {
            "" => Zone::UTC,
            name => Zone::parse(name).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "time_zone {name:?} is not a time zone name (such as Europe/Paris)"
                ))
            })?,
        };
        let hash = self.passwords.hash(&r.admin_password).await?;
        let id = Uuid::now_v7();
        let admin_name = r
            .admin_email
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        // The first admin is the new tenant's: its scope before the
        // connection is taken (ADR 0018).
        tenancy::enter(id);
        let mut tx = self.pool.begin().await?;
        store::insert_tenant(&mut tx, id, &r.slug, r.name.trim(), zone.name())
            .await
            .map_err(conflict_as(format!("tenant '{}' already exists", r.slug)))?;
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

    pub(crate) async fn create_customer(
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
        .map_err(conflict_as(format!(
            "customer number '{}' is already used",
            r.number
        )))?;
        Ok(customer_pb(row))
    }

    /// A customer's number, name, address and notes (G1); the number stays
    /// unique in the tenant.
    pub(crate) async fn update_customer(
        &self,
        req: Request<pb::UpdateCustomerRequest>,
    ) -> ServiceResult<pb::Customer> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        invalid(domain::required("number", &r.number))?;
        invalid(domain::required("name", &r.name))?;
        let mut tx = self.pool.begin().await?;
        let row = store::update_customer(
            &mut tx,
            &store::NewCustomer {
                tenant_id: claims.tid,
                number: r.number.trim(),
                name: r.name.trim(),
                address: r.address.trim(),
                info: r.info.trim(),
            },
            customer_id,
        )
        .await
        .map_err(conflict_as(format!(
            "customer number '{}' is already used",
            r.number.trim()
        )))?
        .ok_or_else(|| ServiceError::not_found("customer"))?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "customer.changed",
            ("customer", Some(customer_id)),
            format!("{} {}", row.number, row.name),
        )
        .await?;
        tx.commit().await?;
        Ok(customer_pb(row))
    }

    pub(crate) async fn create_site(
        &self,
        req: Request<pb::CreateSiteRequest>,
    ) -> ServiceResult<pb::Site> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        self.existing_customer(claims.tid, customer_id).await?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::position(r.latitude, r.longitude))?;
        let mut tx = self.pool.begin().await?;
        let row = store::insert_site(
            &mut tx,
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
        let event = ev::SiteCreated {
            tenant_id: claims.tid.to_string(),
            site: Some(site_state(&row)),
            by_id: claims.sub.to_string(),
            at: Some(to_proto(Utc::now())),
        };
        outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;
        tx.commit().await?;
        Ok(site_pb(row))
    }

    pub(crate) async fn update_site(
        &self,
        req: Request<pb::UpdateSiteRequest>,
    ) -> ServiceResult<pb::Site> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let r = req.into_inner();
        let site_id = lookup_id("site", &r.site_id)?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::position(r.latitude, r.longitude))?;
        let mut tx = self.pool.begin().await?;
        let row = store::update_site(
            &mut tx,
            claims.tid,
            site_id,
            &store::NewSite {
                tenant_id: claims.tid,
                customer_id: Uuid::nil(),
                name: r.name.trim(),
                address: r.address.trim(),
                latitude: r.latitude,
                longitude: r.longitude,
            },
        )
        .await?
        .ok_or_else(|| ServiceError::not_found("site"))?;
        let event = ev::SiteChanged {
            tenant_id: claims.tid.to_string(),
            site: Some(site_state(&row)),
            by_id: claims.sub.to_string(),
            at: Some(to_proto(Utc::now())),
        };
        outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;
        tx.commit().await?;
        Ok(site_pb(row))
    }

    /// The sites in the caller's scope, by name (B2): staff the tenant's
    /// (optionally one customer's), a contact their customer's (or their
    /// sites).
    pub(crate) async fn list_sites(
        &self,
        req: Request<pb::ListSitesRequest>,
    ) -> ServiceResult<pb::ListSitesResponse> {
        let claims = self.authn.claims(&req).await?;
        let r = req.into_inner();
        let asked = match r.customer_id.trim() {
            "" => None,
            c => Some(parse_id("customer_id", c)?),
        };
        let (customer_id, only) = match portal_platform::scope::Scope::of(&claims) {
            portal_platform::scope::Scope::Tenant => {
                if !domain::may(&claims.roles, Action::ReadDirectory) {
                    return Err(ServiceError::Forbidden("not allowed to read sites".into()));
                }
                (asked, None)
            }
            portal_platform::scope::Scope::Customer { customer_id, sites } => {
                if asked.is_some_and(|a| a != customer_id) {
                    return Err(ServiceError::not_found("customer"));
                }
                (Some(customer_id), (!sites.is_empty()).then_some(sites))
            }
            portal_platform::scope::Scope::Nothing => {
                return Err(ServiceError::Forbidden(
                    "no customer to list sites of".into(),
                ));
            }
        };
        let q = r.q.trim().to_lowercase();
        if q.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "q is longer than 200 characters".into(),
            ));
        }
        let limit = match r.limit {
            l if l <= 0 => 100,
            l => i64::from(l.min(1000)),
        };
        let after = match r.cursor.trim() {
            "" => None,
            c => Some(parse_id("cursor", c)?),
        };
        let mut rows = store::list_sites(
            &self.pool,
            claims.tid,
            &store::SiteFilter {
                customer_id,
                only: only.as_deref(),
                q: Some(q.as_str()).filter(|q| !q.is_empty()),
                after,
                limit: limit + 1,
            },
        )
        .await?;
        let shown = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > shown {
            rows.truncate(shown);
            rows.last()
                .map(|l| l.site.id.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(pb::ListSitesResponse {
            items: rows
                .into_iter()
                .map(|l| pb::Site {
                    customer_name: l.customer_name,
                    customer_number: l.customer_number,
                    ..site_pb(l.site)
                })
                .collect(),
            next_cursor,
        })
    }

    pub(crate) async fn create_contact(
        &self,
        req: Request<pb::CreateContactRequest>,
    ) -> ServiceResult<pb::Contact> {
        let claims = self.staff_may(&req, Action::ManageContacts).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        self.existing_customer(claims.tid, customer_id).await?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::validate_email(r.email.trim()))?;
        let language = domain::language(&r.language).map_err(ServiceError::Invalid)?;
        let site_ids = self
            .customer_site_ids(claims.tid, customer_id, &r.site_ids)
            .await?;
        let (access_from, access_until) = access_window(&r.access_from, &r.access_until)?;
        let mut tx = self.pool.begin().await?;
        let row = store::insert_contact(
            &mut tx,
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
        .map_err(conflict_as(format!(
            "a contact with e-mail '{}' already exists",
            r.email
        )))?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "contact.created",
            ("contact", Some(row.id)),
            contact_scope(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(contact_pb(row))
    }

    /// Parses site ids and checks that each belongs to the customer.
    pub(crate) async fn customer_site_ids(
        &self,
        tenant_id: Uuid,
        customer_id: Uuid,
        ids: &[String],
    ) -> ServiceResult<Vec<Uuid>> {
        let mut site_ids = ids
            .iter()
            .map(|s| parse_id("site_ids", s))
            .collect::<ServiceResult<Vec<_>>>()?;
        site_ids.sort();
        site_ids.dedup();
        let owned =
            store::count_customer_sites(&self.pool, tenant_id, customer_id, &site_ids).await?;
        if usize::try_from(owned).unwrap_or(0) != site_ids.len() {
            return Err(ServiceError::Invalid(
                "every site must belong to the contact's customer".into(),
            ));
        }
        Ok(site_ids)
    }

    pub(crate) async fn set_customer_portal(
        &self,
        req: Request<pb::SetCustomerPortalRequest>,
    ) -> ServiceResult<pb::Customer> {
        let claims = self.staff_may(&req, Action::ManageCustomers).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let customer_id = lookup_id("customer", &r.customer_id)?;
        let visibility = if r.request_visibility.is_empty() {
            None
        } else {
            let v =
                RequestVisibility::parse(&r.request_visibility).map_err(ServiceError::Invalid)?;
            let since = r.visible_since.as_ref().and_then(from_proto);
            if v == RequestVisibility::Since && since.is_none() {
                return Err(ServiceError::Invalid(
                    "visible_since is required when request_visibility is 'since'".into(),
                ));
            }
            Some((v.as_str(), since.filter(|_| v == RequestVisibility::Since)))
        };
        let mut tx = self.pool.begin().await?;
        let row =
            store::set_customer_portal(&mut tx, claims.tid, customer_id, r.enabled, visibility)
                .await?
                .ok_or_else(|| ServiceError::not_found("customer"))?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            if r.enabled {
                "customer.portal_enabled"
            } else {
                "customer.portal_disabled"
            },
            ("customer", Some(customer_id)),
            format!("requests visible: {}", row.request_visibility),
        )
        .await?;
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

    pub(crate) async fn invite_contact(
        &self,
        req: Request<pb::InviteContactRequest>,
    ) -> ServiceResult<pb::InviteContactResponse> {
        let claims = self.staff_may(&req, Action::InviteContacts).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let contact_id = lookup_id("contact", &r.contact_id)?;
        let login = store::contact_login(&self.pool, claims.tid, contact_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("contact"))?;
        let contact = &login.contact;
        if !contact.notifications {
            return Err(ServiceError::WrongStateAs(
                "notifications-off",
                "the contact's notifications are off: no invitation can be sent".into(),
            ));
        }
        invalid(domain::validate_email(&contact.email)).map_err(|_| {
            ServiceError::WrongStateAs(
                "no-valid-email",
                "the contact has no valid e-mail address".into(),
            )
        })?;
        if !login.portal_open() {
            return Err(ServiceError::WrongStateAs(
                "portal-not-enabled",
                "enable the portal for this customer first".into(),
            ));
        }
        if contact.activated_at.is_some() {
            // An invitation sets a password: for an active account that would
            // be a password reset by another name.
            return Err(ServiceError::WrongStateAs(
                "already-active",
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
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "contact.invited",
            ("contact", Some(contact_id)),
            format!("to {}", contact.email),
        )
        .await?;

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
            .send_mail(self.credential.sign(Request::new(mail)))
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

    pub(crate) async fn get_contact(
        &self,
        req: Request<pb::GetContactRequest>,
    ) -> ServiceResult<pb::Contact> {
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

    /// Who to tell about a document of a customer's (F1): its contacts who
    /// see the site, take mails and could log in now (the login's own rule:
    /// portal open for the customer, activated, inside their access
    /// window): a mail must not point where a login may not. Internal
    /// callers only.
    pub(crate) async fn list_customer_contacts(
        &self,
        req: Request<pb::ListCustomerContactsRequest>,
    ) -> ServiceResult<pb::ListContactsResponse> {
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden("internal callers only".into()));
        }
        let r = req.get_ref();
        let tenant_id = lookup_id("customer", &r.tenant_id)?;
        // The calling service vouches for the tenant it asks about (ADR 0018).
        tenancy::enter(tenant_id);
        let customer_id = lookup_id("customer", &r.customer_id)?;
        let site_id = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        let (Some(tenant), Some(customer)) = (
            store::tenant(&self.pool, tenant_id).await?,
            store::customer(&self.pool, tenant_id, customer_id).await?,
        ) else {
            return Ok(pb::ListContactsResponse::default());
        };
        let open = domain::portal_open(
            tenant.portal_enabled,
            tenant.portal_all_customers,
            customer.portal_enabled,
        );
        // A10: a request the customer's contacts do not see is told to none.
        if r.of_request {
            let since = domain::RequestVisibility::parse(&customer.request_visibility)
                .unwrap_or(domain::RequestVisibility::All)
                .lower_bound(customer.visible_since, customer.portal_enabled_at);
            let created = r.request_created_at.as_ref().and_then(from_proto);
            if !domain::request_shown(since, created) {
                return Ok(pb::ListContactsResponse::default());
            }
        }
        let now = Utc::now();
        let may_log_in = |c: &store::ContactRow| {
            let access = domain::ContactAccess {
                tenant_portal_enabled: tenant.portal_enabled,
                customer_portal_enabled: open,
                activated: c.activated_at.is_some(),
                access_from: c.access_from,
                access_until: c.access_until,
            };
            domain::contact_may_log_in(&access, now).is_ok()
        };
        let rows = store::customer_contacts(&self.pool, tenant_id, customer_id).await?;
        let items = rows
            .into_iter()
            .filter(|c| c.notifications && may_log_in(c))
            .filter(|c| c.site_ids.is_empty() || site_id.is_some_and(|s| c.site_ids.contains(&s)))
            .map(contact_pb)
            .collect();
        Ok(pb::ListContactsResponse { items })
    }

    /// Inbound mail's question "may this sender write to the tenant?":
    /// internal callers only, since an answer reveals whether an address
    /// is known. A contact who could not log in now (portal off for their
    /// customer, outside their access window, never activated) is not found
    /// either: a mail must not do what a login may not.
    pub(crate) async fn find_contact_by_email(
        &self,
        req: Request<pb::FindContactByEmailRequest>,
    ) -> ServiceResult<pb::Contact> {
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden("internal callers only".into()));
        }
        let tenant_id = lookup_id("contact", &req.get_ref().tenant_id)?;
        // The calling service vouches for the tenant it asks about (ADR 0018).
        tenancy::enter(tenant_id);
        let email = req.get_ref().email.trim();
        if email.is_empty() {
            return Err(ServiceError::not_found("contact"));
        }
        let login = store::contact_login_by_email(&self.pool, tenant_id, email)
            .await?
            .ok_or_else(|| ServiceError::not_found("contact"))?;
        // The login's own rule, with the home customer (where a mail opens
        // its request) as the customer.
        let access = domain::ContactAccess {
            tenant_portal_enabled: login.tenant_portal_enabled,
            customer_portal_enabled: login.portal_open(),
            activated: login.contact.activated_at.is_some(),
            access_from: login.contact.access_from,
            access_until: login.contact.access_until,
        };
        if let Err(denied) = domain::contact_may_log_in(&access, Utc::now()) {
            tracing::info!(contact = %login.contact.id, ?denied, "contact may not write by mail now");
            return Err(ServiceError::not_found("contact"));
        }
        let row = login.contact;
        let others = store::other_customer_ids(&self.pool, row.id).await?;
        let first_site = store::customer_sites(&self.pool, tenant_id, row.customer_id)
            .await?
            .into_iter()
            .find(|s| row.site_ids.is_empty() || row.site_ids.contains(&s.id));
        let mut contact = contact_pb(row);
        contact.other_customer_ids = others.iter().map(Uuid::to_string).collect();
        contact.first_site_id = first_site.map(|s| s.id.to_string()).unwrap_or_default();
        Ok(contact)
    }

    pub(crate) async fn get_site(
        &self,
        req: Request<pb::GetSiteRequest>,
    ) -> ServiceResult<pb::Site> {
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

    /// A customer's name for a service that prints it (documents' service
    /// reports): services only, and nothing but the name, so that the
    /// credential that may ask opens no more of the directory.
    pub(crate) async fn get_customer_name(
        &self,
        req: Request<pb::GetCustomerNameRequest>,
    ) -> ServiceResult<pb::CustomerName> {
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden("internal callers only".into()));
        }
        let tenant_id = lookup_id("customer", &req.get_ref().tenant_id)?;
        // The calling service vouches for the tenant it asks about (ADR 0018).
        tenancy::enter(tenant_id);
        let customer_id = lookup_id("customer", &req.get_ref().customer_id)?;
        let row = self.existing_customer(tenant_id, customer_id).await?;
        Ok(pb::CustomerName {
            id: row.id.to_string(),
            name: row.name,
        })
    }

    pub(crate) async fn list_staff(
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

/// An access window's start and end, either open.
pub(crate) type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The access window (A6), when its ends are in order.
pub(crate) fn access_window(
    from: &Option<prost_types::Timestamp>,
    until: &Option<prost_types::Timestamp>,
) -> ServiceResult<Window> {
    let access_from = from.as_ref().and_then(from_proto);
    let access_until = until.as_ref().and_then(from_proto);
    if let (Some(f), Some(u)) = (access_from, access_until)
        && f >= u
    {
        return Err(ServiceError::InvalidAs(
            "access-window-order",
            "access_from must be before access_until".into(),
        ));
    }
    Ok((access_from, access_until))
}

/// A contact's scope and window in words, for the audit log.
pub(crate) fn contact_scope(c: &store::ContactRow) -> String {
    let sites = if c.site_ids.is_empty() {
        "all sites".to_owned()
    } else {
        format!("{} site(s)", c.site_ids.len())
    };
    let day =
        |d: Option<DateTime<Utc>>| d.map_or("-".to_owned(), |d| d.format("%Y-%m-%d").to_string());
    format!(
        "{}, {sites}, access {} to {}",
        c.email,
        day(c.access_from),
        day(c.access_until)
    )
}

/// What consumers keep of a site.
pub(crate) fn site_state(s: &store::SiteRow) -> ev::SiteState {
    ev::SiteState {
        site_id: s.id.to_string(),
        customer_id: s.customer_id.to_string(),
        name: s.name.clone(),
        address: s.address.clone(),
        latitude: s.latitude,
        longitude: s.longitude,
    }
}
