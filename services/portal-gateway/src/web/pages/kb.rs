//! The knowledge base's pages (E6): articles by category with a search in
//! each article's language; an article with its comments, a comment form
//! for contacts and a hide button for staff; the staff's writing form.
//! Readers who are not logged in see the public articles.
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::documents::v1 as docs;
use serde_json::{Value, json};

use crate::views::{Article, ArticleSummary};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::pages::{param, planning, query};

/// The languages an article may be written in, as the form offers them.
const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "pl"];

/// A call for the reader: with their token, or, not logged in, as the
/// gateway naming the page's tenant (public articles only).
fn as_reader<T>(ctx: &Ctx, message: T) -> Option<tonic::Request<T>> {
    match &ctx.session {
        Some(s) => Some(s.caller.request(message)),
        None => ctx
            .tenant
            .as_ref()
            .map(|_| ctx.state.credential.sign(ctx.ip.request(message))),
    }
}

fn tenant_id(ctx: &Ctx) -> String {
    match (&ctx.session, &ctx.tenant) {
        (None, Some(t)) => t.id.clone(),
        _ => String::new(),
    }
}

/// `GET /kb?q=&category=`.
pub async fn list(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let q: String = query(raw.as_deref(), "q").chars().take(200).collect();
    let category = query(raw.as_deref(), "category");
    let Some(req) = as_reader(
        &ctx,
        docs::ListArticlesRequest {
            q: q.clone(),
            category: category.clone(),
            tenant_id: tenant_id(&ctx),
        },
    ) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let found = match ctx.state.documents.clone().list_articles(req).await {
        Ok(f) => f.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let items: Vec<ArticleSummary> = found.items.into_iter().map(Into::into).collect();
    // Searching: best match first, in one list; else grouped by category.
    let groups: Vec<Value> = if q.is_empty() {
        let mut order: Vec<String> = Vec::new();
        for a in &items {
            if !order.contains(&a.category) {
                order.push(a.category.clone());
            }
        }
        order
            .iter()
            .map(|c| {
                let of: Vec<&ArticleSummary> = items.iter().filter(|a| &a.category == c).collect();
                json!({"category": c, "articles": of})
            })
            .collect()
    } else {
        Vec::new()
    };
    ctx.page(
        StatusCode::OK,
        "kb.html",
        json!({"q": q, "category": category, "categories": found.categories,
            "groups": groups, "found": if q.is_empty() { Vec::new() } else { items }}),
    )
}

/// `GET /kb/{id}`.
pub async fn show(TenantPage(ctx): TenantPage, Path(p): Path<HashMap<String, String>>) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    article_page(&ctx, &id, StatusCode::OK, json!({})).await
}

