//! The web portal: server-rendered pages for contacts and staff, in five
//! languages, with CSRF-checked forms that work without JavaScript.
pub mod assets;
pub mod audit_names;
pub mod cookies;
pub mod csrf;
pub mod ctx;
pub mod errors;
pub mod events;
pub mod i18n;
pub mod map;
pub mod multipart;
pub mod pages;
pub mod render;
pub mod session;
pub mod tenant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;
use pages::{
    appointments, auth, availability, board, customer_admin, document_view, documents, imports,
    inspection, invoices, kb, labels, mail, my_day, portal, publishing, quotes, requests,
    site_admin, sites, staff, staff_requests, work_orders,
};

/// Routes of the HTML pages (merged beside the REST API). A tenant's pages
/// exist twice: under `/t/<slug>` (any host) and at the root of its own
/// host name (`<slug>.<base domain>`); `/` itself is `pages::home`.
pub fn router(max_upload_bytes: usize, max_document_bytes: usize) -> Router<AppState> {
    let upload_body = multipart::body_limit(max_upload_bytes);
    let document_body = multipart::document_body_limit(max_document_bytes);
    let mut r = Router::new()
        .route("/static/{file}", get(assets::serve))
        .route(
            "/invitations/accept",
            get(auth::invitation_form).post(auth::invitation_accept),
        )
        .route(
            "/password-reset",
            get(auth::reset_form).post(auth::reset_confirm),
        )
        .route(
            "/registrations/confirm",
            get(auth::registration_form).post(auth::registration_confirm),
        )
        .route("/link", get(auth::secure_link).post(auth::secure_link_open))
        .route("/t/{slug}", get(portal::to_home))
        .route("/t/{slug}/", get(portal::home))
        .route("/t/{slug}/{*rest}", get(portal::not_found));
    for prefix in ["/t/{slug}", ""] {
        let at = |path: &str| format!("{prefix}{path}");
        r = r
            .route(&at("/login"), get(auth::login_form).post(auth::login))
            .route(&at("/logout"), post(auth::logout))
            .route(
                &at("/register"),
                get(auth::register_form).post(auth::register),
            )
            .route(
                &at("/password/forgot"),
                get(auth::forgot_form).post(auth::forgot),
            )
            .route(&at("/switch"), post(portal::switch))
            .route(&at("/contacts"), get(portal::contacts))
            .route(
                &at("/settings"),
                get(portal::settings).post(portal::save_settings),
            )
            .route(&at("/settings/password"), post(portal::change_password))
            .route(
                &at("/settings/logout-everywhere"),
                post(portal::logout_everywhere),
            )
            .route(
                &at("/staff/customers"),
                get(staff::customers).post(customer_admin::create_customer),
            )
            .route(
                &at("/staff/import"),
                get(imports::form)
                    .post(imports::submit)
                    .layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(
                &at("/staff/customers/{id}/sites"),
                post(customer_admin::create_site),
            )
            .route(
                &at("/staff/customers/{id}/contacts"),
                post(customer_admin::create_contact),
            )
            .route(
                &at("/staff/customers/{id}"),
                get(staff::customer).post(customer_admin::update_customer),
            )
            .route(
                &at("/staff/customers/{id}/members"),
                post(customer_admin::add_member),
            )
            .route(&at("/staff/customers/{id}/portal"), post(staff::set_portal))
            .route(
                &at("/staff/customers/{id}/secure-links"),
                post(staff::create_link),
            )
            .route(
                &at("/staff/customers/{id}/secure-links/{link_id}/revoke"),
                post(staff::revoke_link),
            )
            .route(
                &at("/staff/contacts/{id}"),
                get(staff::contact).post(staff::update_contact),
            )
            .route(&at("/staff/contacts/{id}/invite"), post(staff::invite))
            .route(&at("/requests"), get(requests::list))
            // Multipart forms with files: `web::multipart` limits them as they stream.
            .route(
                &at("/requests/new"),
                get(requests::new_form)
                    .post(requests::create)
                    .layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(&at("/requests/export.csv"), get(requests::export_csv))
            .route(&at("/requests/export.xlsx"), get(requests::export_xlsx))
            .route(&at("/requests/{id}"), get(requests::detail))
            .route(
                &at("/requests/{id}/comments"),
                post(requests::comment).layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(&at("/requests/{id}/close"), post(requests::close))
            .route(
                &at("/requests/{id}/attachments"),
                post(requests::upload).layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(&at("/requests/{id}/events"), get(events::stream))
            .route(&at("/attachments/{id}"), get(requests::download))
            .route(&at("/staff/requests"), get(staff_requests::inbox))
            .route(&at("/staff/requests/{id}"), get(staff_requests::detail))
            .route(
                &at("/staff/requests/{id}/assign"),
                post(staff_requests::assign),
            )
            .route(
                &at("/staff/requests/{id}/accept"),
                post(staff_requests::accept),
            )
            .route(
                &at("/staff/requests/{id}/reject"),
                post(staff_requests::reject),
            )
            .route(
                &at("/staff/request-settings"),
                get(staff_requests::settings).post(staff_requests::save_settings),
            )
            .route(&at("/board"), get(board::board).post(board::plan))
            .route(
                &at("/technicians/{id}/availability"),
                get(availability::show),
            )
            .route(
                &at("/technicians/{id}/working-hours"),
                post(availability::set_hours),
            )
            .route(
                &at("/technicians/{id}/absences"),
                post(availability::add_absence),
            )
            .route(
                &at("/technicians/{id}/absences/{absence_id}/delete"),
                post(availability::delete_absence),
            )
            .route(&at("/my-day"), get(my_day::my_day))
            .route(&at("/work-orders/{id}"), get(work_orders::detail))
            .route(
                &at("/work-orders/{id}/schedule"),
                post(work_orders::schedule),
            )
            .route(
                &at("/work-orders/{id}/unschedule"),
                post(work_orders::unschedule),
            )
            .route(&at("/work-orders/{id}/start"), post(work_orders::start))
            .route(
                &at("/work-orders/{id}/inspection"),
                post(inspection::record),
            )
            .route(
                &at("/work-orders/{id}/complete"),
                post(work_orders::complete),
            )
            .route(&at("/work-orders/{id}/cancel"), post(work_orders::cancel))
            .route(
                &at("/work-orders/{id}/photos"),
                post(work_orders::add_photos).layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(
                &at("/work-orders/{id}/photos/{photo_id}"),
                get(work_orders::photo),
            )
            .route(&at("/appointments"), get(appointments::appointments))
            .route(&at("/sites"), get(sites::sites))
            .route(&at("/sites/go"), get(sites::go))
            .route(&at("/sites/export.csv"), get(sites::sites_csv))
            .route(&at("/sites/export.xlsx"), get(sites::sites_xlsx))
            .route(&at("/sites/{id}/equipment.csv"), get(sites::equipment_csv))
            .route(
                &at("/sites/{id}/equipment.xlsx"),
                get(sites::equipment_xlsx),
            )
            .route(
                &at("/sites/{id}"),
                get(sites::site).post(site_admin::update_site),
            )
            .route(
                &at("/sites/{id}/equipment"),
                post(site_admin::create_equipment),
            )
            .route(
                &at("/sites/{id}/inspection-plans"),
                post(site_admin::create_plan),
            )
            .route(
                &at("/inspection-plans/{id}/stop"),
                post(site_admin::stop_plan),
            )
            .route(
                &at("/equipment/{id}"),
                get(sites::equipment).post(site_admin::update_equipment),
            )
            .route(&at("/equipment/{id}/label"), get(labels::label))
            .route(&at("/equipment/{id}/qr.svg"), get(labels::qr))
            .route(
                &at("/appointments/{id}/calendar.ics"),
                get(appointments::calendar),
            )
            .route(
                &at("/documents"),
                get(documents::list)
                    .post(publishing::publish)
                    .layer(DefaultBodyLimit::max(document_body)),
            )
            .route(&at("/documents/new"), get(publishing::new_form))
            .route(&at("/kb"), get(kb::list).post(kb::create))
            .route(&at("/kb/new"), get(kb::new_form))
            .route(&at("/kb/{id}"), get(kb::show).post(kb::update))
            .route(&at("/kb/{id}/edit"), get(kb::edit_form))
            .route(&at("/kb/{id}/comments"), post(kb::comment))
            .route(&at("/kb/comments/{id}/hide"), post(kb::hide))
            .route(
                &at("/kb/{id}/files"),
                post(kb::add_file).layer(DefaultBodyLimit::max(upload_body)),
            )
            .route(&at("/kb/files/{id}"), get(kb::file))
            .route(&at("/documents/{id}/preview"), get(document_view::show))
            .route(&at("/documents/{id}/inline"), get(document_view::inline))
            .route(
                &at("/documents/{id}/versions"),
                post(publishing::new_version).layer(DefaultBodyLimit::max(document_body)),
            )
            .route(
                &at("/documents/{id}/versions/{version}"),
                get(document_view::version),
            )
            .route(&at("/documents/export.csv"), get(documents::export_csv))
            .route(&at("/documents/export.xlsx"), get(documents::export_xlsx))
            .route(&at("/documents/{id}"), get(appointments::document))
            .route(&at("/quotes"), get(quotes::list).post(quotes::create))
            .route(&at("/quotes/new"), get(quotes::new_form))
            .route(&at("/quotes/{id}"), get(quotes::show))
            .route(&at("/quotes/{id}/accept"), post(quotes::accept))
            .route(&at("/quotes/{id}/decline"), post(quotes::decline))
            .route(&at("/quotes/{id}/invoice"), post(invoices::from_quote))
            .route(&at("/invoices"), get(invoices::list).post(invoices::create))
            .route(&at("/invoices/new"), get(invoices::new_form))
            .route(&at("/invoices/export.csv"), get(invoices::export_csv))
            .route(&at("/invoices/export.xlsx"), get(invoices::export_xlsx))
            .route(&at("/invoices/{id}"), get(invoices::show))
            .route(&at("/invoices/{id}/finalize"), post(invoices::finalize))
            .route(&at("/invoices/{id}/paid"), post(invoices::paid))
            .route(&at("/staff/audit"), get(staff::audit))
            .route(&at("/staff/mail"), get(mail::show))
            .route(&at("/staff/mail/{id}/resend"), post(mail::resend))
            .route(
                &at("/staff/settings"),
                get(staff::tenant_settings).post(staff::save_tenant_settings),
            );
    }
    r
}
