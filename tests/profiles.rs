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
