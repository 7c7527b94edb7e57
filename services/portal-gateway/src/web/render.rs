//! The page templates (minijinja, embedded at compile time) and the HTML
//! answers built from them.
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, context};

use crate::web::i18n::{self, Arg};

/// Every template, by name (also scanned by the translation tests).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("landing.html", include_str!("../../templates/landing.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "register.html",
        include_str!("../../templates/register.html"),
    ),
    ("forgot.html", include_str!("../../templates/forgot.html")),
    (
        "registration_confirm.html",
        include_str!("../../templates/registration_confirm.html"),
    ),
    (
        "secure_link.html",
        include_str!("../../templates/secure_link.html"),
    ),
    (
        "password_set.html",
        include_str!("../../templates/password_set.html"),
    ),
    ("home.html", include_str!("../../templates/home.html")),
    (
        "contacts.html",
        include_str!("../../templates/contacts.html"),
    ),
    (
        "settings.html",
        include_str!("../../templates/settings.html"),
    ),
    (
        "staff_customers.html",
        include_str!("../../templates/staff_customers.html"),
    ),
    (
        "staff_customer.html",
        include_str!("../../templates/staff_customer.html"),
    ),
    (
        "staff_contact.html",
        include_str!("../../templates/staff_contact.html"),
    ),
    (
        "staff_audit.html",
        include_str!("../../templates/staff_audit.html"),
    ),
    (
        "staff_mail.html",
        include_str!("../../templates/staff_mail.html"),
    ),
    (
        "staff_settings.html",
        include_str!("../../templates/staff_settings.html"),
    ),
    (
        "requests.html",
        include_str!("../../templates/requests.html"),
    ),
    (
        "request_new.html",
        include_str!("../../templates/request_new.html"),
    ),
    ("request.html", include_str!("../../templates/request.html")),
    (
        "staff_requests.html",
        include_str!("../../templates/staff_requests.html"),
    ),
    (
        "staff_request_settings.html",
        include_str!("../../templates/staff_request_settings.html"),
    ),
    ("board.html", include_str!("../../templates/board.html")),
    ("sites.html", include_str!("../../templates/sites.html")),
    ("quotes.html", include_str!("../../templates/quotes.html")),
    ("quote.html", include_str!("../../templates/quote.html")),
    (
        "documents.html",
        include_str!("../../templates/documents.html"),
    ),
    (
        "document.html",
        include_str!("../../templates/document.html"),
    ),
    (
        "document_new.html",
        include_str!("../../templates/document_new.html"),
    ),
    ("kb.html", include_str!("../../templates/kb.html")),
    (
        "kb_article.html",
        include_str!("../../templates/kb_article.html"),
    ),
    ("kb_form.html", include_str!("../../templates/kb_form.html")),
    (
        "invoices.html",
        include_str!("../../templates/invoices.html"),
    ),
    ("invoice.html", include_str!("../../templates/invoice.html")),
    (
        "priced_lines.html",
        include_str!("../../templates/priced_lines.html"),
    ),
    (
        "quote_new.html",
        include_str!("../../templates/quote_new.html"),
    ),
    (
        "signature_pad.html",
        include_str!("../../templates/signature_pad.html"),
    ),
    (
        "staff_import.html",
        include_str!("../../templates/staff_import.html"),
    ),
    ("site.html", include_str!("../../templates/site.html")),
    (
        "site_status.html",
        include_str!("../../templates/site_status.html"),
    ),
    (
        "site_fields.html",
        include_str!("../../templates/site_fields.html"),
    ),
    (
        "equipment_fields.html",
        include_str!("../../templates/equipment_fields.html"),
    ),
    (
        "equipment.html",
        include_str!("../../templates/equipment.html"),
    ),
    (
        "equipment_label.html",
        include_str!("../../templates/equipment_label.html"),
    ),
    (
        "technician_availability.html",
        include_str!("../../templates/technician_availability.html"),
    ),
    (
        "plan_form.html",
        include_str!("../../templates/plan_form.html"),
    ),
    (
        "work_order.html",
        include_str!("../../templates/work_order.html"),
    ),
    (
        "photo_gallery.html",
        include_str!("../../templates/photo_gallery.html"),
    ),
    ("my_day.html", include_str!("../../templates/my_day.html")),
    (
        "appointments.html",
        include_str!("../../templates/appointments.html"),
    ),
    (
        "appointment_card.html",
        include_str!("../../templates/appointment_card.html"),
    ),
];

