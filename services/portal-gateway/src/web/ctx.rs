//! What every page handler starts from: the tenant (host or path), the
//! session from the cookies, the language, the CSRF token, and the answers
//! (pages, redirects, error pages) that carry the cookies to set.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portal_platform::permissions::Permission;
use portal_platform::zone::Zone;
use portal_proto::identity::v1 as pb;
use serde_json::{Value, json};

use crate::extract::{Caller, ClientIp};
use crate::state::AppState;
use crate::web::errors::{self, Action};
use crate::web::{assets, cookies, csrf, i18n, render, tenant};

/// A logged-in browser: the checked token and the account's facts.
pub struct Session {
    pub caller: Caller,
    pub me: pb::Me,
}

impl Session {
    pub fn is_staff(&self) -> bool {
        self.me.kind == "staff"
    }

    pub fn is_admin(&self) -> bool {
        self.is_staff() && self.me.roles.iter().any(|r| r == "admin")
    }

    /// Admins and dispatchers change the directory, hand out access and
    /// decide requests (identity's and requests' role tables); the pages
    /// offer those forms to them only.
    pub fn is_manager(&self) -> bool {
        self.is_staff()
            && self
                .me
                .roles
                .iter()
                .any(|r| r == "admin" || r == "dispatcher")
    }
}

pub struct Ctx {
    pub state: AppState,
    pub ip: ClientIp,
    pub lang: &'static str,
    pub csrf: String,
    /// The tenant named by the host or the path, if any.
    pub tenant: Option<pb::TenantInfo>,
    /// Prefix of the tenant's pages: `/t/<slug>`, or empty on its own host.
    pub base: String,
    pub host_tenant: Option<String>,
    /// `https://<host>` as the browser named it (links printed on paper:
    /// equipment labels); empty when the host is not a plain name.
    pub origin: String,
    pub session: Option<Session>,
    /// The refresh cookie (logout revokes it).
    pub refresh_token: Option<String>,
    pub device_token: Option<String>,
    flash: Option<String>,
    /// `Set-Cookie` values every answer of this request carries.
    cookies: Vec<HeaderValue>,
    /// Pages whose URL holds a secret send no `Referer` anywhere.
    pub no_referrer: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ip = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let browser_lang = render::request_lang(&parts.headers);
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.host())
            .unwrap_or_default();
        let host_tenant = tenant::from_host(host, &state.base_domain);
        // HTTP/2 names the host in `:authority` (the URI), with its port.
        let authority = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or_default();
        let origin = if !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            format!("https://{authority}")
        } else {
            String::new()
        };
        let path_tenant = tenant::from_path(parts.uri.path()).map(str::to_owned);
        if parts.uri.path().starts_with("/t/") && path_tenant.is_none() {
            return Err(render::error_page(
                browser_lang,
                StatusCode::NOT_FOUND,
                "error-tenant-unknown",
            ));
        }
        let slug = path_tenant.or_else(|| host_tenant.clone());
        let tenant = match &slug {
            None => None,
            Some(slug) => {
                let req = ip.request(pb::GetTenantInfoRequest { slug: slug.clone() });
                match state.identity.clone().get_tenant_info(req).await {
                    Ok(t) => Some(t.into_inner()),
                    Err(s) if s.code() == tonic::Code::NotFound => {
                        return Err(render::error_page(
                            browser_lang,
                            StatusCode::NOT_FOUND,
                            "error-tenant-unknown",
                        ));
                    }
                    Err(s) => {
                        let e = errors::shown(browser_lang, Action::Other, &s);
                        return Err(render::error_page(
                            browser_lang,
                            e.status,
                            "error-unavailable",
                        ));
                    }
                }
            }
        };
        let base = slug
            .as_deref()
            .map(|s| tenant::base_path(host_tenant.as_deref(), s))
            .unwrap_or_default();
        let session = session(state, parts, &ip, slug.as_deref()).await;
        let lang = session
            .as_ref()
            .and_then(|s| i18n::supported(&s.me.language))
            .unwrap_or(browser_lang);
        let mut set = Vec::new();
        let csrf = match cookies::get(&parts.headers, cookies::CSRF) {
            Some(t) => t,
            None => {
                let t = csrf::new_token();
                set.push(cookies::set(cookies::CSRF, &t, None));
                t
            }
        };
        let flash = cookies::get(&parts.headers, cookies::FLASH)
            .filter(|k| k.starts_with("flash-") && k.len() < 64);
        if flash.is_some() {
            set.push(cookies::clear(cookies::FLASH));
        }
        Ok(Self {
            state: state.clone(),
            ip,
            lang,
            csrf,
            tenant,
            base,
            host_tenant,
            origin,
            session,
            refresh_token: cookies::get(&parts.headers, cookies::REFRESH),
            device_token: cookies::get(&parts.headers, cookies::DEVICE),
            flash,
            cookies: set,
            no_referrer: false,
        })
    }
}

