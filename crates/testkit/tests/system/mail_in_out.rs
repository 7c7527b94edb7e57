//! Mails of a ticket's life (F1-F3) and mail into the portal (C6): comment
//! mails to the other party with a signed reply address, replies by a real
//! SMTP client landing as comments, the intake address, refusals.
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portal_platform::auth::with_bearer;
use portal_proto::requests::v1 as pb;
use portal_proto::requests::v1::requests_service_client::RequestsServiceClient;
use portal_testkit::smtp::Mail;
use portal_testkit::stack::INBOUND_AUTHSERV_ID;
use portal_testkit::{Stack, eventually};
use tonic::Request;

use crate::fixtures::{self, Tenant, drained, s, submit_request};

/// Sends one mail to notification's inbound listener, as the trusted relay
/// would after checking its sender: with an `Authentication-Results` header
/// that says DKIM and DMARC passed for the From domain.
async fn send(
    stack: &Stack,
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
) -> anyhow::Result<()> {
    let message = Message::builder()
        .from(from.parse::<Mailbox>()?)
        .to(to.parse::<Mailbox>()?)
        .subject(subject)
        .message_id(Some(message_id.to_owned()))
        .body(body.to_owned())?;
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let mut raw = format!(
        "Authentication-Results: {INBOUND_AUTHSERV_ID}; dkim=pass header.d={domain}; \
         dmarc=pass header.from={domain}\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(&message.formatted());
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(stack.inbound_smtp.port())
        .timeout(Some(Duration::from_secs(20)))
        .build();
    smtp.send_raw(message.envelope(), &raw).await?;
    Ok(())
}

async fn requests(
    stack: &Stack,
) -> anyhow::Result<RequestsServiceClient<portal_platform::service_tls::Backend>> {
    Ok(RequestsServiceClient::new(stack.channel(
        portal_platform::callers::Service::Gateway,
        portal_platform::callers::Service::Requests,
    )?))
}

async fn comment(
    stack: &Stack,
    token: &str,
    request_id: &str,
    body: &str,
    internal: bool,
) -> anyhow::Result<()> {
    let call = with_bearer(
        Request::new(pb::AddCommentRequest {
            request_id: request_id.to_owned(),
            body: body.to_owned(),
            internal,
            author_name: "Dispatch Demo".into(),
            ..Default::default()
        }),
        token,
    );
    requests(stack).await?.add_comment(call).await?;
    Ok(())
}

async fn conversation(
    stack: &Stack,
    t: &Tenant,
    request_id: &str,
) -> anyhow::Result<Vec<pb::Comment>> {
    let call = with_bearer(
        Request::new(pb::GetRequestRequest {
            id: request_id.to_owned(),
        }),
        &t.admin,
    );
    Ok(requests(stack)
        .await?
        .get_request_detail(call)
        .await?
        .into_inner()
        .comments)
}

fn mails_to(stack: &Stack, address: &str, subject_has: &str) -> Vec<Mail> {
    stack
        .smtp
        .as_ref()
        .map(|sink| {
            sink.to(address)
                .into_iter()
                .filter(|m| m.subject.contains(subject_has))
                .collect()
        })
        .unwrap_or_default()
}

async fn notification_drained(stack: &Stack) -> anyhow::Result<()> {
    for durable in [
        "notification-request-commented",
        "notification-request-assigned",
        "notification-request-closed",
    ] {
        drained(stack, durable).await?;
    }
    // The sender works on its own pace after the consumer queued the mail.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn comments_are_mailed_to_the_other_party_and_answered_by_mail() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailreply").await?;
    let request = submit_request(&stack, &t, "Four en panne").await?;
    let request_id = s(&request["id"]);

    // Staff comment: the contact (French) gets one mail with a reply address.
    comment(
        &stack,
        &t.admin,
        &request_id,
        "Un technicien passe mardi.",
        false,
    )
    .await?;
    comment(
        &stack,
        &t.admin,
        &request_id,
        "Note interne : client pressé",
        true,
    )
    .await?;
    let mail = eventually(20, "the comment mail", || async {
        Ok(mails_to(&stack, &t.contact_email, "Nouveau commentaire")
            .into_iter()
            .next())
    })
    .await?;
    assert_eq!(
        mail.subject,
        "Nouveau commentaire sur votre demande : Four en panne"
    );
    assert!(
        mail.body.contains("Un technicien passe mardi."),
        "{}",
        mail.body
    );
    let reply_to = mail
        .header("Reply-To")
        .ok_or_else(|| anyhow::anyhow!("no Reply-To in {:?}", mail.headers))?
        .trim()
        .to_owned();
    assert!(reply_to.starts_with("reply+"), "{reply_to}");
    assert!(reply_to.ends_with("@in.portal.test"), "{reply_to}");
    assert!(mail.body.contains(&reply_to), "{}", mail.body);
    let references = mail.header("References").unwrap_or_default();
    assert!(references.contains(&request_id), "{references}");

    // The internal note mails nobody; the comment mail went once.
    notification_drained(&stack).await?;
    assert_eq!(
        mails_to(&stack, &t.contact_email, "Nouveau commentaire").len(),
        1
    );
    let every = stack
        .smtp
        .as_ref()
        .map(|sink| sink.mails())
        .unwrap_or_default();
    assert!(every.iter().all(|m| !m.body.contains("Note interne")));

    // The contact answers from their mail client, quoting the mail.
    let answer = "Mardi me va très bien, merci.\n\nLe mar. 24 nov. 2026 à 10:02, Portal <reply@x> a écrit :\n> Un technicien passe mardi.\n";
    let message_id = format!("<{}@client.example>", uuid::Uuid::now_v7());
    send(
        &stack,
        &t.contact_email,
        &reply_to,
        "Re: Nouveau commentaire",
        answer,
        &message_id,
    )
    .await?;
    let added = eventually(30, "the mail reply as a comment", || async {
        let comments = conversation(&stack, &t, &request_id).await?;
        Ok(comments.into_iter().find(|c| c.source == "email"))
    })
    .await?;
    assert_eq!(added.body, "Mardi me va très bien, merci.");
    assert_eq!(added.author_id, t.contact_id);
    assert!(!added.internal);
    // ... and staff hear of it (the admin is the tenant's dispatcher here).
    let admin_email = format!("admin@{}.example", t.slug);
    eventually(20, "the comment mail to staff", || async {
        Ok(mails_to(&stack, &admin_email, "The customer commented")
            .into_iter()
            .next())
    })
    .await?;

    // The same mail delivered twice adds nothing.
    send(
        &stack,
        &t.contact_email,
        &reply_to,
        "Re: Nouveau commentaire",
        answer,
        &message_id,
    )
    .await?;
    // A forged token, or a real one from a stranger, is refused at SMTP time.
    let forged = format!("reply+{}@in.portal.test", "0".repeat(52));
    let err = send(
        &stack,
        &t.contact_email,
        &forged,
        "Re",
        "Hello",
        "<f1@client.example>",
    )
    .await
    .err()
    .ok_or_else(|| anyhow::anyhow!("a forged reply address was taken"))?;
    assert!(format!("{err:#}").contains("not valid"), "{err:#}");
    let at = reply_to.find('@').unwrap();
    let flipped = if &reply_to[at - 1..at] == "0" {
        "1"
    } else {
        "0"
    };
    let tampered = format!("{}{flipped}{}", &reply_to[..at - 1], &reply_to[at..]);
    assert!(
        send(
            &stack,
            &t.contact_email,
            &tampered,
            "Re",
            "Hello",
            "<f2@client.example>"
        )
        .await
        .is_err()
    );
    let err = send(
        &stack,
        "mallory@evil.example",
        &reply_to,
        "Re",
        "Hello",
        "<f3@evil.example>",
    )
    .await
    .err()
    .ok_or_else(|| anyhow::anyhow!("a stranger's reply was taken"))?;
    assert!(
        format!("{err:#}").contains("cannot take this message from its sender"),
        "{err:#}"
    );

    drained(&stack, "requests-mail-received").await?;
    let from_mail: Vec<_> = conversation(&stack, &t, &request_id)
        .await?
        .into_iter()
        .filter(|c| c.source == "email")
        .collect();
    assert_eq!(from_mail.len(), 1, "{from_mail:?}");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_intake_address_opens_requests_for_known_contacts_only() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailintake").await?;
    let intake = format!("{}@in.portal.test", t.slug);

    send(
        &stack,
        &t.contact_email,
        &intake,
        "Fuite sous l'évier",
        "L'eau coule depuis ce matin.\n\n-- \nClaire Martin\n",
        "<intake-1@client.example>",
    )
    .await?;
    let created = eventually(30, "the request opened by mail", || async {
        let page = stack
            .api
            .get("/api/v1/requests", &t.contact)
            .await?
            .expect(200)?;
        Ok(page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .find(|r| r["title"] == "Fuite sous l'évier"))
    })
    .await?;
    assert_eq!(created["status"], "submitted");
    // The contact's first site by name ("Lyon bakery").
    assert_eq!(created["site_id"], t.site_ids[0].as_str());
    let detail = stack
        .api
        .get(
            &format!("/api/v1/requests/{}", s(&created["id"])),
            &t.contact,
        )
        .await?
        .expect(200)?;
    assert_eq!(detail["description"], "L'eau coule depuis ce matin.");

    // A stranger is told so by SMTP, and nothing is created.
    let err = send(
        &stack,
        "stranger@nowhere.example",
        &intake,
        "Devis",
        "Bonjour, pouvez-vous passer ?",
        "<intake-2@nowhere.example>",
    )
    .await
    .err()
    .ok_or_else(|| anyhow::anyhow!("a stranger's mail was taken"))?;
    assert!(
        format!("{err:#}").contains("cannot take this message from its sender"),
        "{err:#}"
    );
    // Neither another tenant's slug nor another domain takes mail.
    assert!(
        send(
            &stack,
            &t.contact_email,
            "nosuchtenant@in.portal.test",
            "x",
            "y",
            "<i3@c.example>"
        )
        .await
        .is_err()
    );
    assert!(
        send(
            &stack,
            &t.contact_email,
            &format!("{}@elsewhere.example", t.slug),
            "x",
            "y",
            "<i4@c.example>"
        )
        .await
        .is_err()
    );
    drained(&stack, "requests-mail-received").await?;
    let page = stack
        .api
        .get("/api/v1/requests", &t.admin)
        .await?
        .expect(200)?;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{items:?}");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn assignment_and_closing_are_mailed_once_each() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailclose").await?;
    let request = submit_request(&stack, &t, "Porte bloquée").await?;
    let request_id = s(&request["id"]);
    let me = stack.api.get("/api/v1/me", &t.admin).await?.expect(200)?;
    let due =
        chrono::DateTime::parse_from_rfc3339("2030-12-01T12:00:00Z")?.with_timezone(&chrono::Utc);
    let call = with_bearer(
        Request::new(pb::AssignRequestRequest {
            id: request_id.clone(),
            assignee_id: s(&me["id"]),
            assignee_name: "Alex Admin".into(),
            due_date: Some(portal_platform::time::to_proto(due)),
        }),
        &t.admin,
    );
    requests(&stack).await?.assign_request(call).await?;
    let assigned = eventually(20, "the assignment mail", || async {
        Ok(mails_to(&stack, &t.contact_email, "prise en charge")
            .into_iter()
            .next())
    })
    .await?;
    // The assignee's name as the directory knows it.
    assert!(
        assigned.body.contains("est désormais suivie par "),
        "{}",
        assigned.body
    );
    assert!(assigned.body.contains("2030-12-01"), "{}", assigned.body);

    // A staff comment gives the contact a reply address.
    comment(&stack, &t.admin, &request_id, "Nous passons demain.", false).await?;
    let mail = eventually(20, "the comment mail", || async {
        Ok(mails_to(&stack, &t.contact_email, "Nouveau commentaire")
            .into_iter()
            .next())
    })
    .await?;
    let reply_to = mail
        .header("Reply-To")
        .unwrap_or_default()
        .trim()
        .to_owned();

    // The contact closes it: they and the assignee are told.
    let call = with_bearer(
        Request::new(pb::CloseRequestRequest {
            id: request_id.clone(),
            note: "Réparé par nos soins".into(),
        }),
        &t.contact,
    );
    requests(&stack).await?.close_request(call).await?;
    let admin_email = format!("admin@{}.example", t.slug);
    eventually(20, "the closing mails", || async {
        let contact = mails_to(&stack, &t.contact_email, "clôturée").len();
        let staff = mails_to(&stack, &admin_email, "closed the request").len();
        Ok((contact > 0 && staff > 0).then_some(()))
    })
    .await?;
    notification_drained(&stack).await?;
    assert_eq!(
        mails_to(&stack, &t.contact_email, "prise en charge").len(),
        1
    );
    assert_eq!(mails_to(&stack, &t.contact_email, "clôturée").len(), 1);
    let staff = mails_to(&stack, &admin_email, "closed the request");
    assert_eq!(staff.len(), 1);
    assert!(staff[0].body.contains("Claire Martin"), "{}", staff[0].body);
    assert!(
        staff[0].body.contains("Réparé par nos soins"),
        "{}",
        staff[0].body
    );

    // A reply that arrives after the closing ends nowhere: the conversation is over.
    send(
        &stack,
        &t.contact_email,
        &reply_to,
        "Re: Nouveau commentaire",
        "Finalement ce n'est pas réparé.",
        "<late@client.example>",
    )
    .await?;
    drained(&stack, "requests-mail-received").await?;
    let late = conversation(&stack, &t, &request_id)
        .await?
        .into_iter()
        .filter(|c| c.source == "email")
        .count();
    assert_eq!(late, 0);

    // Whether an address is a contact is for services only, not for staff.
    let call = with_bearer(
        Request::new(pb::GetRequestRequest {
            id: request_id.clone(),
        }),
        &t.admin,
    );
    let tenant_id = requests(&stack)
        .await?
        .get_request(call)
        .await?
        .into_inner()
        .tenant_id;
    let mut identity =
        portal_proto::identity::v1::identity_service_client::IdentityServiceClient::new(
            stack.channel(
                portal_platform::callers::Service::Gateway,
                portal_platform::callers::Service::Identity,
            )?,
        );
    let call = with_bearer(
        Request::new(portal_proto::identity::v1::FindContactByEmailRequest {
            tenant_id: tenant_id.clone(),
            email: t.contact_email.clone(),
        }),
        &t.admin,
    );
    let refused = identity
        .find_contact_by_email(call)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("staff read FindContactByEmail"))?;
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejection_is_mailed_once_with_its_reason_in_the_contacts_language() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailreject").await?;
    let request = submit_request(&stack, &t, "Peinture du hall").await?;
    let request_id = s(&request["id"]);
    stack
        .api
        .post(
            &format!("/api/v1/requests/{request_id}/reject"),
            Some(&t.admin),
            &serde_json::json!({"reason": "Nous ne faisons pas de peinture."}),
        )
        .await?
        .expect(200)?;
    let mail = eventually(20, "the rejection mail", || async {
        Ok(mails_to(&stack, &t.contact_email, "pas été retenue")
            .into_iter()
            .next())
    })
    .await?;
    assert!(
        mail.subject.contains("Peinture du hall"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body
            .contains("Motif : Nous ne faisons pas de peinture."),
        "{}",
        mail.body
    );
    drained(&stack, "notification-request-rejected").await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        mails_to(&stack, &t.contact_email, "pas été retenue").len(),
        1
    );
    // The contact sees the same reason on the request.
    let seen = stack
        .api
        .get(&format!("/api/v1/requests/{request_id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(seen["status"], "rejected");
    assert_eq!(seen["reject_reason"], "Nous ne faisons pas de peinture.");
    // G5: who rejected it, and when, is in the audit log.
    let audit = stack
        .api
        .get("/api/v1/audit", &t.admin)
        .await?
        .expect(200)?;
    let rejected = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["action"] == "request.rejected")
        .ok_or_else(|| anyhow::anyhow!("no request.rejected in {audit}"))?;
    assert_eq!(rejected["actor_kind"], "staff");
    assert!(rejected["at"].is_string(), "{rejected}");
    assert_eq!(rejected["target_id"], request_id.as_str());
    stack.stop().await
}

