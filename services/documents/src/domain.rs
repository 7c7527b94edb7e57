//! Rules of an upload, without I/O: what owner, name, size and content
//! type are accepted, and where the bytes are kept; and whose files a
//! narrowed caller sees.
use chrono::{DateTime, Utc};
use portal_platform::errors::{ServiceError, ServiceResult};
use portal_platform::scope::Narrowing;
use uuid::Uuid;

use crate::config::MIB;

/// The only kind of owner so far; quotes and reports will follow.
pub const OWNER_REQUEST: &str = "request";
/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest extension kept when a long name is shortened.
const MAX_EXTENSION_CHARS: usize = 16;

/// What the caller sent.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
}

/// What the installation accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    pub max_bytes: usize,
    pub allowed_types: &'a [String],
}

/// An accepted upload's cleaned-up name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub name: String,
    pub content_type: String,
}

/// What documents knows of a request that owns files, from its events;
/// either part may not have arrived yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnerRequest {
    pub created_at: Option<DateTime<Utc>>,
    pub work_order_id: Option<Uuid>,
}

/// Whether a caller with narrowing `n` sees the files of an owner: a
/// request's files follow the request (requests created before a customer's
/// "since" limit are hidden; a secure link for one work order sees only its
/// request), judged from `known` (`None`: no event yet, so hidden from
/// narrowed callers). Owners of other kinds have no such rule yet: hidden
/// from narrowed callers.
pub fn files_show(n: &Narrowing, owner_type: &str, known: Option<OwnerRequest>) -> bool {
    if n.is_open() {
        return true;
    }
    let known = known.unwrap_or_default();
    owner_type == OWNER_REQUEST && n.allows_copy(known.created_at, known.work_order_id)
}

pub fn owner_type(raw: &str) -> ServiceResult<&'static str> {
    match raw.trim() {
        OWNER_REQUEST => Ok(OWNER_REQUEST),
        _ => Err(ServiceError::Invalid(format!(
            "owner_type must be \"{OWNER_REQUEST}\""
        ))),
    }
}

/// Checks an upload: name, size, declared type and whether the content is
/// really of that type (a renamed executable is not a PNG).
pub fn validate(upload: Upload<'_>, limits: Limits<'_>) -> ServiceResult<Accepted> {
    let name = sanitize_name(upload.name)?;
    if upload.content.is_empty() {
        return Err(ServiceError::Invalid(format!("{name} is empty")));
    }
    if upload.content.len() > limits.max_bytes {
        return Err(ServiceError::TooLarge(format!(
            "{name} is larger than the {} limit",
            mib(limits.max_bytes)
        )));
    }
    let content_type = normalize_type(upload.content_type);
    let allowed = limits
        .allowed_types
        .iter()
        .any(|t| normalize_type(t) == content_type);
    if content_type.is_empty() || !allowed {
        return Err(ServiceError::UnsupportedType(format!(
            "files of type \"{content_type}\" are not accepted"
        )));
    }
    if !content_matches(&content_type, upload.content) {
        return Err(ServiceError::UnsupportedType(format!(
            "the content of {name} is not {content_type}"
        )));
    }
    Ok(Accepted { name, content_type })
}

/// The last path segment without control or text-direction characters
/// (the name ends up in headers and on screens), at most 200 characters.
pub fn sanitize_name(raw: &str) -> ServiceResult<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let name = cleaned.trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err(ServiceError::Invalid("a file name is required".into()));
    }
    Ok(shorten(name))
}

/// Bidirectional overrides can disguise `exe.pdf` as `fdp.exe`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Cuts a long name, keeping a short extension so the file still opens.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= MAX_EXTENSION_CHARS);
    match ext {
        Some(ext) => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => name.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// `Image/PNG; charset=x` → `image/png`.
pub fn normalize_type(raw: &str) -> String {
    raw.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether the first bytes match the declared type, for the types that have
/// a reliable signature; other types are taken on trust.
pub fn content_matches(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]),
        // Readers accept the header anywhere in the first KiB.
        "application/pdf" => bytes
            .get(..1024)
            .unwrap_or(bytes)
            .windows(5)
            .any(|w| w == b"%PDF-"),
        _ => true,
    }
}

/// Where the bytes of an attachment live: grouped by tenant and owner so a
/// tenant's or a request's files can be found (and removed) together.
pub fn blob_key(tenant_id: Uuid, owner_type: &str, owner_id: Uuid, id: Uuid) -> String {
    format!("{tenant_id}/{owner_type}/{owner_id}/{id}")
}

