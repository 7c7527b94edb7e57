//! The knowledge base's calls (E6): staff write and publish articles,
//! readers list, search and open the ones they may read, contacts comment,
//! staff hide a comment.
use bytes::Bytes;
use futures::StreamExt;
use portal_platform::auth::{AccountKind, bearer, with_bearer};
use portal_platform::callers::Service;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::outbox;
use portal_platform::permissions::Permission;
use portal_platform::tenancy;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as pb;
use portal_proto::documents::v1::article_file_part;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as idpb;
use tonic::Request;
use uuid::Uuid;

use super::domain::{self, Reader};
use super::store::{self, ArticleRow, CommentRow, FileRow, ListFilter, NewFile};
use crate::catalog::SOURCE;
use crate::grpc::{CHUNK_BYTES, Documents, broken_off};
use crate::ingest;

/// An article file's download: its metadata, then its bytes.
pub type ArticleFileStream =
    futures::stream::BoxStream<'static, Result<pb::ArticleFileChunk, tonic::Status>>;

/// Who reads, and in which tenant.
struct Caller {
    tenant: Uuid,
    reader: Reader,
}

impl Documents {
    /// A logged-in caller by their token; an anonymous reader only through
    /// the gateway, which names the tenant of the page.
    async fn kb_caller<T>(&self, req: &Request<T>, tenant_id: &str) -> ServiceResult<Caller> {
        if bearer(req.metadata()).is_some() {
            let claims = self.caller(req).await?;
            // A secure link opens one customer's work, not the provider's
            // knowledge base: it reads what anyone may read.
            let reader = match claims.kind {
                AccountKind::Staff => Reader::Staff,
                AccountKind::Contact => Reader::Contact,
                AccountKind::Link => Reader::Anonymous,
            };
            return Ok(Caller {
                tenant: claims.tid,
                reader,
            });
        }
        match self.authn.service(req)? {
            Some(Service::Gateway) => {
                let tenant = parse_id("tenant_id", tenant_id)?;
                // The queries now see this tenant's rows only (ADR 0018).
                tenancy::enter(tenant);
                Ok(Caller {
                    tenant,
                    reader: Reader::Anonymous,
                })
            }
            _ => Err(ServiceError::Unauthenticated(
                "an access token is required".into(),
            )),
        }
    }

