//! Inbound mail (C6, ADR 0010): an SMTP listener that takes replies to a
//! request's reply address and new requests sent to a tenant's intake
//! address, and publishes them as `mail.received` through the outbox.
//!
//! Everything that can be refused is refused during the SMTP conversation
//! with a 5xx and a text a person understands (the sender's own mail server
//! turns it into a bounce): a foreign domain, a forged reply token, an
//! unknown tenant, a mail without text or with too much, a sender who may
//! not write. So nothing is ever mailed back to an address that may be
//! forged.
//!
//! The sender is decided at the end of DATA, in one answer (ADR 0013): a
//! `From` the trusted relay did not authenticate, an address that is no
//! contact, and a contact who could not log in now (identity applies the
//! login's rules) all get the same reply, so SMTP tells no one whether an
//! address is a contact.
//!
//! The server (`smtp_server`) is blocking, a thread per connection: it
//! reaches the async world (database, identity) with `Handle::block_on`.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use mailin::{Handler, Response, response};
use mailparse::{DispositionType, MailAddr, MailHeaderMap, ParsedMail};
use portal_platform::CancellationToken;
use portal_proto::events::v1 as ev;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::events::{Directory, Lookup};
use crate::quotes::strip_quoted;
use crate::relay::{self, TrustedRelays};
use crate::reply::{Recipient, Refusal, ReplySettings, parse_recipient};
use crate::smtp_server::{self, Limits};
use crate::store::{self, InboundMail};

/// Most characters of text a mail may bring: requests takes no longer
/// description or comment (its DESCRIPTION_MAX and COMMENT_MAX), and a
/// longer one must be refused here rather than dropped there.
pub const TEXT_MAX: usize = 20_000;

/// The one answer to a sender who may not write: not authenticated by the
/// relay, not a contact, or a contact who could not log in now. Byte for
/// byte the same, so that it reveals nothing about the address.
pub const SENDER_REFUSED: &str = "5.7.1 Sorry, we cannot take this message from its sender. \
If you are a contact of this service provider, please write from the address registered \
in your customer portal, or submit your request there.";

/// `ce-source` of the events notification publishes.
const SOURCE: &str = "/portal/notification";

/// What the listener needs.
pub struct Inbound {
    pub pool: PgPool,
    /// Only to find the tenant of a reply address, before any tenant is
    /// known (ADR 0018).
    pub system: portal_platform::db::SystemPool,
    pub directory: Directory,
    pub replies: ReplySettings,
    /// Larger messages are refused (552).
    pub max_bytes: usize,
    /// Peers mail is taken from (the MTA that checks SPF/DKIM/DMARC).
    pub relays: TrustedRelays,
    /// The relay's authserv-id: only its `Authentication-Results` count.
    pub authserv_id: String,
    pub limits: Limits,
}

/// Starts the listener on `addr` in its own threads. After `shutdown` every
/// new connection is told 421 (the blocking accept loop cannot be woken; it
/// ends with the process).
pub fn spawn(
    inbound: Inbound,
    addr: SocketAddr,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("PORTAL_INBOUND_SMTP_ADDR {addr} cannot be bound"))?;
    let closed = Arc::new(AtomicBool::new(false));
    let flag = closed.clone();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        flag.store(true, Ordering::SeqCst);
    });
    let relays = inbound.relays.clone();
    let limits = inbound.limits.clone();
    let session = Session {
        shared: Arc::new(Shared {
            inbound,
            runtime: tokio::runtime::Handle::current(),
            closed: closed.clone(),
        }),
        state: State::default(),
    };
    tracing::info!(%addr, "inbound SMTP listening");
    std::thread::Builder::new()
        .name("inbound-smtp".into())
        .spawn(move || {
            smtp_server::serve(listener, inbound_name(), session, relays, limits, closed);
        })
        .context("starting the inbound SMTP thread")?;
    Ok(())
}

fn inbound_name() -> String {
    "portal inbound".to_owned()
}

struct Shared {
    inbound: Inbound,
    runtime: tokio::runtime::Handle,
    closed: Arc<AtomicBool>,
}