async fn article_page(ctx: &Ctx, id: &str, status: StatusCode, extra: Value) -> Response {
    let Some(req) = as_reader(
        ctx,
        docs::GetArticleRequest {
            id: id.to_owned(),
            tenant_id: tenant_id(ctx),
        },
    ) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let article: Article = match ctx.state.documents.clone().get_article(req).await {
        Ok(a) => a.into_inner().into(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let zone = ctx.zone();
    let comments: Vec<Value> = article
        .comments
        .iter()
        .map(|c| {
            json!({"id": c.id, "author": c.author_name, "body": c.body, "hidden": c.hidden,
                "at": planning::at_text(zone, c.created_at)})
        })
        .collect();
    let contact = ctx.session.as_ref().is_some_and(|s| s.me.kind == "contact");
    let files: Vec<Value> = article
        .files
        .iter()
        .map(|f| json!({"id": f.id, "name": f.name, "size_kb": (f.size + 1023) / 1024}))
        .collect();
    let mut values = json!({"article": article, "comments": comments, "may_comment": contact,
        "files": files,
        "updated": planning::at_text(zone, article.updated_at)});
    if let (Some(v), Value::Object(e)) = (values.as_object_mut(), extra) {
        v.extend(e);
    }
    ctx.page(status, "kb_article.html", values)
}

/// `GET /kb/new`.
pub async fn new_form(TenantPage(ctx): TenantPage) -> Response {
    if let Err(r) = managers(&ctx) {
        return *r;
    }
    let form = json!({"language": ctx.lang, "audience": "portal", "published": true});
    form_page(&ctx, StatusCode::OK, None, form, None)
}

/// `GET /kb/{id}/edit`.
pub async fn edit_form(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match managers(&ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let a: Article = match ctx
        .state
        .documents
        .clone()
        .get_article(s.caller.request(docs::GetArticleRequest {
            id: id.clone(),
            tenant_id: String::new(),
        }))
        .await
    {
        Ok(a) => a.into_inner().into(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let form = json!({"category": a.category, "title": a.title, "body": a.body,
        "language": a.language, "audience": a.audience, "published": a.published});
    form_page(&ctx, StatusCode::OK, Some(&id), form, None)
}

fn managers(ctx: &Ctx) -> Result<&crate::web::ctx::Session, Box<Response>> {
    let s = ctx.staff()?;
    if !s.is_manager() {
        return Err(Box::new(ctx.fail(StatusCode::FORBIDDEN, "error-forbidden")));
    }
    Ok(s)
}

fn form_page(
    ctx: &Ctx,
    status: StatusCode,
    id: Option<&str>,
    form: Value,
    error: Option<String>,
) -> Response {
    ctx.page(
        status,
        "kb_form.html",
        json!({"id": id, "form": form, "languages": LANGUAGES, "error": error}),
    )
}

/// `POST /kb` (new) and `POST /kb/{id}` (changes).
async fn save(mut ctx: Ctx, id: Option<String>, form: Form) -> Response {
    let s = match managers(&ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let published = matches!(form.get("published").as_str(), "on" | "true" | "1");
    let req = docs::SaveArticleRequest {
        id: id.clone().unwrap_or_default(),
        category: form.get("category"),
        title: form.get("title"),
        body: form.raw("body"),
        language: form.get("language"),
        audience: form.get("audience"),
        published,
    };
    let typed = json!({"category": req.category, "title": req.title, "body": req.body,
        "language": req.language, "audience": req.audience, "published": published});
    match ctx
        .state
        .documents
        .clone()
        .save_article(s.caller.request(req))
        .await
    {
        Ok(a) => {
            ctx.flash_next("flash-article-saved");
            let to = format!("{}/kb/{}", ctx.base, a.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            form_page(
                &ctx,
                shown.status,
                id.as_deref(),
                typed,
                Some(shown.message),
            )
        }
    }
}

pub async fn create(TenantPage(ctx): TenantPage, form: Form) -> Response {
    save(ctx, None, form).await
}

pub async fn update(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    form: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    save(ctx, Some(id), form).await
}

/// `POST /kb/{id}/comments`.
pub async fn comment(
    TenantPage(mut ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    form: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let body = form.get("body");
    let req = s.caller.request(docs::CommentArticleRequest {
        article_id: id.clone(),
        body: body.clone(),
    });
    match ctx.state.documents.clone().comment_article(req).await {
        Ok(_) => {
            ctx.flash_next("flash-kb-comment-added");
            let to = format!("{}/kb/{id}#comments", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            article_page(
                &ctx,
                &id,
                shown.status,
                json!({"comment_error": shown.message, "typed": body}),
            )
            .await
        }
    }
}

/// `POST /kb/comments/{id}/hide`: back to its article.
pub async fn hide(
    TenantPage(mut ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    _csrf_checked: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match managers(&ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match ctx
        .state
        .documents
        .clone()
        .hide_comment(s.caller.request(docs::HideCommentRequest { id }))
        .await
    {
        Ok(c) => {
            ctx.flash_next("flash-comment-hidden");
            let to = format!("{}/kb/{}#comments", ctx.base, c.into_inner().article_id);
            ctx.redirect(&to)
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

/// `POST /kb/{id}/files` (multipart: CSRF, `file`).
pub async fn add_file(
    TenantPage(mut ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    multipart: axum::extract::Multipart,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    if let Err(r) = managers(&ctx) {
        return *r;
    }
    let form = match crate::web::multipart::read(&ctx, multipart).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let caller = crate::web::pages::requests::api_caller(s);
    let Some(file) = form.files.into_iter().find(|f| f.field == "file") else {
        return article_page(&ctx, &id, StatusCode::BAD_REQUEST, json!({})).await;
    };
    let name = file.name.clone();
    match crate::routes::kb::send_file(&ctx.state, &caller, id.clone(), file).await {
        Ok(_) => {
            ctx.flash_next("flash-article-file-added");
            let to = format!("{}/kb/{id}", ctx.base);
            ctx.redirect(&to)
        }
        Err(p) => {
            let key = match p.status {
                413 => "error-file-size-plain",
                415 => "error-file-type",
                _ => "error-file-failed",
            };
            let e = crate::web::i18n::text(
                ctx.lang,
                key,
                &[("name", crate::web::i18n::Arg::Str(name))],
            );
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
            article_page(&ctx, &id, status, json!({"file_error": e})).await
        }
    }
}

/// `GET /kb/files/{id}`: a file of an article the reader may read (not
/// logged in: of a public article).
pub async fn file(TenantPage(ctx): TenantPage, Path(p): Path<HashMap<String, String>>) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let Some(req) = as_reader(
        &ctx,
        docs::DownloadArticleFileRequest {
            id,
            tenant_id: tenant_id(&ctx),
        },
    ) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let opened = ctx.state.documents.clone().download_article_file(req).await;
    let res = match opened {
        Ok(stream) => crate::routes::kb::file_response(stream.into_inner()).await,
        Err(e) => Err(e.into()),
    };
    res.unwrap_or_else(|p| crate::web::pages::requests::problem_page(&ctx, p))
}
