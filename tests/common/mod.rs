//! What the binary's test files share: the `sslc` command, run from the repository.

use std::process::Command;

/// `sslc`, to be given its arguments, run from the repository's root.
pub fn sslc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sslc"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// `sslc args`, run to its end: whether it succeeded, its stdout and its stderr.
#[allow(dead_code)] // Not every test file reads the output this way.
pub fn ran(args: &[&str]) -> (bool, String, String) {
    let (code, out, err) = output(args);
    (code == Some(0), out, err)
}

/// `sslc args`, run to its end: its exit code (none when a signal ended it), stdout and stderr.
#[allow(dead_code)] // Not every test file reads the output this way.
pub fn output(args: &[&str]) -> (Option<i32>, String, String) {
    let out = sslc().args(args).output().expect("sslc runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}
