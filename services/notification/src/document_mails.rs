//! F1: a customer's contacts who see its site are mailed when a quote
//! awaits their decision or an invoice is issued to them, each in their
//! language, with a link to the page where it waits; the documents staff
//! publish (certificates, contracts, …) wait for one digest per burst
//! (`digest`).
use std::collections::HashMap;

use portal_platform::consumer::{self, ConsumerSpec, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_proto::documents::v1::DocumentKind;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use sqlx::PgPool;
use tonic::Request;

use crate::appointments::Links;
use crate::events::{Directory, decode, mail};
use crate::store::{self, NewDelivery};

pub const DURABLE: &str = "notification-document-published";

pub fn spec() -> ConsumerSpec {
    ConsumerSpec::new(DURABLE, filter::<ev::DocumentPublished>())
}

pub struct DocumentMails {
    pub pool: PgPool,
    pub directory: Directory,
    pub links: Links,
}

/// The mail a kind of document makes, and the page it links to; other
/// kinds are told otherwise (a service report with the completed work) or
/// not at all.
pub fn template_of(kind: DocumentKind) -> Option<(&'static str, &'static str)> {
    match kind {
        DocumentKind::Quote => Some(("quote_sent", "/quotes")),
        DocumentKind::Invoice => Some(("invoice_issued", "/invoices")),
        _ => None,
    }
}

/// The kinds staff publish from files: told in a digest, one mail for a
/// burst of them, since they often come several at once.
pub fn digested(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::Certificate
            | DocumentKind::Contract
            | DocumentKind::Checklist
            | DocumentKind::IncidentReport
            | DocumentKind::Attachment
    )
}

/// `documents.kind` as the mail texts name it (`doc-kind-…`).
fn kind_key(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Quote => "quote",
        DocumentKind::Invoice => "invoice",
        DocumentKind::ServiceReport => "service_report",
        DocumentKind::Certificate => "certificate",
        DocumentKind::Contract => "contract",
        DocumentKind::Checklist => "checklist",
        DocumentKind::IncidentReport => "incident_report",
        DocumentKind::Attachment | DocumentKind::Unspecified => "attachment",
    }
}

impl Handler for DocumentMails {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let e: ev::DocumentPublished = decode(payload)?;
        let kind = DocumentKind::try_from(e.kind).unwrap_or(DocumentKind::Unspecified);
        let mails = match template_of(kind) {
            Some((template, path)) => self.mails(envelope, &e, template, path).await?,
            None => Vec::new(),
        };
        let waiting = if digested(kind) {
            self.digest_items(envelope, &e, kind).await?
        } else {
            Vec::new()
        };
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, DURABLE, envelope.id).await? {
            for m in &mails {
                store::insert_delivery(&mut tx, m).await?;
            }
            for (contact_id, document_id, item) in &waiting {
                store::queue_digest(&mut tx, envelope.tenant_id, *contact_id, *document_id, item)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl DocumentMails {
    /// The contacts who see the document's site and could log in now.
    async fn contacts(
        &self,
        envelope: &Envelope,
        e: &ev::DocumentPublished,
    ) -> Result<Vec<idpb::Contact>, HandleError> {
        let req = idpb::ListCustomerContactsRequest {
            tenant_id: envelope.tenant_id.to_string(),
            customer_id: e.customer_id.clone(),
            site_id: e.site_id.clone(),
            // A document of a request the customer does not see is told to no one (A10).
            of_request: !e.request_id.is_empty(),
            request_created_at: e.request_created_at,
        };
        Ok(self
            .directory
            .client
            .clone()
            .list_customer_contacts(self.directory.credential.sign(Request::new(req)))
            .await
            .map_err(HandleError::from)?
            .into_inner()
            .items)
    }

    /// One waiting row per contact for their next digest.
    async fn digest_items(
        &self,
        envelope: &Envelope,
        e: &ev::DocumentPublished,
        kind: DocumentKind,
    ) -> Result<Vec<(uuid::Uuid, uuid::Uuid, store::DigestItem)>, HandleError> {
        let Ok(document_id) = e.document_id.parse::<uuid::Uuid>() else {
            return Err(HandleError::Poison(anyhow::anyhow!(
                "document.published without a document id"
            )));
        };
        let contacts = self.contacts(envelope, e).await?;
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let link = self.links.page(place.slug.as_deref(), "/documents");
        Ok(contacts
            .into_iter()
            .filter_map(|c| {
                let contact_id = c.id.parse().ok()?;
                Some((
                    contact_id,
                    document_id,
                    store::DigestItem {
                        recipient: c.email,
                        language: c.language,
                        name: c.name,
                        kind: kind_key(kind).to_owned(),
                        title: e.title.clone(),
                        link: link.clone(),
                    },
                ))
            })
            .collect())
    }

    async fn mails(
        &self,
        envelope: &Envelope,
        e: &ev::DocumentPublished,
        template: &str,
        path: &str,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let contacts = self.contacts(envelope, e).await?;
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let link = self.links.page(place.slug.as_deref(), path);
        let mut mails = Vec::new();
        for c in contacts {
            let mut params = HashMap::from([
                ("name".to_owned(), c.name.clone()),
                ("title".to_owned(), e.title.clone()),
            ]);
            if let Some(link) = &link {
                params.insert("link".into(), link.clone());
            }
            let key = format!("event:{}:{}", envelope.id, c.id);
            if let Some(m) = mail(envelope, key, template, &c.email, &c.language, &params)? {
                mails.push(m);
            }
        }
        Ok(mails)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_invoices_are_told_reports_are_not() {
        assert_eq!(
            template_of(DocumentKind::Quote),
            Some(("quote_sent", "/quotes"))
        );
        assert_eq!(
            template_of(DocumentKind::Invoice),
            Some(("invoice_issued", "/invoices"))
        );
        assert_eq!(template_of(DocumentKind::ServiceReport), None);
    }

    #[test]
    fn files_staff_publish_wait_for_a_digest() {
        assert!(digested(DocumentKind::Certificate));
        assert!(digested(DocumentKind::Attachment));
        assert!(!digested(DocumentKind::Quote));
        assert!(!digested(DocumentKind::ServiceReport));
        assert_eq!(kind_key(DocumentKind::IncidentReport), "incident_report");
    }
}
