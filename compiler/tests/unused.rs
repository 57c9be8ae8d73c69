//! The unused-declaration warning for branches: a branch counts as used when a loss, an EMA
//! following it, a probe or a job reaches one of its networks.

use sslc_compiler::diag::Diag;

fn recipe(probe_branch: &str) -> String {
    let src = include_str!("../../tests/run/tiny_byol.ssl");
    src.replace("branch target =", "branch still = frozen(backbone)\nbranch target =")
        .replace(
            "probe = knn(online.backbone",
            &format!("probe = knn({probe_branch}.backbone"),
        )
}

fn unused_branches(src: &str) -> Vec<String> {
    let compiled = sslc_compiler::compile(src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled
        .diags
        .iter()
        .filter_map(|d| match d {
            Diag::Unused { kind, name, .. } if kind == "branch" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_branch_only_a_probe_reads_is_used() {
    assert_eq!(unused_branches(&recipe("still")), Vec::<String>::new());
}

#[test]
fn a_branch_nothing_reads_is_reported() {
    assert_eq!(unused_branches(&recipe("online")), vec!["still".to_string()]);
}
