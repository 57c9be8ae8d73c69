//! Prints where a training step's time goes: for the default ViT shapes, forward with and without
//! autodiff and backward; then for each recipe (all of `recipes/` unless some are named) its CPU
//! view stage against a whole `Trainer::step` (the view stage should be a small part of the step).
//! Run with `cargo bench -p sslc-runtime --bench step [-- RECIPE...]`. It allocates as the sslc
//! binary does (`sslc_malloc`).

#[path = "common/mod.rs"]
mod common;

use burn::tensor::{Device, Distribution, Tensor};
use common::time;
use sslc_runtime::nets::{Vit, VitSpec};

fn main() {
    sslc_malloc::keep_freed_memory();
    let spec = VitSpec {
        drop_path: 0.0,
        mask_token: false,
        registers: 0,
        rope: false,
        patch: 4,
        dim: 64,
        depth: 4,
        heads: 4,
        mlp_ratio: 2.0,
        cls: true,
        channels: 3,
        grid: (8, 8),
    };
    let base = sslc_runtime::device::default();
    let ad = base.clone().autodiff();
    let vit = Vit::new(&spec, &ad);
    let x = |d: &Device| Tensor::<4>::random([128, 3, 32, 32], Distribution::Normal(0.0, 1.0), d);
    let reps = 5;
    println!("| what (batch 128, 32×32, ViT d64×4) | ms |");
    println!("|---|---|");
    let plain = burn::module::Module::valid(&vit);
    let f_plain = time(reps, || {
        plain.forward(x(&base), None).expect("a forward pass").sum().into_data()
    });
    println!("| forward, no autodiff | {f_plain:.1} |");
    let f_ad = time(reps, || {
        vit.forward(x(&ad), None).expect("a forward pass").sum().into_data()
    });
    println!("| forward, autodiff device | {f_ad:.1} |");
    let fb = time(reps, || {
        let g = vit.forward(x(&ad), None).expect("a forward pass").sum().backward();
        std::hint::black_box(g);
    });
    println!("| forward + backward | {fb:.1} |");
    let root = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let mut recipes: Vec<String> = std::env::args().skip(1).filter(|a| a.ends_with(".ssl")).collect();
    if recipes.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir(format!("{root}/recipes"))
            .expect("recipes/")
            .filter_map(|e| e.ok())
            .map(|e| format!("recipes/{}", e.file_name().to_string_lossy()))
            .filter(|p| p.ends_with(".ssl"))
            .collect();
        all.sort();
        recipes = all;
    }
    println!();
    println!("| recipe | images per step | view stage (CPU) ms | whole step ms | view share |");
    println!("|---|---|---|---|---|");
    for recipe in recipes {
        let src = std::fs::read_to_string(format!("{root}/{recipe}")).expect("readable recipe");
        let plan = sslc_compiler::compile(&src).plan.expect("recipe compiles");
        let program = sslc_runtime::exec::Program::new(&plan).expect("program");
        let data = sslc_runtime::data::Dataset::open(&plan.source).expect("data");
        let batch = (plan.batch as usize).min(data.train.len());
        let scenes: Vec<_> = data.train.iter().take(batch).collect();
        let views = time(reps, || {
            let rngs = (0..batch as u64)
                .map(|i| sslc_runtime::rng::Rng::derive(0, 1, i))
                .collect();
            program.views.batch(&scenes, rngs, &ad).expect("views").len()
        });
        let mut trainer = sslc_runtime::Trainer::new(&plan, &base).expect("trainer");
        let step = time(reps, || trainer.step().expect("step").loss);
        println!(
            "| {recipe} | {batch} | {views:.1} | {step:.1} | {:.1}% |",
            100.0 * views / step
        );
    }
}
