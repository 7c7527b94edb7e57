//! Calls between services are mutual TLS (issue #9, item 6; ADR 0025):
//! a service talks only to clients holding a certificate of the
//! installation's CA, plaintext gets nowhere, and a client knows the
//! service it reached by its certificate, not by its address.
use std::sync::Arc;

use portal_platform::callers::Service;
use portal_platform::service_tls::{ServiceTls, TlsFiles};
use portal_testkit::Stack;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// What a health check over `channel` gives: SERVING, or the failure.
async fn health(channel: portal_platform::service_tls::Backend) -> Result<i32, tonic::Status> {
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map(|r| r.into_inner().status)
}

/// A call that never reached a handler: the connection failed under it.
fn transport_failure(status: &tonic::Status) -> bool {
    use std::error::Error;
    matches!(
        status.code(),
        tonic::Code::Unavailable
            | tonic::Code::Unknown
            | tonic::Code::Cancelled
            | tonic::Code::Internal
    ) && status
        .source()
        .is_some_and(|e| e.is::<tonic::transport::Error>())
}

/// A TLS client trusting the stack's CA, its client certificate to be chosen.
fn rustls_client(
    ca: &std::path::Path,
) -> anyhow::Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca)? {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots))
}

/// How the server at `addr` (calling itself identity) ends a connection
/// from `config`: the error the client reads, or `None` if it answered.
async fn refusal(mut config: rustls::ClientConfig, addr: &str) -> Option<String> {
    config.alpn_protocols = vec![b"h2".to_vec()];
    let outcome = async {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("identity")?, tcp)
            .await?;
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await?;
        let mut buf = [0u8; 64];
        let read = tls.read(&mut buf).await?;
        anyhow::Ok(read)
    }
    .await;
    outcome.err().map(|e| format!("{e:#}"))
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("https://").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_holders_of_a_certificate_of_the_ca_are_served() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let identity = host_port(&stack.urls.identity);

    // The rightful caller.
    let served = health(stack.channel(Service::Gateway, Service::Identity)?).await?;
    assert_eq!(served, ServingStatus::Serving as i32);

    // A client with no certificate: the server ends the handshake.
    let ca = portal_dev_certs::files(&stack.service_tls_dir, Service::Gateway).ca;
    let client = rustls_client(&ca)?;
    let refused = refusal(client.with_no_client_auth(), &identity)
        .await
        .ok_or_else(|| anyhow::anyhow!("identity spoke to a client without a certificate"))?;
    assert!(refused.contains("CertificateRequired"), "{refused}");

    // A certificate of another CA, under a true service name (a service of
    // ours would not even present it: ServiceTls checks its own first).
    let foreign = stack.data_dir.join("foreign-ca");
    portal_dev_certs::issue(&foreign)?;
    let theirs = portal_dev_certs::files(&foreign, Service::Requests);
    assert!(
        ServiceTls::load(
            Service::Requests,
            &TlsFiles::new(theirs.cert.clone(), theirs.key.clone(), ca.clone())
        )
        .is_err()
    );
    let chain = CertificateDer::pem_file_iter(&theirs.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(&theirs.key)?;
    let refused = refusal(
        rustls_client(&ca)?.with_client_auth_cert(chain, key)?,
        &identity,
    )
    .await
    .ok_or_else(|| anyhow::anyhow!("identity spoke to a certificate of another CA"))?;
    assert!(
        refused.contains("BadSignature")
            || refused.contains("UnknownCA")
            || refused.contains("DecryptError"),
        "{refused}"
    );

    // Plaintext HTTP/2 gets no answer.
    let plain =
        tonic::transport::Channel::from_shared(format!("http://{identity}"))?.connect_lazy();
    let refused = HealthClient::new(plain)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map(|r| r.into_inner().status)
        .err()
        .ok_or_else(|| anyhow::anyhow!("identity answered plaintext"))?;
    assert!(transport_failure(&refused), "{refused:?}");

    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_knows_the_service_by_its_certificate_not_its_address() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    // The gateway means to call identity, but the address leads to requests
    // (a wrong setting, or someone in the middle): it refuses to go on.
    let gateway = stack.service_tls(Service::Gateway)?;
    let misled = gateway.channel(&stack.urls.requests, Service::Identity)?;
    let refused = health(misled)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("the gateway took requests for identity"))?;
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    let source = format!("{:?}", refused);
    assert!(source.contains("NotValidForName"), "{source}");
    // The same address, named rightly, is served.
    let served = health(gateway.channel(&stack.urls.requests, Service::Requests)?).await?;
    assert_eq!(served, ServingStatus::Serving as i32);
    stack.stop().await
}
