//! Calls spread over every replica of a backend (ADR 0028). A backend's URL
//! names a host that resolves to all its replicas (a headless Kubernetes
//! Service, a compose service scaled up) or lists several, comma-separated
//! (`https://a:50051,https://b:50051`). Each address found gets its own
//! connection; calls take them in turn. The names are looked up again every
//! few seconds, so replicas that come and go are followed; when a name
//! finds nothing (no replica ready yet), calls dial the name itself and
//! fail or succeed as a single connection would. A replica whose
//! connection fails is passed over for a few seconds.
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tonic::transport::Channel;
use tower::Service;

/// How often the replicas' names are looked up again.
pub const RESOLVE_EVERY: Duration = Duration::from_secs(5);

/// One `host:port` of a backend's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Makes the connection to one address (or, for a fallback, to a name).
pub type Dial = Arc<dyn Fn(&str) -> Channel + Send + Sync>;

/// How long a replica whose connection failed is passed over.
const SHUNNED_FOR: Duration = Duration::from_secs(5);

struct Replica {
    address: SocketAddr,
    channel: Channel,
    /// Until when calls go elsewhere (after a failed connection).
    shunned_until: Mutex<Option<Instant>>,
}

impl Replica {
    fn new(address: SocketAddr, channel: Channel) -> Arc<Self> {
        Arc::new(Self {
            address,
            channel,
            shunned_until: Mutex::new(None),
        })
    }

    fn shunned(&self, now: Instant) -> bool {
        self.shunned_until
            .lock()
            .is_ok_and(|until| until.is_some_and(|u| u > now))
    }

    fn shun(&self) {
        if let Ok(mut until) = self.shunned_until.lock() {
            *until = Some(Instant::now() + SHUNNED_FOR);
        }
    }
}

struct Replicas {
    /// The replicas at the addresses found, in a stable order.
    found: RwLock<Vec<Arc<Replica>>>,
    /// Connections by name, used while no address is known.
    fallback: Vec<Channel>,
    next: AtomicUsize,
}

impl Replicas {
    /// The next replica in turn that is not passed over (any, if all are).
    fn pick(&self) -> (Channel, Option<Arc<Replica>>) {
        let turn = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(found) = self.found.read()
            && !found.is_empty()
        {
            let now = Instant::now();
            let n = found.len();
            let chosen = (0..n)
                .map(|i| &found[(turn + i) % n])
                .find(|r| !r.shunned(now))
                .unwrap_or(&found[turn % n]);
            return (chosen.channel.clone(), Some(chosen.clone()));
        }
        (self.fallback[turn % self.fallback.len()].clone(), None)
    }
}

/// A client channel over every replica of one backend. Cheap to clone;
/// the look-up task ends when the last clone is dropped.
pub struct Backend {
    replicas: Arc<Replicas>,
    /// The connection chosen by `poll_ready`, used by the next `call`.
    picked: Option<(Channel, Option<Arc<Replica>>)>,
}

impl Clone for Backend {
    fn clone(&self) -> Self {
        Self {
            replicas: self.replicas.clone(),
            picked: None,
        }
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let found = self.replicas.found.read().map(|f| f.len()).unwrap_or(0);
        f.debug_struct("Backend").field("replicas", &found).finish()
    }
}

impl Backend {
    /// Over the replicas of `targets` (at least one), connecting with
    /// `dial`. Must be called within a Tokio runtime (it looks names up on
    /// a task of its own).
    pub fn new(targets: Vec<Target>, dial: Dial) -> Self {
        let fallback = targets.iter().map(|t| dial(&t.authority())).collect();
        let replicas = Arc::new(Replicas {
            found: RwLock::new(Vec::new()),
            fallback,
            next: AtomicUsize::new(0),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(follow(Arc::downgrade(&replicas), targets, dial));
        }
        Self {
            replicas,
            picked: None,
        }
    }

    /// How many replicas were found at the last look-up.
    pub fn replicas(&self) -> usize {
        self.replicas.found.read().map(|f| f.len()).unwrap_or(0)
    }
}

/// Looks the targets up now and then, keeping one connection per address.
async fn follow(replicas: Weak<Replicas>, targets: Vec<Target>, dial: Dial) {
    loop {
        let mut addresses = Vec::new();
        let mut all_answered = true;
        for t in &targets {
            match tokio::net::lookup_host((t.host.as_str(), t.port)).await {
                Ok(found) => addresses.extend(found),
                Err(e) => {
                    all_answered = false;
                    tracing::debug!(target = %t.authority(), error = %e, "replicas not found");
                }
            }
        }
        addresses.sort();
        addresses.dedup();
        let Some(replicas) = replicas.upgrade() else {
            return;
        };
        // A failed look-up keeps what was known rather than dropping
        // working connections for a DNS hiccup.
        if (all_answered || !addresses.is_empty())
            && let Ok(mut found) = replicas.found.write()
        {
            let known: Vec<SocketAddr> = found.iter().map(|r| r.address).collect();
            if known != addresses {
                let kept: Vec<Arc<Replica>> = addresses
                    .iter()
                    .map(|a| {
                        found
                            .iter()
                            .find(|r| r.address == *a)
                            .cloned()
                            .unwrap_or_else(|| Replica::new(*a, dial(&a.to_string())))
                    })
                    .collect();
                tracing::info!(replicas = kept.len(), "backend replicas changed");
                *found = kept;
            }
        }
        drop(replicas);
        tokio::time::sleep(RESOLVE_EVERY).await;
    }
}

impl Service<http::Request<tonic::body::Body>> for Backend {
    type Response = http::Response<tonic::body::Body>;
    type Error = tonic::transport::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let replicas = &self.replicas;
        self.picked
            .get_or_insert_with(|| replicas.pick())
            .0
            .poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
        // tower's contract: `poll_ready` came first and picked the channel.
        let (mut channel, replica) = self.picked.take().unwrap_or_else(|| self.replicas.pick());
        let call = channel.call(req);
        Box::pin(async move {
            let answer = call.await;
            // The call never got an answer (no connection, a reset): pass
            // this replica over for a while; a gone pod also leaves DNS.
            if answer.is_err()
                && let Some(r) = replica
            {
                tracing::warn!(replica = %r.address, "replica unreachable, passed over for a while");
                r.shun();
            }
            answer
        })
    }
}

/// The `host:port` targets of a backend URL: one `https://host:port`, or
/// several separated by commas.
pub fn targets(url: &str) -> Result<Vec<Target>, String> {
    let mut out = Vec::new();
    for one in url.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let uri: http::Uri = one.parse().map_err(|_| format!("{one} is not a URL"))?;
        if uri.scheme_str() != Some("https") {
            return Err(format!(
                "{one}: calls between services are mutual TLS (ADR 0025); write https://"
            ));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| format!("{one} names no host"))?;
        let port = authority
            .port_u16()
            .ok_or_else(|| format!("{one}: name the port (https://host:port)"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        out.push(Target {
            host: host.to_owned(),
            port,
        });
    }
    if out.is_empty() {
        return Err("no URL given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_url_or_several() {
        assert_eq!(
            targets("https://requests:50052"),
            Ok(vec![Target {
                host: "requests".into(),
                port: 50052
            }])
        );
        let two = targets("https://127.0.0.1:1, https://[::1]:2").unwrap_or_default();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].authority(), "[::1]:2");
    }

    #[test]
    fn plain_http_and_missing_ports_are_refused() {
        assert!(targets("http://requests:50052").is_err_and(|e| e.contains("https://")));
        assert!(targets("https://requests").is_err_and(|e| e.contains("port")));
        assert!(targets("").is_err());
    }
}
