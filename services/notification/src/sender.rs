//! The delivery loop: takes due mails from the delivery log and hands them
//! to the mail server (or to .eml files in development), retrying with
//! backoff. It wakes on `LISTEN portal_mail`, and every second for retries.
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portal_platform::CancellationToken;
use portal_platform::db::Wakeup;
use sqlx::PgPool;
use tracing::Instrument;

use crate::config::Config;
use crate::store::{self, DueDelivery};

/// Longest wait between two attempts of one mail.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Safety net for a missed notification, and the pace of retries.
const IDLE_WAKE: Duration = Duration::from_secs(1);
/// A mail server that hangs must not hold a delivery's lease for long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a claimed delivery is kept from other senders: the hand-off
/// and the recording of its outcome fit in it. A sender that dies holding
/// one leaves the row due again when it runs out.
const LEASE: Duration = Duration::from_secs(60);

/// Delay after the `attempts`-th failed attempt (1-based): `base`, doubling
/// each time, at most [`MAX_BACKOFF`].
pub fn backoff(attempts: u32, base: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    base.saturating_mul(1u32 << doublings).min(MAX_BACKOFF)
}

/// Whether a mail that has now failed `attempts` times is given up on: at
/// the last attempt, or at once when the server's answer was permanent (a
/// 5xx such as "no such mailbox" will not change by asking again).
pub fn gives_up(attempts: i32, max_attempts: u32, permanent: bool) -> bool {
    permanent || i64::from(attempts) >= i64::from(max_attempts)
}

/// Whether the mail server refused for good (an SMTP 5xx reply), rather
/// than being away or busy.
fn permanent_refusal(e: &anyhow::Error) -> bool {
    e.downcast_ref::<lettre::transport::smtp::Error>()
        .is_some_and(lettre::transport::smtp::Error::is_permanent)
}

/// Checks a recipient the way [`Sender`] will parse it, so that a mail that
/// could never go out is refused when queued rather than retried for hours.
pub fn valid_recipient(to: &str) -> bool {
    to.contains('@') && to.parse::<lettre::Address>().is_ok()
}

/// Where mails go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Development without a mail server: one .eml file per mail.
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

impl Transport {
    pub async fn from_config(cfg: &Config) -> anyhow::Result<Self> {
        match cfg
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => {
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("PORTAL_SMTP_URL is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Self::Smtp(smtp))
            }
            None => {
                let dir = cfg.data_dir.join("mail");
                tokio::fs::create_dir_all(&dir)
                    .await
                    .with_context(|| format!("creating {}", dir.display()))?;
                tracing::info!(dir = %dir.display(), "no PORTAL_SMTP_URL: mails are written as .eml files");
                Ok(Self::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                })
            }
        }
    }

    /// Sends one mail; returns where it went, for the log.
    async fn send(&self, message: Message) -> anyhow::Result<String> {
        match self {
            Self::Smtp(smtp) => {
                let response = smtp.send(message).await?;
                Ok(format!("smtp {}", response.code()))
            }
            Self::Files { dir, transport } => {
                let id = transport.send(message).await?;
                Ok(dir.join(format!("{id}.eml")).display().to_string())
            }
        }
    }
}

pub struct Sender {
    pub pool: PgPool,
    pub transport: Transport,
    pub from: Mailbox,
    pub retry_base: Duration,
    pub max_attempts: u32,
    /// Mails sent at once: an SMTP exchange waits mostly on the network.
    pub concurrency: usize,
}

