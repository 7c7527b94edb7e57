//! The local mailbox: without `PORTAL_SMTP_URL`, the notification service
//! writes every mail as an `.eml` file under `data/mail/`. xtask reads the
//! invitation from there to activate the demo contact.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use crate::sys;

const LINK: &str = "invitations/accept?token=";

/// The `.eml` files present now, to tell a new mail from older ones.
pub fn snapshot(dir: &Path) -> HashSet<PathBuf> {
    let mut found = Vec::new();
    collect(dir, &mut found);
    found.into_iter().map(|(path, _)| path).collect()
}

/// Waits for an `.eml` file not in `before` and returns the newest such file.
pub fn wait_for_new(dir: &Path, before: &HashSet<PathBuf>, timeout: Duration) -> Result<PathBuf> {
    let mut newest = None;
    sys::wait_until(timeout, || {
        let mut found = Vec::new();
        collect(dir, &mut found);
        newest = found
            .into_iter()
            .filter(|(path, _)| !before.contains(path))
            .max_by_key(|(_, modified)| *modified)
            .map(|(path, _)| path);
        Ok(newest.is_some())
    })?;
    newest.with_context(|| {
        format!(
            "no new mail appeared in {} within {}s",
            dir.display(),
            timeout.as_secs()
        )
    })
}

/// `.eml` files under `dir`, recursively, with their modification times.
/// A missing folder just means no mail yet.
fn collect(dir: &Path, found: &mut Vec<(PathBuf, SystemTime)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            collect(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "eml") {
            found.push((path, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
        }
    }
}

/// The token of the first `…/invitations/accept?token=XYZ` link in a raw mail.
/// Bodies may be quoted-printable (soft line breaks, `=3D` for `=`) or base64.
/// Undoing quoted-printable is harmless on plain text: a token never holds `=`.
pub fn invitation_token(raw: &str) -> Option<String> {
    let unquoted = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    find_token(&unquoted).or_else(|| base64_blocks(raw).iter().find_map(|text| find_token(text)))
}

fn find_token(text: &str) -> Option<String> {
    let start = text.find(LINK)? + LINK.len();
    // Tokens are URL-safe base64: anything else ends them.
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (!token.is_empty()).then_some(token)
}

/// Decodes every run of consecutive base64-looking lines (a base64 part body).
fn base64_blocks(raw: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in raw.lines().map(str::trim_end) {
        let looks_base64 = !line.is_empty()
            && line
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if looks_base64 {
            current.push_str(line);
        } else if !current.is_empty() {
            blocks.push(decode_base64(&std::mem::take(&mut current)));
        }
    }
    if !current.is_empty() {
        blocks.push(decode_base64(&current));
    }
    blocks
}

/// Lenient standard-alphabet base64 decoding; stops at padding.
fn decode_base64(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0_u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => break,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token_in_plain_text() {
        let mail = "Subject: Invitation\r\n\r\nOpen https://127.0.0.1:8443/invitations/accept?token=abc_DEF-123 to join.\r\n";
        assert_eq!(invitation_token(mail).as_deref(), Some("abc_DEF-123"));
    }

    #[test]
    fn finds_token_in_quoted_printable() {
        let mail = "Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                    <a href=3D\"https://127.0.0.1:8443/portal/invitations/accept?token=3DabcdefghijklmnopqrstuvwxyzABCDEF=\r\nGHIJ_-xyz\">join</a>\r\n";
        assert_eq!(
            invitation_token(mail).as_deref(),
            Some("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_-xyz")
        );
    }

    #[test]
    fn finds_token_in_base64() {
        // "Bonjour, https://x/invitations/accept?token=Tok_en-1 merci"
        let mail = "Content-Transfer-Encoding: base64\r\n\r\n\
                    Qm9uam91ciwgaHR0cHM6Ly94L2ludml0YXRpb25zL2FjY2VwdD90b2tlbj1Ub2tfZW4tMSBtZXJj\r\naQ==\r\n";
        assert_eq!(invitation_token(mail).as_deref(), Some("Tok_en-1"));
    }

    #[test]
    fn no_link_no_token() {
        assert_eq!(
            invitation_token("Subject: hello\r\n\r\nNo link here."),
            None
        );
    }
}
