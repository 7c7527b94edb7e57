//! Where the workspace and its local folders are.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's folder, fixed at compile time
/// so the binary finds it whatever the current directory is.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// The gitignored folder for local state: NATS store, blobs, mails, TLS keys.
pub fn data_dir() -> PathBuf {
    root().join("data")
}

/// Cargo's target folder, honouring `CARGO_TARGET_DIR` like cargo does.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// The cargo that runs xtask (cargo sets `CARGO`), so toolchain overrides
/// carry over to the commands xtask runs.
pub fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
