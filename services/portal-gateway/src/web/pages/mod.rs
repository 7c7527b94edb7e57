//! The page handlers, by audience.
pub mod appointments;
pub mod auth;
pub mod availability;
pub mod board;
pub mod customer_admin;
pub mod document_view;
pub mod documents;
pub mod imports;
pub mod inspection;
pub mod invoices;
pub mod kb;
pub mod labels;
pub mod mail;
pub mod my_day;
pub mod places;
pub mod planning;
pub mod portal;
pub mod publishing;
pub mod quotes;
pub mod requests;
pub mod site_admin;
pub mod sites;
pub mod staff;
pub mod staff_requests;
pub mod work_orders;

use std::collections::HashMap;

use axum::response::Response;
use serde_json::json;

use crate::web::ctx::Ctx;
use crate::web::errors::{self, Action};

/// One query parameter of a raw query string.
pub fn query(raw: Option<&str>, name: &str) -> String {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(n, _)| n == name))
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// A path parameter (`id`, `link_id`); ids are UUIDs, anything else is refused
/// so that it never ends up in a redirect.
pub fn param(params: &HashMap<String, String>, name: &str) -> Option<String> {
    params
        .get(name)
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .filter(|v| v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        .cloned()
}

/// A form page again, with the error of `status` beside the form.
pub fn with_error(
    ctx: &Ctx,
    template: &str,
    action: Action,
    s: &tonic::Status,
    mut values: serde_json::Value,
) -> Response {
    let e = errors::shown(ctx.lang, action, s);
    if let Some(v) = values.as_object_mut() {
        v.insert("error".into(), json!(e.message));
    }
    let mut res = ctx.page(e.status, template, values);
    if let Some(secs) = e.retry_after
        && let Ok(v) = secs.to_string().parse()
    {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_params() {
        assert_eq!(query(Some("token=a%2Bb&x=1"), "token"), "a+b");
        assert_eq!(query(None, "token"), "");
        let mut p = HashMap::new();
        p.insert("id".to_owned(), "0192f0aa-1b2c".to_owned());
        p.insert("bad".to_owned(), "//evil.example".to_owned());
        assert_eq!(param(&p, "id").as_deref(), Some("0192f0aa-1b2c"));
        assert_eq!(param(&p, "bad"), None);
        assert_eq!(param(&p, "none"), None);
    }
}
