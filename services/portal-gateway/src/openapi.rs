//! The OpenAPI 3.1 document of the REST API, served at /api/openapi.json.
//!
//! Each handler's `#[utoipa::path]` names its path parameters, its body and
//! the answers its own logic gives (403, 404, 409, ...). The answers that
//! come from the extractors every handler shares are added here, from what
//! the operation takes, so that no operation can forget them: a body or a
//! parameter can be refused (400, and 413/415/422 for JSON bodies), a
//! bearer token can be refused (401), and a service can be unavailable
//! (503). Every error is `application/problem+json`.
use axum::Json;
use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    access, appointment_exports, availability, customers, directory, document_exports, documents,
    equipment, equipment_exports, exports, imports, invoice_exports, invoices, kb, operations,
    photos, quotes, requests, sessions, tickets, work_orders,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Portal API", description = "The customer portal for service businesses."),
    paths(
        sessions::create_tenant, sessions::login, sessions::refresh, sessions::accept_invitation, sessions::me,
        directory::create_customer, directory::create_site, directory::create_contact, directory::set_portal,
        directory::invite, directory::update_customer,
        access::request_reset, access::confirm_reset, access::register, access::confirm_registration,
        access::open_secure_link, access::logout, access::logout_everywhere, access::change_password,
        access::update_me, access::switch_customer,
        customers::list, customers::detail, customers::contacts, customers::update_contact,
        customers::add_to_customer, customers::update_tenant, customers::create_secure_link,
        customers::secure_links, customers::revoke_secure_link, customers::audit, customers::create_staff,
        requests::create, requests::list, requests::detail, requests::accept, requests::reject,
        requests::upload, requests::attachments, requests::download,
        tickets::comment, tickets::assign, tickets::close, tickets::counts, tickets::settings,
        tickets::update_settings, exports::csv, exports::xlsx,
        work_orders::list, work_orders::detail, work_orders::schedule, work_orders::unschedule,
        work_orders::start, work_orders::complete, work_orders::cancel, work_orders::appointments,
        work_orders::calendar, appointment_exports::csv, appointment_exports::xlsx,
        photos::upload, photos::photos, photos::photo,
        documents::list, documents::content, documents::publish, documents::detail,
        documents::add_version, documents::version_content, kb::list, kb::create, kb::get,
        kb::update, kb::comment, kb::hide, kb::add_file, kb::file, document_exports::csv, document_exports::xlsx, quotes::create, quotes::list, quotes::get, quotes::accept, quotes::decline,
        invoices::create, invoices::list, invoices::get, invoices::finalize, invoices::paid,
        invoice_exports::csv, invoice_exports::xlsx,
        availability::availability, availability::set_working_hours, availability::set_default_hours,
        availability::add_absence, availability::delete_absence,
        operations::deliveries, operations::resend, operations::parked,
        equipment::list_sites, equipment::site, equipment::update_site, equipment::summary,
        equipment::create, equipment::site_equipment, equipment::list, equipment::detail,
        equipment::update, equipment::record, equipment::results, equipment::settings,
        equipment::update_settings, equipment::create_plan, equipment::plans, equipment::stop_plan,
        equipment_exports::equipment_csv, equipment_exports::equipment_xlsx,
        equipment_exports::sites_csv, equipment_exports::sites_xlsx, imports::import,
    ),
    // Named only by query parameters, which utoipa does not collect.
    components(schemas(
        crate::views::RequestStatus, crate::views::RequestSort, crate::views::WorkOrderStatus,
        crate::views::AppointmentsWhen, crate::views::DocumentKind,
        crate::views::DeliveryStatus
    )),
    modifiers(&Conventions)
)]
pub struct ApiDoc;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The security schemes and the answers every operation shares.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from /api/v1/auth/login (or refresh, \
                         invitation, reset, registration, secure link).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "operator",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The deployment's PORTAL_OPERATOR_TOKEN."))
                    .build(),
            ),
        );
        for item in openapi.paths.paths.values_mut() {
            for op in operations_mut(item) {
                add_shared_answers(op);
            }
        }
        // The closing note is optional: an empty body closes without one.
        if let Some(close) = openapi
            .paths
            .paths
            .get_mut("/api/v1/requests/{id}/close")
            .and_then(|item| item.post.as_mut())
            && let Some(RefOr::T(body)) = close.request_body.as_mut()
        {
            body.required = Some(Required::False);
        }
    }
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The security requirement names of an operation (`bearer`, `operator`).
pub fn security_names(op: &Operation) -> Vec<String> {
    op.security
        .iter()
        .flatten()
        .filter_map(|req| serde_json::to_value(req).ok())
        .filter_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .flatten()
        .collect()
}

fn json_body(body: &RefOr<RequestBody>) -> bool {
    matches!(body, RefOr::T(b) if b.content.contains_key("application/json"))
}

