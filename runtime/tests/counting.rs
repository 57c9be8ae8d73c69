//! A network counted without being made (`Net::count`, for the language server's hover) has
//! the parameters of the network a run builds, for every network of every shipped recipe and
//! every kind of network, ResNets with running statistics among them.

use sslc_runtime::nets::Net;

fn recipes() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for dir in ["recipes", "bench/recipes", "tests/run"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("a recipe folder") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "ssl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn counting_gives_what_building_gives() {
    let device = sslc_runtime::device::default();
    let mut kinds = std::collections::BTreeSet::new();
    for path in recipes() {
        let src = std::fs::read_to_string(&path).expect("a recipe");
        let Some(plan) = sslc_compiler::compile(&src).plan else {
            continue;
        };
        for (name, net) in &plan.networks {
            let Ok(built) = Net::build(&net.kind, net.input.as_ref(), &device) else {
                continue;
            };
            let counted = Net::count(&net.kind, net.input.as_ref()).expect("counted");
            assert_eq!(counted, built.trainable_params(), "{}: network {name}", path.display());
            kinds.insert(net.kind.name());
        }
    }
    // Every kind a recipe can declare was counted at least once.
    for kind in [
        "vit",
        "mlp",
        "fc",
        "dino_head",
        "transformer",
        "cross_transformer",
        "coord_embed",
        "mask_fill",
        "resnet",
    ] {
        assert!(kinds.contains(kind), "no recipe has a {kind}: {kinds:?}");
    }
}
