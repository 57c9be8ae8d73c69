//! `sslc run` end to end on a recipe small enough for the test suite.

mod common;
use common::ran as sslc;

/// The figure on the probe line of `stdout` that starts with `label` ("trained 51.7%" gives "51.7%").
fn probe_figure<'a>(stdout: &'a str, label: &str) -> &'a str {
    let line = stdout
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(label))
        .expect("probe line");
    line[label.len()..].trim()
}

#[test]
fn a_small_recipe_trains_and_reports_both_probes() {
    let dir = std::env::temp_dir().join(format!("sslc-run-{}", std::process::id()));
    let out = dir.display().to_string();
    let (ok, stdout, stderr) = sslc(&["run", "tests/run/tiny_byol.ssl", "--out", &out]);
    assert!(ok, "run failed:\n{stderr}");
    assert!(dir.join("final.safetensors").is_file(), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
    // 96 images in batches of 32 for 2 epochs: 6 steps, each logged.
    assert!(stderr.contains("step 6/6"), "{stderr}");
    assert!(stderr.contains("final loss"), "{stderr}");
    for label in ["raw pixels", "untrained", "trained"] {
        let p: f64 = probe_figure(&stdout, label)
            .trim_end_matches('%')
            .parse()
            .expect("a percentage");
        assert!((0.0..=100.0).contains(&p), "{label} = {p}");
    }
}

#[test]
fn a_run_saves_a_checkpoint_that_eval_scores_as_the_run_did() {
    let dir = std::env::temp_dir().join(format!("sslc-run-eval-{}", std::process::id()));
    let out = dir.display().to_string();
    let (ok, summary, stderr) = sslc(&["run", "tests/run/tiny_byol.ssl", "--out", &out, "--eval-every", "1"]);
    assert!(ok, "run failed:\n{stderr}");
    // Evaluated after each of the 2 epochs, with the three feature rows each time.
    assert_eq!(stderr.matches("kNN k=200").count(), 2, "{stderr}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("eval.json")).expect("eval.json")).unwrap();
    let reports = run.as_array().expect("a list of reports");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1]["step"], 6);
    // The run's own probe lines (the recipe's k = 5) are read off the last evaluation, which
    // reports that k next to its own.
    for (i, row) in ["raw pixels", "untrained", "trained"].iter().enumerate() {
        let knn = reports[1]["rows"][i]["knn"]["5"]
            .as_f64()
            .expect("the recipe's k in the report");
        assert_eq!(probe_figure(&summary, row), format!("{:.1}%", knn * 100.0), "{summary}");
    }

    let ckpt = dir.join("final.safetensors").display().to_string();
    let json = dir.join("again.json").display().to_string();
    let (ok, stdout, stderr) = sslc(&["eval", &ckpt, "--json", &json]);
    assert!(ok, "eval failed:\n{stderr}");
    for row in ["raw pixels", "untrained", "trained"] {
        assert!(stdout.lines().any(|l| l.trim_start().starts_with(row)), "{stdout}");
    }
    let again: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // Same weights, same data, same probes: the same figures, every row and column.
    assert_eq!(again[0]["rows"], reports[1]["rows"]);
    let trained = &again[0]["rows"][2];
    for key in ["linear", "map", "miou"] {
        let v = trained[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing: {trained}"));
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }
    assert!(trained["knn"]["200"].as_f64().is_some(), "{trained}");

    // A damaged checkpoint is refused by name.
    let bytes = std::fs::read(dir.join("final.safetensors")).unwrap();
    std::fs::write(dir.join("final.safetensors"), &bytes[..bytes.len() / 2]).unwrap();
    let (ok, _, stderr) = sslc(&["eval", &ckpt]);
    assert!(!ok);
    assert!(stderr.contains(&ckpt) && stderr.contains("truncated"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_device_is_refused_with_the_choices_before_any_work() {
    let (ok, _, stderr) = sslc(&["run", "tests/run/tiny_byol.ssl", "--device", "tpu"]);
    assert!(!ok);
    assert!(stderr.contains("unknown device `tpu`"), "{stderr}");
    assert!(stderr.contains(sslc_runtime_first_device()), "{stderr}");
    assert!(!stderr.contains("training images"), "{stderr}");
}

/// The first device name the binary offers (flex in the default build).
fn sslc_runtime_first_device() -> &'static str {
    if cfg!(feature = "tch") { "tch" } else { "flex" }
}

#[test]
fn ranks_on_a_backend_without_collectives_are_refused_naming_those_with() {
    let (ok, _, err) = sslc(&["run", "tests/run/tiny_byol.ssl", "--device", "flex", "--nproc", "2"]);
    assert!(!ok, "{err}");
    assert!(
        err.contains("runs on libtorch only") && err.contains("--device tch"),
        "{err}"
    );
}

#[test]
fn fp16_mixed_logs_its_loss_scale_and_keeps_fp32_weights_and_the_scale_in_the_checkpoint() {
    let out = std::env::temp_dir().join(format!("sslc-fp16-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let (ok, _, err) = sslc(&[
        "run",
        "tests/run/tiny_byol.ssl",
        "--set",
        "train.precision=\"fp16-mixed\"",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let metrics = std::fs::read_to_string(out.join("metrics.jsonl")).expect("metrics");
    let first: serde_json::Value = serde_json::from_str(metrics.lines().next().expect("a step")).expect("json");
    assert_eq!(first["loss_scale"], serde_json::json!(65536.0), "{first}");
    assert_eq!(first["skipped"], serde_json::json!(false));
    let bytes = std::fs::read(out.join("final.safetensors")).expect("checkpoint");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    assert!(
        file.tensor("sslc.loss_scale").is_ok(),
        "the scale travels with the checkpoint"
    );
    for (name, t) in file.tensors() {
        if !name.starts_with("sslc.") {
            assert_eq!(
                t.dtype(),
                safetensors::Dtype::F32,
                "{name}: the master weights are fp32"
            );
        }
    }
}

#[test]
fn a_collapsing_run_is_flagged_once_logged_and_shown_and_a_healthy_one_is_not() {
    let dir = |name: &str| std::env::temp_dir().join(format!("sslc-health-{}-{name}", std::process::id()));
    let (bad, good) = (dir("bad"), dir("good"));
    for d in [&bad, &good] {
        let _ = std::fs::remove_dir_all(d);
    }
    let (ok, _, err) = sslc(&["run", "tests/run/collapsing.ssl", "--out", bad.to_str().unwrap()]);
    assert!(ok, "{err}");
    let flagged: Vec<&str> = err.lines().filter(|l| l.contains("features collapse")).collect();
    assert_eq!(flagged.len(), 1, "said once:\n{err}");
    assert!(flagged[0].starts_with("warning: step "), "{err}");
    let metrics = std::fs::read_to_string(bad.join("metrics.jsonl")).expect("metrics");
    assert!(metrics.contains("\"warning\""), "logged");
    assert!(metrics.contains("\"rankme\""), "measured");
    let (ok, shown, _) = sslc(&["show", bad.to_str().unwrap()]);
    assert!(
        ok && shown.contains("warning at step") && shown.contains("effective rank"),
        "{shown}"
    );
    // MoCo's queue of negatives keeps the features apart.
    let (ok, _, err) = sslc(&[
        "run",
        "tests/run/tiny_moco.ssl",
        "--set",
        "train.epochs=20",
        "--out",
        good.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(!err.contains("features collapse") && !err.contains("teacher"), "{err}");
}

#[test]
fn a_loss_that_turns_nan_is_named_at_its_step_though_read_later() {
    // The run reads its losses every 5 steps; the loss is NaN from step 8, read at step 9
    // (a checkpoint is due there), after the checkpoint of step 6.
    let dir = std::env::temp_dir().join(format!("sslc-run-nan-{}", std::process::id()));
    let out = dir.display().to_string();
    let (ok, _, stderr) = sslc(&[
        "run",
        "tests/run/goes_nan.ssl",
        "--out",
        &out,
        "--checkpoint-every",
        "3steps",
    ]);
    assert!(!ok, "a NaN loss must stop the run:\n{stderr}");
    assert!(stderr.contains("loss `byol` became NaN at step 8"), "{stderr}");
    assert!(stderr.contains("the last checkpoint, after step 6, stays"), "{stderr}");
    // Every step before the bad one is in the metrics, and none after it.
    let metrics = std::fs::read_to_string(dir.join("metrics.jsonl")).expect("metrics.jsonl");
    let steps: Vec<u64> = metrics
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["step"]
                .as_u64()
                .expect("step")
        })
        .collect();
    assert_eq!(steps, (1..=7).collect::<Vec<u64>>());
    let mut kept: Vec<String> = std::fs::read_dir(dir.join("checkpoints"))
        .expect("checkpoints")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, ["step-00000003.safetensors", "step-00000006.safetensors"]);
    let _ = std::fs::remove_dir_all(&dir);
}