fn add_shared_answers(op: &mut Operation) {
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let body = op.request_body.as_ref();
    let json = body.is_some_and(json_body);
    let security = security_names(op);
    let mut shared: Vec<(StatusCode, &str)> = Vec::new();
    if has_params || body.is_some() {
        shared.push((
            StatusCode::BAD_REQUEST,
            "invalid input: a malformed parameter or body, or a value the service refuses",
        ));
    }
    if json {
        shared.extend([
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is over the size limit",
            ),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body is not sent as application/json",
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "the JSON does not have the documented shape (a missing field, a wrong type)",
            ),
        ]);
    }
    if !security.is_empty() {
        shared.push((
            StatusCode::UNAUTHORIZED,
            "no token, or an invalid or expired one",
        ));
    }
    shared.push((
        StatusCode::SERVICE_UNAVAILABLE,
        "a service behind the gateway is unavailable; try again shortly",
    ));
    for (status, description) in shared {
        op.responses
            .responses
            .entry(status.as_str().to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
    for (code, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.description.is_empty() {
            response.description = code
                .parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("answer")
                .to_owned();
        }
        // Refusals are RFC 9457 problems, whatever the annotation said.
        if code.starts_with('4') || code.starts_with('5') {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            }
            if response.content.is_empty() {
                response
                    .content
                    .insert(PROBLEM_JSON.to_owned(), problem_content());
            }
        }
        if code == "429" {
            response
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| {
                    let mut header = utoipa::openapi::header::Header::new(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    );
                    header.description = Some("seconds to wait before trying again".to_owned());
                    RefOr::T(header)
                });
        }
    }
}

fn problem_content() -> RefOr<Content> {
    RefOr::T(Content::new(Some(Ref::from_schema_name("Problem"))))
}

fn problem_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response
        .content
        .insert(PROBLEM_JSON.to_owned(), problem_content());
    response
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use serde_json::Value;

    use super::*;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("the document serializes")
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                ops.push((method.to_uppercase(), path.clone(), op));
            }
        }
        ops
    }

    fn template_names(path: &str) -> BTreeSet<String> {
        path.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    #[test]
    fn every_path_template_has_its_parameter_and_no_other() {
        let doc = document();
        let mut wrong = Vec::new();
        for (method, path, op) in operations(&doc) {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: BTreeSet<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            if declared != template_names(&path) {
                wrong.push(format!("{method} {path}: path parameters {declared:?}"));
            }
            for p in &params {
                if p["in"] == "path" && p["required"] != true {
                    wrong.push(format!("{method} {path}: {} is not required", p["name"]));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_operation_documents_its_refusals_as_problems() {
        let doc = document();
        let mut wrong = Vec::new();
        for (method, path, op) in operations(&doc) {
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            let errors: Vec<_> = responses
                .iter()
                .filter(|(code, _)| code.starts_with('4') || code.starts_with('5'))
                .collect();
            if !errors.iter().any(|(code, _)| code.starts_with('4')) {
                wrong.push(format!("{method} {path}: no 4xx answer"));
            }
            for (code, response) in errors {
                let schema = &response["content"][PROBLEM_JSON]["schema"]["$ref"];
                if schema != "#/components/schemas/Problem"
                    || response["content"].as_object().map(|c| c.len()) != Some(1)
                {
                    wrong.push(format!(
                        "{method} {path}: {code} is not only a problem+json Problem"
                    ));
                }
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured && !responses.contains_key("401") {
                wrong.push(format!("{method} {path}: secured but no 401"));
            }
            if (op.get("requestBody").is_some() || op.get("parameters").is_some())
                && !responses.contains_key("400")
            {
                wrong.push(format!("{method} {path}: takes input but no 400"));
            }
            if responses.contains_key("500") {
                wrong.push(format!("{method} {path}: a 500 is a bug, not an answer"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn operation_ids_are_unique_and_queries_are_queries() {
        let doc = document();
        let mut seen = HashSet::new();
        for (method, path, op) in operations(&doc) {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(seen.insert(id.clone()), "operationId {id} is used twice");
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{}}}", p["name"].as_str().unwrap_or_default())),
                        "{method} {path}: {} is declared in the path but is not in it",
                        p["name"]
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        out.push(r);
                    }
                    map.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        let schemas = &doc["components"]["schemas"];
        let missing: Vec<_> = found
            .into_iter()
            .filter(|r| {
                r.strip_prefix("#/components/schemas/")
                    .is_none_or(|name| schemas.get(name).is_none())
            })
            .collect();
        assert!(missing.is_empty(), "unresolvable: {missing:?}");
    }

    /// Every route of the API is in the document, and only those.
    #[test]
    fn the_document_lists_every_api_route() {
        let doc = document();
        let documented: BTreeSet<String> = operations(&doc)
            .into_iter()
            .map(|(method, path, _)| format!("{method} {path}"))
            .collect();
        let source = include_str!("routes/mod.rs");
        let mut routed = BTreeSet::new();
        let mut path: Option<String> = None;
        let methods = ["get", "post", "put", "delete", "patch"];
        for line in source.lines().map(str::trim) {
            // A route's methods follow its path up to the next builder call.
            let chained = methods
                .iter()
                .chain(&["layer"])
                .any(|m| line.starts_with(&format!(".{m}(")));
            if line.starts_with('.') && !chained {
                path = None;
            }
            let quoted = line.strip_prefix(".route(").unwrap_or(line);
            if let Some(rest) = quoted.strip_prefix("\"/api/v1") {
                path = rest.split('"').next().map(|p| format!("/api/v1{p}"));
            }
            let Some(p) = &path else { continue };
            for method in methods {
                if line.contains(&format!("{method}(")) {
                    routed.insert(format!("{} {p}", method.to_uppercase()));
                }
            }
        }
        assert_eq!(documented, routed);
    }
}
