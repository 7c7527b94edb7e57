//! The portal's cookies: names, reading, and `Set-Cookie` values.
//! `__Host-` names force `Secure`, `Path=/` and no `Domain` in browsers.
use axum::http::{HeaderMap, HeaderValue, header};

pub const ACCESS: &str = "__Host-portal-at";
pub const REFRESH: &str = "__Host-portal-rt";
pub const CSRF: &str = "__Host-portal-csrf";
pub const FLASH: &str = "__Host-portal-flash";
/// A browser that logged in before: its login tries are counted apart, so
/// a guesser elsewhere cannot keep its owner out. Kept across logouts.
pub const DEVICE: &str = "__Host-portal-device";

/// Refresh tokens live 30 days in identity; the cookie no longer.
pub const REFRESH_MAX_AGE: i64 = 30 * 24 * 3600;
/// identity forgets a device idle for 180 days.
pub const DEVICE_MAX_AGE: i64 = 180 * 24 * 3600;

/// Every `name=value` pair of the request's `Cookie` headers.
pub fn all(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            Some((n.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

/// The value of one cookie (the first if repeated).
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    all(headers)
        .into_iter()
        .find(|(n, v)| n == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value; `max_age` None = until the browser closes.
pub fn set(name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let s = format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax{age}");
    // Values are base64url or JWTs (always valid header text); never panic on odd input.
    HeaderValue::from_str(&s).unwrap_or_else(|_| clear(name))
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

/// The names a response already sets, so later layers do not override them.
pub fn names_set(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_once('=').map(|(n, _)| n.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pairs_from_several_headers() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-portal-at=x.y.z"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=\"2\"; empty="));
        assert_eq!(get(&h, ACCESS).as_deref(), Some("x.y.z"));
        assert_eq!(get(&h, "b").as_deref(), Some("2"));
        assert_eq!(get(&h, "empty"), None);
        assert_eq!(get(&h, "missing"), None);
    }

    #[test]
    fn set_cookie_has_the_safe_attributes() {
        let v = set(ACCESS, "tok", Some(900));
        let s = v.to_str().unwrap_or_default();
        for part in [
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=900",
        ] {
            assert!(s.contains(part), "{s}");
        }
        assert!(
            clear(REFRESH)
                .to_str()
                .unwrap_or_default()
                .contains("Max-Age=0")
        );
        assert_eq!(set(CSRF, "bad\nvalue", None), clear(CSRF));
    }
}
