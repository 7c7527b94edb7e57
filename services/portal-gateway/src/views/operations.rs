//! What went wrong for good and what staff can do about it (F3, #13): the
//! mail log with its failures, and the events a service set aside.
use chrono::{DateTime, Utc};
use portal_proto::notification::v1 as mail;
use portal_proto::operations::v1 as ops;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{non_empty, ts};

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Queued, or waiting for its next attempt.
    Pending,
    /// Handed to the mail server.
    Sent,
    /// Given up after its last attempt.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only mails in this state; absent: all.
    pub status: Option<DeliveryStatus>,
    /// Page size: 50 when absent, at most 200 (larger is cut to 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One mail of the tenant's delivery log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailDelivery {
    pub id: String,
    /// Which mail it is (`invitation`, `request_accepted`, ...).
    pub template: String,
    pub recipient: String,
    pub subject: String,
    /// Absent only for a state this gateway does not know yet.
    pub status: Option<DeliveryStatus>,
    pub attempts: i32,
    /// The mail server's last answer, when an attempt failed.
    pub last_error: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Failed for good and can be sent again (`POST .../resend`). A mail
    /// that held a sign-in link cannot: its link is not kept.
    pub resendable: bool,
}

impl From<mail::Delivery> for MailDelivery {
    fn from(d: mail::Delivery) -> Self {
        Self {
            status: DeliveryStatus::parse(&d.status),
            last_error: non_empty(d.last_error),
            created_at: ts(d.created_at.as_ref()),
            last_attempt_at: ts(d.last_attempt_at.as_ref()),
            sent_at: ts(d.sent_at.as_ref()),
            resendable: d.resendable,
            id: d.id,
            template: d.template,
            recipient: d.recipient,
            subject: d.subject,
            attempts: d.attempts,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailDeliveries {
    pub items: Vec<MailDelivery>,
}

/// Where an event was set aside.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParkedEvent {
    /// The service whose database holds it.
    pub service: String,
    /// `outbox` when it was never published; otherwise the consumer that
    /// gave up applying it.
    pub stage: String,
    pub subject: String,
    pub event_type: String,
    pub event_id: String,
    pub error: String,
    pub attempts: i64,
    pub parked_at: Option<DateTime<Utc>>,
}

impl From<ops::ParkedEvent> for ParkedEvent {
    fn from(p: ops::ParkedEvent) -> Self {
        Self {
            parked_at: ts(p.parked_at.as_ref()),
            service: p.service,
            stage: p.stage,
            subject: p.subject,
            event_type: p.event_type,
            event_id: p.event_id,
            error: p.error,
            attempts: p.attempts,
        }
    }
}

/// Every service's set-aside events, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParkedEvents {
    pub items: Vec<ParkedEvent>,
    /// Services that did not answer: their events are missing here.
    pub unreachable: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_shows_its_state_and_only_real_errors() {
        let d = MailDelivery::from(mail::Delivery {
            id: "d1".into(),
            status: "failed".into(),
            last_error: String::new(),
            resendable: true,
            ..Default::default()
        });
        assert_eq!(d.status, Some(DeliveryStatus::Failed));
        assert_eq!(d.last_error, None);
        assert!(d.resendable);
        let unknown = MailDelivery::from(mail::Delivery {
            status: "bounced".into(),
            ..Default::default()
        });
        assert_eq!(unknown.status, None);
    }
}