impl Sender {
    /// Delivers due mails until `shutdown`; a mail in flight is finished
    /// and recorded first.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut wakeup = Wakeup::new(self.pool.clone(), store::CHANNEL);
        loop {
            if let Err(e) = self.drain(&shutdown).await {
                tracing::warn!(error = %format!("{e:#}"), "mail sender interrupted, will retry");
            }
            if !wakeup.wait(IDLE_WAKE, &shutdown).await {
                return;
            }
        }
    }

    async fn drain(&self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        while !shutdown.is_cancelled() {
            // Each claims its own row (SKIP LOCKED), so they never collide.
            let round =
                futures::future::join_all((0..self.concurrency).map(|_| self.send_next())).await;
            let mut sent_any = false;
            for sent in round {
                sent_any |= sent?;
            }
            if !sent_any {
                break;
            }
        }
        Ok(())
    }

    /// Sends the next due mail, if any (ADR 0027). The claim is a lease
    /// committed before the hand-off, so no other sender (of this process
    /// or a replica) takes the row meanwhile and no transaction stays open
    /// across an SMTP exchange. What the mail server answered is known only
    /// here: it is recorded until the database takes it, so a database
    /// restart during the hand-off does not turn a sent mail into a resend.
    async fn send_next(&self) -> anyhow::Result<bool> {
        let Some(d) = store::claim_due(&self.pool, LEASE).await? else {
            return Ok(false);
        };
        let attempts = d.attempts.saturating_add(1);
        let span =
            tracing::info_span!("mail.send", delivery = %d.id, attempts, otel.kind = "client");
        // The hand-off joins the trace of whatever caused the mail.
        portal_platform::telemetry::set_parent(&span, d.traceparent.as_deref());
        async {
            let outcome = self.attempt(&d, attempts).await;
            self.record(&d, &outcome).await
        }
        .instrument(span)
        .await?;
        Ok(true)
    }

    /// Builds and hands over one claimed delivery.
    async fn attempt(&self, d: &DueDelivery, attempts: i32) -> Outcome {
        let message = match build_message(&self.from, d) {
            Ok(m) => m,
            Err(e) => {
                // A stored mail that cannot be built never will be: no retry.
                tracing::error!(delivery = %d.id, error = %e, "mail cannot be built, giving up");
                return Outcome::Failed {
                    error: e.to_string(),
                    retry_in: Duration::ZERO,
                    give_up: true,
                };
            }
        };
        match self.transport.send(message).await {
            Ok(place) => {
                metrics::counter!("portal_mails_total", "outcome" => "sent").increment(1);
                tracing::info!(delivery = %d.id, attempts, %place, "mail sent");
                Outcome::Sent
            }
            Err(e) => {
                // lettre's message already names its cause.
                let error = e.to_string();
                let give_up = gives_up(attempts, self.max_attempts, permanent_refusal(&e));
                let retry_in = backoff(u32::try_from(attempts).unwrap_or(1), self.retry_base);
                if give_up {
                    tracing::error!(delivery = %d.id, attempts, %error, "mail failed for good");
                } else {
                    tracing::warn!(delivery = %d.id, attempts, %error, ?retry_in, "mail not sent, will retry");
                }
                let outcome = if give_up { "failed" } else { "retry" };
                metrics::counter!("portal_mails_total", "outcome" => outcome).increment(1);
                Outcome::Failed {
                    error,
                    retry_in,
                    give_up,
                }
            }
        }
    }

    /// Records an attempt's outcome, trying again while the database is
    /// away, for as long as the lease keeps the row from other senders.
    async fn record(&self, d: &DueDelivery, outcome: &Outcome) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + LEASE - SMTP_TIMEOUT;
        let mut pause = Duration::from_millis(50);
        loop {
            let recorded = async {
                let mut conn = self.pool.acquire().await?;
                match outcome {
                    Outcome::Sent => store::mark_sent(&mut conn, d.id).await,
                    Outcome::Failed {
                        error,
                        retry_in,
                        give_up,
                    } => {
                        store::mark_attempt_failed(&mut conn, d.id, error, *retry_in, *give_up)
                            .await
                    }
                }
            }
            .await;
            match recorded {
                Ok(()) => return Ok(()),
                Err(e) if tokio::time::Instant::now() + pause < deadline => {
                    tracing::warn!(delivery = %d.id, error = %e, "outcome not recorded yet, trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "the outcome of delivery {} could not be recorded within its lease",
                        d.id
                    )));
                }
            }
        }
    }
}

/// What one attempt came to, kept until it is recorded.
#[derive(Debug)]
enum Outcome {
    Sent,
    Failed {
        error: String,
        retry_in: Duration,
        give_up: bool,
    },
}

