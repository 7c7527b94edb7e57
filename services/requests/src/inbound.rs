//! Mail that reached notification's inbound listener (`mail.received`, ADR
//! 0010): a reply to a request's signed reply address becomes a comment
//! (source `email`), a mail to the tenant's intake address a new request.
//!
//! notification has already checked the signature, that the trusted relay
//! authenticated the sender (ADR 0013) and that they are a contact of the
//! tenant who could log in now. A new request goes through the same use
//! case as the portal's (`intake::submit`), so the tenant's rules apply to
//! it too. identity is asked again here, so a portal
//! switched off (or a window closed) since then still counts: it answers
//! "not found" for such a contact. The sender must also belong to the request:
//! its own contact, or a contact of its customer whose sites include the
//! request's. What cannot be applied (a closed request, a sender of another
//! customer, a contact without a site, a field the tenant requires) is
//! acknowledged with a `request.mail_refused` event in the same transaction:
//! retrying would not change it, and notification tells the contact why (the
//! SMTP answer could not: it is the same for every sender, ADR 0013).
use chrono::Utc;
use portal_platform::consumer::{self, HandleError, Handler};
use portal_platform::errors::ServiceError;
use portal_platform::events::Envelope;
use portal_platform::outbox;
use portal_platform::scope::Scope;
use portal_platform::service_tls::Backend;
use portal_platform::time::from_proto;
use portal_proto::events::v1 as ev;
use portal_proto::events::v1::MailRefusal;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use prost::Message;
use sqlx::PgPool;
use tonic::{Code, Request};
use uuid::Uuid;

use crate::conversation::{self, MailComment};
use crate::grpc::SOURCE;
use crate::intake::{self, Invalid, Origin, Site, Submit, SubmitError};
use crate::store::{self, RequestRow};

/// Durable consumer of `mail.received`.
pub const MAIL_RECEIVED: &str = "requests-mail-received";

pub struct InboundMail {
    pub pool: PgPool,
    pub identity: IdentityServiceClient<Backend>,
    pub credential: portal_platform::callers::Credential,
}

/// The sender, as identity knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub contact_id: Uuid,
    /// Home customer first, then the others they are a contact of.
    pub customer_ids: Vec<Uuid>,
    /// Empty: every site of their customers.
    pub site_ids: Vec<Uuid>,
}

/// Whether `sender` may comment on `row` by mail: the request's own
/// contact, or a contact of its customer whose scope holds its site. Pure.
pub fn may_comment(sender: &Sender, row: &RequestRow) -> bool {
    if sender.contact_id == row.contact_id {
        return true;
    }
    sender.customer_ids.contains(&row.customer_id)
        && (sender.site_ids.is_empty() || sender.site_ids.contains(&row.site_id))
}

fn ids(values: &[String]) -> Vec<Uuid> {
    values.iter().filter_map(|v| v.parse().ok()).collect()
}

impl InboundMail {
    /// The tenant's contact with this address; `None` when there is none,
    /// or none who may write now (removed, portal off, outside the access
    /// window, since notification checked).
    async fn contact(
        &self,
        tenant_id: Uuid,
        email: &str,
    ) -> Result<Option<idpb::Contact>, HandleError> {
        let req = idpb::FindContactByEmailRequest {
            tenant_id: tenant_id.to_string(),
            email: email.to_owned(),
        };
        match self
            .identity
            .clone()
            .find_contact_by_email(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(c) => Ok(Some(c.into_inner())),
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(HandleError::from(s)),
        }
    }

    /// The site as the directory knows it; `None` when it knows no such site.
    async fn site(&self, tenant_id: Uuid, site_id: Uuid) -> Result<Option<Site>, HandleError> {
        let req = idpb::GetSiteRequest {
            tenant_id: tenant_id.to_string(),
            site_id: site_id.to_string(),
        };
        match self
            .identity
            .clone()
            .get_site(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(s) => {
                let s = s.into_inner();
                Ok(s.customer_id.parse().ok().map(|customer_id| Site {
                    id: site_id,
                    customer_id,
                    address: s.address,
                }))
            }
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(HandleError::from(s)),
        }
    }

