//! The six services as they name themselves in calls and configuration,
//! and their NATS users (ADR 0017). No dependencies: `xtask` writes the
//! nats-server configuration of `up` from the same table the services and
//! tests use.
use std::fmt;
use std::str::FromStr;

pub mod nats_users;

/// The six services, as they name themselves in calls and configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Identity,
    Gateway,
    Requests,
    WorkOrders,
    Documents,
    Notification,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Self::Identity,
        Self::Gateway,
        Self::Requests,
        Self::WorkOrders,
        Self::Documents,
        Self::Notification,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gateway => "gateway",
            Self::Requests => "requests",
            Self::WorkOrders => "work-orders",
            Self::Documents => "documents",
            Self::Notification => "notification",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|service| service.name() == s)
            .ok_or_else(|| format!("unknown service {s:?}"))
    }
}
