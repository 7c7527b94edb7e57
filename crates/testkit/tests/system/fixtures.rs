//! A tenant with an admin, a customer with two sites and an invited,
//! activated contact, built through the API like a user would.
use portal_testkit::{Stack, eventually, smtp::link_token};
use serde_json::{Value, json};

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub struct Tenant {
    pub slug: String,
    pub admin: String,
    pub customer_id: String,
    pub site_ids: Vec<String>,
    pub contact_id: String,
    pub contact_email: String,
    /// Set once the invitation was accepted.
    pub contact: String,
}

/// Everything up to and including the invitation (which `accept_invitation` completes).
pub async fn invited_tenant(stack: &Stack, slug: &str) -> anyhow::Result<Tenant> {
    let api = &stack.api;
    let admin_email = format!("admin@{slug}.example");
    let created = api
        .post(
            "/api/v1/tenants",
            Some(&stack.operator_token),
            &json!({"slug": slug, "name": format!("{slug} services"), "admin_email": admin_email, "admin_password": "admin password 1"}),
        )
        .await?
        .expect(201)?;
    assert_eq!(created["slug"], slug);
    let admin = login(stack, slug, &admin_email, "admin password 1").await?;
    let customer = api
        .post("/api/v1/customers", Some(&admin), &json!({"number": "C-1", "name": "Boulangerie Martin", "address": "12 rue de la Paix, Lyon"}))
        .await?
        .expect(201)?;
    let customer_id = s(&customer["id"]);
    let mut site_ids = Vec::new();
    for name in ["Lyon bakery", "Villeurbanne workshop"] {
        let site = api
            .post(
                &format!("/api/v1/customers/{customer_id}/sites"),
                Some(&admin),
                &json!({"name": name, "address": "Lyon", "latitude": 45.76, "longitude": 4.83}),
            )
            .await?
            .expect(201)?;
        site_ids.push(s(&site["id"]));
    }
    let contact_email = format!("claire@{slug}-client.example");
    let contact = api
        .post(
            &format!("/api/v1/customers/{customer_id}/contacts"),
            Some(&admin),
            &json!({"name": "Claire Martin", "email": contact_email, "language": "fr", "notifications": true}),
        )
        .await?
        .expect(201)?;
    let contact_id = s(&contact["id"]);
    api.put(
        &format!("/api/v1/customers/{customer_id}/portal"),
        &admin,
        &json!({"enabled": true}),
    )
    .await?
    .expect(200)?;
    api.post(
        &format!("/api/v1/contacts/{contact_id}/invitation"),
        Some(&admin),
        &json!({}),
    )
    .await?
    .expect(202)?;
    Ok(Tenant {
        slug: slug.into(),
        admin,
        customer_id,
        site_ids,
        contact_id,
        contact_email,
        contact: String::new(),
    })
}

/// Reads the invitation from the SMTP sink and accepts it.
pub async fn accept_invitation(stack: &Stack, tenant: &mut Tenant) -> anyhow::Result<()> {
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no SMTP sink"))?;
    let mail = eventually(20, "the invitation mail", || async {
        Ok(sink.to(&tenant.contact_email).into_iter().next())
    })
    .await?;
    let token =
        link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("no link in {}", mail.body))?;
    assert!(
        mail.body.contains("/invitations/accept?token="),
        "link in {}",
        mail.body
    );
    let tokens = stack
        .api
        .post(
            "/api/v1/auth/invitations/accept",
            None,
            &json!({"token": token, "password": "contact password 1"}),
        )
        .await?
        .expect(200)?;
    tenant.contact = s(&tokens["access_token"]);
    // The contact can now log in with the password they chose.
    login(
        stack,
        &tenant.slug,
        &tenant.contact_email,
        "contact password 1",
    )
    .await?;
    Ok(())
}

