//! Rules of the knowledge base, without I/O: what an article and a comment
//! must hold, how Markdown becomes HTML that is safe to show, who reads
//! which article, and how Polish words are searched.
use portal_platform::errors::{ServiceError, ServiceResult};

/// The languages an article may be written in (the portal's own).
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "pl"];
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_CATEGORY_CHARS: usize = 100;
pub const MAX_BODY_CHARS: usize = 100_000;
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// Characters of an article's text shown under its title in a list.
pub const EXCERPT_CHARS: usize = 180;

/// Who an article is for, stored as the PostgreSQL enum `kb_audience`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "kb_audience", rename_all = "snake_case")]
pub enum Audience {
    /// Anyone, logged in or not.
    Public,
    /// The provider's contacts and staff, logged in.
    Portal,
}

impl Audience {
    pub fn parse(raw: &str) -> ServiceResult<Self> {
        match raw.trim() {
            "public" => Ok(Self::Public),
            "portal" => Ok(Self::Portal),
            _ => Err(ServiceError::Invalid(
                "audience must be \"public\" or \"portal\"".into(),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Portal => "portal",
        }
    }
}

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Not logged in: published public articles.
    Anonymous,
    /// A contact (or a secure link): every published article.
    Contact,
    /// Staff: drafts too, and hidden comments.
    Staff,
}

/// Whether `reader` may read an article for `audience`, published or not.
pub fn reads(reader: Reader, audience: Audience, published: bool) -> bool {
    match reader {
        Reader::Staff => true,
        Reader::Contact => published,
        Reader::Anonymous => published && audience == Audience::Public,
    }
}

/// An article as written, checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub category: String,
    pub title: String,
    pub body: String,
    pub language: String,
    pub audience: Audience,
}

fn required(field: &str, value: &str, max: usize) -> ServiceResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is required")));
    }
    if v.chars().count() > max {
        return Err(ServiceError::Invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(v.to_owned())
}

/// Checks an article before it is saved.
pub fn draft(
    category: &str,
    title: &str,
    body: &str,
    language: &str,
    audience: &str,
) -> ServiceResult<Draft> {
    let language = language.trim().to_ascii_lowercase();
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(ServiceError::Invalid(format!(
            "language must be one of {}",
            LANGUAGES.join(", ")
        )));
    }
    Ok(Draft {
        category: required("category", category, MAX_CATEGORY_CHARS)?,
        title: required("title", title, MAX_TITLE_CHARS)?,
        body: required("body", body, MAX_BODY_CHARS)?,
        language,
        audience: Audience::parse(audience)?,
    })
}

/// A comment's text, checked.
pub fn comment(body: &str) -> ServiceResult<String> {
    required("a comment", body, MAX_COMMENT_CHARS)
}

/// Markdown to HTML a page may show as is: raw HTML, scripts, event
/// handlers and `javascript:` links are removed by the sanitiser, and
/// links open safely.
pub fn render(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// The start of an article's text, without its Markdown marks, for lists.
pub fn excerpt(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.chars().count() > EXCERPT_CHARS * 2 {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= EXCERPT_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// Where an article's file is kept: under its article, one object each.
pub fn file_blob_key(tenant_id: uuid::Uuid, article_id: uuid::Uuid, id: uuid::Uuid) -> String {
    format!("{tenant_id}/kb/{article_id}/{id}")
}

/// Polish endings stripped before a prefix search, longest first: without
/// a Polish stemmer in PostgreSQL, "pompy" then finds "pompa" and "pompie".
const POLISH_ENDINGS: [&str; 16] = [
    "ami", "ach", "owi", "ów", "om", "em", "ie", "a", "e", "i", "o", "u", "y", "ą", "ę", "ł",
];

/// A Polish search as a `to_tsquery` text: each word (letters and digits
/// only, so nothing else reaches the query syntax) cut to its stem-like
/// start and matched as a prefix; `None` without a word.
pub fn polish_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| {
            let w = w.to_lowercase();
            let stem = POLISH_ENDINGS
                .iter()
                .find_map(|e| w.strip_suffix(e).filter(|rest| rest.chars().count() >= 3))
                .unwrap_or(&w);
            format!("{stem}:*")
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_reads_what() {
        use Audience::{Portal, Public};
        use Reader::{Anonymous, Contact, Staff};
        assert!(reads(Anonymous, Public, true));
        assert!(!reads(Anonymous, Portal, true));
        assert!(!reads(Anonymous, Public, false));
        assert!(reads(Contact, Portal, true));
        assert!(!reads(Contact, Public, false), "drafts are staff's");
        assert!(reads(Staff, Portal, false));
    }

    #[test]
    fn an_article_needs_its_parts_in_a_known_language() {
        let ok = draft(
            " Boilers ",
            "Bleeding a radiator",
            "Turn the valve…",
            "FR",
            "public",
        )
        .expect("ok");
        assert_eq!(ok.category, "Boilers");
        assert_eq!(ok.language, "fr");
        assert_eq!(ok.audience, Audience::Public);
        assert!(draft("B", "T", "x", "it", "public").is_err());
        assert!(draft("B", "  ", "x", "en", "public").is_err());
        assert!(draft("B", "T", "x", "en", "everyone").is_err());
        assert!(draft("B", &"t".repeat(201), "x", "en", "portal").is_err());
        assert!(comment("  ").is_err());
        assert_eq!(comment(" Merci ").expect("ok"), "Merci");
    }

    #[test]
    fn markdown_is_rendered_without_anything_that_runs() {
        let html = render(
            "# Title\n\n**bold** [site](https://example.org) [bad](javascript:alert(1))\n\n\
             <script>alert(1)</script><img src=x onerror=alert(2)>\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(html.contains("noopener"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        for bad in ["<script", "javascript:", "onerror", "alert(2)"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn an_excerpt_is_the_plain_start_of_the_text() {
        assert_eq!(
            excerpt("# Hello\n\nSome *words* here."),
            "Hello Some words here."
        );
        let long = "word ".repeat(100);
        let e = excerpt(&long);
        assert!(
            e.ends_with('…') && e.chars().count() <= EXCERPT_CHARS + 1,
            "{e}"
        );
    }

    #[test]
    fn each_file_has_its_own_key_under_its_article() {
        let (t, a) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let key = file_blob_key(t, a, uuid::Uuid::now_v7());
        assert!(key.starts_with(&format!("{t}/kb/{a}/")), "{key}");
        assert_ne!(key, file_blob_key(t, a, uuid::Uuid::now_v7()));
    }

    #[test]
    fn polish_words_are_searched_by_their_start() {
        assert_eq!(polish_query("pompy").as_deref(), Some("pomp:*"));
        assert_eq!(
            polish_query("Kotłami gazowymi").as_deref(),
            Some("kotł:* & gazowym:*")
        );
        // Short words are kept whole; nothing of the query syntax passes.
        assert_eq!(
            polish_query("gaz & !(x|y):*").as_deref(),
            Some("gaz:* & x:* & y:*")
        );
        assert_eq!(polish_query(" ?! "), None);
    }
}