/// The session of the access cookie, if it is valid and of this tenant.
async fn session(
    state: &AppState,
    parts: &Parts,
    ip: &ClientIp,
    slug: Option<&str>,
) -> Option<Session> {
    let token = cookies::get(&parts.headers, cookies::ACCESS)?;
    let caller = Caller::verify(state, token, ip.clone()).await.ok()?;
    let me = state
        .identity
        .clone()
        .get_me(caller.request(pb::GetMeRequest {}))
        .await
        .ok()?
        .into_inner();
    // A session of another tenant (path form, one host) is not one here.
    if slug.is_some_and(|s| s != me.tenant) {
        return None;
    }
    Some(Session { caller, me })
}

impl Ctx {
    /// The tenant's clock, on which pages read and take times.
    pub fn zone(&self) -> Zone {
        self.tenant
            .as_ref()
            .map_or(Zone::UTC, |t| Zone::or_utc(&t.time_zone))
    }

    pub fn slug(&self) -> &str {
        self.tenant.as_ref().map_or("", |t| t.slug.as_str())
    }

    /// Adds a `Set-Cookie` to whatever this request answers.
    pub fn set_cookie(&mut self, v: HeaderValue) {
        self.cookies.push(v);
    }

    /// Stores a fresh token pair in the browser.
    pub fn set_tokens(&mut self, pair: &pb::TokenPair) {
        let access_age = pair.expires_in.max(60);
        self.set_cookie(cookies::set(
            cookies::ACCESS,
            &pair.access_token,
            Some(access_age),
        ));
        self.set_cookie(cookies::set(
            cookies::REFRESH,
            &pair.refresh_token,
            Some(cookies::REFRESH_MAX_AGE),
        ));
        if !pair.device_token.is_empty() {
            self.set_cookie(cookies::set(
                cookies::DEVICE,
                &pair.device_token,
                Some(cookies::DEVICE_MAX_AGE),
            ));
        }
    }

    pub fn clear_tokens(&mut self) {
        self.set_cookie(cookies::clear(cookies::ACCESS));
        self.set_cookie(cookies::clear(cookies::REFRESH));
    }

    /// The message shown once on the next page (post/redirect/get).
    pub fn flash_next(&mut self, key: &str) {
        self.set_cookie(cookies::set(cookies::FLASH, key, Some(60)));
    }

    fn finish(&self, mut res: Response) -> Response {
        let h = res.headers_mut();
        for c in &self.cookies {
            h.append(header::SET_COOKIE, c.clone());
        }
        if self.no_referrer {
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
        }
        res
    }

