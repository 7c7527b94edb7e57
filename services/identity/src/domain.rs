//! identity's rules, free of I/O: what valid input is, who may do what,
//! and when a contact may log in.
use chrono::{DateTime, Utc};

pub const ROLES: [&str; 3] = ["admin", "dispatcher", "technician"];
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "pl"];
pub use portal_platform::passwords::MIN_PASSWORD_CHARS as MIN_PASSWORD;

/// What staff can do: the platform's one permission table.
pub use portal_platform::permissions::Permission as Action;

pub fn may(roles: &[String], action: Action) -> bool {
    portal_platform::permissions::may(roles, action)
}

/// Whether a customer's contacts may use the portal (A1): the tenant's
/// switch, then either "all customers" or the customer's own switch.
pub fn portal_open(tenant_enabled: bool, all_customers: bool, customer_enabled: bool) -> bool {
    tenant_enabled && (all_customers || customer_enabled)
}

/// Which of a customer's requests its contacts see (A10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestVisibility {
    All,
    Since,
    AfterEnabled,
}

impl RequestVisibility {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(Self::All),
            "since" => Ok(Self::Since),
            "after_enabled" => Ok(Self::AfterEnabled),
            _ => Err("request_visibility must be one of all, since, after_enabled".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Since => "since",
            Self::AfterEnabled => "after_enabled",
        }
    }

    /// The earliest creation time of a visible request; `None` = all.
    pub fn lower_bound(
        self,
        visible_since: Option<DateTime<Utc>>,
        portal_enabled_at: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        match self {
            Self::All => None,
            Self::Since => visible_since,
            Self::AfterEnabled => portal_enabled_at,
        }
    }
}

/// Whether a request created at `created` (`None`: not known) is shown to
/// a customer whose contacts see requests since `since` (`None`: all).
pub fn request_shown(since: Option<DateTime<Utc>>, created: Option<DateTime<Utc>>) -> bool {
    match (since, created) {
        (None, _) => true,
        (Some(since), Some(created)) => created >= since,
        (Some(_), None) => false,
    }
}

/// How many attempts a key may make in a window before it must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub attempts: i32,
    pub window_secs: i64,
}

/// Mails asked for (reset, registration) per address and per e-mail: no
/// mail bombing through the portal.
pub const MAILS_PER_ADDRESS: Limit = Limit {
    attempts: 10,
    window_secs: 15 * 60,
};
pub const MAILS_PER_ACCOUNT: Limit = Limit {
    attempts: 3,
    window_secs: 15 * 60,
};
/// Unknown or dead link tokens per address.
pub const LINKS_PER_ADDRESS: Limit = Limit {
    attempts: 20,
    window_secs: 15 * 60,
};

/// Seconds to wait before the next attempt, when `attempts` made since
/// `window_start` have used up the limit.
pub fn retry_after(
    limit: Limit,
    attempts: i32,
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<u64> {
    let ends = window_start + chrono::Duration::seconds(limit.window_secs);
    if attempts >= limit.attempts && now < ends {
        Some(u64::try_from((ends - now).num_seconds().max(1)).unwrap_or(1))
    } else {
        None
    }
}

/// Staff roles: at least one, each known, no repeats.
pub fn validate_roles(roles: &[String]) -> Result<(), String> {
    let known = roles.iter().all(|r| ROLES.contains(&r.as_str()));
    let mut unique = roles.to_vec();
    unique.sort();
    unique.dedup();
    if roles.is_empty() || !known || unique.len() != roles.len() {
        Err(format!("roles must be one or more of {}", ROLES.join(", ")))
    } else {
        Ok(())
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

/// Why a new password is refused; the slug names it to the pages, which
/// explain it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
}

impl PasswordProblem {
    pub fn slug(self) -> &'static str {
        match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::TooShort => format!("password must have at least {MIN_PASSWORD} characters"),
            Self::TooLong => format!("password must have at most {MAX_PASSWORD_BYTES} bytes"),
        }
    }
}

/// Longest password accepted, in bytes (argon2 hashes any length; this
/// bounds the work a caller can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;

pub fn validate_password(password: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD {
        Err(PasswordProblem::TooShort)
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(PasswordProblem::TooLong)
    } else {
        Ok(())
    }
}

/// A currency as ISO 4217 writes it (three letters, upper-cased); it is
/// printed as typed, never converted, so the form is what is checked.
pub fn currency(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

pub fn required(field: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{field} is required"))
    } else {
        Ok(())
    }
}

