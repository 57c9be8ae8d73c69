//! Token masks drawn per image on CPU: `true` marks a masked token (for window queries, every
//! token but the selected ones). Counts are exact, so a batch stacks into fixed shapes.

use crate::rng::Rng;

/// `count` distinct indices of `0..n`, uniformly.
fn choose(n: usize, count: usize, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let count = count.min(n);
    for i in 0..count {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    idx.truncate(count);
    idx
}

/// MAE: a uniformly random `round(r·g²)` of the g×g tokens, r drawn uniformly from `ratio`
/// (one value for MAE, a range for iBOT); with probability 1 − `p` the image is not masked.
pub fn random_mask(g: usize, ratio: (f32, f32), p: f32, rng: &mut Rng) -> Vec<bool> {
    let n = g * g;
    let mut m = vec![false; n];
    if p < 1.0 && !rng.chance(p) {
        return m;
    }
    let r = if ratio.0 < ratio.1 {
        rng.range(ratio.0, ratio.1)
    } else {
        ratio.0
    };
    for i in choose(n, (n as f32 * r).round() as usize, rng) {
        m[i] = true;
    }
    m
}

/// SimMIM: `round(ratio·squares)` of the `block`×`block` squares (block divides g).
pub fn patch_mask(g: usize, ratio: f32, block: usize, rng: &mut Rng) -> Vec<bool> {
    let block = block.max(1);
    let side = g / block;
    let mut m = vec![false; g * g];
    for sq in choose(side * side, (ratio * (side * side) as f32).round() as usize, rng) {
        let (sy, sx) = (sq / side * block, sq % side * block);
        for y in sy..sy + block {
            for x in sx..sx + block {
                m[y * g + x] = true;
            }
        }
    }
    m
}

/// BEiT blockwise masking: rectangles of at least `min_block` tokens, aspect in `aspect`
/// (log-uniform), each adding new tokens without passing `count`; when ten tries in a row add
/// nothing, random single tokens finish the count exactly.
pub fn block_mask(g: usize, count: usize, min_block: usize, aspect: (f32, f32), rng: &mut Rng) -> Vec<bool> {
    let n = g * g;
    let count = count.min(n);
    let mut m = vec![false; n];
    let mut masked = 0;
    let mut failures = 0;
    while masked < count && failures < 10 {
        let left = count - masked;
        let lo = min_block.min(left) as f32;
        let area = rng.range(lo, left.max(min_block) as f32);
        let r = rng.range(aspect.0.ln(), aspect.1.ln()).exp();
        let h = ((area * r).sqrt().round() as usize).max(1);
        let w = ((area / r).sqrt().round() as usize).max(1);
        if h > g || w > g {
            failures += 1;
            continue;
        }
        let (top, lft) = (rng.below(g - h + 1), rng.below(g - w + 1));
        let new = (top..top + h)
            .flat_map(|y| (lft..lft + w).map(move |x| y * g + x))
            .filter(|i| !m[*i])
            .count();
        if new == 0 || new > left {
            failures += 1;
            continue;
        }
        for y in top..top + h {
            for x in lft..lft + w {
                m[y * g + x] = true;
            }
        }
        masked += new;
        failures = 0;
    }
    let free: Vec<usize> = (0..n).filter(|i| !m[*i]).collect();
    for k in choose(free.len(), count - masked, rng) {
        m[free[k]] = true;
    }
    m
}

/// FLSL query sampling: one random token in every `w`×`w` window (edge windows may be
/// smaller); everything else is masked.
pub fn window_queries(g: usize, w: usize, rng: &mut Rng) -> Vec<bool> {
    let w = w.max(1);
    let mut m = vec![true; g * g];
    for wy in (0..g).step_by(w) {
        for wx in (0..g).step_by(w) {
            let (h, wd) = ((g - wy).min(w), (g - wx).min(w));
            let (y, x) = (wy + rng.below(h), wx + rng.below(wd));
            m[y * g + x] = false;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(m: &[bool]) -> usize {
        m.iter().filter(|b| **b).count()
    }

    #[test]
    fn counts_are_exact() {
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            assert_eq!(count(&random_mask(8, (0.75, 0.75), 1.0, &mut rng)), 48);
            assert_eq!(count(&patch_mask(8, 0.6, 2, &mut rng)), 40);
            assert_eq!(count(&block_mask(14, 118, 16, (0.3, 3.3), &mut rng)), 118);
            assert_eq!(count(&block_mask(8, 38, 4, (0.3, 3.3), &mut rng)), 38);
            assert_eq!(count(&window_queries(8, 3, &mut rng)), 64 - 9);
        }
    }

    #[test]
    fn a_ratio_range_and_a_probability_draw_each_image_its_own_count() {
        // iBOT's: half the images masked, each at a ratio from [0.1, 0.5] of 64 tokens.
        let mut rng = Rng::new(4);
        let counts: Vec<usize> = (0..400)
            .map(|_| count(&random_mask(8, (0.1, 0.5), 0.5, &mut rng)))
            .collect();
        let unmasked = counts.iter().filter(|c| **c == 0).count();
        assert!((160..=240).contains(&unmasked), "{unmasked} of 400 unmasked");
        let masked: Vec<usize> = counts.into_iter().filter(|c| *c > 0).collect();
        assert!(masked.iter().all(|c| (6..=32).contains(c)), "{masked:?}");
        let distinct: std::collections::BTreeSet<_> = masked.iter().collect();
        assert!(distinct.len() > 20, "only {} different counts", distinct.len());
    }

    #[test]
    fn patch_masks_cover_whole_squares() {
        let m = patch_mask(8, 0.5, 2, &mut Rng::new(3));
        for sy in (0..8).step_by(2) {
            for sx in (0..8).step_by(2) {
                let cells = [
                    m[sy * 8 + sx],
                    m[sy * 8 + sx + 1],
                    m[(sy + 1) * 8 + sx],
                    m[(sy + 1) * 8 + sx + 1],
                ];
                assert!(cells.iter().all(|c| *c == cells[0]), "square at ({sy}, {sx}) is split");
            }
        }
    }

    #[test]
    fn window_queries_pick_one_token_per_window() {
        let m = window_queries(4, 2, &mut Rng::new(9));
        for (wy, wx) in [(0, 0), (0, 2), (2, 0), (2, 2)] {
            let kept = [(0, 0), (0, 1), (1, 0), (1, 1)]
                .iter()
                .filter(|(dy, dx)| !m[(wy + dy) * 4 + wx + dx])
                .count();
            assert_eq!(kept, 1);
        }
    }

    #[test]
    fn blocks_are_contiguous_rectangles_when_room_allows() {
        // A first block alone: a masked token has a masked neighbour.
        let m = block_mask(14, 16, 16, (0.3, 3.3), &mut Rng::new(1));
        let near = |i: usize| {
            let (y, x) = (i / 14, i % 14);
            [(0i64, 1i64), (1, 0), (0, -1), (-1, 0)].iter().any(|(dy, dx)| {
                let (ny, nx) = (y as i64 + dy, x as i64 + dx);
                (0..14).contains(&ny) && (0..14).contains(&nx) && m[(ny * 14 + nx) as usize]
            })
        };
        assert!((0..196).filter(|i| m[*i]).all(near));
    }
}
