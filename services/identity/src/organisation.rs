//! Customers and their contacts as staff and contacts read them (B1, B5),
//! changes of a contact's scope and window (A6, A8), the tenant's portal
//! settings (A1, A4) and the audit log (G5).

use std::collections::HashMap;

use portal_platform::auth::{AccountKind, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id};
use portal_platform::paging::PageRequest;
use portal_platform::scope::Scope;
use portal_platform::zone::Zone;
use portal_proto::identity::v1 as pb;
use tonic::Request;
use uuid::Uuid;

use crate::access::tenant_pb;
use crate::directory::{access_window, contact_scope};
use crate::domain::{self, Action};
use crate::grpc::{Identity, contact_pb, customer_pb, invalid, new_password, site_pb};
use crate::store;
use portal_platform::audit::{self, Actor};

impl Identity {
    /// The customer a caller may read: any for staff, their current one for
    /// a contact or link; others are simply not found.
    async fn readable_customer(&self, claims: &Claims, id: &str) -> ServiceResult<Uuid> {
        let customer_id = lookup_id("customer", id)?;
        let visible = match claims.kind {
            AccountKind::Staff => domain::may(&claims.roles, Action::ReadDirectory),
            _ => claims.cust == Some(customer_id),
        };
        if visible {
            Ok(customer_id)
        } else {
            Err(ServiceError::not_found("customer"))
        }
    }

    pub(crate) async fn list_customers(
        &self,
        req: Request<pb::ListCustomersRequest>,
    ) -> ServiceResult<pb::ListCustomersResponse> {
        let claims = self.staff_may(&req, Action::ReadDirectory).await?;
        let r = req.get_ref();
        // Sorted by customer number; the cursor is the last number shown.
        let limit = PageRequest::parse(i32::try_from(r.limit).unwrap_or(i32::MAX), "")?.limit;
        let q = Some(r.q.trim()).filter(|q| !q.is_empty());
        let after = Some(r.cursor.as_str()).filter(|c| !c.is_empty());
        let mut rows = store::list_customers(&self.pool, claims.tid, q, after, limit + 1).await?;
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = match (more, rows.last()) {
            (true, Some(last)) => last.number.clone(),
            _ => String::new(),
        };
        Ok(pb::ListCustomersResponse {
            items: rows.into_iter().map(customer_pb).collect(),
            next_cursor,
        })
    }

    /// The customer card (B1): the customer, its main contact and the
    /// sites within the caller's scope.
    pub(crate) async fn get_customer(
        &self,
        req: Request<pb::GetCustomerRequest>,
    ) -> ServiceResult<pb::CustomerDetail> {
        let claims = self.authn.claims(&req).await?;
        let customer_id = self
            .readable_customer(&claims, &req.get_ref().customer_id)
            .await?;
        let customer = self.existing_customer(claims.tid, customer_id).await?;
        let scope = Scope::of(&claims);
        let sites = store::customer_sites(&self.pool, claims.tid, customer_id)
            .await?
            .into_iter()
            .filter(|s| scope.allows(s.customer_id, Some(s.id)))
            .map(site_pb)
            .collect();
        let main_contact = store::customer_contacts(&self.pool, claims.tid, customer_id)
            .await?
            .into_iter()
            .next()
            .map(|c| {
                // Contacts and links see who to call, not account state.
                let mut c = contact_pb(c);
                if !claims.is_staff() {
                    c.site_ids.clear();
                    (c.access_from, c.access_until, c.activated) = (None, None, false);
                }
                c
            });
        Ok(pb::CustomerDetail {
            customer: Some(customer_pb(customer)),
            main_contact,
            sites,
        })
    }

