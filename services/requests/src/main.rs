use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = requests::Config::parse();
    portal_platform::telemetry::init("requests");
    let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
    requests::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