/// A site's position: both or neither, within ±90 / ±180 (and finite).
pub fn position(latitude: Option<f64>, longitude: Option<f64>) -> Result<(), String> {
    match (latitude, longitude) {
        (None, None) => Ok(()),
        (Some(lat), Some(lng))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err("latitude must be within ±90 and longitude within ±180".into()),
        _ => Err("give both latitude and longitude, or neither".into()),
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

/// Seconds during which a refresh token just used may be presented again
/// (two browser tabs refreshing at once) without ending the session.
pub const REFRESH_REUSE_GRACE_SECS: i64 = 10;

pub fn within_reuse_grace(used_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - used_at < chrono::Duration::seconds(REFRESH_REUSE_GRACE_SECS)
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
    #[test]
    fn a_currency_is_three_letters() {
        assert_eq!(currency(" pln ").as_deref(), Some("PLN"));
        assert_eq!(currency("EUR").as_deref(), Some("EUR"));
        assert_eq!(currency("€"), None);
        assert_eq!(currency("EURO"), None);
        assert_eq!(currency(""), None);
    }

    #[test]
    fn a_position_is_both_coordinates_within_range() {
        assert!(position(None, None).is_ok());
        assert!(position(Some(48.85), Some(2.35)).is_ok());
        assert!(position(Some(-90.0), Some(180.0)).is_ok());
        assert!(position(Some(90.1), Some(0.0)).is_err());
        assert!(position(Some(0.0), Some(-180.5)).is_err());
        assert!(position(Some(f64::NAN), Some(0.0)).is_err());
        assert!(position(Some(1.0), None).is_err());
        assert!(position(None, Some(1.0)).is_err());
    }

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
            (["admin"], ManageSecureLinks, true),
            (["dispatcher"], ManageSecureLinks, true),
            (["technician"], ManageSecureLinks, false),
            (["admin"], ManageTenant, true),
            (["dispatcher"], ManageTenant, false),
            (["technician"], ManageTenant, false),
            (["admin"], ReadAudit, true),
            (["admin"], ManageStaff, true),
            (["dispatcher"], ManageStaff, false),
            (["technician"], ManageStaff, false),
            (["dispatcher"], ReadAudit, false),
            (["technician"], ReadAudit, false),
            (["dispatcher"], ManageContacts, true),
            (["dispatcher"], InviteContacts, true),
            (["technician"], ManageCustomers, false),
        ];
        for (r, action, expected) in table {
            assert_eq!(may(&roles(&r), action), expected, "{r:?} {action:?}");
        }
        assert!(!may(&[], ReadDirectory));
    }

    #[test]
    fn roles_are_known_and_not_repeated() {
        assert!(validate_roles(&roles(&["dispatcher", "technician"])).is_ok());
        assert!(validate_roles(&[]).is_err());
        assert!(validate_roles(&roles(&["boss"])).is_err());
        assert!(validate_roles(&roles(&["admin", "admin"])).is_err());
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
        assert_eq!(validate_password("short"), Err(PasswordProblem::TooShort));
        assert_eq!(
            validate_password(&"x".repeat(1025)),
            Err(PasswordProblem::TooLong)
        );
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

    #[test]
    fn a_refresh_token_may_be_replayed_only_seconds_after_its_use() {
        let now = Utc::now();
        assert!(within_reuse_grace(now - Duration::seconds(2), now));
        assert!(!within_reuse_grace(now - Duration::seconds(11), now));
    }

    #[test]
    fn portal_switches() {
        assert!(portal_open(true, false, true));
        assert!(portal_open(true, true, false));
        assert!(!portal_open(true, false, false));
        assert!(!portal_open(false, true, true));
    }

    #[test]
    fn request_visibility_bounds() {
        let since = Utc::now() - Duration::days(30);
        let enabled = Utc::now() - Duration::days(2);
        let v = |s| RequestVisibility::parse(s).map(|v| v.lower_bound(Some(since), Some(enabled)));
        assert_eq!(v("all"), Ok(None));
        assert_eq!(v("since"), Ok(Some(since)));
        assert_eq!(v("after_enabled"), Ok(Some(enabled)));
        assert!(v("some").is_err());
    }

    #[test]
    fn attempts_beyond_the_limit_wait_for_the_window_to_end() {
        let now = Utc::now();
        let start = now - Duration::minutes(5);
        assert_eq!(retry_after(MAILS_PER_ADDRESS, 9, start, now), None);
        assert_eq!(retry_after(MAILS_PER_ADDRESS, 10, start, now), Some(600));
        let old = now - Duration::minutes(16);
        assert_eq!(retry_after(MAILS_PER_ADDRESS, 50, old, now), None);
    }

    #[test]
    fn a_request_before_the_customers_limit_is_not_shown() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::days(1);
        assert!(request_shown(None, None));
        assert!(request_shown(Some(earlier), Some(now)));
        assert!(!request_shown(Some(now), Some(earlier)));
        assert!(!request_shown(Some(now), None), "unknown: hidden");
    }
}
