//! Mail into the portal cannot be written in someone else's name (issue 9):
//! the sender counts only when the trusted relay authenticated the From
//! (its Authentication-Results), and only when the contact could log in
//! now; whoever is refused hears the same answer; a mail too long is
//! refused at SMTP time, not dropped later.
use std::time::Duration;

use portal_testkit::stack::INBOUND_AUTHSERV_ID;
use portal_testkit::{Stack, eventually};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::fixtures::{self, Tenant, drained, s};

/// One SMTP reply, as sent (every line, CRLFs included).
async fn reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> anyhow::Result<String> {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            anyhow::bail!("the server closed the connection after {all:?}");
        }
        all.push_str(&line);
        // "250-..." continues, "250 ..." ends a reply.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(all);
        }
    }
}

/// Delivers `message` to `rcpt` as a relay on 127.0.0.1 would, with any
/// envelope sender, and returns the answer to the end of DATA (or the first
/// refusal before it).
async fn deliver(stack: &Stack, rcpt: &str, message: &str) -> anyhow::Result<String> {
    let stream = TcpStream::connect(stack.inbound_smtp).await?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let talk = async {
        anyhow::ensure!(reply(&mut reader).await?.starts_with("220"));
        for command in [
            "EHLO relay.portal.test".to_owned(),
            "MAIL FROM:<bounces@anywhere.example>".to_owned(),
            format!("RCPT TO:<{rcpt}>"),
            "DATA".to_owned(),
        ] {
            write.write_all(format!("{command}\r\n").as_bytes()).await?;
            let answer = reply(&mut reader).await?;
            if !(answer.starts_with('2') || answer.starts_with('3')) {
                return Ok(answer);
            }
        }
        let mut data = String::new();
        for line in message.replace("\r\n", "\n").split('\n') {
            // Dot-stuffing (RFC 5321 4.5.2).
            if line.starts_with('.') {
                data.push('.');
            }
            data.push_str(line);
            data.push_str("\r\n");
        }
        data.push_str(".\r\n");
        write.write_all(data.as_bytes()).await?;
        let answer = reply(&mut reader).await?;
        let _ = write.write_all(b"QUIT\r\n").await;
        Ok(answer)
    };
    tokio::time::timeout(Duration::from_secs(30), talk).await?
}

