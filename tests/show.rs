//! What a run leaves behind: `metrics.jsonl` (a line per step, then the probes), `metrics.png`,
//! and the `show` and `runs` summaries of run folders.

mod common;
use common::ran as sslc;

#[test]
fn a_run_leaves_its_metrics_a_plot_and_a_summary() {
    let root = std::env::temp_dir().join(format!("sslc-show-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("tiny");
    let (ok, _, stderr) = sslc(&["run", "tests/run/tiny_byol.ssl", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{stderr}");

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: Vec<&serde_json::Value> = lines.iter().filter(|v| v.get("loss").is_some()).collect();
    assert_eq!(steps.len(), 6);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["step"], i as u64 + 1);
        // One term of weight 1: weighted, unweighted and the total agree.
        assert_eq!(s["terms"]["byol"], s["loss"]);
        assert_eq!(s["weighted"]["byol"], s["loss"]);
        assert!(
            s["lr"].as_f64().is_some() && s["images_per_s"].as_f64().unwrap() > 0.0,
            "{s}"
        );
    }
    assert_eq!(steps[0]["momentum"]["target"], 0.9);
    assert!(steps[5]["momentum"]["target"].as_f64() > steps[1]["momentum"]["target"].as_f64());
    let probes: Vec<&str> = lines.iter().filter_map(|v| v["probe"].as_str()).collect();
    assert_eq!(probes, ["raw pixels", "untrained", "trained"]);
    let trained = lines.iter().find(|v| v["probe"] == "trained").unwrap()["accuracy"]
        .as_f64()
        .unwrap();

    let png = image::open(dir.join("metrics.png")).expect("a PNG");
    assert_eq!((png.width(), png.height()), (1000, 700));
    // Not a blank canvas: the curves put other colours than white on it.
    let rgb = png.to_rgb8();
    assert!(rgb.pixels().filter(|p| p.0 != [255, 255, 255]).count() > 1000);

    let (ok, stdout, stderr) = sslc(&["show", dir.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("tiny_byol.ssl"), "{stdout}");
    assert!(stdout.contains("step 6 (epoch"), "{stdout}");
    assert!(
        stdout.contains(&format!("probe trained     {:5.1}%", trained * 100.0)),
        "{stdout}"
    );
    assert!(stdout.contains("finished:"), "{stdout}");

    let (ok, stdout, _) = sslc(&["runs", root.to_str().unwrap()]);
    assert!(ok);
    let line = stdout.lines().find(|l| l.contains("tiny")).expect("the run's line");
    assert!(line.contains("finished") && line.contains("step        6"), "{line}");

    let (ok, _, stderr) = sslc(&["show", root.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("is not the folder of an `sslc run`"), "{stderr}");
    let _ = std::fs::remove_dir_all(&root);
}