/// The mail of a delivery, as it goes on the wire.
pub fn build_message(from: &Mailbox, d: &DueDelivery) -> anyhow::Result<Message> {
    let to: Mailbox = d
        .recipient
        .parse()
        .with_context(|| format!("invalid recipient {:?}", d.recipient))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(d.subject.clone())
        // Stable across retries, so a receiver can drop a duplicate.
        .message_id(Some(format!("<{}@portal>", d.id)))
        // RFC 3834: no vacation reply or other auto-answer to a portal mail
        // (and our own inbound listener drops such answers), so no loops.
        .header(AutoSubmitted);
    if let Some(reply_to) = &d.reply_to {
        let reply_to: Mailbox = reply_to
            .parse()
            .with_context(|| format!("invalid reply address {reply_to:?}"))?;
        builder = builder.reply_to(reply_to);
    }
    if let Some(thread) = &d.thread_id {
        // Every mail of a request joins one thread in the mail client.
        builder = builder
            .in_reply_to(thread.clone())
            .references(thread.clone());
    }
    let message = match d.attachment() {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(text_body(&d.body))?,
        // The text, then the file (an appointment's .ics).
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type)
                .with_context(|| format!("invalid attachment type {:?}", file.content_type))?;
            let text = SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(text_body(&d.body));
            let file = Attachment::new(file.filename).body(file.content, content_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(file))?
        }
    };
    Ok(message)
}

/// `Auto-Submitted: auto-generated`: every portal mail is sent by a program.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// RFC 5322's longest line, without its CRLF.
const LINE_OCTETS: usize = 998;

