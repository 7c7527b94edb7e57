//! Transparent refresh: when a browser's access cookie has expired (or is
//! gone) but its refresh cookie is there, identity's `Refresh` rotates both
//! before the page runs; a refused refresh clears them (the page then asks
//! for a login). Runs for page requests only, never for the JSON API.
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use portal_platform::auth::AuthError;
use portal_proto::identity::v1 as pb;

use crate::extract::ClientIp;
use crate::state::AppState;
use crate::web::cookies;

/// Paths that never carry a browser session worth refreshing.
fn skipped(path: &str) -> bool {
    [
        "/api/",
        "/static/",
        "/.well-known/",
        "/healthz",
        "/readyz",
        "/favicon",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

pub async fn refresh(
    State(state): State<AppState>,
    ip: ClientIp,
    mut req: Request,
    next: Next,
) -> Response {
    if skipped(req.uri().path()) {
        return next.run(req).await;
    }
    let Some(refresh_token) = cookies::get(req.headers(), cookies::REFRESH) else {
        return next.run(req).await;
    };
    if let Some(access) = cookies::get(req.headers(), cookies::ACCESS) {
        match state.verifier.verify(&access).await {
            // Valid, or identity's keys unreachable: nothing to do here.
            Ok(_) | Err(AuthError::Keys(_)) => return next.run(req).await,
            Err(_) => {}
        }
    }
    let call = ip.request(pb::RefreshRequest { refresh_token });
    let (replace, set): (Option<(String, String)>, Vec<HeaderValue>) =
        match state.identity.clone().refresh(call).await {
            Ok(pair) => {
                let pair = pair.into_inner();
                let set = vec![
                    cookies::set(
                        cookies::ACCESS,
                        &pair.access_token,
                        Some(pair.expires_in.max(60)),
                    ),
                    cookies::set(
                        cookies::REFRESH,
                        &pair.refresh_token,
                        Some(cookies::REFRESH_MAX_AGE),
                    ),
                ];
                (Some((pair.access_token, pair.refresh_token)), set)
            }
            // identity is down: keep the cookies, the page shows it as logged out.
            Err(s) if s.code() == tonic::Code::Unavailable => (None, vec![]),
            Err(_) => (
                None,
                vec![
                    cookies::clear(cookies::ACCESS),
                    cookies::clear(cookies::REFRESH),
                ],
            ),
        };
    rewrite_cookies(&mut req, replace.as_ref());
    let mut res = next.run(req).await;
    // What the page itself set (a login, a logout) wins.
    let already = cookies::names_set(res.headers());
    for v in set {
        let name = v
            .to_str()
            .ok()
            .and_then(|s| s.split('=').next())
            .unwrap_or_default()
            .to_owned();
        if !already.contains(&name) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The request as the page should see it: the new tokens, or none.
fn rewrite_cookies(req: &mut Request, tokens: Option<&(String, String)>) {
    let mut pairs: Vec<(String, String)> = cookies::all(req.headers())
        .into_iter()
        .filter(|(n, _)| n != cookies::ACCESS && n != cookies::REFRESH)
        .collect();
    if let Some((access, refresh)) = tokens {
        pairs.push((cookies::ACCESS.into(), access.clone()));
        pairs.push((cookies::REFRESH.into(), refresh.clone()));
    }
    let joined = pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let headers = req.headers_mut();
    headers.remove(header::COOKIE);
    if let Ok(v) = HeaderValue::from_str(&joined)
        && !joined.is_empty()
    {
        headers.insert(header::COOKIE, v);
    }
}
