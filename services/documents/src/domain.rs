//! Rules of an upload, without I/O: what owner, name, size and content
//! type are accepted, and where the bytes are kept; and whose files a
//! narrowed caller sees.
use chrono::{DateTime, Utc};
use portal_platform::errors::{ServiceError, ServiceResult};
use portal_platform::scope::Narrowing;
use uuid::Uuid;

use crate::config::MIB;

/// Who an attachment belongs to, stored as the PostgreSQL enum
/// `attachment_owner`: a request's files, or a work order's photos (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "attachment_owner", rename_all = "snake_case")]
pub enum OwnerType {
    Request,
    WorkOrder,
}

impl OwnerType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::WorkOrder => "work_order",
        }
    }

    /// The word in "no such …" answers.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::WorkOrder => "work order",
        }
    }

    pub fn parse(raw: &str) -> ServiceResult<Self> {
        match raw.trim() {
            "request" => Ok(Self::Request),
            "work_order" => Ok(Self::WorkOrder),
            _ => Err(ServiceError::Invalid(
                "owner_type must be \"request\" or \"work_order\"".into(),
            )),
        }
    }
}

/// Most photos one work order keeps: a report shows the first dozen, a
/// gallery stays browsable on a phone.
pub const MAX_PHOTOS: i64 = 100;
/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest extension kept when a long name is shortened.
const MAX_EXTENSION_CHARS: usize = 16;

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

/// Whether a caller with narrowing `n` sees the files of an owner: they
/// follow the request (requests created before a customer's "since" limit
/// are hidden; a secure link for one work order sees only its request and
/// that work order's photos), judged from `known`, the request as documents
/// knows it (`None`: no event yet, so hidden from narrowed callers).
pub fn files_show(
    n: &Narrowing,
    owner_type: OwnerType,
    owner_id: Uuid,
    known: Option<OwnerRequest>,
) -> bool {
    if n.is_open() {
        return true;
    }
    let Some(known) = known else {
        return false;
    };
    let work_order = match owner_type {
        OwnerType::Request => known.work_order_id,
        OwnerType::WorkOrder => Some(owner_id),
    };
    n.allows_copy(known.created_at, work_order)
}

/// A photo's type, from its bytes: the declared type and the name's
/// extension are ignored (a phone may call a HEIC "photo.jpg").
pub fn photo_type(name: &str, content: &[u8]) -> ServiceResult<&'static str> {
    portal_platform::images::PhotoFormat::sniff(content)
        .map(|f| f.content_type())
        .ok_or_else(|| ServiceError::UnsupportedType(portal_platform::images::not_a_photo(name)))
}

/// Checks what an upload declares, before a byte of it is read: its name,
/// and a type the installation accepts.
pub fn declared(
    name: &str,
    content_type: &str,
    allowed_types: &[String],
) -> ServiceResult<Accepted> {
    let name = sanitize_name(name)?;
    let content_type = normalize_type(content_type);
    let allowed = allowed_types
        .iter()
        .any(|t| normalize_type(t) == content_type);
    if content_type.is_empty() || !allowed {
        return Err(ServiceError::UnsupportedType(format!(
            "files of type \"{content_type}\" are not accepted"
        )));
    }
    Ok(Accepted { name, content_type })
}

/// Whether the first bytes of an accepted upload are really of its type
/// (a renamed executable is not a PNG); size and emptiness are `ingest`'s.
pub fn check_head(accepted: &Accepted, head: &[u8]) -> ServiceResult<()> {
    if content_matches(&accepted.content_type, head) {
        Ok(())
    } else {
        Err(ServiceError::UnsupportedType(format!(
            "the content of {} is not {}",
            accepted.name, accepted.content_type
        )))
    }
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
        // HEIF brands sit after the box size.
        "image/heic" => bytes.get(4..8) == Some(&b"ftyp"[..]),
        // Office files are ZIP archives.
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            bytes.starts_with(b"PK\x03\x04")
        }
        // Text is UTF-8 without NULs (the head may end inside a character).
        "text/plain" | "text/csv" => !bytes.contains(&0) && utf8_so_far(bytes),
        _ => true,
    }
}

