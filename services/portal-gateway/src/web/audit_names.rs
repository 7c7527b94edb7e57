//! The audit log's actions (identity's and requests'), each with its
//! translation key, so the page names them in the reader's language.

/// Every action the services record.
pub const ACTIONS: [&str; 21] = [
    "account.activated",
    "account.registered",
    "contact.access_changed",
    "contact.added_to_customer",
    "contact.created",
    "contact.invited",
    "customer.portal_disabled",
    "customer.portal_enabled",
    "password.changed",
    "password.reset",
    "password.reset_requested",
    "request.accepted",
    "request.assigned",
    "request.closed",
    "request.rejected",
    "secure_link.created",
    "secure_link.opened",
    "secure_link.revoked",
    "sessions.ended",
    "staff.created",
    "tenant.portal_changed",
];

/// The translation key of an audit action; unknown ones keep their code.
pub fn action_key(action: &str) -> Option<String> {
    ACTIONS
        .contains(&action)
        .then(|| format!("audit-action-{}", action.replace(['.', '_'], "-")))
}

/// The translation key of an actor's kind (staff, contact, link).
pub fn kind_key(kind: &str) -> Option<String> {
    matches!(kind, "staff" | "contact" | "link").then(|| format!("audit-kind-{kind}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n;

    #[test]
    fn every_action_and_kind_is_translated() {
        // The other languages are held to English's keys by i18n's own test.
        let keys = ACTIONS.iter().filter_map(|a| action_key(a)).chain(
            ["staff", "contact", "link"]
                .iter()
                .filter_map(|k| kind_key(k)),
        );
        for key in keys {
            assert_ne!(i18n::t("en", &key), key, "{key}");
        }
        assert_eq!(action_key("something.new"), None);
    }
}
