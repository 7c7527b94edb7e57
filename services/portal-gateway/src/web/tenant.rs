//! Which tenant a page belongs to: `<slug>.<base domain>`, or the path form
//! `/t/<slug>/…` that every host accepts (single-host installs, tests).

/// Whether `slug` looks like a tenant slug (lowercase letters, digits, dashes).
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 63
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The tenant named by a `Host` header under `base_domain` (empty: none).
pub fn from_host(host: &str, base_domain: &str) -> Option<String> {
    if base_domain.is_empty() {
        return None;
    }
    let host = host.trim().to_ascii_lowercase();
    // Drop the port; an IPv6 literal is never a tenant host.
    if host.starts_with('[') {
        return None;
    }
    let name = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
    let name = name.trim_end_matches('.');
    let base = base_domain.to_ascii_lowercase();
    let slug = name.strip_suffix(&base)?.strip_suffix('.')?;
    (valid_slug(slug) && !slug.contains('.')).then(|| slug.to_owned())
}

/// The path prefix of a tenant's pages: none on its own host name, else `/t/<slug>`.
pub fn base_path(host_tenant: Option<&str>, slug: &str) -> String {
    if host_tenant == Some(slug) {
        String::new()
    } else {
        format!("/t/{slug}")
    }
}

/// The tenant of a path in the path form.
pub fn from_path(path: &str) -> Option<&str> {
    let slug = path.strip_prefix("/t/")?.split('/').next()?;
    valid_slug(slug).then_some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_under_the_base_domain_name_a_tenant() {
        assert_eq!(
            from_host("demo.localhost:8443", "localhost"),
            Some("demo".into())
        );
        assert_eq!(
            from_host("Demo.Portal.Example.", "portal.example"),
            Some("demo".into())
        );
        assert_eq!(
            from_host("acme-2.portal.example", "portal.example"),
            Some("acme-2".into())
        );
        assert_eq!(from_host("localhost:8443", "localhost"), None);
        assert_eq!(from_host("a.b.localhost", "localhost"), None);
        assert_eq!(from_host("demolocalhost", "localhost"), None);
        assert_eq!(from_host("127.0.0.1:8443", "localhost"), None);
        assert_eq!(from_host("[::1]:8443", "localhost"), None);
        assert_eq!(from_host("demo.localhost", ""), None);
        assert_eq!(from_host("de_mo.localhost", "localhost"), None);
    }

    #[test]
    fn paths_and_prefixes() {
        assert_eq!(from_path("/t/demo/login"), Some("demo"));
        assert_eq!(from_path("/t/demo"), Some("demo"));
        assert_eq!(from_path("/t/De/"), None);
        assert_eq!(from_path("/login"), None);
        assert_eq!(base_path(Some("demo"), "demo"), "");
        assert_eq!(base_path(Some("other"), "demo"), "/t/demo");
        assert_eq!(base_path(None, "demo"), "/t/demo");
    }
}
