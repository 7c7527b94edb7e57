//! One Portal service as a process of its own, for the fault tests that
//! kill it (SIGKILL) at a chosen point: started as its own binary starts it,
//! with the fail points named in `FAILPOINTS` (`fail` crate) switched on.
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scenario = fail::FailScenario::setup();
    let mut args = std::env::args().skip(1);
    let service = args.next().unwrap_or_default();
    let rest: Vec<String> = std::iter::once(service.clone()).chain(args).collect();
    match service.as_str() {
        "work-orders" => {
            let cfg = work_orders::Config::parse_from(&rest);
            let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
            work_orders::run(cfg, listener, portal_platform::shutdown::on_signal()).await?;
        }
        other => anyhow::bail!("portal-test-service: no service '{other}' (work-orders)"),
    }
    scenario.teardown();
    Ok(())
}
