//! What the binary's test files share: the `sslc` command, run from the repository.

use std::process::Command;

/// `sslc`, to be given its arguments, run from the repository's root.
pub fn sslc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sslc"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}
