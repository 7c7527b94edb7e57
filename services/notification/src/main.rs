use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = notification::Config::parse();
    portal_platform::telemetry::init("notification");
    let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
    notification::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
