use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = work_orders::Config::parse();
    portal_platform::telemetry::init("work-orders");
    let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
    work_orders::run(cfg, listener, portal_platform::shutdown::on_signal()).await
}