/// The text as 8bit, which keeps links readable in the raw mail (and in
/// dev's .eml files, where the README has `grep token=` find the invitation
/// link). lettre itself refuses 8bit for any line of 76 characters or more,
/// which every paragraph and link is, and then chose base64; the real limit
/// is 998 octets. Longer lines (or a NUL) fall back to quoted-printable.
fn text_body(text: &str) -> Body {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let fits = normalised
        .split('\n')
        .all(|line| line.len() <= LINE_OCTETS && !line.contains('\0'));
    if fits {
        let crlf = normalised.replace('\n', "\r\n");
        return Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit);
    }
    Body::new_with_encoding(text.to_owned(), ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(recipient: &str) -> DueDelivery {
        DueDelivery {
            id: uuid::Uuid::now_v7(),
            recipient: recipient.into(),
            subject: "Votre demande a été acceptée : Fuite".into(),
            body: "Bonjour Alice,\n\nC'est fait.\n".into(),
            attempts: 0,
            traceparent: None,
            reply_to: None,
            thread_id: None,
            attachment_name: None,
            attachment_type: None,
            attachment: None,
        }
    }

    #[test]
    fn message_carries_a_stable_id_and_plain_text() {
        let from: Mailbox = "Portal <no-reply@portal.localhost>"
            .parse()
            .expect("mailbox");
        let d = due("alice@example.com");
        let raw = String::from_utf8(build_message(&from, &d).expect("builds").formatted())
            .expect("utf-8");
        assert!(raw.contains(&format!("Message-ID: <{}@portal>\r\n", d.id)));
        assert!(raw.contains("To: alice@example.com\r\n"));
        assert!(raw.contains("From: Portal <no-reply@portal.localhost>\r\n"));
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8\r\n"));
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(build_message(&from, &due("not an address")).is_err());
        assert!(!raw.contains("Reply-To:") && !raw.contains("References:"));
    }

    #[test]
    fn an_invitation_link_can_be_found_in_the_raw_mail() {
        let from: Mailbox = "Portal <no-reply@portal.localhost>"
            .parse()
            .expect("mailbox");
        let params = std::collections::HashMap::from([
            ("name".to_owned(), "Élodie Martin".to_owned()),
            (
                "link".to_owned(),
                "https://portal.localhost:8443/invitations/accept?token=Ab_c-9".to_owned(),
            ),
            ("provider".to_owned(), "Dépannage Démo".to_owned()),
            ("expires".to_owned(), "2026-12-02".to_owned()),
        ]);
        for language in ["en", "fr", "de"] {
            let r = crate::templates::render("invitation", language, &params).expect("renders");
            let mut d = due("alice@example.com");
            d.subject = r.subject;
            d.body = r.body;
            let raw = String::from_utf8(build_message(&from, &d).expect("builds").formatted())
                .expect("utf-8");
            assert!(raw.contains("Content-Transfer-Encoding: 8bit\r\n"), "{raw}");
            assert!(
                raw.contains("/invitations/accept?token=Ab_c-9\r\n"),
                "{raw}"
            );
        }
        // A line too long for 8bit: quoted-printable, still greppable text.
        let mut d = due("alice@example.com");
        d.body = format!("Voilà {}\nhttps://x.example/?token=abc\n", "é".repeat(600));
        let raw = String::from_utf8(build_message(&from, &d).expect("builds").formatted())
            .expect("utf-8");
        assert!(
            raw.contains("Content-Transfer-Encoding: quoted-printable"),
            "{raw}"
        );
        assert!(raw.contains("?token=3Dabc"), "{raw}");
    }

    #[test]
    fn request_mails_carry_the_reply_address_and_the_thread() {
        let from: Mailbox = "Portal <no-reply@portal.localhost>"
            .parse()
            .expect("mailbox");
        let mut d = due("alice@example.com");
        d.reply_to = Some("reply+0123abcd@in.example".into());
        d.thread_id = Some("<request.0192@portal>".into());
        let raw = String::from_utf8(build_message(&from, &d).expect("builds").formatted())
            .expect("utf-8");
        assert!(
            raw.contains("Reply-To: reply+0123abcd@in.example\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("In-Reply-To: <request.0192@portal>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("References: <request.0192@portal>\r\n"),
            "{raw}"
        );
    }

    #[test]
    fn an_appointment_travels_as_a_calendar_part_after_the_text() {
        let from: Mailbox = "Portal <no-reply@portal.localhost>"
            .parse()
            .expect("mailbox");
        let mut d = due("alice@example.com");
        d.attachment_name = Some("appointment.ics".into());
        d.attachment_type = Some(portal_platform::calendar::PUBLISH_CONTENT_TYPE.into());
        d.attachment = Some(b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n".to_vec());
        let raw = String::from_utf8(build_message(&from, &d).expect("builds").formatted())
            .expect("utf-8");
        assert!(raw.contains("Content-Type: multipart/mixed;"), "{raw}");
        let text = raw
            .find("Content-Type: text/plain; charset=utf-8")
            .expect("text part");
        let calendar = raw
            .find("Content-Type: text/calendar; charset=utf-8; method=PUBLISH")
            .expect("calendar part");
        assert!(text < calendar, "{raw}");
        assert!(raw.contains("filename=\"appointment.ics\""), "{raw}");
        assert!(raw.contains("METHOD:PUBLISH"), "{raw}");
        assert!(raw.contains("C'est fait."), "{raw}");
        d.attachment_type = Some("not a type".into());
        assert!(build_message(&from, &d).is_err());
    }

    #[tokio::test]
    async fn smtp_urls_of_every_form_are_accepted() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.com:587?tls=required",
            "smtps://user:secret@mail.example.com:465",
        ] {
            assert!(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url).is_ok(),
                "{url}"
            );
        }
        assert!(AsyncSmtpTransport::<Tokio1Executor>::from_url("http://nope").is_err());
    }

    #[test]
    fn recipients_must_be_addresses() {
        assert!(valid_recipient("alice@example.com"));
        assert!(!valid_recipient("alice"));
        assert!(!valid_recipient("alice@"));
        assert!(!valid_recipient("Alice <alice@example.com>"));
        assert!(!valid_recipient("a@b.c\r\nBcc: x@y.z"));
    }

    #[test]
    fn backoff_doubles_from_the_base() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(1, base), Duration::from_secs(2));
        assert_eq!(backoff(2, base), Duration::from_secs(4));
        assert_eq!(backoff(3, base), Duration::from_secs(8));
        assert_eq!(backoff(7, base), Duration::from_secs(128));
    }

    #[test]
    fn backoff_is_capped_at_five_minutes() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(8, base), Duration::from_secs(256));
        assert_eq!(backoff(9, base), MAX_BACKOFF);
        assert_eq!(backoff(1_000, base), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX, Duration::MAX), MAX_BACKOFF);
        assert_eq!(backoff(1, Duration::from_secs(3_600)), MAX_BACKOFF);
    }

    #[test]
    fn attempt_zero_waits_the_base() {
        assert_eq!(
            backoff(0, Duration::from_millis(50)),
            Duration::from_millis(50)
        );
    }

    #[test]
    fn gives_up_at_the_last_attempt_or_at_a_permanent_refusal() {
        assert!(!gives_up(11, 12, false));
        assert!(gives_up(12, 12, false));
        assert!(gives_up(13, 12, false));
        assert!(gives_up(1, 0, false));
        assert!(gives_up(1, 12, true));
    }
}
