//! The answer to a contact's mail that requests could not take in
//! (`request.mail_refused`): why, in their language, in the thread of their
//! mail, with the portal's page where it can be done instead. The SMTP answer
//! could not say it: it is the same for every sender (ADR 0013), and the
//! decision is made later, by requests.
//!
//! Only contacts identity still knows are answered (the sender was
//! authenticated by the trusted relay and matched to a contact before the
//! mail was passed on), whatever their notification setting: this answers a
//! mail of theirs. Every portal mail carries `Auto-Submitted`, so an
//! auto-responder does not answer back.
use std::collections::HashMap;

use portal_platform::consumer::{self, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_proto::events::v1::{self as ev, MailRefusal};
use sqlx::PgPool;

use crate::appointments::Links;
use crate::events::{Directory, decode, mail, or_default};
use crate::store;

/// Durable consumer of `request.mail_refused`.
pub const DURABLE: &str = "notification-request-mail-refused";

pub fn filter_subject() -> String {
    filter::<ev::RequestMailRefused>()
}

pub struct RefusedMails {
    pub pool: PgPool,
    pub directory: Directory,
    pub links: Links,
}

/// The text's selector for a reason, and the page that helps: a new
/// request's form, or the request replied to. Pure.
pub fn reason_and_page(e: &ev::RequestMailRefused) -> (&'static str, String) {
    let new_request = "/requests/new".to_owned();
    match e.reason() {
        MailRefusal::MissingFields => ("missing_fields", new_request),
        MailRefusal::RequestClosed => ("request_closed", new_request),
        MailRefusal::NotAllowed => ("not_allowed", new_request),
        MailRefusal::NoSite => ("no_site", "/".to_owned()),
        MailRefusal::Invalid | MailRefusal::Unspecified => ("invalid", new_request),
    }
}

/// A Message-ID that can stand in `In-Reply-To`: `<...>`, printable, short.
fn thread_of(mail_id: &str) -> Option<String> {
    let id = mail_id.trim();
    let fits = id.len() <= 250
        && id.starts_with('<')
        && id.ends_with('>')
        && id.bytes().all(|b| b.is_ascii_graphic());
    fits.then(|| id.to_owned())
}

impl Handler for RefusedMails {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let e: ev::RequestMailRefused = decode(payload)?;
        // The directory is read before the transaction, as for every mail.
        let contact = self
            .directory
            .contact(envelope.tenant_id, &e.contact_id)
            .await?;
        let mut mails = Vec::new();
        if let Some(contact) = contact {
            let (reason, page) = reason_and_page(&e);
            let slug = match self.links.base {
                Some(_) => self.directory.tenant(envelope.tenant_id).await?.slug,
                None => None,
            };
            let mut params = HashMap::from([
                ("name".to_owned(), or_default(&contact.name, &contact.email)),
                ("title".to_owned(), or_default(&e.subject, "-")),
                ("why".to_owned(), reason.to_owned()),
            ]);
            if let Some(field) = e.missing_fields.first() {
                params.insert("missing".to_owned(), field.clone());
            }
            params.extend(
                self.links
                    .page(slug.as_deref(), &page)
                    .map(|l| ("link".to_owned(), l)),
            );
            let key = format!("event:{}:contact", envelope.id);
            let refusal = mail(
                envelope,
                key,
                "mail_refused",
                &contact.email,
                &contact.language,
                &params,
            )?;
            mails.extend(refusal.map(|mut m| {
                m.thread_id = thread_of(&e.mail_id);
                m
            }));
        } else {
            tracing::info!(event = %envelope.id, "refused mail of a contact identity no longer knows, no answer");
        }
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, DURABLE, envelope.id).await? {
            for m in &mails {
                store::insert_delivery(&mut tx, m).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_has_its_text_and_page() {
        let e = |reason: MailRefusal| ev::RequestMailRefused {
            reason: reason.into(),
            ..Default::default()
        };
        assert_eq!(
            reason_and_page(&e(MailRefusal::MissingFields)),
            ("missing_fields", "/requests/new".to_owned())
        );
        assert_eq!(reason_and_page(&e(MailRefusal::NoSite)).1, "/");
        assert_eq!(
            reason_and_page(&e(MailRefusal::RequestClosed)).0,
            "request_closed"
        );
        assert_eq!(reason_and_page(&e(MailRefusal::Unspecified)).0, "invalid");
    }

    #[test]
    fn only_a_real_message_id_joins_the_thread() {
        assert_eq!(
            thread_of(" <m1@martin.example> ").as_deref(),
            Some("<m1@martin.example>")
        );
        assert_eq!(thread_of("m1@martin.example"), None);
        assert_eq!(thread_of("<a b@x>"), None);
        assert_eq!(thread_of("<a\r\nBcc: x@y>"), None);
    }
}
