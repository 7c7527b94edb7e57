//! D4: each completed work order gets one service report, a PDF the
//! customer sees among their documents, announced as `document.published`.
//!
//! Made once per work order: the inbox claim turns a redelivered event into
//! a no-op, and a second, distinct completion finds the report already
//! there (checked under a per-work-order lock, and guarded by the unique
//! index `documents_one_report`). If documents is down when the work is
//! completed, its durable consumer picks the event up when it is back.
//!
//! The report names the customer and the site as identity's directory has
//! them (ADR 0019), and prints its times in the tenant's time zone, all
//! read with documents' own credential (ADR 0017) before the transaction.
//! While identity cannot answer, the event waits and is retried: a report
//! is never made without the names (or in the wrong zone) for want of them.
//!
//! The work order's photos (D6) are documents' own attachments: the first
//! dozen are read from its table and blob store and printed in a grid.
//! Photos can only be added before completion, so the set is final when
//! the report is made.
use bytes::Bytes;
use chrono::Utc;
use portal_platform::callers::Credential;
use portal_platform::consumer::{self, ConsumerSpec, HandleError, Handler};
use portal_platform::event_types::filter;
use portal_platform::events::Envelope;
use portal_platform::service_tls::Backend;
use portal_platform::time::from_proto;
use portal_platform::zone::Zone;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use prost::Message;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};
use tonic::{Code, Request};
use uuid::Uuid;

use crate::blobs::Blobs;
use crate::catalog::{self, Kind, NewDocument, domain, store};
use crate::pdf::{self, ReportInspection, ReportPhoto, ReportSite, ServiceReport};
use crate::store as attachments;

/// Photos printed in a report; the rest are counted in a line.
pub const REPORT_PHOTOS: i64 = 12;

/// The durable consumer of `work_order.completed`, shared by the replicas.
pub const DURABLE: &str = "documents-work-order-completed";

/// Where the consumer reads from.
pub fn spec() -> ConsumerSpec {
    ConsumerSpec::new(DURABLE, filter::<ev::WorkOrderCompleted>())
}

pub struct MakeServiceReport {
    pub pool: PgPool,
    pub blobs: Blobs,
    pub directory: Directory,
}

/// Reads of identity's directory as documents: `GetCustomerName`,
/// `GetSite` and `GetTenant`, the only ones its credential opens
/// (`callers::ACCEPTED`).
#[derive(Clone)]
pub struct Directory {
    pub client: IdentityServiceClient<Backend>,
    pub credential: Credential,
}

/// Who and where, as the report prints them, and the tenant's zone its
/// times are printed in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub customer: String,
    pub site: Option<ReportSite>,
    pub zone: Zone,
}

/// How a failed read of the directory is retried. Away, or not yet able to
/// answer documents (an identity older than this version: no such method,
/// or documents not among the callers yet): the event is fine, so it waits
/// for as long as it takes and is never parked.
fn directory_error(what: &str, status: tonic::Status) -> HandleError {
    let e = anyhow::anyhow!("reading the {what} from identity: {status}");
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::Unimplemented
        | Code::PermissionDenied
        | Code::Unauthenticated => HandleError::Unavailable(e),
        _ => HandleError::Retry(e),
    }
}

impl Directory {
    /// The names of the customer and (when the work order has one) the
    /// site. A record identity does not know is left off the report with a
    /// warning: asking again would not bring it back.
    pub async fn names(
        &self,
        tenant_id: Uuid,
        customer_id: Uuid,
        site_id: Option<Uuid>,
    ) -> Result<Names, HandleError> {
        let zone = self.zone(tenant_id).await?;
        let req = idpb::GetCustomerNameRequest {
            tenant_id: tenant_id.to_string(),
            customer_id: customer_id.to_string(),
        };
        let customer = match self
            .client
            .clone()
            .get_customer_name(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(res) => res.into_inner().name,
            Err(s) if s.code() == Code::NotFound => {
                tracing::warn!(customer = %customer_id, "identity knows no such customer; the report goes without its name");
                String::new()
            }
            Err(s) => return Err(directory_error("customer's name", s)),
        };
        let Some(site_id) = site_id else {
            return Ok(Names {
                customer,
                site: None,
                zone,
            });
        };
        let req = idpb::GetSiteRequest {
            tenant_id: tenant_id.to_string(),
            site_id: site_id.to_string(),
        };
        let site = match self
            .client
            .clone()
            .get_site(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(res) => {
                let s = res.into_inner();
                Some(ReportSite {
                    name: s.name,
                    address: s.address,
                })
            }
            Err(s) if s.code() == Code::NotFound => {
                tracing::warn!(site = %site_id, "identity knows no such site; the report goes without it");
                None
            }
            Err(s) => return Err(directory_error("site", s)),
        };
        Ok(Names {
            customer,
            site,
            zone,
        })
    }

