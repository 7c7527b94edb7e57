//! Which aggregate and event name each protobuf event type stands for.
use portal_proto::events::v1 as ev;

/// A protobuf message that is published as a Portal event.
pub trait DomainEvent: prost::Message + Default {
    const AGGREGATE: &'static str;
    const EVENT: &'static str;
}

macro_rules! domain_event {
    ($ty:ty, $aggregate:literal, $event:literal) => {
        impl DomainEvent for $ty {
            const AGGREGATE: &'static str = $aggregate;
            const EVENT: &'static str = $event;
        }
    };
}

domain_event!(ev::RequestSubmitted, "request", "submitted");
domain_event!(ev::RequestAccepted, "request", "accepted");
domain_event!(ev::RequestRejected, "request", "rejected");
domain_event!(ev::WorkOrderCreated, "work_order", "created");
domain_event!(ev::WorkOrderScheduled, "work_order", "scheduled");
domain_event!(ev::WorkOrderRescheduled, "work_order", "rescheduled");
domain_event!(ev::WorkOrderUnscheduled, "work_order", "unscheduled");
domain_event!(ev::WorkOrderStarted, "work_order", "started");
domain_event!(ev::WorkOrderCompleted, "work_order", "completed");
domain_event!(ev::WorkOrderCancelled, "work_order", "cancelled");
domain_event!(ev::ContactInvited, "contact", "invited");
domain_event!(ev::AccountActivated, "account", "activated");
domain_event!(ev::CustomerPortalChanged, "customer", "portal_changed");
domain_event!(ev::RequestCommented, "request", "commented");
domain_event!(ev::RequestAssigned, "request", "assigned");
domain_event!(ev::RequestClosed, "request", "closed");
domain_event!(ev::InboundMailReceived, "mail", "received");
domain_event!(ev::RequestMailRefused, "request", "mail_refused");
domain_event!(ev::DocumentPublished, "document", "published");
domain_event!(ev::SiteCreated, "site", "created");
domain_event!(ev::SiteChanged, "site", "changed");
domain_event!(ev::EquipmentCreated, "equipment", "created");
domain_event!(ev::EquipmentChanged, "equipment", "changed");
domain_event!(ev::InspectionRecorded, "inspection", "recorded");
domain_event!(ev::QuoteAccepted, "quote", "accepted");
domain_event!(ev::QuoteDeclined, "quote", "declined");
domain_event!(ev::InvoiceIssued, "invoice", "issued");
domain_event!(ev::KbArticlePublished, "kb", "article.published");

/// The subject filter for one event type across all tenants.
pub fn filter<E: DomainEvent>() -> String {
    crate::events::filter_all_tenants(E::AGGREGATE, E::EVENT)
}
