//! Services know each other by their own credentials (issue #9, item 6;
//! ADR 0017): each gRPC method accepts only the callers it lists, a forged
//! credential is nobody, and reflection is not served by default.
use portal_platform::auth::Claims;
use portal_platform::callers::{Credential, SECRET_HEADER, SERVICE_HEADER, Service};
use portal_proto::identity::v1 as id;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::notification::v1 as nf;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use portal_testkit::Stack;
use tonic::{Code, Request};

use crate::fixtures;

fn find_contact(tenant_id: &str, email: &str) -> Request<id::FindContactByEmailRequest> {
    Request::new(id::FindContactByEmailRequest {
        tenant_id: tenant_id.to_owned(),
        email: email.to_owned(),
    })
}

fn mail(tenant_id: &str, key: &str) -> Request<nf::SendMailRequest> {
    Request::new(nf::SendMailRequest {
        tenant_id: tenant_id.to_owned(),
        idempotency_key: key.to_owned(),
        template: "invitation".into(),
        to: "someone@example.com".into(),
        language: "en".into(),
        params: [
            (
                "link".to_owned(),
                "https://portal.test/x?token=t".to_owned(),
            ),
            ("provider".to_owned(), "Test".to_owned()),
            ("name".to_owned(), "Someone".to_owned()),
            ("expires".to_owned(), "2030-01-01".to_owned()),
        ]
        .into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_service_calls_only_the_methods_that_list_it() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "callers").await?;
    let tenant_id = jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(&t.admin)?
        .tid
        .to_string();
    // Each caller over its own TLS connection (ADR 0025).
    let identity_as = |caller| -> anyhow::Result<_> {
        Ok(IdentityServiceClient::new(
            stack.channel(caller, Service::Identity)?,
        ))
    };
    let notification_as = |caller| -> anyhow::Result<_> {
        Ok(NotificationServiceClient::new(
            stack.channel(caller, Service::Notification)?,
        ))
    };
    let mut identity = identity_as(Service::Gateway)?;
    let mut notification = notification_as(Service::Gateway)?;
    let gateway = stack.credential(Service::Gateway);

    // The internet-facing gateway is known, but reads no directory entry
    // by address and sends no mail as itself.
    let refused = identity
        .find_contact_by_email(gateway.sign(find_contact(&tenant_id, &t.contact_email)))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("the gateway read FindContactByEmail"))?;
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    assert!(refused.message().contains("gateway"), "{refused:?}");
    let refused = notification
        .send_mail(gateway.sign(mail(&tenant_id, "gateway-try")))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("the gateway sent mail"))?;
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    // Nor may requests send mail, though it may read the directory.
    let refused = notification_as(Service::Requests)?
        .send_mail(
            stack
                .credential(Service::Requests)
                .sign(mail(&tenant_id, "req-try")),
        )
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("requests sent mail"))?;
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");

    // A forged secret, or one under another service's name, is nobody.
    let forged = Credential::new(Service::Notification, "not-notification-secret-123456");
    let refused = identity_as(Service::Notification)?
        .find_contact_by_email(forged.sign(find_contact(&tenant_id, &t.contact_email)))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a forged secret read FindContactByEmail"))?;
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let mut borrowed = find_contact(&tenant_id, &t.contact_email);
    borrowed
        .metadata_mut()
        .insert(SERVICE_HEADER, "requests".parse()?);
    borrowed
        .metadata_mut()
        .insert(SECRET_HEADER, gateway.secret().parse()?);
    let refused = identity
        .find_contact_by_email(borrowed)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("the gateway's secret passed as requests"))?;
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let refused = notification_as(Service::Notification)?
        .send_mail(forged.sign(mail(&tenant_id, "forged")))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a forged secret sent mail"))?;
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");

    // A true secret is no use over another service's connection: requests'
    // credential, stolen and sent from the gateway, is nobody.
    let refused = identity
        .find_contact_by_email(
            stack
                .credential(Service::Requests)
                .sign(find_contact(&tenant_id, &t.contact_email)),
        )
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("requests' secret passed over the gateway's connection"))?;
    // ... and told no more than a forged one.
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    assert_eq!(refused.message(), "unknown service credential");

    // The rightful callers are served.
    let contact = identity_as(Service::Requests)?
        .find_contact_by_email(
            stack
                .credential(Service::Requests)
                .sign(find_contact(&tenant_id, &t.contact_email)),
        )
        .await?
        .into_inner();
    assert_eq!(contact.id, t.contact_id);
    let sent = notification_as(Service::Identity)?
        .send_mail(
            stack
                .credential(Service::Identity)
                .sign(mail(&tenant_id, "identity-ok")),
        )
        .await?
        .into_inner();
    assert!(!sent.delivery_id.is_empty());

    // documents reads the names its service reports print, and only those.
    let documents = stack.credential(Service::Documents);
    let mut identity_for_documents = identity_as(Service::Documents)?;
    let name = |tenant_id: &str, customer_id: &str| {
        Request::new(id::GetCustomerNameRequest {
            tenant_id: tenant_id.to_owned(),
            customer_id: customer_id.to_owned(),
        })
    };
    let customer = identity_for_documents
        .get_customer_name(documents.sign(name(&tenant_id, &t.customer_id)))
        .await?
        .into_inner();
    assert_eq!(customer.name, "Boulangerie Martin");
    assert_eq!(customer.id, t.customer_id);
    let site = identity_for_documents
        .get_site(documents.sign(Request::new(id::GetSiteRequest {
            tenant_id: tenant_id.clone(),
            site_id: t.site_ids[0].clone(),
        })))
        .await?
        .into_inner();
    assert_eq!(site.name, "Lyon bakery");
    let refused = identity_for_documents
        .get_contact(documents.sign(Request::new(id::GetContactRequest {
            tenant_id: tenant_id.clone(),
            contact_id: t.contact_id.clone(),
        })))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("documents read GetContact"))?;
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    // Nobody else reads customer names as a service, and a user not at all.
    for other in [Service::Gateway, Service::Requests, Service::Notification] {
        let refused = identity_as(other)?
            .get_customer_name(
                stack
                    .credential(other)
                    .sign(name(&tenant_id, &t.customer_id)),
            )
            .await
            .err()
            .ok_or_else(|| anyhow::anyhow!("{other} read GetCustomerName"))?;
        assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    }
    let mut as_admin = name(&tenant_id, &t.customer_id);
    as_admin
        .metadata_mut()
        .insert("authorization", format!("Bearer {}", t.admin).parse()?);
    let refused = identity
        .get_customer_name(as_admin)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a user read GetCustomerName"))?;
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    // Another tenant's customer is not found under this tenant.
    let other = fixtures::tenant(&stack, "callers-other").await?;
    let refused = identity_for_documents
        .get_customer_name(documents.sign(name(&tenant_id, &other.customer_id)))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("another tenant's customer was named"))?;
    assert_eq!(refused.code(), Code::NotFound, "{refused:?}");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reflection_is_not_served_by_default() -> anyhow::Result<()> {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::{ServerReflectionRequest, server_reflection_response};
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient as AlphaClient;

    let stack = Stack::start().await?;
    for service in [Service::Identity, Service::Notification] {
        let channel = stack.channel(Service::Gateway, service)?;
        let mut client = ServerReflectionClient::new(channel.clone());
        let ask = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let answer = match client
            .server_reflection_info(futures::stream::iter([ask]))
            .await
        {
            Ok(stream) => stream.into_inner().message().await.map(|m| {
                m.and_then(|m| m.message_response).map(|r| {
                    matches!(
                        r,
                        server_reflection_response::MessageResponse::ListServicesResponse(_)
                    )
                })
            }),
            Err(status) => Err(status),
        };
        let status = answer
            .err()
            .ok_or_else(|| anyhow::anyhow!("{service} served reflection"))?;
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");

        let mut alpha = AlphaClient::new(channel);
        let ask = tonic_reflection::pb::v1alpha::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(
                tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest::ListServices(
                    String::new(),
                ),
            ),
        };
        let status = match alpha
            .server_reflection_info(futures::stream::iter([ask]))
            .await
        {
            Ok(stream) => stream.into_inner().message().await.err(),
            Err(status) => Some(status),
        }
        .ok_or_else(|| anyhow::anyhow!("{service} served reflection v1alpha"))?;
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    }
    stack.stop().await
}

