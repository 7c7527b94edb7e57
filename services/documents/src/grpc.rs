//! documents' gRPC API: checks who calls and what they may see, then
//! stores; upload rules live in `domain`, SQL in `store`, bytes in `blobs`.
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id, reply};
use portal_platform::paging::PageRequest;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::time::{from_proto, to_proto};
use portal_proto::documents::v1 as pb;
use portal_proto::documents::v1::documents_service_server::DocumentsService;
use portal_proto::documents::v1::upload_attachment_part;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::blobs::Blobs;
use crate::catalog::{self, store as catalog_store};
use crate::domain::{self, OwnerType};
use crate::ingest;
use crate::store::{self, AttachmentRow, NewAttachment};

/// Size of the data pieces of a download.
pub const CHUNK_BYTES: usize = 64 * 1024;

pub struct Documents {
    pub pool: PgPool,
    pub authn: Authenticator,
    pub blobs: Blobs,
    pub max_upload_bytes: usize,
    /// Largest file published as a document (E7).
    pub max_document_bytes: usize,
    pub allowed_types: Vec<String>,
    /// identity's directory as documents (names on quotes, the zone).
    pub directory: crate::service_reports::Directory,
}

type Rpc<T> = Result<Response<T>, Status>;
pub type ChunkStream = BoxStream<'static, Result<pb::DownloadChunk, Status>>;
pub type DocumentStream = BoxStream<'static, Result<pb::DocumentChunk, Status>>;

pub(crate) fn optional_id(field: &str, value: &str) -> ServiceResult<Option<Uuid>> {
    match value.trim() {
        "" => Ok(None),
        v => parse_id(field, v).map(Some),
    }
}

impl Documents {
    pub(crate) async fn caller<T>(&self, req: &Request<T>) -> ServiceResult<Claims> {
        self.authn.claims(req).await
    }

    /// Whether the token's narrowing lets the caller see this owner's files
    /// (`domain::files_show`); a lookup only for narrowed callers.
    async fn owner_shows(
        &self,
        claims: &Claims,
        owner_type: OwnerType,
        owner_id: Uuid,
    ) -> ServiceResult<bool> {
        let narrowing = Narrowing::of(claims);
        if narrowing.is_open() {
            return Ok(true);
        }
        let known = match owner_type {
            OwnerType::Request => store::owner_request(&self.pool, claims.tid, owner_id).await?,
            OwnerType::WorkOrder => {
                store::owner_of_work_order(&self.pool, claims.tid, owner_id).await?
            }
        };
        Ok(domain::files_show(&narrowing, owner_type, owner_id, known))
    }

