//! The REST API's routes, one module per area.
pub mod access;
pub mod appointment_exports;
pub mod availability;
pub mod customers;
pub mod directory;
pub mod document_exports;
pub mod documents;
pub mod equipment;
pub mod equipment_exports;
pub mod exports;
pub mod health;
pub mod imports;
pub mod invoice_exports;
pub mod invoices;
pub mod kb;
pub mod operations;
pub mod pages;
pub mod photos;
pub mod private_file;
pub mod publish;
pub mod quotes;
pub mod requests;
pub mod sessions;
pub mod tickets;
pub mod work_orders;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    // Room to drain a file up to twice too large and still answer 413 cleanly.
    let upload_limit = 2 * state.max_upload_bytes + 1024 * 1024;
    let document_limit = crate::web::multipart::document_body_limit(state.max_document_bytes);
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/.well-known/jwks.json", get(sessions::jwks))
        .route("/api/v1/tenants", post(sessions::create_tenant))
        .route("/api/v1/auth/login", post(sessions::login))
        .route("/api/v1/auth/refresh", post(sessions::refresh))
        .route(
            "/api/v1/auth/invitations/accept",
            post(sessions::accept_invitation),
        )
        .route("/api/v1/auth/password-reset", post(access::request_reset))
        .route(
            "/api/v1/auth/password-reset/confirm",
            post(access::confirm_reset),
        )
        .route("/api/v1/auth/register", post(access::register))
        .route(
            "/api/v1/auth/register/confirm",
            post(access::confirm_registration),
        )
        .route("/api/v1/auth/secure-link", post(access::open_secure_link))
        .route("/api/v1/auth/logout", post(access::logout))
        .route(
            "/api/v1/auth/logout-everywhere",
            post(access::logout_everywhere),
        )
        .route("/api/v1/me", get(sessions::me).put(access::update_me))
        .route("/api/v1/me/password", post(access::change_password))
        .route("/api/v1/me/customer", post(access::switch_customer))
        .route("/api/v1/tenant", put(customers::update_tenant))
        .route("/api/v1/staff", post(customers::create_staff))
        .route("/api/v1/audit", get(customers::audit))
        .route("/api/v1/mail/deliveries", get(operations::deliveries))
        .route(
            "/api/v1/mail/deliveries/{id}/resend",
            post(operations::resend),
        )
        .route("/api/v1/parked-events", get(operations::parked))
        .route(
            "/api/v1/customers",
            post(directory::create_customer).get(customers::list),
        )
        .route(
            "/api/v1/customers/{id}",
            get(customers::detail).put(directory::update_customer),
        )
        .route(
            "/api/v1/customers/{id}/secure-links",
            post(customers::create_secure_link).get(customers::secure_links),
        )
        .route(
            "/api/v1/secure-links/{id}/revoke",
            post(customers::revoke_secure_link),
        )
        .route("/api/v1/contacts/{id}", put(customers::update_contact))
        .route(
            "/api/v1/contacts/{id}/customers",
            post(customers::add_to_customer),
        )
        .route("/api/v1/customers/{id}/sites", post(directory::create_site))
        .route("/api/v1/sites", get(equipment::list_sites))
        .route(
            "/api/v1/sites/export.csv",
            get(equipment_exports::sites_csv),
        )
        .route(
            "/api/v1/sites/export.xlsx",
            get(equipment_exports::sites_xlsx),
        )
        .route(
            "/api/v1/equipment/export.csv",
            get(equipment_exports::equipment_csv),
        )
        .route(
            "/api/v1/equipment/export.xlsx",
            get(equipment_exports::equipment_xlsx),
        )
        .route(
            "/api/v1/sites/{id}",
            get(equipment::site).put(equipment::update_site),
        )
        .route("/api/v1/sites/{id}/summary", get(equipment::summary))
        .route(
            "/api/v1/sites/{id}/inspection-plans",
            post(equipment::create_plan).get(equipment::plans),
        )
        .route(
            "/api/v1/inspection-plans/{id}/stop",
            post(equipment::stop_plan),
        )
        .route(
            "/api/v1/sites/{id}/equipment",
            post(equipment::create).get(equipment::site_equipment),
        )
        .route("/api/v1/equipment", get(equipment::list))
        .route(
            "/api/v1/imports/{kind}",
            post(imports::import).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/v1/equipment/{id}",
            get(equipment::detail).put(equipment::update),
        )
        .route(
            "/api/v1/equipment-settings",
            get(equipment::settings).put(equipment::update_settings),
        )
        .route(
            "/api/v1/work-orders/{id}/inspection-results",
            post(equipment::record).get(equipment::results),
        )
        .route(
            "/api/v1/customers/{id}/contacts",
            post(directory::create_contact).get(customers::contacts),
        )
        .route("/api/v1/customers/{id}/portal", put(directory::set_portal))
        .route("/api/v1/contacts/{id}/invitation", post(directory::invite))
        .route(
            "/api/v1/requests",
            post(requests::create).get(requests::list),
        )
        .route("/api/v1/requests/counts", get(tickets::counts))
        .route("/api/v1/requests/export.csv", get(exports::csv))
        .route("/api/v1/requests/export.xlsx", get(exports::xlsx))
        .route("/api/v1/requests/{id}", get(requests::detail))
        .route(
            "/api/v1/requests/{id}/comments",
            post(tickets::comment).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/requests/{id}/assign", post(tickets::assign))
        .route("/api/v1/requests/{id}/close", post(tickets::close))
        .route(
            "/api/v1/request-settings",
            get(tickets::settings).put(tickets::update_settings),
        )
        .route("/api/v1/requests/{id}/accept", post(requests::accept))
        .route("/api/v1/requests/{id}/reject", post(requests::reject))
        .route(
            "/api/v1/requests/{id}/attachments",
            post(requests::upload)
                .get(requests::attachments)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/attachments/{id}/content", get(requests::download))
        .route(
            "/api/v1/documents",
            get(documents::list)
                .post(documents::publish)
                .layer(DefaultBodyLimit::max(document_limit)),
        )
        .route("/api/v1/documents/{id}", get(documents::detail))
        .route("/api/v1/kb/articles", get(kb::list).post(kb::create))
        .route("/api/v1/kb/articles/{id}", get(kb::get).put(kb::update))
        .route("/api/v1/kb/articles/{id}/comments", post(kb::comment))
        .route("/api/v1/kb/comments/{id}/hide", post(kb::hide))
        .route(
            "/api/v1/kb/articles/{id}/files",
            post(kb::add_file).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/kb/files/{id}", get(kb::file))
        .route(
            "/api/v1/documents/{id}/versions",
            post(documents::add_version).layer(DefaultBodyLimit::max(document_limit)),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/content",
            get(documents::version_content),
        )
        .route("/api/v1/documents/export.csv", get(document_exports::csv))
        .route("/api/v1/documents/export.xlsx", get(document_exports::xlsx))
        .route("/api/v1/documents/{id}/content", get(documents::content))
        .route("/api/v1/quotes", post(quotes::create).get(quotes::list))
        .route("/api/v1/quotes/{id}", get(quotes::get))
        .route("/api/v1/quotes/{id}/accept", post(quotes::accept))
        .route("/api/v1/quotes/{id}/decline", post(quotes::decline))
        .route(
            "/api/v1/invoices",
            post(invoices::create).get(invoices::list),
        )
        .route("/api/v1/invoices/export.csv", get(invoice_exports::csv))
        .route("/api/v1/invoices/export.xlsx", get(invoice_exports::xlsx))
        .route("/api/v1/invoices/{id}", get(invoices::get))
        .route("/api/v1/invoices/{id}/finalize", post(invoices::finalize))
        .route("/api/v1/invoices/{id}/paid", post(invoices::paid))
        .route("/api/v1/work-orders", get(work_orders::list))
        .route("/api/v1/work-orders/{id}", get(work_orders::detail))
        .route(
            "/api/v1/work-orders/{id}/schedule",
            post(work_orders::schedule),
        )
        .route(
            "/api/v1/work-orders/{id}/unschedule",
            post(work_orders::unschedule),
        )
        .route("/api/v1/work-orders/{id}/start", post(work_orders::start))
        .route(
            "/api/v1/work-orders/{id}/complete",
            post(work_orders::complete),
        )
        .route("/api/v1/work-orders/{id}/cancel", post(work_orders::cancel))
        .route(
            "/api/v1/work-orders/{id}/photos",
            post(photos::upload)
                .get(photos::photos)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/v1/work-orders/{id}/photos/{photo_id}",
            get(photos::photo),
        )
        .route(
            "/api/v1/technicians/{id}/availability",
            get(availability::availability),
        )
        .route(
            "/api/v1/technicians/{id}/working-hours",
            put(availability::set_working_hours),
        )
        .route(
            "/api/v1/technicians/{id}/absences",
            post(availability::add_absence),
        )
        .route(
            "/api/v1/technicians/{id}/absences/{absence_id}",
            delete(availability::delete_absence),
        )
        .route(
            "/api/v1/working-hours",
            put(availability::set_default_hours),
        )
        .route("/api/v1/appointments", get(work_orders::appointments))
        .route(
            "/api/v1/appointments/export.csv",
            get(appointment_exports::csv),
        )
        .route(
            "/api/v1/appointments/export.xlsx",
            get(appointment_exports::xlsx),
        )
        .route(
            "/api/v1/appointments/{work_order_id}/calendar.ics",
            get(work_orders::calendar),
        )
        .merge(crate::web::router(
            state.max_upload_bytes,
            state.max_document_bytes,
        ))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .with_state(state)
}
