//! Mails about the work on a request (#10; F1: appointment scheduled or
//! changed, work order completed; F2: only to contacts whose notifications
//! are on, in their language). To the contact who asked: the appointment
//! with its calendar file when the work is planned or planned again, a word
//! when it is cancelled, and when it is done, with a link to the request. To
//! the staff member who planned it: that a technician completed it.
//!
//! As for request mails, the directory is read before the transaction; the
//! mails and the inbox row then commit together, and each mail has a key of
//! its own, so a redelivered event mails nobody twice.
use portal_platform::calendar::sequence;
use std::collections::HashMap;

use anyhow::anyhow;
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use portal_platform::CancellationToken;
use portal_platform::calendar::{self, Appointment};
use portal_platform::consumer::{self, ConsumerSpec, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_platform::time::from_proto;
use portal_platform::zone::Zone;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tonic::{Code, Request};
use uuid::Uuid;

use crate::events::{Directory, decode, mail, or_default};
use crate::reply;
use crate::store::{self, MailAttachment, NewDelivery};

/// The work order events that make mails (unplanning and starting do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scheduled,
    Rescheduled,
    Cancelled,
    Completed,
}

impl Kind {
    pub const ALL: [Self; 4] = [
        Self::Scheduled,
        Self::Rescheduled,
        Self::Cancelled,
        Self::Completed,
    ];

    pub fn durable(self) -> &'static str {
        match self {
            Self::Scheduled => "notification-work-order-scheduled",
            Self::Rescheduled => "notification-work-order-rescheduled",
            Self::Cancelled => "notification-work-order-cancelled",
            Self::Completed => "notification-work-order-completed",
        }
    }

    pub fn filter(self) -> String {
        match self {
            Self::Scheduled => filter::<ev::WorkOrderScheduled>(),
            Self::Rescheduled => filter::<ev::WorkOrderRescheduled>(),
            Self::Cancelled => filter::<ev::WorkOrderCancelled>(),
            Self::Completed => filter::<ev::WorkOrderCompleted>(),
        }
    }
}

/// Where the portal's pages are, for links in mails.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The public URL without a trailing slash; `None`: no links.
    pub base: Option<String>,
}

impl Links {
    /// A tenant's page at `path` (`/appointments`), in the path form every
    /// host serves: `<base>/t/<slug><path>`.
    pub fn page(&self, slug: Option<&str>, path: &str) -> Option<String> {
        Some(format!("{}/t/{}{path}", self.base.as_deref()?, slug?))
    }
}

impl Directory {
    /// The tenant's slug (for links) and time zone (for times); no slug
    /// and UTC when identity does not know it.
    pub(crate) async fn tenant(&self, tenant_id: Uuid) -> Result<TenantPlace, HandleError> {
        let req = idpb::GetTenantRequest {
            tenant_id: tenant_id.to_string(),
        };
        match self
            .client
            .clone()
            .get_tenant(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(t) => {
                let t = t.into_inner();
                Ok(TenantPlace {
                    zone: Zone::or_utc(&t.time_zone),
                    slug: Some(t.slug),
                })
            }
            Err(s) if s.code() == Code::NotFound => Ok(TenantPlace::default()),
            Err(s) => Err(HandleError::from(s)),
        }
    }
}

/// What mails need of their tenant.
#[derive(Debug, Clone, Default)]
pub struct TenantPlace {
    pub slug: Option<String>,
    /// Times in mails are on the tenant's clock.
    pub zone: Zone,
}

/// One consumer: turns a work order event of `kind` into mails.
pub struct WorkOrderMails {
    pub kind: Kind,
    pub pool: PgPool,
    pub directory: Directory,
    pub links: Links,
}

