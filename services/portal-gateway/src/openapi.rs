//! The OpenAPI 3.1 document of the REST API, served at /api/openapi.json.
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    access, customers, directory, exports, requests, sessions, tickets, work_orders,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Portal API", description = "The customer portal for service businesses."),
    paths(
        sessions::create_tenant, sessions::login, sessions::refresh, sessions::accept_invitation, sessions::me,
        directory::create_customer, directory::create_site, directory::create_contact, directory::set_portal,
        directory::invite,
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
        work_orders::list,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer =
            || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        components.add_security_scheme("bearer", bearer());
        components.add_security_scheme("operator", bearer());
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