    pub(crate) async fn save_article(
        &self,
        req: Request<pb::SaveArticleRequest>,
    ) -> ServiceResult<pb::Article> {
        let claims = self.caller(&req).await?;
        if !claims.may(Permission::ManageKnowledgeBase) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers write the knowledge base".into(),
            ));
        }
        let r = req.into_inner();
        let draft = domain::draft(&r.category, &r.title, &r.body, &r.language, &r.audience)?;
        let mut tx = self.pool.begin().await?;
        let (row, newly_published) = match r.id.trim() {
            "" => {
                let row = store::insert(
                    &mut tx,
                    claims.tid,
                    Uuid::now_v7(),
                    &draft,
                    r.published,
                    claims.sub,
                )
                .await?;
                (row, r.published)
            }
            id => {
                let id = lookup_id("article", id)?;
                let before = store::lock(&mut tx, claims.tid, id)
                    .await?
                    .ok_or_else(|| ServiceError::not_found("article"))?;
                let row = store::update(&mut tx, claims.tid, id, &draft, r.published).await?;
                (row, r.published && before.is_none())
            }
        };
        if newly_published {
            let event = ev::KbArticlePublished {
                tenant_id: claims.tid.to_string(),
                article_id: row.id.to_string(),
                category: row.category.clone(),
                title: row.title.clone(),
                language: row.language.clone(),
                audience: row.audience.as_str().to_owned(),
                published_at: row.published_at.map(to_proto),
            };
            outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;
        }
        tx.commit().await?;
        tracing::info!(article = %row.id, published = r.published, "article saved");
        Ok(article_pb(&row, Vec::new()))
    }

    pub(crate) async fn get_article(
        &self,
        req: Request<pb::GetArticleRequest>,
    ) -> ServiceResult<pb::Article> {
        let caller = self.kb_caller(&req, &req.get_ref().tenant_id).await?;
        let id = lookup_id("article", &req.get_ref().id)?;
        let row = self.readable(&caller, id).await?;
        let staff = caller.reader == Reader::Staff;
        // Comments carry contacts' names: for logged-in readers only.
        let comments = match caller.reader {
            Reader::Anonymous => Vec::new(),
            _ => store::comments(&self.pool, caller.tenant, id, staff).await?,
        };
        let files = store::files(&self.pool, caller.tenant, id).await?;
        Ok(pb::Article {
            files: files.iter().map(file_pb).collect(),
            ..article_pb(&row, comments.iter().map(comment_pb).collect())
        })
    }

    /// The article if the caller may read it; else it does not exist.
    async fn readable(&self, caller: &Caller, id: Uuid) -> ServiceResult<ArticleRow> {
        store::get(&self.pool, caller.tenant, id)
            .await?
            .filter(|a| domain::reads(caller.reader, a.audience, a.published_at.is_some()))
            .ok_or_else(|| ServiceError::not_found("article"))
    }

    pub(crate) async fn list_articles(
        &self,
        req: Request<pb::ListArticlesRequest>,
    ) -> ServiceResult<pb::ListArticlesResponse> {
        let caller = self.kb_caller(&req, &req.get_ref().tenant_id).await?;
        let r = req.get_ref();
        let q: String = r.q.trim().chars().take(200).collect();
        // A search without a word searches nothing.
        let q_polish = domain::polish_query(&q);
        let staff = caller.reader == Reader::Staff;
        let public_only = caller.reader == Reader::Anonymous;
        let filter = ListFilter {
            drafts: staff,
            public_only,
            category: Some(r.category.trim().to_owned()).filter(|c| !c.is_empty()),
            q: q_polish.is_some().then(|| q.clone()),
            q_polish,
        };
        let rows = store::list(&self.pool, caller.tenant, &filter).await?;
        let categories = store::categories(&self.pool, caller.tenant, staff, public_only).await?;
        Ok(pb::ListArticlesResponse {
            items: rows
                .iter()
                .map(|a| pb::Article {
                    // A list carries an excerpt, not the body.
                    excerpt: a
                        .headline
                        .clone()
                        .unwrap_or_else(|| domain::excerpt(&a.body)),
                    ..summary_pb(a)
                })
                .collect(),
            categories,
        })
    }

    pub(crate) async fn comment_article(
        &self,
        req: Request<pb::CommentArticleRequest>,
    ) -> ServiceResult<pb::ArticleComment> {
        let claims = self.caller(&req).await?;
        if claims.kind != AccountKind::Contact {
            return Err(ServiceError::Forbidden(
                "contacts comment on articles; staff answer in the article".into(),
            ));
        }
        let token = bearer(req.metadata()).unwrap_or_default().to_owned();
        let r = req.into_inner();
        let article_id = lookup_id("article", &r.article_id)?;
        let body = domain::comment(&r.body)?;
        let caller = Caller {
            tenant: claims.tid,
            reader: Reader::Contact,
        };
        // An unpublished article does not exist for a contact.
        self.readable(&caller, article_id).await?;
        // Their name as identity has it, asked with their own token.
        let me = self
            .directory
            .client
            .clone()
            .get_me(with_bearer(Request::new(idpb::GetMeRequest {}), &token))
            .await
            .map_err(|e| ServiceError::Unavailable(format!("identity: {}", e.message())))?
            .into_inner();
        let mut tx = self.pool.begin().await?;
        let row = store::add_comment(
            &mut tx,
            claims.tid,
            article_id,
            (claims.sub, &me.name),
            &body,
        )
        .await?;
        tx.commit().await?;
        Ok(comment_pb(&row))
    }

    pub(crate) async fn add_article_file(
        &self,
        req: Request<tonic::Streaming<pb::ArticleFilePart>>,
    ) -> ServiceResult<pb::ArticleFile> {
        let claims = self.caller(&req).await?;
        if !claims.may(Permission::ManageKnowledgeBase) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers add files to articles".into(),
            ));
        }
        let mut parts = req.into_inner();
        let header = match parts.message().await.map_err(broken_off)? {
            Some(pb::ArticleFilePart {
                part: Some(article_file_part::Part::Header(h)),
            }) => h,
            _ => {
                return Err(ServiceError::Invalid(
                    "the first part of an upload is its header".into(),
                ));
            }
        };
        let article_id = lookup_id("article", &header.article_id)?;
        let caller = Caller {
            tenant: claims.tid,
            reader: Reader::Staff,
        };
        self.readable(&caller, article_id).await?;
        let accepted =
            crate::domain::declared(&header.name, &header.content_type, &self.allowed_types)?;
        let data = parts.map(|part| match part {
            Ok(pb::ArticleFilePart {
                part: Some(article_file_part::Part::Data(d)),
            }) => Ok(Bytes::from(d)),
            Ok(_) => Err(ServiceError::Invalid(
                "an upload has one header, first".into(),
            )),
            Err(status) => Err(broken_off(status)),
        });
        let id = Uuid::now_v7();
        let key = domain::file_blob_key(claims.tid, article_id, id);
        let stored = ingest::store(
            &self.blobs,
            &key,
            &accepted.name,
            self.max_upload_bytes,
            data,
            |head| crate::domain::check_head(&accepted, head),
        )
        .await?;
        let new = NewFile {
            id,
            tenant_id: claims.tid,
            article_id,
            name: &accepted.name,
            content_type: &accepted.content_type,
            size: stored.size,
            sha256: &stored.sha256,
            blob_key: &key,
            created_by: claims.sub,
        };
        match store::insert_file(&self.pool, &new).await {
            Ok(row) => Ok(file_pb(&row)),
            Err(e) => {
                if let Err(del) = self.blobs.delete(&key).await {
                    tracing::warn!(key, error = %del, "could not remove the blob of a failed upload");
                }
                Err(e.into())
            }
        }
    }

    pub(crate) async fn download_article_file(
        &self,
        req: Request<pb::DownloadArticleFileRequest>,
    ) -> ServiceResult<ArticleFileStream> {
        let caller = self.kb_caller(&req, &req.get_ref().tenant_id).await?;
        let id = lookup_id("file", &req.get_ref().id)?;
        let file = store::get_file(&self.pool, caller.tenant, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("file"))?;
        // A file is read by whoever may read its article.
        self.readable(&caller, file.article_id)
            .await
            .map_err(|_| ServiceError::not_found("file"))?;
        let data = self
            .blobs
            .stream(&file.blob_key, CHUNK_BYTES)
            .await
            .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("opening blob")))?;
        let head = pb::ArticleFileChunk {
            file: Some(file_pb(&file)),
            data: Vec::new(),
        };
        let body = data.map(move |piece| match piece {
            Ok(bytes) => Ok(pb::ArticleFileChunk {
                file: None,
                data: Vec::from(bytes),
            }),
            Err(e) => {
                tracing::error!(file = %id, error = %e, "reading blob failed mid-download");
                Err(tonic::Status::internal("the file could not be read"))
            }
        });
        Ok(futures::stream::once(async move { Ok(head) })
            .chain(body)
            .boxed())
    }

    pub(crate) async fn hide_comment(
        &self,
        req: Request<pb::HideCommentRequest>,
    ) -> ServiceResult<pb::ArticleComment> {
        let claims = self.caller(&req).await?;
        if !claims.may(Permission::ManageKnowledgeBase) {
            return Err(ServiceError::Forbidden(
                "only admins and dispatchers moderate comments".into(),
            ));
        }
        let id = lookup_id("comment", &req.get_ref().id)?;
        let row = store::hide_comment(&self.pool, claims.tid, id, claims.sub)
            .await?
            .ok_or_else(|| ServiceError::not_found("comment"))?;
        tracing::info!(comment = %id, "comment hidden");
        Ok(comment_pb(&row))
    }
}