/// Whether `bytes` is UTF-8, allowing a character cut at the end.
fn utf8_so_far(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Where the bytes of an attachment live: grouped by tenant and owner so a
/// tenant's or a request's files can be found (and removed) together.
pub fn blob_key(tenant_id: Uuid, owner_type: OwnerType, owner_id: Uuid, id: Uuid) -> String {
    format!("{tenant_id}/{}/{owner_id}/{id}", owner_type.as_str())
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
        let (req, wo, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
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
        let older = now - chrono::Duration::seconds(1);
        let link = Narrowing {
            since: None,
            work_order: Some(wo),
        };
        use OwnerType::{Request, WorkOrder};
        // (narrowing, owner, owner id, what is known, shows)
        let cases = [
            (since, Request, req, known(Some(now), None), true),
            (since, Request, req, known(Some(older), None), false),
            (link, Request, req, known(Some(older), Some(wo)), true),
            (link, Request, req, known(Some(now), Some(other)), false),
            (link, Request, req, known(Some(now), None), false),
            // A work order's photos follow the request it came from.
            (since, WorkOrder, wo, known(Some(now), Some(wo)), true),
            (since, WorkOrder, wo, known(Some(older), Some(wo)), false),
            (link, WorkOrder, wo, known(Some(older), Some(wo)), true),
            (link, WorkOrder, other, known(Some(now), Some(other)), false),
        ];
        for (n, owner, id, k, want) in cases {
            assert_eq!(files_show(&n, owner, id, k), want, "{n:?} {owner:?} {k:?}");
        }
    }

    #[test]
    fn unknown_owners_are_hidden_from_narrowed_callers_only() {
        let since = Narrowing {
            since: Some(Utc::now()),
            work_order: None,
        };
        let id = Uuid::now_v7();
        assert!(!files_show(&since, OwnerType::Request, id, None));
        assert!(!files_show(&since, OwnerType::WorkOrder, id, None));
        assert!(files_show(
            &Narrowing::default(),
            OwnerType::WorkOrder,
            id,
            None
        ));
    }

    #[test]
    fn photos_are_known_by_their_bytes_not_their_name() {
        assert_eq!(photo_type("a.png", PNG).expect("png"), "image/png");
        assert_eq!(
            photo_type("IMG_1.jpg", b"\xFF\xD8\xFF\xE1").expect("jpeg"),
            "image/jpeg"
        );
        for bad in [&b"%PDF-1.7"[..], b"GIF89a", b"ftypheic", b""] {
            match photo_type("IMG_2.jpg", bad) {
                Err(ServiceError::UnsupportedType(m)) => assert!(m.contains("IMG_2.jpg"), "{m}"),
                other => panic!("expected UnsupportedType, got {other:?}"),
            }
        }
    }

    fn types() -> Vec<String> {
        ["image/png", "application/pdf", "text/plain", "image/webp"]
            .map(String::from)
            .to_vec()
    }

    fn check(name: &str, ct: &str, content: &[u8]) -> ServiceResult<Accepted> {
        let accepted = declared(name, ct, &types())?;
        check_head(&accepted, content)?;
        Ok(accepted)
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
        // A head cut inside "é" is still text; a NUL or a stray byte is not.
        assert!(content_matches("text/plain", b"caf\xC3"));
        assert!(!content_matches("text/plain", b"MZ\x90\0\x03"));
        assert!(!content_matches("text/plain", b"\xFF\xFEa"));
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        assert!(content_matches(xlsx, b"PK\x03\x04\x14\0"));
        assert!(!content_matches(xlsx, b"%PDF-1.7"));
        assert!(content_matches("image/heic", b"\0\0\0\x18ftypheic"));
        assert!(!content_matches("image/heic", b"\xFF\xD8\xFF"));
    }

    #[test]
    fn requests_and_work_orders_own_attachments() {
        for owner in [OwnerType::Request, OwnerType::WorkOrder] {
            assert_eq!(OwnerType::parse(owner.as_str()).expect("ok"), owner);
        }
        assert!(matches!(
            OwnerType::parse("quote"),
            Err(ServiceError::Invalid(_))
        ));
    }

    #[test]
    fn blobs_are_grouped_by_tenant_and_owner() {
        let (t, o, a) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            blob_key(t, OwnerType::Request, o, a),
            format!("{t}/request/{o}/{a}")
        );
        assert_eq!(
            blob_key(t, OwnerType::WorkOrder, o, a),
            format!("{t}/work_order/{o}/{a}")
        );
    }

    #[test]
    fn limits_read_in_mebibytes() {
        assert_eq!(mib(10 * MIB), "10 MiB");
        assert_eq!(mib(MIB + MIB / 2), "1.5 MiB");
    }
}
