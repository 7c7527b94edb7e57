//! Invoices (E4): drafts the provider alone sees, finalised into a numbered
//! PDF document the customer's contacts see, then marked paid; unpaid past
//! the due date is overdue. Lines and totals as on quotes.
pub mod domain;
pub mod service;
pub mod store;
