//! Documents a customer sees (E1): publishing one (its row and
//! `document.published`, in one transaction), and their shape in messages.
pub mod domain;
pub mod service;
pub mod store;

use chrono::{DateTime, Utc};
use portal_platform::outbox;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as pb;
use portal_proto::events::v1 as ev;
use sqlx::PgConnection;
use uuid::Uuid;

pub use domain::Kind;
pub use store::{DocumentRow, NewDocument};

/// `ce-source` of documents' events.
pub const SOURCE: &str = "/portal/documents";

/// Records `doc` and announces it in the caller's transaction. `None` when
/// its work order already has its one document of that kind (nothing is
/// announced twice); else when it was created.
pub async fn publish(
    conn: &mut PgConnection,
    doc: &NewDocument,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let Some(created_at) = store::insert(&mut *conn, doc).await? else {
        return Ok(None);
    };
    let request_created_at = match doc.request_id {
        Some(r) => store::request_created_at(&mut *conn, doc.tenant_id, r).await?,
        None => None,
    };
    let event = ev::DocumentPublished {
        tenant_id: doc.tenant_id.to_string(),
        document_id: doc.id.to_string(),
        kind: kind_pb(doc.kind).into(),
        customer_id: doc.customer_id.to_string(),
        site_id: text(doc.site_id),
        work_order_id: text(doc.work_order_id),
        request_id: text(doc.request_id),
        title: doc.title.clone(),
        content_type: doc.content_type.clone(),
        created_at: Some(to_proto(created_at)),
        equipment_id: text(doc.equipment_id),
        version: 1,
        request_created_at: request_created_at.map(to_proto),
    };
    outbox::enqueue(conn, doc.tenant_id, SOURCE, &event).await?;
    Ok(Some(created_at))
}

/// Announces a new version of `doc` (as it is after) in the caller's
/// transaction: contacts are told of it as of a new document.
pub async fn announce_version(conn: &mut PgConnection, doc: &DocumentRow) -> sqlx::Result<()> {
    let event = ev::DocumentPublished {
        tenant_id: doc.tenant_id.to_string(),
        document_id: doc.id.to_string(),
        kind: kind_pb(doc.kind).into(),
        customer_id: doc.customer_id.to_string(),
        site_id: text(doc.site_id),
        work_order_id: text(doc.work_order_id),
        request_id: text(doc.request_id),
        title: doc.title.clone(),
        content_type: doc.content_type.clone(),
        created_at: Some(to_proto(doc.content_at)),
        equipment_id: text(doc.equipment_id),
        version: doc.version,
        request_created_at: doc.request_created_at.map(to_proto),
    };
    outbox::enqueue(conn, doc.tenant_id, SOURCE, &event).await?;
    Ok(())
}

fn text(id: Option<Uuid>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

pub fn kind_pb(kind: Kind) -> pb::DocumentKind {
    match kind {
        Kind::Quote => pb::DocumentKind::Quote,
        Kind::Invoice => pb::DocumentKind::Invoice,
        Kind::ServiceReport => pb::DocumentKind::ServiceReport,
        Kind::Certificate => pb::DocumentKind::Certificate,
        Kind::Contract => pb::DocumentKind::Contract,
        Kind::Checklist => pb::DocumentKind::Checklist,
        Kind::IncidentReport => pb::DocumentKind::IncidentReport,
        Kind::Attachment => pb::DocumentKind::Attachment,
    }
}

/// `None` for unspecified (every kind).
pub fn kind_of(kind: pb::DocumentKind) -> Option<Kind> {
    Some(match kind {
        pb::DocumentKind::Unspecified => return None,
        pb::DocumentKind::Quote => Kind::Quote,
        pb::DocumentKind::Invoice => Kind::Invoice,
        pb::DocumentKind::ServiceReport => Kind::ServiceReport,
        pb::DocumentKind::Certificate => Kind::Certificate,
        pb::DocumentKind::Contract => Kind::Contract,
        pb::DocumentKind::Checklist => Kind::Checklist,
        pb::DocumentKind::IncidentReport => Kind::IncidentReport,
        pb::DocumentKind::Attachment => Kind::Attachment,
    })
}

pub fn document_pb(d: &DocumentRow) -> pb::Document {
    pb::Document {
        id: d.id.to_string(),
        kind: kind_pb(d.kind).into(),
        title: d.title.clone(),
        customer_id: d.customer_id.to_string(),
        site_id: text(d.site_id),
        work_order_id: text(d.work_order_id),
        request_id: text(d.request_id),
        content_type: d.content_type.clone(),
        size: d.size,
        created_at: Some(to_proto(d.created_at)),
        equipment_id: text(d.equipment_id),
        version: d.version,
        file_name: d.file_name.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_message() {
        for kind in [
            Kind::Quote,
            Kind::Invoice,
            Kind::ServiceReport,
            Kind::Certificate,
            Kind::Contract,
            Kind::Checklist,
            Kind::IncidentReport,
            Kind::Attachment,
        ] {
            assert_eq!(kind_of(kind_pb(kind)), Some(kind));
        }
        assert_eq!(kind_of(pb::DocumentKind::Unspecified), None);
    }
}
