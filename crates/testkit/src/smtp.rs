//! A real SMTP server in the test process, keeping every message it gets.
use std::sync::{Arc, Mutex};

use mailin_embedded::{Handler, Server, response};

/// One received mail, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Every header, decoded, in order.
    pub headers: Vec<(String, String)>,
    /// Files sent with the text (parts with a filename).
    pub attachments: Vec<MailFile>,
}

/// A file a mail carries.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub filename: String,
    /// The Content-Type header as sent, with its parameters.
    pub content_type: String,
    /// Decoded, as text.
    pub body: String,
}

/// The text of a mail (its first text/plain part) and its files.
fn text_and_files(p: &mailparse::ParsedMail<'_>) -> (String, Vec<MailFile>) {
    if p.subparts.is_empty() {
        return (p.get_body().unwrap_or_default(), vec![]);
    }
    let mut text: Option<String> = None;
    let mut files = Vec::new();
    let mut parts: Vec<&mailparse::ParsedMail<'_>> = p.subparts.iter().collect();
    while !parts.is_empty() {
        let part = parts.remove(0);
        if !part.subparts.is_empty() {
            parts.splice(0..0, part.subparts.iter());
            continue;
        }
        let disposition = part.get_content_disposition();
        match disposition.params.get("filename") {
            Some(name) => files.push(MailFile {
                filename: name.clone(),
                content_type: part
                    .headers
                    .iter()
                    .find(|h| h.get_key().eq_ignore_ascii_case("content-type"))
                    .map(|h| h.get_value())
                    .unwrap_or_default(),
                body: part.get_body().unwrap_or_default(),
            }),
            None if text.is_none() && part.ctype.mimetype == "text/plain" => {
                text = Some(part.get_body().unwrap_or_default());
            }
            None => {}
        }
    }
    (text.unwrap_or_default(), files)
}

impl Mail {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server refuses: mailboxes for good (550), everything for a
/// while (451, as a server that is overloaded or in maintenance).
#[derive(Default)]
struct Refusals {
    mailboxes: std::collections::HashSet<String>,
    busy: bool,
}

#[derive(Clone, Default)]
struct Collector {
    current: Vec<u8>,
    to: Vec<String>,
    received: Arc<Mutex<Vec<Mail>>>,
    refusals: Arc<Mutex<Refusals>>,
}

impl Handler for Collector {
    fn mail(
        &mut self,
        _ip: std::net::IpAddr,
        _domain: &str,
        _from: &str,
    ) -> mailin_embedded::Response {
        match self.refusals.lock() {
            Ok(r) if r.busy => {
                mailin_embedded::Response::custom(451, "4.3.2 Busy, try again later".into())
            }
            _ => response::OK,
        }
    }

    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        let to = to
            .trim_matches(|c| c == '<' || c == '>')
            .to_ascii_lowercase();
        match self.refusals.lock() {
            Ok(r) if r.mailboxes.contains(&to) => response::NO_MAILBOX,
            _ => response::OK,
        }
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current.clear();
        self.to = to.to_vec();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let parsed = mailparse::parse_mail(&self.current);
        let mail = match parsed {
            Ok(p) => {
                let (body, attachments) = text_and_files(&p);
                Mail {
                    to: self.to.clone(),
                    subject: p
                        .headers
                        .iter()
                        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
                        .map(|h| h.get_value())
                        .unwrap_or_default(),
                    body,
                    headers: p
                        .headers
                        .iter()
                        .map(|h| (h.get_key(), h.get_value()))
                        .collect(),
                    attachments,
                }
            }
            Err(_) => return response::INTERNAL_ERROR,
        };
        if let Ok(mut r) = self.received.lock() {
            r.push(mail);
        }
        response::OK
    }
}

pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
    refusals: Arc<Mutex<Refusals>>,
}

impl SmtpSink {
    /// Listens on a free port.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_on(crate::free_port()?)
    }

    /// Listens on `port` (a test may start it late, on a port it chose).
    pub fn start_on(port: u16) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let collector = Collector::default();
        let received = collector.received.clone();
        let refusals = collector.refusals.clone();
        let mut server = Server::new(collector);
        // One thread per connection: each notification replica keeps a
        // pool of connections open, as a real mail server would serve them.
        server
            .with_name("portal-test-smtp")
            .with_num_threads(32)
            .with_tcp_listener(listener);
        // The server's error is not Send: it stays in its thread.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Ok(Self {
            port,
            received,
            refusals,
        })
    }

    /// Answers 550 "mailbox unavailable" to mails for `address` from now on
    /// (a mailbox that does not exist), or accepts them again.
    pub fn refuse_mailbox(&self, address: &str, refuse: bool) {
        if let Ok(mut r) = self.refusals.lock() {
            let address = address.to_ascii_lowercase();
            if refuse {
                r.mailboxes.insert(address);
            } else {
                r.mailboxes.remove(&address);
            }
        }
    }

    /// Answers 451 "try again later" to every mail while `busy`.
    pub fn set_busy(&self, busy: bool) {
        if let Ok(mut r) = self.refusals.lock() {
            r.busy = busy;
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Mails to `address`.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

/// The `token` query parameter of the first link in a body.
pub fn link_token(body: &str) -> Option<String> {
    let start = body.find("token=")? + "token=".len();
    let token: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_mail_gives_its_text_and_its_files() {
        let raw = "Subject: x\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n--b\r\nContent-Disposition: attachment; filename=\"a.ics\"\r\nContent-Type: text/calendar; method=PUBLISH\r\n\r\nBEGIN:VCALENDAR\r\n--b--\r\n";
        let parsed = mailparse::parse_mail(raw.as_bytes()).expect("parses");
        let (text, files) = text_and_files(&parsed);
        assert_eq!(text.trim(), "Hello");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "a.ics");
        assert_eq!(files[0].content_type, "text/calendar; method=PUBLISH");
        assert!(files[0].body.starts_with("BEGIN:VCALENDAR"));
    }

    #[test]
    fn finds_the_token_of_a_link() {
        let body = "Hello,\nopen https://x/invitations/accept?token=ab-C_9 to start.\n";
        assert_eq!(link_token(body).as_deref(), Some("ab-C_9"));
        assert_eq!(link_token("no link here"), None);
    }
}
