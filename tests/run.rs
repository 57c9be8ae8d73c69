//! `sslc run` end to end on a recipe small enough for the test suite, and its refusals.

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
    for label in ["untrained", "trained"] {
        let p = percent(label);
        assert!((0.0..=100.0).contains(&p), "{label} = {p}");
    }
}

#[test]
fn a_recipe_with_an_operator_the_runtime_lacks_is_refused_at_its_place() {
    let (ok, _, stderr) = sslc(&["run", "tests/run/unsupported.ssl"]);
    assert!(!ok, "an unsupported recipe ran");
    assert!(stderr.contains("sslc::unsupported"), "{stderr}");
    assert!(stderr.contains("`vicreg`"), "{stderr}");
    assert!(stderr.contains("unsupported.ssl:"), "no location in:\n{stderr}");
    assert!(!stderr.contains("step 1/"), "training started:\n{stderr}");
}
