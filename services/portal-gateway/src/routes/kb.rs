//! The knowledge base (E6) over the API: staff write articles, everyone
//! logged in reads and searches the published ones, contacts comment,
//! staff hide a comment. Readers who are not logged in use the pages.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use portal_platform::permissions::Permission;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::private_file;
use crate::state::AppState;
use crate::views::{
    Article, ArticleComment, ArticleFile, ArticleFilter, ArticleList, NewComment, SaveArticle,
    UploadForm, content_disposition,
};
use crate::web::multipart::{self, Upload};

#[utoipa::path(get, path = "/api/v1/kb/articles", operation_id = "list_articles", params(ArticleFilter),
    responses((status = 200, description = "published articles (staff: drafts too)", body = ArticleList)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<ArticleFilter>,
) -> Result<Json<ArticleList>, Problem> {
    let r = state
        .documents
        .clone()
        .list_articles(caller.request(docs::ListArticlesRequest {
            q: f.q.unwrap_or_default(),
            category: f.category.unwrap_or_default(),
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    Ok(Json(ArticleList {
        items: r.items.into_iter().map(Into::into).collect(),
        categories: r.categories,
    }))
}

#[utoipa::path(post, path = "/api/v1/kb/articles", operation_id = "create_article", request_body = SaveArticle,
    responses((status = 201, body = Article),
        (status = 400, description = "a missing part, an unknown language", body = Problem),
        (status = 403, description = "not an admin or dispatcher", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<SaveArticle>,
) -> Result<(StatusCode, Json<Article>), Problem> {
    let a = state
        .documents
        .clone()
        .save_article(caller.request(b.to_pb(String::new())))
        .await?;
    Ok((StatusCode::CREATED, Json(a.into_inner().into())))
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", operation_id = "get_article",
    params(("id" = uuid::Uuid, Path, description = "The article's id")),
    responses((status = 200, body = Article),
        (status = 404, description = "no such article, or a draft for a contact", body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Article>, Problem> {
    let a = state
        .documents
        .clone()
        .get_article(caller.request(docs::GetArticleRequest {
            id,
            tenant_id: String::new(),
        }))
        .await?;
    Ok(Json(a.into_inner().into()))
}

#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", operation_id = "update_article", request_body = SaveArticle,
    params(("id" = uuid::Uuid, Path, description = "The article's id")),
    responses((status = 200, body = Article), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<SaveArticle>,
) -> Result<Json<Article>, Problem> {
    let a = state
        .documents
        .clone()
        .save_article(caller.request(b.to_pb(id)))
        .await?;
    Ok(Json(a.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/comments", operation_id = "comment_article", request_body = NewComment,
    params(("id" = uuid::Uuid, Path, description = "The article's id")),
    responses((status = 201, body = ArticleComment),
        (status = 400, description = "an empty or too long comment", body = Problem),
        (status = 403, description = "staff and secure links do not comment", body = Problem),
        (status = 404, description = "no such article, or not published", body = Problem)),
    security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<ArticleComment>), Problem> {
    let c = state
        .documents
        .clone()
        .comment_article(caller.request(docs::CommentArticleRequest {
            article_id: id,
            body: b.body,
        }))
        .await?;
    Ok((StatusCode::CREATED, Json(c.into_inner().into())))
}

#[utoipa::path(post, path = "/api/v1/kb/comments/{id}/hide", operation_id = "hide_comment",
    params(("id" = uuid::Uuid, Path, description = "The comment's id")),
    responses((status = 200, body = ArticleComment),
        (status = 403, description = "not an admin or dispatcher", body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn hide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ArticleComment>, Problem> {
    let c = state
        .documents
        .clone()
        .hide_comment(caller.request(docs::HideCommentRequest { id }))
        .await?;
    Ok(Json(c.into_inner().into()))
}

/// The header, then the spooled file a piece at a time; a read error sends
/// an empty part, which documents refuses.
pub(crate) fn file_parts(
    article_id: String,
    file: Upload,
) -> impl futures::Stream<Item = docs::ArticleFilePart> + Send + 'static {
    use docs::article_file_part::Part;
    let header = docs::ArticleFileHeader {
        article_id,
        name: file.name.clone(),
        content_type: file.content_type.clone(),
    };
    file.after(
        docs::ArticleFilePart {
            part: Some(Part::Header(header)),
        },
        |piece| docs::ArticleFilePart {
            part: piece.map(Part::Data),
        },
    )
}

#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/files", operation_id = "add_article_file",
    params(("id" = uuid::Uuid, Path, description = "The article's id")),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = ArticleFile),
        (status = 403, description = "not an admin or dispatcher", body = Problem),
        (status = 404, body = Problem),
        (status = 413, description = "the file is over the size limit", body = Problem),
        (status = 415, description = "the type is refused, or the bytes are not of the declared type", body = Problem)),
    security(("bearer" = [])))]
pub async fn add_file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<ArticleFile>), Problem> {
    if !caller.claims.may(Permission::ManageKnowledgeBase) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only admins and dispatchers add files to articles",
        ));
    }
    let form = multipart::read_api(&state, multipart).await?;
    let file = form
        .files
        .into_iter()
        .find(|f| f.field == "file")
        .ok_or_else(|| Problem::invalid("a multipart field named 'file' is required"))?;
    let f = send_file(&state, &caller, id, file).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

/// Sends one file for an article on to documents.
pub(crate) async fn send_file(
    state: &AppState,
    caller: &Caller,
    article_id: String,
    file: Upload,
) -> Result<docs::ArticleFile, Problem> {
    file.refuse_if_too_large(state.max_upload_bytes)?;
    Ok(state
        .documents
        .clone()
        .add_article_file(caller.request(file_parts(article_id, file)))
        .await?
        .into_inner())
}

#[utoipa::path(get, path = "/api/v1/kb/files/{id}", operation_id = "download_article_file",
    params(("id" = uuid::Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "the file, with its own content type", content_type = "application/octet-stream"),
        (status = 404, description = "no such file, or its article is not the caller's to read", body = Problem)),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let stream = state
        .documents
        .clone()
        .download_article_file(caller.request(docs::DownloadArticleFileRequest {
            id,
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    file_response(stream).await
}

/// The first chunk's metadata as headers, then the bytes.
pub(crate) async fn file_response(
    mut stream: tonic::Streaming<docs::ArticleFileChunk>,
) -> Result<Response, Problem> {
    let first = stream
        .message()
        .await?
        .ok_or_else(|| Problem::new(StatusCode::BAD_GATEWAY, "internal", "empty download"))?;
    let meta = first.file.clone().unwrap_or_default();
    let stem = meta
        .name
        .rsplit_once('.')
        .map_or(meta.name.as_str(), |(stem, _)| stem);
    let disposition = content_disposition(stem, &meta.content_type);
    let head = private_file::Head {
        content_type: &meta.content_type,
        size: meta.size,
        disposition: &disposition,
    };
    let rest = stream.map(|chunk| chunk.map(|c| c.data));
    Ok(private_file::response(&head, first.data, rest))
}
