//! Writes a folder of photo-like JPEGs for loader measurements: `CLASSES` sub-folders of
//! `W`×`H` images with smooth gradients, blobs and sensor-like noise, so that they compress as
//! photographs do (tens of KB at 500×375), not as flat colour.
//!
//! `cargo run --release -p sslc-runtime --example jpeg_folder -- DIR COUNT [W H CLASSES]`

use rayon::prelude::*;
use sslc_runtime::rng::Rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: jpeg_folder DIR COUNT [W H CLASSES]";
    let dir = std::path::PathBuf::from(args.first().expect(usage));
    let count: u64 = args.get(1).and_then(|a| a.parse().ok()).expect(usage);
    let num = |i: usize, default: u32| args.get(i).map_or(default, |a| a.parse().expect(usage));
    let (w, h, classes) = (num(2, 500), num(3, 375), num(4, 10));
    for c in 0..classes {
        std::fs::create_dir_all(dir.join(format!("class{c:03}"))).expect("a class folder");
    }
    (0..count).into_par_iter().for_each(|i| {
        let mut rng = Rng::derive(7, 0, i);
        let base = [rng.f32(), rng.f32(), rng.f32()];
        let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..6)
            .map(|_| {
                let r = rng.range(0.05, 0.3) * w as f32;
                (
                    rng.f32() * w as f32,
                    rng.f32() * h as f32,
                    r,
                    [rng.f32(), rng.f32(), rng.f32()],
                )
            })
            .collect();
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let mut p = [base[0] * (1.0 - fy), base[1] * fx, base[2] * (0.5 + 0.5 * fy)];
            for (cx, cy, r, col) in &blobs {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() / r;
                let a = (1.0 - d).clamp(0.0, 1.0);
                for k in 0..3 {
                    p[k] = p[k] * (1.0 - a) + col[k] * a;
                }
            }
            let noise = ((x.wrapping_mul(73856093) ^ y.wrapping_mul(19349663) ^ i as u32) % 17) as f32 / 255.0;
            image::Rgb(p.map(|v| ((v + noise) * 255.0).clamp(0.0, 255.0) as u8))
        });
        let class = i % classes as u64;
        let path = dir.join(format!("class{class:03}")).join(format!("{i:07}.jpg"));
        img.save(&path).expect("a JPEG");
    });
    eprintln!("{count} JPEGs of {w}×{h} in {classes} classes under {}", dir.display());
}
