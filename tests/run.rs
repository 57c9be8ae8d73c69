//! `sslc run` end to end on a recipe small enough for the test suite.

use std::process::Command;

fn sslc(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_small_recipe_trains_and_reports_both_probes() {
    let (ok, stdout, stderr) = sslc(&["run", "tests/run/tiny_byol.ssl"]);
    assert!(ok, "run failed:\n{stderr}");
    // 96 images in batches of 32 for 2 epochs: 6 steps, each logged.
    assert!(stderr.contains("step 6/6"), "{stderr}");
    assert!(stderr.contains("final loss"), "{stderr}");
    let percent = |label: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .expect("probe line");
        line.trim_start()[label.len()..]
            .trim()
            .trim_end_matches('%')
            .parse()
            .expect("a percentage")
    };
    for label in ["raw pixels", "untrained", "trained"] {
        let p = percent(label);
        assert!((0.0..=100.0).contains(&p), "{label} = {p}");
    }
}
