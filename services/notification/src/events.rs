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
use portal_platform::service_tls::Backend;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use prost::Message;
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tonic::{Code, Request};
use uuid::Uuid;

use crate::reply::{self, ReplySettings};
use crate::sender::valid_recipient;
use crate::store::{self, NewDelivery};
use crate::templates;

/// Staff told of a new request: the people who take it from the inbox.
const SUBMITTED_ROLES: [&str; 2] = ["admin", "dispatcher"];

/// Reads of identity's directory as a service.
#[derive(Clone)]
pub struct Directory {
    pub client: IdentityServiceClient<Backend>,
    /// notification's own credential (directory reads).
    pub credential: portal_platform::callers::Credential,
}

impl Directory {
    pub(crate) async fn staff(
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
            .list_staff(self.credential.sign(Request::new(req)))
            .await
            .map_err(HandleError::from)?;
        Ok(res.into_inner().staff)
    }

    /// The contact, or `None` when identity does not know it (deleted, or
    /// the event names none): nobody to tell, retrying would not change that.
    pub(crate) async fn contact(
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
            .get_contact(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(res) => Ok(Some(res.into_inner())),
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(HandleError::from(s)),
        }
    }
}

/// An answer of identity that may be "no such record".
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    Missing,
}

fn lookup<T>(res: Result<tonic::Response<T>, tonic::Status>) -> Result<Lookup<T>, tonic::Status> {
    match res {
        Ok(r) => Ok(Lookup::Found(r.into_inner())),
        Err(s) if s.code() == Code::NotFound => Ok(Lookup::Missing),
        Err(s) => Err(s),
    }
}

impl Directory {
    /// The tenant of an intake address (public facts, no secret needed).
    pub async fn tenant_by_slug(
        &self,
        slug: &str,
    ) -> Result<Lookup<idpb::TenantInfo>, tonic::Status> {
        let req = idpb::GetTenantInfoRequest {
            slug: slug.to_owned(),
        };
        lookup(self.client.clone().get_tenant_info(Request::new(req)).await)
    }

    /// The tenant's contact with this address.
    pub async fn contact_by_email(
        &self,
        tenant_id: Uuid,
        email: &str,
    ) -> Result<Lookup<idpb::Contact>, tonic::Status> {
        let req = idpb::FindContactByEmailRequest {
            tenant_id: tenant_id.to_string(),
            email: email.to_owned(),
        };
        lookup(
            self.client
                .clone()
                .find_contact_by_email(self.credential.sign(Request::new(req)))
                .await,
        )
    }
}

/// The request events that make mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Submitted,
    Accepted,
    Rejected,
    Commented,
    Assigned,
    Closed,
}

impl Kind {
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::Accepted,
        Self::Rejected,
        Self::Commented,
        Self::Assigned,
        Self::Closed,
    ];

    pub fn durable(self) -> &'static str {
        match self {
            Self::Submitted => "notification-request-submitted",
            Self::Accepted => "notification-request-accepted",
            Self::Rejected => "notification-request-rejected",
            Self::Commented => "notification-request-commented",
            Self::Assigned => "notification-request-assigned",
            Self::Closed => "notification-request-closed",
        }
    }

    pub fn filter(self) -> String {
        match self {
            Self::Submitted => filter::<ev::RequestSubmitted>(),
            Self::Accepted => filter::<ev::RequestAccepted>(),
            Self::Rejected => filter::<ev::RequestRejected>(),
            Self::Commented => filter::<ev::RequestCommented>(),
            Self::Assigned => filter::<ev::RequestAssigned>(),
            Self::Closed => filter::<ev::RequestClosed>(),
        }
    }
}

/// The mails of one event, and the request whose contact got a reply address.
#[derive(Debug, Default)]
struct Mails {
    mails: Vec<NewDelivery>,
    reply_thread: Option<Uuid>,
}

impl From<Vec<NewDelivery>> for Mails {
    fn from(mails: Vec<NewDelivery>) -> Self {
        Self {
            mails,
            reply_thread: None,
        }
    }
}

/// One consumer: turns an event of `kind` into mails.
pub struct RequestMails {
    pub kind: Kind,
    pub pool: PgPool,
    pub directory: Directory,
    /// Reply addresses for comment mails; `None` when inbound mail is off.
    pub replies: Option<ReplySettings>,
}

