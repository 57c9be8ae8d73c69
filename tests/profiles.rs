//! Every profile in `recipes/profiles/` (named `RECIPE-NAME.yaml`) applies to its recipe, and the
//! result checks without errors: the paper-scale settings stay one flag away and valid.

use std::process::Command;

#[test]
fn every_profile_applies_to_its_recipe_and_checks() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(format!("{root}/recipes/profiles"))
        .expect("recipes/profiles")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for profile in entries {
        let stem = profile
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let recipe = format!("recipes/{}.ssl", stem.split('-').next().unwrap_or_default());
        let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
            .args(["check", &recipe, "--profile"])
            .arg(&profile)
            .current_dir(root)
            .output()
            .expect("sslc runs");
        assert!(
            out.status.success(),
            "{} on {recipe}:\n{}",
            profile.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} profiles");
}

#[test]
fn an_override_that_names_nothing_fails_with_a_suggestion() {
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .args(["check", "recipes/byol.ssl", "--set", "backbon.dim=8"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("sslc::override") && err.contains("did you mean `backbone`?"),
        "{err}"
    );
}

/// The compiled graph of `recipe` under `args`, as YAML.
fn graph(recipe: &str, args: &[&str]) -> serde_yaml::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .args(["graph", recipe, "--format", "yaml"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    assert!(
        out.status.success(),
        "{args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_yaml::from_slice(&out.stdout).expect("yaml")
}

#[test]
fn the_last_override_wins_after_a_profile_and_after_another_set() {
    let twice = graph(
        "recipes/byol.ssl",
        &["--set", "train.epochs=123456", "--set", "train.epochs=2"],
    );
    assert_eq!(twice["train"]["epochs"].as_u64(), Some(2));
    let profile = ["--profile", "recipes/profiles/flsl-paper.yaml"];
    let paper = graph("recipes/flsl.ssl", &profile);
    assert_eq!(paper["train"]["epochs"].as_u64(), Some(300));
    assert_eq!(paper["batch"].as_u64(), Some(1024));
    let after = graph(
        "recipes/flsl.ssl",
        &[
            profile[0],
            profile[1],
            "--set",
            "train.epochs=10",
            "--set",
            "data.batch=64",
            "--set",
            "optimizer.lr=1e-3",
        ],
    );
    assert_eq!(after["train"]["epochs"].as_u64(), Some(10));
    assert_eq!(after["batch"].as_u64(), Some(64));
    let lr = &after["optimizer"]["params"][0];
    assert_eq!((lr[0].as_str(), lr[1].as_f64()), (Some("lr"), Some(1e-3)), "{lr:?}");
}

#[test]
fn a_setting_added_twice_is_added_once_and_a_bad_value_points_at_the_set() {
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .args([
            "check",
            "recipes/byol.ssl",
            "--set",
            "train.probe=1",
            "--set",
            "train.probe=2",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("probe = 2") && !err.contains("probe = 1"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_sslc"))
        .args([
            "check",
            "recipes/byol.ssl",
            "--set",
            "train.epochs=1 } view x = image train {",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sslc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("[--set:1:") && err.contains("is not one"), "{err}");
    assert!(!err.contains("recipes/byol.ssl"), "{err}");
}
