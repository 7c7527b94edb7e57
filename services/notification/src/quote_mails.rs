//! E3: admins and dispatchers are mailed about every decision on a quote,
//! each in their own language, with a link to the quote.
use std::collections::HashMap;

use portal_platform::consumer::{self, ConsumerSpec, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_proto::events::v1 as ev;
use sqlx::PgPool;

use crate::appointments::Links;
use crate::events::{Directory, decode, mail};
use crate::store::{self, NewDelivery};

/// The roles that write quotes, and so hear of decisions.
const ROLES: [&str; 2] = ["admin", "dispatcher"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accepted,
    Declined,
}

impl Decision {
    pub fn durable(self) -> &'static str {
        match self {
            Self::Accepted => "notification-quote-accepted",
            Self::Declined => "notification-quote-declined",
        }
    }

    pub fn spec(self) -> ConsumerSpec {
        let subject = match self {
            Self::Accepted => filter::<ev::QuoteAccepted>(),
            Self::Declined => filter::<ev::QuoteDeclined>(),
        };
        ConsumerSpec::new(self.durable(), subject)
    }
}

pub struct QuoteMails {
    pub decision: Decision,
    pub pool: PgPool,
    pub directory: Directory,
    pub links: Links,
}

/// `119.19 EUR`: the amount as the quote prints it.
pub fn total(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}

impl Handler for QuoteMails {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let quote = match self.decision {
            Decision::Accepted => decode::<ev::QuoteAccepted>(payload)?.quote,
            Decision::Declined => decode::<ev::QuoteDeclined>(payload)?.quote,
        }
        .unwrap_or_default();
        let mails = self.mails(envelope, &quote).await?;
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, self.decision.durable(), envelope.id).await? {
            for m in &mails {
                store::insert_delivery(&mut tx, m).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl QuoteMails {
    async fn mails(
        &self,
        envelope: &Envelope,
        q: &ev::QuoteDecided,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let link = self
            .links
            .page(place.slug.as_deref(), &format!("/quotes/{}", q.quote_id));
        let staff = self.directory.staff(envelope.tenant_id, "").await?;
        let (template, mut params) = match self.decision {
            Decision::Accepted => (
                "quote_accepted",
                HashMap::from([
                    ("signer".to_owned(), q.signer_name.clone()),
                    ("total".to_owned(), total(q.total_minor, &q.currency)),
                ]),
            ),
            Decision::Declined => (
                "quote_declined",
                HashMap::from([("reason".to_owned(), q.reason.clone())]),
            ),
        };
        params.insert("title".into(), q.title.clone());
        params.insert("customer".into(), q.customer_name.clone());
        if let Some(link) = link {
            params.insert("link".into(), link);
        }
        let mut mails = Vec::new();
        for s in staff
            .iter()
            .filter(|s| s.roles.iter().any(|r| ROLES.contains(&r.as_str())))
        {
            let mut p = params.clone();
            p.insert("name".into(), s.name.clone());
            let key = format!("event:{}:{}", envelope.id, s.id);
            if let Some(m) = mail(envelope, key, template, &s.email, &s.language, &p)? {
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
    fn totals_read_as_on_the_quote() {
        assert_eq!(total(11_919, "PLN"), "119.19 PLN");
        assert_eq!(total(5, "EUR"), "0.05 EUR");
    }
}
