//! The system end to end through its public REST API (and gRPC where a test
//! says so), against real PostgreSQL, NATS JetStream and SMTP.

mod availability;
mod bad_input;
mod browser;
mod doors;
mod equipment;
mod event_log;
mod failed_mails;
mod faults;
mod fixtures;
mod forged_mail;
mod golden_path;
mod hidden_work;
mod integrator;
mod isolation;
mod key_rotation;
mod mail_in_out;
mod nats_cluster;
mod outages;
mod photos;
mod redelivery;
mod replicas;
mod row_security;
mod scope;
mod service_identity;
mod service_report;
mod service_tls;
mod sessions;
mod settings;
mod telemetry;
mod tickets;
mod ways_in;
mod web_shell;
mod web_tickets;
mod work_order_mails;
mod work_orders;
