//! Publishing files as documents (E1, E7) and reading one with its
//! versions: staff upload a certificate, a contract… or a newer version of
//! one; the bytes stream to object storage, then the row and
//! `document.published` are written in one transaction.
use bytes::Bytes;
use futures::StreamExt;
use portal_platform::auth::Claims;
use portal_platform::errors::{ServiceError, ServiceResult, parse_id};
use portal_platform::permissions::Permission;
use portal_platform::scope::Scope;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as pb;
use portal_proto::documents::v1::publish_part::Part;
use tonic::{Request, Streaming};
use uuid::Uuid;

use super::domain::{title_of, version_blob_key};
use super::store::{self, DocumentRow, NewContent, NewDocument};
use super::{announce_version, document_pb, kind_of, publish};
use crate::domain::{content_matches, normalize_type, sanitize_name};
use crate::grpc::{DocumentStream, Documents, broken_off, optional_id};
use crate::ingest::{self, Stored};
use crate::quotes::service::hex;

/// The file of an upload, checked before its bytes are read.
struct File {
    name: String,
    content_type: String,
}

impl Documents {
    pub(crate) async fn publish_document(
        &self,
        req: Request<Streaming<pb::PublishPart>>,
    ) -> ServiceResult<pb::Document> {
        let claims = self.caller(&req).await?;
        // Links and their scope are vouched for by the gateway, which read
        // them from their services with the caller's token (ADR 0005).
        if self.authn.service(&req)?.is_none() {
            return Err(ServiceError::Forbidden(
                "documents are published through the portal gateway".into(),
            ));
        }
        if !claims.may(Permission::PublishDocuments) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers publish documents".into(),
            ));
        }
        let mut parts = req.into_inner();
        let header = match parts.message().await.map_err(broken_off)? {
            Some(pb::PublishPart {
                part: Some(Part::Header(h)),
            }) => h,
            _ => {
                return Err(ServiceError::Invalid(
                    "the first part of an upload is its header".into(),
                ));
            }
        };
        let file = self.file(&header)?;
        let data = parts.map(|part| match part {
            Ok(pb::PublishPart {
                part: Some(Part::Data(d)),
            }) => Ok(Bytes::from(d)),
            Ok(_) => Err(ServiceError::Invalid(
                "an upload has one header, first".into(),
            )),
            Err(status) => Err(broken_off(status)),
        });
        match header.document_id.trim() {
            "" => self.new_document(&claims, &header, file, data).await,
            id => self.new_version(&claims, id, file, data).await,
        }
    }

    /// The declared name and type, refused before a byte is read when the
    /// installation does not take that type.
    fn file(&self, h: &pb::PublishHeader) -> ServiceResult<File> {
        let name = sanitize_name(&h.file_name)?;
        let content_type = normalize_type(&h.content_type);
        if content_type.is_empty()
            || !self
                .allowed_types
                .iter()
                .any(|t| normalize_type(t) == content_type)
        {
            return Err(ServiceError::UnsupportedType(format!(
                "files of type \"{content_type}\" are not accepted"
            )));
        }
        Ok(File { name, content_type })
    }

    /// Streams the bytes to `key`; the first ones must be of the declared type.
    async fn store_file(
        &self,
        key: &str,
        file: &File,
        data: impl futures::Stream<Item = ServiceResult<Bytes>> + Unpin,
    ) -> ServiceResult<Stored> {
        ingest::store(
            &self.blobs,
            key,
            &file.name,
            self.max_document_bytes,
            data,
            |head| {
                if content_matches(&file.content_type, head) {
                    Ok(())
                } else {
                    Err(ServiceError::UnsupportedType(format!(
                        "the content of {} is not {}",
                        file.name, file.content_type
                    )))
                }
            },
        )
        .await
    }

    async fn new_document(
        &self,
        claims: &Claims,
        h: &pb::PublishHeader,
        file: File,
        data: impl futures::Stream<Item = ServiceResult<Bytes>> + Unpin,
    ) -> ServiceResult<pb::Document> {
        let kind = pb::DocumentKind::try_from(h.kind)
            .ok()
            .and_then(kind_of)
            .ok_or_else(|| ServiceError::Invalid("a document kind is required".into()))?;
        if !kind.uploaded() {
            return Err(ServiceError::Invalid(
                "quotes, invoices and service reports are written in the portal, not uploaded"
                    .into(),
            ));
        }
        let customer_id = parse_id("customer_id", &h.customer_id)?;
        let site_id = optional_id("site_id", &h.site_id)?;
        if !Scope::of(claims).allows(customer_id, site_id) {
            return Err(ServiceError::not_found("customer"));
        }
        let id = Uuid::now_v7();
        let key = version_blob_key(claims.tid, id, Uuid::now_v7());
        let stored = self.store_file(&key, &file, data).await?;
        let doc = NewDocument {
            id,
            tenant_id: claims.tid,
            kind,
            customer_id,
            site_id,
            work_order_id: optional_id("work_order_id", &h.work_order_id)?,
            request_id: optional_id("request_id", &h.request_id)?,
            title: title_of(&h.title, &file.name),
            content_type: file.content_type.clone(),
            size: stored.size,
            sha256: stored.sha256,
            blob_key: key.clone(),
            equipment_id: optional_id("equipment_id", &h.equipment_id)?,
            file_name: Some(file.name),
            published_by: Some(claims.sub),
        };
        let written = async {
            let mut tx = self.pool.begin().await?;
            publish(&mut tx, &doc).await?;
            let row = store::get(&mut *tx, claims.tid, id).await?;
            Ok::<_, ServiceError>((tx, row))
        }
        .await;
        let row = self.committed_or_removed(&key, written).await?;
        tracing::info!(document = %id, kind = ?kind, size = doc.size, "document published");
        Ok(document_pb(&row))
    }

    async fn new_version(
        &self,
        claims: &Claims,
        id: &str,
        file: File,
        data: impl futures::Stream<Item = ServiceResult<Bytes>> + Unpin,
    ) -> ServiceResult<pb::Document> {
        let current = self.visible_document(claims, id).await?;
        if !current.kind.uploaded() {
            return Err(ServiceError::WrongState(
                "quotes, invoices and service reports get their versions from the portal".into(),
            ));
        }
        let key = version_blob_key(claims.tid, current.id, Uuid::now_v7());
        let stored = self.store_file(&key, &file, data).await?;
        let written = async {
            let mut tx = self.pool.begin().await?;
            store::lock(&mut tx, claims.tid, current.id)
                .await?
                .ok_or_else(|| ServiceError::not_found("document"))?;
            let content = NewContent {
                content_type: &file.content_type,
                size: stored.size,
                sha256: &stored.sha256,
                blob_key: &key,
                file_name: Some(&file.name),
            };
            store::replace_content(&mut tx, claims.tid, current.id, &content).await?;
            let row = store::get(&mut *tx, claims.tid, current.id).await?;
            if let Some(row) = &row {
                announce_version(&mut tx, row).await?;
            }
            Ok((tx, row))
        }
        .await;
        let row = self.committed_or_removed(&key, written).await?;
        tracing::info!(document = %row.id, version = row.version, "document version published");
        Ok(document_pb(&row))
    }

    /// Commits the written row; when it could not be written, its blob is
    /// removed again. Once the commit is asked its outcome may be unknown
    /// (a lost connection): the blob then stays, and the sweeper removes it
    /// if no row names it.
    async fn committed_or_removed(
        &self,
        key: &str,
        written: ServiceResult<(
            sqlx::Transaction<'static, sqlx::Postgres>,
            Option<DocumentRow>,
        )>,
    ) -> ServiceResult<DocumentRow> {
        match written {
            Ok((tx, Some(row))) => {
                tx.commit().await?;
                Ok(row)
            }
            other => {
                if let Err(e) = self.blobs.delete(key).await {
                    tracing::warn!(key, error = %e, "could not remove the blob of a failed upload");
                }
                match other {
                    Err(e) => Err(e),
                    _ => Err(ServiceError::not_found("document")),
                }
            }
        }
    }

    pub(crate) async fn get_document(
        &self,
        req: Request<pb::GetDocumentRequest>,
    ) -> ServiceResult<pb::DocumentDetail> {
        let claims = self.caller(&req).await?;
        let row = self.visible_document(&claims, &req.get_ref().id).await?;
        let older = store::versions(&self.pool, claims.tid, row.id).await?;
        let mut versions = vec![pb::DocumentVersion {
            version: row.version,
            content_type: row.content_type.clone(),
            size: row.size,
            sha256: hex(&row.sha256),
            file_name: row.file_name.clone().unwrap_or_default(),
            created_at: Some(to_proto(row.content_at)),
        }];
        versions.extend(older.iter().map(|v| pb::DocumentVersion {
            version: v.version,
            content_type: v.content_type.clone(),
            size: v.size,
            sha256: hex(&v.sha256),
            file_name: v.file_name.clone().unwrap_or_default(),
            created_at: Some(to_proto(v.created_at)),
        }));
        Ok(pb::DocumentDetail {
            document: Some(document_pb(&row)),
            versions,
        })
    }

    pub(crate) async fn download_document_version(
        &self,
        req: Request<pb::DownloadDocumentVersionRequest>,
    ) -> ServiceResult<DocumentStream> {
        let claims = self.caller(&req).await?;
        let r = req.get_ref();
        let mut row = self.visible_document(&claims, &r.id).await?;
        if r.version != row.version {
            let older = store::versions(&self.pool, claims.tid, row.id).await?;
            let v = older
                .into_iter()
                .find(|v| v.version == r.version)
                .ok_or_else(|| ServiceError::not_found("version"))?;
            // The document as it was then: its metadata with that content.
            row.version = v.version;
            row.content_type = v.content_type;
            row.size = v.size;
            row.sha256 = v.sha256;
            row.blob_key = v.blob_key;
            row.file_name = v.file_name;
            row.content_at = v.created_at;
        }
        self.stream_document(row).await
    }
}