/// `10485760` → `10 MiB`, `1572864` → `1.5 MiB`.
pub fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        let v = bytes as f64 / MIB as f64;
        format!("{v:.1} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn files_follow_their_request() {
        let now = Utc::now();
        let (wo, other) = (Uuid::now_v7(), Uuid::now_v7());
        let known = |created_at, work_order_id| {
            Some(OwnerRequest {
                created_at,
                work_order_id,
            })
        };
        let since = Narrowing {
            since: Some(now),
            work_order: None,
        };
        assert!(files_show(&since, OWNER_REQUEST, known(Some(now), None)));
        let older = now - chrono::Duration::seconds(1);
        assert!(!files_show(&since, OWNER_REQUEST, known(Some(older), None)));
        let link = Narrowing {
            since: None,
            work_order: Some(wo),
        };
        assert!(files_show(
            &link,
            OWNER_REQUEST,
            known(Some(older), Some(wo))
        ));
        assert!(!files_show(
            &link,
            OWNER_REQUEST,
            known(Some(now), Some(other))
        ));
        assert!(!files_show(&link, OWNER_REQUEST, known(Some(now), None)));
    }

    #[test]
    fn unknown_owners_are_hidden_from_narrowed_callers_only() {
        let since = Narrowing {
            since: Some(Utc::now()),
            work_order: None,
        };
        assert!(!files_show(&since, OWNER_REQUEST, None));
        assert!(!files_show(&since, "quote", None));
        assert!(files_show(&Narrowing::default(), OWNER_REQUEST, None));
    }

    fn types() -> Vec<String> {
        ["image/png", "application/pdf", "text/plain", "image/webp"]
            .map(String::from)
            .to_vec()
    }

    fn check(name: &str, ct: &str, content: &[u8]) -> ServiceResult<Accepted> {
        validate(
            Upload {
                name,
                content_type: ct,
                content,
            },
            Limits {
                max_bytes: 2 * MIB,
                allowed_types: &types(),
            },
        )
    }

    #[test]
    fn accepts_a_real_png() {
        let ok = check("photo.png", "image/png", PNG).expect("accepted");
        assert_eq!(ok.name, "photo.png");
        assert_eq!(ok.content_type, "image/png");
    }

    #[test]
    fn a_declared_png_that_is_not_one_is_refused() {
        let err = check("photo.png", "image/png", b"MZ\x90\0 not a png");
        assert!(matches!(err, Err(ServiceError::UnsupportedType(_))));
    }

    #[test]
    fn types_outside_the_allow_list_are_refused() {
        let err = check("a.exe", "application/x-msdownload", b"MZ");
        assert!(matches!(err, Err(ServiceError::UnsupportedType(_))));
        let err = check("a", "", b"x");
        assert!(matches!(err, Err(ServiceError::UnsupportedType(_))));
    }

    #[test]
    fn declared_types_are_normalised() {
        let ok = check("a.txt", " Text/Plain; charset=utf-8", b"hi").expect("accepted");
        assert_eq!(ok.content_type, "text/plain");
    }

    #[test]
    fn too_large_names_the_limit() {
        let big = vec![b'a'; 2 * MIB + 1];
        match check("big.txt", "text/plain", &big) {
            Err(ServiceError::TooLarge(m)) => assert!(m.contains("2 MiB"), "{m}"),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(check("max.txt", "text/plain", &big[..2 * MIB]).is_ok());
    }

    #[test]
    fn empty_files_are_refused() {
        assert!(matches!(
            check("e.txt", "text/plain", b""),
            Err(ServiceError::Invalid(_))
        ));
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(
            sanitize_name("../../etc/passwd").expect("ok"),
            "passwd".to_owned()
        );
        assert_eq!(
            sanitize_name("C:\\Users\\me\\report.pdf").expect("ok"),
            "report.pdf"
        );
        assert_eq!(sanitize_name("a\r\nb\u{0}c.txt").expect("ok"), "abc.txt");
        assert_eq!(
            sanitize_name("invoice\u{202E}fdp.exe").expect("ok"),
            "invoicefdp.exe"
        );
        assert_eq!(sanitize_name("  spaced.txt ").expect("ok"), "spaced.txt");
    }

    #[test]
    fn a_name_is_required() {
        for bad in ["", "   ", "dir/", "..", "/.", "\u{7}"] {
            assert!(
                matches!(sanitize_name(bad), Err(ServiceError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.pdf", "ü".repeat(300));
        let short = sanitize_name(&long).expect("ok");
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with(".pdf"));
        let no_ext = "x".repeat(250);
        assert_eq!(
            sanitize_name(&no_ext).expect("ok").chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn signatures_of_known_types() {
        assert!(content_matches("image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!content_matches("image/jpeg", PNG));
        assert!(content_matches("image/gif", b"GIF89a..."));
        assert!(!content_matches("image/gif", b"GIF90a"));
        assert!(content_matches("image/webp", b"RIFF\x10\0\0\0WEBPVP8 "));
        assert!(!content_matches("image/webp", b"RIFF\x10\0\0\0WAVE"));
        assert!(!content_matches("image/webp", b"RIFF"));
        assert!(content_matches("application/pdf", b"%PDF-1.7\n"));
        assert!(content_matches("application/pdf", b"\xEF\xBB\xBF%PDF-1.4"));
        assert!(!content_matches("application/pdf", b"<html>"));
        assert!(content_matches("text/csv", b"a,b\n1,2"));
    }

    #[test]
    fn only_requests_own_attachments_for_now() {
        assert_eq!(owner_type("request").expect("ok"), "request");
        assert!(matches!(owner_type("quote"), Err(ServiceError::Invalid(_))));
    }

    #[test]
    fn blobs_are_grouped_by_tenant_and_owner() {
        let (t, o, a) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(blob_key(t, "request", o, a), format!("{t}/request/{o}/{a}"));
    }

    #[test]
    fn limits_read_in_mebibytes() {
        assert_eq!(mib(10 * MIB), "10 MiB");
        assert_eq!(mib(MIB + MIB / 2), "1.5 MiB");
    }
}
