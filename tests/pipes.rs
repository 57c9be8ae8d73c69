//! Output into a closed pipe (`sslc ... | head -1`) ends the process quietly, as a Unix tool
//! does, instead of panicking with exit status 101.

use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_or_stderr_ends_the_process_without_a_panic() {
    for (args, closed_stdout) in [(vec!["reference"], true), (vec!["check", "tests/ui/cycle.ssl"], false)] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sslc"));
        cmd.args(&args).current_dir(env!("CARGO_MANIFEST_DIR"));
        let (mut child, err_text) = if closed_stdout {
            let mut child = cmd
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sslc starts");
            drop(child.stdout.take());
            let err = child.stderr.take();
            (child, err)
        } else {
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sslc starts");
            drop(child.stderr.take());
            (child, None)
        };
        let status = child.wait().expect("sslc ends");
        let mut text = String::new();
        if let Some(mut e) = err_text {
            std::io::Read::read_to_string(&mut e, &mut text).expect("stderr");
        }
        assert_ne!(status.code(), Some(101), "{args:?} panicked: {text}");
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
}