    /// The tenant's time zone; UTC for a tenant identity does not know (a
    /// report in UTC beats none) or one from before zones.
    async fn zone(&self, tenant_id: Uuid) -> Result<Zone, HandleError> {
        let req = idpb::GetTenantRequest {
            tenant_id: tenant_id.to_string(),
        };
        match self
            .client
            .clone()
            .get_tenant(self.credential.sign(Request::new(req)))
            .await
        {
            Ok(res) => Ok(Zone::or_utc(&res.into_inner().time_zone)),
            Err(s) if s.code() == Code::NotFound => {
                tracing::warn!(tenant = %tenant_id, "identity knows no such tenant; the report's times are in UTC");
                Ok(Zone::UTC)
            }
            Err(s) => Err(directory_error("tenant's time zone", s)),
        }
    }
}

fn poison(what: &str) -> impl Fn(uuid::Error) -> HandleError + '_ {
    move |e| HandleError::Poison(anyhow::Error::new(e).context(what.to_owned()))
}

fn optional_id(s: &str, what: &str) -> Result<Option<Uuid>, HandleError> {
    match s.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(poison(what)),
    }
}

/// What the report shows: the event, and the names of its customer and
/// site from the directory.
pub fn report_of(
    event: &ev::WorkOrderCompleted,
    names: Names,
    generated_at: chrono::DateTime<Utc>,
) -> ServiceReport {
    let wo = event.work_order.clone().unwrap_or_default();
    let planned = match (
        wo.start.as_ref().and_then(from_proto),
        wo.end.as_ref().and_then(from_proto),
    ) {
        (Some(start), Some(end)) => Some((start, end)),
        _ => None,
    };
    ServiceReport {
        title: wo.title.clone(),
        customer: names.customer,
        site: names.site,
        description: event.description.clone(),
        notes: event.notes.clone(),
        technicians: wo.technicians.iter().map(|t| t.name.clone()).collect(),
        completed_by: event.by_name.clone(),
        planned,
        started_at: event.started_at.as_ref().and_then(from_proto),
        completed_at: event.at.as_ref().and_then(from_proto),
        minutes_spent: event.minutes_spent,
        signer_name: event.signer_name.clone(),
        signature_png: event.signature_png.clone(),
        inspections: event
            .inspections
            .iter()
            .map(|i| ReportInspection {
                equipment: i.equipment_name.clone(),
                conforming: i.result
                    == i32::from(portal_proto::work_orders::v1::InspectionResult::Conforming),
                remarks: i.remarks.clone(),
                checklist: i.checklist.iter().map(|a| (a.item.clone(), a.ok)).collect(),
            })
            .collect(),
        photos: Vec::new(),
        more_photos: 0,
        generated_at,
        zone: names.zone,
    }
}

/// The ids a report is filed under.
struct Filed {
    work_order_id: Uuid,
    customer_id: Uuid,
    site_id: Option<Uuid>,
    request_id: Option<Uuid>,
}

impl Filed {
    fn of(event: &ev::WorkOrderCompleted) -> Result<Self, HandleError> {
        let wo = event.work_order.as_ref().ok_or_else(|| {
            HandleError::Poison(anyhow::anyhow!(
                "work_order.completed without its work order"
            ))
        })?;
        Ok(Self {
            work_order_id: wo.work_order_id.parse().map_err(poison("work_order_id"))?,
            customer_id: wo.customer_id.parse().map_err(poison("customer_id"))?,
            site_id: optional_id(&wo.site_id, "site_id")?,
            request_id: optional_id(&wo.request_id, "request_id")?,
        })
    }
}

