//! Consumers of request events. Who to tell comes from identity's directory
//! (read over gRPC with the internal secret); the mails and the inbox row
//! commit in one transaction, so a redelivered event queues nothing twice.
use std::collections::HashMap;

use anyhow::anyhow;
use async_nats::jetstream;
use portal_platform::CancellationToken;
use portal_platform::consumer::{self, ConsumerSpec, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use prost::Message;
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic::{Code, Request};
use uuid::Uuid;

use crate::sender::valid_recipient;
use crate::store::{self, NewDelivery};
use crate::templates;

/// Staff told of a new request: the people who take it from the inbox.
const SUBMITTED_ROLES: [&str; 2] = ["admin", "dispatcher"];

/// Reads of identity's directory as a service.
#[derive(Clone)]
pub struct Directory {
    pub client: IdentityServiceClient<Channel>,
    pub internal_token: String,
}

impl Directory {
    async fn staff(
        &self,
        tenant_id: Uuid,
        role: &str,
    ) -> Result<Vec<idpb::StaffMember>, HandleError> {
        let req = idpb::ListStaffRequest {
            tenant_id: tenant_id.to_string(),
            role: role.to_owned(),
        };
        let res = self
            .client
            .clone()
            .list_staff(portal_platform::auth::with_internal(
                Request::new(req),
                &self.internal_token,
            ))
            .await
            .map_err(HandleError::from)?;
        Ok(res.into_inner().staff)
    }

    /// The contact, or `None` when identity does not know it (deleted, or
    /// the event names none): nobody to tell, retrying would not change that.
    async fn contact(
        &self,
        tenant_id: Uuid,
        contact_id: &str,
    ) -> Result<Option<idpb::Contact>, HandleError> {
        if contact_id.trim().is_empty() {
            return Ok(None);
        }
        let req = idpb::GetContactRequest {
            tenant_id: tenant_id.to_string(),
            contact_id: contact_id.to_owned(),
        };
        match self
            .client
            .clone()
            .get_contact(portal_platform::auth::with_internal(
                Request::new(req),
                &self.internal_token,
            ))
            .await
        {
            Ok(res) => Ok(Some(res.into_inner())),
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(HandleError::from(s)),
        }
    }
}

/// The request events that make mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Submitted,
    Accepted,
    Rejected,
}

impl Kind {
    pub const ALL: [Self; 3] = [Self::Submitted, Self::Accepted, Self::Rejected];

    pub fn durable(self) -> &'static str {
        match self {
            Self::Submitted => "notification-request-submitted",
            Self::Accepted => "notification-request-accepted",
            Self::Rejected => "notification-request-rejected",
        }
    }

    pub fn filter(self) -> String {
        match self {
            Self::Submitted => filter::<ev::RequestSubmitted>(),
            Self::Accepted => filter::<ev::RequestAccepted>(),
            Self::Rejected => filter::<ev::RequestRejected>(),
        }
    }
}

/// One consumer: turns an event of `kind` into mails.
pub struct RequestMails {
    pub kind: Kind,
    pub pool: PgPool,
    pub directory: Directory,
}

/// Starts one durable consumer per kind; they stop on `shutdown`.
pub fn spawn_all(
    js: &jetstream::Context,
    pool: &PgPool,
    directory: &Directory,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let handler = RequestMails {
                kind,
                pool: pool.clone(),
                directory: directory.clone(),
            };
            tokio::spawn(consumer::run(
                js.clone(),
                pool.clone(),
                ConsumerSpec::new(kind.durable(), kind.filter()),
                handler,
                shutdown.clone(),
            ))
        })
        .collect()
}

impl Handler for RequestMails {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        // The directory is read before the transaction, so that no database
        // connection waits on identity.
        let mails = match self.kind {
            Kind::Submitted => self.submitted(envelope, decode(payload)?).await?,
            Kind::Accepted => self.accepted(envelope, decode(payload)?).await?,
            Kind::Rejected => self.rejected(envelope, decode(payload)?).await?,
        };
        let mut tx = self.pool.begin().await?;
        if !consumer::claim(&mut tx, self.kind.durable(), envelope.id).await? {
            tx.commit().await?;
            return Ok(());
        }
        for mail in &mails {
            store::insert_delivery(&mut tx, mail).await?;
        }
        tx.commit().await?;
        tracing::debug!(consumer = self.kind.durable(), event = %envelope.id, mails = mails.len(), "event handled");
        Ok(())
    }
}

