//! What a customer hides from its contacts (requests before a "since" date)
//! and what a secure link for one work order does not see stay hidden past
//! the request: its files and its work order do not exist for them either.
//! Files through the REST API; work orders through gRPC, since the REST API
//! has no work order by id (pages read it with the caller's token).
use portal_proto::work_orders::v1::GetWorkOrderRequest;
use portal_proto::work_orders::v1::work_orders_service_client::WorkOrdersServiceClient;
use portal_testkit::{Stack, eventually, smtp::link_token};
use serde_json::json;

use crate::fixtures::{self, s};

fn content(file: &str) -> String {
    format!("/api/v1/attachments/{file}/content")
}

/// The file downloads for `token`, once documents has heard of its request.
async fn downloads(stack: &Stack, token: &str, file: &str) -> anyhow::Result<()> {
    eventually(20, "the file downloads", || async {
        let answer = stack.api.get(&content(file), token).await?;
        Ok((answer.status.as_u16() == 200).then_some(()))
    })
    .await
}

/// GetWorkOrder with the caller's token: `Ok(true)` when it answers,
/// `Ok(false)` when NotFound.
async fn sees_work_order(stack: &Stack, token: &str, id: &str) -> anyhow::Result<bool> {
    let mut client = WorkOrdersServiceClient::new(stack.channel(
        portal_platform::callers::Service::Gateway,
        portal_platform::callers::Service::WorkOrders,
    )?);
    let call = portal_platform::auth::with_bearer(
        tonic::Request::new(GetWorkOrderRequest { id: id.to_owned() }),
        token,
    );
    match client.get_work_order(call).await {
        Ok(w) => {
            anyhow::ensure!(w.get_ref().id == id, "another work order answered");
            Ok(true)
        }
        Err(status) if status.code() == tonic::Code::NotFound => Ok(false),
        Err(status) => Err(status.into()),
    }
}

/// documents' own list for a request, called directly with `token` (the
/// gateway reads the request first; documents must not rely on that).
async fn list_files(stack: &Stack, token: &str, request: &str) -> anyhow::Result<Vec<String>> {
    use portal_proto::documents::v1 as docs;
    let mut client = docs::documents_service_client::DocumentsServiceClient::new(stack.channel(
        portal_platform::callers::Service::Gateway,
        portal_platform::callers::Service::Documents,
    )?);
    let call = portal_platform::auth::with_bearer(
        tonic::Request::new(docs::ListAttachmentsRequest {
            owner_type: "request".into(),
            owner_id: request.to_owned(),
        }),
        token,
    );
    let items = client.list_attachments(call).await?.into_inner().items;
    Ok(items.into_iter().map(|a| a.id).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_of_a_hidden_request_does_not_exist_for_a_limited_contact() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "hidden-since").await?;
    let api = &stack.api;
    let (old, old_file, old_order) = fixtures::accepted_with_file(&stack, &t, "Old oven").await?;
    // Tokens carry the bound in whole seconds: keep a second on each side.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let cut = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (new, new_file, new_order) = fixtures::accepted_with_file(&stack, &t, "New door").await?;
    api.put(
        &format!("/api/v1/customers/{}/portal", t.customer_id),
        &t.admin,
        &json!({"enabled": true, "request_visibility": "since", "visible_since": cut.to_rfc3339()}),
    )
    .await?
    .expect(200)?;
    let contact = fixtures::login(
        &stack,
        "hidden-since",
        &t.contact_email,
        "contact password 1",
    )
    .await?;

    // What stays visible still answers.
    downloads(&stack, &contact, &new_file).await?;
    api.get(&format!("/api/v1/requests/{new}"), &contact)
        .await?
        .expect(200)?;
    assert!(sees_work_order(&stack, &contact, &new_order).await?);

    // The older request, its file and its work order answer like unknown ids.
    api.get(&format!("/api/v1/requests/{old}"), &contact)
        .await?
        .problem(404)?;
    api.get(&content(&old_file), &contact).await?.problem(404)?;
    assert!(!sees_work_order(&stack, &contact, &old_order).await?);
    let files = list_files(&stack, &contact, &old).await?;
    assert!(
        files.is_empty(),
        "files of a hidden request listed: {files:?}"
    );

    // Staff are not limited.
    api.get(&content(&old_file), &t.admin).await?.expect(200)?;
    assert!(sees_work_order(&stack, &t.admin, &old_order).await?);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secure_link_sees_the_files_and_work_order_of_its_own_work_only() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "hidden-link").await?;
    let api = &stack.api;
    let (_, own_file, own_order) = fixtures::accepted_with_file(&stack, &t, "Planned oven").await?;
    let (other, other_file, other_order) =
        fixtures::accepted_with_file(&stack, &t, "Other door").await?;
    let link = api
        .post(
            &format!("/api/v1/customers/{}/secure-links", t.customer_id),
            Some(&t.admin),
            &json!({"work_order_id": own_order, "label": "visit"}),
        )
        .await?
        .expect(201)?;
    let token = link_token(&s(&link["url"])).ok_or_else(|| anyhow::anyhow!("token"))?;
    let session = api
        .post("/api/v1/auth/secure-link", None, &json!({"token": token}))
        .await?
        .expect(200)?;
    let access = s(&session["access_token"]);

    downloads(&stack, &access, &own_file).await?;
    assert!(sees_work_order(&stack, &access, &own_order).await?);

    // Another request of the same customer and site: nothing of it exists.
    api.get(&content(&other_file), &access)
        .await?
        .problem(404)?;
    assert!(!sees_work_order(&stack, &access, &other_order).await?);
    let files = list_files(&stack, &access, &other).await?;
    assert!(
        files.is_empty(),
        "another request's files listed: {files:?}"
    );
    // The customer's own contact still sees both.
    downloads(&stack, &t.contact, &other_file).await?;
    assert!(sees_work_order(&stack, &t.contact, &other_order).await?);
    stack.stop().await
}