    async fn upload(
        &self,
        req: Request<tonic::Streaming<pb::UploadAttachmentPart>>,
    ) -> ServiceResult<pb::Attachment> {
        let claims = self.caller(&req).await?;
        // The owner and its scope are vouched for by the gateway, which has
        // just read the owner from its service with the caller's token; a
        // caller alone cannot vouch for them (ADR 0005).
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden(
                "attachments are uploaded through the portal gateway".into(),
            ));
        }
        let mut parts = req.into_inner();
        let r = match parts.message().await.map_err(broken_off)? {
            Some(pb::UploadAttachmentPart {
                part: Some(upload_attachment_part::Part::Header(h)),
            }) => h,
            _ => {
                return Err(ServiceError::Invalid(
                    "the first part of an upload is its header".into(),
                ));
            }
        };
        let owner_type = OwnerType::parse(&r.owner_type)?;
        let owner_id = parse_id("owner_id", &r.owner_id)?;
        let customer_id = parse_id("customer_id", &r.customer_id)?;
        let site_id = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        // A contact must not attach files to another customer's request; the
        // owner's scope was reported by the owning service via the gateway.
        if !Scope::of(&claims).allows(customer_id, site_id) {
            return Err(ServiceError::not_found(owner_type.noun()));
        }
        // A request's file is checked against its declared type; a photo's
        // type is what its bytes say, whatever was declared (D6).
        let name = domain::sanitize_name(&r.name)?;
        let declared = match owner_type {
            OwnerType::Request => Some(domain::declared(
                &name,
                &r.content_type,
                &self.allowed_types,
            )?),
            OwnerType::WorkOrder => None,
        };
        if owner_type == OwnerType::WorkOrder
            && store::count_for_owner(&self.pool, claims.tid, owner_type, owner_id).await?
                >= domain::MAX_PHOTOS
        {
            return Err(ServiceError::Conflict(format!(
                "this work order already has {} photos, the most it keeps",
                domain::MAX_PHOTOS
            )));
        }
        let id = Uuid::now_v7();
        let blob_key = domain::blob_key(claims.tid, owner_type, owner_id, id);
        let data = parts.map(|part| match part {
            Ok(pb::UploadAttachmentPart {
                part: Some(upload_attachment_part::Part::Data(d)),
            }) => Ok(Bytes::from(d)),
            Ok(_) => Err(ServiceError::Invalid(
                "an upload has one header, first".into(),
            )),
            Err(status) => Err(broken_off(status)),
        });
        // Bytes first (streamed, checked on their first KiB), row second: a
        // row never points at a missing blob, and a blob without a row is
        // removed straight away (or swept).
        let mut content_type = declared.as_ref().map(|d| d.content_type.clone());
        let stored = ingest::store(
            &self.blobs,
            &blob_key,
            &name,
            self.max_upload_bytes,
            data,
            |head| match &declared {
                Some(d) => domain::check_head(d, head),
                None => {
                    content_type = Some(domain::photo_type(&name, head)?.to_owned());
                    Ok(())
                }
            },
        )
        .await?;
        let content_type = content_type.unwrap_or_default();
        let new = NewAttachment {
            id,
            tenant_id: claims.tid,
            owner_type,
            owner_id,
            customer_id,
            site_id,
            name: &name,
            content_type: &content_type,
            size: stored.size,
            sha256: &stored.sha256,
            blob_key: &blob_key,
            created_by: claims.sub,
        };
        // The cap is counted again with the row, one upload of the owner at
        // a time: concurrent photos cannot pass it.
        let inserted = async {
            let mut tx = self.pool.begin().await?;
            store::lock_owner(&mut tx, claims.tid, owner_id).await?;
            if owner_type == OwnerType::WorkOrder
                && store::count_for_owner(&mut *tx, claims.tid, owner_type, owner_id).await?
                    >= domain::MAX_PHOTOS
            {
                return Err(ServiceError::Conflict(format!(
                    "this work order already has {} photos, the most it keeps",
                    domain::MAX_PHOTOS
                )));
            }
            let row = store::insert(&mut *tx, &new).await?;
            Ok::<_, ServiceError>((tx, row))
        }
        .await;
        let row = match inserted {
            Ok((tx, row)) => {
                // Once asked, a commit's outcome may be unknown (a lost
                // connection): the blob stays, and is swept if no row names it.
                tx.commit().await?;
                row
            }
            Err(e) => {
                if let Err(del) = self.blobs.delete(&blob_key).await {
                    tracing::warn!(blob_key, error = %del, "could not remove blob of a failed upload");
                }
                return Err(e);
            }
        };
        tracing::info!(attachment = %row.id, owner = %owner_id, size = stored.size, "attachment uploaded");
        Ok(attachment_pb(&row))
    }

    async fn list(
        &self,
        req: Request<pb::ListAttachmentsRequest>,
    ) -> ServiceResult<pb::ListAttachmentsResponse> {
        let claims = self.caller(&req).await?;
        let r = req.get_ref();
        let owner_type = OwnerType::parse(&r.owner_type)?;
        let owner_id = lookup_id(owner_type.noun(), &r.owner_id)?;
        if !self.owner_shows(&claims, owner_type, owner_id).await? {
            return Ok(pb::ListAttachmentsResponse::default());
        }
        let rows = store::list_for_owner(
            &self.pool,
            claims.tid,
            owner_type,
            owner_id,
            &Scope::of(&claims),
        )
        .await?;
        Ok(pb::ListAttachmentsResponse {
            items: rows.iter().map(attachment_pb).collect(),
        })
    }

    async fn download(
        &self,
        req: Request<pb::DownloadAttachmentRequest>,
    ) -> ServiceResult<ChunkStream> {
        let claims = self.caller(&req).await?;
        let id = lookup_id("attachment", &req.get_ref().id)?;
        let scope = Scope::of(&claims);
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|a| scope.allows(a.customer_id, a.site_id))
            .ok_or_else(|| ServiceError::not_found("attachment"))?;
        // A file of a request the caller may not see does not exist for them.
        if !self
            .owner_shows(&claims, row.owner_type, row.owner_id)
            .await?
        {
            return Err(ServiceError::not_found("attachment"));
        }
        // Opened before answering, so a missing blob is an error status
        // rather than a stream that breaks after the metadata.
        let data = self
            .blobs
            .stream(&row.blob_key, CHUNK_BYTES)
            .await
            .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("opening blob")))?;
        let head = pb::DownloadChunk {
            attachment: Some(attachment_pb(&row)),
            data: Vec::new(),
        };
        let attachment = row.id;
        let body = data.map(move |piece| match piece {
            Ok(bytes) => Ok(pb::DownloadChunk {
                attachment: None,
                data: Vec::from(bytes),
            }),
            Err(e) => {
                tracing::error!(%attachment, error = %e, "reading blob failed mid-download");
                Err(Status::internal("the file could not be read"))
            }
        });
        Ok(stream::once(async move { Ok(head) }).chain(body).boxed())
    }

    /// The documents the caller may see: customer and sites from the
    /// token's scope, narrowed like their requests, then the filters.
    async fn documents_in_scope(
        &self,
        req: Request<pb::ListDocumentsRequest>,
    ) -> ServiceResult<pb::ListDocumentsResponse> {
        let claims = self.caller(&req).await?;
        let r = req.get_ref();
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let kind = pb::DocumentKind::try_from(r.kind)
            .map_err(|_| ServiceError::Invalid("unknown document kind".into()))?;
        let (customer_id, sites, visible) = Scope::of(&claims).sql_filter();
        if !visible {
            return Ok(pb::ListDocumentsResponse::default());
        }
        let narrowing = Narrowing::of(&claims);
        let filter = catalog_store::ListFilter {
            customer_id,
            sites,
            since: narrowing.since,
            only_work_order: narrowing.work_order,
            kind: catalog::kind_of(kind),
            site_id: optional_id("site_id", &r.site_id)?,
            work_order_id: optional_id("work_order_id", &r.work_order_id)?,
            equipment_id: optional_id("equipment_id", &r.equipment_id)?,
            of_customer: optional_id("customer_id", &r.customer_id)?,
            q: portal_platform::search::contains_pattern(&r.q),
            created_from: r.created_from.as_ref().and_then(from_proto),
            created_before: r.created_before.as_ref().and_then(from_proto),
            after: page.after,
            limit: page.fetch(),
        };
        let rows = catalog_store::list(&self.pool, claims.tid, &filter).await?;
        let (rows, next_cursor) = page.split(rows, |d| (d.created_at, d.id));
        Ok(pb::ListDocumentsResponse {
            items: rows.iter().map(catalog::document_pb).collect(),
            next_cursor,
        })
    }

    /// A document's bytes; one the caller may not see does not exist.
    async fn open_document(
        &self,
        req: Request<pb::DownloadDocumentRequest>,
    ) -> ServiceResult<DocumentStream> {
        let claims = self.caller(&req).await?;
        let row = self.visible_document(&claims, &req.get_ref().id).await?;
        self.stream_document(row).await
    }

    /// The document `id` if the caller may see it: in their scope and not
    /// hidden by their narrowing; else it does not exist for them.
    pub(crate) async fn visible_document(
        &self,
        claims: &Claims,
        id: &str,
    ) -> ServiceResult<catalog_store::DocumentRow> {
        let id = lookup_id("document", id)?;
        let scope = Scope::of(claims);
        let narrowing = Narrowing::of(claims);
        catalog_store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|d| scope.allows(d.customer_id, d.site_id))
            .filter(|d| {
                catalog::domain::shows(
                    &narrowing,
                    d.request_id,
                    d.request_created_at,
                    d.work_order_id,
                )
            })
            .ok_or_else(|| ServiceError::not_found("document"))
    }

    /// `row`'s current bytes (or, with its fields set to a version's, that
    /// version's), its metadata first.
    pub(crate) async fn stream_document(
        &self,
        row: catalog_store::DocumentRow,
    ) -> ServiceResult<DocumentStream> {
        let data = self
            .blobs
            .stream(&row.blob_key, CHUNK_BYTES)
            .await
            .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("opening blob")))?;
        let head = pb::DocumentChunk {
            document: Some(catalog::document_pb(&row)),
            data: Vec::new(),
        };
        let document = row.id;
        let body = data.map(move |piece| match piece {
            Ok(bytes) => Ok(pb::DocumentChunk {
                document: None,
                data: Vec::from(bytes),
            }),
            Err(e) => {
                tracing::error!(%document, error = %e, "reading blob failed mid-download");
                Err(Status::internal("the file could not be read"))
            }
        });
        Ok(stream::once(async move { Ok(head) }).chain(body).boxed())
    }
}

