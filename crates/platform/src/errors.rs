//! One error type for service handlers, turned into a gRPC status whose
//! `portal-problem` metadata lets the gateway pick the exact HTTP answer.
use tonic::{Code, Status};

/// Metadata key naming the problem type for the gateway.
pub const PROBLEM_HEADER: &str = "portal-problem";
/// Metadata key: seconds before a refused attempt may be repeated.
pub const RETRY_AFTER_HEADER: &str = "retry-after";

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// Forbidden for a reason callers tell apart (`portal-disabled`,
    /// `outside-access-window`): the first field is the problem type.
    #[error("{1}")]
    Refused(&'static str, String),
    /// Invalid input for a reason a page explains in the reader's language
    /// (`password-too-short`, ...): the first field is the problem type.
    #[error("{1}")]
    InvalidAs(&'static str, String),
    /// Not possible in the current state, for a named reason (as `InvalidAs`).
    #[error("{1}")]
    WrongStateAs(&'static str, String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedType(String),
    #[error("{0}")]
    WrongState(String),
    #[error("{0}")]
    Unavailable(String),
    /// Too many attempts: the caller may try again after this many seconds.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_secs: u64,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    fn code_and_problem(&self) -> (Code, &'static str) {
        match self {
            Self::NotFound(_) => (Code::NotFound, "not-found"),
            Self::Invalid(_) => (Code::InvalidArgument, "invalid-input"),
            Self::Conflict(_) => (Code::AlreadyExists, "conflict"),
            Self::Forbidden(_) => (Code::PermissionDenied, "forbidden"),
            Self::Refused(problem, _) => (Code::PermissionDenied, problem),
            Self::InvalidAs(problem, _) => (Code::InvalidArgument, problem),
            Self::WrongStateAs(problem, _) => (Code::FailedPrecondition, problem),
            Self::Unauthenticated(_) => (Code::Unauthenticated, "unauthenticated"),
            Self::TooLarge(_) => (Code::InvalidArgument, "payload-too-large"),
            Self::UnsupportedType(_) => (Code::InvalidArgument, "unsupported-media-type"),
            Self::WrongState(_) => (Code::FailedPrecondition, "wrong-state"),
            Self::Unavailable(_) => (Code::Unavailable, "unavailable"),
            Self::TooMany { .. } => (Code::ResourceExhausted, "too-many-requests"),
            Self::Internal(_) => (Code::Internal, "internal"),
        }
    }
}

impl From<ServiceError> for Status {
    fn from(e: ServiceError) -> Self {
        if let ServiceError::Internal(inner) = &e {
            tracing::error!(error = ?inner, "internal error");
        }
        let (code, problem) = e.code_and_problem();
        let mut status = Status::new(code, e.to_string());
        if let Ok(v) = problem.parse() {
            status.metadata_mut().insert(PROBLEM_HEADER, v);
        }
        if let ServiceError::TooMany {
            retry_after_secs, ..
        } = &e
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            status.metadata_mut().insert(RETRY_AFTER_HEADER, v);
        }
        status
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Self::Conflict("already exists".into());
            }
            // Text PostgreSQL cannot store (a NUL byte, say) is the caller's input.
            if matches!(db.code().as_deref(), Some("22021" | "22P05" | "22001")) {
                return Self::Invalid("the text contains characters that cannot be stored".into());
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) {
            return Self::Unavailable("database unavailable".into());
        }
        Self::Internal(e.into())
    }
}

impl From<anyhow::Error> for ServiceError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

/// Turns a handler's result into a gRPC answer.
pub fn reply<T>(r: ServiceResult<T>) -> Result<tonic::Response<T>, Status> {
    r.map(tonic::Response::new).map_err(Status::from)
}

/// Parses an id given by a caller.
pub fn parse_id(field: &str, value: &str) -> ServiceResult<uuid::Uuid> {
    value
        .parse()
        .map_err(|_| ServiceError::Invalid(format!("{field} is not a valid id")))
}

/// Parses an id that names a record: a malformed one is simply not found.
pub fn lookup_id(what: &str, value: &str) -> ServiceResult<uuid::Uuid> {
    value.parse().map_err(|_| ServiceError::not_found(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_carries_its_problem_type() {
        let s: Status = ServiceError::TooLarge("file over 10 MiB".into()).into();
        assert_eq!(s.code(), Code::InvalidArgument);
        assert_eq!(
            s.metadata()
                .get(PROBLEM_HEADER)
                .and_then(|v| v.to_str().ok()),
            Some("payload-too-large")
        );
        assert_eq!(s.message(), "file over 10 MiB");
    }

    #[test]
    fn too_many_attempts_say_when_to_retry() {
        let s: Status = ServiceError::TooMany {
            message: "too many attempts".into(),
            retry_after_secs: 42,
        }
        .into();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert_eq!(
            s.metadata()
                .get(RETRY_AFTER_HEADER)
                .and_then(|v| v.to_str().ok()),
            Some("42")
        );
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let s: Status = ServiceError::Internal(anyhow::anyhow!("password=hunter2")).into();
        assert_eq!(s.code(), Code::Internal);
        assert!(!s.message().contains("hunter2"));
    }
}