/// A NATS client with `service`'s own user, and the server's complaints.
async fn nats_as(
    stack: &Stack,
    service: Service,
) -> anyhow::Result<(
    async_nats::Client,
    tokio::sync::mpsc::UnboundedReceiver<String>,
)> {
    let addr: async_nats::ServerAddr = stack.nats.url_for(service).parse()?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = async_nats::ConnectOptions::new()
        .user_and_password(
            addr.username().unwrap_or_default().to_owned(),
            addr.password().unwrap_or_default().to_owned(),
        )
        .event_callback(move |event| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(format!("{event:?}"));
            }
        })
        .connect(format!("nats://127.0.0.1:{}", stack.nats.port))
        .await?;
    Ok((client, rx))
}

/// Publishes and waits for the server to call it a permissions violation.
async fn refused(
    client: &async_nats::Client,
    complaints: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    subject: String,
) -> anyhow::Result<()> {
    client.publish(subject.clone(), "forged".into()).await?;
    client.flush().await?;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let complaint = tokio::time::timeout_at(deadline, complaints.recv())
            .await
            .map_err(|_| anyhow::anyhow!("publishing {subject} was not refused"))?
            .unwrap_or_default();
        if complaint.contains("Permissions Violation") && complaint.contains(&subject) {
            return Ok(());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_notification_may_publish_mail_received() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let tenant = uuid::Uuid::new_v4();
    let mail = format!("portal.{tenant}.mail.received");

    let (gateway, mut complaints) = nats_as(&stack, Service::Gateway).await?;
    refused(&gateway, &mut complaints, mail.clone()).await?;
    refused(
        &gateway,
        &mut complaints,
        format!("portal.{tenant}.request.submitted"),
    )
    .await?;
    let (requests, mut complaints) = nats_as(&stack, Service::Requests).await?;
    refused(&requests, &mut complaints, mail.clone()).await?;
    // A subject outside its own events.
    refused(
        &requests,
        &mut complaints,
        format!("portal.{tenant}.work_order.created"),
    )
    .await?;

    // notification's user may: JetStream stores and acks it.
    let (notification, _) = nats_as(&stack, Service::Notification).await?;
    let ack = async_nats::jetstream::new(notification)
        .publish(mail, "not an event".into())
        .await?
        .await?;
    assert_eq!(ack.stream, "PORTAL");
    stack.stop().await
}
