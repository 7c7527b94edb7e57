use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = portal_gateway::Config::parse();
    portal_platform::telemetry::init("portal-gateway");
    let listener = std::net::TcpListener::bind(cfg.https_addr)?;
    portal_gateway::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
