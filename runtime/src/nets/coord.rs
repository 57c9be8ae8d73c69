//! Relative position queries (SiameseIM): for every patch of a `grid`×`grid` view, its centre in
//! the frame view's patch units, h = g·Δi + sh·(r + ½) − ½ and w = g·Δj + sw·(c + ½) − ½ (columns
//! mirrored when exactly one view is flipped), with 10·log sh and 10·log sw, embedded as sin-cos
//! features and mapped to `dim` by a learned linear layer.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};

use super::init::linear;

#[derive(Module, Debug)]
pub struct CoordEmbed {
    proj: Linear,
    grid: usize,
    freqs: usize,
}

impl CoordEmbed {
    pub fn new(dim: usize, grid: usize, device: &Device) -> Self {
        let freqs = (dim / 8).max(1);
        CoordEmbed {
            proj: linear(8 * freqs, dim, device),
            grid,
            freqs,
        }
    }

    /// The four quantities per patch, `[rows, grid², 4]`, from geometries `[rows, 5]`.
    pub fn coordinates(&self, geo: Tensor<2>) -> Tensor<3> {
        let (g, rows) = (self.grid, geo.dims()[0]);
        let device = geo.device();
        let n = g * g;
        let constant = |f: &dyn Fn(usize, usize) -> f32| {
            let v: Vec<f32> = (0..n).map(|i| f(i / g, i % g)).collect();
            Tensor::<2>::from_data(TensorData::new(v, [1, n]), &device)
        };
        let rr = constant(&|r, _| r as f32 + 0.5);
        let cc = constant(&|_, c| c as f32 + 0.5);
        let mirrored = constant(&|_, c| (g - 1 - c) as f32 + 0.5);
        let col = |i: usize| geo.clone().narrow(1, i, 1);
        let (di, dj, sh, sw, flip) = (col(0), col(1), col(2), col(3), col(4));
        let c_eff = cc.mul(flip.clone().neg().add_scalar(1.0)) + mirrored.mul(flip);
        let h = di.mul_scalar(g as f32) + sh.clone().mul(rr) - 0.5;
        let w = dj.mul_scalar(g as f32) + sw.clone().mul(c_eff) - 0.5;
        let ls = sh.clamp_min(1e-6).log().mul_scalar(10.0).expand([rows, n]);
        let lw = sw.clamp_min(1e-6).log().mul_scalar(10.0).expand([rows, n]);
        Tensor::stack(vec![h, w, ls, lw], 2)
    }

    /// Geometries `[rows, 5]` → query tokens `[rows, grid², dim]`.
    pub fn forward(&self, geo: Tensor<2>) -> Tensor<3> {
        let q = self.coordinates(geo);
        let [rows, n, _] = q.dims();
        let f = self.freqs;
        let omega: Vec<f32> = (0..f).map(|k| 1.0 / 10000f32.powf(k as f32 / f as f32)).collect();
        let omega = Tensor::<4>::from_data(TensorData::new(omega, [1, 1, 1, f]), &q.device());
        let angles = q.unsqueeze_dim::<4>(3).mul(omega);
        let features = Tensor::cat(vec![angles.clone().sin(), angles.cos()], 3).reshape([rows, n, 8 * f]);
        super::dense::tokens(&self.proj, features)
    }
}
