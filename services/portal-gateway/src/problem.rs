//! Errors as RFC 9457 problem details (`application/problem+json`), with a
//! stable `type` per kind of problem.
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_platform::errors::PROBLEM_HEADER;
use serde::Serialize;
use tonic::Code;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:portal:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Seconds before trying again (429), sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:portal:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-input", detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let mut res = (status, Json(self)).into_response();
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// Maps a service's answer to HTTP: the `portal-problem` metadata names the
/// exact problem when the gRPC code alone is too coarse.
pub fn status_for(code: Code, problem: Option<&str>) -> (StatusCode, &'static str) {
    match problem {
        Some("payload-too-large") => return (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
        Some("unsupported-media-type") => {
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
        }
        Some("portal-disabled") => return (StatusCode::FORBIDDEN, "portal-disabled"),
        Some("outside-access-window") => return (StatusCode::FORBIDDEN, "outside-access-window"),
        _ => {}
    }
    match code {
        Code::NotFound => (StatusCode::NOT_FOUND, "not-found"),
        Code::InvalidArgument | Code::OutOfRange => (StatusCode::BAD_REQUEST, "invalid-input"),
        Code::AlreadyExists => (StatusCode::CONFLICT, "conflict"),
        Code::FailedPrecondition => (StatusCode::CONFLICT, "wrong-state"),
        Code::PermissionDenied => (StatusCode::FORBIDDEN, "forbidden"),
        Code::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
        // Transport trouble between gateway and service is not the caller's doing.
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::Unknown
        | Code::Cancelled
        | Code::Aborted => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl From<tonic::Status> for Problem {
    fn from(s: tonic::Status) -> Self {
        let problem = s
            .metadata()
            .get(PROBLEM_HEADER)
            .and_then(|v| v.to_str().ok());
        let (status, slug) = status_for(s.code(), problem);
        let detail = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(code = ?s.code(), message = %s.message(), "backend error");
            "something went wrong on our side".to_owned()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            "a service is unavailable; try again shortly".to_owned()
        } else {
            s.message().to_owned()
        };
        let mut problem = Self::new(status, slug, detail);
        problem.retry_after = s
            .metadata()
            .get(portal_platform::errors::RETRY_AFTER_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        problem
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        let slug = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            "unsupported-media-type"
        } else {
            "invalid-input"
        };
        Self::new(status, slug, r.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

impl From<MultipartRejection> for Problem {
    fn from(r: MultipartRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

impl From<MultipartError> for Problem {
    fn from(e: MultipartError) -> Self {
        let status = e.status();
        let slug = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "payload-too-large"
        } else {
            "invalid-input"
        };
        Self::new(status, slug, e.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_codes_map_to_http() {
        assert_eq!(status_for(Code::NotFound, None).0, StatusCode::NOT_FOUND);
        assert_eq!(
            status_for(Code::InvalidArgument, None).0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status_for(Code::AlreadyExists, None).0,
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_for(Code::Unauthenticated, None).0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status_for(Code::Internal, None).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_for(Code::Unknown, None).0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status_for(Code::InvalidArgument, Some("payload-too-large")).0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status_for(Code::InvalidArgument, Some("unsupported-media-type")).0,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn internal_details_are_hidden() {
        let p = Problem::from(tonic::Status::internal("duplicate key value violates ..."));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("duplicate"));
        assert_eq!(p.kind, "urn:portal:problem:internal");
    }
}