/// Where the message of the current transaction goes.
#[derive(Debug, Clone)]
struct Target {
    tenant_id: Uuid,
    request_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
struct State {
    target: Option<Target>,
    data: Vec<u8>,
    too_big: bool,
}

/// One SMTP connection (mailin clones it per connection).
#[derive(Clone)]
struct Session {
    shared: Arc<Shared>,
    state: State,
}

fn refuse(code: u16, text: impl Into<String>) -> Response {
    Response::custom(code, text.into())
}

fn unavailable() -> Response {
    refuse(
        451,
        "4.3.0 temporarily unable to take mail, please try again later",
    )
}

impl Handler for Session {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        if self.shared.closed.load(Ordering::SeqCst) {
            return response::NO_SERVICE;
        }
        response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        if self.shared.closed.load(Ordering::SeqCst) {
            return response::NO_SERVICE;
        }
        self.state = State::default();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.state.target.is_some() {
            // Each message names one request or one tenant: the client
            // sends the other recipients in their own transaction.
            return refuse(452, "4.5.3 one recipient per message, please");
        }
        let shared = self.shared.clone();
        let inbound = &shared.inbound;
        let recipient = match parse_recipient(to, &inbound.replies.domain, &inbound.replies.key) {
            Ok(r) => r,
            Err(refusal) => {
                tracing::info!(to, %refusal, "inbound recipient refused");
                let code = if refusal == Refusal::Malformed {
                    553
                } else {
                    550
                };
                return refuse(code, refusal.to_string());
            }
        };
        let found = shared.runtime.block_on(resolve(
            inbound.system.cross_tenant(),
            &inbound.directory,
            &recipient,
        ));
        match found {
            Ok(Some(target)) => {
                self.state.target = Some(target);
                response::OK
            }
            Ok(None) => {
                tracing::info!(to, "inbound recipient unknown");
                let text = match recipient {
                    Recipient::Reply(_) => Refusal::ForgedToken.to_string(),
                    Recipient::Intake(_) => "5.1.1 no such mailbox".to_owned(),
                };
                refuse(550, text)
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "inbound recipient could not be checked");
                unavailable()
            }
        }
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.state.data.clear();
        self.state.too_big = false;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.state.data.len().saturating_add(buf.len()) > self.shared.inbound.max_bytes {
            self.state.too_big = true;
        } else {
            self.state.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut response = self.end_of_data();
        if response.is_error {
            // mailin leaves the session in its DATA state after a refusal
            // here, so the client's next command would be read as message
            // text: the connection is closed after the reply instead.
            response.action = mailin::Action::Close;
        }
        response
    }
}

impl Session {
    fn end_of_data(&mut self) -> Response {
        let state = std::mem::take(&mut self.state);
        if state.too_big {
            return refuse(552, "5.3.4 message too large");
        }
        let Some(target) = state.target else {
            return refuse(503, "5.5.1 no valid recipient");
        };
        let shared = self.shared.clone();
        let taken = shared.runtime.block_on(portal_platform::tenancy::scope(
            target.tenant_id,
            take(&shared.inbound, &target, &state.data),
        ));
        match taken {
            Ok(Taken::Published) | Ok(Taken::Duplicate) => refuse(250, "2.0.0 received, thank you"),
            Ok(Taken::Ignored(why)) => {
                tracing::info!(why, "inbound mail accepted and dropped");
                refuse(250, "2.0.0 received")
            }
            Ok(Taken::Refused(text)) => refuse(550, text),
            Ok(Taken::TooLong(text)) => refuse(552, text),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "inbound mail could not be taken");
                unavailable()
            }
        }
    }
}

/// The tenant (and request) a recipient stands for; `None` when unknown.
async fn resolve(
    pool: &PgPool,
    directory: &Directory,
    recipient: &Recipient,
) -> anyhow::Result<Option<Target>> {
    match recipient {
        Recipient::Reply(request_id) => {
            Ok(store::thread_tenant(pool, *request_id)
                .await?
                .map(|tenant_id| Target {
                    tenant_id,
                    request_id: Some(*request_id),
                }))
        }
        Recipient::Intake(slug) => match directory.tenant_by_slug(slug).await? {
            Lookup::Found(t) => Ok(Some(Target {
                tenant_id: t.id.parse().context("identity's tenant id")?,
                request_id: None,
            })),
            Lookup::Missing => Ok(None),
        },
    }
}

