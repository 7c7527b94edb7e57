//! Live updates of open request pages (H3): one core NATS subscription per
//! gateway process on the request and work-order events, fanned out to the
//! browsers' server-sent-event streams through a `tokio::sync::broadcast`.
//! Nothing is stored: a browser that misses an event reloads the section on
//! the next one, or on its next visit.
use std::sync::Arc;

use futures::StreamExt;
use portal_platform::CancellationToken;
use portal_proto::events::v1 as ev;
use prost::Message;
use tokio::sync::broadcast;

/// Subjects of the events that change what a request page shows.
pub const SUBJECTS: [&str; 2] = ["portal.*.request.>", "portal.*.work_order.>"];

/// Events kept for slow streams before they lag (then they get a "refresh").
const CAPACITY: usize = 1024;

/// What changed on one request, as much as a page needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub tenant_id: String,
    pub request_id: String,
    /// `submitted`, `accepted`, `rejected`, `commented`, `assigned`,
    /// `closed`, or `work_order` for any work-order event.
    pub kind: String,
    /// An internal note (staff only): never sent to a contact.
    pub internal: bool,
    pub comment_id: String,
    pub author_name: String,
    pub body: String,
}

impl Change {
    /// The JSON data of the SSE event (what the page's script may show).
    pub fn data(&self) -> String {
        serde_json::json!({
            "kind": self.kind, "request_id": self.request_id, "comment_id": self.comment_id,
            "internal": self.internal, "author_name": self.author_name, "body": self.body,
        })
        .to_string()
    }
}

/// Open streams one account may hold on one gateway (a few tabs); more are
/// refused, so a script cannot pin connections and memory without end.
pub const STREAMS_PER_ACCOUNT: usize = 6;

/// Open streams per account.
type Counts = Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, usize>>>;

/// One account's open stream; counted until dropped with the stream.
pub struct StreamSlot {
    counts: Counts,
    account: uuid::Uuid,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.account) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.account);
            }
        }
    }
}

/// The fan-out point every SSE stream subscribes to.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Change>>,
    open: Counts,
    /// Cancelled when the gateway stops: open streams end so that the
    /// listener can close without waiting for browsers.
    pub closing: CancellationToken,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
            open: Counts::default(),
            closing: CancellationToken::new(),
        }
    }
}

impl Hub {
    /// A slot for one more stream of `account`, unless it holds the most.
    pub fn slot(&self, account: uuid::Uuid) -> Option<StreamSlot> {
        let mut counts = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(account).or_insert(0);
        if *n >= STREAMS_PER_ACCOUNT {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            counts: self.open.clone(),
            account,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }

    /// Hands a change to every open stream (none listening is fine).
    pub fn publish(&self, change: Change) {
        let _ = self.tx.send(Arc::new(change));
    }

    /// Subscribes to NATS (reconnecting on its own) and forwards every
    /// decodable event until `shutdown`.
    pub fn spawn(&self, nats_url: String, shutdown: CancellationToken) {
        let hub = self.clone();
        tokio::spawn(async move {
            let client = match portal_platform::nats::connect(&nats_url, "portal-gateway").await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "live updates off: no NATS client");
                    return;
                }
            };
            let mut subs = Vec::new();
            for subject in SUBJECTS {
                match client.subscribe(subject).await {
                    Ok(s) => subs.push(s),
                    Err(e) => {
                        tracing::error!(error = %e, subject, "live updates: subscribe failed")
                    }
                }
            }
            let mut all = futures::stream::select_all(subs);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    msg = all.next() => match msg {
                        Some(m) => {
                            if let Some(change) = decode(&m.subject, &m.payload) {
                                hub.publish(change);
                            }
                        }
                        None => break,
                    },
                }
            }
            hub.closing.cancel();
        });
    }
}

