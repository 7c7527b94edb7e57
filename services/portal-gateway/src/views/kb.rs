//! The knowledge base (E6): articles and their comments.
use chrono::{DateTime, Utc};
use portal_proto::documents::v1 as docs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ts;

/// Who an article is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone, logged in or not.
    Public,
    /// Logged-in contacts and staff.
    Portal,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Portal => "portal",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "portal" => Some(Self::Portal),
            _ => None,
        }
    }
}

/// A comment of a contact under an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleComment {
    pub id: String,
    pub article_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: Option<DateTime<Utc>>,
    /// Hidden by staff (only staff see hidden comments).
    pub hidden: bool,
}

impl From<docs::ArticleComment> for ArticleComment {
    fn from(c: docs::ArticleComment) -> Self {
        Self {
            created_at: ts(c.created_at.as_ref()),
            id: c.id,
            article_id: c.article_id,
            author_name: c.author_name,
            body: c.body,
            hidden: c.hidden,
        }
    }
}

/// A file of an article: `GET /api/v1/kb/files/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleFile {
    pub id: String,
    pub article_id: String,
    pub name: String,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<docs::ArticleFile> for ArticleFile {
    fn from(f: docs::ArticleFile) -> Self {
        Self {
            created_at: ts(f.created_at.as_ref()),
            id: f.id,
            article_id: f.article_id,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Article {
    pub id: String,
    pub category: String,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The body as sanitised HTML, safe to show as is.
    pub html: String,
    /// `en`, `fr`, `de`, `es` or `pl`.
    pub language: String,
    pub audience: Option<Audience>,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub comments: Vec<ArticleComment>,
    /// Oldest first.
    pub files: Vec<ArticleFile>,
}

impl From<docs::Article> for Article {
    fn from(a: docs::Article) -> Self {
        Self {
            audience: Audience::parse(&a.audience),
            published_at: ts(a.published_at.as_ref()),
            updated_at: ts(a.updated_at.as_ref()),
            comments: a.comments.into_iter().map(Into::into).collect(),
            files: a.files.into_iter().map(Into::into).collect(),
            id: a.id,
            category: a.category,
            title: a.title,
            body: a.body,
            html: a.html,
            language: a.language,
            published: a.published,
        }
    }
}

/// An article in a list: its excerpt (the words found, between « and »,
/// when searching), not its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: String,
    pub category: String,
    pub title: String,
    pub excerpt: String,
    pub language: String,
    pub audience: Option<Audience>,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<docs::Article> for ArticleSummary {
    fn from(a: docs::Article) -> Self {
        Self {
            audience: Audience::parse(&a.audience),
            published_at: ts(a.published_at.as_ref()),
            id: a.id,
            category: a.category,
            title: a.title,
            excerpt: a.excerpt,
            language: a.language,
            published: a.published,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleList {
    /// Best match first when searching, else by category and title.
    pub items: Vec<ArticleSummary>,
    /// Every category of the articles the caller may read.
    pub categories: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilter {
    /// Words, found in each article's own language (plurals, accents).
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub category: Option<String>,
}

/// An article as staff write it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveArticle {
    #[schema(min_length = 1, max_length = 100)]
    pub category: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Markdown.
    #[schema(min_length = 1, max_length = 100000)]
    pub body: String,
    /// `en`, `fr`, `de`, `es` or `pl`.
    pub language: String,
    pub audience: Audience,
    /// `false`: a draft only staff see.
    pub published: bool,
}

impl SaveArticle {
    pub fn to_pb(&self, id: String) -> docs::SaveArticleRequest {
        docs::SaveArticleRequest {
            id,
            category: self.category.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            language: self.language.clone(),
            audience: self.audience.as_str().to_owned(),
            published: self.published,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
}
