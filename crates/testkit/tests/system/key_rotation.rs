//! Signing keys rotate with overlap (security issue #9, ADR 0016): a new
//! key signs while the old one is still published, so tokens it signed keep
//! working; once the old key is removed from identity's key directory, its
//! tokens are refused by the gateway and by every backend.
use portal_proto::requests::v1::GetRequestRequest;
use portal_proto::requests::v1::requests_service_client::RequestsServiceClient;
use portal_testkit::stack::FIRST_SIGNING_KID;
use portal_testkit::{Stack, eventually};
use serde_json::Value;

use crate::fixtures::{self, s};

/// How a token fares at the gateway (HTTP status of /api/v1/me) and at
/// requests over gRPC (reading a request of the tenant).
async fn fate(stack: &Stack, token: &str, request_id: &str) -> anyhow::Result<(u16, tonic::Code)> {
    let http = stack.api.get("/api/v1/me", token).await?.status.as_u16();
    let mut client = RequestsServiceClient::new(stack.channel(
        portal_platform::callers::Service::Gateway,
        portal_platform::callers::Service::Requests,
    )?);
    let call = portal_platform::auth::with_bearer(
        tonic::Request::new(GetRequestRequest {
            id: request_id.to_owned(),
        }),
        token,
    );
    let grpc = match client.get_request(call).await {
        Ok(_) => tonic::Code::Ok,
        Err(status) => status.code(),
    };
    Ok((http, grpc))
}

/// Waits until the token fares as expected everywhere (verifiers learn of
/// a new key on sight, and forget a removed one when their cache expires).
async fn until_fate(
    stack: &Stack,
    what: &str,
    token: &str,
    request_id: &str,
    expected: (u16, tonic::Code),
) -> anyhow::Result<()> {
    eventually(30, what, || async {
        let seen = fate(stack, token, request_id).await?;
        Ok((seen == expected).then_some(()))
    })
    .await
}

async fn admin_login(stack: &Stack, slug: &str) -> anyhow::Result<String> {
    fixtures::login(
        stack,
        slug,
        &format!("admin@{slug}.example"),
        "admin password 1",
    )
    .await
}

fn kid(token: &str) -> anyhow::Result<String> {
    jsonwebtoken::decode_header(token)?
        .kid
        .ok_or_else(|| anyhow::anyhow!("token without kid"))
}

async fn published_kids(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let res = stack
        .api
        .http
        .get(format!("{}/.well-known/jwks.json", stack.api.base))
        .send()
        .await?;
    let jwks: Value = res.error_for_status()?.json().await?;
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .map(|keys| keys.iter().map(|k| s(&k["kid"])).collect())
        .unwrap_or_default();
    kids.sort();
    Ok(kids)
}

#[tokio::test]
async fn a_retired_key_stops_verifying_after_the_overlap() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "rotation").await?;
    let request = fixtures::submit_request(&stack, &t, "Key rotation").await?;
    let id = s(&request["id"]);
    let accepted = (200, tonic::Code::Ok);
    let refused = (401, tonic::Code::Unauthenticated);

    // Key A (the stack's first) signs.
    let token_a = admin_login(&stack, &t.slug).await?;
    assert_eq!(kid(&token_a)?, FIRST_SIGNING_KID);
    assert_eq!(fate(&stack, &token_a, &id).await?, accepted);

    // Rotation: key B is added and made active; A stays published.
    std::fs::write(
        stack.signing_keys_dir.join("k2.pem"),
        identity::keys::generate_pem()?,
    )?;
    stack
        .restart_identity(|cfg| cfg.signing_keys.active = Some("k2".into()))
        .await?;
    assert_eq!(published_kids(&stack).await?, [FIRST_SIGNING_KID, "k2"]);
    let token_b = admin_login(&stack, &t.slug).await?;
    assert_eq!(kid(&token_b)?, "k2");
    until_fate(&stack, "B's token to be accepted", &token_b, &id, accepted).await?;
    assert_eq!(
        fate(&stack, &token_a, &id).await?,
        accepted,
        "A's token is refused during the overlap"
    );

    // Retirement: A's file goes; identity starts without it.
    std::fs::remove_file(
        stack
            .signing_keys_dir
            .join(format!("{FIRST_SIGNING_KID}.pem")),
    )?;
    stack.restart_identity(|_| {}).await?;
    assert_eq!(published_kids(&stack).await?, ["k2"]);
    until_fate(&stack, "A's token to be refused", &token_a, &id, refused).await?;
    assert_eq!(fate(&stack, &token_a, &id).await?, refused);
    assert_eq!(fate(&stack, &token_b, &id).await?, accepted);
    let token_b2 = admin_login(&stack, &t.slug).await?;
    assert_eq!(kid(&token_b2)?, "k2");
    assert_eq!(fate(&stack, &token_b2, &id).await?, accepted);

    stack.stop().await
}