    async fn reply(
        &self,
        envelope: &Envelope,
        e: &ev::InboundMailReceived,
        contact: &idpb::Contact,
        request_id: Uuid,
    ) -> Result<(), HandleError> {
        let tenant_id = envelope.tenant_id;
        let Some(contact_id) = contact.id.parse().ok() else {
            return Err(HandleError::Retry(anyhow::anyhow!("identity's contact id")));
        };
        let mut customer_ids = ids(std::slice::from_ref(&contact.customer_id));
        customer_ids.extend(ids(&contact.other_customer_ids));
        let sender = Sender {
            contact_id,
            customer_ids,
            site_ids: ids(&contact.site_ids),
        };
        let mut tx = self.pool.begin().await?;
        if !consumer::claim(&mut tx, MAIL_RECEIVED, envelope.id).await? {
            tx.commit().await?;
            return Ok(());
        }
        let refused = Refused {
            envelope,
            mail: e,
            contact_id,
            request_id: Some(request_id),
        };
        let Some(row) = store::get_for_update(&mut tx, tenant_id, request_id).await? else {
            tracing::warn!(%request_id, "mail reply to an unknown request, refused");
            refused
                .record(&mut tx, MailRefusal::NotAllowed, &[])
                .await?;
            tx.commit().await?;
            return Ok(());
        };
        if !may_comment(&sender, &row) {
            tracing::warn!(%request_id, contact = %contact_id, "mail reply from a contact outside the request, refused");
            refused
                .record(&mut tx, MailRefusal::NotAllowed, &[])
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        let comment = MailComment {
            tenant_id,
            request_id,
            author_id: Some(contact_id),
            author_name: first_non_blank(&[&contact.name, &e.from_name, &e.from]),
            body: e.text.clone(),
            mail_id: e.mail_id.clone(),
            received_at: received_at(e),
        };
        match conversation::comment_from_mail(&mut tx, &comment).await {
            Ok(Some(c)) => {
                tracing::info!(%request_id, comment = %c.id, "mail reply added as a comment")
            }
            Ok(None) => tracing::info!(%request_id, "mail reply already added"),
            Err(ServiceError::WrongState(_)) => {
                tracing::info!(%request_id, "mail reply to a closed request, refused");
                refused
                    .record(&mut tx, MailRefusal::RequestClosed, &[])
                    .await?;
            }
            Err(ServiceError::Invalid(why)) => {
                tracing::info!(%request_id, why, "mail reply refused");
                refused.record(&mut tx, MailRefusal::Invalid, &[]).await?;
            }
            Err(ServiceError::NotFound(_)) => {
                tracing::warn!(%request_id, "mail reply to an unknown request, refused");
                refused
                    .record(&mut tx, MailRefusal::NotAllowed, &[])
                    .await?;
            }
            Err(other) => return Err(HandleError::Retry(anyhow::anyhow!("{other}"))),
        }
        tx.commit().await?;
        Ok(())
    }

    /// Translates the mail to [`intake::submit`], for the contact's first
    /// site. The tenant's rules apply as in the portal: where they require
    /// a category, a priority or a severity, which a mail cannot give, the
    /// mail is refused, no request is made and the contact is told why.
    async fn new_request(
        &self,
        envelope: &Envelope,
        e: &ev::InboundMailReceived,
        contact: &idpb::Contact,
    ) -> Result<(), HandleError> {
        let tenant_id = envelope.tenant_id;
        let parsed = (
            contact.id.parse::<Uuid>(),
            contact.customer_id.parse::<Uuid>(),
            contact.first_site_id.parse::<Uuid>(),
        );
        let (Ok(contact_id), Ok(customer_id), Ok(site_id)) = parsed else {
            tracing::warn!(contact = %contact.id, "mail from a contact without a site: no request");
            let Ok(contact_id) = contact.id.parse() else {
                return self.skip(envelope).await;
            };
            let mut tx = self.pool.begin().await?;
            if consumer::claim(&mut tx, MAIL_RECEIVED, envelope.id).await? {
                let refused = Refused {
                    envelope,
                    mail: e,
                    contact_id,
                    request_id: None,
                };
                refused.record(&mut tx, MailRefusal::NoSite, &[]).await?;
            }
            tx.commit().await?;
            return Ok(());
        };
        let site = self.site(tenant_id, site_id).await?;
        let cmd = Submit {
            tenant_id,
            contact_id,
            customer_id,
            scope: Scope::Customer {
                customer_id,
                sites: ids(&contact.site_ids),
            },
            site,
            title: e.subject.trim().chars().take(200).collect(),
            description: e.text.clone(),
            category: String::new(),
            priority: String::new(),
            severity: String::new(),
            equipment_id: None,
            contract_id: None,
            site_address: String::new(),
            contact_name: first_non_blank(&[&contact.name, &e.from_name]),
            contact_email: contact.email.clone(),
            contact_phone: String::new(),
            at: Utc::now(),
        };
        let mut tx = self.pool.begin().await?;
        if !consumer::claim(&mut tx, MAIL_RECEIVED, envelope.id).await? {
            tx.commit().await?;
            return Ok(());
        }
        match intake::submit(&mut tx, cmd, Origin::Mail).await {
            Ok(s) => tracing::info!(request = %s.request.id, "request opened by mail"),
            // Nothing was written: the claim and the refusal are kept, so
            // the same mail is not weighed again.
            Err(SubmitError::Invalid(why)) => {
                tracing::info!(%why, contact = %contact_id, "mail to the intake address refused, no request");
                let (reason, fields) = refusal(&why);
                let refused = Refused {
                    envelope,
                    mail: e,
                    contact_id,
                    request_id: None,
                };
                refused.record(&mut tx, reason, &fields).await?;
            }
            Err(SubmitError::Db(e)) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(())
    }

    /// Acknowledges an event that has nothing to apply.
    async fn skip(&self, envelope: &Envelope) -> Result<(), HandleError> {
        let mut tx = self.pool.begin().await?;
        consumer::claim(&mut tx, MAIL_RECEIVED, envelope.id).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Handler for InboundMail {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let e = ev::InboundMailReceived::decode(payload)
            .map_err(|err| HandleError::Poison(err.into()))?;
        let Some(contact) = self.contact(envelope.tenant_id, &e.from).await? else {
            tracing::warn!(event = %envelope.id, "mail from an address that is no longer a contact who may write, dropped");
            return self.skip(envelope).await;
        };
        match e.request_id.trim() {
            "" => self.new_request(envelope, &e, &contact).await,
            id => match id.parse() {
                Ok(request_id) => self.reply(envelope, &e, &contact, request_id).await,
                Err(_) => Err(HandleError::Poison(anyhow::anyhow!("request_id {id:?}"))),
            },
        }
    }
}

/// Why a new request by mail was refused, as the contact will be told. Pure.
pub fn refusal(why: &Invalid) -> (MailRefusal, Vec<&'static str>) {
    match why {
        Invalid::Required { field, .. } => (MailRefusal::MissingFields, vec![field.as_str()]),
        Invalid::UnknownSite => (MailRefusal::NoSite, vec![]),
        Invalid::Input(_) => (MailRefusal::Invalid, vec![]),
    }
}

/// A mail that is not applied: the `request.mail_refused` event that tells
/// the contact, written in the transaction that claims the mail.
struct Refused<'a> {
    envelope: &'a Envelope,
    mail: &'a ev::InboundMailReceived,
    contact_id: Uuid,
    request_id: Option<Uuid>,
}

impl Refused<'_> {
    async fn record(
        &self,
        tx: &mut sqlx::PgConnection,
        reason: MailRefusal,
        fields: &[&str],
    ) -> Result<(), HandleError> {
        let event = ev::RequestMailRefused {
            tenant_id: self.envelope.tenant_id.to_string(),
            contact_id: self.contact_id.to_string(),
            mail_id: self.mail.mail_id.clone(),
            subject: self.mail.subject.chars().take(200).collect(),
            reason: reason.into(),
            missing_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            request_id: self.request_id.map(|id| id.to_string()).unwrap_or_default(),
            received_at: self.mail.received_at,
        };
        outbox::enqueue(tx, self.envelope.tenant_id, SOURCE, &event).await?;
        Ok(())
    }
}

fn received_at(e: &ev::InboundMailReceived) -> chrono::DateTime<Utc> {
    e.received_at
        .as_ref()
        .and_then(from_proto)
        .unwrap_or_else(Utc::now)
}

fn first_non_blank(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(contact: Uuid, customer: Uuid, site: Uuid) -> RequestRow {
        let now = Utc::now();
        RequestRow {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            customer_id: customer,
            site_id: site,
            contact_id: contact,
            title: "t".into(),
            description: "d".into(),
            category: String::new(),
            priority: "normal".into(),
            status: "submitted".into(),
            work_order_id: None,
            reject_reason: String::new(),
            assignee: String::new(),
            planned_start: None,
            created_at: now,
            updated_at: now,
            severity: String::new(),
            equipment_id: None,
            contract_id: None,
            assignee_id: None,
            due_date: None,
            closed_at: None,
            closed_by: None,
            site_address: String::new(),
            contact_name: String::new(),
            contact_email: String::new(),
            contact_phone: String::new(),
            source: "portal".into(),
            public_comments: 0,
            all_comments: 0,
            plan: store::PlanCopy::default(),
        }
    }

    #[test]
    fn who_may_comment_by_mail() {
        let (creator, colleague, stranger) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (customer, other_customer) = (Uuid::now_v7(), Uuid::now_v7());
        let (site, other_site) = (Uuid::now_v7(), Uuid::now_v7());
        let r = row(creator, customer, site);
        let sender = |contact_id, customer_ids: Vec<Uuid>, site_ids: Vec<Uuid>| Sender {
            contact_id,
            customer_ids,
            site_ids,
        };
        // The request's own contact, whatever their scope now.
        assert!(may_comment(
            &sender(creator, vec![other_customer], vec![other_site]),
            &r
        ));
        // A colleague of the same customer, unrestricted or with that site.
        assert!(may_comment(&sender(colleague, vec![customer], vec![]), &r));
        assert!(may_comment(
            &sender(colleague, vec![customer], vec![site]),
            &r
        ));
        // ... also when the customer is one of their other customers.
        assert!(may_comment(
            &sender(colleague, vec![other_customer, customer], vec![]),
            &r
        ));
        // Not a colleague restricted to another site, nor another customer's contact.
        assert!(!may_comment(
            &sender(colleague, vec![customer], vec![other_site]),
            &r
        ));
        assert!(!may_comment(
            &sender(stranger, vec![other_customer], vec![]),
            &r
        ));
    }

    #[test]
    fn a_refused_new_request_says_why() {
        let required = Invalid::Required {
            field: intake::Field::Category,
            origin: Origin::Mail,
        };
        assert_eq!(
            refusal(&required),
            (MailRefusal::MissingFields, vec!["category"])
        );
        assert_eq!(refusal(&Invalid::UnknownSite).0, MailRefusal::NoSite);
        assert_eq!(
            refusal(&Invalid::Input("description is required".into())).0,
            MailRefusal::Invalid
        );
    }

    #[test]
    fn names_fall_back_in_order() {
        assert_eq!(first_non_blank(&["", "  ", "Claire", "x"]), "Claire");
        assert_eq!(first_non_blank(&["", " "]), "");
    }
}
