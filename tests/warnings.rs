//! Warnings are printed and leave the exit status alone; `--deny-warnings` makes them errors.

mod common;
use common::output as sslc;

fn check(args: &[&str]) -> (Option<i32>, String) {
    let (code, _, err) = sslc(&[&["check"], args].concat());
    (code, err)
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

#[test]
fn a_term_that_sends_a_network_no_gradient_is_named_by_grads_and_at_the_first_step() {
    let dead = "loss `mim` reaches `online.backbone` in the graph but sends it no gradient at step 1";
    let (status, out, err) = sslc(&["grads", "tests/run/dead_mim.ssl"]);
    assert_eq!(status, Some(1), "{out}{err}");
    assert!(out.contains(dead), "{out}");
    let mim = out.lines().find(|l| l.starts_with("mim ")).expect("a row for mim");
    let cells: Vec<&str> = mim.split_whitespace().collect();
    assert_eq!(cells[..4], ["mim", "1", "0", "-"], "{out}");

    let dir = std::env::temp_dir().join(format!("sslc-dead-{}", std::process::id()));
    let out_dir = dir.display().to_string();
    let (status, _, err) = sslc(&["run", "tests/run/dead_mim.ssl", "--out", &out_dir]);
    assert_eq!(status, Some(0), "a warning leaves the run alone: {err}");
    assert!(err.contains(&format!("warning: {dead}")), "{err}");
    let (status, _, err) = sslc(&["run", "tests/run/dead_mim.ssl", "--out", &out_dir, "--deny-warnings"]);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("(warnings are denied)"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_recipe_whose_terms_all_teach_passes_grads_and_runs_without_the_warning() {
    let (status, out, err) = sslc(&["grads", "tests/run/tiny_byol.ssl"]);
    assert_eq!(status, Some(0), "{out}{err}");
    assert!(out.contains("online.backbone") && !out.contains("warning"), "{out}");
    let dir = std::env::temp_dir().join(format!("sslc-live-{}", std::process::id()));
    let (status, _, err) = sslc(&["run", "tests/run/tiny_byol.ssl", "--out", &dir.display().to_string()]);
    assert_eq!(status, Some(0), "{err}");
    assert!(!err.contains("no gradient"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}
