//! Tenants never see each other's data, through the API or gRPC directly.
use portal_proto::requests::v1::GetRequestRequest;
use portal_proto::requests::v1::requests_service_client::RequestsServiceClient;
use portal_testkit::Stack;

use crate::fixtures::{self, PNG, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_tenants_request_does_not_exist_for_you() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let a = fixtures::tenant(&stack, "tenant-a").await?;
    let b = fixtures::tenant(&stack, "tenant-b").await?;
    let api = &stack.api;
    let request = fixtures::submit_request(&stack, &a, "Tenant A's secret").await?;
    let id = s(&request["id"]);
    let file = api
        .upload(
            &format!("/api/v1/requests/{id}/attachments"),
            &a.contact,
            "a.png",
            "image/png",
            PNG.to_vec(),
        )
        .await?
        .expect(201)?;

    for token in [&b.contact, &b.admin] {
        api.get(&format!("/api/v1/requests/{id}"), token)
            .await?
            .problem(404)?;
        let list = api.get("/api/v1/requests", token).await?.expect(200)?;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
        let download = api
            .http
            .get(format!(
                "{}/api/v1/attachments/{}/content",
                api.base,
                s(&file["id"])
            ))
            .bearer_auth(token)
            .send()
            .await?;
        assert_eq!(download.status(), 404);
    }
    api.post(
        &format!("/api/v1/requests/{id}/accept"),
        Some(&b.admin),
        &serde_json::json!({}),
    )
    .await?
    .problem(404)?;
    api.upload(
        &format!("/api/v1/requests/{id}/attachments"),
        &b.contact,
        "b.png",
        "image/png",
        PNG.to_vec(),
    )
    .await?
    .problem(404)?;
    // B's contact cannot file a request on A's site either.
    api.post(
        "/api/v1/requests",
        Some(&b.contact),
        &serde_json::json!({"site_id": a.site_ids[0], "description": "x"}),
    )
    .await?
    .problem(400)?;

    // The service applies the tenant itself, whoever calls it.
    let mut client = RequestsServiceClient::new(stack.channel(
        portal_platform::callers::Service::Gateway,
        portal_platform::callers::Service::Requests,
    )?);
    let call = portal_platform::auth::with_bearer(
        tonic::Request::new(GetRequestRequest { id: id.clone() }),
        &b.contact,
    );
    let status = client
        .get_request(call)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("tenant B read tenant A's request"))?;
    assert_eq!(status.code(), tonic::Code::NotFound);
    let call = portal_platform::auth::with_bearer(
        tonic::Request::new(GetRequestRequest { id: id.clone() }),
        &a.contact,
    );
    assert_eq!(
        client.get_request(call).await?.into_inner().title,
        "Tenant A's secret"
    );
    // A contact cannot vouch for an owner by calling documents directly.
    let mut documents =
        portal_proto::documents::v1::documents_service_client::DocumentsServiceClient::new(
            stack.channel(
                portal_platform::callers::Service::Gateway,
                portal_platform::callers::Service::Documents,
            )?,
        );
    let upload = portal_proto::documents::v1::UploadAttachmentRequest {
        owner_type: "request".into(),
        owner_id: id.clone(),
        customer_id: b.customer_id.clone(),
        site_id: String::new(),
        name: "planted.png".into(),
        content_type: "image/png".into(),
    };
    use portal_proto::documents::v1::{UploadAttachmentPart, upload_attachment_part::Part};
    let parts = futures::stream::iter([
        UploadAttachmentPart {
            part: Some(Part::Header(upload)),
        },
        UploadAttachmentPart {
            part: Some(Part::Data(PNG.to_vec())),
        },
    ]);
    let refused = documents
        .upload_attachment(portal_platform::auth::with_bearer(
            tonic::Request::new(parts),
            &b.contact,
        ))
        .await
        .err()
        .map(|s| s.code());
    assert_eq!(refused, Some(tonic::Code::PermissionDenied));
    let files = api
        .get(&format!("/api/v1/requests/{id}/attachments"), &a.admin)
        .await?
        .expect(200)?;
    assert_eq!(files.as_array().map(Vec::len), Some(1), "only A's own file");

    let anonymous = client
        .get_request(tonic::Request::new(GetRequestRequest { id }))
        .await
        .err()
        .map(|s| s.code());
    assert_eq!(anonymous, Some(tonic::Code::Unauthenticated));
    stack.stop().await
}