/// The change an event describes, from its subject
/// (`portal.<tenant>.<aggregate>.<event>`) and protobuf body.
pub fn decode(subject: &str, payload: &[u8]) -> Option<Change> {
    let mut parts = subject.split('.');
    let (Some("portal"), Some(tenant), Some(aggregate), Some(event), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let change = |request_id: String| Change {
        tenant_id: tenant.to_owned(),
        request_id,
        kind: event.to_owned(),
        internal: false,
        comment_id: String::new(),
        author_name: String::new(),
        body: String::new(),
    };
    let c = match (aggregate, event) {
        ("request", "commented") => {
            let e = ev::RequestCommented::decode(payload).ok()?;
            Change {
                internal: e.internal,
                comment_id: e.comment_id,
                author_name: e.author_name,
                body: e.body,
                ..change(e.request_id)
            }
        }
        ("request", "submitted") => change(ev::RequestSubmitted::decode(payload).ok()?.request_id),
        ("request", "accepted") => change(ev::RequestAccepted::decode(payload).ok()?.request_id),
        ("request", "rejected") => change(ev::RequestRejected::decode(payload).ok()?.request_id),
        ("request", "assigned") => change(ev::RequestAssigned::decode(payload).ok()?.request_id),
        ("request", "closed") => change(ev::RequestClosed::decode(payload).ok()?.request_id),
        ("work_order", event) => {
            let state = |w: Option<ev::WorkOrderState>| w.map(|w| w.request_id);
            let request_id = match event {
                "created" => Some(ev::WorkOrderCreated::decode(payload).ok()?.request_id),
                "scheduled" => state(ev::WorkOrderScheduled::decode(payload).ok()?.work_order),
                "rescheduled" => state(ev::WorkOrderRescheduled::decode(payload).ok()?.work_order),
                "unscheduled" => state(ev::WorkOrderUnscheduled::decode(payload).ok()?.work_order),
                "started" => state(ev::WorkOrderStarted::decode(payload).ok()?.work_order),
                "completed" => state(ev::WorkOrderCompleted::decode(payload).ok()?.work_order),
                "cancelled" => state(ev::WorkOrderCancelled::decode(payload).ok()?.work_order),
                _ => None,
            }?;
            Change {
                kind: "work_order".into(),
                ..change(request_id)
            }
        }
        _ => return None,
    };
    (!c.request_id.is_empty()).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_holds_a_few_streams_and_gets_them_back_when_they_end() {
        let hub = Hub::default();
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let mut held: Vec<StreamSlot> = (0..STREAMS_PER_ACCOUNT)
            .map(|_| hub.slot(a).expect("a slot"))
            .collect();
        assert!(hub.slot(a).is_none(), "one too many");
        assert!(hub.slot(b).is_some(), "another account is not affected");
        held.pop();
        assert!(hub.slot(a).is_some(), "a closed stream frees its slot");
        held.clear();
        assert!(
            hub.open.lock().unwrap().get(&a).is_none(),
            "nothing left counted"
        );
    }

    #[test]
    fn decodes_comments_with_their_visibility() {
        let body = ev::RequestCommented {
            tenant_id: "t1".into(),
            request_id: "r1".into(),
            comment_id: "c1".into(),
            internal: true,
            author_name: "Dana".into(),
            body: "call first".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let c = decode("portal.t1.request.commented", &body);
        assert_eq!(
            c,
            Some(Change {
                tenant_id: "t1".into(),
                request_id: "r1".into(),
                kind: "commented".into(),
                internal: true,
                comment_id: "c1".into(),
                author_name: "Dana".into(),
                body: "call first".into(),
            })
        );
        assert!(c.is_some_and(|c| c.data().contains("\"internal\":true")));
    }

    #[test]
    fn decodes_status_and_work_order_events() {
        let assigned = ev::RequestAssigned {
            request_id: "r2".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let c = decode("portal.t1.request.assigned", &assigned);
        assert_eq!(
            c.map(|c| (c.kind, c.request_id)),
            Some(("assigned".into(), "r2".into()))
        );
        let wo = ev::WorkOrderCompleted {
            work_order: Some(ev::WorkOrderState {
                request_id: "r3".into(),
                ..Default::default()
            }),
            by_name: "Tom".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let c = decode("portal.t1.work_order.completed", &wo);
        assert_eq!(
            c.map(|c| (c.kind, c.request_id)),
            Some(("work_order".into(), "r3".into()))
        );
    }

    #[test]
    fn ignores_what_it_cannot_place() {
        assert_eq!(decode("portal.t1.contact.invited", b""), None);
        assert_eq!(decode("portal.t1.request", b""), None);
        assert_eq!(decode("other.t1.request.closed", b""), None);
        assert_eq!(decode("portal.t1.request.closed", b"\xff\xff\xff"), None);
        // A work order without a request (planned directly) changes no request page.
        let wo = ev::WorkOrderCreated::default().encode_to_vec();
        assert_eq!(decode("portal.t1.work_order.created", &wo), None);
    }
}
