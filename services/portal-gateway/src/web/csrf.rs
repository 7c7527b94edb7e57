//! CSRF protection of every form: a random per-browser token in a
//! `__Host-` cookie, repeated in a hidden field, compared in constant time.
//! Another site can make a browser send the cookie but cannot read it.
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use subtle::ConstantTimeEq;

use crate::state::AppState;
use crate::web::{cookies, render};

/// Name of the hidden field of every form.
pub const FIELD: &str = "csrf";
const BODY_LIMIT: usize = 64 * 1024;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether the form's token is the cookie's (both present and non-empty).
pub fn matches(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(c), Some(f)) if !c.is_empty() && c.len() == f.len() => {
            bool::from(c.as_bytes().ct_eq(f.as_bytes()))
        }
        _ => false,
    }
}

/// A submitted form (`application/x-www-form-urlencoded`) whose CSRF token
/// was checked. Fields are kept as pairs: checkboxes and multi-selects.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The value, untrimmed (passwords).
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// A checkbox: present (with any value but "false") means on.
    pub fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && v != "false")
    }
}

impl FromRequest<AppState> for Form {
    type Rejection = Response;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, Response> {
        Self::read(req, BODY_LIMIT).await
    }
}

impl Form {
    /// The form of `req`, up to `limit` bytes (a drawn signature is larger
    /// than the other forms), its token checked.
    pub async fn read(req: Request, limit: usize) -> Result<Self, Response> {
        let lang = render::request_lang(req.headers());
        let cookie = cookies::get(req.headers(), cookies::CSRF);
        let body = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| {
                render::error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, "error-invalid")
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| render::error_page(lang, StatusCode::BAD_REQUEST, "error-invalid"))?;
        let form = Self(pairs);
        let field = form.raw(FIELD);
        if !matches(cookie.as_deref(), Some(&field)) {
            return Err(forbidden(lang));
        }
        Ok(form)
    }
}

fn forbidden(lang: &'static str) -> Response {
    let mut res = render::error_page(lang, StatusCode::FORBIDDEN, "error-csrf");
    // A fresh token for the next try (the old page's form is stale).
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        cookies::set(cookies::CSRF, &new_token(), None),
    );
    res.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_exactly() {
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, new_token());
        assert!(matches(Some(&t), Some(&t)));
        assert!(!matches(Some(&t), Some(&t[1..])));
        assert!(!matches(Some(&t), Some(&new_token())));
        assert!(!matches(None, Some(&t)));
        assert!(!matches(Some(&t), None));
        assert!(!matches(Some(""), Some("")));
    }

    #[test]
    fn form_fields() {
        let f = Form(vec![
            ("enabled".into(), "true".into()),
            ("site_ids".into(), "a".into()),
            ("site_ids".into(), " b ".into()),
            ("site_ids".into(), "".into()),
            ("name".into(), "  Ann ".into()),
            ("off".into(), "false".into()),
        ]);
        assert!(f.flag("enabled"));
        assert!(!f.flag("off"));
        assert!(!f.flag("missing"));
        assert_eq!(f.all("site_ids"), vec!["a", "b"]);
        assert_eq!(f.get("name"), "Ann");
        assert_eq!(f.raw("name"), "  Ann ");
    }
}
