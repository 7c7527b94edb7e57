//! The knowledge base (E6): FAQ articles in Markdown, grouped by category,
//! searched in each article's language, with contacts' comments.
pub mod domain;
pub mod service;
pub mod store;
