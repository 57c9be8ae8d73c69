//! The command line against hostile files and closed pipes: output into a closed pipe
//! (`sslc ... | head -1`) ends the process quietly, as a Unix tool does, instead of panicking
//! with exit status 101; a file that is not UTF-8 is named with the byte and where it is.

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

#[test]
fn a_file_that_is_not_utf8_is_named_with_the_byte_and_its_offset() {
    let dir = std::env::temp_dir().join(format!("sslc-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("latin1.ssl");
    let mut bytes = b"data {\n  source = scenes(size: 32)\n}\n# caf".to_vec();
    bytes.extend([0xe9, b'\n']);
    std::fs::write(&file, &bytes).expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("sslc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("byte 0xe9 at offset {}", bytes.len() - 2)),
        "{err}"
    );
    assert!(err.contains("latin1.ssl:4:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A panic (injected after the recipe is loaded, as a bug of the runtime would strike) reaches
/// the user as the two-line bug report naming the recipe, without Rust's "panicked at" or a
/// backtrace.
#[test]
fn a_panic_is_reported_as_a_bug_in_one_line_naming_the_recipe() {
    let dir = std::env::temp_dir().join(format!("sslc-panic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("tiny.ssl");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/run/tiny_byol.ssl"), &file).expect("copied");
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.join("run"))
        .env("RUST_BACKTRACE", "0")
        .env(
            "SSLC_INJECT_PANIC",
            "index out of bounds: the len is 8 but the index is 16",
        )
        .output()
        .expect("sslc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "internal error in sslc while working on {}: index out of bounds: the len is 8 but the index is 16",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("this is a bug in sslc"), "{err}");
    assert!(
        !err.contains("panicked at") && !err.contains("stack backtrace"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
