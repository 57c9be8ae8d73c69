//! `sslc run --count-ops N`: the operators libtorch dispatches in step N, by libtorch's own
//! observer, written to OUT/ops.json; a clear error on a device that is not libtorch.

mod common;
use common::ran as sslc;

/// `sslc run` of the tiny BYOL on `device` counting step 2's operators: whether it succeeded,
/// its stderr, and its output folder.
fn counted(device: &str) -> (bool, String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sslc-count-{device}-{}", std::process::id()));
    let out = dir.display().to_string();
    let args = [
        "run",
        "tests/run/tiny_byol.ssl",
        "--out",
        &out,
        "--device",
        device,
        "--count-ops",
        "2",
    ];
    let (ok, _, stderr) = sslc(&args);
    (ok, stderr, dir)
}

#[test]
fn counting_operators_on_a_device_that_is_not_libtorch_is_refused_with_the_way_out() {
    let (ok, stderr, dir) = counted("flex");
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("`--count-ops` counts libtorch's operators") && stderr.contains("--device tch"),
        "{stderr}"
    );
    assert!(!dir.join("metrics.jsonl").exists(), "the run went on: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "tch")]
#[test]
fn a_step_of_tiny_byol_is_counted_on_libtorch() {
    let (ok, stderr, dir) = counted("tch");
    assert!(ok, "{stderr}");
    let ops: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ops.json")).expect("ops.json")).expect("json");
    assert_eq!(ops["step"], 2);
    let counts = ops["ops"].as_object().expect("counts by operator");
    let total: u64 = counts
        .iter()
        .filter(|(k, _)| k.starts_with("aten::"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert_eq!(ops["aten"].as_u64(), Some(total));
    // Two views through the online networks' 9 linear layers and the target's 7, and two
    // products backward for each online one: well over 30 products.
    let products = counts.get("aten::mm").and_then(|v| v.as_u64()).unwrap_or(0)
        + counts.get("aten::bmm").and_then(|v| v.as_u64()).unwrap_or(0)
        + counts.get("aten::addmm").and_then(|v| v.as_u64()).unwrap_or(0);
    assert!(products >= 30, "{products} products in a step of {total} operators");
    assert!(stderr.contains(&format!("step 2: {total} ATen operators")), "{stderr}");
    // The plan applies the backbone four times (online and target, two views each): the
    // target's forwards, which may run early on a side thread, are counted too, every time.
    let attention = counts
        .get("aten::_scaled_dot_product_flash_attention_for_cpu")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    assert!(
        attention >= 4,
        "{attention} attention forwards in a step of {total} operators"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, stderr, dir) = counted("tch");
    assert!(ok, "{stderr}");
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ops.json")).expect("ops.json")).expect("json");
    assert_eq!(again["ops"], ops["ops"], "the same step counts the same operators");
    let _ = std::fs::remove_dir_all(&dir);
}
