//! Publishing a file as a document (E1, E7), for the API and the pages:
//! the links (customer, site, work order, request, equipment) are read from
//! their services with the caller's token, must agree on one customer and
//! site, and are vouched for to documents; the spooled file then streams to
//! documents a piece at a time, never whole in memory.
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use portal_proto::requests::v1 as rq;
use portal_proto::work_orders::v1 as wo;

use crate::extract::Caller;
use crate::problem::Problem;
use crate::state::AppState;
use crate::web::csrf::Form;
use crate::web::multipart::Upload;

/// Size of the pieces a file travels to documents in.
pub const PIECE_BYTES: usize = 64 * 1024;

/// What the form or body names; empty strings for absent links.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub kind: String,
    pub title: String,
    pub customer_id: String,
    pub site_id: String,
    pub work_order_id: String,
    pub request_id: String,
    pub equipment_id: String,
}

impl Links {
    pub fn from_form(form: &Form) -> Self {
        let get = |k: &str| form.get(k).trim().to_owned();
        Self {
            kind: get("kind"),
            title: get("title"),
            customer_id: get("customer_id"),
            site_id: get("site_id"),
            work_order_id: get("work_order_id"),
            request_id: get("request_id"),
            equipment_id: get("equipment_id"),
        }
    }
}

/// The customer and site each named link belongs to, as its service says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub what: &'static str,
    pub customer_id: String,
    pub site_id: String,
}

/// The one customer and site every link agrees on, or why not: a site of
/// another customer, equipment at another site, … (a site named by one
/// link and none by another is no disagreement).
pub fn agree(owners: &[Owner]) -> Result<(String, String), String> {
    let mut customer = String::new();
    let mut site = String::new();
    for o in owners {
        if !customer.is_empty() && o.customer_id != customer {
            return Err(format!("the {} belongs to another customer", o.what));
        }
        customer.clone_from(&o.customer_id);
        if !o.site_id.is_empty() {
            if !site.is_empty() && o.site_id != site {
                return Err(format!("the {} is at another site", o.what));
            }
            site.clone_from(&o.site_id);
        }
    }
    if customer.is_empty() {
        return Err("a customer (or a site, work order, request or equipment) is required".into());
    }
    Ok((customer, site))
}

fn invalid_link(e: tonic::Status, what: &str) -> Problem {
    if matches!(
        e.code(),
        tonic::Code::NotFound | tonic::Code::InvalidArgument
    ) {
        Problem::invalid(format!("no such {what}"))
    } else {
        e.into()
    }
}

