//! The event envelope: subject naming and CloudEvents binary-mode headers.
//! Pure functions; the NATS and outbox code only moves these values around.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The one JetStream stream every Portal event goes to.
pub const STREAM: &str = "PORTAL";
/// Subjects the stream captures.
pub const STREAM_SUBJECTS: &str = "portal.>";

pub const H_SPECVERSION: &str = "ce-specversion";
pub const H_ID: &str = "ce-id";
pub const H_TYPE: &str = "ce-type";
pub const H_SOURCE: &str = "ce-source";
pub const H_TIME: &str = "ce-time";
pub const H_TENANT: &str = "ce-tenant";
pub const H_TRACEPARENT: &str = "traceparent";
pub const H_CONTENT_TYPE: &str = "content-type";
pub const H_MSG_ID: &str = "Nats-Msg-Id";
pub const CONTENT_TYPE: &str = "application/protobuf";

/// Metadata that travels with every event, apart from its protobuf body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ce_type: String,
    pub source: String,
    pub time: DateTime<Utc>,
    pub traceparent: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("missing header {0}")]
    Missing(&'static str),
    #[error("malformed header {0}")]
    Malformed(&'static str),
    #[error("unsupported specversion {0}")]
    SpecVersion(String),
}

/// `portal.<tenant>.<aggregate>.<event>`
pub fn subject(tenant_id: Uuid, aggregate: &str, event: &str) -> String {
    format!("portal.{tenant_id}.{aggregate}.{event}")
}

/// `portal.<aggregate>.<event>.v1`
pub fn ce_type(aggregate: &str, event: &str) -> String {
    format!("portal.{aggregate}.{event}.v1")
}

/// The subject filter that takes one event type for every tenant.
pub fn filter_all_tenants(aggregate: &str, event: &str) -> String {
    format!("portal.*.{aggregate}.{event}")
}

impl Envelope {
    /// Headers in CloudEvents binary mode, plus `Nats-Msg-Id` for JetStream de-duplication.
    pub fn to_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![
            (H_SPECVERSION, "1.0".to_owned()),
            (H_ID, self.id.to_string()),
            (H_TYPE, self.ce_type.clone()),
            (H_SOURCE, self.source.clone()),
            (H_TIME, self.time.to_rfc3339()),
            (H_TENANT, self.tenant_id.to_string()),
            (H_CONTENT_TYPE, CONTENT_TYPE.to_owned()),
            (H_MSG_ID, self.id.to_string()),
        ];
        if let Some(tp) = &self.traceparent {
            h.push((H_TRACEPARENT, tp.clone()));
        }
        h
    }

    /// Reads the envelope back from headers, looked up by name.
    pub fn from_headers<F>(get: F) -> Result<Self, EnvelopeError>
    where
        F: Fn(&str) -> Option<String>,
    {
        let need = |name: &'static str| get(name).ok_or(EnvelopeError::Missing(name));
        let spec = need(H_SPECVERSION)?;
        if spec != "1.0" {
            return Err(EnvelopeError::SpecVersion(spec));
        }
        let id = need(H_ID)?
            .parse()
            .map_err(|_| EnvelopeError::Malformed(H_ID))?;
        let tenant_id = need(H_TENANT)?
            .parse()
            .map_err(|_| EnvelopeError::Malformed(H_TENANT))?;
        let time = DateTime::parse_from_rfc3339(&need(H_TIME)?)
            .map_err(|_| EnvelopeError::Malformed(H_TIME))?
            .with_timezone(&Utc);
        Ok(Self {
            id,
            tenant_id,
            ce_type: need(H_TYPE)?,
            source: need(H_SOURCE)?,
            time,
            traceparent: get(H_TRACEPARENT),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn sample() -> Envelope {
        Envelope {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            ce_type: ce_type("request", "accepted"),
            source: "/portal/requests".into(),
            time: DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
                .expect("valid")
                .with_timezone(&Utc),
            traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into()),
        }
    }

    fn as_map(env: &Envelope) -> HashMap<&'static str, String> {
        env.to_headers().into_iter().collect()
    }

    #[test]
    fn subject_and_type_follow_the_contract() {
        let t: Uuid = "0192a1b2-0000-7000-8000-0000000000a1"
            .parse()
            .expect("uuid");
        assert_eq!(
            subject(t, "request", "accepted"),
            "portal.0192a1b2-0000-7000-8000-0000000000a1.request.accepted"
        );
        assert_eq!(
            ce_type("work_order", "created"),
            "portal.work_order.created.v1"
        );
        assert_eq!(
            filter_all_tenants("request", "accepted"),
            "portal.*.request.accepted"
        );
    }

    #[test]
    fn headers_round_trip() {
        let env = sample();
        let map = as_map(&env);
        let back = Envelope::from_headers(|k| map.get(k).cloned()).expect("decodes");
        assert_eq!(back, env);
    }

    #[test]
    fn message_id_is_the_event_id() {
        let env = sample();
        let map = as_map(&env);
        assert_eq!(map[H_MSG_ID], env.id.to_string());
        assert_eq!(map[H_ID], env.id.to_string());
        assert_eq!(map[H_CONTENT_TYPE], CONTENT_TYPE);
    }

    #[test]
    fn missing_or_bad_headers_are_named() {
        let env = sample();
        let mut map = as_map(&env);
        map.remove(H_TENANT);
        assert_eq!(
            Envelope::from_headers(|k| map.get(k).cloned()),
            Err(EnvelopeError::Missing(H_TENANT))
        );
        map.insert(H_TENANT, "not-a-uuid".into());
        assert_eq!(
            Envelope::from_headers(|k| map.get(k).cloned()),
            Err(EnvelopeError::Malformed(H_TENANT))
        );
        map.insert(H_TENANT, env.tenant_id.to_string());
        map.insert(H_SPECVERSION, "0.3".into());
        assert_eq!(
            Envelope::from_headers(|k| map.get(k).cloned()),
            Err(EnvelopeError::SpecVersion("0.3".into()))
        );
    }
}
