//! Compiles proto/ with protox (pure Rust), so no system protoc is needed.
use prost::Message;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let files = [
        "portal/audit/v1/audit.proto",
        "portal/identity/v1/identity.proto",
        "portal/requests/v1/requests.proto",
        "portal/work_orders/v1/work_orders.proto",
        "portal/documents/v1/documents.proto",
        "portal/notification/v1/notification.proto",
        "portal/events/v1/events.proto",
        "portal/operations/v1/operations.proto",
    ];
    let fds = protox::compile(files, [&root])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    // Kept for gRPC reflection.
    std::fs::write(out.join("portal_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure().compile_fds(fds)?;
    println!("cargo:rerun-if-changed={}", root.display());
    Ok(())
}
