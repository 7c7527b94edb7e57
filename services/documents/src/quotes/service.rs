//! The quote calls: who may, what the directory says, the PDF, the rows and
//! the events. Rules are in `domain`, SQL in `store`.
use bytes::Bytes;
use chrono::{NaiveDate, Utc};
use portal_platform::auth::{AccountKind, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::outbox;
use portal_platform::permissions::Permission;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::time::to_proto;
use portal_platform::zone::Zone;
use portal_proto::documents::v1 as pb;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use sha2::{Digest, Sha256};
use sqlx::types::Json;
use tonic::{Code, Request};
use uuid::Uuid;

use super::domain::{self, Decision, Line, Refusal, Status};
use super::store::{self, Printed, QuoteRow, StoredLine};
use crate::catalog::{self, Kind, NewDocument, store as catalog_store};
use crate::grpc::Documents;
use crate::pdf::{self, PdfError};

const PDF: &str = "application/pdf";

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn pdf_error(e: PdfError) -> ServiceError {
    ServiceError::Internal(anyhow::Error::new(e).context("writing a PDF"))
}

pub(crate) fn blob_error(e: object_store::Error) -> ServiceError {
    ServiceError::Unavailable(format!("the document store did not answer: {e}"))
}

/// What the quote prints about its provider, customer and site, read from
/// identity with documents' own credential.
pub(crate) struct Names {
    pub provider: String,
    pub provider_details: String,
    pub currency: String,
    pub zone: Zone,
    pub customer: String,
    pub site: String,
}

fn directory_error(what: &str, s: tonic::Status) -> ServiceError {
    match s.code() {
        Code::NotFound => ServiceError::not_found(what),
        _ => ServiceError::Unavailable(format!("the directory could not give the {what}: {s}")),
    }
}

impl Documents {
    pub(crate) async fn names(
        &self,
        tenant_id: Uuid,
        customer_id: Uuid,
        site_id: Uuid,
    ) -> ServiceResult<Names> {
        let d = &self.directory;
        let tenant = d
            .client
            .clone()
            .get_tenant(d.credential.sign(Request::new(idpb::GetTenantRequest {
                tenant_id: tenant_id.to_string(),
            })))
            .await
            .map_err(|s| directory_error("tenant", s))?
            .into_inner();
        let site = d
            .client
            .clone()
            .get_site(d.credential.sign(Request::new(idpb::GetSiteRequest {
                tenant_id: tenant_id.to_string(),
                site_id: site_id.to_string(),
            })))
            .await
            .map_err(|s| directory_error("site", s))?
            .into_inner();
        if site.customer_id != customer_id.to_string() {
            return Err(ServiceError::Invalid(
                "site_id is not a site of this customer".into(),
            ));
        }
        let customer = d
            .client
            .clone()
            .get_customer_name(
                d.credential
                    .sign(Request::new(idpb::GetCustomerNameRequest {
                        tenant_id: tenant_id.to_string(),
                        customer_id: customer_id.to_string(),
                    })),
            )
            .await
            .map_err(|s| directory_error("customer", s))?
            .into_inner()
            .name;
        let details = [
            tenant.address.as_str(),
            &tenant.contact_email,
            &tenant.phone,
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
        Ok(Names {
            provider: tenant.name,
            provider_details: details,
            currency: if tenant.currency.is_empty() {
                "EUR".into()
            } else {
                tenant.currency
            },
            zone: Zone::or_utc(&tenant.time_zone),
            customer,
            site: if site.address.trim().is_empty() {
                site.name
            } else {
                format!("{}, {}", site.name, site.address)
            },
        })
    }

    /// The quote as the caller may see it: staff the tenant's, a contact
    /// their customer's within their sites; a link for one work order none.
    pub(crate) async fn visible_quote(&self, claims: &Claims, id: Uuid) -> ServiceResult<QuoteRow> {
        let scope = Scope::of(claims);
        let narrowing = Narrowing::of(claims);
        store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|q| scope.allows(q.customer_id, Some(q.site_id)))
            .filter(|_| narrowing.work_order.is_none())
            .ok_or_else(|| ServiceError::not_found("quote"))
    }

    pub(crate) async fn create_quote(
        &self,
        req: Request<pb::CreateQuoteRequest>,
    ) -> ServiceResult<pb::Quote> {
        let claims = self.caller(&req).await?;
        if !claims.may(Permission::IssueQuotes) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers write quotes".into(),
            ));
        }
        let r = req.into_inner();
        let customer_id = parse_id("customer_id", &r.customer_id)?;
        let site_id = parse_id("site_id", &r.site_id)?;
        let valid_until: NaiveDate =
            r.valid_until.trim().parse().map_err(|_| {
                ServiceError::Invalid("valid_until must be a date (YYYY-MM-DD)".into())
            })?;
        let lines: Vec<Line> = r
            .lines
            .iter()
            .map(|l| Line {
                description: l.description.trim().to_owned(),
                quantity_milli: l.quantity_milli,
                unit_price_minor: l.unit_price_minor,
                tax_rate_bp: l.tax_rate_bp,
            })
            .collect();
        // The directory first: its zone says which day "today" is.
        let names = self.names(claims.tid, customer_id, site_id).await?;
        let today = names.zone.date(Utc::now());
        domain::check_new(&r.title, &lines, valid_until, today).map_err(ServiceError::Invalid)?;
        let (priced, totals) = domain::price(lines);
        let id = Uuid::now_v7();
        let issued_at = Utc::now();
        let mut printed = pdf::quote::QuotePdf {
            heading: String::new(),
            reference: reference(id),
            provider: names.provider,
            provider_details: names.provider_details,
            customer: names.customer,
            site: names.site,
            title: r.title.trim().to_owned(),
            currency: names.currency.clone(),
            lines: priced.clone(),
            totals,
            issued_at,
            dates: Vec::new(),
            closing: String::new(),
            zone: names.zone,
        };
        printed.quote_texts(valid_until);
        let bytes = pdf::quote::quote(&printed).map_err(pdf_error)?;
        let sha256 = Sha256::digest(&bytes).to_vec();
        let document_id = Uuid::now_v7();
        let blob_key = format!("{}/quote/{id}/sent.pdf", claims.tid);
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        self.blobs
            .put(&blob_key, Bytes::from(bytes))
            .await
            .map_err(blob_error)?;
        let row = QuoteRow {
            id,
            tenant_id: claims.tid,
            customer_id,
            site_id,
            title: printed.title.clone(),
            currency: names.currency,
            lines: Json(priced.iter().map(stored).collect()),
            net_minor: totals.net_minor,
            tax_minor: totals.tax_minor,
            total_minor: totals.total_minor,
            valid_until,
            status: Status::Sent.as_str().into(),
            document_id,
            pdf_sha256: sha256.clone(),
            created_by: claims.sub,
            created_at: issued_at,
            decided_at: None,
            decided_by: None,
            signer_name: String::new(),
            decline_reason: String::new(),
            decided_from: String::new(),
            work_order_id: None,
            printed: Json(Printed {
                provider: printed.provider.clone(),
                provider_details: printed.provider_details.clone(),
                customer: printed.customer.clone(),
                site: printed.site.clone(),
                zone: printed.zone.name().to_owned(),
            }),
        };
        let mut tx = self.pool.begin().await?;
        catalog::publish(
            &mut tx,
            &NewDocument {
                id: document_id,
                tenant_id: claims.tid,
                kind: Kind::Quote,
                customer_id,
                site_id: Some(site_id),
                work_order_id: None,
                request_id: None,
                title: format!("Quote {}: {}", reference(id), printed.title),
                content_type: PDF.into(),
                size,
                sha256,
                blob_key,
                equipment_id: None,
                file_name: None,
                published_by: None,
            },
        )
        .await?;
        store::insert(&mut tx, &row).await?;
        tx.commit().await?;
        tracing::info!(quote = %id, total = row.total_minor, "quote sent");
        Ok(quote_pb(&row, today))
    }

    pub(crate) async fn get_quote(
        &self,
        req: Request<pb::GetQuoteRequest>,
    ) -> ServiceResult<pb::Quote> {
        let claims = self.caller(&req).await?;
        let id = lookup_id("quote", &req.get_ref().quote_id)?;
        let q = self.visible_quote(&claims, id).await?;
        let today = self.today(claims.tid).await;
        Ok(quote_pb(&q, today))
    }

    pub(crate) async fn list_quotes(
        &self,
        req: Request<pb::ListQuotesRequest>,
    ) -> ServiceResult<pb::ListQuotesResponse> {
        let claims = self.caller(&req).await?;
        let r = req.get_ref();
        let (customer_id, sites, visible) = Scope::of(&claims).sql_filter();
        if !visible || Narrowing::of(&claims).work_order.is_some() {
            return Ok(pb::ListQuotesResponse::default());
        }
        let status = match r.status.trim() {
            "" => None,
            s => Some(
                Status::parse(s)
                    .ok_or_else(|| {
                        ServiceError::Invalid("status must be sent, accepted or declined".into())
                    })?
                    .as_str(),
            ),
        };
        let site_id = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        let rows = store::list(
            &self.pool,
            claims.tid,
            &store::QuoteFilter {
                customer_id,
                sites: sites.as_deref(),
                site_id,
                status,
                limit: i64::from(r.limit.clamp(1, 200)),
            },
        )
        .await?;
        let today = self.today(claims.tid).await;
        Ok(pb::ListQuotesResponse {
            items: rows.iter().map(|q| quote_pb(q, today)).collect(),
        })
    }

    /// The tenant's today; UTC's when the directory cannot say (a quote's
    /// status shown a few hours early or late beats no answer).
    pub(crate) async fn today(&self, tenant_id: Uuid) -> NaiveDate {
        let d = &self.directory;
        let zone = d
            .client
            .clone()
            .get_tenant(d.credential.sign(Request::new(idpb::GetTenantRequest {
                tenant_id: tenant_id.to_string(),
            })))
            .await
            .map(|t| Zone::or_utc(&t.into_inner().time_zone))
            .unwrap_or(Zone::UTC);
        zone.date(Utc::now())
    }

    pub(crate) async fn decide_quote(
        &self,
        req: Request<pb::DecideQuoteRequest>,
    ) -> ServiceResult<pb::Quote> {
        let claims = self.caller(&req).await?;
        // A decision binds a person: a contact, not staff or a shared link.
        if claims.kind != AccountKind::Contact {
            return Err(ServiceError::Forbidden(
                "only the customer's contacts accept or decline a quote".into(),
            ));
        }
        let address = portal_platform::auth::client_ip(req.metadata()).unwrap_or_default();
        let r = req.into_inner();
        let id = lookup_id("quote", &r.quote_id)?;
        let decision = if r.accept {
            Decision::Accept {
                signer_name: r.signer_name.trim().to_owned(),
            }
        } else {
            Decision::Decline {
                reason: r.reason.trim().to_owned(),
            }
        };
        domain::check_decision(&decision, !r.signature_png.is_empty()).map_err(refusal)?;
        if r.accept && !r.signature_png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ServiceError::Invalid(
                "signature_png must be a PNG image".into(),
            ));
        }
        let q = self.visible_quote(&claims, id).await?;
        // The signed copy repeats what the sent one printed; only the day
        // (expiry) follows the tenant's zone as it is now.
        let printed = q.printed.0.clone();
        let zone = Zone::or_utc(&printed.zone);
        let customer_name = printed.customer.clone();
        let now = Utc::now();
        let today = self.today(claims.tid).await;
        let stored_hash = hex(&q.pdf_sha256);
        if !domain::hash_matches(&r.pdf_sha256, &stored_hash) {
            return Err(ServiceError::Invalid(
                "pdf_sha256 is not the hash of this quote's PDF".into(),
            ));
        }
        domain::may_decide(status_of(&q)?, q.valid_until, today).map_err(refusal)?;
        // The signed copy is written before the transaction; a failed
        // commit leaves an unreferenced blob under a fresh key, never a
        // half decision.
        let signed = if r.accept {
            let (priced, totals) = domain::price(q.lines.0.iter().map(line_of).collect());
            let mut printed = pdf::quote::QuotePdf {
                heading: String::new(),
                reference: reference(q.id),
                provider: printed.provider,
                provider_details: printed.provider_details,
                customer: printed.customer,
                site: printed.site,
                title: q.title.clone(),
                currency: q.currency.clone(),
                lines: priced,
                totals,
                issued_at: q.created_at,
                dates: Vec::new(),
                closing: String::new(),
                zone,
            };
            printed.quote_texts(q.valid_until);
            let acceptance = pdf::quote::Acceptance {
                signer_name: r.signer_name.trim().to_owned(),
                contact_id: claims.sub.to_string(),
                at: now,
                address: address.clone(),
                pdf_sha256: stored_hash.clone(),
                signature_png: r.signature_png.clone(),
            };
            let bytes = pdf::quote::signed_quote(&printed, &acceptance).map_err(pdf_error)?;
            let sha = Sha256::digest(&bytes).to_vec();
            let key = format!(
                "{}/quote/{}/signed-{}.pdf",
                claims.tid,
                q.id,
                Uuid::now_v7()
            );
            let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            self.blobs
                .put(&key, Bytes::from(bytes))
                .await
                .map_err(blob_error)?;
            Some((key, sha, size))
        } else {
            None
        };
        let mut tx = self.pool.begin().await?;
        let locked = store::get_for_update(&mut tx, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("quote"))?;
        // Decided meanwhile by someone else: the first decision stands.
        domain::may_decide(status_of(&locked)?, locked.valid_until, today).map_err(refusal)?;
        let decided = store::decide(
            &mut tx,
            claims.tid,
            id,
            &store::DecisionRow {
                accepted: r.accept,
                at: now,
                by: claims.sub,
                signer_name: r.signer_name.trim(),
                signature_png: r.accept.then_some(r.signature_png.as_slice()),
                reason: r.reason.trim(),
                from: &address,
            },
        )
        .await?;
        if let Some((key, sha, size)) = &signed {
            let signed_copy = catalog_store::NewContent {
                content_type: "application/pdf",
                size: *size,
                sha256: sha,
                blob_key: key,
                file_name: None,
            };
            catalog_store::replace_content(&mut tx, claims.tid, decided.document_id, &signed_copy)
                .await?;
        }
        let summary = decided
            .lines
            .0
            .iter()
            .map(|l| format!("{} × {}", domain::quantity(l.quantity_milli), l.description))
            .collect::<Vec<_>>()
            .join("\n");
        let event = ev::QuoteDecided {
            tenant_id: claims.tid.to_string(),
            quote_id: decided.id.to_string(),
            customer_id: decided.customer_id.to_string(),
            site_id: decided.site_id.to_string(),
            title: decided.title.clone(),
            currency: decided.currency.clone(),
            total_minor: decided.total_minor,
            contact_id: claims.sub.to_string(),
            signer_name: decided.signer_name.clone(),
            reason: decided.decline_reason.clone(),
            document_id: decided.document_id.to_string(),
            at: Some(to_proto(now)),
            summary,
            customer_name: customer_name.clone(),
        };
        if r.accept {
            outbox::enqueue(
                &mut tx,
                claims.tid,
                catalog::SOURCE,
                &ev::QuoteAccepted { quote: Some(event) },
            )
            .await?;
        } else {
            outbox::enqueue(
                &mut tx,
                claims.tid,
                catalog::SOURCE,
                &ev::QuoteDeclined { quote: Some(event) },
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(quote = %id, accepted = r.accept, "quote decided");
        Ok(quote_pb(&decided, today))
    }
}

