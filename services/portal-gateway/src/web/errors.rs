//! What a page says when identity refuses: known cases get a translated
//! sentence, others a generic one with the service's own detail.
use axum::http::StatusCode;
use tonic::Code;

use crate::web::i18n::{self, Arg};

/// An error shown next to a form (or as a page).
#[derive(Debug)]
pub struct Shown {
    pub status: StatusCode,
    pub message: String,
    /// Seconds, for `Retry-After` (HTTP 429).
    pub retry_after: Option<u64>,
}

/// Where the call came from: the same code means different things.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    Login,
    Link,
    Other,
}

const RETRY_AFTER: &str = "retry-after";

/// Seconds from the `retry-after` metadata of a RESOURCE_EXHAUSTED answer.
pub fn retry_after(s: &tonic::Status) -> Option<u64> {
    s.metadata()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

use portal_platform::passwords::MIN_PASSWORD_CHARS;

/// Refusals identity names with a problem type, and their translations.
const NAMED_REFUSALS: [(&str, &str); 11] = [
    ("password-too-short", "error-password-too-short"),
    ("password-too-long", "error-password-too-long"),
    ("wrong-current-password", "error-current-password"),
    ("notifications-off", "error-invite-notifications-off"),
    ("no-valid-email", "error-invite-no-email"),
    ("portal-not-enabled", "error-invite-portal-off"),
    ("already-active", "error-invite-already-active"),
    ("expiry-in-past", "error-expiry-in-past"),
    ("access-window-order", "error-access-window-order"),
    ("mail-not-failed", "error-mail-not-failed"),
    ("mail-text-not-kept", "error-mail-text-not-kept"),
];

fn named_refusal(problem: &str) -> Option<&'static str> {
    NAMED_REFUSALS
        .iter()
        .find(|(p, _)| *p == problem)
        .map(|(_, key)| *key)
}

pub fn shown(lang: &str, action: Action, s: &tonic::Status) -> Shown {
    let problem = s
        .metadata()
        .get(portal_platform::errors::PROBLEM_HEADER)
        .and_then(|v| v.to_str().ok());
    let (status, key) = match s.code() {
        Code::ResourceExhausted => {
            let secs = retry_after(s).unwrap_or(60);
            let minutes = secs.div_ceil(60).max(1);
            return Shown {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: i18n::text(
                    lang,
                    "error-too-many",
                    &[("minutes", Arg::Num(minutes as f64))],
                ),
                retry_after: Some(secs),
            };
        }
        Code::Unauthenticated if action == Action::Login => {
            (StatusCode::UNAUTHORIZED, "error-wrong-login")
        }
        Code::Unauthenticated if action == Action::Link => (StatusCode::GONE, "error-link-dead"),
        Code::Unauthenticated => (StatusCode::UNAUTHORIZED, "error-session"),
        // identity names these two refusals with their own problem type.
        Code::PermissionDenied if problem == Some("outside-access-window") => {
            (StatusCode::FORBIDDEN, "error-access-window")
        }
        Code::PermissionDenied if problem == Some("portal-disabled") => {
            (StatusCode::FORBIDDEN, "error-portal-disabled")
        }
        Code::PermissionDenied => (StatusCode::FORBIDDEN, "error-forbidden"),
        Code::NotFound if action == Action::Link => (StatusCode::GONE, "error-link-dead"),
        Code::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
        // Refusals a reader can act on, named by the service: said in
        // the reader's language, without the service's English detail.
        _ if let Some(key) = problem.and_then(named_refusal) => {
            let status = if s.code() == Code::FailedPrecondition {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            return Shown {
                status,
                message: i18n::text(lang, key, &[("min", Arg::Num(MIN_PASSWORD_CHARS as f64))]),
                retry_after: None,
            };
        }
        Code::InvalidArgument | Code::OutOfRange => {
            return Shown {
                status: StatusCode::BAD_REQUEST,
                message: i18n::text(
                    lang,
                    "error-invalid-detail",
                    &[("detail", Arg::Str(s.message().to_owned()))],
                ),
                retry_after: None,
            };
        }
        Code::AlreadyExists | Code::FailedPrecondition => {
            return Shown {
                status: StatusCode::CONFLICT,
                message: i18n::text(
                    lang,
                    "error-conflict-detail",
                    &[("detail", Arg::Str(s.message().to_owned()))],
                ),
                retry_after: None,
            };
        }
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Aborted => {
            (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
        }
        _ => {
            tracing::error!(code = ?s.code(), message = %s.message(), "backend error on a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
        }
    };
    Shown {
        status,
        message: i18n::t(lang, key),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_says_minutes_and_keeps_seconds() {
        let mut s = tonic::Status::resource_exhausted("too many attempts");
        s.metadata_mut().insert(
            "retry-after",
            "125".parse().unwrap_or_else(|_| unreachable!()),
        );
        let e = shown("en", Action::Login, &s);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.retry_after, Some(125));
        assert!(e.message.contains('3'), "{}", e.message);
    }

    #[test]
    fn known_refusals_are_translated() {
        let wrong = shown(
            "fr",
            Action::Login,
            &tonic::Status::unauthenticated("wrong tenant, e-mail or password"),
        );
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.message, i18n::t("fr", "error-wrong-login"));
        let window = shown(
            "de",
            Action::Login,
            &tonic::Status::from(portal_platform::errors::ServiceError::Refused(
                "outside-access-window",
                "your portal access is not open at this time".into(),
            )),
        );
        assert_eq!(window.message, i18n::t("de", "error-access-window"));
        let off = shown(
            "es",
            Action::Login,
            &tonic::Status::from(portal_platform::errors::ServiceError::Refused(
                "portal-disabled",
                "the portal is not enabled for your organisation".into(),
            )),
        );
        assert_eq!(off.message, i18n::t("es", "error-portal-disabled"));
        // Another refusal with similar words is not mistaken for them.
        let other = shown(
            "en",
            Action::Other,
            &tonic::Status::permission_denied("the window is not open"),
        );
        assert_eq!(other.message, i18n::t("en", "error-forbidden"));
        let dead = shown(
            "pl",
            Action::Link,
            &tonic::Status::unauthenticated(
                "this invitation link is invalid, already used or expired",
            ),
        );
        assert_eq!(dead.message, i18n::t("pl", "error-link-dead"));
        let internal = shown(
            "en",
            Action::Other,
            &tonic::Status::internal("secret detail"),
        );
        assert!(!internal.message.contains("secret"));
    }

    #[test]
    fn named_refusals_are_said_in_the_readers_language() {
        use portal_platform::errors::ServiceError;
        let short = shown(
            "fr",
            Action::Other,
            &tonic::Status::from(ServiceError::InvalidAs(
                "password-too-short",
                "password must have at least 10 characters".into(),
            )),
        );
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        assert!(!short.message.contains("password"), "{}", short.message);
        assert!(short.message.contains("10"), "{}", short.message);
        let active = shown(
            "de",
            Action::Other,
            &tonic::Status::from(ServiceError::WrongStateAs(
                "already-active",
                "the contact has already activated their account".into(),
            )),
        );
        assert_eq!(active.status, StatusCode::CONFLICT);
        assert_eq!(active.message, i18n::t("de", "error-invite-already-active"));
        // Every named refusal has its sentence (the other languages are
        // held to English's keys by i18n's own test).
        for (_, key) in NAMED_REFUSALS {
            assert_ne!(i18n::t("en", key), key, "{key}");
        }
    }
}
