//! Quotes (E3): written from lines as a PDF document and sent; decided by a
//! contact in scope, once, before they expire; an acceptance gets a signed
//! copy (the quote and a certificate page) as the document's new version,
//! and `quote.accepted` / `quote.declined` in the same transaction.
pub mod domain;
pub mod service;
pub mod store;
