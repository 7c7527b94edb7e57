//! The invoice calls: who may, the directory's names, the PDF, the rows and
//! `invoice.issued`. Rules are in `domain`, SQL in `store`.
use bytes::Bytes;
use chrono::{Datelike, Utc};
use portal_platform::auth::Claims;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::outbox;
use portal_platform::paging::PageRequest;
use portal_platform::permissions::Permission;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as pb;
use portal_proto::events::v1 as ev;
use sha2::{Digest, Sha256};
use sqlx::types::Json;
use tonic::Request;
use uuid::Uuid;

use super::domain;
use super::store::{self, InvoiceRow};
use crate::catalog::{self, Kind, NewDocument};
use crate::grpc::Documents;
use crate::pdf;
use crate::quotes::domain::{self as lines, Line, Status};
use crate::quotes::service::{blob_error, line_of, lines_pb, pdf_error, status_of, stored};

fn admin(claims: &Claims) -> ServiceResult<()> {
    if claims.may(Permission::IssueInvoices) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins write invoices".into()))
    }
}

impl Documents {
    /// The invoice as the caller may see it: staff any, a contact a final
    /// one of their scope (a draft does not exist for them).
    async fn visible_invoice(&self, claims: &Claims, id: Uuid) -> ServiceResult<InvoiceRow> {
        let scope = Scope::of(claims);
        let narrowing = Narrowing::of(claims);
        store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|i| claims.is_staff() || i.is_final())
            .filter(|i| scope.allows(i.customer_id, i.site_id))
            .filter(|_| narrowing.work_order.is_none())
            .ok_or_else(|| ServiceError::not_found("invoice"))
    }

    pub(crate) async fn create_invoice(
        &self,
        req: Request<pb::CreateInvoiceRequest>,
    ) -> ServiceResult<pb::Invoice> {
        let claims = self.caller(&req).await?;
        admin(&claims)?;
        let r = req.into_inner();
        let payment_days =
            domain::check_payment_days(r.payment_days).map_err(ServiceError::Invalid)?;
        let (customer_id, site_id, title, typed, quote_id) = if r.quote_id.trim().is_empty() {
            let typed: Vec<Line> = r
                .lines
                .iter()
                .map(|l| Line {
                    description: l.description.trim().to_owned(),
                    quantity_milli: l.quantity_milli,
                    unit_price_minor: l.unit_price_minor,
                    tax_rate_bp: l.tax_rate_bp,
                })
                .collect();
            (
                parse_id("customer_id", &r.customer_id)?,
                parse_id("site_id", &r.site_id)?,
                r.title.trim().to_owned(),
                typed,
                None,
            )
        } else {
            // Billing an accepted quote: its lines, as accepted.
            let quote_id = parse_id("quote_id", &r.quote_id)?;
            let q = self.visible_quote(&claims, quote_id).await?;
            if status_of(&q)? != Status::Accepted {
                return Err(ServiceError::WrongState(
                    "only an accepted quote is invoiced".into(),
                ));
            }
            (
                q.customer_id,
                q.site_id,
                q.title.clone(),
                q.lines.0.iter().map(line_of).collect(),
                Some(quote_id),
            )
        };
        lines::check_title_and_lines(&title, &typed).map_err(ServiceError::Invalid)?;
        // The directory checks the site is the customer's and gives the currency.
        let names = self.names(claims.tid, customer_id, site_id).await?;
        let (priced, totals) = lines::price(typed);
        let row = InvoiceRow {
            id: Uuid::now_v7(),
            tenant_id: claims.tid,
            customer_id,
            site_id: Some(site_id),
            quote_id,
            title,
            currency: names.currency,
            lines: Json(priced.iter().map(stored).collect()),
            net_minor: totals.net_minor,
            tax_minor: totals.tax_minor,
            total_minor: totals.total_minor,
            payment_days,
            status: "draft".into(),
            number: None,
            issued_on: None,
            due_on: None,
            document_id: None,
            paid_at: None,
            created_by: claims.sub,
            created_at: Utc::now(),
        };
        let mut conn = self.pool.acquire().await?;
        store::insert(&mut conn, &row).await?;
        let today = names.zone.date(Utc::now());
        Ok(invoice_pb(&row, today))
    }

    /// Numbers, prints and publishes a draft, in one transaction: a failure
    /// leaves the draft and no number used.
    pub(crate) async fn finalize_invoice(
        &self,
        req: Request<pb::InvoiceRequest>,
    ) -> ServiceResult<pb::Invoice> {
        let claims = self.caller(&req).await?;
        admin(&claims)?;
        let id = lookup_id("invoice", &req.get_ref().invoice_id)?;
        let draft = self.visible_invoice(&claims, id).await?;
        domain::may_finalize(draft.is_final()).map_err(ServiceError::WrongState)?;
        let site_id = draft
            .site_id
            .ok_or_else(|| ServiceError::Invalid("the invoice names no site".into()))?;
        let names = self.names(claims.tid, draft.customer_id, site_id).await?;
        let now = Utc::now();
        let issued_on = names.zone.date(now);
        let due_on = domain::due_on(issued_on, draft.payment_days);
        let mut tx = self.pool.begin().await?;
        let locked = store::get_for_update(&mut tx, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("invoice"))?;
        domain::may_finalize(locked.is_final()).map_err(ServiceError::WrongState)?;
        let n = store::next_number(&mut tx, claims.tid, issued_on.year()).await?;
        let number = domain::number(issued_on.year(), n);
        let (priced, totals) = lines::price(locked.lines.0.iter().map(line_of).collect());
        let printed = pdf::quote::QuotePdf {
            heading: "Invoice".into(),
            reference: number.clone(),
            provider: names.provider,
            provider_details: names.provider_details,
            customer: names.customer,
            site: names.site,
            title: locked.title.clone(),
            currency: locked.currency.clone(),
            lines: priced,
            totals,
            issued_at: now,
            dates: vec![("Due".into(), due_on.to_string())],
            closing: format!("Please pay by {due_on}, quoting {number}."),
            zone: names.zone,
        };
        let bytes = pdf::quote::quote(&printed).map_err(pdf_error)?;
        let sha256 = Sha256::digest(&bytes).to_vec();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        // Keyed by invoice and number: a retry after a failed commit
        // rewrites the same object.
        let blob_key = format!("{}/invoice/{id}/{number}.pdf", claims.tid);
        self.blobs
            .put(&blob_key, Bytes::from(bytes))
            .await
            .map_err(blob_error)?;
        let document_id = Uuid::now_v7();
        catalog::publish(
            &mut tx,
            &NewDocument {
                id: document_id,
                tenant_id: claims.tid,
                kind: Kind::Invoice,
                customer_id: locked.customer_id,
                site_id: locked.site_id,
                work_order_id: None,
                request_id: None,
                title: format!("Invoice {number}: {}", locked.title),
                content_type: "application/pdf".into(),
                size,
                sha256,
                blob_key,
                equipment_id: None,
                file_name: None,
                published_by: None,
            },
        )
        .await?;
        let row = store::finalise(
            &mut tx,
            claims.tid,
            id,
            &store::Finalised {
                number: &number,
                issued_on,
                due_on,
                document_id,
            },
        )
        .await?;
        let event = ev::InvoiceIssued {
            tenant_id: claims.tid.to_string(),
            invoice_id: id.to_string(),
            number: number.clone(),
            customer_id: row.customer_id.to_string(),
            site_id: row.site_id.map(|s| s.to_string()).unwrap_or_default(),
            title: row.title.clone(),
            currency: row.currency.clone(),
            total_minor: row.total_minor,
            due_on: due_on.to_string(),
            document_id: document_id.to_string(),
            at: Some(to_proto(now)),
        };
        outbox::enqueue(&mut tx, claims.tid, catalog::SOURCE, &event).await?;
        tx.commit().await?;
        tracing::info!(invoice = %id, %number, "invoice issued");
        Ok(invoice_pb(&row, issued_on))
    }

    pub(crate) async fn mark_invoice_paid(
        &self,
        req: Request<pb::InvoiceRequest>,
    ) -> ServiceResult<pb::Invoice> {
        let claims = self.caller(&req).await?;
        admin(&claims)?;
        let id = lookup_id("invoice", &req.get_ref().invoice_id)?;
        let mut tx = self.pool.begin().await?;
        let locked = store::get_for_update(&mut tx, claims.tid, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("invoice"))?;
        domain::may_mark_paid(locked.is_final(), locked.paid_at.is_some())
            .map_err(ServiceError::WrongState)?;
        let row = store::mark_paid(&mut tx, claims.tid, id, Utc::now()).await?;
        tx.commit().await?;
        let today = self.today(claims.tid).await;
        Ok(invoice_pb(&row, today))
    }

    pub(crate) async fn get_invoice(
        &self,
        req: Request<pb::InvoiceRequest>,
    ) -> ServiceResult<pb::Invoice> {
        let claims = self.caller(&req).await?;
        let id = lookup_id("invoice", &req.get_ref().invoice_id)?;
        let row = self.visible_invoice(&claims, id).await?;
        let today = self.today(claims.tid).await;
        Ok(invoice_pb(&row, today))
    }

    pub(crate) async fn list_invoices(
        &self,
        req: Request<pb::ListInvoicesRequest>,
    ) -> ServiceResult<pb::ListInvoicesResponse> {
        let claims = self.caller(&req).await?;
        let r = req.get_ref();
        let (customer_id, sites, visible) = Scope::of(&claims).sql_filter();
        if !visible || Narrowing::of(&claims).work_order.is_some() {
            return Ok(pb::ListInvoicesResponse::default());
        }
        let site_id = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let rows = store::list(
            &self.pool,
            claims.tid,
            &store::InvoiceFilter {
                customer_id,
                sites: sites.as_deref(),
                site_id,
                only_final: !claims.is_staff(),
                after: page.after,
                limit: page.fetch(),
            },
        )
        .await?;
        let (rows, next_cursor) = page.split(rows, |i| (i.created_at, i.id));
        let today = self.today(claims.tid).await;
        Ok(pb::ListInvoicesResponse {
            items: rows.iter().map(|i| invoice_pb(i, today)).collect(),
            next_cursor,
        })
    }
}

pub fn invoice_pb(i: &InvoiceRow, today: chrono::NaiveDate) -> pb::Invoice {
    let text = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    pb::Invoice {
        id: i.id.to_string(),
        number: i.number.clone().unwrap_or_default(),
        customer_id: i.customer_id.to_string(),
        site_id: i.site_id.map(|s| s.to_string()).unwrap_or_default(),
        title: i.title.clone(),
        currency: i.currency.clone(),
        lines: lines_pb(&i.lines.0),
        net_minor: i.net_minor,
        tax_minor: i.tax_minor,
        total_minor: i.total_minor,
        status: i.status.clone(),
        payment: domain::payment(i.is_final(), i.paid_at.is_some(), i.due_on, today).into(),
        issued_on: text(i.issued_on),
        due_on: text(i.due_on),
        document_id: i.document_id.map(|d| d.to_string()).unwrap_or_default(),
        quote_id: i.quote_id.map(|q| q.to_string()).unwrap_or_default(),
        paid_at: i.paid_at.map(to_proto),
        created_at: Some(to_proto(i.created_at)),
    }
}