/// Starts one durable consumer per kind; they stop on `shutdown`.
pub fn spawn_all(
    js: &jetstream::Context,
    pool: &PgPool,
    directory: &Directory,
    replies: Option<&ReplySettings>,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let handler = RequestMails {
                kind,
                pool: pool.clone(),
                directory: directory.clone(),
                replies: replies.cloned(),
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
        let Mails {
            mails,
            reply_thread,
        } = match self.kind {
            Kind::Submitted => self.submitted(envelope, decode(payload)?).await?.into(),
            Kind::Accepted => self.accepted(envelope, decode(payload)?).await?.into(),
            Kind::Rejected => self.rejected(envelope, decode(payload)?).await?.into(),
            Kind::Commented => self.commented(envelope, decode(payload)?).await?,
            Kind::Assigned => self.assigned(envelope, decode(payload)?).await?.into(),
            Kind::Closed => self.closed(envelope, decode(payload)?).await?.into(),
        };
        let mut tx = self.pool.begin().await?;
        if !consumer::claim(&mut tx, self.kind.durable(), envelope.id).await? {
            tx.commit().await?;
            return Ok(());
        }
        if let Some(request_id) = reply_thread {
            store::remember_thread(&mut tx, envelope.tenant_id, request_id).await?;
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

    /// A new comment, to the other party; never for internal notes.
    async fn commented(
        &self,
        envelope: &Envelope,
        e: ev::RequestCommented,
    ) -> Result<Mails, HandleError> {
        if e.internal {
            return Ok(Mails::default());
        }
        let request_id = parse_request_id(&e.request_id)?;
        let thread = reply::thread_id(request_id);
        if e.author_kind == "staff" {
            let reply_to = self
                .replies
                .as_ref()
                .map(|r| r.key.reply_address(request_id, &r.domain));
            let mut params = HashMap::from([
                ("title".to_owned(), e.title),
                ("author".to_owned(), or_default(&e.author_name, "Support")),
                ("comment".to_owned(), e.body),
            ]);
            if let Some(address) = &reply_to {
                params.insert("reply_to".to_owned(), address.clone());
            }
            let mut mails = self
                .to_contact(envelope, &e.contact_id, "request_comment", params)
                .await?;
            for m in &mut mails {
                m.reply_to.clone_from(&reply_to);
                m.thread_id = Some(thread.clone());
            }
            let reply_thread = reply_to.is_some() && !mails.is_empty();
            return Ok(Mails {
                mails,
                reply_thread: reply_thread.then_some(request_id),
            });
        }
        // The contact wrote (in the portal or by mail): whoever handles it.
        let staff = self.handlers(envelope.tenant_id, &e.assignee_id).await?;
        let mut mails = Vec::new();
        for s in staff {
            let params = HashMap::from([
                ("name".to_owned(), s.name.clone()),
                ("title".to_owned(), e.title.clone()),
                ("request_id".to_owned(), e.request_id.clone()),
                ("author".to_owned(), or_default(&e.author_name, "-")),
                ("comment".to_owned(), e.body.clone()),
            ]);
            let key = format!("event:{}:{}", envelope.id, s.id);
            if let Some(mut m) = mail(
                envelope,
                key,
                "request_comment_staff",
                &s.email,
                &s.language,
                &params,
            )? {
                m.thread_id = Some(thread.clone());
                mails.push(m);
            }
        }
        Ok(mails.into())
    }

    /// The assignee, or when there is none (or they left) the tenant's
    /// dispatchers and admins.
    async fn handlers(
        &self,
        tenant_id: Uuid,
        assignee_id: &str,
    ) -> Result<Vec<idpb::StaffMember>, HandleError> {
        let staff = self.directory.staff(tenant_id, "").await?;
        let assignee = assignee_id.trim();
        if !assignee.is_empty()
            && let Some(s) = staff.iter().find(|s| s.id == assignee)
        {
            return Ok(vec![s.clone()]);
        }
        Ok(staff
            .into_iter()
            .filter(|s| {
                s.roles
                    .iter()
                    .any(|r| SUBMITTED_ROLES.contains(&r.as_str()))
            })
            .collect())
    }

    /// Who handles the request and by when, to the contact.
    async fn assigned(
        &self,
        envelope: &Envelope,
        e: ev::RequestAssigned,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let request_id = parse_request_id(&e.request_id)?;
        let mut assignee = e.assignee_name.trim().to_owned();
        if assignee.is_empty() && !e.assignee_id.trim().is_empty() {
            assignee = self
                .directory
                .staff(envelope.tenant_id, "")
                .await?
                .into_iter()
                .find(|s| s.id == e.assignee_id.trim())
                .map(|s| s.name)
                .unwrap_or_default();
        }
        if assignee.is_empty() {
            // Unassigned: nobody to name, nothing to tell.
            return Ok(vec![]);
        }
        let mut params = HashMap::from([
            ("title".to_owned(), e.title),
            ("assignee".to_owned(), assignee),
        ]);
        if let Some(due) = e
            .due_date
            .as_ref()
            .and_then(portal_platform::time::from_proto)
        {
            params.insert("due".to_owned(), due.format("%Y-%m-%d").to_string());
        }
        let mut mails = self
            .to_contact(envelope, &e.contact_id, "request_assigned", params)
            .await?;
        for m in &mut mails {
            m.thread_id = Some(reply::thread_id(request_id));
        }
        Ok(mails)
    }

    /// To the contact; to the assignee too when the contact closed it.
    async fn closed(
        &self,
        envelope: &Envelope,
        e: ev::RequestClosed,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let request_id = parse_request_id(&e.request_id)?;
        let params = HashMap::from([
            ("title".to_owned(), e.title.clone()),
            ("note".to_owned(), e.note.clone()),
        ]);
        let contact = self
            .directory
            .contact(envelope.tenant_id, &e.contact_id)
            .await?;
        let mut mails =
            self.to_known_contact(envelope, contact.as_ref(), "request_closed", params)?;
        if e.closed_by_kind == "contact" && !e.assignee_id.trim().is_empty() {
            let assignee = self
                .directory
                .staff(envelope.tenant_id, "")
                .await?
                .into_iter()
                .find(|s| s.id == e.assignee_id.trim());
            if let Some(s) = assignee {
                let closer = contact
                    .as_ref()
                    .map(|c| or_default(&c.name, &c.email))
                    .unwrap_or_else(|| "-".to_owned());
                let params = HashMap::from([
                    ("name".to_owned(), s.name.clone()),
                    ("title".to_owned(), e.title.clone()),
                    ("request_id".to_owned(), e.request_id.clone()),
                    ("closer".to_owned(), closer),
                    ("note".to_owned(), e.note.clone()),
                ]);
                let key = format!("event:{}:{}", envelope.id, s.id);
                mails.extend(mail(
                    envelope,
                    key,
                    "request_closed_staff",
                    &s.email,
                    &s.language,
                    &params,
                )?);
            }
        }
        for m in &mut mails {
            m.thread_id = Some(reply::thread_id(request_id));
        }
        Ok(mails)
    }

    /// One mail to the request's contact, unless they turned notifications off.
    async fn to_contact(
        &self,
        envelope: &Envelope,
        contact_id: &str,
        template: &str,
        params: HashMap<String, String>,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let contact = self
            .directory
            .contact(envelope.tenant_id, contact_id)
            .await?;
        self.to_known_contact(envelope, contact.as_ref(), template, params)
    }

    /// [`Self::to_contact`] once the contact is read.
    fn to_known_contact(
        &self,
        envelope: &Envelope,
        contact: Option<&idpb::Contact>,
        template: &str,
        mut params: HashMap<String, String>,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let Some(contact) = contact else {
            tracing::warn!(event = %envelope.id, "contact unknown to identity, no mail");
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

/// `value` trimmed, or `fallback` when blank.
pub(crate) fn or_default(value: &str, fallback: &str) -> String {
    let v = value.trim();
    if v.is_empty() { fallback } else { v }.to_owned()
}

fn parse_request_id(id: &str) -> Result<Uuid, HandleError> {
    id.trim()
        .parse()
        .map_err(|_| HandleError::Poison(anyhow!("request_id {id:?} is not a uuid")))
}

pub(crate) fn decode<M: Message + Default>(payload: &[u8]) -> Result<M, HandleError> {
    M::decode(payload).map_err(|e| HandleError::Poison(anyhow!("undecodable payload: {e}")))
}

/// Renders one mail; `None` (logged) for an address no server would take,
/// so that one bad directory entry does not hold back the others.
pub(crate) fn mail(
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
        reply_to: None,
        thread_id: None,
        attachment: None,
    }))
}
