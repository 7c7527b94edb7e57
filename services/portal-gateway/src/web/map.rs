//! The map tile setting: checked at start, shown to the maps' script, and
//! allowed as an image origin in the pages' content policy.
use axum::http::HeaderValue;

/// `PORTAL_MAP_TILES_URL` as the pages use it.
#[derive(Debug, Clone, Default)]
pub struct Tiles {
    /// Empty: no tile server.
    pub url: String,
    pub attribution: String,
    /// `https://host[:port]`, for the content policy.
    origin: String,
}

impl Tiles {
    pub fn new(url: &str, attribution: &str) -> Self {
        let url = url.trim();
        Self {
            origin: origin(url).unwrap_or_default().to_owned(),
            url: url.to_owned(),
            attribution: attribution.trim().to_owned(),
        }
    }
}

/// `https://host[:port]` of a tile URL template, if it is one.
fn origin(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let host_end = rest.find('/')?;
    let host = &rest[..host_end];
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    valid.then(|| &url[.."https://".len() + host_end])
}

/// The setting's parser: empty, or an `https://` template on one host with
/// `{z}`, `{x}` and `{y}`.
pub fn tiles_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    if origin(value).is_none() {
        return Err(
            "an https:// URL on one host (no {s} in the host), like https://tile.example.org/{z}/{x}/{y}.png"
                .into(),
        );
    }
    if !["{z}", "{x}", "{y}"].iter().all(|p| value.contains(p)) {
        return Err("the URL needs {z}, {x} and {y}".into());
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == ';')
    {
        return Err("the URL holds characters a URL cannot".into());
    }
    Ok(value.to_owned())
}

/// The pages' content policy: only their own files, plus the tiles' origin
/// for images when a tile server is set.
pub fn content_policy(tiles: &Tiles) -> HeaderValue {
    let images = if tiles.origin.is_empty() {
        "'self' data:".to_owned()
    } else {
        format!("'self' data: {}", tiles.origin)
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_url_is_https_on_one_host_with_its_placeholders() {
        let ok = "https://tile.example.org/{z}/{x}/{y}.png";
        assert_eq!(tiles_url(ok).as_deref(), Ok(ok));
        assert_eq!(tiles_url("  ").as_deref(), Ok(""));
        for bad in [
            "http://tile.example.org/{z}/{x}/{y}.png",
            "https://{s}.tile.example.org/{z}/{x}/{y}.png",
            "https://tile.example.org/{z}/{x}.png",
            "https://tile.example.org",
            "https://tile.example.org/{z}/{x}/{y}.png; script-src *",
        ] {
            assert!(tiles_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_policy_allows_the_tiles_origin_for_images_only() {
        let none = content_policy(&Tiles::default());
        assert!(
            none.to_str()
                .is_ok_and(|p| p.contains("img-src 'self' data:;"))
        );
        let set = content_policy(&Tiles::new(
            "https://tile.example.org:8443/{z}/{x}/{y}.png",
            "",
        ));
        assert!(set.to_str().is_ok_and(|p| {
            p.contains("img-src 'self' data: https://tile.example.org:8443;")
                && p.contains("script-src 'self';")
        }));
    }
}