/// Starts one durable consumer per kind; they stop on `shutdown`.
pub fn spawn_all(
    js: &jetstream::Context,
    pool: &PgPool,
    directory: &Directory,
    links: &Links,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let handler = WorkOrderMails {
                kind,
                pool: pool.clone(),
                directory: directory.clone(),
                links: links.clone(),
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

impl Handler for WorkOrderMails {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        // The directory is read before the transaction, as for every mail,
        // and only once a mail is to be written.
        let mails = match self.kind {
            Kind::Scheduled => {
                let e: ev::WorkOrderScheduled = decode(payload)?;
                let plan = Plan::of(envelope, e.work_order.as_ref(), e.at.as_ref())?;
                self.planned(envelope, &plan, None).await?
            }
            Kind::Rescheduled => {
                let e: ev::WorkOrderRescheduled = decode(payload)?;
                let plan = Plan::of(envelope, e.work_order.as_ref(), e.at.as_ref())?;
                let previous = (e.previous_start.as_ref(), e.previous_end.as_ref());
                self.planned(envelope, &plan, Some(previous)).await?
            }
            Kind::Cancelled => {
                let e: ev::WorkOrderCancelled = decode(payload)?;
                let plan = Plan::of(envelope, e.work_order.as_ref(), e.at.as_ref())?;
                self.cancelled(envelope, &plan, &e.reason).await?
            }
            Kind::Completed => {
                let e: ev::WorkOrderCompleted = decode(payload)?;
                let plan = Plan::of(envelope, e.work_order.as_ref(), e.at.as_ref())?;
                self.completed(envelope, &plan, &e).await?
            }
        };
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, self.kind.durable(), envelope.id).await? {
            for m in &mails {
                store::insert_delivery(&mut tx, m).await?;
            }
        }
        tx.commit().await?;
        tracing::debug!(consumer = self.kind.durable(), event = %envelope.id, mails = mails.len(), "event handled");
        Ok(())
    }
}

/// What the mails need of a work order event.
#[derive(Debug, Clone)]
struct Plan<'a> {
    state: &'a ev::WorkOrderState,
    work_order_id: Uuid,
    request_id: Option<Uuid>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    technicians: Vec<String>,
    /// When work-orders made the change.
    at: DateTime<Utc>,
}

impl<'a> Plan<'a> {
    fn of(
        envelope: &Envelope,
        state: Option<&'a ev::WorkOrderState>,
        at: Option<&prost_types::Timestamp>,
    ) -> Result<Self, HandleError> {
        let state =
            state.ok_or_else(|| HandleError::Poison(anyhow!("the event carries no work order")))?;
        let work_order_id = state.work_order_id.trim().parse().map_err(|_| {
            HandleError::Poison(anyhow!(
                "work_order_id {:?} is not a UUID",
                state.work_order_id
            ))
        })?;
        Ok(Self {
            state,
            work_order_id,
            request_id: state.request_id.trim().parse().ok(),
            start: state.start.as_ref().and_then(from_proto),
            end: state.end.as_ref().and_then(from_proto),
            technicians: state
                .technicians
                .iter()
                .map(|t| t.name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect(),
            at: at.and_then(from_proto).unwrap_or(envelope.time),
        })
    }

    fn window(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((self.start?, self.end?))
    }
}

/// The planned window as mails write it, on the tenant's clock; empty when
/// it is not known.
fn window(
    zone: Zone,
    start: Option<&prost_types::Timestamp>,
    end: Option<&prost_types::Timestamp>,
) -> String {
    match (start.and_then(from_proto), end.and_then(from_proto)) {
        (Some(s), Some(e)) => zone.window_text(s, e),
        _ => String::new(),
    }
}

impl WorkOrderMails {
    /// The contact who asked for the work, if they want mails.
    async fn contact(
        &self,
        envelope: &Envelope,
        plan: &Plan<'_>,
    ) -> Result<Option<idpb::Contact>, HandleError> {
        let contact = self
            .directory
            .contact(envelope.tenant_id, &plan.state.contact_id)
            .await?;
        match &contact {
            None if !plan.state.contact_id.trim().is_empty() => {
                tracing::info!(event = %envelope.id, contact = %plan.state.contact_id, "contact unknown to identity, no mail to them");
            }
            Some(c) if !c.notifications => {
                tracing::debug!(event = %envelope.id, contact = %c.id, "contact's notifications are off");
            }
            _ => {}
        }
        Ok(contact.filter(|c| c.notifications))
    }

