//! The tenant of the work in progress, for row-level security (ADR 0018).
//!
//! Every database connection the app pool hands out carries
//! `portal.tenant` = the tenant of the task that acquired it
//! (`db::app_pool`), and the tables' policies show and accept only that
//! tenant's rows. The tenant is a task-local: a gRPC call gets an empty
//! scope ([`Scoped`]) that `Authenticator::claims` fills from the verified
//! token; a consumer enters the envelope's tenant ([`scope`]); anything that
//! runs outside the call's task (a spawned task, a response stream) must
//! carry it explicitly ([`scope`], [`stream`]). Without a tenant, the
//! policies match no row.
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::task::futures::TaskLocalFuture;
use uuid::Uuid;

tokio::task_local! {
    static TENANT: Cell<Option<Uuid>>;
}

/// Runs `fut` for `tenant`.
pub fn scope<F: Future>(tenant: Uuid, fut: F) -> TaskLocalFuture<Cell<Option<Uuid>>, F> {
    TENANT.scope(Cell::new(Some(tenant)), fut)
}

/// Runs `fut` in a scope without a tenant yet, for [`enter`] to fill.
pub fn unset<F: Future>(fut: F) -> TaskLocalFuture<Cell<Option<Uuid>>, F> {
    TENANT.scope(Cell::new(None), fut)
}

/// The tenant of the current task, if it has one.
pub fn current() -> Option<Uuid> {
    TENANT.try_with(Cell::get).ok().flatten()
}

/// Sets the tenant of the current scope once it is known (a verified
/// token, a resolved tenant). A second, different tenant in the same call
/// is a bug: the scope then matches nothing rather than either tenant.
/// Outside any scope this does nothing (work that is not tenant-scoped).
pub fn enter(tenant: Uuid) {
    let _ = TENANT.try_with(|cell| match cell.get() {
        None => cell.set(Some(tenant)),
        Some(t) if t == tenant => {}
        Some(other) => {
            tracing::error!(%other, %tenant, "a second tenant in one call; nothing will match");
            cell.set(Some(Uuid::nil()));
        }
    });
}

/// A stream polled for `tenant`: a gRPC response stream is polled by the
/// server after the handler returned, outside the call's scope.
pub fn stream<S>(tenant: Uuid, inner: S) -> ScopedStream<S>
where
    S: Stream + Unpin,
{
    ScopedStream { tenant, inner }
}

pub struct ScopedStream<S> {
    tenant: Uuid,
    inner: S,
}

impl<S: Stream + Unpin> Stream for ScopedStream<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let tenant = self.tenant;
        TENANT.sync_scope(Cell::new(Some(tenant)), || {
            Pin::new(&mut self.inner).poll_next(cx)
        })
    }
}

/// A gRPC service whose every call runs in its own, initially empty,
/// tenant scope (filled by `Authenticator::claims`).
#[derive(Clone, Debug)]
pub struct Scoped<S>(pub S);

impl<S: tonic::server::NamedService> tonic::server::NamedService for Scoped<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, R> tower::Service<R> for Scoped<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = TaskLocalFuture<Cell<Option<Uuid>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        unset(self.0.call(req))
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[tokio::test]
    async fn a_scope_is_filled_once() {
        let a = Uuid::now_v7();
        assert_eq!(current(), None);
        enter(a); // outside any scope: nothing
        assert_eq!(current(), None);
        unset(async {
            assert_eq!(current(), None);
            enter(a);
            enter(a);
            assert_eq!(current(), Some(a));
            enter(Uuid::now_v7());
            assert_eq!(current(), Some(Uuid::nil()));
        })
        .await;
        scope(a, async { assert_eq!(current(), Some(a)) }).await;
    }

    #[tokio::test]
    async fn a_stream_carries_its_tenant() {
        let a = Uuid::now_v7();
        let seen: Vec<Option<Uuid>> = stream(a, futures::stream::iter(0..2).map(|_| current()))
            .collect()
            .await;
        assert_eq!(seen, vec![Some(a), Some(a)]);
    }

    #[tokio::test]
    async fn a_spawned_task_has_no_tenant_unless_given() {
        let a = Uuid::now_v7();
        scope(a, async move {
            let bare = tokio::spawn(async { current() }).await.ok().flatten();
            let carried = tokio::spawn(scope(a, async { current() }))
                .await
                .ok()
                .flatten();
            assert_eq!((bare, carried), (None, Some(a)));
        })
        .await;
    }
}
