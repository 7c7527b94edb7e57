//! The closed sets of words the services accept, named in the API document
//! (`#[schema(value_type = ...)]` on the `String` fields that carry them).
//! The fields stay strings so that a refused word gets the service's own
//! 400 problem; these types only tell clients and fuzzers the choices.
use serde::Serialize;
use utoipa::ToSchema;

/// A language of the pages and mails (identity's `LANGUAGES`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
    De,
    Es,
    Pl,
}

/// A staff role (identity's `ROLES`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Dispatcher,
    Technician,
}

/// Which of a customer's requests its contacts see (identity's `RequestVisibility`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestVisibility {
    All,
    Since,
    AfterEnabled,
}

/// A request's status (requests' `Status`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Submitted,
    Accepted,
    Rejected,
    Planned,
    InProgress,
    Done,
    Closed,
}

/// A request's priority (requests' `PRIORITIES`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// A request's severity (requests' `SEVERITIES`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minor,
    Major,
    Critical,
}

/// A field a tenant may make required on new requests (requests' `REQUIRABLE_FIELDS`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirableField {
    Category,
    Priority,
    Severity,
}

/// The order of a request list (requests' `Sort`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestSort {
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    DueAsc,
}
