//! Service identities (ADR 0017): each service has its own secret, presents
//! it with its name when it calls another service, and every service knows
//! only the SHA-256 digests of the others' secrets. Which service may call
//! which method is one table, `may_call`.
use std::collections::HashMap;
use std::fmt;

use sha2::{Digest, Sha256};

pub use portal_roster::Service;

/// Metadata key naming the calling service.
pub const SERVICE_HEADER: &str = "x-portal-service";
/// Metadata key carrying the calling service's own secret.
pub const SECRET_HEADER: &str = "x-portal-service-secret";

use Service::{Documents, Gateway, Identity, Notification, Requests, WorkOrders};

/// The only methods another service may call with its own credential, and
/// who. Everything else is called on behalf of a user (bearer token) only.
const ACCEPTED: &[(&str, &[Service])] = &[
    // Directory reads (architecture: the only calls between services).
    (
        "/portal.identity.v1.IdentityService/GetContact",
        &[Requests, Notification],
    ),
    (
        "/portal.identity.v1.IdentityService/GetSite",
        &[Requests, Documents, WorkOrders],
    ),
    // The customer's name on documents' service reports (ADR 0019).
    (
        "/portal.identity.v1.IdentityService/GetCustomerName",
        &[Documents],
    ),
    (
        "/portal.identity.v1.IdentityService/ListStaff",
        &[Requests, WorkOrders, Notification],
    ),
    // The tenant's slug for links to its pages in mails; the gateway reads
    // whether contacts see work photos (D6) for API callers; work-orders
    // reads working hours, documents prints report times, in its zone.
    (
        "/portal.identity.v1.IdentityService/GetTenant",
        &[Notification, Gateway, WorkOrders, Documents],
    ),
    // Who to tell about a customer's new quote or invoice (F1).
    (
        "/portal.identity.v1.IdentityService/ListCustomerContacts",
        &[Notification],
    ),
    // Whether a mail's sender is a contact (inbound mail, ADR 0010).
    (
        "/portal.identity.v1.IdentityService/FindContactByEmail",
        &[Requests, Notification],
    ),
    // Auth mails carry secrets, so identity hands them over directly.
    (
        "/portal.notification.v1.NotificationService/SendMail",
        &[Identity],
    ),
    // The gateway vouches for an upload's owner (ADR 0005).
    (
        "/portal.documents.v1.DocumentsService/UploadAttachment",
        &[Gateway],
    ),
    // Public knowledge-base articles for a reader not logged in: the gateway
    // names the tenant its page belongs to (E6).
    (
        "/portal.documents.v1.DocumentsService/ListArticles",
        &[Gateway],
    ),
    (
        "/portal.documents.v1.DocumentsService/GetArticle",
        &[Gateway],
    ),
    (
        "/portal.documents.v1.DocumentsService/DownloadArticleFile",
        &[Gateway],
    ),
    // ... and for a published document's links (E1).
    (
        "/portal.documents.v1.DocumentsService/PublishDocument",
        &[Gateway],
    ),
];

/// Whether `caller` may call the gRPC `method` (its path,
/// `/package.Service/Method`) as itself.
pub fn may_call(method: &str, caller: Service) -> bool {
    ACCEPTED
        .iter()
        .any(|(m, callers)| *m == method && callers.contains(&caller))
}

/// The path of the gRPC method being served, put into each request's
/// extensions by the server (`grpc::base_router`).
#[derive(Clone, Debug)]
pub struct CalledMethod(pub String);

/// This service's own name and secret, presented on its calls.
#[derive(Clone)]
pub struct Credential {
    pub service: Service,
    secret: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential({}, ***)", self.service)
    }
}

impl Credential {
    pub fn new(service: Service, secret: impl Into<String>) -> Self {
        Self {
            service,
            secret: secret.into(),
        }
    }

    /// The secret itself (for whoever configures this service).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Marks an outgoing request as this service's own call (carrying the
    /// current trace along).
    pub fn sign<T>(&self, mut req: tonic::Request<T>) -> tonic::Request<T> {
        crate::telemetry::inject_into(req.metadata_mut());
        let md = req.metadata_mut();
        md.insert(
            SERVICE_HEADER,
            tonic::metadata::MetadataValue::from_static(self.service.name()),
        );
        if let Ok(v) = self.secret.parse() {
            md.insert(SECRET_HEADER, v);
        }
        req
    }

    /// The `name=digest` entry others list in `PORTAL_PEERS`.
    pub fn peer_entry(&self) -> String {
        format!("{}={}", self.service, digest_hex(&self.secret))
    }
}

/// Lowercase hex of a secret's SHA-256.
pub fn digest_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The digests of the services' secrets this service recognises
/// (`PORTAL_PEERS`: `gateway=<hex>,requests=<hex>`). Digests are not
/// secrets: a callee never holds what would let it impersonate a caller.
#[derive(Clone, Debug, Default)]
pub struct Peers(HashMap<Service, [u8; 32]>);