/// Reads every named link with the caller's token and returns the header
/// documents will trust for a new document.
pub async fn vouch(
    state: &AppState,
    caller: &Caller,
    l: &Links,
) -> Result<docs::PublishHeader, Problem> {
    let kind = match l.kind.as_str() {
        "certificate" => docs::DocumentKind::Certificate,
        "contract" => docs::DocumentKind::Contract,
        "checklist" => docs::DocumentKind::Checklist,
        "incident_report" => docs::DocumentKind::IncidentReport,
        "attachment" => docs::DocumentKind::Attachment,
        _ => {
            return Err(Problem::invalid(
                "kind must be certificate, contract, checklist, incident_report or attachment",
            ));
        }
    };
    let mut owners = Vec::new();
    if !l.customer_id.is_empty() {
        let c = state
            .identity
            .clone()
            .get_customer(caller.request(id::GetCustomerRequest {
                customer_id: l.customer_id.clone(),
            }))
            .await
            .map_err(|e| invalid_link(e, "customer"))?
            .into_inner();
        owners.push(Owner {
            what: "customer",
            customer_id: c.customer.map(|c| c.id).unwrap_or_default(),
            site_id: String::new(),
        });
    }
    if !l.site_id.is_empty() {
        let s = state
            .identity
            .clone()
            .get_site(caller.request(id::GetSiteRequest {
                tenant_id: caller.claims.tid.to_string(),
                site_id: l.site_id.clone(),
            }))
            .await
            .map_err(|e| invalid_link(e, "site"))?
            .into_inner();
        owners.push(Owner {
            what: "site",
            customer_id: s.customer_id,
            site_id: s.id,
        });
    }
    if !l.work_order_id.is_empty() {
        let w = state
            .work_orders
            .clone()
            .get_work_order(caller.request(wo::GetWorkOrderRequest {
                id: l.work_order_id.clone(),
            }))
            .await
            .map_err(|e| invalid_link(e, "work order"))?
            .into_inner();
        owners.push(Owner {
            what: "work order",
            customer_id: w.customer_id,
            site_id: w.site_id,
        });
    }
    if !l.request_id.is_empty() {
        let r = state
            .requests
            .clone()
            .get_request(caller.request(rq::GetRequestRequest {
                id: l.request_id.clone(),
            }))
            .await
            .map_err(|e| invalid_link(e, "request"))?
            .into_inner();
        owners.push(Owner {
            what: "request",
            customer_id: r.customer_id,
            site_id: r.site_id,
        });
    }
    if !l.equipment_id.is_empty() {
        let e = state
            .equipment
            .clone()
            .get_equipment(caller.request(wo::GetEquipmentRequest {
                id: l.equipment_id.clone(),
            }))
            .await
            .map_err(|e| invalid_link(e, "equipment"))?
            .into_inner()
            .equipment
            .unwrap_or_default();
        owners.push(Owner {
            what: "equipment",
            customer_id: e.customer_id,
            site_id: e.site_id,
        });
    }
    let (customer_id, site_id) = agree(&owners).map_err(Problem::invalid)?;
    Ok(docs::PublishHeader {
        kind: kind.into(),
        title: l.title.clone(),
        customer_id,
        site_id,
        work_order_id: l.work_order_id.clone(),
        request_id: l.request_id.clone(),
        equipment_id: l.equipment_id.clone(),
        ..Default::default()
    })
}

/// Streams `file` to documents after `header` (a new document's, or one
/// naming the document a new version is for).
pub async fn send(
    state: &AppState,
    caller: &Caller,
    mut header: docs::PublishHeader,
    file: Upload,
) -> Result<docs::Document, Problem> {
    file.refuse_if_too_large(state.max_document_bytes)?;
    header.file_name.clone_from(&file.name);
    header.content_type.clone_from(&file.content_type);
    use docs::publish_part::Part;
    let parts = file.after(
        docs::PublishPart {
            part: Some(Part::Header(header)),
        },
        |piece| docs::PublishPart {
            part: piece.map(Part::Data),
        },
    );
    // The gateway vouches for the links it has just read with the caller's token.
    let vouched = state.credential.sign(caller.request(parts));
    Ok(state
        .documents
        .clone()
        .publish_document(vouched)
        .await?
        .into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(what: &'static str, c: &str, s: &str) -> Owner {
        Owner {
            what,
            customer_id: c.into(),
            site_id: s.into(),
        }
    }

    #[test]
    fn links_must_name_one_customer_and_site() {
        assert_eq!(
            agree(&[owner("customer", "c1", ""), owner("site", "c1", "s1")]),
            Ok(("c1".into(), "s1".into()))
        );
        assert_eq!(
            agree(&[owner("customer", "c1", "")]),
            Ok(("c1".into(), String::new()))
        );
        // A request of the customer with no site, then equipment at a site.
        assert_eq!(
            agree(&[owner("request", "c1", ""), owner("equipment", "c1", "s2")]),
            Ok(("c1".into(), "s2".into()))
        );
        assert_eq!(
            agree(&[owner("customer", "c1", ""), owner("site", "c2", "s9")]),
            Err("the site belongs to another customer".into())
        );
        assert_eq!(
            agree(&[owner("site", "c1", "s1"), owner("equipment", "c1", "s2")]),
            Err("the equipment is at another site".into())
        );
        assert!(agree(&[]).is_err());
    }
}
