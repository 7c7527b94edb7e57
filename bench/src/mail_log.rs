//! The SMTP sink's log: one JSON line per mail received, with the time it
//! was received. The sink appends; the load generator reads it as it grows.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mail {
    /// When the end of DATA arrived: the notification service's hand-off.
    pub received_us: u64,
    pub to: Vec<String>,
    pub subject: String,
    /// The body as sent (8bit or quoted-printable), not decoded.
    pub body: String,
}

impl Mail {
    /// Splits a raw message into its subject (unfolded) and body.
    pub fn parse(raw: &[u8], to: Vec<String>, received_us: u64) -> Self {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .or_else(|| text.split_once("\n\n"))
            .unwrap_or((&text, ""));
        // Folded header lines continue with whitespace: join them first.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let subject = unfolded
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("subject")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default();
        Self {
            received_us,
            to,
            subject,
            body: body.to_owned(),
        }
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|to| to.eq_ignore_ascii_case(address))
    }

    /// The token of the `.../invitations/accept?token=...` link, if any.
    /// Undoing quoted-printable is harmless on 8bit text: tokens hold no `=`.
    pub fn invitation_token(&self) -> Option<String> {
        const LINK: &str = "invitations/accept?token=";
        let body = self
            .body
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let start = body.find(LINK)? + LINK.len();
        let token: String = body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        (!token.is_empty()).then_some(token)
    }
}

/// Follows the log file: every [`MailLog::poll`] reads what was appended.
pub struct MailLog {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
    mails: Vec<Mail>,
}

impl MailLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            offset: 0,
            partial: Vec::new(),
            mails: Vec::new(),
        }
    }

    /// Every mail read so far, in order of receipt.
    pub fn mails(&self) -> &[Mail] {
        &self.mails
    }

    /// Reads the lines appended since the last call; returns how many mails
    /// are known now. A missing file means no mail yet.
    pub async fn poll(&mut self) -> Result<usize> {
        let mut file = match tokio::fs::File::open(&self.path).await {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(self.mails.len());
            }
            Err(error) => {
                return Err(error).with_context(|| format!("opening {}", self.path.display()));
            }
        };
        file.seek(std::io::SeekFrom::Start(self.offset)).await?;
        let mut fresh = Vec::new();
        let read = file.read_to_end(&mut fresh).await?;
        self.offset += u64::try_from(read)?;
        self.partial.extend_from_slice(&fresh);
        // The sink writes whole lines, but a read may catch one half written.
        if let Some(end) = self.partial.iter().rposition(|b| *b == b'\n') {
            let complete: Vec<u8> = self.partial.drain(..=end).collect();
            for line in complete.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let mail: Mail =
                    serde_json::from_slice(line).context("the mail log holds a bad line")?;
                self.mails.push(mail);
            }
        }
        Ok(self.mails.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_subject_and_body() {
        let raw = b"From: Portal <no-reply@portal.localhost>\r\nSubject: Your request has been\r\n accepted: golden-000001\r\n\r\nHello\r\n";
        let mail = Mail::parse(raw, vec!["a@b.example".into()], 7);
        assert_eq!(
            mail.subject,
            "Your request has been accepted: golden-000001"
        );
        assert_eq!(mail.body, "Hello\r\n");
        assert!(mail.is_to("A@b.example"));
    }

    #[test]
    fn finds_invitation_tokens_plain_or_quoted_printable() {
        let plain = Mail::parse(
            b"Subject: x\r\n\r\nhttps://h/invitations/accept?token=abc_D-1 now",
            vec![],
            0,
        );
        assert_eq!(plain.invitation_token().as_deref(), Some("abc_D-1"));
        let qp = Mail::parse(
            b"Subject: x\r\n\r\nhttps://h/invitations/accept?token=3Dabc=\r\ndef end",
            vec![],
            0,
        );
        assert_eq!(qp.invitation_token().as_deref(), Some("abcdef"));
        assert_eq!(
            Mail::parse(b"Subject: x\r\n\r\nno link", vec![], 0).invitation_token(),
            None
        );
    }
}