    /// What every template may use besides its own values.
    fn common(&self) -> Value {
        let me = self.session.as_ref().map(|s| {
            json!({
                "name": s.me.name,
                "email": s.me.email,
                "kind": s.me.kind,
                "is_staff": s.is_staff(),
                "is_admin": s.is_admin(),
                "is_manager": s.is_manager(),
                // The work-order entries of the menu (platform's table).
                "may_plan": s.caller.claims.may(Permission::PlanWork),
                "does_work": s.caller.claims.may(Permission::DoOwnWork),
                "may_mail": s.caller.claims.may(Permission::ManageMail),
                "customer_id": s.me.customer_id,
                "customer_name": s.me.customer_name,
                "customers": s.me.customers.iter()
                    .map(|c| json!({"id": c.id, "number": c.number, "name": c.name}))
                    .collect::<Vec<_>>(),
                "can_change_password": s.me.can_change_password,
                "language": s.me.language,
                "notifications": s.me.notifications,
            })
        });
        let tenant = self.tenant.as_ref().map(|t| {
            json!({
                "slug": t.slug, "name": t.name, "registration_open": t.registration_open,
                "portal_enabled": t.portal_enabled, "portal_all_customers": t.portal_all_customers,
                "contact_email": t.contact_email, "phone": t.phone, "address": t.address,
                "show_work_photos": t.show_work_photos,
                "time_zone": portal_platform::zone::Zone::or_utc(&t.time_zone).name(),
            })
        });
        json!({
            "base": self.base,
            "csrf": self.csrf,
            "me": me,
            "tenant": tenant,
            "flash": self.flash.as_deref().map(|k| i18n::t(self.lang, k)),
            "asset_version": assets::version(),
            "langs": i18n::LANGS,
        })
    }

    /// A page from `template` with the page's own `values`.
    pub fn page(&self, status: StatusCode, template: &str, values: Value) -> Response {
        let mut all = self.common();
        if let (Some(all), Value::Object(own)) = (all.as_object_mut(), values) {
            all.extend(own);
        }
        let ctx = minijinja::Value::from(minijinja::value::Serde(all));
        match render::html(self.lang, template, ctx) {
            Ok(body) => self.finish(render::respond(status, body)),
            Err(e) => self.finish(render::broken(&e)),
        }
    }

    /// A page from `template` with a typed context.
    pub fn render<T: serde::Serialize>(
        &self,
        status: StatusCode,
        template: &str,
        page: &T,
    ) -> Response {
        match serde_json::to_value(page) {
            Ok(values) => self.page(status, template, values),
            Err(e) => {
                tracing::error!(error = %e, template, "page context does not serialize");
                self.fail(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
            }
        }
    }

    /// 303 See Other (after a form: the browser then GETs `to`).
    pub fn redirect(&self, to: &str) -> Response {
        self.finish(Redirect::to(to).into_response())
    }

    /// A page that only says what went wrong.
    pub fn fail(&self, status: StatusCode, key: &str) -> Response {
        self.finish(render::error_page(self.lang, status, key))
    }

    /// A refusal from a service shown as a page.
    pub fn grpc_fail(&self, s: &tonic::Status) -> Response {
        let e = errors::shown(self.lang, Action::Other, s);
        let ctx = json!({"title_key": "error-title", "message": e.message});
        self.page(e.status, "error.html", ctx)
    }

    /// The session, or a redirect to this tenant's login page.
    pub fn session(&self) -> Result<&Session, Box<Response>> {
        match (&self.session, &self.tenant) {
            (Some(s), _) => Ok(s),
            (None, Some(_)) => Err(Box::new(self.redirect(&format!("{}/login", self.base)))),
            (None, None) => Err(Box::new(
                self.fail(StatusCode::NOT_FOUND, "error-not-found"),
            )),
        }
    }

    /// The session, or the login page that comes back to `back_to` (a page
    /// of this tenant, as a printed link opens it).
    pub fn session_or_login(&self, back_to: &str) -> Result<&Session, Box<Response>> {
        match (&self.session, &self.tenant) {
            (None, Some(_)) => {
                let next = serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default();
                Err(Box::new(
                    self.redirect(&format!("{}/login?{next}", self.base)),
                ))
            }
            _ => self.session(),
        }
    }

    /// Where a login may send the browser back to: a page of this tenant
    /// (`<base>/...`), never another site or a scheme-relative link.
    pub fn safe_next(&self, next: &str) -> Option<String> {
        safe_next(&self.base, next)
    }

    /// A staff session; anyone else finds nothing here.
    pub fn staff(&self) -> Result<&Session, Box<Response>> {
        let s = self.session()?;
        if s.is_staff() {
            Ok(s)
        } else {
            Err(Box::new(
                self.fail(StatusCode::NOT_FOUND, "error-not-found"),
            ))
        }
    }

    pub fn admin(&self) -> Result<&Session, Box<Response>> {
        let s = self.staff()?;
        if s.is_admin() {
            Ok(s)
        } else {
            Err(Box::new(
                self.fail(StatusCode::FORBIDDEN, "error-forbidden"),
            ))
        }
    }

    /// Where an account lands after logging in.
    pub fn landing(&self, staff: bool) -> String {
        if staff {
            format!("{}/staff/customers", self.base)
        } else {
            format!("{}/", self.base)
        }
    }
}

/// A page that exists only under a tenant (host or `/t/<slug>`).
pub struct TenantPage(pub Ctx);

impl FromRequestParts<AppState> for TenantPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        if ctx.tenant.is_none() {
            return Err(ctx.fail(StatusCode::NOT_FOUND, "error-tenant-unknown"));
        }
        Ok(Self(ctx))
    }
}

