//! What every handler shares: the clients of the five services and the
//! token verifier.
use std::sync::Arc;

use portal_platform::auth::{IdentityKeys, TokenVerifier};
use portal_platform::callers::Service;
use portal_platform::service_tls::Backend;
use portal_platform::service_tls::ServiceTls;
use portal_proto::documents::v1::documents_service_client::DocumentsServiceClient;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use portal_proto::requests::v1::requests_service_client::RequestsServiceClient;
use portal_proto::work_orders::v1::equipment_service_client::EquipmentServiceClient;
use portal_proto::work_orders::v1::work_orders_service_client::WorkOrdersServiceClient;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub identity: IdentityServiceClient<Backend>,
    pub requests: RequestsServiceClient<Backend>,
    pub work_orders: WorkOrdersServiceClient<Backend>,
    pub equipment: EquipmentServiceClient<Backend>,
    pub documents: DocumentsServiceClient<Backend>,
    pub notification: NotificationServiceClient<Backend>,
    /// Every backend and its channel, for readiness.
    pub backends: Arc<Vec<(Service, Backend)>>,
    pub verifier: Arc<TokenVerifier>,
    pub max_upload_bytes: usize,
    pub max_document_bytes: usize,
    /// Import files parsed in the gateway (each whole in memory while it
    /// is read): at most this many at once.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
    /// The gateway's own credential: it vouches for an upload's owner to
    /// documents with it (ADR 0005), and unlocks nothing else.
    pub credential: portal_platform::callers::Credential,
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    pub base_domain: String,
    /// The map tiles setting, for the pages' maps.
    pub map: Arc<crate::web::map::Tiles>,
    /// Set on SIGTERM: /readyz says no while requests in flight finish.
    pub draining: portal_platform::admin::Readiness,
    /// Live updates of open request pages (fed from NATS by `run`).
    pub live: crate::live::Hub,
}

impl AppState {
    pub fn new(cfg: &Config) -> anyhow::Result<Self> {
        // Every call to a backend is mutual TLS, as `gateway` (ADR 0025).
        let tls = ServiceTls::load(Service::Gateway, &cfg.service_tls)?;
        let identity = tls.channel(&cfg.identity_url, Service::Identity)?;
        let requests = tls.channel(&cfg.requests_url, Service::Requests)?;
        let work_orders = tls.channel(&cfg.work_orders_url, Service::WorkOrders)?;
        let documents = tls.channel(&cfg.documents_url, Service::Documents)?;
        let notification = tls.channel(&cfg.notification_url, Service::Notification)?;
        // Files travel in pieces (ADR 0032); the largest single message is a
        // drawn signature or a long quote, well within this.
        let max_message = cfg.max_upload_bytes + 1024 * 1024;
        Ok(Self {
            identity: IdentityServiceClient::new(identity.clone()),
            requests: RequestsServiceClient::new(requests.clone()),
            work_orders: WorkOrdersServiceClient::new(work_orders.clone()),
            equipment: EquipmentServiceClient::new(work_orders.clone()),
            documents: DocumentsServiceClient::new(documents.clone())
                .max_encoding_message_size(max_message)
                .max_decoding_message_size(max_message),
            notification: NotificationServiceClient::new(notification.clone()),
            backends: Arc::new(vec![
                (Service::Identity, identity.clone()),
                (Service::Requests, requests),
                (Service::WorkOrders, work_orders),
                (Service::Documents, documents),
                (Service::Notification, notification),
            ]),
            verifier: Arc::new(TokenVerifier::new(IdentityKeys::new(identity))),
            max_upload_bytes: cfg.max_upload_bytes,
            max_document_bytes: cfg.max_document_bytes,
            upload_slots: Arc::new(tokio::sync::Semaphore::new(4)),
            credential: portal_platform::callers::Credential::new(
                Service::Gateway,
                cfg.service_secret.clone(),
            ),
            trusted_proxies: Arc::new(cfg.trusted_proxies.clone()),
            base_domain: cfg.base_domain.trim().trim_start_matches('.').to_owned(),
            map: Arc::new(crate::web::map::Tiles::new(
                &cfg.map_tiles_url,
                &cfg.map_attribution,
            )),
            draining: portal_platform::admin::Readiness::default(),
            live: crate::live::Hub::default(),
        })
    }
}