/// Rust sources that name translation keys with `t("…")` (checked by tests).
pub const CODE: &[(&str, &str)] = &[
    ("errors.rs", include_str!("errors.rs")),
    ("ctx.rs", include_str!("ctx.rs")),
    ("pages/auth.rs", include_str!("pages/auth.rs")),
    ("pages/portal.rs", include_str!("pages/portal.rs")),
    ("pages/staff.rs", include_str!("pages/staff.rs")),
    ("pages/requests.rs", include_str!("pages/requests.rs")),
    (
        "pages/staff_requests.rs",
        include_str!("pages/staff_requests.rs"),
    ),
    ("events.rs", include_str!("events.rs")),
    ("pages/board.rs", include_str!("pages/board.rs")),
    ("pages/planning.rs", include_str!("pages/planning.rs")),
    ("pages/work_orders.rs", include_str!("pages/work_orders.rs")),
    (
        "pages/appointments.rs",
        include_str!("pages/appointments.rs"),
    ),
    ("pages/sites.rs", include_str!("pages/sites.rs")),
    ("pages/quotes.rs", include_str!("pages/quotes.rs")),
    ("pages/documents.rs", include_str!("pages/documents.rs")),
    (
        "pages/document_view.rs",
        include_str!("pages/document_view.rs"),
    ),
    ("pages/publishing.rs", include_str!("pages/publishing.rs")),
    ("pages/kb.rs", include_str!("pages/kb.rs")),
    ("pages/invoices.rs", include_str!("pages/invoices.rs")),
    ("pages/site_admin.rs", include_str!("pages/site_admin.rs")),
    ("pages/imports.rs", include_str!("pages/imports.rs")),
    ("pages/inspection.rs", include_str!("pages/inspection.rs")),
    ("pages/labels.rs", include_str!("pages/labels.rs")),
    (
        "pages/customer_admin.rs",
        include_str!("pages/customer_admin.rs"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env
});

/// A translation function for templates: `t("key", name=value, …)`.
fn translator(lang: &'static str) -> Value {
    Value::from_function(
        move |key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let mut args = Vec::new();
            for name in kwargs.args() {
                let v: Value = kwargs.get(name)?;
                let arg = match v.kind() {
                    ValueKind::Number => Arg::Num(f64::try_from(v).unwrap_or_default()),
                    _ => Arg::Str(v.to_string()),
                };
                args.push((name, arg));
            }
            Ok(i18n::text(lang, key, &args))
        },
    )
}

/// Renders `template` in `lang` with `ctx` (plus `lang`, `t` and `min_password`).
pub fn html(lang: &'static str, template: &str, ctx: Value) -> Result<String, minijinja::Error> {
    let tmpl = ENV.get_template(template)?;
    tmpl.render(context! {
        lang => lang,
        t => translator(lang),
        min_password => portal_platform::passwords::MIN_PASSWORD_CHARS,
        ..ctx
    })
}

/// The language of a page outside a session: the browser's, else English.
pub fn request_lang(headers: &HeaderMap) -> &'static str {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(i18n::negotiate)
        .unwrap_or(i18n::DEFAULT)
}

/// An HTML answer that no cache keeps (pages hold personal data).
pub fn respond(status: StatusCode, body: String) -> Response {
    let mut res = (status, Html(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A whole page that only says what went wrong.
pub fn error_page(lang: &'static str, status: StatusCode, message_key: &str) -> Response {
    let ctx = context! { title_key => "error-title", message => i18n::t(lang, message_key) };
    match html(lang, "error.html", ctx) {
        Ok(body) => respond(status, body),
        Err(e) => broken(&e),
    }
}

/// A template failed: a bare 500 (the cause goes to the log).
pub fn broken(e: &minijinja::Error) -> Response {
    tracing::error!(error = ?e, "page rendering failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!doctype html><title>500</title><h1>500</h1>"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn error_page_is_translated_and_escapes() -> Result<(), minijinja::Error> {
        let page = html(
            "de",
            "error.html",
            context! { title_key => "error-title", message => "<script>" },
        )?;
        assert!(page.contains("<html lang=\"de\""), "{page}");
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("id=\"main\""));
        Ok(())
    }
}
