//! Segment pooling (CYBORGS, DetCon): features averaged inside the segments of a view's map,
//! for a fixed number of segment ids per view; each slot remembers its id so a contrastive loss
//! can tell positives apart.

use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;
use crate::val::SegMap;

/// The map downsampled to a `g`×`g` grid: each cell takes its most frequent id (argmax of the
/// one-hot map pooled over the cell).
pub fn grid_labels(map: &SegMap, g: usize) -> Vec<u8> {
    let mut out = vec![0u8; g * g];
    for gy in 0..g {
        for gx in 0..g {
            let (y0, y1) = (gy * map.h / g, ((gy + 1) * map.h / g).max(gy * map.h / g + 1));
            let (x0, x1) = (gx * map.w / g, ((gx + 1) * map.w / g).max(gx * map.w / g + 1));
            let mut counts = [0u32; 256];
            for y in y0..y1.min(map.h) {
                for x in x0..x1.min(map.w) {
                    counts[map.data[y * map.w + x] as usize] += 1;
                }
            }
            let best = (0..256)
                .max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)))
                .unwrap_or(0);
            out[gy * g + gx] = best as u8;
        }
    }
    out
}

/// `slots` ids among those present on the grid, drawn with replacement from a generator
/// seeded by the grid's content, so every pooling of the same view picks the same ids.
pub fn sample_ids(labels: &[u8], slots: usize) -> Vec<u8> {
    let mut present: Vec<u8> = labels.to_vec();
    present.sort_unstable();
    present.dedup();
    let seed = labels.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, l| {
        (h ^ *l as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::new(seed);
    (0..slots).map(|_| present[rng.below(present.len())]).collect()
}

/// Pooling weights `[rows, slots, g²]` (1/area over a segment's cells) and the id of every slot.
pub fn pooling(maps: &[SegMap], g: usize, slots: usize, device: &Device) -> (Tensor<3>, Vec<i64>) {
    let mut weights = Vec::with_capacity(maps.len() * slots * g * g);
    let mut ids = Vec::with_capacity(maps.len() * slots);
    for map in maps {
        let labels = grid_labels(map, g);
        for id in sample_ids(&labels, slots) {
            let area = labels.iter().filter(|l| **l == id).count().max(1) as f32;
            weights.extend(labels.iter().map(|l| if *l == id { 1.0 / area } else { 0.0 }));
            ids.push(id as i64);
        }
    }
    let w = Tensor::from_data(TensorData::new(weights, [maps.len(), slots, g * g]), device);
    (w, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_take_their_majority_id_and_ids_are_stable() {
        let mut data = vec![0u8; 16];
        data[0] = 1;
        data[1] = 1;
        data[4] = 1;
        data[15] = 2;
        let map = SegMap { data, h: 4, w: 4 };
        let grid = grid_labels(&map, 2);
        assert_eq!(grid, vec![1, 0, 0, 0]);
        assert_eq!(sample_ids(&grid, 5), sample_ids(&grid, 5));
        assert!(sample_ids(&grid, 5).iter().all(|i| *i == 0 || *i == 1));
    }

    #[test]
    fn segment_pooling_averages_the_cells_of_each_sampled_segment() {
        use super::{grid_labels, pooling};
        use crate::val::SegMap;
        let device = crate::device::default();
        // A 4×4 map on a 2×2 grid: left column id 1, right column id 2.
        let data: Vec<u8> = (0..16).map(|i| if i % 4 < 2 { 1 } else { 2 }).collect();
        let map = SegMap { data, h: 4, w: 4 };
        assert_eq!(grid_labels(&map, 2), vec![1, 2, 1, 2]);
        let (weights, ids) = pooling(std::slice::from_ref(&map), 2, 3, &device);
        // Token values 10, 20, 30, 40 on the grid: segment 1 averages 20, segment 2 averages 30.
        let tokens = burn::tensor::Tensor::<3>::from_data(
            burn::tensor::TensorData::new(vec![10.0f32, 20.0, 30.0, 40.0], [1, 4, 1]),
            &device,
        );
        let pooled: Vec<f32> = weights.matmul(tokens).try_into_vec_as().expect("pooled");
        for (id, v) in ids.iter().zip(&pooled) {
            let want = if *id == 1 { 20.0 } else { 30.0 };
            assert!((v - want).abs() < 1e-5, "segment {id}: {v}");
        }
    }
}