/// What became of a message.
#[derive(Debug, PartialEq, Eq)]
enum Taken {
    Published,
    /// The same Message-ID was taken before.
    Duplicate,
    /// Accepted without effect (an auto-reply), with why.
    Ignored(&'static str),
    /// Refused with this SMTP text.
    Refused(String),
    /// Refused as too large (552) with this text.
    TooLong(String),
}

/// The parts of a message inbound mail uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub message_id: String,
    pub from: String,
    pub from_name: String,
    pub subject: String,
    /// The new text, quoted history stripped.
    pub text: String,
    /// An auto-reply (out of office, bounce): never a comment.
    pub automatic: bool,
}

/// Reads a raw message. Pure.
pub fn parse(raw: &[u8]) -> Result<Parsed, String> {
    let mail = mailparse::parse_mail(raw).map_err(|e| format!("unparsable message: {e}"))?;
    let headers = mail.get_headers();
    let (from, from_name) = headers
        .get_first_header("From")
        .and_then(|h| mailparse::addrparse_header(h).ok())
        .and_then(|list| {
            list.iter().find_map(|a| match a {
                MailAddr::Single(s) => Some((s.addr.trim().to_owned(), s.display_name.clone())),
                MailAddr::Group(g) => g
                    .addrs
                    .first()
                    .map(|s| (s.addr.trim().to_owned(), s.display_name.clone())),
            })
        })
        .ok_or("the message has no From address")?;
    let message_id = headers
        .get_first_value("Message-ID")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        // Without one, the content stands in: a resent copy is the same mail.
        .unwrap_or_else(|| {
            let digest = Sha256::digest(raw);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("<{hex}@inbound.portal>")
        });
    let auto_submitted = headers
        .get_first_value("Auto-Submitted")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    let precedence = headers
        .get_first_value("Precedence")
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()));
    let text = body_text(&mail)
        .map(|t| strip_quoted(&t))
        .unwrap_or_default();
    Ok(Parsed {
        message_id,
        from,
        from_name: from_name.unwrap_or_default().trim().to_owned(),
        subject: headers
            .get_first_value("Subject")
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        text,
        automatic: auto_submitted || precedence,
    })
}

/// The message's text: its first inline text/plain part, else its first
/// text/html part with the tags taken out.
fn body_text(mail: &ParsedMail<'_>) -> Option<String> {
    find_part(mail, "text/plain")
        .or_else(|| find_part(mail, "text/html").map(|html| html_to_text(&html)))
}

fn find_part(mail: &ParsedMail<'_>, mimetype: &str) -> Option<String> {
    if mail.get_content_disposition().disposition == DispositionType::Attachment {
        return None;
    }
    if mail.subparts.is_empty() {
        return mail
            .ctype
            .mimetype
            .eq_ignore_ascii_case(mimetype)
            .then(|| decoded_body(mail))
            .flatten();
    }
    mail.subparts.iter().find_map(|p| find_part(p, mimetype))
}

/// A part's text in its declared charset; without a declaration, UTF-8
/// when it is valid UTF-8 (MIME's us-ascii default would garble it).
fn decoded_body(part: &ParsedMail<'_>) -> Option<String> {
    let declared = part
        .get_headers()
        .get_first_value("Content-Type")
        .is_some_and(|v| v.to_ascii_lowercase().contains("charset"));
    if !declared
        && let Ok(raw) = part.get_body_raw()
        && let Ok(text) = String::from_utf8(raw)
    {
        return Some(text);
    }
    part.get_body().ok()
}