fn refusal(r: Refusal) -> ServiceError {
    match r {
        Refusal::Invalid(m) => ServiceError::Invalid(m),
        Refusal::Closed(m) => ServiceError::WrongState(m),
    }
}

pub(crate) fn status_of(q: &QuoteRow) -> ServiceResult<Status> {
    Status::parse(&q.status)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("quote status {:?}", q.status)))
}

/// The short reference printed on a quote: the random tail of its id.
pub fn reference(id: Uuid) -> String {
    let s = id.simple().to_string();
    format!("Q-{}", s[s.len() - 8..].to_ascii_uppercase())
}

pub(crate) fn stored(l: &domain::PricedLine) -> StoredLine {
    StoredLine {
        description: l.line.description.clone(),
        quantity_milli: l.line.quantity_milli,
        unit_price_minor: l.line.unit_price_minor,
        tax_rate_bp: l.line.tax_rate_bp,
        net_minor: l.net_minor,
        tax_minor: l.tax_minor,
    }
}

pub(crate) fn line_of(l: &StoredLine) -> Line {
    Line {
        description: l.description.clone(),
        quantity_milli: l.quantity_milli,
        unit_price_minor: l.unit_price_minor,
        tax_rate_bp: l.tax_rate_bp,
    }
}

pub fn quote_pb(q: &QuoteRow, today: NaiveDate) -> pb::Quote {
    let status = Status::parse(&q.status).unwrap_or(Status::Sent);
    pb::Quote {
        id: q.id.to_string(),
        customer_id: q.customer_id.to_string(),
        site_id: q.site_id.to_string(),
        title: q.title.clone(),
        currency: q.currency.clone(),
        lines: lines_pb(&q.lines.0),
        net_minor: q.net_minor,
        tax_minor: q.tax_minor,
        total_minor: q.total_minor,
        valid_until: q.valid_until.to_string(),
        status: domain::shown_status(status, q.valid_until, today).into(),
        document_id: q.document_id.to_string(),
        pdf_sha256: hex(&q.pdf_sha256),
        decision: q.decided_at.map(|at| pb::QuoteDecision {
            accepted: status == Status::Accepted,
            contact_id: q.decided_by.map(|c| c.to_string()).unwrap_or_default(),
            signer_name: q.signer_name.clone(),
            reason: q.decline_reason.clone(),
            at: Some(to_proto(at)),
            address: q.decided_from.clone(),
            pdf_sha256: hex(&q.pdf_sha256),
        }),
        work_order_id: q.work_order_id.map(|w| w.to_string()).unwrap_or_default(),
        created_at: Some(to_proto(q.created_at)),
    }
}

/// Stored lines as messages.
pub fn lines_pb(lines: &[StoredLine]) -> Vec<pb::QuoteLine> {
    lines
        .iter()
        .map(|l| pb::QuoteLine {
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            tax_rate_bp: l.tax_rate_bp,
            net_minor: l.net_minor,
            tax_minor: l.tax_minor,
        })
        .collect()
}
