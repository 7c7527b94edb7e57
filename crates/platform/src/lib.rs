//! What every Portal service shares: configuration, telemetry, the database
//! pool and its migrations, the event envelope, the transactional outbox and
//! its relay, the JetStream consumer runner with its inbox, token
//! verification, gRPC health and graceful shutdown.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod balance;
pub mod calendar;
pub mod callers;
pub mod cli;
pub mod config;
pub mod consumer;
pub mod db;
pub mod errors;
pub mod event_handler;
pub mod event_types;
pub mod events;
pub mod grpc;
pub mod images;
pub mod jobs;
pub mod log_format;
pub mod metrics;
pub mod nats;
pub use portal_roster::nats_users;
pub mod outbox;
pub mod paging;
pub mod parked;
pub mod passwords;
pub mod permissions;
pub mod scope;
pub mod search;
pub mod service;
pub mod service_tls;
pub mod shutdown;
pub mod telemetry;
pub mod tenancy;
pub mod time;
pub mod zone;

pub use tokio_util::sync::CancellationToken;
