use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = identity::Config::parse();
    portal_platform::telemetry::init("identity");
    let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
    identity::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