/// A rough text of an HTML body: tags out, block ends as line breaks,
/// quoted blocks left out, the commonest entities decoded.
fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut quote_depth = 0usize;
    while let Some(start) = rest.find('<') {
        if quote_depth == 0 {
            out.push_str(rest.get(..start).unwrap_or_default());
        }
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = after.get(..end).unwrap_or_default().to_ascii_lowercase();
        if tag.starts_with("<blockquote") {
            quote_depth += 1;
        } else if tag.starts_with("</blockquote") {
            quote_depth = quote_depth.saturating_sub(1);
        } else if ["<br", "</p", "</div", "</li", "</tr", "</h"]
            .iter()
            .any(|t| tag.starts_with(t))
            && quote_depth == 0
        {
            out.push('\n');
        }
        rest = after.get(end..).unwrap_or_default();
    }
    if quote_depth == 0 {
        out.push_str(rest);
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Whether the trusted relay authenticated the message's one `From`
/// address (a message with several has no single author to check).
fn sender_authentic(raw: &[u8], authserv_id: &str, from: &str) -> bool {
    let Ok((headers, _)) = mailparse::parse_headers(raw) else {
        return false;
    };
    let senders: usize = headers
        .get_all_headers("From")
        .iter()
        .filter_map(|h| mailparse::addrparse_header(h).ok())
        .map(|list| {
            list.iter()
                .map(|a| match a {
                    MailAddr::Single(_) => 1,
                    MailAddr::Group(g) => g.addrs.len(),
                })
                .sum::<usize>()
        })
        .sum();
    if senders != 1 {
        return false;
    }
    let results: Vec<String> = headers
        .get_all_values("Authentication-Results")
        .into_iter()
        .collect();
    relay::from_is_authentic(results.iter().map(String::as_str), authserv_id, from)
}

/// Checks a message for `target` and publishes it once.
async fn take(inbound: &Inbound, target: &Target, raw: &[u8]) -> anyhow::Result<Taken> {
    let parsed = match parse(raw) {
        Ok(p) => p,
        Err(e) => return Ok(Taken::Refused(format!("5.6.0 {e}"))),
    };
    if parsed.automatic {
        return Ok(Taken::Ignored("automatic reply"));
    }
    // What the text is decides before who sent it, the same for anyone.
    if parsed.text.trim().is_empty() {
        return Ok(Taken::Refused(
            "5.6.0 the message has no text of its own (above the quoted part)".into(),
        ));
    }
    if parsed.text.chars().count() > TEXT_MAX {
        return Ok(Taken::TooLong(format!(
            "5.3.4 the message text is too long (at most {TEXT_MAX} characters, quoted part excluded)"
        )));
    }
    if !sender_authentic(raw, &inbound.authserv_id, &parsed.from) {
        tracing::info!(tenant = %target.tenant_id, "inbound mail whose sender the relay did not authenticate refused");
        return Ok(Taken::Refused(SENDER_REFUSED.into()));
    }
    match inbound
        .directory
        .contact_by_email(target.tenant_id, &parsed.from)
        .await?
    {
        Lookup::Found(_) => {}
        Lookup::Missing => {
            tracing::info!(tenant = %target.tenant_id, "inbound mail from a sender who may not write refused");
            return Ok(Taken::Refused(SENDER_REFUSED.into()));
        }
    }
    let event = ev::InboundMailReceived {
        tenant_id: target.tenant_id.to_string(),
        mail_id: parsed.message_id.clone(),
        from: parsed.from.clone(),
        from_name: parsed.from_name.clone(),
        subject: parsed.subject.clone(),
        text: parsed.text.clone(),
        request_id: target.request_id.map(|r| r.to_string()).unwrap_or_default(),
        received_at: Some(portal_platform::time::to_proto(chrono::Utc::now())),
    };
    let mut tx = inbound.pool.begin().await?;
    let new = store::record_inbound(
        &mut tx,
        &InboundMail {
            tenant_id: target.tenant_id,
            message_id: &parsed.message_id,
            sender: &parsed.from,
            request_id: target.request_id,
        },
    )
    .await?;
    if !new {
        tx.commit().await?;
        return Ok(Taken::Duplicate);
    }
    portal_platform::outbox::enqueue(&mut tx, target.tenant_id, SOURCE, &event).await?;
    tx.commit().await?;
    tracing::info!(tenant = %target.tenant_id, request = ?target.request_id, "inbound mail published");
    Ok(Taken::Published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_reply_is_read_and_its_quotes_stripped() {
        let raw = b"From: Claire Martin <Claire@Martin.example>\r\n\
To: reply+abc@in.example\r\n\
Subject: Re: New comment\r\n on your request\r\n\
Message-ID: <m1@martin.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Mardi me va tr\xc3\xa8s bien.\r\n\
\r\n\
Le mar. 24 nov. 2026 \xc3\xa0 10:02, Portal <reply+abc@in.example> a \xc3\xa9crit :\r\n\
> Bonjour Claire,\r\n";
        let p = parse(raw).expect("parses");
        assert_eq!(p.from, "Claire@Martin.example");
        assert_eq!(p.from_name, "Claire Martin");
        assert_eq!(p.message_id, "<m1@martin.example>");
        assert_eq!(p.subject, "Re: New comment on your request");
        assert_eq!(p.text, "Mardi me va très bien.");
        assert!(!p.automatic);
    }

    #[test]
    fn multipart_prefers_plain_text_and_skips_attachments() {
        let raw = b"From: a@b.example\r\n\
Subject: x\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\
\r\n\
--XX\r\n\
Content-Type: text/plain\r\n\
Content-Disposition: attachment; filename=\"log.txt\"\r\n\
\r\n\
not this\r\n\
--XX\r\n\
Content-Type: multipart/alternative; boundary=\"YY\"\r\n\
\r\n\
--YY\r\n\
Content-Type: text/html\r\n\
\r\n\
<p>html</p>\r\n\
--YY\r\n\
Content-Type: text/plain\r\n\
\r\n\
The oven is cold.\r\n\
--YY--\r\n\
--XX--\r\n";
        let p = parse(raw).expect("parses");
        assert_eq!(p.text, "The oven is cold.");
        // No Message-ID: the content stands in, the same for the same mail.
        assert!(p.message_id.ends_with("@inbound.portal>"));
        assert_eq!(parse(raw).expect("parses").message_id, p.message_id);
    }

    #[test]
    fn an_undeclared_charset_is_read_as_utf8_when_it_is() {
        let raw = "From: a@b.example\r\n\r\nTrès bien.\n\nLe mar. 24 nov. 2026 à 10:02, X <x@y.example> a écrit :\n> old\n";
        assert_eq!(parse(raw.as_bytes()).expect("parses").text, "Très bien.");
        let latin1 = b"From: a@b.example\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nTr\xe8s bien.";
        assert_eq!(parse(latin1).expect("parses").text, "Très bien.");
    }

    #[test]
    fn html_only_mails_lose_tags_and_quoted_blocks() {
        let raw = b"From: a@b.example\r\nContent-Type: text/html\r\n\r\n<div>Yes &amp; thanks<br>Claire</div><blockquote><p>old</p></blockquote>";
        assert_eq!(parse(raw).expect("parses").text, "Yes & thanks\nClaire");
    }

    #[test]
    fn only_one_from_vouched_for_by_our_relay_is_authentic() {
        let id = "mx.portal.example";
        let mail = |from: &str, auth: &str| {
            format!("{auth}From: {from}\r\nSubject: x\r\n\r\nHello\r\n").into_bytes()
        };
        let pass = "Authentication-Results: mx.portal.example; dkim=pass header.d=martin.example;\r\n \
                    dmarc=pass header.from=martin.example\r\n";
        let claire = "claire@martin.example";
        assert!(sender_authentic(&mail(claire, pass), id, claire));
        // No verdict, or one from a name we do not trust.
        assert!(!sender_authentic(&mail(claire, ""), id, claire));
        assert!(!sender_authentic(
            &mail(claire, pass),
            "mx.other.example",
            claire
        ));
        // Two authors: the verdict cannot be for both.
        let two = "claire@martin.example, mallory@evil.example";
        assert!(!sender_authentic(&mail(two, pass), id, claire));
    }

    #[test]
    fn auto_replies_are_recognised_and_a_missing_sender_refused() {
        let raw = b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.";
        assert!(parse(raw).expect("parses").automatic);
        let raw = b"From: a@b.example\r\nAuto-Submitted: no\r\n\r\nHi";
        assert!(!parse(raw).expect("parses").automatic);
        let raw = b"From: a@b.example\r\nPrecedence: bulk\r\n\r\nNews";
        assert!(parse(raw).expect("parses").automatic);
        assert!(parse(b"Subject: x\r\n\r\nno sender").is_err());
    }
}