pub async fn tenant(stack: &Stack, slug: &str) -> anyhow::Result<Tenant> {
    let mut t = invited_tenant(stack, slug).await?;
    accept_invitation(stack, &mut t).await?;
    Ok(t)
}

pub async fn login(
    stack: &Stack,
    tenant: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let tokens = stack
        .api
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"tenant": tenant, "email": email, "password": password}),
        )
        .await?
        .expect(200)?;
    assert_eq!(tokens["token_type"], "Bearer");
    Ok(s(&tokens["access_token"]))
}

/// A contact's new request on their first site.
pub async fn submit_request(stack: &Stack, t: &Tenant, title: &str) -> anyhow::Result<Value> {
    let r = stack
        .api
        .post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": t.site_ids[0], "title": title, "description": "The oven does not heat any more.", "category": "repair", "priority": "high"}),
        )
        .await?
        .expect(201)?;
    assert_eq!(r["status"], "submitted");
    Ok(r)
}

/// The work orders of a request, as staff see them.
pub async fn work_orders_of(
    stack: &Stack,
    t: &Tenant,
    request_id: &str,
) -> anyhow::Result<Vec<Value>> {
    let page = stack
        .api
        .get("/api/v1/work-orders?status=to_plan&limit=100", &t.admin)
        .await?
        .expect(200)?;
    Ok(page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|w| w["request_id"] == request_id)
        .collect())
}

/// Mails to the contact that announce an acceptance of `title`.
pub fn accepted_mails(stack: &Stack, t: &Tenant, title: &str) -> usize {
    stack
        .smtp
        .as_ref()
        .map(|s| {
            s.to(&t.contact_email)
                .into_iter()
                .filter(|m| m.body.contains(title) && !m.body.contains("token="))
                .count()
        })
        .unwrap_or(0)
}

/// Waits until a durable consumer has nothing pending or unacknowledged.
pub async fn drained(stack: &Stack, durable: &str) -> anyhow::Result<()> {
    drained_within(stack, durable, 20).await
}

/// The same, waiting up to `secs`: an ack lost while NATS was away leaves
/// its message unacknowledged until the consumer's ack wait (30 s) hands it
/// over again.
pub async fn drained_within(stack: &Stack, durable: &str, secs: u64) -> anyhow::Result<()> {
    let client = portal_platform::nats::connect(&stack.nats.url(), "test").await?;
    let js = async_nats::jetstream::new(client);
    eventually(secs, &format!("consumer {durable} to drain"), || {
        let js = js.clone();
        async move {
            // A service makes its consumers once it has started: until
            // then there is nothing to drain yet.
            let Ok(stream) = js.get_stream("PORTAL").await else {
                return Ok(None);
            };
            let Ok(mut consumer) = stream
                .get_consumer::<async_nats::jetstream::consumer::pull::Config>(durable)
                .await
            else {
                return Ok(None);
            };
            let info = consumer.info().await?;
            Ok((info.num_pending == 0 && info.num_ack_pending == 0).then_some(()))
        }
    })
    .await
}

pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Another contact of the tenant's customer, limited to `site_ids`, invited
/// and activated; returns their access token.
pub async fn extra_contact(
    stack: &Stack,
    t: &Tenant,
    email: &str,
    site_ids: &[&str],
) -> anyhow::Result<String> {
    let api = &stack.api;
    let contact = api
        .post(
            &format!("/api/v1/customers/{}/contacts", t.customer_id),
            Some(&t.admin),
            &json!({"name": "Site manager", "email": email, "language": "en", "site_ids": site_ids}),
        )
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/contacts/{}/invitation", s(&contact["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(202)?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no SMTP sink"))?;
    let mail = eventually(20, "the invitation mail", || async {
        Ok(sink.to(email).into_iter().next())
    })
    .await?;
    let token =
        link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("no link in {}", mail.body))?;
    let tokens = api
        .post(
            "/api/v1/auth/invitations/accept",
            None,
            &json!({"token": token, "password": "site password 1"}),
        )
        .await?
        .expect(200)?;
    Ok(s(&tokens["access_token"]))
}