    /// Contacts of a customer (B5). Staff see everything; a contact sees
    /// the people of their organisation, "mine" = those sharing a site
    /// with them (or the whole customer).
    pub(crate) async fn list_contacts(
        &self,
        req: Request<pb::ListContactsRequest>,
    ) -> ServiceResult<pb::ListContactsResponse> {
        let claims = self.authn.claims(&req).await?;
        if claims.kind == AccountKind::Link {
            return Err(ServiceError::Forbidden(
                "a secure-link session does not list contacts".into(),
            ));
        }
        let r = req.get_ref();
        let customer_id = if r.customer_id.is_empty() && !claims.is_staff() {
            claims
                .cust
                .ok_or_else(|| ServiceError::not_found("customer"))?
        } else {
            self.readable_customer(&claims, &r.customer_id).await?
        };
        let rows = store::customer_contacts(&self.pool, claims.tid, customer_id).await?;
        let mine = |c: &store::ContactRow| {
            claims.sites.is_empty()
                || c.site_ids.is_empty()
                || c.site_ids.iter().any(|s| claims.sites.contains(s))
        };
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|c| claims.is_staff() || !r.mine || mine(c))
            .collect();
        let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
        let mut others: HashMap<Uuid, Vec<String>> = HashMap::new();
        if claims.is_staff() {
            for (contact, customer) in store::customers_of_contacts(&self.pool, &ids).await? {
                if customer != customer_id {
                    others
                        .entry(contact)
                        .or_default()
                        .push(customer.to_string());
                }
            }
        }
        let items = rows
            .into_iter()
            .map(|c| {
                let id = c.id;
                let mut c = contact_pb(c);
                if claims.is_staff() {
                    c.other_customer_ids = others.remove(&id).unwrap_or_default();
                } else {
                    (c.access_from, c.access_until, c.activated) = (None, None, false);
                    c.notifications = false;
                }
                c
            })
            .collect();
        Ok(pb::ListContactsResponse { items })
    }

    /// Staff change a contact's details, scope and access window; the
    /// new scope and window apply at the contact's next token refresh.
    pub(crate) async fn update_contact(
        &self,
        req: Request<pb::UpdateContactRequest>,
    ) -> ServiceResult<pb::Contact> {
        let claims = self.staff_may(&req, Action::ManageContacts).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        let contact_id = lookup_id("contact", &r.contact_id)?;
        let current = store::contact(&self.pool, claims.tid, contact_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("contact"))?;
        invalid(domain::required("name", &r.name))?;
        let language = domain::language(&r.language).map_err(ServiceError::Invalid)?;
        let site_ids = self
            .customer_site_ids(claims.tid, current.customer_id, &r.site_ids)
            .await?;
        let (access_from, access_until) = access_window(&r.access_from, &r.access_until)?;
        let mut tx = self.pool.begin().await?;
        let row = store::update_contact(
            &mut tx,
            claims.tid,
            contact_id,
            &store::ContactUpdate {
                name: r.name.trim(),
                language: &language,
                notifications: r.notifications,
                site_ids: &site_ids,
                access_from,
                access_until,
            },
        )
        .await?
        .ok_or_else(|| ServiceError::not_found("contact"))?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "contact.access_changed",
            ("contact", Some(contact_id)),
            format!("{} -> {}", contact_scope(&current), contact_scope(&row)),
        )
        .await?;
        tx.commit().await?;
        let mut c = contact_pb(row);
        c.other_customer_ids = self.other_customers(contact_id).await?;
        Ok(c)
    }

    async fn other_customers(&self, contact_id: Uuid) -> ServiceResult<Vec<String>> {
        Ok(store::other_customer_ids(&self.pool, contact_id)
            .await?
            .iter()
            .map(Uuid::to_string)
            .collect())
    }

    /// Makes an existing contact a contact of one more customer (A8).
    pub(crate) async fn add_contact_to_customer(
        &self,
        req: Request<pb::AddContactToCustomerRequest>,
    ) -> ServiceResult<pb::Contact> {
        let claims = self.staff_may(&req, Action::ManageContacts).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        // The back office knows the person by e-mail; the API by id.
        let contact = if r.contact_id.is_empty() && !r.email.trim().is_empty() {
            store::contact_by_email(&self.pool, claims.tid, r.email.trim()).await?
        } else {
            let contact_id = lookup_id("contact", &r.contact_id)?;
            store::contact(&self.pool, claims.tid, contact_id).await?
        }
        .ok_or_else(|| ServiceError::not_found("contact"))?;
        let contact_id = contact.id;
        let customer_id = lookup_id("customer", &r.customer_id)?;
        self.existing_customer(claims.tid, customer_id).await?;
        if customer_id == contact.customer_id {
            return Err(ServiceError::Conflict(
                "this is already the contact's own customer".into(),
            ));
        }
        let site_ids = self
            .customer_site_ids(claims.tid, customer_id, &r.site_ids)
            .await?;
        let mut tx = self.pool.begin().await?;
        store::add_membership(&mut tx, claims.tid, contact_id, customer_id, &site_ids).await?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "contact.added_to_customer",
            ("contact", Some(contact_id)),
            format!("customer {customer_id}, {} site(s)", site_ids.len()),
        )
        .await?;
        tx.commit().await?;
        let mut c = contact_pb(contact);
        c.other_customer_ids = self.other_customers(contact_id).await?;
        Ok(c)
    }

    /// The tenant's portal switches and provider details (admins).
    pub(crate) async fn update_tenant(
        &self,
        req: Request<pb::UpdateTenantRequest>,
    ) -> ServiceResult<pb::TenantInfo> {
        let claims = self.staff_may(&req, Action::ManageTenant).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        invalid(domain::required("name", &r.name))?;
        let email = r.contact_email.trim();
        if !email.is_empty() {
            invalid(domain::validate_email(email))?;
        }
        let time_zone = match r.time_zone.as_deref().map(str::trim) {
            None => None,
            Some(name) => match Zone::parse(name) {
                Some(zone) => Some(zone.name()),
                None => {
                    return Err(ServiceError::Invalid(format!(
                        "time_zone {name:?} is not a time zone name (such as Europe/Paris)"
                    )));
                }
            },
        };
        let currency = match r.currency.as_deref().map(str::trim) {
            None => None,
            Some(code) => Some(domain::currency(code).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "currency {code:?} is not an ISO 4217 code (such as EUR)"
                ))
            })?),
        };
        let mut tx = self.pool.begin().await?;
        let row = store::update_tenant(
            &mut tx,
            claims.tid,
            &store::TenantUpdate {
                name: r.name.trim(),
                portal_enabled: r.portal_enabled,
                portal_all_customers: r.portal_all_customers,
                registration_open: r.registration_open,
                contact_email: email,
                phone: r.phone.trim(),
                address: r.address.trim(),
                show_work_photos: r.show_work_photos,
                time_zone,
                currency: currency.as_deref(),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "tenant.portal_changed",
            ("tenant", Some(claims.tid)),
            format!(
                "portal {}, {} customers, registration {}, work photos to customers {}, time zone {}, currency {}",
                on_off(row.portal_enabled),
                if row.portal_all_customers {
                    "all"
                } else {
                    "chosen"
                },
                on_off(row.registration_open),
                on_off(row.show_work_photos),
                row.time_zone,
                row.currency
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(tenant_pb(row))
    }

    pub(crate) async fn list_audit(
        &self,
        req: Request<portal_proto::audit::v1::ListAuditRequest>,
    ) -> ServiceResult<portal_proto::audit::v1::ListAuditResponse> {
        let claims = self.staff_may(&req, Action::ReadAudit).await?;
        let r = req.get_ref();
        let page = PageRequest::parse(i32::try_from(r.limit).unwrap_or(i32::MAX), &r.cursor)?;
        let rows = store::list_audit(&self.pool, claims.tid, page.after, page.fetch()).await?;
        Ok(audit::page_pb(&page, rows))
    }
}

impl Identity {
    pub(crate) async fn create_staff(
        &self,
        req: Request<pb::CreateStaffRequest>,
    ) -> ServiceResult<pb::StaffMember> {
        let claims = self.staff_may(&req, Action::ManageStaff).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        invalid(domain::validate_email(r.email.trim()))?;
        invalid(domain::required("name", &r.name))?;
        invalid(domain::validate_roles(&r.roles))?;
        new_password(&r.password)?;
        let language = domain::language(&r.language).map_err(ServiceError::Invalid)?;
        let hash = self.passwords.hash(&r.password).await?;
        let mut tx = self.pool.begin().await?;
        let id = store::insert_staff(
            &mut tx,
            claims.tid,
            r.email.trim(),
            r.name.trim(),
            &hash,
            &r.roles,
        )
        .await
        .map_err(crate::grpc::conflict_as(format!(
            "a staff member with e-mail '{}' already exists",
            r.email.trim()
        )))?;
        store::set_staff_language(&mut tx, id, &language).await?;
        audit::record(
            &mut tx,
            claims.tid,
            &actor,
            "staff.created",
            ("staff", Some(id)),
            format!("{} as {}", r.email.trim(), r.roles.join(", ")),
        )
        .await?;
        tx.commit().await?;
        Ok(pb::StaffMember {
            id: id.to_string(),
            email: r.email.trim().to_owned(),
            name: r.name.trim().to_owned(),
            roles: r.roles,
            language,
        })
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
