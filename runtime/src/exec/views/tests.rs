//! The masks as the view stage draws them, from compiled recipes: exact counts, counts drawn
//! per image, a share of images left whole, and inverse blocks.

use sslc_compiler::plan::Plan;

use super::{Cpu, ViewStage};
use crate::data::Dataset;
use crate::rng::Rng;

fn plan(view: &str, mask: &str) -> Plan {
    let src = format!(
        "data {{\n  source = scenes(size: 32, count: 8, holdout: 8)\n  batch = 8\n}}\n\
         view {view} = image |> random_resized_crop(size: 32)\n\
         mask {mask}\n\
         network enc = vit(patch: 4, dim: 16, depth: 1, heads: 2, mask_token: true)\n\
         branch online = trainable(enc)\n\
         loss l = mse(online.enc(v, mask: m) |> mean_tokens, sg(online.enc(v) |> mean_tokens))\n\
         optimizer = adamw(lr: 1e-3)\n"
    );
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{mask}: {:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

/// The first view's masks of `draws` images, each from its own generator.
fn masks(mask: &str, draws: u64) -> Vec<Vec<bool>> {
    views_masks("v", &format!("m = {mask}"), draws)
        .into_iter()
        .map(|mut m| m.swap_remove(0))
        .collect()
}

/// Every view's masks of `draws` images, with declarations `view {view}` and `mask {mask}`.
fn views_masks(view: &str, mask: &str, draws: u64) -> Vec<Vec<Vec<bool>>> {
    let plan = plan(view, mask);
    let stage = ViewStage::new(&plan).expect("a view stage");
    let data = Dataset::open(&plan.source).expect("scenes");
    (0..draws)
        .map(|i| {
            let mut rng = Rng::derive(1, 2, i);
            let values = stage.one(&data.train[0], &mut rng).expect("views");
            values
                .into_iter()
                .find_map(|v| match v {
                    Cpu::Mask(m) => Some(m),
                    _ => None,
                })
                .expect("a mask among the outputs")
        })
        .collect()
}

fn count(m: &[bool]) -> usize {
    m.iter().filter(|b| **b).count()
}

#[test]
fn block_masks_mask_an_exact_count_or_a_share_drawn_per_image() {
    for m in masks("block_mask(grid: 8, count: 20, min_block: 4)", 20) {
        assert_eq!(count(&m), 20);
    }
    let drawn: Vec<usize> = masks("block_mask(grid: 8, ratio: (0.1, 0.5), min_block: 4)", 40)
        .iter()
        .map(|m| count(m))
        .collect();
    assert!(drawn.iter().all(|c| (6..=32).contains(c)), "{drawn:?}");
    assert!(
        drawn.iter().collect::<std::collections::BTreeSet<_>>().len() > 5,
        "{drawn:?}"
    );
    let whole = masks("block_mask(grid: 8, ratio: 0.3, p: 0.5, min_block: 4)", 200)
        .iter()
        .filter(|m| count(m) == 0)
        .count();
    assert!(
        (70..=130).contains(&whole),
        "{whole} of 200 images left whole at p = 0.5"
    );
}

#[test]
fn an_inverse_block_mask_keeps_the_blocks_a_plain_one_would_mask() {
    // Masking 44 of 64 tokens inversely keeps 20 visible: the 20 a plain block mask of count 20
    // draws from the same generator.
    let inverse = masks("block_mask(grid: 8, count: 44, min_block: 4, inverse: true)", 10);
    let plain = masks("block_mask(grid: 8, count: 20, min_block: 4)", 10);
    for (i, p) in inverse.iter().zip(&plain) {
        assert_eq!(count(i), 44);
        let flipped: Vec<bool> = p.iter().map(|b| !b).collect();
        assert_eq!(*i, flipped);
    }
}

#[test]
fn a_mask_declared_with_a_count_draws_one_per_view_and_one_without_serves_both() {
    let per_view = views_masks("v[2]", "m[2] = block_mask(grid: 8, count: 20, min_block: 4)", 10);
    let mut differ = 0;
    for views in &per_view {
        assert_eq!(views.len(), 2, "two masks per image");
        assert!(views.iter().all(|m| count(m) == 20));
        differ += usize::from(views[0] != views[1]);
    }
    assert!(
        differ >= 9,
        "independent draws: {differ} of 10 images have two patterns"
    );
    for views in views_masks("v[2]", "m = block_mask(grid: 8, count: 20, min_block: 4)", 5) {
        assert_eq!(views.len(), 1, "one mask per image, for both views");
    }
}
