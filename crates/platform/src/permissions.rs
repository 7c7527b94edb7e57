//! Who may do what: the one table that identity, requests, work-orders and
//! the gateway read (house.md). Staff roles grant permissions; contacts and
//! secure links have none here, their reach is their scope (`scope`).
use std::fmt;
use std::str::FromStr;

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Dispatcher,
    Technician,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Admin, Self::Dispatcher, Self::Technician];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Dispatcher => "dispatcher",
            Self::Technician => "technician",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| format!("unknown role '{s}' (admin, dispatcher, technician)"))
    }
}

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    // identity
    ManageCustomers,
    ManageContacts,
    InviteContacts,
    ManageSecureLinks,
    ReadDirectory,
    ManageTenant,
    ManageStaff,
    ReadAudit,
    // requests
    /// Accept or reject a request, assign it.
    DecideRequests,
    // work orders
    /// Schedule, re-plan, unschedule and cancel any work order.
    PlanWork,
    /// Start and complete work planned onto oneself.
    DoOwnWork,
    /// Complete any work order (a dispatcher closing work by phone).
    CompleteAnyWork,
    /// See and set any technician's working hours and absences, and the
    /// tenant's default hours.
    ManageAvailability,
    /// Record and take back one's own absences.
    RecordOwnAbsence,
    /// Create and edit equipment at customers' sites.
    ManageEquipment,
    /// Define the tenant's equipment fields and inspection checklists.
    ManageEquipmentSettings,
    // documents
    /// Write and send quotes to customers (E3).
    IssueQuotes,
    /// Write, finalise and mark paid the invoices (E4).
    IssueInvoices,
    /// Publish files as documents for customers, and new versions (E1).
    PublishDocuments,
    /// Write and publish knowledge-base articles, hide comments (E6).
    ManageKnowledgeBase,
    // notification
    /// Read the mail log and send a mail that failed for good again (F3).
    ManageMail,
    // every service
    /// See the events a service set aside for good (outbox or consumer).
    ReadParkedEvents,
}

/// The table, one line per permission.
pub fn granted(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ManageCustomers | ManageContacts | InviteContacts | ManageSecureLinks | DecideRequests
        | PlanWork | CompleteAnyWork | ManageAvailability | ManageMail | ManageEquipment
        | IssueQuotes | PublishDocuments | ManageKnowledgeBase => {
            matches!(role, Admin | Dispatcher)
        }
        ReadDirectory => true,
        ManageTenant
        | ManageStaff
        | ReadAudit
        | ReadParkedEvents
        | ManageEquipmentSettings
        | IssueInvoices => role == Admin,
        DoOwnWork | RecordOwnAbsence => role == Technician,
    }
}

/// Whether any of `roles` (as tokens carry them) grants `permission`;
/// unknown role names grant nothing.
pub fn may(roles: &[String], permission: Permission) -> bool {
    roles
        .iter()
        .filter_map(|r| r.parse::<Role>().ok())
        .any(|role| granted(role, permission))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_table() {
        let cases: &[(&[&str], Permission, bool)] = &[
            (&["admin"], ManageTenant, true),
            (&["dispatcher"], ManageTenant, false),
            (&["dispatcher"], ManageContacts, true),
            (&["technician"], ManageContacts, false),
            (&["technician"], ReadDirectory, true),
            (&["dispatcher"], DecideRequests, true),
            (&["technician"], DecideRequests, false),
            (&["dispatcher"], PlanWork, true),
            (&["technician"], PlanWork, false),
            (&["technician"], DoOwnWork, true),
            (&["dispatcher"], DoOwnWork, false),
            (&["dispatcher", "technician"], DoOwnWork, true),
            (&["technician"], CompleteAnyWork, false),
            (&["admin"], ReadAudit, true),
            (&["dispatcher"], ManageMail, true),
            (&["dispatcher"], IssueQuotes, true),
            (&["technician"], IssueQuotes, false),
            (&["dispatcher"], PublishDocuments, true),
            (&["technician"], PublishDocuments, false),
            (&["admin"], IssueInvoices, true),
            (&["dispatcher"], IssueInvoices, false),
            (&["technician"], ManageMail, false),
            (&["admin"], ReadParkedEvents, true),
            (&["dispatcher"], ReadParkedEvents, false),
            (&["dispatcher"], ManageAvailability, true),
            (&["technician"], ManageAvailability, false),
            (&["technician"], RecordOwnAbsence, true),
            (&["dispatcher"], RecordOwnAbsence, false),
            (&["dispatcher"], ManageEquipment, true),
            (&["technician"], ManageEquipment, false),
            (&["admin"], ManageEquipmentSettings, true),
            (&["dispatcher"], ManageEquipmentSettings, false),
            (&[], ReadDirectory, false),
            (&["owner"], ReadDirectory, false),
        ];
        for (names, permission, expected) in cases {
            assert_eq!(
                may(&roles(names), *permission),
                *expected,
                "{names:?} {permission:?}"
            );
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