    /// "Appointment planned" (`previous` is `None`) or "appointment
    /// changed" (from the `previous` window), with the appointment as a
    /// calendar file.
    async fn planned(
        &self,
        envelope: &Envelope,
        plan: &Plan<'_>,
        previous: Option<(
            Option<&prost_types::Timestamp>,
            Option<&prost_types::Timestamp>,
        )>,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let Some((start, end)) = plan.window() else {
            tracing::warn!(event = %envelope.id, "a plan without its window, no mail");
            return Ok(vec![]);
        };
        let Some(contact) = self.contact(envelope, plan).await? else {
            return Ok(vec![]);
        };
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let previous = previous.map(|(s, e)| window(place.zone, s, e));
        let slug = place.slug.clone();
        let link = self.links.page(slug.as_deref(), "/appointments");
        let ics = calendar::ics_publish(&Appointment {
            work_order_id: plan.work_order_id,
            title: &plan.state.title,
            start,
            end,
            technicians: &plan.technicians,
            url: link.as_deref(),
            sequence: sequence(plan.at),
        });
        let mut params = HashMap::from([
            ("title".to_owned(), plan.state.title.clone()),
            ("when".to_owned(), place.zone.window_text(start, end)),
            ("technicians".to_owned(), plan.technicians.join(", ")),
        ]);
        params.extend(link.map(|l| ("link".to_owned(), l)));
        let template = match previous {
            None => "appointment_scheduled",
            Some(previous) => {
                params.insert("previous".to_owned(), previous);
                "appointment_changed"
            }
        };
        let mut mails = to_contact(envelope, &contact, plan, template, params)?;
        for m in &mut mails {
            m.attachment = Some(MailAttachment {
                filename: "appointment.ics".into(),
                content_type: calendar::PUBLISH_CONTENT_TYPE.into(),
                content: ics.clone().into_bytes(),
            });
        }
        Ok(mails)
    }

    /// The work will not be done.
    async fn cancelled(
        &self,
        envelope: &Envelope,
        plan: &Plan<'_>,
        reason: &str,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let Some(contact) = self.contact(envelope, plan).await? else {
            return Ok(vec![]);
        };
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let mut params = HashMap::from([
            ("title".to_owned(), plan.state.title.clone()),
            ("reason".to_owned(), reason.to_owned()),
        ]);
        if let Some((start, end)) = plan.window() {
            params.insert("when".to_owned(), place.zone.window_text(start, end));
        }
        to_contact(envelope, &contact, plan, "appointment_cancelled", params)
    }

