//! The knowledge base (E6) over the API: staff write articles, everyone
//! logged in reads and searches the published ones, contacts comment,
//! staff hide a comment. Readers who are not logged in use the pages.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{Article, ArticleComment, ArticleFilter, ArticleList, NewComment, SaveArticle};

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