impl RequestMails {
    /// One mail per admin of the tenant, each in their own language.
    async fn submitted(
        &self,
        envelope: &Envelope,
        e: ev::RequestSubmitted,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let staff = self
            .directory
            .staff(envelope.tenant_id, "")
            .await?
            .into_iter()
            .filter(|s| {
                s.roles
                    .iter()
                    .any(|r| SUBMITTED_ROLES.contains(&r.as_str()))
            });
        let mut mails = Vec::new();
        for s in staff {
            let params = HashMap::from([
                ("name".to_owned(), s.name.clone()),
                ("title".to_owned(), e.title.clone()),
                ("request_id".to_owned(), e.request_id.clone()),
            ]);
            let key = format!("event:{}:{}", envelope.id, s.id);
            if let Some(mail) = mail(
                envelope,
                key,
                "request_submitted",
                &s.email,
                &s.language,
                &params,
            )? {
                mails.push(mail);
            }
        }
        Ok(mails)
    }

    async fn accepted(
        &self,
        envelope: &Envelope,
        e: ev::RequestAccepted,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let params = HashMap::from([("title".to_owned(), e.title)]);
        self.to_contact(envelope, &e.contact_id, "request_accepted", params)
            .await
    }

    async fn rejected(
        &self,
        envelope: &Envelope,
        e: ev::RequestRejected,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let params = HashMap::from([
            ("title".to_owned(), e.title),
            ("reason".to_owned(), e.reason),
        ]);
        self.to_contact(envelope, &e.contact_id, "request_rejected", params)
            .await
    }

    /// One mail to the request's contact, unless they turned notifications off.
    async fn to_contact(
        &self,
        envelope: &Envelope,
        contact_id: &str,
        template: &str,
        mut params: HashMap<String, String>,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let Some(contact) = self
            .directory
            .contact(envelope.tenant_id, contact_id)
            .await?
        else {
            tracing::warn!(event = %envelope.id, contact_id, "contact unknown to identity, no mail");
            return Ok(vec![]);
        };
        if !contact.notifications {
            return Ok(vec![]);
        }
        let name = if contact.name.trim().is_empty() {
            contact.email.clone()
        } else {
            contact.name.clone()
        };
        params.insert("name".to_owned(), name);
        let key = format!("event:{}:contact", envelope.id);
        Ok(mail(
            envelope,
            key,
            template,
            &contact.email,
            &contact.language,
            &params,
        )?
        .into_iter()
        .collect())
    }
}

fn decode<M: Message + Default>(payload: &[u8]) -> Result<M, HandleError> {
    M::decode(payload).map_err(|e| HandleError::Poison(anyhow!("undecodable payload: {e}")))
}

/// Renders one mail; `None` (logged) for an address no server would take,
/// so that one bad directory entry does not hold back the others.
fn mail(
    envelope: &Envelope,
    idempotency_key: String,
    template: &str,
    to: &str,
    language: &str,
    params: &HashMap<String, String>,
) -> Result<Option<NewDelivery>, HandleError> {
    let to = to.trim();
    if !valid_recipient(to) {
        tracing::warn!(event = %envelope.id, %idempotency_key, "recipient has no valid e-mail address, no mail");
        return Ok(None);
    }
    // The event is what it is: a text it cannot fill will never render.
    let rendered = templates::render(template, language, params)
        .map_err(|e| HandleError::Poison(anyhow!(e)))?;
    Ok(Some(NewDelivery {
        tenant_id: envelope.tenant_id,
        idempotency_key,
        template: template.to_owned(),
        recipient: to.to_owned(),
        language: language.to_owned(),
        subject: rendered.subject,
        body: rendered.body,
    }))
}
