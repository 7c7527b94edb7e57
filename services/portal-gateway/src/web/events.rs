//! `GET …/requests/{id}/events`: server-sent events for an open request page
//! (H3). The stream opens only after requests itself agreed that the session
//! may read the request (GetRequest with the caller's token); contacts never
//! receive internal notes. Each stream ends after a few minutes, and the
//! browser's `EventSource` reconnects: the access check (and the transparent
//! token refresh) run again.
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use portal_proto::requests::v1 as pb;
use tokio::sync::broadcast::error::RecvError;

use crate::live::Change;
use crate::web::ctx::TenantPage;
use crate::web::pages::param;

/// How long one stream lives before the browser reconnects (and is checked again).
const LIFETIME: Duration = Duration::from_secs(300);
const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// The browser's wait before reconnecting.
const RETRY: Duration = Duration::from_secs(3);

/// Whether `change` goes to this stream.
pub fn wanted(change: &Change, tenant_id: &str, request_id: &str, staff: bool) -> bool {
    change.tenant_id == tenant_id && change.request_id == request_id && (staff || !change.internal)
}

pub async fn stream(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let Some(s) = ctx.session.as_ref() else {
        // No redirect: an EventSource cannot log in.
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let Some(slot) = ctx.state.live.slot(s.caller.claims.sub) else {
        return ctx.fail(StatusCode::TOO_MANY_REQUESTS, "error-unavailable");
    };
    // Listening before the check: nothing between the check and the stream is lost.
    let rx = ctx.state.live.subscribe();
    let req = s.caller.request(pb::GetRequestRequest { id: id.clone() });
    if let Err(e) = ctx.state.requests.clone().get_request(req).await {
        return ctx.grpc_fail(&e);
    }
    let tenant_id = s.caller.claims.tid.to_string();
    let staff = s.is_staff();
    let events = futures::stream::unfold((rx, true), move |(mut rx, first)| {
        let (tenant_id, id) = (tenant_id.clone(), id.clone());
        async move {
            if first {
                let ready = Event::default().event("ready").retry(RETRY).data("{}");
                return Some((Ok::<_, Infallible>(ready), (rx, false)));
            }
            loop {
                match rx.recv().await {
                    Ok(c) if wanted(&c, &tenant_id, &id, staff) => {
                        return Some((Ok(event(&c, staff)), (rx, false)));
                    }
                    Ok(_) => {}
                    // Too slow to follow: the page reloads its live parts once.
                    Err(RecvError::Lagged(_)) => {
                        return Some((
                            Ok(Event::default().event("refresh").data("{}")),
                            (rx, false),
                        ));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    let closing = ctx.state.live.closing.clone();
    let end = async move {
        // The account's slot is given back when the stream ends or is dropped.
        let _slot = slot;
        tokio::select! {
            _ = closing.cancelled() => {}
            _ = tokio::time::sleep(LIFETIME) => {}
        }
    };
    let mut res = Sse::new(events.take_until(end))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Proxies must not buffer the stream.
    res.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    res
}

fn event(c: &Arc<Change>, staff: bool) -> Event {
    debug_assert!(staff || !c.internal);
    Event::default().event(c.kind.as_str()).data(c.data())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(internal: bool) -> Change {
        Change {
            tenant_id: "t1".into(),
            request_id: "r1".into(),
            kind: "commented".into(),
            internal,
            comment_id: "c1".into(),
            author_name: "Dana".into(),
            body: "hello".into(),
        }
    }

    #[test]
    fn contacts_never_get_internal_notes() {
        assert!(wanted(&change(false), "t1", "r1", false));
        assert!(!wanted(&change(true), "t1", "r1", false));
        assert!(wanted(&change(true), "t1", "r1", true));
        assert!(!wanted(&change(false), "t2", "r1", true));
        assert!(!wanted(&change(false), "t1", "r2", true));
    }
}