/// A message from `from`; `auth` is the Authentication-Results value, if any.
fn mail(from: &str, auth: Option<&str>, subject: &str, body: &str, id: &str) -> String {
    let mut m = String::new();
    if let Some(a) = auth {
        m.push_str(&format!("Authentication-Results: {a}\r\n"));
    }
    m.push_str(&format!(
        "From: {from}\r\nTo: intake\r\nSubject: {subject}\r\nMessage-ID: <{id}@client.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    m
}

/// What the relay writes when DKIM and DMARC passed for `address`'s domain.
fn passed(address: &str) -> String {
    let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    format!(
        "{INBOUND_AUTHSERV_ID}; spf=pass smtp.mailfrom={address}; dkim=pass header.d={domain}; \
         dmarc=pass (p=reject) header.from={domain}"
    )
}

async fn requests_of(stack: &Stack, t: &Tenant) -> anyhow::Result<Vec<serde_json::Value>> {
    let page = stack
        .api
        .get("/api/v1/requests", &t.admin)
        .await?
        .expect(200)?;
    Ok(page["items"].as_array().cloned().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_and_refused_senders_open_nothing_and_hear_the_same_answer() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "forged").await?;
    let api = &stack.api;
    let intake = format!("{}@in.portal.test", t.slug);
    let claire = format!("Claire <{}>", t.contact_email);
    let body = "Le four ne chauffe plus.";

    // A contact who was never activated (not invited), same customer.
    let never = "nina@forged-client.example";
    api.post(
        &format!("/api/v1/customers/{}/contacts", t.customer_id),
        Some(&t.admin),
        &json!({"name": "Nina Never", "email": never, "language": "fr", "notifications": true}),
    )
    .await?
    .expect(201)?;

    // The reference: an authenticated address that is no contact.
    let stranger = "stranger@forged-client.example";
    let unknown = deliver(
        &stack,
        &intake,
        &mail(stranger, Some(&passed(stranger)), "x", body, "u1"),
    )
    .await?;
    assert!(unknown.starts_with("550 5.7.1 "), "{unknown}");
    assert!(!unknown.contains(stranger), "{unknown}");

    let mut refused = Vec::new();
    // Claire's From, forged: no verdict, another relay's verdict, a failed one.
    refused.push((
        "no Authentication-Results",
        deliver(&stack, &intake, &mail(&claire, None, "f1", body, "f1")).await?,
    ));
    let other = "mx.evil.example; dkim=pass header.d=forged-client.example; \
                 dmarc=pass header.from=forged-client.example";
    refused.push((
        "another authserv-id",
        deliver(
            &stack,
            &intake,
            &mail(&claire, Some(other), "f2", body, "f2"),
        )
        .await?,
    ));
    let failed = format!(
        "{INBOUND_AUTHSERV_ID}; spf=pass smtp.mailfrom=x@evil.example; dkim=none; dmarc=fail header.from=forged-client.example"
    );
    refused.push((
        "dmarc=fail",
        deliver(
            &stack,
            &intake,
            &mail(&claire, Some(&failed), "f3", body, "f3"),
        )
        .await?,
    ));
    // Authentic, but a contact who could not log in.
    refused.push((
        "never activated",
        deliver(
            &stack,
            &intake,
            &mail(never, Some(&passed(never)), "f4", body, "f4"),
        )
        .await?,
    ));
    let contact = format!("/api/v1/contacts/{}", t.contact_id);
    let window = |from: Option<String>| json!({"name": "Claire Martin", "language": "fr", "access_from": from});
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    api.put(&contact, &t.admin, &window(Some(tomorrow.to_rfc3339())))
        .await?
        .expect(200)?;
    let authentic = passed(&t.contact_email);
    refused.push((
        "outside the access window",
        deliver(
            &stack,
            &intake,
            &mail(&claire, Some(&authentic), "f5", body, "f5"),
        )
        .await?,
    ));
    api.put(&contact, &t.admin, &window(None))
        .await?
        .expect(200)?;
    let portal = format!("/api/v1/customers/{}/portal", t.customer_id);
    api.put(&portal, &t.admin, &json!({"enabled": false}))
        .await?
        .expect(200)?;
    refused.push((
        "portal off",
        deliver(
            &stack,
            &intake,
            &mail(&claire, Some(&authentic), "f6", body, "f6"),
        )
        .await?,
    ));
    for (case, answer) in &refused {
        assert_eq!(answer, &unknown, "{case}: not the unknown sender's answer");
    }

    // Portal on again: the authenticated contact's mail opens a request.
    api.put(&portal, &t.admin, &json!({"enabled": true}))
        .await?
        .expect(200)?;
    let ok = deliver(
        &stack,
        &intake,
        &mail(&claire, Some(&authentic), "Four en panne", body, "ok1"),
    )
    .await?;
    assert!(ok.starts_with("250 "), "{ok}");
    let created = eventually(30, "the request opened by authenticated mail", || async {
        Ok(requests_of(&stack, &t)
            .await?
            .into_iter()
            .find(|r| r["title"] == "Four en panne"))
    })
    .await?;
    assert_eq!(created["contact_id"], t.contact_id.as_str());
    drained(&stack, "requests-mail-received").await?;
    let titles: Vec<String> = requests_of(&stack, &t)
        .await?
        .iter()
        .map(|r| s(&r["title"]))
        .collect();
    assert_eq!(titles, ["Four en panne"]);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_over_long_mail_is_refused_at_smtp_time_and_leaves_no_trace() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "longmail").await?;
    let intake = format!("{}@in.portal.test", t.slug);
    let auth = passed(&t.contact_email);

    // More text than a request may hold (requests would have dropped it).
    let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n".repeat(400);
    let answer = deliver(
        &stack,
        &intake,
        &mail(&t.contact_email, Some(&auth), "Long", &long, "long1"),
    )
    .await?;
    assert!(answer.starts_with("552 5.3.4 "), "{answer}");
    // More bytes than the listener takes (1 MiB in the stack).
    let huge = format!("{}\n", "x".repeat(900)).repeat(1300);
    let answer = deliver(
        &stack,
        &intake,
        &mail(&t.contact_email, Some(&auth), "Huge", &huge, "huge1"),
    )
    .await?;
    assert!(answer.starts_with("552 5.3.4 "), "{answer}");

    // Nothing was recorded: the same Message-ID with a short text is new.
    let answer = deliver(
        &stack,
        &intake,
        &mail(
            &t.contact_email,
            Some(&auth),
            "Court",
            "Le four est froid.",
            "long1",
        ),
    )
    .await?;
    assert!(answer.starts_with("250 "), "{answer}");
    eventually(30, "the short mail's request", || async {
        Ok(requests_of(&stack, &t)
            .await?
            .into_iter()
            .find(|r| r["title"] == "Court"))
    })
    .await?;
    drained(&stack, "requests-mail-received").await?;
    let titles: Vec<String> = requests_of(&stack, &t)
        .await?
        .iter()
        .map(|r| s(&r["title"]))
        .collect();
    assert_eq!(titles, ["Court"]);
    stack.stop().await
}
