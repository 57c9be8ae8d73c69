//! SLIC superpixels (Achanta et al.): k-means over colour and position, centres seeded on a
//! regular grid and each pixel compared only with the centres within two grid steps.

use super::Image;

/// Labels (0..k) of about `k` compact superpixels of `img`, after `iters` rounds; `compactness`
/// weighs position against colour (distances in pixel-value and grid-step units).
pub fn slic(img: &Image, k: usize, iters: usize, compactness: f32) -> Vec<u8> {
    let (h, w, c) = (img.h, img.w, img.c);
    let per_side = (k.max(1) as f32).sqrt().round().max(1.0) as usize;
    let step = (h.max(w) as f32 / per_side as f32).max(1.0);
    // Centres: (y, x, colour...).
    let mut centres: Vec<Vec<f32>> = vec![];
    for i in 0..per_side {
        for j in 0..per_side {
            let y = ((i as f32 + 0.5) * h as f32 / per_side as f32).min(h as f32 - 1.0);
            let x = ((j as f32 + 0.5) * w as f32 / per_side as f32).min(w as f32 - 1.0);
            let mut centre = vec![y, x];
            centre.extend((0..c).map(|ch| img.at(ch, y as usize, x as usize)));
            centres.push(centre);
        }
    }
    let centres_len = centres.len().min(255);
    centres.truncate(centres_len);
    let mut labels = vec![0u8; h * w];
    let weight = compactness / step;
    for _ in 0..iters.max(1) {
        for y in 0..h {
            for x in 0..w {
                let mut best = (f32::MAX, 0usize);
                for (n, centre) in centres.iter().enumerate() {
                    let (dy, dx) = (centre[0] - y as f32, centre[1] - x as f32);
                    if dy.abs() > 2.0 * step || dx.abs() > 2.0 * step {
                        continue;
                    }
                    let colour: f32 = (0..c).map(|ch| (centre[2 + ch] - img.at(ch, y, x)).powi(2)).sum();
                    let d = colour + weight * weight * (dy * dy + dx * dx);
                    if d < best.0 {
                        best = (d, n);
                    }
                }
                labels[y * w + x] = best.1 as u8;
            }
        }
        let mut sums = vec![vec![0f32; 2 + c]; centres.len()];
        let mut counts = vec![0usize; centres.len()];
        for y in 0..h {
            for x in 0..w {
                let n = labels[y * w + x] as usize;
                counts[n] += 1;
                sums[n][0] += y as f32;
                sums[n][1] += x as f32;
                for ch in 0..c {
                    sums[n][2 + ch] += img.at(ch, y, x);
                }
            }
        }
        for (centre, (sum, count)) in centres.iter_mut().zip(sums.iter().zip(&counts)) {
            if *count > 0 {
                *centre = sum.iter().map(|s| s / *count as f32).collect();
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superpixels_follow_a_colour_edge_and_stay_compact() {
        // Left half red, right half blue, 16×16: every superpixel lies on one side of the edge.
        let mut img = Image::new(3, 16, 16);
        for y in 0..16 {
            for x in 0..16 {
                let ch = if x < 8 { 0 } else { 2 };
                img.set(ch, y, x, 1.0);
            }
        }
        let labels = slic(&img, 4, 10, 0.5);
        let mut side = std::collections::BTreeMap::new();
        for y in 0..16 {
            for x in 0..16 {
                let s = *side.entry(labels[y * 16 + x]).or_insert(x < 8);
                assert_eq!(
                    s,
                    x < 8,
                    "superpixel {} crosses the edge at ({y}, {x})",
                    labels[y * 16 + x]
                );
            }
        }
        assert_eq!(side.len(), 4, "a 2×2 grid of superpixels");
    }
}
