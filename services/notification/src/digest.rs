//! F1: one mail for several documents published at once. Each published
//! certificate, contract, checklist, incident report or attachment waits
//! per contact (`digest_items`); once a contact's burst has been quiet for
//! `quiet`, one mail lists everything waiting and the rows go, in the same
//! transaction as the mail's delivery row: a burst is told once, whichever
//! replica sends it.
use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use fluent_bundle::FluentArgs;
use portal_platform::CancellationToken;
use sqlx::PgPool;
use uuid::Uuid;

use crate::store::{self, DigestItem, NewDelivery};
use crate::{i18n, templates};

pub const TEMPLATE: &str = "documents_published";

/// Sends the digests that are due, on the notification service's own
/// schedule.
pub struct Digests {
    /// Every tenant's rows: the owner's pool (as the sender's queue).
    pub pool: PgPool,
    /// How long a burst must be quiet before its mail goes.
    pub quiet: Duration,
}

impl Digests {
    /// Looks for due digests every quarter of the quiet time (at least once
    /// a second) until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        let every = (self.quiet / 4).max(Duration::from_secs(1));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            match self.send_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "document digests queued"),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "document digests failed; trying again")
                }
            }
        }
    }

    /// Queues one mail per recipient whose burst is quiet; how many.
    pub async fn send_due(&self) -> anyhow::Result<usize> {
        let due = store::quiet_digests(&self.pool, self.quiet, self.quiet * LONGEST_WAITS, 100)
            .await
            .context("finding due digests")?;
        let mut sent = 0;
        for (tenant_id, contact_id) in due {
            // One recipient's failure does not hold back the others.
            match self.send_one(tenant_id, contact_id).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(
                    tenant = %tenant_id, contact = %contact_id, error = %format!("{e:#}"),
                    "a document digest failed; trying again later"
                ),
            }
        }
        Ok(sent)
    }

    /// Takes what waits for one contact and queues its mail, in one
    /// transaction; `false` when another runner took it first.
    async fn send_one(&self, tenant_id: Uuid, contact_id: Uuid) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Taken by the first runner to get here; the next finds none.
        let items = store::take_digest(&mut tx, tenant_id, contact_id).await?;
        let Some(mail) = compose(tenant_id, contact_id, &items)? else {
            return Ok(false);
        };
        store::insert_delivery(&mut tx, &mail).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A burst is told at the latest after this many quiet times, however
/// long it goes on.
const LONGEST_WAITS: u32 = 10;

/// The mail of a contact's waiting documents, oldest first: each title
/// with its kind in the reader's language; `None` when nothing waits.
pub fn compose(
    tenant_id: Uuid,
    contact_id: Uuid,
    items: &[DigestItem],
) -> anyhow::Result<Option<NewDelivery>> {
    let Some(first) = items.first() else {
        return Ok(None);
    };
    let lang = i18n::pick(&first.language);
    let lines: Vec<String> = items
        .iter()
        .map(|i| {
            let kind = i18n::text(lang, &format!("doc-kind-{}", i.kind), &FluentArgs::new());
            format!("- {} ({kind})", i.title)
        })
        .collect();
    let mut params = HashMap::from([
        ("name".to_owned(), first.name.clone()),
        ("documents".to_owned(), lines.join("\n")),
    ]);
    if let Some(link) = items.iter().rev().find_map(|i| i.link.clone()) {
        params.insert("link".into(), link);
    }
    let rendered = templates::render(TEMPLATE, &first.language, &params)?;
    Ok(Some(NewDelivery {
        tenant_id,
        idempotency_key: format!("digest:{contact_id}:{}", Uuid::now_v7()),
        template: TEMPLATE.to_owned(),
        recipient: first.recipient.clone(),
        language: first.language.clone(),
        subject: rendered.subject,
        body: rendered.body,
        reply_to: None,
        thread_id: None,
        attachment: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, kind: &str, language: &str) -> DigestItem {
        DigestItem {
            recipient: "claire@example.org".into(),
            language: language.into(),
            name: "Claire Martin".into(),
            kind: kind.into(),
            title: title.into(),
            link: Some("https://portal.example/t/acme/documents".into()),
        }
    }

    #[test]
    fn one_mail_lists_every_waiting_document_in_the_readers_language() {
        let (t, c) = (Uuid::now_v7(), Uuid::now_v7());
        let mail = compose(
            t,
            c,
            &[
                item("Gas certificate", "certificate", "fr"),
                item("Contract 2027", "contract", "fr"),
            ],
        )
        .expect("renders")
        .expect("a mail");
        assert_eq!(mail.recipient, "claire@example.org");
        assert!(mail.body.contains("Claire Martin"), "{}", mail.body);
        assert!(
            mail.body.contains("- Gas certificate (Certificat)"),
            "{}",
            mail.body
        );
        assert!(
            mail.body.contains("- Contract 2027 (Contrat)"),
            "{}",
            mail.body
        );
        assert!(
            mail.body
                .contains("https://portal.example/t/acme/documents"),
            "{}",
            mail.body
        );
        for lang in ["en", "de", "es", "pl"] {
            let m = compose(t, c, &[item("X", "incident_report", lang)])
                .expect("renders")
                .expect("a mail");
            assert!(!m.body.contains("doc-kind"), "{lang}: {}", m.body);
        }
        assert!(compose(t, c, &[]).expect("nothing").is_none());
    }
}