impl Peers {
    /// Parses `name=hex` entries separated by commas; empty is no peers.
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut peers = HashMap::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, hex) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not name=sha256-hex"))?;
            let service: Service = name.trim().parse()?;
            let digest = parse_digest(hex.trim())
                .ok_or_else(|| format!("{name}: the digest must be 64 hex digits"))?;
            if peers.insert(service, digest).is_some() {
                return Err(format!("{name} is listed twice"));
            }
        }
        Ok(Self(peers))
    }

    /// The service whose digest matches `secret`, if it claims to be `name`.
    pub fn verify(&self, name: &str, secret: &str) -> Option<Service> {
        let service: Service = name.parse().ok()?;
        let expected = self.0.get(&service)?;
        let actual: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        // No early exit: how much matched does not show in the timing.
        let diff = expected
            .iter()
            .zip(actual.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        (diff == 0).then_some(service)
    }
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_names_its_callers() {
        let identity = "/portal.identity.v1.IdentityService/";
        assert!(may_call(&format!("{identity}FindContactByEmail"), Requests));
        assert!(may_call(
            &format!("{identity}FindContactByEmail"),
            Notification
        ));
        assert!(!may_call(&format!("{identity}FindContactByEmail"), Gateway));
        assert!(may_call(&format!("{identity}GetContact"), Notification));
        assert!(!may_call(&format!("{identity}GetSite"), Notification));
        assert!(!may_call(&format!("{identity}GetContact"), Gateway));
        // The tenant's facts (slug, settings, time zone), not its people.
        for caller in [Notification, Gateway, WorkOrders, Documents] {
            assert!(
                may_call(&format!("{identity}GetTenant"), caller),
                "{caller}"
            );
        }
        assert!(!may_call(&format!("{identity}GetTenant"), Requests));
        // documents prints the customer's and the site's names on service
        // reports: those two reads (and the tenant's zone, above), no other
        // part of the directory.
        assert!(may_call(&format!("{identity}GetSite"), Requests));
        assert!(may_call(&format!("{identity}GetSite"), Documents));
        assert!(may_call(&format!("{identity}GetCustomerName"), Documents));
        for other in [Gateway, Requests, WorkOrders, Notification, Identity] {
            assert!(
                !may_call(&format!("{identity}GetCustomerName"), other),
                "{other} must not read customer names"
            );
        }
        for method in [
            "GetContact",
            "ListStaff",
            "FindContactByEmail",
            "GetCustomer",
            "ListCustomers",
        ] {
            assert!(
                !may_call(&format!("{identity}{method}"), Documents),
                "documents must not call {method}"
            );
        }
        // work-orders copies a new equipment's customer from its site.
        assert!(may_call(&format!("{identity}GetSite"), WorkOrders));
        assert!(!may_call(&format!("{identity}GetSite"), Notification));
        // A method that is not listed accepts no service at all.
        for service in Service::ALL {
            assert!(!may_call(&format!("{identity}CreateTenant"), service));
            assert!(!may_call(&format!("{identity}Login"), service));
        }
        let send = "/portal.notification.v1.NotificationService/SendMail";
        assert!(may_call(send, Identity));
        for other in [Gateway, Requests, WorkOrders, Documents, Notification] {
            assert!(!may_call(send, other), "{other} must not send mail");
        }
        let upload = "/portal.documents.v1.DocumentsService/UploadAttachment";
        assert!(may_call(upload, Gateway));
        assert!(!may_call(upload, Requests));
    }

    #[test]
    fn names_round_trip() {
        for service in Service::ALL {
            assert_eq!(service.name().parse::<Service>(), Ok(service));
        }
        assert!("portal-gateway".parse::<Service>().is_err());
    }

    #[test]
    fn peers_resolve_by_digest() {
        let gateway = Credential::new(Gateway, "gateway-secret-0123456789");
        let identity = Credential::new(Identity, "identity-secret-0123456789");
        let peers = Peers::parse(&format!(
            "{}, {}",
            gateway.peer_entry(),
            identity.peer_entry()
        ))
        .unwrap();
        assert_eq!(
            peers.verify("gateway", "gateway-secret-0123456789"),
            Some(Gateway)
        );
        // Another service's secret under the wrong name is nobody.
        assert_eq!(peers.verify("gateway", "identity-secret-0123456789"), None);
        assert_eq!(peers.verify("requests", "anything-at-all-123"), None);
        assert_eq!(peers.verify("nobody", "gateway-secret-0123456789"), None);
        assert!(Peers::parse("").unwrap().0.is_empty());
        assert!(Peers::parse("gateway=abc").is_err());
        assert!(Peers::parse(&format!("mailer={}", "0".repeat(64))).is_err());
        assert!(Peers::parse(&format!("{0},{0}", gateway.peer_entry())).is_err());
    }
}
