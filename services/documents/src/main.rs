use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = documents::Config::parse();
    portal_platform::telemetry::init("documents");
    let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
    documents::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
