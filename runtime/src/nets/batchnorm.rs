//! BatchNorm over the rows of a batch that always normalises with the batch's own statistics,
//! as SSL heads do in training (BYOL, SimSiam), on any device and with or without autodiff, so
//! an EMA target run without autodiff behaves exactly like its online source.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct BatchNorm {
    gamma: Param<Tensor<1>>,
    beta: Param<Tensor<1>>,
}

/// Variance guard, as PyTorch's default.
pub const EPS: f32 = 1e-5;

impl BatchNorm {
    pub fn new(width: usize, device: &Device) -> Self {
        BatchNorm {
            gamma: super::init::param([width], device, || Tensor::ones([width], device)),
            beta: super::init::param([width], device, || Tensor::zeros([width], device)),
        }
    }

    /// `x`: `[rows, width]`, normalised per column with the biased batch variance, then scaled
    /// and shifted.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        normalise(x) * self.gamma.val().unsqueeze_dim(0) + self.beta.val().unsqueeze_dim(0)
    }
}

/// `x`: `[rows, width]`, each column brought to zero mean and unit (biased) variance over the
/// batch: BatchNorm without its scale and shift.
pub fn normalise(x: Tensor<2>) -> Tensor<2> {
    normalise_with_moments(x).0
}

/// [`normalise`], also giving the batch's mean and biased variance per column, `[1, width]`
/// each (for running statistics).
pub fn normalise_with_moments(x: Tensor<2>) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
    if crate::dist::sync_batchnorm() {
        return across_ranks(x);
    }
    let mean = x.clone().mean_dim(0);
    let centred = x - mean.clone();
    let var = centred.clone().powf_scalar(2.0).mean_dim(0);
    (centred / var.clone().add_scalar(EPS).sqrt(), mean, var)
}

/// [`normalise_with_moments`] with the statistics of every rank's rows (SyncBatchNorm): each
/// rank holds as many rows, so the mean of the whole batch is the sum over ranks of the row
/// sums over all the rows; the variance likewise, about that mean.
fn across_ranks(x: Tensor<2>) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
    let total = (x.dims()[0] * crate::dist::size()) as f32;
    let mean = crate::dist::sum_in_op(x.clone().sum_dim(0)).div_scalar(total);
    let centred = x - mean.clone();
    let var = crate::dist::sum_in_op(centred.clone().powf_scalar(2.0).sum_dim(0)).div_scalar(total);
    (centred / var.clone().add_scalar(EPS).sqrt(), mean, var)
}

#[cfg(test)]
mod tests {
    use super::BatchNorm;
    use burn::tensor::{Device, Tensor, TensorData};

    #[test]
    fn columns_come_out_with_zero_mean_and_unit_variance() {
        let device = Device::default();
        let bn = BatchNorm::new(2, &device);
        let x = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 10.0, 2.0, 20.0, 3.0, 60.0], [3, 2]),
            &device,
        );
        let y: Vec<f32> = bn.forward(x).try_into_vec_as::<f32>().unwrap_or_default();
        for c in 0..2 {
            let col: Vec<f64> = (0..3).map(|r| y[r * 2 + c] as f64).collect();
            let mean = col.iter().sum::<f64>() / 3.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 3.0;
            assert!(mean.abs() < 1e-5, "column {c} mean {mean}");
            assert!((var - 1.0).abs() < 1e-3, "column {c} variance {var}");
        }
    }
}