/// The sender stopped in the middle of an upload.
pub(crate) fn broken_off(status: Status) -> ServiceError {
    ServiceError::Invalid(format!("the upload broke off: {}", status.message()))
}

fn attachment_pb(a: &AttachmentRow) -> pb::Attachment {
    pb::Attachment {
        id: a.id.to_string(),
        owner_type: a.owner_type.as_str().to_owned(),
        owner_id: a.owner_id.to_string(),
        customer_id: a.customer_id.to_string(),
        site_id: a.site_id.map(|s| s.to_string()).unwrap_or_default(),
        name: a.name.clone(),
        size: a.size,
        content_type: a.content_type.clone(),
        created_at: Some(to_proto(a.created_at)),
    }
}

#[tonic::async_trait]
impl DocumentsService for Documents {
    type DownloadAttachmentStream = ChunkStream;
    type DownloadDocumentStream = DocumentStream;
    type DownloadDocumentVersionStream = DocumentStream;
    type DownloadArticleFileStream = crate::kb::service::ArticleFileStream;

    async fn upload_attachment(
        &self,
        req: Request<tonic::Streaming<pb::UploadAttachmentPart>>,
    ) -> Rpc<pb::Attachment> {
        reply(self.upload(req).await)
    }
    async fn list_attachments(
        &self,
        req: Request<pb::ListAttachmentsRequest>,
    ) -> Rpc<pb::ListAttachmentsResponse> {
        reply(self.list(req).await)
    }
    async fn download_attachment(
        &self,
        req: Request<pb::DownloadAttachmentRequest>,
    ) -> Rpc<Self::DownloadAttachmentStream> {
        reply(self.download(req).await)
    }
    async fn list_documents(
        &self,
        req: Request<pb::ListDocumentsRequest>,
    ) -> Rpc<pb::ListDocumentsResponse> {
        reply(self.documents_in_scope(req).await)
    }
    async fn download_document(
        &self,
        req: Request<pb::DownloadDocumentRequest>,
    ) -> Rpc<Self::DownloadDocumentStream> {
        reply(self.open_document(req).await)
    }
    async fn publish_document(
        &self,
        req: Request<tonic::Streaming<pb::PublishPart>>,
    ) -> Rpc<pb::Document> {
        reply(Documents::publish_document(self, req).await)
    }
    async fn get_document(&self, req: Request<pb::GetDocumentRequest>) -> Rpc<pb::DocumentDetail> {
        reply(Documents::get_document(self, req).await)
    }
    async fn download_document_version(
        &self,
        req: Request<pb::DownloadDocumentVersionRequest>,
    ) -> Rpc<Self::DownloadDocumentVersionStream> {
        reply(Documents::download_document_version(self, req).await)
    }
    async fn save_article(&self, req: Request<pb::SaveArticleRequest>) -> Rpc<pb::Article> {
        reply(Documents::save_article(self, req).await)
    }
    async fn get_article(&self, req: Request<pb::GetArticleRequest>) -> Rpc<pb::Article> {
        reply(Documents::get_article(self, req).await)
    }
    async fn list_articles(
        &self,
        req: Request<pb::ListArticlesRequest>,
    ) -> Rpc<pb::ListArticlesResponse> {
        reply(Documents::list_articles(self, req).await)
    }
    async fn comment_article(
        &self,
        req: Request<pb::CommentArticleRequest>,
    ) -> Rpc<pb::ArticleComment> {
        reply(Documents::comment_article(self, req).await)
    }
    async fn hide_comment(&self, req: Request<pb::HideCommentRequest>) -> Rpc<pb::ArticleComment> {
        reply(Documents::hide_comment(self, req).await)
    }
    async fn add_article_file(
        &self,
        req: Request<tonic::Streaming<pb::ArticleFilePart>>,
    ) -> Rpc<pb::ArticleFile> {
        reply(Documents::add_article_file(self, req).await)
    }
    async fn download_article_file(
        &self,
        req: Request<pb::DownloadArticleFileRequest>,
    ) -> Rpc<Self::DownloadArticleFileStream> {
        reply(Documents::download_article_file(self, req).await)
    }
    async fn create_quote(&self, req: Request<pb::CreateQuoteRequest>) -> Rpc<pb::Quote> {
        reply(Documents::create_quote(self, req).await)
    }
    async fn get_quote(&self, req: Request<pb::GetQuoteRequest>) -> Rpc<pb::Quote> {
        reply(Documents::get_quote(self, req).await)
    }
    async fn list_quotes(
        &self,
        req: Request<pb::ListQuotesRequest>,
    ) -> Rpc<pb::ListQuotesResponse> {
        reply(Documents::list_quotes(self, req).await)
    }
    async fn decide_quote(&self, req: Request<pb::DecideQuoteRequest>) -> Rpc<pb::Quote> {
        reply(Documents::decide_quote(self, req).await)
    }
    async fn create_invoice(&self, req: Request<pb::CreateInvoiceRequest>) -> Rpc<pb::Invoice> {
        reply(Documents::create_invoice(self, req).await)
    }
    async fn finalize_invoice(&self, req: Request<pb::InvoiceRequest>) -> Rpc<pb::Invoice> {
        reply(Documents::finalize_invoice(self, req).await)
    }
    async fn mark_invoice_paid(&self, req: Request<pb::InvoiceRequest>) -> Rpc<pb::Invoice> {
        reply(Documents::mark_invoice_paid(self, req).await)
    }
    async fn get_invoice(&self, req: Request<pb::InvoiceRequest>) -> Rpc<pb::Invoice> {
        reply(Documents::get_invoice(self, req).await)
    }
    async fn list_invoices(
        &self,
        req: Request<pb::ListInvoicesRequest>,
    ) -> Rpc<pb::ListInvoicesResponse> {
        reply(Documents::list_invoices(self, req).await)
    }
}
