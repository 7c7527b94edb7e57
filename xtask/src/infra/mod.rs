//! The servers the services need: PostgreSQL and NATS. Each is used if it
//! already answers, started if installed, installed if xtask runs as root.

pub mod nats;
pub mod postgres;
