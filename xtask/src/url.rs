//! Just enough URL handling for connection strings (PostgreSQL, NATS, SMTP).
//!
//! Hand-written so xtask stays dependency-light: it only needs the host, the
//! port, the database path and a way to hide passwords when printing.

use anyhow::{Context, Result};

/// `scheme://[userinfo@]host[:port][/path][?query]`, borrowed from the input
/// (the userinfo stays inside `authority`).
struct Parts<'a> {
    scheme: &'a str,
    authority: &'a str,
    host: &'a str,
    port: Option<u16>,
    /// Everything after the authority: `/path?query`, possibly empty.
    tail: &'a str,
}

fn split(url: &str) -> Result<Parts<'_>> {
    let (scheme, rest) = url
        .split_once("://")
        .with_context(|| format!("`{}` is not a URL (no `://`)", redact(url)))?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_userinfo, host_port)| host_port);
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        // IPv6 literal: `[::1]:5432`.
        let (host, after) = bracketed
            .split_once(']')
            .with_context(|| format!("unclosed `[` in `{}`", redact(url)))?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        Some(port) => Some(
            port.parse()
                .with_context(|| format!("bad port `{port}` in `{}`", redact(url)))?,
        ),
        None => None,
    };
    Ok(Parts {
        scheme,
        authority,
        host,
        port,
        tail,
    })
}

/// Host and port to probe; an empty host means the local machine.
pub fn host_port(url: &str, default_port: u16) -> Result<(String, u16)> {
    let parts = split(url)?;
    let host = if parts.host.is_empty() {
        "localhost"
    } else {
        parts.host
    };
    Ok((host.to_owned(), parts.port.unwrap_or(default_port)))
}

/// Whether xtask may start or install a server for this host itself.
pub fn is_local(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// The same server and credentials, another database: `…/postgres` -> `…/portal_identity`.
pub fn with_database(url: &str, database: &str) -> Result<String> {
    let parts = split(url)?;
    let query = parts.tail.find('?').map_or("", |at| &parts.tail[at..]);
    Ok(format!(
        "{}://{}/{database}{query}",
        parts.scheme, parts.authority
    ))
}

/// The URL with its password replaced by `***`, safe to print.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() -> Result<()> {
        assert_eq!(
            host_port("postgres://postgres@127.0.0.1:5432/postgres", 1)?,
            ("127.0.0.1".to_owned(), 5432)
        );
        assert_eq!(
            host_port("postgres://u:p@db.example/x?sslmode=require", 5432)?,
            ("db.example".to_owned(), 5432)
        );
        assert_eq!(
            host_port("nats://[::1]:4223", 4222)?,
            ("::1".to_owned(), 4223)
        );
        assert_eq!(
            host_port("postgres:///postgres", 5432)?,
            ("localhost".to_owned(), 5432)
        );
        assert!(host_port("127.0.0.1:5432", 5432).is_err());
        assert!(host_port("postgres://h:port/x", 5432).is_err());
        Ok(())
    }

    #[test]
    fn replaces_database_and_keeps_query() -> Result<()> {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "portal_identity"
            )?,
            "postgres://postgres@127.0.0.1:5432/portal_identity"
        );
        assert_eq!(
            with_database(
                "postgres://a:b@h/postgres?sslmode=disable",
                "portal_documents"
            )?,
            "postgres://a:b@h/portal_documents?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "portal_requests")?,
            "postgres://h:5432/portal_requests"
        );
        Ok(())
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://postgres:secret@127.0.0.1:5432/postgres"),
            "postgres://postgres:***@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/postgres"),
            "postgres://postgres@127.0.0.1/postgres"
        );
        assert_eq!(redact("not a url"), "not a url");
    }
}