/// `2026-11-03` of a protobuf timestamp on the tenant's clock (empty when unset).
pub fn date(zone: Zone, t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(portal_platform::time::from_proto)
        .map(|d| zone.date(d).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `2026-11-03 15:05 CET` of a protobuf timestamp on the tenant's clock.
pub fn date_time(zone: Zone, t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(portal_platform::time::from_proto)
        .map(|d| zone.at_text(d))
        .unwrap_or_default()
}

/// A date field that is not `YYYY-MM-DD`.
#[derive(Debug, PartialEq, Eq)]
pub struct BadDate;

/// A date field (`YYYY-MM-DD`, its midnight on the tenant's clock); empty
/// is none, garbage an error.
pub fn parse_date(zone: Zone, s: &str) -> Result<Option<prost_types::Timestamp>, BadDate> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| BadDate)?;
    Ok(Some(portal_platform::time::to_proto(zone.midnight(d))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let utc = Zone::UTC;
        let t = parse_date(utc, "2026-03-09").ok().flatten();
        assert_eq!(date(utc, t.as_ref()), "2026-03-09");
        assert_eq!(date_time(utc, t.as_ref()), "2026-03-09 00:00 UTC");
        assert_eq!(parse_date(utc, ""), Ok(None));
        assert!(parse_date(utc, "09/03/2026").is_err());
        assert_eq!(date(utc, None), "");
        // West of UTC a day starts later, and still reads as that day.
        let chicago = Zone::or_utc("America/Chicago");
        let t = parse_date(chicago, "2026-03-09").ok().flatten();
        assert_eq!(t.as_ref().map(|t| t.seconds % 86_400), Some(5 * 3600));
        assert_eq!(date(chicago, t.as_ref()), "2026-03-09");
        assert_eq!(date_time(chicago, t.as_ref()), "2026-03-09 00:00 CDT");
    }
}

/// A path of the tenant whose pages start with `base` (empty on its own
/// host): plain characters only, no `//`, `\\` or `..`.
pub fn safe_next(base: &str, next: &str) -> Option<String> {
    let rest = next.strip_prefix(base)?.strip_prefix('/')?;
    let plain = rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '?' | '=' | '&'));
    (plain && !next.contains("//") && !rest.contains("..") && next.len() <= 300)
        .then(|| next.to_owned())
}

#[cfg(test)]
mod next_tests {
    use super::safe_next;

    #[test]
    fn only_pages_of_the_tenant_are_gone_back_to() {
        let e = "/t/acme/equipment/0192f0c4-5e1d-7c3e-9a55-2b1e0a6f3c11";
        assert_eq!(safe_next("/t/acme", e).as_deref(), Some(e));
        assert_eq!(
            safe_next("", "/equipment/x").as_deref(),
            Some("/equipment/x")
        );
        for bad in [
            "https://evil.example/t/acme/x",
            "//evil.example/x",
            "/t/other/equipment/x",
            "/t/acme//evil.example",
            "/t/acme/../other",
            "/t/acme/x\\y",
            "/t/acmex",
            "",
        ] {
            assert_eq!(safe_next("/t/acme", bad), None, "{bad}");
        }
        assert_eq!(safe_next("", "//evil.example"), None);
    }
}
