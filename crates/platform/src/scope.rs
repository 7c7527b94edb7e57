//! What an account may see: the whole tenant (staff) or one customer,
//! possibly narrowed to some of its sites (contacts). Pure rules.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::{AccountKind, Claims};

/// What narrows a customer's records beyond customer and site: requests
/// created before `since` are hidden from its contacts (A10); a secure link
/// for one work order sees only that work order's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Narrowing {
    pub since: Option<DateTime<Utc>>,
    pub work_order: Option<Uuid>,
}

impl Narrowing {
    pub fn of(claims: &Claims) -> Self {
        if claims.is_staff() {
            return Self::default();
        }
        Self {
            since: claims.rvis.and_then(|s| DateTime::from_timestamp(s, 0)),
            work_order: claims.wo,
        }
    }

    /// Whether a record created at `created_at`, linked to `work_order`, shows.
    pub fn allows(&self, created_at: DateTime<Utc>, work_order: Option<Uuid>) -> bool {
        self.allows_copy(Some(created_at), work_order)
    }

    /// The same rule for services that keep a copy of the request's facts
    /// (work-orders, documents): an unknown creation time (a row older than
    /// the copy, an event not yet arrived) hides the record from a caller
    /// bounded by `since`, rather than showing what might be hidden.
    pub fn allows_copy(&self, created_at: Option<DateTime<Utc>>, work_order: Option<Uuid>) -> bool {
        self.since
            .is_none_or(|s| created_at.is_some_and(|c| c >= s))
            && self.work_order.is_none_or(|w| work_order == Some(w))
    }

    /// Whether nothing narrows: callers need not look up the request's facts.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.work_order.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Staff: every record of the tenant.
    Tenant,
    /// A contact (or secure link): one customer; `sites` empty = all its sites.
    Customer { customer_id: Uuid, sites: Vec<Uuid> },
    /// A token that names no customer sees nothing.
    Nothing,
}

impl Scope {
    pub fn of(claims: &Claims) -> Self {
        match (claims.kind, claims.cust) {
            (AccountKind::Staff, _) => Self::Tenant,
            (_, Some(customer_id)) => Self::Customer {
                customer_id,
                sites: claims.sites.clone(),
            },
            (_, None) => Self::Nothing,
        }
    }

    /// Whether a record of this customer (and site, if it has one) is visible.
    pub fn allows(&self, customer_id: Uuid, site_id: Option<Uuid>) -> bool {
        match self {
            Self::Tenant => true,
            Self::Customer {
                customer_id: own,
                sites,
            } => {
                *own == customer_id
                    && (sites.is_empty() || site_id.is_some_and(|s| sites.contains(&s)))
            }
            Self::Nothing => false,
        }
    }

    /// For SQL filters: `(customer, sites)`; `None` customer = no filter.
    pub fn sql_filter(&self) -> (Option<Uuid>, Option<Vec<Uuid>>, bool) {
        match self {
            Self::Tenant => (None, None, true),
            Self::Customer { customer_id, sites } => (
                Some(*customer_id),
                (!sites.is_empty()).then(|| sites.clone()),
                true,
            ),
            Self::Nothing => (None, None, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Uuid {
        Uuid::now_v7()
    }

    #[test]
    fn staff_sees_the_whole_tenant() {
        assert!(Scope::Tenant.allows(id(), Some(id())));
    }

    #[test]
    fn customer_contact_sees_every_site_of_its_customer_only() {
        let c = id();
        let s = Scope::Customer {
            customer_id: c,
            sites: vec![],
        };
        assert!(s.allows(c, Some(id())));
        assert!(s.allows(c, None));
        assert!(!s.allows(id(), Some(id())));
    }

    #[test]
    fn site_contact_sees_only_its_sites() {
        let (c, mine, other) = (id(), id(), id());
        let s = Scope::Customer {
            customer_id: c,
            sites: vec![mine],
        };
        assert!(s.allows(c, Some(mine)));
        assert!(!s.allows(c, Some(other)));
        assert!(!s.allows(c, None));
    }

    #[test]
    fn narrowing_hides_older_records_and_other_work_orders() {
        let now = Utc::now();
        let wo = id();
        let n = Narrowing {
            since: Some(now),
            work_order: None,
        };
        assert!(n.allows(now, None));
        assert!(!n.allows(now - chrono::Duration::seconds(1), None));
        let n = Narrowing {
            since: None,
            work_order: Some(wo),
        };
        assert!(n.allows(now, Some(wo)));
        assert!(!n.allows(now, Some(id())));
        assert!(!n.allows(now, None));
        assert!(Narrowing::default().allows(now, None));
    }

    #[test]
    fn copies_hide_what_they_cannot_date() {
        let now = Utc::now();
        let wo = id();
        let since = Narrowing {
            since: Some(now),
            work_order: None,
        };
        assert!(since.allows_copy(Some(now), None));
        assert!(!since.allows_copy(Some(now - chrono::Duration::seconds(1)), None));
        assert!(!since.allows_copy(None, None));
        assert!(!since.is_open());
        // A link needs no date, only its own work order.
        let link = Narrowing {
            since: None,
            work_order: Some(wo),
        };
        assert!(link.allows_copy(None, Some(wo)));
        assert!(!link.allows_copy(Some(now), Some(id())));
        assert!(!link.allows_copy(Some(now), None));
        let open = Narrowing::default();
        assert!(open.is_open());
        assert!(open.allows_copy(None, None));
    }

    #[test]
    fn staff_are_never_narrowed() {
        let mut claims = Claims {
            sub: id(),
            tid: id(),
            kind: AccountKind::Staff,
            roles: vec![],
            cust: None,
            sites: vec![],
            wo: Some(id()),
            rvis: Some(0),
            jti: id(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            aud: String::new(),
        };
        assert!(Narrowing::of(&claims).is_open());
        claims.kind = AccountKind::Contact;
        let n = Narrowing::of(&claims);
        assert!(!n.is_open());
        assert_eq!(n.since, DateTime::from_timestamp(0, 0));
    }

    #[test]
    fn nothing_sees_nothing() {
        assert!(!Scope::Nothing.allows(id(), None));
        assert!(!Scope::Nothing.sql_filter().2);
    }
}
