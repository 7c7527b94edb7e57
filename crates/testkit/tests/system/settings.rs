//! Every binary's settings parse: clap refuses two arguments of one name
//! (a flattened group can bring a field name another already has), and the
//! system tests build the settings directly, so only this sees it.
use clap::CommandFactory;

#[test]
fn every_binarys_settings_are_one_consistent_command() {
    identity::Config::command().debug_assert();
    requests::Config::command().debug_assert();
    work_orders::Config::command().debug_assert();
    documents::Config::command().debug_assert();
    notification::Config::command().debug_assert();
    portal_gateway::Config::command().debug_assert();
    portal_platform::service::EventsConfig::command().debug_assert();
}