fn file_pb(f: &FileRow) -> pb::ArticleFile {
    pb::ArticleFile {
        id: f.id.to_string(),
        article_id: f.article_id.to_string(),
        name: f.name.clone(),
        content_type: f.content_type.clone(),
        size: f.size,
        created_at: Some(to_proto(f.created_at)),
    }
}

fn article_pb(a: &ArticleRow, comments: Vec<pb::ArticleComment>) -> pb::Article {
    pb::Article {
        body: a.body.clone(),
        html: domain::render(&a.body),
        comments,
        ..summary_pb(a)
    }
}

/// The article without its text.
fn summary_pb(a: &ArticleRow) -> pb::Article {
    pb::Article {
        id: a.id.to_string(),
        category: a.category.clone(),
        title: a.title.clone(),
        body: String::new(),
        html: String::new(),
        language: a.language.clone(),
        audience: a.audience.as_str().to_owned(),
        published: a.published_at.is_some(),
        published_at: a.published_at.map(to_proto),
        updated_at: Some(to_proto(a.updated_at)),
        comments: Vec::new(),
        excerpt: String::new(),
        files: Vec::new(),
    }
}

fn comment_pb(c: &CommentRow) -> pb::ArticleComment {
    pb::ArticleComment {
        id: c.id.to_string(),
        article_id: c.article_id.to_string(),
        author_name: c.author_name.clone(),
        body: c.body.clone(),
        created_at: Some(to_proto(c.created_at)),
        hidden: c.hidden,
    }
}