/// Publishes a `request.accepted` event as a producer (or a redelivery) would,
/// with `msg_id` as the broker's de-duplication id.
pub async fn publish_accepted(
    stack: &Stack,
    tenant: &str,
    event_id: uuid::Uuid,
    msg_id: uuid::Uuid,
    payload: Vec<u8>,
) -> anyhow::Result<()> {
    let envelope = portal_platform::events::Envelope {
        id: event_id,
        tenant_id: tenant.parse()?,
        ce_type: "portal.request.accepted.v1".into(),
        source: "/portal/requests".into(),
        time: chrono::Utc::now(),
        traceparent: None,
    };
    let mut headers = async_nats::HeaderMap::new();
    for (name, value) in envelope.to_headers() {
        headers.insert(name, value.as_str());
    }
    headers.insert(
        portal_platform::events::H_MSG_ID,
        msg_id.to_string().as_str(),
    );
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);
    js.publish_with_headers(
        format!("portal.{tenant}.request.accepted"),
        headers,
        payload.into(),
    )
    .await?
    .await?;
    Ok(())
}

/// How many messages a durable consumer has been handed (redeliveries aside).
pub async fn handed_to(stack: &Stack, durable: &str) -> anyhow::Result<u64> {
    Ok(consumer_info(stack, durable)
        .await?
        .delivered
        .consumer_sequence)
}

/// How many messages a durable consumer was handed and not yet acked.
pub async fn ack_pending(stack: &Stack, durable: &str) -> anyhow::Result<usize> {
    Ok(consumer_info(stack, durable).await?.num_ack_pending)
}

/// What the broker says of a durable consumer now.
async fn consumer_info(
    stack: &Stack,
    durable: &str,
) -> anyhow::Result<async_nats::jetstream::consumer::Info> {
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);
    let stream = js.get_stream("PORTAL").await?;
    let mut consumer: async_nats::jetstream::consumer::PullConsumer = stream
        .get_consumer(durable)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(consumer.info().await?.clone())
}

/// Accepts request `id` as the admin and waits for the work order it
/// becomes (two consumer hops); its id.
pub async fn accept(stack: &Stack, t: &Tenant, id: &str) -> anyhow::Result<String> {
    let api = &stack.api;
    api.post(
        &format!("/api/v1/requests/{id}/accept"),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(200)?;
    eventually(40, "the work order linked", || async {
        let r = api
            .get(&format!("/api/v1/requests/{id}"), &t.admin)
            .await?
            .expect(200)?;
        Ok(r["work_order_id"].as_str().map(str::to_owned))
    })
    .await
}

/// A contact's request with one photo, accepted: `(request id, file id,
/// work order id)`.
pub async fn accepted_with_file(
    stack: &Stack,
    t: &Tenant,
    title: &str,
) -> anyhow::Result<(String, String, String)> {
    let id = s(&submit_request(stack, t, title).await?["id"]);
    let file = stack
        .api
        .upload(
            &format!("/api/v1/requests/{id}/attachments"),
            &t.contact,
            "photo.png",
            "image/png",
            PNG.to_vec(),
        )
        .await?
        .expect(201)?;
    let work_order = accept(stack, t, &id).await?;
    Ok((id, s(&file["id"]), work_order))
}

/// A staff member of `t` with one role, and their access token.
pub async fn staff(
    stack: &Stack,
    t: &Tenant,
    name: &str,
    role: &str,
) -> anyhow::Result<(String, String)> {
    let email = format!(
        "{}@{}.example",
        name.to_lowercase().replace(' ', "."),
        t.slug
    );
    let member = stack
        .api
        .post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": name, "roles": [role], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
    let token = login(stack, &t.slug, &email, "staff password 1").await?;
    Ok((s(&member["id"]), token))
}