    /// "Work done" to the contact, with the request's page; and to whoever
    /// planned it, unless they completed it themselves.
    async fn completed(
        &self,
        envelope: &Envelope,
        plan: &Plan<'_>,
        e: &ev::WorkOrderCompleted,
    ) -> Result<Vec<NewDelivery>, HandleError> {
        let contact = self.contact(envelope, plan).await?;
        let planner = e.planned_by_id.trim();
        let tell_planner = !planner.is_empty() && planner != e.by_id.trim();
        if contact.is_none() && !tell_planner {
            return Ok(vec![]);
        }
        let place = self.directory.tenant(envelope.tenant_id).await?;
        let slug = place.slug.clone();
        let request_page = |prefix: &str| {
            let request = plan.request_id?;
            self.links
                .page(slug.as_deref(), &format!("{prefix}/requests/{request}"))
        };
        let technician = match e.by_name.trim() {
            "" => plan.technicians.join(", "),
            name => name.to_owned(),
        };
        let mut mails = Vec::new();
        if let Some(contact) = &contact {
            let mut params = HashMap::from([
                ("title".to_owned(), plan.state.title.clone()),
                ("technician".to_owned(), technician.clone()),
            ]);
            params.extend(request_page("").map(|l| ("link".to_owned(), l)));
            mails.extend(to_contact(envelope, contact, plan, "work_done", params)?);
        }
        if tell_planner {
            let staff = self.directory.staff(envelope.tenant_id, "").await?;
            match staff.into_iter().find(|s| s.id == planner) {
                None => tracing::info!(event = %envelope.id, "the planner has left, no mail"),
                Some(s) => {
                    let mut params = HashMap::from([
                        ("name".to_owned(), s.name.clone()),
                        ("title".to_owned(), plan.state.title.clone()),
                        ("technician".to_owned(), or_default(&technician, "-")),
                        ("notes".to_owned(), e.notes.clone()),
                    ]);
                    if let Some((start, end)) = plan.window() {
                        params.insert("when".to_owned(), place.zone.window_text(start, end));
                    }
                    params.extend(request_page("/staff").map(|l| ("link".to_owned(), l)));
                    let key = format!("event:{}:{}", envelope.id, s.id);
                    mails.extend(mail(
                        envelope,
                        key,
                        "work_done_staff",
                        &s.email,
                        &s.language,
                        &params,
                    )?);
                }
            }
        }
        Ok(mails)
    }
}

/// One mail to the contact (who wants mails), in their language, in the
/// request's thread.
fn to_contact(
    envelope: &Envelope,
    contact: &idpb::Contact,
    plan: &Plan<'_>,
    template: &str,
    mut params: HashMap<String, String>,
) -> Result<Vec<NewDelivery>, HandleError> {
    params.insert("name".to_owned(), or_default(&contact.name, &contact.email));
    let key = format!("event:{}:contact", envelope.id);
    let mut mails: Vec<NewDelivery> = mail(
        envelope,
        key,
        template,
        &contact.email,
        &contact.language,
        &params,
    )?
    .into_iter()
    .collect();
    if let Some(request_id) = plan.request_id {
        for m in &mut mails {
            m.thread_id = Some(reply::thread_id(request_id));
        }
    }
    Ok(mails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_need_the_public_url_and_the_slug() {
        let links = Links {
            base: Some("https://portal.example".into()),
        };
        assert_eq!(
            links.page(Some("demo"), "/appointments").as_deref(),
            Some("https://portal.example/t/demo/appointments")
        );
        assert_eq!(links.page(None, "/appointments"), None);
        assert_eq!(Links::default().page(Some("demo"), "/appointments"), None);
    }

    #[test]
    fn later_changes_have_higher_sequences() {
        let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default();
        assert!(sequence(at + chrono::Duration::seconds(1)) > sequence(at));
        assert_eq!(sequence(DateTime::<Utc>::MIN_UTC), 0);
    }

    #[test]
    fn a_window_needs_both_ends() {
        let start = prost_types::Timestamp {
            seconds: 1_900_000_000,
            nanos: 0,
        };
        let end = prost_types::Timestamp {
            seconds: 1_900_003_600,
            nanos: 0,
        };
        assert_eq!(
            window(Zone::UTC, Some(&start), Some(&end)),
            "2030-03-17 17:46 – 18:46 UTC"
        );
        // On the tenant's clock: Paris is an hour ahead in March 2030.
        assert_eq!(
            window(Zone::or_utc("Europe/Paris"), Some(&start), Some(&end)),
            "2030-03-17 18:46 – 19:46 CET"
        );
        assert_eq!(window(Zone::UTC, Some(&start), None), "");
    }

    #[test]
    fn durables_are_named_after_the_service_and_event() {
        for kind in Kind::ALL {
            assert!(kind.durable().starts_with("notification-work-order-"));
            assert!(kind.filter().contains("work_order."), "{}", kind.filter());
        }
    }
}
