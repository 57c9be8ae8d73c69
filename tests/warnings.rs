//! Warnings are printed and leave the exit status alone; `--deny-warnings` makes them errors.

use std::process::Command;

fn check(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .arg("check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_warning_passes_check_unless_warnings_are_denied() {
    for (file, code) in [
        ("tests/ui/zero_weight.ssl", "sslc::zero_weight"),
        ("tests/ui/batch_over_data.ssl", "sslc::batch_over_data"),
        ("tests/ui/no_train_block.ssl", "sslc::no_train_block"),
    ] {
        let (status, err) = check(&[file]);
        assert_eq!(status, Some(0), "{file}: {err}");
        assert!(err.contains(code), "{file}: {err}");
        let (status, err) = check(&[file, "--deny-warnings"]);
        assert_eq!(status, Some(1), "{file}: {err}");
        assert!(err.contains("--deny-warnings makes them errors"), "{file}: {err}");
    }
    // A recipe without warnings is not affected by the flag.
    let (status, err) = check(&["recipes/byol.ssl", "--deny-warnings"]);
    assert_eq!(status, Some(0), "{err}");
}