impl Handler for MakeServiceReport {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event = ev::WorkOrderCompleted::decode(payload)
            .map_err(|e| HandleError::Poison(anyhow::Error::new(e)))?;
        let filed = Filed::of(&event)?;
        // The directory is read before the transaction, so that no
        // database connection waits on identity.
        let names = self
            .directory
            .names(envelope.tenant_id, filed.customer_id, filed.site_id)
            .await?;
        let photos = self.photos(envelope.tenant_id, filed.work_order_id).await?;
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, DURABLE, envelope.id).await? {
            self.make(&mut tx, envelope, &event, &filed, names, photos)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl MakeServiceReport {
    /// The first photos of the work order with their bytes, and how many
    /// more it has. A photo whose bytes are gone is left out with a warning
    /// (a report without it beats none); the store being away is retried.
    async fn photos(
        &self,
        tenant_id: Uuid,
        work_order_id: Uuid,
    ) -> Result<(Vec<ReportPhoto>, usize), HandleError> {
        let (rows, total) =
            attachments::work_order_photos(&self.pool, tenant_id, work_order_id, REPORT_PHOTOS)
                .await?;
        let more = usize::try_from(total)
            .unwrap_or(0)
            .saturating_sub(rows.len());
        let mut photos = Vec::with_capacity(rows.len());
        for row in rows {
            match self.blobs.get(&row.blob_key).await {
                Ok(bytes) => photos.push(ReportPhoto {
                    name: row.name,
                    content: bytes.to_vec(),
                }),
                Err(object_store::Error::NotFound { .. }) => {
                    tracing::warn!(photo = %row.id, "a photo's bytes are missing; the report goes without it");
                }
                Err(e) => {
                    return Err(HandleError::Unavailable(
                        anyhow::Error::new(e).context("reading a photo"),
                    ));
                }
            }
        }
        Ok((photos, more))
    }

    async fn make(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: &ev::WorkOrderCompleted,
        filed: &Filed,
        names: Names,
        (photos, more_photos): (Vec<ReportPhoto>, usize),
    ) -> Result<(), HandleError> {
        let tenant_id = envelope.tenant_id;
        let work_order_id = filed.work_order_id;
        store::lock_work_order(tx, tenant_id, work_order_id).await?;
        if let Some(existing) =
            store::of_work_order(&mut **tx, tenant_id, work_order_id, Kind::ServiceReport).await?
        {
            tracing::info!(work_order = %work_order_id, document = %existing, "service report already made");
            return Ok(());
        }

        let report = ServiceReport {
            photos,
            more_photos,
            ..report_of(event, names, Utc::now())
        };
        let title = report_title(&report.title);
        // Layout and font subsetting take a few milliseconds of CPU.
        let pdf = tokio::task::spawn_blocking(move || pdf::service_report(&report))
            .await
            .map_err(|e| HandleError::Retry(e.into()))?
            .map_err(|e| HandleError::Retry(e.into()))?;
        let size = i64::try_from(pdf.len()).map_err(|e| HandleError::Retry(e.into()))?;
        let sha256 = Sha256::digest(&pdf).to_vec();
        let blob_key = domain::report_blob_key(tenant_id, work_order_id);
        // Bytes first, row second: a row never points at a missing blob. The
        // key is the work order's, so a retry overwrites rather than leaks.
        self.blobs
            .put(&blob_key, Bytes::from(pdf))
            .await
            .map_err(|e| {
                HandleError::Unavailable(anyhow::Error::new(e).context("storing the report"))
            })?;
        let doc = NewDocument {
            id: Uuid::now_v7(),
            tenant_id,
            kind: Kind::ServiceReport,
            customer_id: filed.customer_id,
            site_id: filed.site_id,
            work_order_id: Some(work_order_id),
            request_id: filed.request_id,
            title,
            content_type: "application/pdf".into(),
            size,
            sha256,
            blob_key,
            equipment_id: None,
            file_name: None,
            published_by: None,
        };
        if catalog::publish(tx, &doc).await?.is_some() {
            tracing::info!(work_order = %work_order_id, document = %doc.id, size, "service report made");
        }
        Ok(())
    }
}

/// `Service report – Boiler service`.
pub fn report_title(work_order_title: &str) -> String {
    match work_order_title.trim() {
        "" => "Service report".to_owned(),
        t => format!("Service report – {t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_platform::time::to_proto;
    use portal_proto::work_orders::v1 as wopb;

    #[test]
    fn the_report_takes_what_the_event_tells() {
        let at = Utc::now();
        let event = ev::WorkOrderCompleted {
            work_order: Some(ev::WorkOrderState {
                title: "Oven".into(),
                technicians: vec![wopb::Technician {
                    id: Uuid::now_v7().to_string(),
                    name: "Tom".into(),
                }],
                start: Some(to_proto(at)),
                end: Some(to_proto(at + chrono::Duration::hours(1))),
                ..Default::default()
            }),
            by_name: "Tom".into(),
            at: Some(to_proto(at)),
            notes: "Replaced the thermostat.".into(),
            minutes_spent: 75,
            signer_name: "Claire".into(),
            ..Default::default()
        };
        let names = Names {
            customer: "Boulangerie Martin".into(),
            site: Some(ReportSite {
                name: "Lyon bakery".into(),
                address: "rue de l'Église, Lyon".into(),
            }),
            zone: Zone::or_utc("Europe/Paris"),
        };
        let r = report_of(&event, names.clone(), at);
        assert_eq!(r.title, "Oven");
        assert_eq!(r.customer, names.customer);
        assert_eq!(r.site, names.site);
        assert_eq!(r.zone.name(), "Europe/Paris");
        assert_eq!(r.technicians, vec!["Tom".to_owned()]);
        assert_eq!(r.notes, "Replaced the thermostat.");
        assert_eq!(r.minutes_spent, 75);
        assert!(r.planned.is_some());
        assert_eq!(r.started_at, None);
        assert_eq!(report_title("Oven"), "Service report – Oven");
        assert_eq!(report_title(" "), "Service report");
    }

    #[test]
    fn identity_not_answering_makes_the_event_wait() {
        for status in [
            tonic::Status::unavailable("down"),
            tonic::Status::deadline_exceeded("slow"),
            tonic::Status::unimplemented("older identity"),
            tonic::Status::permission_denied("documents not listed yet"),
            tonic::Status::unauthenticated("peers not configured"),
        ] {
            assert!(
                matches!(
                    directory_error("site", status.clone()),
                    HandleError::Unavailable(_)
                ),
                "{status:?}"
            );
        }
        assert!(matches!(
            directory_error("site", tonic::Status::internal("bug")),
            HandleError::Retry(_)
        ));
    }
}