/// The tenant's required fields govern a request however it comes in
/// (`intake::submit` in requests): a mail cannot give a category, so where
/// the tenant requires one the mail makes no request, as the portal makes
/// none without it; once the requirement is lifted the same mail does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenants_required_fields_govern_requests_opened_by_mail() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailrequired").await?;
    let intake = format!("{}@in.portal.test", t.slug);
    let api = &stack.api;
    let titles = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| s(&r["title"]))
            .collect()
    };

    api.put(
        "/api/v1/request-settings",
        &t.admin,
        &serde_json::json!({"categories": ["repair", "install"], "required_fields": ["category"]}),
    )
    .await?
    .expect(200)?;
    // The portal: no request without a category.
    let body = serde_json::json!({"site_id": t.site_ids[0], "title": "Oven broken", "description": "It no longer heats."});
    let refused = api
        .post("/api/v1/requests", Some(&t.contact), &body)
        .await?
        .problem(400)?;
    assert!(
        refused.to_string().contains("category is required"),
        "{refused}"
    );
    // A mail: the same rule, so no request either.
    send(
        &stack,
        &t.contact_email,
        &intake,
        "Fuite sous l'évier",
        "L'eau coule depuis ce matin.",
        "<required-1@client.example>",
    )
    .await?;
    drained(&stack, "requests-mail-received").await?;
    let page = api.get("/api/v1/requests", &t.admin).await?.expect(200)?;
    assert!(titles(&page).is_empty(), "{page}");
    // ... and Claire is told why, in French, in the thread of her mail, with
    // the portal's form (`request.mail_refused`, answered by notification).
    let answer = eventually(30, "the answer to the refused mail", || async {
        Ok(mails_to(&stack, &t.contact_email, "Fuite sous l'évier")
            .into_iter()
            .next())
    })
    .await?;
    assert!(
        answer
            .subject
            .starts_with("Votre message n'a pas pu être pris en compte"),
        "{}",
        answer.subject
    );
    assert!(
        answer.body.contains("doit préciser une catégorie"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("/requests/new"), "{}", answer.body);
    let header = |name: &str| {
        answer
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    assert_eq!(
        header("In-Reply-To").as_deref(),
        Some("<required-1@client.example>")
    );
    assert_eq!(header("Auto-Submitted").as_deref(), Some("auto-generated"));

    // With a category the portal takes it.
    let mut body = body;
    body["category"] = serde_json::json!("repair");
    let created = api
        .post("/api/v1/requests", Some(&t.contact), &body)
        .await?
        .expect(201)?;
    assert_eq!(created["category"], "repair");
    assert_eq!(created["source"], "portal");

    // Categories offered but none required: a mail opens a request again.
    api.put(
        "/api/v1/request-settings",
        &t.admin,
        &serde_json::json!({"categories": ["repair", "install"], "required_fields": []}),
    )
    .await?
    .expect(200)?;
    send(
        &stack,
        &t.contact_email,
        &intake,
        "Radiateur froid",
        "Le radiateur du salon ne chauffe plus.",
        "<required-2@client.example>",
    )
    .await?;
    let opened = eventually(30, "the request opened by mail", || async {
        let page = api.get("/api/v1/requests", &t.contact).await?.expect(200)?;
        Ok(page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .find(|r| r["title"] == "Radiateur froid"))
    })
    .await?;
    assert_eq!(opened["source"], "email");
    assert_eq!(opened["category"], "");
    assert_eq!(opened["site_id"], t.site_ids[0].as_str());
    // The refused mail stays refused: it was weighed once, under the rule of
    // its time, and answered once.
    drained(&stack, "requests-mail-received").await?;
    drained(&stack, "notification-request-mail-refused").await?;
    assert_eq!(
        mails_to(&stack, &t.contact_email, "Fuite sous l'évier").len(),
        1
    );
    let page = api.get("/api/v1/requests", &t.admin).await?.expect(200)?;
    let mut seen = titles(&page);
    seen.sort();
    assert_eq!(seen, ["Oven broken", "Radiateur froid"]);
    stack.stop().await
}
