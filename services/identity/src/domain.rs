//! identity's rules, free of I/O: what valid input is, who may do what,
//! and when a contact may log in.
use chrono::{DateTime, Utc};

pub const ROLES: [&str; 3] = ["admin", "dispatcher", "technician"];
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "pl"];
pub const MIN_PASSWORD: usize = 10;

/// What staff can do in identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageCustomers,
    ManageContacts,
    InviteContacts,
    ReadDirectory,
}

/// The permission table: one place, tested as a table.
pub fn may(roles: &[String], action: Action) -> bool {
    let has = |r: &str| roles.iter().any(|x| x == r);
    match action {
        Action::ManageCustomers | Action::ManageContacts | Action::InviteContacts => {
            has("admin") || has("dispatcher")
        }
        Action::ReadDirectory => has("admin") || has("dispatcher") || has("technician"),
    }
}

pub fn validate_slug(slug: &str) -> Result<(), String> {
    let ok_len = (2..=40).contains(&slug.len());
    let ok_chars = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok_len && ok_chars && !slug.starts_with('-') && !slug.ends_with('-') {
        Ok(())
    } else {
        Err("slug must be 2 to 40 lowercase letters, digits or dashes".into())
    }
}

/// A plausible address: one `@`, something on each side, a dot in the domain.
pub fn validate_email(email: &str) -> Result<(), String> {
    let bad = || Err(format!("'{email}' is not a valid e-mail address"));
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return bad();
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(())
        }
        _ => bad(),
    }
}

pub fn validate_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        Err(format!(
            "password must have at least {MIN_PASSWORD} characters"
        ))
    } else if password.len() > 1024 {
        Err("password is too long".into())
    } else {
        Ok(())
    }
}

pub fn required(field: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{field} is required"))
    } else {
        Ok(())
    }
}

/// The language to use: a supported one, else English.
pub fn language(requested: &str) -> Result<String, String> {
    let lang = if requested.is_empty() {
        "en"
    } else {
        requested
    };
    if LANGUAGES.contains(&lang) {
        Ok(lang.to_owned())
    } else {
        Err(format!("language must be one of {}", LANGUAGES.join(", ")))
    }
}

/// Why a contact may not log in now.
#[derive(Debug, PartialEq, Eq)]
pub enum Denied {
    PortalDisabled,
    NotActivated,
    OutsideAccessWindow,
}

pub struct ContactAccess {
    pub tenant_portal_enabled: bool,
    pub customer_portal_enabled: bool,
    pub activated: bool,
    pub access_from: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

pub fn contact_may_log_in(a: &ContactAccess, now: DateTime<Utc>) -> Result<(), Denied> {
    if !a.tenant_portal_enabled || !a.customer_portal_enabled {
        return Err(Denied::PortalDisabled);
    }
    if !a.activated {
        return Err(Denied::NotActivated);
    }
    if a.access_from.is_some_and(|f| now < f) || a.access_until.is_some_and(|u| now >= u) {
        return Err(Denied::OutsideAccessWindow);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn permission_table() {
        use Action::*;
        let table = [
            (["admin"], ManageCustomers, true),
            (["dispatcher"], ManageCustomers, true),
            (["technician"], ManageCustomers, false),
            (["admin"], InviteContacts, true),
            (["technician"], InviteContacts, false),
            (["technician"], ManageContacts, false),
            (["technician"], ReadDirectory, true),
        ];
        for (r, action, expected) in table {
            assert_eq!(may(&roles(&r), action), expected, "{r:?} {action:?}");
        }
        assert!(!may(&[], ReadDirectory));
    }

    #[test]
    fn slugs() {
        assert!(validate_slug("acme-services").is_ok());
        assert!(validate_slug("a").is_err());
        assert!(validate_slug("Acme").is_err());
        assert!(validate_slug("-acme").is_err());
        assert!(validate_slug("acme_x").is_err());
    }

    #[test]
    fn emails() {
        assert!(validate_email("claire@martin.example").is_ok());
        for bad in ["", "claire", "@x.fr", "a@b", "a b@c.fr", "a@@c.fr", "a@.fr"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_and_languages() {
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough pw").is_ok());
        assert_eq!(language(""), Ok("en".into()));
        assert_eq!(language("fr"), Ok("fr".into()));
        assert!(language("xx").is_err());
    }

    fn access() -> ContactAccess {
        ContactAccess {
            tenant_portal_enabled: true,
            customer_portal_enabled: true,
            activated: true,
            access_from: None,
            access_until: None,
        }
    }

    #[test]
    fn contact_login_rules() {
        let now = Utc::now();
        assert_eq!(contact_may_log_in(&access(), now), Ok(()));
        let a = ContactAccess {
            customer_portal_enabled: false,
            ..access()
        };
        assert_eq!(contact_may_log_in(&a, now), Err(Denied::PortalDisabled));
        let a = ContactAccess {
            activated: false,
            ..access()
        };
        assert_eq!(contact_may_log_in(&a, now), Err(Denied::NotActivated));
        let a = ContactAccess {
            access_from: Some(now + Duration::days(1)),
            ..access()
        };
        assert_eq!(
            contact_may_log_in(&a, now),
            Err(Denied::OutsideAccessWindow)
        );
        let a = ContactAccess {
            access_until: Some(now - Duration::seconds(1)),
            ..access()
        };
        assert_eq!(
            contact_may_log_in(&a, now),
            Err(Denied::OutsideAccessWindow)
        );
    }
}
